"""Digests, password hashing and constant-time comparisons."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: argon2id parameters: OWASP Password Storage Cheat Sheet minimum is m=19 MiB, t=2, p=1;
#: we use m=19 MiB, t=2, p=1 so a login stays cheap on small hosts.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_COST_KIB = 19 * 1024
ARGON2_PARALLELISM = 1


def token_digest(value: str) -> str:
    """Hex SHA-256 of a high-entropy secret (token, code, client secret)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret."""
    return secrets.token_urlsafe(nbytes)


class PasswordHashing:
    """argon2id hashing with a dummy hash to equalise timing for unknown accounts."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(
            time_cost=ARGON2_TIME_COST,
            memory_cost=ARGON2_MEMORY_COST_KIB,
            parallelism=ARGON2_PARALLELISM,
        )
        self._dummy_hash = self._hasher.hash(new_secret())

    def hash(self, password: str) -> str:
        """Hash a password with argon2id."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches; spends the same time when there is no hash."""
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and (
                password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with weaker parameters."""
        return self._hasher.check_needs_rehash(password_hash)
