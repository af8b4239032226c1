"""Who a Ride Hailer access token belongs to: the library's profile-endpoint client, configured.

The Ride Hailer API is one configuration of :class:`account_linking.ProfileEndpointClient`
(ARCHITECTURE.md, API contract): ``GET /api/v1/me`` answers ``{"id", "name", "email"}`` and
lists the token's scopes in ``X-OAuth-Scopes``; reading it needs the ``profile`` scope.
"""
from __future__ import annotations

import requests

from account_linking import ProfileEndpointClient

#: The Ride Hailer API's profile endpoint, below RIDE_HAILER_API_URL.
ME_PATH = "/api/v1/me"
#: Header in which the API lists the token's scopes (GitHub's convention).
SCOPES_HEADER = "X-OAuth-Scopes"


def RideHailerProfileClient(  # noqa: N802  (reads like the client class it configures)
    session: requests.Session, api_url: str, timeout: float
) -> ProfileEndpointClient:
    """The Ride Hailer API's ``GET /api/v1/me`` as a :class:`ProfileEndpointClient`."""
    return ProfileEndpointClient(
        session,
        api_url.rstrip("/") + ME_PATH,
        timeout,
        scopes_header=SCOPES_HEADER,
        required_scope="profile",
        provider="ride_hailer",
    )
