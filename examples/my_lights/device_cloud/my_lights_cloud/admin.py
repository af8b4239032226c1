"""Admin helpers of the device cloud: the skill's OAuth client and a hub's lights."""
from __future__ import annotations

from sqlalchemy import select

from ride_hailer_service.admin import ACCESS_TOKEN_SCHEMES, alexa_redirect_urls
from ride_hailer_service.errors import AdminError
from ride_hailer_service.models import Client, db
from ride_hailer_service.security import new_secret, token_digest

from .models import Light

#: The one scope of the lights API.
SCOPE = "lights"


def create_skill_client(vendor_id: str, scheme: str = "HTTP_BASIC", client_id: str = "my-lights-skill",
                        client_secret: str | None = None) -> tuple[str, str]:
    """Register the My Lights skill (scope ``lights``, Alexa redirect URLs); its id and secret."""
    if scheme not in ACCESS_TOKEN_SCHEMES:
        raise AdminError(f"scheme must be one of {', '.join(ACCESS_TOKEN_SCHEMES)}")
    if db.session.execute(select(Client).where(Client.client_id == client_id)).scalar_one_or_none():
        raise AdminError(f"client {client_id} exists already")
    secret = client_secret or new_secret()
    db.session.add(Client(
        client_id=client_id, client_secret_digest=token_digest(secret), name="My Lights skill",
        redirect_uris=" ".join(alexa_redirect_urls(vendor_id)), scope=SCOPE,
        token_endpoint_auth_method=ACCESS_TOKEN_SCHEMES[scheme], allow_implicit=False, require_pkce=False,
    ))
    db.session.commit()
    return client_id, secret


def add_lights(user_id: int, *names: str) -> None:
    """Put lights on a user's hub (off, full brightness); no events (set-up, not a change)."""
    for name in names:
        endpoint_id = "-".join(name.lower().split())
        db.session.add(Light(user_id=user_id, endpoint_id=endpoint_id, name=name, power="OFF", brightness=100))
    db.session.commit()
