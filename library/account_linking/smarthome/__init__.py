"""Smart home skills: directives, v3 events, reciprocal authorization (import only when used).

``import account_linking`` does not load this package, so a custom skill's cold start
does not pay for it. A smart home Lambda::

    from account_linking.smarthome import SmartHomeSkill, SmartHomeRequest, events

See docs/smarthome.md for the outcomes and for the device cloud's side.
"""
from __future__ import annotations

from . import events
from .cloud import DeviceCloudProfileClient, GrantStore, HttpGrantStore, bridge_call, raise_for_expired
from .constants import (
    DEFAULT_EVENT_GATEWAY_URL,
    DEFAULT_LWA_TOKEN_URL,
    EVENT_GATEWAYS,
)
from .directive import Directive
from .errors import (
    AcceptGrantFailed,
    BridgeUnreachable,
    CredentialExpired,
    DirectiveError,
    MalformedDirective,
    NoSuchEndpoint,
    UnknownDirective,
    ValueOutOfRange,
)
from .events import property_state
from .reciprocal import (
    AlexaTokens,
    EventGatewayClient,
    GatewayAnswer,
    GatewayOutcome,
    GrantError,
    LwaTokenClient,
)
from .skill import SmartHomeRequest, SmartHomeSkill, error_for

__all__ = [
    "AcceptGrantFailed",
    "AlexaTokens",
    "BridgeUnreachable",
    "CredentialExpired",
    "DEFAULT_EVENT_GATEWAY_URL",
    "DEFAULT_LWA_TOKEN_URL",
    "DeviceCloudProfileClient",
    "Directive",
    "DirectiveError",
    "EVENT_GATEWAYS",
    "EventGatewayClient",
    "GatewayAnswer",
    "GatewayOutcome",
    "GrantError",
    "GrantStore",
    "HttpGrantStore",
    "LwaTokenClient",
    "MalformedDirective",
    "NoSuchEndpoint",
    "SmartHomeRequest",
    "SmartHomeSkill",
    "UnknownDirective",
    "ValueOutOfRange",
    "bridge_call",
    "error_for",
    "events",
    "property_state",
    "raise_for_expired",
]
