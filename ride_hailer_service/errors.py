"""Exceptions of the Ride Hailer service.

ServiceError
 +-- ConfigurationError      settings that cannot work (missing secret key, bad URL)
 +-- AdminError              an admin helper or command got arguments it cannot use
 +-- AccountError            a sign-in or sign-up that cannot proceed
 |    +-- LoginThrottled     too many failed sign-ins for this account or address
 |    +-- BadCredentials     email or password wrong (never says which)
 |    +-- EmailTaken         an account with this email exists already
 |    +-- InvalidName        a name with control characters, or too long
 |    +-- SignUpThrottled    too many sign-ups for this email or from this address
 +-- ApiError                a resource API request answered with a JSON error
      +-- BadApiRequest      400 invalid_request
      +-- InvalidAccessToken 401 invalid_token
      +-- InsufficientScope  403 insufficient_scope
      +-- NoActiveRide       404 no_active_ride
      +-- RideInProgress     409 ride_in_progress
      +-- IdempotencyKeyReused 422 idempotency_key_reused
"""
from __future__ import annotations


class ServiceError(Exception):
    """Base class of every error raised by the Ride Hailer service."""


class ConfigurationError(ServiceError):
    """The service settings cannot work."""


class AdminError(ServiceError, ValueError):
    """An admin helper or command got arguments it cannot use."""


class AccountError(ServiceError):
    """A sign-in or sign-up that cannot proceed."""


class LoginThrottled(AccountError):
    """Too many failed sign-ins for this account or address."""


class BadCredentials(AccountError):
    """Email or password is wrong (never says which)."""


class EmailTaken(AccountError):
    """An account with this email exists already."""


class InvalidName(AccountError, ValueError):
    """A name with control or line-break characters, empty, or too long."""


class SignUpThrottled(AccountError):
    """Too many sign-ups for this email or from this client address."""


class ApiError(ServiceError):
    """A resource API request that is answered with a JSON error body."""

    status_code = 400
    error = "invalid_request"

    def __init__(self, description: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.headers = headers or {}


class BadApiRequest(ApiError):
    """The request body or query is malformed (400 invalid_request)."""


class InvalidAccessToken(ApiError):
    """The bearer token is missing, malformed, expired or revoked (401)."""

    status_code = 401
    error = "invalid_token"


class InsufficientScope(ApiError):
    """The token lacks the scope the resource needs (403)."""

    status_code = 403
    error = "insufficient_scope"


class NoActiveRide(ApiError):
    """The user has no ride that is requested or on its way (404)."""

    status_code = 404
    error = "no_active_ride"


class IdempotencyKeyReused(ApiError):
    """An Idempotency-Key already used for an order with another body (422)."""

    status_code = 422
    error = "idempotency_key_reused"


class RideInProgress(ApiError):
    """The ride is under way (the rider was picked up): it cannot be cancelled (409)."""

    status_code = 409
    error = "ride_in_progress"
