"""OAuth 2.0 token introspection (RFC 7662) with the skill's own client credentials.

The skill asks the authorization server's introspection endpoint about the access token,
authenticating with its client id and secret (HTTP Basic, RFC 6749 section 2.3.1):

- ``active: false``, or an ``exp`` in the past, or an ``nbf`` in the future, or (with
  ``audience`` set) an ``aud`` that does not name it -> :class:`LinkRejected` (the link is
  over: LinkAccount card);
- ``active: true`` -> the profile: ``sub`` (else ``username``) is the user id, ``name``
  and ``email`` when the server adds them, ``scope`` the granted scopes (unknown if absent);
- the endpoint refusing the skill's own credentials (401/403), failing, slow or answering
  malformed JSON -> :class:`ResourceUnavailable` (an apology: never the user's fault).
"""
from __future__ import annotations

import base64
import time
from typing import Any, Callable, Optional
from urllib.parse import quote

import requests

from .clients import ResourceServerClient, optional_str, scope_set
from .deadline import Deadline, call_timeout
from .discovery import check_url
from .errors import LinkRejected, ResourceUnavailable
from .http import parse_json, send
from .profile import Profile

#: RFC 7662 section 2.1: the hint that the token is an access token.
ACCESS_TOKEN_HINT = "access_token"


def basic_credentials(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` value for client_secret_basic (RFC 6749 section 2.3.1: form-encoded first)."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


class _Rejected(Exception):
    """The introspection answer says the token must not be used (carried out of ``parse_json``)."""


class IntrospectionClient(ResourceServerClient):
    """Asks an RFC 7662 introspection endpoint whether a token is active and whose it is."""

    provider = "introspection"

    def __init__(
        self,
        session: requests.Session,
        introspection_url: str,
        client_id: str,
        client_secret: str,
        timeout: float,
        *,
        audience: Optional[str] = None,
        leeway: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("introspection needs the skill's client id and client secret")
        self._session = session
        self.url = check_url(introspection_url, "introspection_url")
        self._authorization = basic_credentials(client_id, client_secret)
        self._timeout = timeout
        self._audience = audience
        self._leeway = leeway
        self._clock = clock

    def __repr__(self) -> str:  # never show the credentials
        return f"IntrospectionClient({self.url!r})"

    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """POST the token to the introspection endpoint within the time left; map the answer."""
        response = send(
            self._session, "POST", self.url,
            timeout=call_timeout(self._timeout, deadline),
            form={"token": token, "token_type_hint": ACCESS_TOKEN_HINT},
            headers={"Authorization": self._authorization},
        )
        if response.status_code in (401, 403):
            raise ResourceUnavailable(
                f"introspection endpoint refused the skill's client credentials (HTTP {response.status_code})"
            )
        if response.status_code != 200:
            raise ResourceUnavailable(f"introspection endpoint answered HTTP {response.status_code}")
        try:
            return parse_json(response, self._shape)
        except _Rejected as exc:
            raise LinkRejected(str(exc)) from None

    def _number(self, body: dict[str, Any], claim: str) -> Optional[float]:
        value = body.get(claim)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{claim} is not a number")
        return float(value)

    def _shape(self, body: Any) -> Profile:
        if not isinstance(body, dict):
            raise TypeError("introspection answer is not a JSON object")
        active = body.get("active")
        if not isinstance(active, bool):
            raise TypeError("introspection answer has no boolean active")
        if not active:
            raise _Rejected("token is not active (expired, revoked or unknown)")
        now = self._clock()
        expires = self._number(body, "exp")
        if expires is not None and now >= expires + self._leeway:
            raise _Rejected("token expired")
        not_before = self._number(body, "nbf")
        if not_before is not None and now + self._leeway < not_before:
            raise _Rejected("token not valid yet")
        if self._audience is not None:
            aud = body.get("aud")
            audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            if self._audience not in audiences:
                raise _Rejected("token is meant for another audience")
        subject = body.get("sub") if body.get("sub") is not None else body.get("username")
        if not isinstance(subject, str) or not subject:
            raise TypeError("introspection answer names no sub or username")
        return Profile(
            user_id=subject,
            name=optional_str(body.get("name"), "name"),
            email=optional_str(body.get("email"), "email"),
            scopes=scope_set(body.get("scope")),
            provider=self.provider,
        )
