"""Resource-server clients: who does this access token belong to?

Every client implements :class:`ResourceServerClient` (``fetch_profile(token, deadline)``)
and raises only the exceptions of :mod:`account_linking.errors`:

- :class:`ProfileEndpointClient`: any "who am I" JSON endpoint; the URL, the JSON fields
  of id, name and e-mail, and where the granted scopes come from (a header, a field,
  nowhere) are settings;
- :class:`LwaProfileClient`: Login with Amazon's profile API;
- :class:`account_linking.oidc.OidcUserinfoClient`: OpenID Connect userinfo, found by
  discovery;
- :class:`account_linking.introspection.IntrospectionClient`: RFC 7662 token introspection;
- ``account_linking.jwt_access.JwtAccessTokenClient``: RFC 9068 JWT access tokens checked
  locally (imported only when used: it needs the ``jwt`` extra).

Each call goes over a shared, pooled ``requests.Session``; the token goes only into the
Authorization header (or an introspection request's body), never a URL.
"""
from __future__ import annotations

import abc
from typing import Any, Mapping, Optional, Sequence, Union

import requests

from .deadline import Deadline, call_timeout
from .errors import ResourceUnavailable
from .http import parse_json, raise_for_token_status, send
from .profile import Profile

#: Default Login with Amazon profile endpoint (ALEXA-FACTS.md).
DEFAULT_LWA_PROFILE_URL = "https://api.amazon.com/user/profile"
#: LWA scopes and the fields each one makes visible (ALEXA-FACTS.md).
LWA_SCOPE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "profile": ("name", "email"),
    "profile:user_id": ("user_id",),
    "postal_code": ("postal_code",),
}

#: A JSON field: a dotted path (``"data.user.id"``) or the keys in order.
FieldPath = Union[str, Sequence[str]]


class ResourceServerClient(abc.ABC):
    """Looks up the profile behind an access token at one resource server."""

    #: Name recorded in :attr:`Profile.provider`.
    provider: str = ""

    @abc.abstractmethod
    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """Return the token owner's profile or raise a LinkingError.

        With a ``deadline`` (the request's budget) the call must not outlast it.
        """


def _keys(path: FieldPath) -> tuple[str, ...]:
    keys = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
    if not keys or not all(isinstance(key, str) and key for key in keys):
        raise ValueError(f"not a JSON field path: {path!r}")
    return keys


def field_value(body: Any, keys: Sequence[str]) -> Any:
    """The value at ``keys`` inside nested JSON objects, or None when any step is missing."""
    value = body
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def optional_str(value: Any, what: str) -> Optional[str]:
    """``value`` if it is a string, None if absent; TypeError (malformed answer) otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} is not a string")
    return value


def user_id(value: Any, what: str = "id") -> str:
    """A non-empty string or integer id as a string; TypeError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise TypeError(f"{what} is missing or not a string/integer")
    return str(value)


def scope_set(value: Any) -> Optional[frozenset[str]]:
    """Scopes from a space- (or comma-) separated string or a list of strings; None if absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset(value.replace(",", " ").split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(scope for item in value for scope in item.split())
    raise TypeError("scopes are neither a string nor a list of strings")


class ProfileEndpointClient(ResourceServerClient):
    """GETs a profile URL with the token and reads the owner from configurable JSON fields.

    ``id_field`` (required in the answer), ``name_field`` and ``email_field`` are dotted
    paths into the JSON object (None: not read). The granted scopes come from the
    response header ``scopes_header`` (like GitHub's ``X-OAuth-Scopes``), or from the
    JSON field ``scopes_field``, or, with neither, are unknown (every scope check passes;
    the API itself then answers 403 for what the token may not do).
    ``required_scope`` is the scope named when the endpoint answers 403
    ``insufficient_scope`` without saying which.
    """

    def __init__(
        self,
        session: requests.Session,
        url: str,
        timeout: float,
        *,
        id_field: FieldPath = "id",
        name_field: Optional[FieldPath] = "name",
        email_field: Optional[FieldPath] = "email",
        scopes_header: Optional[str] = None,
        scopes_field: Optional[FieldPath] = None,
        required_scope: Optional[str] = None,
        provider: str = "profile_endpoint",
    ) -> None:
        if scopes_header is not None and scopes_field is not None:
            raise ValueError("scopes come from a header or a field, not both")
        self._session = session
        self.url = url
        self._timeout = timeout
        self._id = _keys(id_field)
        self._name = None if name_field is None else _keys(name_field)
        self._email = None if email_field is None else _keys(email_field)
        self._scopes_header = scopes_header
        self._scopes_field = None if scopes_field is None else _keys(scopes_field)
        self._required_scope = required_scope
        self.provider = provider

    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """GET the profile URL within the time left; map failures, then shape the JSON body."""
        response = send(
            self._session, "GET", self.url,
            timeout=call_timeout(self._timeout, deadline), token=token,
        )
        raise_for_token_status(response, required_scope=self._required_scope)
        if response.status_code != 200:
            raise ResourceUnavailable(f"profile endpoint answered HTTP {response.status_code}")
        return parse_json(response, lambda body: self._shape(body, response))

    def _shape(self, body: Any, response: requests.Response) -> Profile:
        """Build the Profile; raise KeyError, TypeError or ValueError for a wrong shape."""
        if not isinstance(body, dict):
            raise TypeError("profile is not an object")
        if self._scopes_header is not None:
            scopes = scope_set(response.headers.get(self._scopes_header))
        elif self._scopes_field is not None:
            scopes = scope_set(field_value(body, self._scopes_field))
        else:
            scopes = None
        return Profile(
            user_id=user_id(field_value(body, self._id), ".".join(self._id)),
            name=None if self._name is None else optional_str(field_value(body, self._name), "name"),
            email=None if self._email is None else optional_str(field_value(body, self._email), "email"),
            scopes=scopes,
            provider=self.provider,
        )


class LwaProfileClient(ProfileEndpointClient):
    """Client of the Login with Amazon profile API (``LWA_PROFILE_URL``).

    LWA does not list granted scopes; they are inferred from the fields it returns
    (``name``/``email`` -> ``profile``, ``user_id`` -> ``profile:user_id``,
    ``postal_code`` -> ``postal_code``).
    """

    def __init__(
        self,
        session: requests.Session,
        timeout: float,
        profile_url: str = DEFAULT_LWA_PROFILE_URL,
    ) -> None:
        super().__init__(
            session, profile_url, timeout,
            id_field="user_id", required_scope="profile", provider="lwa",
        )

    def _shape(self, body: Any, response: requests.Response) -> Profile:
        if not isinstance(body, dict):
            raise TypeError("profile is not an object")
        uid = body["user_id"]
        if not isinstance(uid, str) or not uid:
            raise TypeError("user_id is missing or not a string")
        scopes = {
            scope
            for scope, fields in LWA_SCOPE_FIELDS.items()
            if any(body.get(field) is not None for field in fields)
        }
        if "profile" in scopes:
            scopes.add("profile:user_id")
        return Profile(
            user_id=uid,
            name=optional_str(body.get("name"), "name"),
            email=optional_str(body.get("email"), "email"),
            scopes=frozenset(scopes),
            provider=self.provider,
        )
