"""Helpers to create users and the Alexa client (used by the CLI, other areas' tests and the demo).

Call them inside an application context.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select

from .accounts import check_name, register_user
from .config import SCOPES
from .errors import AdminError, InvalidName
from .models import Client, User, db
from .security import new_secret, token_digest

#: Alexa redirect URLs per region (ALEXA-FACTS.md, "Alexa redirect URLs"); {vendor_id} filled in.
ALEXA_REDIRECT_URL_TEMPLATES = (
    "https://pitangui.amazon.com/api/skill/link/{vendor_id}",
    "https://layla.amazon.com/api/skill/link/{vendor_id}",
    "https://alexa.amazon.co.jp/api/skill/link/{vendor_id}",
)

#: Display name of a client registered without --name ("Linking allows the Ride Hailer skill to").
DEFAULT_CLIENT_NAME = "Ride Hailer"

#: What a vendor id may contain (it becomes a path segment of the redirect URLs).
VENDOR_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")

#: Alexa's accessTokenScheme -> the RFC 7591 token endpoint auth method.
ACCESS_TOKEN_SCHEMES = {
    "HTTP_BASIC": "client_secret_basic",
    "REQUEST_BODY_CREDENTIALS": "client_secret_post",
}


def _detach_loaded(row: object) -> None:
    """Load and detach a new row so callers can read it after later commits or the context."""
    db.session.refresh(row)
    db.session.expunge(row)


def alexa_redirect_urls(vendor_id: str) -> list[str]:
    """The three Alexa redirect URLs for a vendor id."""
    if not VENDOR_ID_PATTERN.fullmatch(vendor_id or ""):
        raise AdminError("vendor id must be letters, digits, '-' or '_' only")
    return [template.format(vendor_id=vendor_id) for template in ALEXA_REDIRECT_URL_TEMPLATES]


def create_user(email: str, password: str, name: str) -> User:
    """Create and commit a Ride Hailer account."""
    if not password:
        raise AdminError("password must not be empty")
    try:
        user = register_user(email, password, name)
    except InvalidName as error:
        raise AdminError(f"name: {error}") from None
    db.session.commit()
    _detach_loaded(user)
    return user


def create_alexa_client(
    vendor_id: str,
    scheme: str,
    *,
    implicit: bool = False,
    client_id: str = "alexa-skill",
    client_secret: str | None = None,
    scopes: Sequence[str] = ("profile", "rides:read", "rides:write"),
    require_pkce: bool = False,
    name: str = DEFAULT_CLIENT_NAME,
) -> tuple[Client, str]:
    """Register the skill as a client with the Alexa redirect URLs; return it and its secret.

    ``name`` is the skill's display name on the login and consent pages ("Linking allows
    the <name> skill to: ..."). The secret is returned once and stored only as a digest.
    """
    try:
        name = check_name(name)
    except InvalidName as error:
        raise AdminError(f"client name: {error}") from None
    if scheme not in ACCESS_TOKEN_SCHEMES:
        raise AdminError(f"scheme must be one of {', '.join(ACCESS_TOKEN_SCHEMES)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise AdminError(f"unknown scopes: {' '.join(unknown)}")
    if db.session.execute(select(Client).where(Client.client_id == client_id)).scalar_one_or_none():
        raise AdminError(f"client {client_id} exists already")
    secret = client_secret or new_secret()
    client = Client(
        client_id=client_id,
        client_secret_digest=token_digest(secret),
        name=name,
        redirect_uris=" ".join(alexa_redirect_urls(vendor_id)),
        scope=" ".join(scopes),
        token_endpoint_auth_method=ACCESS_TOKEN_SCHEMES[scheme],
        allow_implicit=implicit,
        require_pkce=require_pkce,
    )
    db.session.add(client)
    db.session.commit()
    _detach_loaded(client)
    return client, secret
