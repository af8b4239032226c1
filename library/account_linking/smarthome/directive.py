"""Read a Smart Home API v3 directive: header, endpoint, payload and the user's token."""
from __future__ import annotations

from dataclasses import field
from typing import Any, Mapping, Optional

from ..values import value_class
from .constants import BEARER_TOKEN, PAYLOAD_VERSION
from .errors import MalformedDirective

#: Longest namespace, name or id read from a directive (Alexa's are far shorter).
MAX_FIELD_LENGTH = 512


def _text(container: Mapping[str, Any], key: str, where: str, required: bool = True) -> Optional[str]:
    value = container.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_FIELD_LENGTH:
        raise MalformedDirective(f"{where}.{key} is missing or not a short string")
    return value


def _object(container: Mapping[str, Any], key: str, where: str, required: bool = True) -> Optional[dict[str, Any]]:
    value = container.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise MalformedDirective(f"{where}.{key} is missing or not an object")
    return value


def _scope_token(scope: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The token of a ``{"type": "BearerToken", "token": ...}`` scope, if there is one."""
    if not isinstance(scope, dict) or scope.get("type") != BEARER_TOKEN:
        return None
    token = scope.get("token")
    return token if isinstance(token, str) and token else None


@value_class
class Directive:
    """One directive as Alexa sent it (the raw parts stay dicts: they are echoed as they are)."""

    namespace: str
    name: str
    message_id: str
    correlation_token: Optional[str]
    #: the ``endpoint`` object of controller directives (None for Discover, AcceptGrant)
    endpoint: Optional[dict[str, Any]]
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: Any) -> "Directive":
        """Parse a Lambda event; raise MalformedDirective for anything that is not a v3 directive."""
        if not isinstance(event, dict):
            raise MalformedDirective("the event is not a JSON object")
        directive = _object(event, "directive", "event")
        assert directive is not None
        header = _object(directive, "header", "directive")
        assert header is not None
        if header.get("payloadVersion") != PAYLOAD_VERSION:
            raise MalformedDirective("directive.header.payloadVersion is not \"3\"")
        payload = _object(directive, "payload", "directive", required=False) or {}
        return cls(
            namespace=str(_text(header, "namespace", "header")),
            name=str(_text(header, "name", "header")),
            message_id=str(_text(header, "messageId", "header")),
            correlation_token=_text(header, "correlationToken", "header", required=False),
            endpoint=_object(directive, "endpoint", "directive", required=False),
            payload=payload,
        )

    @property
    def endpoint_id(self) -> Optional[str]:
        """The device the directive is for (controller directives only)."""
        if self.endpoint is None:
            return None
        value = self.endpoint.get("endpointId")
        return value if isinstance(value, str) and value else None

    @property
    def token(self) -> Optional[str]:
        """The user's access token: endpoint scope, payload scope (Discover) or grantee (AcceptGrant)."""
        for scope in (
            (self.endpoint or {}).get("scope"),
            self.payload.get("scope"),
            self.payload.get("grantee"),
        ):
            token = _scope_token(scope)
            if token is not None:
                return token
        return None

    def answered_endpoint(self) -> Optional[dict[str, Any]]:
        """The endpoint to echo in the answer: its id and cookie, never the token again."""
        if self.endpoint is None:
            return None
        echoed = {key: value for key, value in self.endpoint.items() if key != "scope"}
        return echoed
