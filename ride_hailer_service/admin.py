"""Helpers to create users and the Alexa client (used by the CLI, other areas' tests and the demo).

Call them inside an application context.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from .accounts import register_user
from .config import SCOPES
from .models import Client, User, db
from .security import new_secret, token_digest

#: Alexa redirect URLs per region (ALEXA-FACTS.md, "Alexa redirect URLs"); {vendor_id} filled in.
ALEXA_REDIRECT_URL_TEMPLATES = (
    "https://pitangui.amazon.com/api/skill/link/{vendor_id}",
    "https://layla.amazon.com/api/skill/link/{vendor_id}",
    "https://alexa.amazon.co.jp/api/skill/link/{vendor_id}",
)

#: Alexa's accessTokenScheme -> the RFC 7591 token endpoint auth method.
ACCESS_TOKEN_SCHEMES = {
    "HTTP_BASIC": "client_secret_basic",
    "REQUEST_BODY_CREDENTIALS": "client_secret_post",
}


class AdminError(ValueError):
    """An admin helper got arguments it cannot use."""


def alexa_redirect_urls(vendor_id: str) -> list[str]:
    """The three Alexa redirect URLs for a vendor id."""
    if not vendor_id or not vendor_id.isalnum():
        raise AdminError("vendor id must be letters and digits only")
    return [template.format(vendor_id=vendor_id) for template in ALEXA_REDIRECT_URL_TEMPLATES]


def create_user(email: str, password: str, name: str) -> User:
    """Create and commit a Ride Hailer account."""
    if len(password) < 8:
        raise AdminError("password must have at least 8 characters")
    user = register_user(email, password, name)
    db.session.commit()
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
) -> tuple[Client, str]:
    """Register the skill as a client with the Alexa redirect URLs; return it and its secret.

    The secret is returned once and stored only as a digest.
    """
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
        name="Ride Hailer skill",
        redirect_uris=" ".join(alexa_redirect_urls(vendor_id)),
        scope=" ".join(scopes),
        token_endpoint_auth_method=ACCESS_TOKEN_SCHEMES[scheme],
        allow_implicit=implicit,
        require_pkce=require_pkce,
    )
    db.session.add(client)
    db.session.commit()
    return client, secret
