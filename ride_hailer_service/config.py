"""Default settings and the database URL rules of the service."""
from __future__ import annotations

import os
from typing import Any

from .errors import ConfigurationError

#: Scopes of the Ride Hailer API (ARCHITECTURE.md, "Ride Hailer API contract").
#: ``openid`` asks for an OpenID Connect id_token (oidc.py); clients get it only when registered with it.
SCOPES = ("profile", "rides:read", "rides:write", "openid")

#: Languages of the login page (issue 3: English, German, Spanish, French, Japanese).
LANGUAGES = ("en", "de", "es", "fr", "ja")

#: RFC 6749 section 4.1.2 recommends at most 10 minutes; the issue caps codes at 5.
MAX_AUTHORIZATION_CODE_LIFETIME = 300

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    #: RFC 8414 issuer and base of every published URL (metadata, reset links); required
    #: outside debug/testing, where the request's own root is used instead
    "ISSUER": None,
    "DATABASE_URL": None,
    #: PostgreSQL only: schema put first on the search_path (tests isolate themselves with it)
    "DATABASE_SCHEMA": None,
    "ACCESS_TOKEN_LIFETIME": 3600,
    #: implicit grant has no refresh token, so its access token lives longer (Alexa seed)
    "IMPLICIT_TOKEN_LIFETIME": 30 * 24 * 3600,
    #: access tokens: "opaque" random strings (default) or "jwt" (RFC 9068, oidc.py)
    "ACCESS_TOKEN_FORMAT": "opaque",
    #: JWKS with the private keys that sign id_tokens and JWT access tokens (JSON or a file path)
    "SIGNING_KEYS": None,
    #: kid of the key that signs (default: the first); the others are only published (rotation)
    "SIGNING_KEY_ID": None,
    #: aud of JWT access tokens (default: <issuer>/api/v1)
    "JWT_ACCESS_TOKEN_AUDIENCE": None,
    "AUTHORIZATION_CODE_LIFETIME": MAX_AUTHORIZATION_CODE_LIFETIME,
    "REFRESH_TOKEN_IDLE_LIFETIME": 365 * 24 * 3600,
    "REFRESH_TOKEN_GRACE_PERIOD": 120,
    "PASSWORD_RESET_LIFETIME": 3600,
    #: seconds a sign-in stays valid for the one authorization request it was made for
    "LOGIN_SESSION_LIFETIME": 600,
    "LOGIN_THROTTLE_WINDOW": 900,
    #: failed sign-ins per (account, client address): a stranger elsewhere cannot lock the owner out
    "LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS": 5,
    #: failed sign-ins per account from all addresses together (guessing from many addresses)
    "LOGIN_THROTTLE_PER_ACCOUNT": 100,
    "LOGIN_THROTTLE_PER_ADDRESS": 30,
    "RECOVERY_THROTTLE_PER_ADDRESS": 5,
    #: sign-ups per email and per client address per LOGIN_THROTTLE_WINDOW (checked before argon2)
    "SIGNUP_THROTTLE_PER_EMAIL": 3,
    "SIGNUP_THROTTLE_PER_ADDRESS": 20,
    #: number of reverse proxies in front of the service whose X-Forwarded-* to trust
    "TRUSTED_PROXIES": 0,
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": True,
    "MAIL_FROM": "Ride Hailer <no-reply@ride-hailer.example>",
    #: `flask send-outbox` gives a mail up after this many failed SMTP attempts
    "MAIL_MAX_ATTEMPTS": 8,
    #: seconds before the first retry of a failed mail; doubles with every attempt
    "MAIL_RETRY_DELAY": 60,
    #: with SMTP configured (and outside testing) send from a background thread per process
    "MAIL_BACKGROUND_SENDER": True,
    #: seconds between two runs of the background sender
    "MAIL_SEND_INTERVAL": 60,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,
    "WTF_CSRF_TIME_LIMIT": 3600,
    #: Flask-WTF's https-only Referer check refuses every form post of a page served with
    #: `Referrer-Policy: no-referrer` (browsers then send no Referer): the session-bound CSRF
    #: token, SameSite=Lax and HSTS (includeSubDomains) protect the forms instead
    "WTF_CSRF_SSL_STRICT": False,
    "BABEL_DEFAULT_LOCALE": "en",
    "MAX_CONTENT_LENGTH": 64 * 1024,
    #: reuse by configuration (docs/ARCHITECTURE.md): callables ``init(app, csrf)`` (or
    #: "module:function" strings) that add blueprints, models and commands of another
    #: company's resource API on top of this authorization server (My Lights uses it)
    "EXTENSIONS": (),
    #: a folder whose templates replace the service's own (branding); the originals stay
    #: reachable as "service/<name>" so an override can extend them
    "TEMPLATE_OVERRIDES": None,
    #: scopes an extension's API adds to SCOPES (the authorization server accepts them)
    "EXTRA_SCOPES": (),
}


def check_issuer(value: Any) -> str:
    """The issuer without a trailing slash; https (http only for loopback), no query or fragment."""
    from urllib.parse import urlsplit

    from .web import is_loopback_host

    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or not parts.netloc
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
        or not (parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.netloc)))
    ):
        raise ConfigurationError(
            "RIDE_HAILER_ISSUER must be the service's public https URL, like https://rides.example.com"
            " (no query or fragment; http only for loopback)"
        )
    return value.rstrip("/")


def sqlalchemy_url(url: str) -> str:
    """Map postgres URLs to the installed psycopg v3 driver; leave others alone."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite://")):
        return url
    raise ConfigurationError(
        "RIDE_HAILER_DATABASE_URL must be a sqlite:// or postgresql:// URL"
    )


def default_database_url(instance_path: str) -> str:
    """An SQLite file in the instance folder."""
    return "sqlite:///" + os.path.join(instance_path, "ride_hailer.sqlite")


def check_lifetimes(config: dict[str, Any]) -> None:
    """Refuse lifetimes that are not positive integers or break the protocol limits."""
    for key in (
        "ACCESS_TOKEN_LIFETIME",
        "IMPLICIT_TOKEN_LIFETIME",
        "AUTHORIZATION_CODE_LIFETIME",
        "REFRESH_TOKEN_IDLE_LIFETIME",
        "REFRESH_TOKEN_GRACE_PERIOD",
        "PASSWORD_RESET_LIFETIME",
        "LOGIN_SESSION_LIFETIME",
    ):
        value = config[key]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigurationError(f"RIDE_HAILER_{key} must be a positive number of seconds")
    for key, least in (("MAIL_MAX_ATTEMPTS", 1), ("MAIL_RETRY_DELAY", 0), ("MAIL_SEND_INTERVAL", 1)):
        value = config[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ConfigurationError(f"RIDE_HAILER_{key} must be a whole number of at least {least}")
    if config["AUTHORIZATION_CODE_LIFETIME"] > MAX_AUTHORIZATION_CODE_LIFETIME:
        raise ConfigurationError("RIDE_HAILER_AUTHORIZATION_CODE_LIFETIME must be at most 300")
