"""JWT access tokens (RFC 9068) checked locally against the issuer's published keys (JWKS).

Needs the ``jwt`` extra (``pip install 'alexa-account-linking[jwt]'``, which brings PyJWT
and ``cryptography``). Nothing else in the library imports this module, so a skill that
does not use it pays nothing at cold start::

    from account_linking.jwt_access import JwtAccessTokenClient

A token is trusted only when its signature verifies with a key from the issuer's JWKS and
``iss``, ``aud`` (or ``client_id``), ``exp``, ``nbf`` and the header's ``typ`` (``at+jwt``;
plain ``JWT`` only with ``accept_plain_jwt=True``) all check out. No network call per
request: the JWKS is fetched once, kept ``jwks_max_age`` seconds, and fetched again early
only when a token names an unknown ``kid``, at most once per ``jwks_refetch_interval``.

The compact JWS is split and its claims checked here; the signature is verified by PyJWT's
algorithm objects (``cryptography`` underneath), and keys are imported with ``PyJWK``.
(``jwt.decode`` would do the same, but PyJWT 2.15 checks base64 a character at a time in
Python, which made a local check cost two to three times the signature itself.)

Outcomes: expired -> :class:`LinkRejected` (link expired + card); bad signature, wrong
issuer or audience, unknown key, not yet valid, malformed -> :class:`LinkRejected` too
(never trusted); JWKS or metadata unreachable -> :class:`ResourceUnavailable` (apology).
"""
from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
from typing import Any, Callable, NamedTuple, Optional, Sequence

import jwt
import requests

from .clients import ResourceServerClient, optional_str, scope_set
from .deadline import Deadline, call_timeout
from .discovery import OPENID_CONFIGURATION, DocumentCache, check_url, endpoint, fetch_document, issuer_metadata
from .errors import LinkRejected, ResourceUnavailable
from .profile import Profile

log = logging.getLogger(__name__)

#: RFC 9068 section 2.1: the ``typ`` header of a JWT access token (with or without "application/").
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
#: ``typ`` values of a plain JWT (or none at all), accepted only with ``accept_plain_jwt``.
PLAIN_JWT_TYPES = frozenset({"jwt", "application/jwt", None})
#: Asymmetric algorithms accepted by default (RFC 9068 section 2.1 requires RS256 support);
#: "none" and the HMAC algorithms never are: the skill holds no shared secret.
DEFAULT_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
#: Claims every RFC 9068 access token carries (section 2.2) that this client needs.
REQUIRED_CLAIMS = ("iss", "exp", "sub")


#: One segment of a JWS in compact form: unpadded base64url (RFC 7515 section 2).
_SEGMENT = r"[A-Za-z0-9_-]+"
#: Longest token looked at (access tokens are a few kB at most).
MAX_TOKEN_LENGTH = 16 * 1024


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _segment(text: str) -> bytes:
    """One base64url segment decoded; LinkRejected unless it is canonical unpadded base64url."""
    if not re.fullmatch(_SEGMENT, text) or len(text) % 4 == 1:
        raise LinkRejected("access token is not a JWT")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:  # no second spelling
        raise LinkRejected("access token is not a JWT")
    return raw


def _parse(token: str) -> tuple[bytes, dict[str, Any], dict[str, Any], bytes]:
    """A compact JWS: (signing input, header, claims, signature); LinkRejected if it is none."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise LinkRejected("access token is not a JWT")
    header_text, payload_text, signature_text = token.split(".")
    try:
        header = json.loads(_segment(header_text))
        claims = json.loads(_segment(payload_text))
    except (ValueError, UnicodeDecodeError):
        raise LinkRejected("access token is not a JWT") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise LinkRejected("access token is not a JWT")
    return f"{header_text}.{payload_text}".encode("ascii"), header, claims, _segment(signature_text)


class _Key(NamedTuple):
    """A published signing key and the algorithm the JWKS pins it to, if any."""

    jwk: jwt.PyJWK
    algorithm: Optional[str]


class JwtAccessTokenClient(ResourceServerClient):
    """Verifies RFC 9068 JWT access tokens locally with the issuer's JWKS.

    ``audience`` is the resource indicator the tokens are issued for (the ``aud`` claim
    must contain it). Providers whose access tokens carry no ``aud`` (Amazon Cognito)
    are checked by ``client_id`` instead; at least one of the two is required.
    ``jwks_url`` defaults to the ``jwks_uri`` of the issuer's metadata (``well_known``,
    OpenID Connect Discovery by default; pass ``discovery.OAUTH_AUTHORIZATION_SERVER`` for
    an RFC 8414-only issuer).
    """

    provider = "jwt"

    def __init__(
        self,
        session: requests.Session,
        issuer: str,
        timeout: float,
        *,
        audience: Optional[str] = None,
        client_id: Optional[str] = None,
        jwks_url: Optional[str] = None,
        well_known: str = OPENID_CONFIGURATION,
        algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        accept_plain_jwt: bool = False,
        leeway: float = 30.0,
        jwks_max_age: float = 3600.0,
        jwks_refetch_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if audience is None and client_id is None:
            raise ValueError("set audience (the aud claim) or client_id: a token for another API must not pass")
        if not algorithms or any(alg.lower() == "none" or alg.upper().startswith("HS") for alg in algorithms):
            raise ValueError("algorithms must be asymmetric signature algorithms")
        self._session = session
        self.issuer = check_url(issuer, "issuer")
        self._issuers = (issuer.rstrip("/"), issuer.rstrip("/") + "/")
        self._timeout = timeout
        self._audience = audience
        self._client_id = client_id
        self._jwks_url = None if jwks_url is None else check_url(jwks_url, "jwks_url")
        self._well_known = well_known
        self._algorithms = tuple(algorithms)
        self._plain = accept_plain_jwt
        self._leeway = leeway
        self._max_age = jwks_max_age
        self._refetch_interval = jwks_refetch_interval
        self._clock = clock
        self._wall_clock = wall_clock
        self._documents = DocumentCache(ttl=jwks_max_age, max_entries=2, clock=clock)
        self._lock = threading.Lock()
        self._keys: Optional[dict[Optional[str], _Key]] = None
        self._fetched_at = 0.0
        self._last_fetch_attempt: Optional[float] = None

    # --- keys -------------------------------------------------------------------------

    def jwks_url(self, deadline: Optional[Deadline] = None) -> str:
        """The JWKS URL: as configured, else the ``jwks_uri`` of the issuer's metadata."""
        if self._jwks_url is not None:
            return self._jwks_url
        document = issuer_metadata(
            self._session, self._documents, self.issuer, call_timeout(self._timeout, deadline),
            self._well_known,
        )
        return endpoint(document, "jwks_uri")

    def _fetch_keys(self, deadline: Optional[Deadline]) -> dict[Optional[str], _Key]:
        """GET the JWKS and keep its usable signing keys by ``kid``; ResourceUnavailable on failure."""
        with self._lock:
            self._last_fetch_attempt = self._clock()
        document = fetch_document(self._session, self.jwks_url(deadline), call_timeout(self._timeout, deadline))
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise ResourceUnavailable("JWKS has no keys list")
        keys: dict[Optional[str], _Key] = {}
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:  # a key type or curve this library does not use
                continue
            kid, alg = entry.get("kid"), entry.get("alg")
            keys[kid if isinstance(kid, str) else None] = _Key(key, alg if isinstance(alg, str) else None)
        with self._lock:
            self._keys = keys
            self._fetched_at = self._clock()
        log.info("fetched %d signing keys of %s", len(keys), self.issuer)
        return keys

    @staticmethod
    def _pick(keys: dict[Optional[str], _Key], kid: Optional[str]) -> Optional[_Key]:
        if kid is not None:
            return keys.get(kid)
        return next(iter(keys.values())) if len(keys) == 1 else None

    def _key_for(self, kid: Optional[str], deadline: Optional[Deadline]) -> _Key:
        """The signing key named ``kid``; refetches the JWKS when stale or (bounded) on an unknown kid."""
        with self._lock:
            keys = self._keys
            stale = keys is None or self._clock() - self._fetched_at >= self._max_age
        if stale or keys is None:
            keys = self._fetch_keys(deadline)
        key = self._pick(keys, kid)
        if key is not None:
            return key
        with self._lock:
            last = self._last_fetch_attempt
            may_refetch = last is None or self._clock() - last >= self._refetch_interval
        if may_refetch:
            key = self._pick(self._fetch_keys(deadline), kid)
            if key is not None:
                return key
        raise LinkRejected("token signed with a key the issuer does not publish")

    # --- tokens -----------------------------------------------------------------------

    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """Verify ``token`` locally and return its owner; no network call unless keys are due."""
        signing_input, header, claims, signature = _parse(token)
        typ = header.get("typ")
        typ = typ.lower() if isinstance(typ, str) else typ
        if typ not in ACCESS_TOKEN_TYPES and not (self._plain and typ in PLAIN_JWT_TYPES):
            raise LinkRejected(f"access token typ {typ!r} is not at+jwt")
        algorithm = header.get("alg")
        if algorithm not in self._algorithms:
            raise LinkRejected(f"access token algorithm {algorithm!r} is not accepted")
        if "crit" in header:  # RFC 7515 section 4.1.11: no extension is understood here
            raise LinkRejected("access token has critical header parameters")
        kid = header.get("kid")
        key = self._key_for(kid if isinstance(kid, str) else None, deadline)
        if key.algorithm is not None and key.algorithm != algorithm:
            raise LinkRejected("token algorithm differs from the one its key is published for")
        try:  # PyJWT's algorithm does the cryptography (PKCS#1 v1.5, PSS, ECDSA raw r||s)
            valid = jwt.get_algorithm_by_name(algorithm).verify(signing_input, key.jwk.key, signature)
        except Exception:  # a key of another type than the algorithm (AttributeError), bad bytes
            valid = False
        if not valid:
            raise LinkRejected("access token signature does not verify")
        self._check_claims(claims)
        return self._profile(claims)

    def _check_claims(self, claims: dict[str, Any]) -> None:
        """RFC 9068 section 4: issuer, audience (or client), expiry and not-before."""
        for name in REQUIRED_CLAIMS:
            if name not in claims:
                raise LinkRejected(f"access token has no {name}")
        now = self._wall_clock()
        expires, not_before = claims["exp"], claims.get("nbf")
        if not _is_number(expires) or (not_before is not None and not _is_number(not_before)):
            raise LinkRejected("access token exp or nbf is not a number")
        if now >= expires + self._leeway:
            raise LinkRejected("access token expired")
        if not_before is not None and now + self._leeway < not_before:
            raise LinkRejected("access token is not valid yet")
        if claims["iss"] not in self._issuers:
            raise LinkRejected("access token was issued by another issuer")
        if self._audience is not None:
            aud = claims.get("aud")
            audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            if self._audience not in audiences:
                raise LinkRejected("access token is meant for another audience")
        if self._client_id is not None and claims.get("client_id") != self._client_id:
            raise LinkRejected("access token was issued to another client")

    def _profile(self, claims: dict[str, Any]) -> Profile:
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise LinkRejected("access token has no sub")
        try:
            scopes = scope_set(claims["scope"] if "scope" in claims else claims.get("scp"))
            name = optional_str(claims.get("name"), "name")
            email = optional_str(claims.get("email"), "email")
        except TypeError:
            raise LinkRejected("access token claims have the wrong types") from None
        return Profile(user_id=sub, name=name, email=email, scopes=scopes, provider=self.provider)
