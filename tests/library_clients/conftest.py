"""Fixtures for the resource-server client tests: a real provider server, a session, signing keys."""
from __future__ import annotations

import time
from typing import Any, Iterator, Optional

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .provider_server import ProviderServer, Reply

#: Per-call timeout of the clients under test (short, so a stalled server ends a test quickly).
TIMEOUT = 0.5


@pytest.fixture
def provider() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    yield server
    server.stop()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


class SigningKey:
    """A private key the test signs access tokens with, and its public JWK."""

    def __init__(self, kid: str, algorithm: str = "RS256") -> None:
        self.kid = kid
        self.algorithm = algorithm
        if algorithm.startswith("ES"):
            self.private = ec.generate_private_key(ec.SECP256R1())
            public = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**public, "kid": kid, "use": "sig", "alg": algorithm}

    def sign(self, claims: dict[str, Any], typ: Optional[str] = "at+jwt", kid: Optional[str] = "") -> str:
        """A JWT of ``claims`` signed with this key (``kid`` "" means this key's id)."""
        headers: dict[str, Any] = {"kid": self.kid if kid == "" else kid}
        if kid is None:
            headers.pop("kid")
        if typ is not None:
            headers["typ"] = typ
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers=headers)


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey("key-1")


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    return SigningKey("key-2")


def access_claims(issuer: str, audience: str = "https://api.example.com", **extra: Any) -> dict[str, Any]:
    """RFC 9068 claims of a fresh token for user ``user-1`` with scope ``profile``."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer, "sub": "user-1", "aud": audience, "exp": now + 300, "iat": now,
        "client_id": "alexa-skill", "scope": "profile rides:read", "jti": f"t{now}",
    }
    claims.update(extra)
    return {key: value for key, value in claims.items() if value is not None}


def publish_discovery(provider: ProviderServer, **extra: Any) -> dict[str, Any]:
    """Serve an OpenID Connect discovery document for ``provider.url`` and return it."""
    document = {
        "issuer": provider.url,
        "authorization_endpoint": provider.url + "/authorize",
        "token_endpoint": provider.url + "/token",
        "userinfo_endpoint": provider.url + "/userinfo",
        "jwks_uri": provider.url + "/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }
    document.update(extra)
    provider.answer("/.well-known/openid-configuration", Reply(200, document))
    return document
