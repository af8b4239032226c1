"""Exceptions of smart home handling; each one is answered as a v3 ErrorResponse.

Tree::

    DirectiveError                 answered with its ``error_type`` (namespace Alexa)
     +-- MalformedDirective        INVALID_DIRECTIVE: not a readable v3 directive
     +-- UnknownDirective          INVALID_DIRECTIVE: no handler for namespace + name
     +-- NoSuchEndpoint            NO_SUCH_ENDPOINT: the device cloud has no such device
     +-- ValueOutOfRange           VALUE_OUT_OF_RANGE: e.g. a brightness of 130
     +-- BridgeUnreachable         BRIDGE_UNREACHABLE: the device cloud is down or slow
     +-- AcceptGrantFailed         ACCEPT_GRANT_FAILED (namespace Alexa.Authorization)

    account_linking.errors.LinkRejected
     +-- CredentialExpired         the resource server says the token expired

The linking errors of :mod:`account_linking.errors` are mapped in
:func:`account_linking.smarthome.skill.error_for`: missing or rejected token ->
INVALID_AUTHORIZATION_CREDENTIAL, :class:`CredentialExpired` ->
EXPIRED_AUTHORIZATION_CREDENTIAL, ResourceUnavailable -> BRIDGE_UNREACHABLE (an outage is
never a credential error).
"""
from __future__ import annotations

from ..errors import LinkRejected
from .constants import (
    ACCEPT_GRANT_FAILED,
    ALEXA,
    AUTHORIZATION,
    BRIDGE_UNREACHABLE,
    INVALID_DIRECTIVE,
    NO_SUCH_ENDPOINT,
    VALUE_OUT_OF_RANGE,
)


class DirectiveError(Exception):
    """A directive that is answered with an ErrorResponse of ``error_type``."""

    error_type = "INTERNAL_ERROR"
    namespace = ALEXA

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedDirective(DirectiveError):
    """The event is not a readable Smart Home API v3 directive."""

    error_type = INVALID_DIRECTIVE


class UnknownDirective(DirectiveError):
    """No handler is registered for the directive's namespace and name."""

    error_type = INVALID_DIRECTIVE


class NoSuchEndpoint(DirectiveError):
    """The directive names a device the user's device cloud does not have."""

    error_type = NO_SUCH_ENDPOINT


class ValueOutOfRange(DirectiveError):
    """A value in the directive is outside what the device accepts."""

    error_type = VALUE_OUT_OF_RANGE


class BridgeUnreachable(DirectiveError):
    """The device cloud is down, slow or answered something unusable."""

    error_type = BRIDGE_UNREACHABLE


class AcceptGrantFailed(DirectiveError):
    """AcceptGrant could not exchange or store the grant; the message says what to fix."""

    error_type = ACCEPT_GRANT_FAILED
    namespace = AUTHORIZATION


class CredentialExpired(LinkRejected):
    """The resource server rejected the token because it expired (not revoked, not unknown)."""
