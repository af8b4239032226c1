"""A bounded, thread-safe TTL cache of verified profiles, keyed by token digest."""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from typing import Callable, Optional

from .profile import Profile


def token_digest(token: str) -> str:
    """The cache key for a token: its SHA-256 hex digest, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ProfileCache:
    """Least-recently-used cache of successful lookups that expire after ``ttl`` seconds.

    Only successes go in (failures are never stored). An entry may name its ``owner``
    (the Alexa user id of the request), so that everything cached for a user can be
    forgotten when the skill is disabled or relinked (:meth:`forget_owner`). One lock
    guards the dicts, so the cache is safe when a web host serves requests from several
    threads.
    """

    def __init__(
        self,
        ttl: float,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Profile, Optional[str]]] = OrderedDict()
        self._by_owner: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Optional[Profile]:
        """The cached profile for ``token``, or None when absent or expired."""
        key = token_digest(token)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, profile, _ = entry
            if now >= expires_at:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return profile

    def put(self, token: str, profile: Profile, owner: Optional[str] = None) -> None:
        """Remember ``profile`` for ``token`` (of Alexa user ``owner``) until the TTL runs out."""
        if self._ttl <= 0:
            return
        key = token_digest(token)
        expires_at = self._clock() + self._ttl
        with self._lock:
            self._drop(key)
            self._entries[key] = (expires_at, profile, owner)
            if owner is not None:
                self._by_owner.setdefault(owner, set()).add(key)
            while len(self._entries) > self._max_entries:
                self._drop(next(iter(self._entries)))

    def forget(self, token: str) -> None:
        """Drop ``token`` (e.g. after the resource server rejected it)."""
        with self._lock:
            self._drop(token_digest(token))

    def forget_owner(self, owner: str) -> int:
        """Drop every entry cached for Alexa user ``owner``; return how many."""
        with self._lock:
            keys = list(self._by_owner.get(owner, ()))
            for key in keys:
                self._drop(key)
            return len(keys)

    def _drop(self, key: str) -> None:
        """Remove ``key`` and its owner index entry (lock held)."""
        entry = self._entries.pop(key, None)
        if entry is None or entry[2] is None:
            return
        keys = self._by_owner.get(entry[2])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_owner[entry[2]]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def keys(self) -> list[str]:
        """The digests currently stored (for inspection in tests and debugging)."""
        with self._lock:
            return list(self._entries)
