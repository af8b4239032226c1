"""Clients of a device cloud: who owns a token (with expiry told apart), and where grants go."""
from __future__ import annotations

import abc
import json
from typing import Any, Optional

import requests

from ..clients import ResourceServerClient
from ..deadline import Deadline, call_timeout
from ..errors import LinkRejected, ResourceUnavailable
from ..http import bearer_challenge, parse_json, raise_for_token_status, send
from ..profile import Profile
from .errors import AcceptGrantFailed, BridgeUnreachable, CredentialExpired

#: Words in a 401's ``error_description`` that mark an expired (not revoked) token.
EXPIRED_MARKERS = ("expired",)


def raise_for_expired(response: requests.Response) -> None:
    """Raise CredentialExpired for a 401 whose Bearer challenge says the token expired."""
    if response.status_code != 401:
        return
    challenge = bearer_challenge(response.headers) or {}
    description = challenge.get("error_description", "").lower()
    if challenge.get("error") == "invalid_token" and any(m in description for m in EXPIRED_MARKERS):
        raise CredentialExpired("token rejected: expired")


class DeviceCloudProfileClient(ResourceServerClient):
    """``GET <profile_url>`` with the token -> ``{"id", "name"?, "email"?}``.

    Like the custom-skill clients, plus one distinction smart home needs: a 401 whose
    challenge has ``error_description`` mentioning "expired" raises CredentialExpired
    (EXPIRED_AUTHORIZATION_CREDENTIAL) instead of LinkRejected.
    """

    provider = "device_cloud"

    def __init__(self, session: requests.Session, profile_url: str, timeout: float) -> None:
        self._session = session
        self._url = profile_url
        self._timeout = timeout

    def fetch_profile(self, token: str, deadline: Optional[Deadline] = None) -> Profile:
        """The token owner's profile, or a LinkingError."""
        response = send(self._session, "GET", self._url,
                        timeout=call_timeout(self._timeout, deadline), token=token)
        raise_for_expired(response)
        raise_for_token_status(response)
        if response.status_code != 200:
            raise ResourceUnavailable(f"profile endpoint answered HTTP {response.status_code}")
        return parse_json(response, self._shape)

    def _shape(self, body: Any) -> Profile:
        if not isinstance(body, dict):
            raise TypeError("profile is not an object")
        user_id = body["id"]
        if isinstance(user_id, bool) or not isinstance(user_id, (str, int)) or user_id == "":
            raise TypeError("id is missing")
        name, email = body.get("name"), body.get("email")
        return Profile(user_id=str(user_id), name=name if isinstance(name, str) else None,
                       email=email if isinstance(email, str) else None, provider=self.provider)


class GrantStore(abc.ABC):
    """Where an AcceptGrant goes: the device cloud exchanges and keeps the Alexa tokens."""

    @abc.abstractmethod
    def accept(self, code: str, grantee_token: str, deadline: Optional[Deadline]) -> None:
        """Hand the grant code over for the user of ``grantee_token``; raise AcceptGrantFailed."""


class HttpGrantStore(GrantStore):
    """POSTs ``{"code": ...}`` with the grantee token as bearer to the device cloud's grant URL.

    The device cloud identifies the user by the token, exchanges the code at LWA with
    the skill's messaging credentials (which only it holds) and stores the tokens; the
    Lambda keeps nothing. Answers: 204 stored; 401 the grantee token is not valid; 502
    with ``{"error", "error_description"}`` LWA refused or was unreachable.
    """

    def __init__(self, session: requests.Session, grant_url: str, timeout: float) -> None:
        self._session = session
        self._url = grant_url
        self._timeout = timeout

    def accept(self, code: str, grantee_token: str, deadline: Optional[Deadline]) -> None:
        try:
            response = send(self._session, "POST", self._url, token=grantee_token,
                            timeout=call_timeout(self._timeout, deadline), json_body={"code": code})
        except ResourceUnavailable as exc:
            raise AcceptGrantFailed(f"the device cloud's grant URL did not answer: {exc.reason}") from None
        if response.status_code in (200, 201, 204):
            return
        if response.status_code == 401:
            raise AcceptGrantFailed("the device cloud rejected the grantee token: the user's link is not valid")
        raise AcceptGrantFailed(f"the device cloud could not keep the grant: {_description(response)}")


def _description(response: requests.Response) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        text = body.get("error_description") or body.get("error")
        if isinstance(text, str):
            return text[:300]
    return f"HTTP {response.status_code}"


def bridge_call(response: requests.Response) -> requests.Response:
    """Map a device cloud API answer the way directives need: token problems, outages, or pass."""
    raise_for_expired(response)
    try:
        raise_for_token_status(response)
    except LinkRejected:
        raise
    except ResourceUnavailable as exc:
        raise BridgeUnreachable(exc.reason) from None
    return response
