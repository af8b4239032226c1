"""Build the v3 events a smart home skill answers with or sends to the event gateway.

Every event gets a new ``messageId``; answers echo the directive's ``correlationToken``
and endpoint (its id and cookie; the token is not repeated).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Iterable, Mapping, Optional

from .constants import ALEXA, AUTHORIZATION, DISCOVERY, PAYLOAD_VERSION
from .directive import Directive


def new_message_id() -> str:
    """A fresh message id for an event."""
    return str(uuid.uuid4())


def time_of_sample(when: Optional[dt.datetime] = None) -> str:
    """An ISO 8601 UTC timestamp as Alexa writes them (``2026-12-05T11:00:00.00Z``)."""
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"


def property_state(namespace: str, name: str, value: Any, uncertainty_ms: int = 0,
                   when: Optional[dt.datetime] = None) -> dict[str, Any]:
    """One entry of ``context.properties`` (e.g. Alexa.PowerController powerState ON)."""
    return {
        "namespace": namespace,
        "name": name,
        "value": value,
        "timeOfSample": time_of_sample(when),
        "uncertaintyInMilliseconds": uncertainty_ms,
    }


def _header(namespace: str, name: str, correlation_token: Optional[str]) -> dict[str, Any]:
    header = {
        "namespace": namespace,
        "name": name,
        "payloadVersion": PAYLOAD_VERSION,
        "messageId": new_message_id(),
    }
    if correlation_token is not None:
        header["correlationToken"] = correlation_token
    return header


def event(
    namespace: str,
    name: str,
    payload: Optional[Mapping[str, Any]] = None,
    *,
    correlation_token: Optional[str] = None,
    endpoint: Optional[Mapping[str, Any]] = None,
    properties: Optional[Iterable[Mapping[str, Any]]] = None,
) -> dict[str, Any]:
    """An event envelope: ``{"event": {...}}`` plus ``context.properties`` when given."""
    body: dict[str, Any] = {"header": _header(namespace, name, correlation_token)}
    if endpoint is not None:
        body["endpoint"] = dict(endpoint)
    body["payload"] = dict(payload or {})
    envelope: dict[str, Any] = {"event": body}
    if properties is not None:
        envelope["context"] = {"properties": [dict(p) for p in properties]}
    return envelope


def response(directive: Directive, properties: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """``Alexa.Response`` to a controller directive, with the device's new state."""
    return event(ALEXA, "Response", correlation_token=directive.correlation_token,
                 endpoint=directive.answered_endpoint(), properties=list(properties))


def state_report(directive: Directive, properties: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``Alexa.StateReport`` answering ReportState."""
    return event(ALEXA, "StateReport", correlation_token=directive.correlation_token,
                 endpoint=directive.answered_endpoint(), properties=list(properties))


def discover_response(directive: Directive, endpoints: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``Alexa.Discovery`` / ``Discover.Response`` listing the user's devices."""
    return event(DISCOVERY, "Discover.Response", {"endpoints": [dict(e) for e in endpoints]},
                 correlation_token=directive.correlation_token)


def accept_grant_response(directive: Directive) -> dict[str, Any]:
    """``Alexa.Authorization`` / ``AcceptGrant.Response`` with an empty payload."""
    return event(AUTHORIZATION, "AcceptGrant.Response", correlation_token=directive.correlation_token)


def error_response(
    directive: Optional[Directive], error_type: str, message: str, namespace: str = ALEXA
) -> dict[str, Any]:
    """An ErrorResponse of ``error_type``; ``directive`` None when the event was unreadable."""
    return event(
        namespace,
        "ErrorResponse",
        {"type": error_type, "message": message},
        correlation_token=None if directive is None else directive.correlation_token,
        endpoint=None if directive is None else directive.answered_endpoint(),
    )


def change_report(endpoint_id: str, cause: str, changed: Iterable[Mapping[str, Any]],
                  unchanged: Iterable[Mapping[str, Any]] = (), token: Optional[str] = None) -> dict[str, Any]:
    """``Alexa.ChangeReport`` for the event gateway (``token``: the Alexa access token).

    The token usually goes only in the Authorization header; pass it when the gateway
    should also find it in ``endpoint.scope`` (Amazon's documented shape).
    """
    endpoint: dict[str, Any] = {"endpointId": endpoint_id}
    if token is not None:
        endpoint["scope"] = {"type": "BearerToken", "token": token}
    return event(ALEXA, "ChangeReport", {"change": {"cause": {"type": cause},
                                                    "properties": [dict(p) for p in changed]}},
                 endpoint=endpoint, properties=list(unchanged))


def add_or_update_report(endpoints: Iterable[Mapping[str, Any]], token: Optional[str] = None) -> dict[str, Any]:
    """``Alexa.Discovery`` / ``AddOrUpdateReport`` for devices added or changed outside Alexa."""
    payload: dict[str, Any] = {"endpoints": [dict(e) for e in endpoints]}
    if token is not None:
        payload["scope"] = {"type": "BearerToken", "token": token}
    return event(DISCOVERY, "AddOrUpdateReport", payload)
