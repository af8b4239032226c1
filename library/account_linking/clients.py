"""Resource-server clients: who does this access token belong to?

Each client asks one resource server for the token owner's profile over a shared,
pooled ``requests.Session``. The token goes only into the Authorization header, never a
URL. Every failure is one of the exceptions in :mod:`account_linking.errors`.
"""
from __future__ import annotations

import abc
from typing import Any, Mapping, Optional

import requests

from .deadline import Deadline, call_timeout
from .errors import ResourceUnavailable
from .http import parse_json, raise_for_token_status, send
from .profile import Profile

#: Header listing the scopes granted to the token (GitHub's convention; CONTRACT.md).
SCOPES_HEADER = "X-OAuth-Scopes"
#: Path of the Ride Hailer profile endpoint (ARCHITECTURE.md, API contract).
ME_PATH = "/api/v1/me"
#: Default Login with Amazon profile endpoint (ALEXA-FACTS.md).
DEFAULT_LWA_PROFILE_URL = "https://api.amazon.com/user/profile"
#: LWA scopes and the fields each one makes visible (ALEXA-FACTS.md).
LWA_SCOPE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "profile": ("name", "email"),
    "profile:user_id": ("user_id",),
    "postal_code": ("postal_code",),
}


class ResourceServerClient(abc.ABC):
    """Looks up the profile behind an access token at one resource server."""

    #: Name recorded in :attr:`Profile.provider`.
    provider: str = ""

    @abc.abstractmethod
    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """Return the token owner's profile or raise a LinkingError.

        With a ``deadline`` (the request's budget) the call must not outlast it.
        """


def _optional_str(body: Mapping[str, Any], key: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def _user_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise TypeError("id is missing or not a string/integer")
    return str(value)


class _ProfileEndpointClient(ResourceServerClient):
    """GETs one profile URL with the token; subclasses shape the 200 answer."""

    def __init__(self, session: requests.Session, url: str, timeout: float) -> None:
        self._session = session
        self._url = url
        self._timeout = timeout

    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """GET the profile URL within the time left; map failures, then shape the JSON body."""
        response = send(
            self._session, "GET", self._url,
            timeout=call_timeout(self._timeout, deadline), token=token,
        )
        raise_for_token_status(response, required_scope="profile")
        if response.status_code != 200:
            raise ResourceUnavailable(f"profile endpoint answered HTTP {response.status_code}")
        return parse_json(response, lambda body: self._shape(body, response))

    @abc.abstractmethod
    def _shape(self, body: Any, response: requests.Response) -> Profile:
        """Build the Profile; raise KeyError, TypeError or ValueError for a wrong shape."""


class RideHailerProfileClient(_ProfileEndpointClient):
    """Client of the Ride Hailer API's ``GET /api/v1/me`` (scope ``profile``).

    Granted scopes come from the ``X-OAuth-Scopes`` header; without it they are unknown.
    """

    provider = "ride_hailer"

    def __init__(self, session: requests.Session, api_url: str, timeout: float) -> None:
        super().__init__(session, api_url.rstrip("/") + ME_PATH, timeout)

    def _shape(self, body: Any, response: requests.Response) -> Profile:
        if not isinstance(body, dict):
            raise TypeError("profile is not an object")
        header = response.headers.get(SCOPES_HEADER)
        return Profile(
            user_id=_user_id(body["id"]),
            name=_optional_str(body, "name"),
            email=_optional_str(body, "email"),
            scopes=None if header is None else frozenset(header.replace(",", " ").split()),
            provider=self.provider,
        )


class LwaProfileClient(_ProfileEndpointClient):
    """Client of the Login with Amazon profile API (``LWA_PROFILE_URL``).

    LWA does not list granted scopes; they are inferred from the fields it returns
    (``name``/``email`` -> ``profile``, ``user_id`` -> ``profile:user_id``,
    ``postal_code`` -> ``postal_code``).
    """

    provider = "lwa"

    def __init__(
        self,
        session: requests.Session,
        timeout: float,
        profile_url: str = DEFAULT_LWA_PROFILE_URL,
    ) -> None:
        super().__init__(session, profile_url, timeout)

    def _shape(self, body: Any, response: requests.Response) -> Profile:
        if not isinstance(body, dict):
            raise TypeError("profile is not an object")
        user_id = body["user_id"]
        if not isinstance(user_id, str) or not user_id:
            raise TypeError("user_id is missing or not a string")
        scopes = {
            scope
            for scope, fields in LWA_SCOPE_FIELDS.items()
            if any(body.get(field) is not None for field in fields)
        }
        if "profile" in scopes:
            scopes.add("profile:user_id")
        return Profile(
            user_id=user_id,
            name=_optional_str(body, "name"),
            email=_optional_str(body, "email"),
            scopes=frozenset(scopes),
            provider=self.provider,
        )
