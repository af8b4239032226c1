"""Reciprocal authorization: exchange AcceptGrant codes at LWA, refresh, send events to Alexa.

Framework-free pieces a device cloud uses (no Flask, no database): :class:`LwaTokenClient`
talks to LWA's token URL with the skill's *Alexa Skill Messaging* client id and secret;
:class:`EventGatewayClient` posts one event to the regional event gateway and says what
its answer means. Where the tokens are stored and when events are retried is the device
cloud's business (see docs/smarthome.md).
"""
from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Any, Callable, Optional

import requests

from ..errors import ResourceUnavailable
from ..http import send
from ..values import value_class
from .constants import DEFAULT_LWA_TOKEN_URL, FORGET_TOKEN_CODES

#: Seconds an LWA or event gateway call may take.
DEFAULT_TIMEOUT = 5.0


class GrantError(Exception):
    """LWA refused a code or refresh token, or could not be reached; ``reason`` says which."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        #: True when retrying cannot help (invalid_grant, invalid_client): relink or fix settings
        self.permanent = permanent


@value_class
class AlexaTokens:
    """The Alexa access and refresh token of one user, and when the access token expires."""

    access_token: str
    refresh_token: str
    expires_at: dt.datetime  # naive UTC

    def __repr__(self) -> str:  # never print the tokens
        return f"AlexaTokens(expires_at={self.expires_at.isoformat()})"

    def expires_within(self, seconds: float, now: Optional[dt.datetime] = None) -> bool:
        """Whether the access token is expired or will be within ``seconds``."""
        moment = now or _utcnow()
        return self.expires_at - dt.timedelta(seconds=seconds) <= moment


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _lwa_error(response: requests.Response) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        return str(body["error"]) + (f": {description}" if isinstance(description, str) else "")
    return f"HTTP {response.status_code}"


class LwaTokenClient:
    """Exchanges AcceptGrant codes and refresh tokens at LWA's token URL.

    ``client_secret`` is the skill's messaging secret: it goes only into the POST body
    and never into a log line, an exception message or ``repr``.
    """

    def __init__(
        self,
        session: requests.Session,
        client_id: str,
        client_secret: str,
        token_url: str = DEFAULT_LWA_TOKEN_URL,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("the skill's messaging client id and secret are both required")
        self._session = session
        self._client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self._timeout = timeout
        self._clock = clock

    def __repr__(self) -> str:
        return f"LwaTokenClient(client_id={self._client_id!r}, token_url={self.token_url!r})"

    def exchange_code(self, code: str) -> AlexaTokens:
        """The tokens for an AcceptGrant code (``grant_type=authorization_code``)."""
        return self._token_request({"grant_type": "authorization_code", "code": code})

    def refresh(self, refresh_token: str) -> AlexaTokens:
        """New tokens for a refresh token (``grant_type=refresh_token``)."""
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_request(self, form: dict[str, str]) -> AlexaTokens:
        body = {**form, "client_id": self._client_id, "client_secret": self._client_secret}
        started = self._clock()
        try:
            response = self._session.post(
                self.token_url, data=body, timeout=self._timeout, allow_redirects=False,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise GrantError(f"LWA token URL not reachable ({type(exc).__name__})", permanent=False) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise GrantError(f"LWA answered HTTP {response.status_code}; try again later", permanent=False)
        if response.status_code != 200:
            error = _lwa_error(response)
            hint = ""
            if error.startswith("invalid_client"):
                hint = " (check the skill's Alexa Skill Messaging client id and secret)"
            elif error.startswith("invalid_grant"):
                hint = " (the code or refresh token is used, expired or from another skill)"
            raise GrantError(f"LWA refused the {form['grant_type']}: {error}{hint}", permanent=True)
        try:
            answer = json.loads(response.content)
            access, refresh, lifetime = answer["access_token"], answer["refresh_token"], answer["expires_in"]
            if not (isinstance(access, str) and isinstance(refresh, str) and isinstance(lifetime, int)):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise GrantError("LWA answered a token response of the wrong shape", permanent=False) from None
        return AlexaTokens(access, refresh, started + dt.timedelta(seconds=lifetime))


class GatewayOutcome(Enum):
    """What the event gateway's answer means for the event and the user's tokens."""

    #: 202: Alexa took the event
    ACCEPTED = "accepted"
    #: 401: the access token is stale: refresh, then retry once
    REFRESH = "refresh"
    #: 403 SKILL_DISABLED_EXCEPTION / INSUFFICIENT_PERMISSION_EXCEPTION: forget the tokens
    FORGET = "forget"
    #: 400/404/413 and other 4xx: the event itself is wrong; retrying cannot help
    REJECTED = "rejected"
    #: refused, timed out, 429, 5xx: retry later
    RETRY = "retry"


@value_class
class GatewayAnswer:
    """The outcome of posting one event and a short reason (no tokens in it)."""

    outcome: GatewayOutcome
    reason: str


def _gateway_code(response: requests.Response) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        return ""
    payload = body.get("payload") if isinstance(body, dict) else None
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else ""


class EventGatewayClient:
    """Posts events to the regional Alexa event gateway (``ALEXA_EVENT_GATEWAY_URL``)."""

    def __init__(self, session: requests.Session, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._session = session
        self.url = url
        self._timeout = timeout

    def post(self, event: dict[str, Any], access_token: str) -> GatewayAnswer:
        """Send ``event`` with ``access_token`` as the bearer; never raises for HTTP outcomes."""
        try:
            response = send(self._session, "POST", self.url, timeout=self._timeout,
                            token=access_token, json_body=event)
        except ResourceUnavailable as exc:
            return GatewayAnswer(GatewayOutcome.RETRY, f"event gateway not reachable: {exc.reason}")
        status = response.status_code
        if status in (200, 202):
            return GatewayAnswer(GatewayOutcome.ACCEPTED, f"HTTP {status}")
        if status == 401:
            return GatewayAnswer(GatewayOutcome.REFRESH, "HTTP 401: the Alexa access token is not valid")
        code = _gateway_code(response)
        if status == 403 and code in FORGET_TOKEN_CODES:
            return GatewayAnswer(GatewayOutcome.FORGET, f"HTTP 403 {code}")
        if status == 429 or status >= 500:
            return GatewayAnswer(GatewayOutcome.RETRY, f"HTTP {status} {code}".strip())
        return GatewayAnswer(GatewayOutcome.REJECTED, f"HTTP {status} {code}".strip())
