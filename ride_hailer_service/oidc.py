"""OpenID Connect and RFC 9068 JWT access tokens: signing keys, discovery, userinfo, JWKS, id_token.

- ``/.well-known/openid-configuration``: OpenID Connect Discovery 1.0 (the RFC 8414
  metadata gains ``jwks_uri`` and ``userinfo_endpoint`` too, see :func:`server_metadata`);
- ``/oauth/userinfo``: the token owner's claims (scope ``openid``; ``name`` and ``email``
  with ``profile``), plus the token's granted ``scope``;
- ``/.well-known/jwks.json``: the public signing keys;
- an ``id_token`` in the code exchange when ``openid`` was asked (Authlib's OpenIDCode);
- ``RIDE_HAILER_ACCESS_TOKEN_FORMAT=jwt``: access tokens are RFC 9068 JWTs (Authlib's
  JWTBearerTokenGenerator) signed with the same key; ``opaque`` (the default) keeps random
  strings. Either way the service stores only a digest and checks its own API's tokens
  by that digest, so revocation works for both.

Keys come from ``RIDE_HAILER_SIGNING_KEYS`` (a JWKS with private keys, as JSON or a path
to a JSON file; every key has a ``kid``); ``RIDE_HAILER_SIGNING_KEY_ID`` names the one
that signs (default: the first), the others are only published (rotation, docs/service.md).
In debug or testing without keys, one RSA key is made per process. JOSE work is done by
joserfc, the JOSE library Authlib itself uses (``authlib.jose`` is deprecated in Authlib 1.9).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import time
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode as _OpenIDCode
from authlib.oidc.core.grants.util import is_openid_scope
from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from flask_wtf.csrf import CSRFProtect
from joserfc.jwk import ECKey, KeySet, RSAKey

from .config import SCOPES
from .errors import ConfigurationError
from .models import User, db
from .web import public_url

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__)

KEYS_EXTENSION = "ride_hailer.signing_keys"

#: RIDE_HAILER_ACCESS_TOKEN_FORMAT values; opaque is the default.
ACCESS_TOKEN_FORMATS = ("opaque", "jwt")
#: The OpenID Connect scope (OpenID Connect Core 1.0 section 3.1.2.1).
OPENID_SCOPE = "openid"
#: Longest nonce accepted; it travels inside the authorization code (see OpenIDCode).
MAX_NONCE_LENGTH = 255
#: Separates the random code from the encoded nonce; never in Authlib's code alphabet.
NONCE_SEPARATOR = "."
#: Signature algorithm for each key type (RFC 7518 section 3.1).
ALGORITHMS = {"RSA": "RS256", "EC": "ES256"}
#: Seconds a client may cache the JWKS (keep below the rotation wait, docs/service.md).
JWKS_MAX_AGE = 300


# --- keys ---------------------------------------------------------------------------------


def _load_key_set(value: Any) -> KeySet:
    """The configured JWKS: a dict, a JSON string, or the path of a JSON file."""
    if isinstance(value, str) and not value.lstrip().startswith("{"):
        try:
            with open(value, encoding="utf-8") as handle:
                value = handle.read()
        except OSError as exc:
            raise ConfigurationError(f"RIDE_HAILER_SIGNING_KEYS: cannot read {value!r} ({exc.strerror})") from None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ConfigurationError("RIDE_HAILER_SIGNING_KEYS is not valid JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list):
        raise ConfigurationError("RIDE_HAILER_SIGNING_KEYS must be a JWKS: {\"keys\": [...]}")
    if not value["keys"]:
        raise ConfigurationError("RIDE_HAILER_SIGNING_KEYS holds no key")
    try:
        keys = KeySet.import_key_set(value)  # type: ignore[arg-type]  # checked just above
    except Exception:  # joserfc raises several types for a bad set; never echo key material
        raise ConfigurationError("RIDE_HAILER_SIGNING_KEYS is not a JWKS of RSA or EC private keys") from None
    for key in keys.keys:
        if not isinstance(key, (RSAKey, ECKey)) or not key.is_private or not key.kid:
            raise ConfigurationError("every key in RIDE_HAILER_SIGNING_KEYS must be an RSA or EC private key with a kid")
    return keys


def signing_keys(app: Flask) -> KeySet:
    """Every configured key (the signing key and those only published), made once per app."""
    keys = app.extensions.get(KEYS_EXTENSION)
    if keys is None:
        configured = app.config.get("SIGNING_KEYS")
        if configured:
            keys = _load_key_set(configured)
        elif app.debug or app.testing:
            keys = KeySet([RSAKey.generate_key(2048, auto_kid=True)])
            log.warning("no RIDE_HAILER_SIGNING_KEYS: made a signing key for this process only")
        else:
            keys = KeySet([])
        keys = app.extensions.setdefault(KEYS_EXTENSION, keys)  # two first requests: one key wins
    return keys  # type: ignore[no-any-return]


def signing_key(app: Flask) -> RSAKey | ECKey:
    """The key that signs id_tokens and JWT access tokens; ConfigurationError if there is none."""
    keys = signing_keys(app)
    if not keys.keys:
        raise ConfigurationError(
            "RIDE_HAILER_SIGNING_KEYS is not set: OpenID Connect id_tokens and JWT access tokens need a signing key"
        )
    wanted = app.config.get("SIGNING_KEY_ID")
    if not wanted:
        return keys.keys[0]  # type: ignore[return-value]
    for key in keys.keys:
        if key.kid == wanted:
            return key  # type: ignore[return-value]
    raise ConfigurationError("RIDE_HAILER_SIGNING_KEY_ID names no key of RIDE_HAILER_SIGNING_KEYS")


def algorithm_of(key: RSAKey | ECKey) -> str:
    """The JWS algorithm this service signs with ``key``."""
    return ALGORITHMS[key.key_type]


def check_settings(app: Flask) -> None:
    """Refuse an unknown token format, and JWT access tokens without a usable key."""
    token_format = app.config.get("ACCESS_TOKEN_FORMAT", "opaque")
    if token_format not in ACCESS_TOKEN_FORMATS:
        raise ConfigurationError("RIDE_HAILER_ACCESS_TOKEN_FORMAT must be opaque or jwt")
    if app.config.get("SIGNING_KEYS") or token_format == "jwt":
        signing_key(app)  # a bad key set or key id fails at start, not at the first sign-in


# --- id_token -----------------------------------------------------------------------------


def _encode_nonce(nonce: str) -> str:
    return base64.urlsafe_b64encode(nonce.encode("utf-8")).decode("ascii").rstrip("=")


def nonce_in_code(code: str) -> str | None:
    """The nonce an authorization code carries (see :class:`OpenIDCode`), if any."""
    _, separator, encoded = code.rpartition(NONCE_SEPARATOR)
    if not separator or not encoded:
        return None
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


class _CodeClaims:
    """What Authlib reads from an authorization code for the id_token."""

    def __init__(self, nonce: str | None, auth_time: int) -> None:
        self._nonce = nonce
        self._auth_time = auth_time

    def get_nonce(self) -> str | None:
        return self._nonce

    def get_auth_time(self) -> int:
        return self._auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class OpenIDCode(_OpenIDCode):  # type: ignore[misc]
    """Authlib's OpenID Connect extension of the code grant: an id_token when ``openid`` is asked.

    The authorization request's ``nonce`` is carried inside the authorization code itself
    (``<random>.<base64url nonce>``): the code is stored only as a digest, so a changed
    nonce is a code that does not exist, and no table needs a nonce column.
    """

    def __init__(self) -> None:
        super().__init__(require_nonce=False)

    def __call__(self, grant: Any) -> None:
        super().__call__(grant)
        payload = getattr(grant.request, "payload", None)
        if payload is None:
            return
        nonce = payload.data.get("nonce")
        if isinstance(nonce, str) and nonce and is_openid_scope(payload.scope):
            make_code = grant.generate_authorization_code
            grant.generate_authorization_code = lambda: make_code() + NONCE_SEPARATOR + _encode_nonce(nonce)

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        """Replayed nonces are the client's to detect; the nonce's length is checked here."""
        if len(nonce) > MAX_NONCE_LENGTH:
            raise InvalidRequestError(f"nonce is longer than {MAX_NONCE_LENGTH} characters.")
        return False

    def resolve_client_private_key(self, client: Any) -> RSAKey | ECKey:
        return signing_key(current_app)

    def get_client_algorithm(self, client: Any) -> str:
        return algorithm_of(signing_key(current_app))

    def get_encode_header(self, client: Any) -> dict[str, str]:
        key = signing_key(current_app)
        return {"alg": algorithm_of(key), "kid": str(key.kid)}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        lifetime = int(current_app.config["ACCESS_TOKEN_LIFETIME"])
        return {"iss": public_url(""), "aud": [client.get_client_id()], "exp": int(time.time()) + lifetime}

    def encode_id_token(self, token: dict[str, Any], request: Any) -> str:
        code = request.authorization_code
        created = getattr(code, "created_at", None) or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        request.authorization_code = _CodeClaims(
            nonce_in_code(request.form.get("code") or ""),
            int(created.replace(tzinfo=dt.UTC).timestamp()),
        )
        return str(super().encode_id_token(token, request))

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        return user_claims(user, scope)


def user_claims(user: User, scope: str) -> UserInfo:
    """The OpenID Connect claims of ``user`` that ``scope`` lets a client see."""
    claims = UserInfo(sub=str(user.id))
    if "profile" in scope.split():
        claims["name"] = user.name
        claims["email"] = user.email
    return claims


def code_extensions() -> list[Any]:
    """Extensions of the authorization code grant: OpenID Connect."""
    return [OpenIDCode()]


# --- JWT access tokens --------------------------------------------------------------------


class JwtAccessTokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    """Authlib's RFC 9068 generator with this service's issuer, audience and signing key."""

    def __init__(self, app: Flask, **kwargs: Any) -> None:
        super().__init__(issuer=None, alg=algorithm_of(signing_key(app)), **kwargs)

    @property
    def issuer(self) -> str:
        return public_url("")

    @issuer.setter
    def issuer(self, value: Any) -> None:  # the base class assigns it; the request decides
        pass

    def get_jwks(self) -> KeySet:
        return KeySet([signing_key(current_app)])

    def get_audiences(self, client: Any, user: Any, scope: str) -> str:
        return str(current_app.config.get("JWT_ACCESS_TOKEN_AUDIENCE") or public_url("/api/v1"))


def configure_token_format(app: Flask, server: Any, **generator_kwargs: Any) -> None:
    """With ACCESS_TOKEN_FORMAT=jwt, make the server's default token generator issue RFC 9068 JWTs."""
    check_settings(app)
    if app.config.get("ACCESS_TOKEN_FORMAT", "opaque") == "jwt":
        server.register_token_generator("default", JwtAccessTokenGenerator(app, **generator_kwargs))


# --- endpoints ----------------------------------------------------------------------------


def server_metadata() -> dict[str, Any]:
    """Members the RFC 8414 metadata and the OpenID Connect discovery document share."""
    return {
        "jwks_uri": public_url(url_for("oidc.jwks")),
        "userinfo_endpoint": public_url(url_for("oidc.userinfo")),
    }


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    """OpenID Connect Discovery 1.0 provider metadata."""
    keys = signing_keys(current_app)
    algorithms = sorted({algorithm_of(key) for key in keys.keys}) or ["RS256"]  # type: ignore[arg-type]
    return jsonify(
        {
            "issuer": public_url(""),
            "authorization_endpoint": public_url(url_for("oauth.authorize")),
            "token_endpoint": public_url(url_for("oauth.issue_token")),
            "revocation_endpoint": public_url(url_for("oauth.revoke_token")),
            **server_metadata(),
            "scopes_supported": [OPENID_SCOPE, *[s for s in SCOPES if s != OPENID_SCOPE]],
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": algorithms,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "name", "email", "iss", "aud", "exp", "iat", "auth_time", "nonce"],
            "code_challenge_methods_supported": ["S256"],
        }
    )


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    """The public halves of every configured key (the signing key and those being rotated)."""
    response = jsonify(signing_keys(current_app).as_dict(private=False))
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    return response


@bp.route("/oauth/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    """OpenID Connect Core 1.0 section 5.3: claims of the token's owner (scope openid)."""
    from .views.api import require  # the API's bearer check: same errors, same challenges

    token, user = require(OPENID_SCOPE)
    claims = user_claims(user, token.scope)
    claims["scope"] = token.scope
    db.session.rollback()  # read-only
    return jsonify(dict(claims))


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Check the settings and register discovery, userinfo and the JWKS."""
    check_settings(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
