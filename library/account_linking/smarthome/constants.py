"""Smart home protocol constants (ALEXA-FACTS.md, "Smart home"; Alexa Smart Home API v3)."""
from __future__ import annotations

#: Version of every directive and event of the Smart Home API.
PAYLOAD_VERSION = "3"

#: Namespace of the generic answers (Response, ErrorResponse, StateReport, ChangeReport).
ALEXA = "Alexa"
#: Namespace of reciprocal authorization (AcceptGrant).
AUTHORIZATION = "Alexa.Authorization"
#: Namespace of discovery (Discover, Discover.Response, AddOrUpdateReport).
DISCOVERY = "Alexa.Discovery"

#: Scope type of the user's token in a directive.
BEARER_TOKEN = "BearerToken"

#: ErrorResponse types (Alexa.ErrorResponse reference).
INVALID_AUTHORIZATION_CREDENTIAL = "INVALID_AUTHORIZATION_CREDENTIAL"
EXPIRED_AUTHORIZATION_CREDENTIAL = "EXPIRED_AUTHORIZATION_CREDENTIAL"
BRIDGE_UNREACHABLE = "BRIDGE_UNREACHABLE"
ENDPOINT_UNREACHABLE = "ENDPOINT_UNREACHABLE"
INTERNAL_ERROR = "INTERNAL_ERROR"
INVALID_DIRECTIVE = "INVALID_DIRECTIVE"
NO_SUCH_ENDPOINT = "NO_SUCH_ENDPOINT"
VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
#: Alexa.Authorization ErrorResponse type (AcceptGrant failed).
ACCEPT_GRANT_FAILED = "ACCEPT_GRANT_FAILED"

#: Login with Amazon's token URL, where the AcceptGrant code is exchanged (ALEXA-FACTS.md).
DEFAULT_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"

#: Regional Alexa event gateways (ALEXA-FACTS.md, "Smart home").
EVENT_GATEWAYS = {
    "NA": "https://api.amazonalexa.com/v3/events",
    "EU": "https://api.eu.amazonalexa.com/v3/events",
    "FE": "https://api.fe.amazonalexa.com/v3/events",
}
#: The gateway used when none is configured (North America).
DEFAULT_EVENT_GATEWAY_URL = EVENT_GATEWAYS["NA"]

#: Event gateway 403 codes meaning the user disabled the skill or withdrew the permission.
FORGET_TOKEN_CODES = frozenset({"SKILL_DISABLED_EXCEPTION", "INSUFFICIENT_PERMISSION_EXCEPTION"})
