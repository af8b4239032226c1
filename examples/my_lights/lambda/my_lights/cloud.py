"""The My Lights device cloud's API, as the skill calls it (HTTP only, within the directive's budget)."""
from __future__ import annotations

import json
from typing import Any, Optional

import requests

from account_linking.deadline import Deadline, call_timeout
from account_linking.errors import ResourceUnavailable
from account_linking.http import send
from account_linking.smarthome import BridgeUnreachable, NoSuchEndpoint, bridge_call

#: Paths of the device cloud API (examples/my_lights/README.md).
ME_PATH = "/api/home/v1/me"
ENDPOINTS_PATH = "/api/home/v1/alexa/endpoints"
LIGHT_PATH = "/api/home/v1/lights/{}"
GRANT_PATH = "/api/home/v1/alexa/grant"


class LightsApi:
    """Calls the device cloud with the user's token; failures become directive errors."""

    def __init__(self, session: requests.Session, api_url: str, timeout: float) -> None:
        self._session = session
        self.api_url = api_url.rstrip("/")
        self._timeout = timeout

    def _call(self, method: str, path: str, token: str, deadline: Optional[Deadline],
              body: Optional[dict[str, Any]] = None) -> Any:
        try:
            response = send(self._session, method, self.api_url + path, token=token,
                            timeout=call_timeout(self._timeout, deadline), json_body=body)
        except ResourceUnavailable as exc:
            raise BridgeUnreachable(f"the My Lights cloud did not answer: {exc.reason}") from None
        bridge_call(response)
        if response.status_code == 404:
            raise NoSuchEndpoint("this light is no longer on the user's hub")
        if response.status_code != 200:
            raise BridgeUnreachable(f"the My Lights cloud answered HTTP {response.status_code}")
        try:
            return json.loads(response.content)
        except ValueError:
            raise BridgeUnreachable("the My Lights cloud answered malformed JSON") from None

    def endpoints(self, token: str, deadline: Optional[Deadline]) -> list[dict[str, Any]]:
        """Every light as an Alexa Discovery endpoint."""
        body = self._call("GET", ENDPOINTS_PATH, token, deadline)
        endpoints = body.get("endpoints") if isinstance(body, dict) else None
        if not isinstance(endpoints, list):
            raise BridgeUnreachable("the My Lights cloud answered endpoints of the wrong shape")
        return endpoints

    def light(self, token: str, endpoint_id: str, deadline: Optional[Deadline]) -> dict[str, Any]:
        """One light's state."""
        return self._checked(self._call("GET", LIGHT_PATH.format(_segment(endpoint_id)), token, deadline))

    def change(self, token: str, endpoint_id: str, deadline: Optional[Deadline], **state: Any) -> dict[str, Any]:
        """Set power and/or brightness (cause VOICE_INTERACTION: Alexa's answer reports it)."""
        body = {**state, "cause": "VOICE_INTERACTION"}
        return self._checked(self._call("PATCH", LIGHT_PATH.format(_segment(endpoint_id)), token, deadline, body))

    @staticmethod
    def _checked(light: Any) -> dict[str, Any]:
        if not isinstance(light, dict) or light.get("power") not in ("ON", "OFF") \
                or not isinstance(light.get("brightness"), int):
            raise BridgeUnreachable("the My Lights cloud answered a light of the wrong shape")
        return light


def _segment(endpoint_id: str) -> str:
    from urllib.parse import quote

    return quote(endpoint_id, safe="")
