"""HTTP client of the Ride Hailer API contract (ARCHITECTURE.md).

Every call goes through ``account_linking.call_resource_server``: it gets only what is
left of the request's time budget (``deadline``, from ``account_linking.deadline_of``)
and none at all once it is spent; 401, 403, 5xx, timeouts, unexpected statuses and
malformed answers raise the account-linking exceptions, so they are answered exactly
like a failed link check. 400 raises RideRequestRejected.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

import requests

from account_linking import call_resource_server
from account_linking.deadline import Deadline
from account_linking.errors import ResourceUnavailable
from account_linking.http import ResourceResponse
from account_linking.values import value_class

from .errors import RideInProgress, RideRequestRejected

#: Paths of the Ride Hailer API (ARCHITECTURE.md, "Ride Hailer API contract").
FARE_ESTIMATE_PATH = "/api/v1/fares/estimate"
RIDES_PATH = "/api/v1/rides"
CURRENT_RIDE_PATH = "/api/v1/rides/current"
CANCEL_CURRENT_RIDE_PATH = "/api/v1/rides/current/cancel"
#: Header making POST /api/v1/rides idempotent: a repeat with the same key answers the same
#: ride (IETF draft-ietf-httpapi-idempotency-key-header; the service's contract).
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
#: Error code of a 404 when the user has no active ride (ARCHITECTURE.md).
NO_ACTIVE_RIDE = "no_active_ride"
#: Error code of a cancellation refused because the rider was picked up (409).
RIDE_IN_PROGRESS = "ride_in_progress"


@value_class
class Fare:
    """An amount of money in one currency."""

    amount: float
    currency: str


@value_class
class FareEstimate:
    """What a ride to a destination would cost and how soon a car would come."""

    destination: str
    fare: Fare
    eta_minutes: int


@value_class
class Ride:
    """A ride as the API describes it."""

    id: str
    status: str
    destination: str
    eta_minutes: Optional[int]
    fare: Fare


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{name} is not a number")
    return float(value)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{name} is not an integer")
    return int(float(value))


def _str(value: Any, name: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise TypeError(f"{name} is not a string")
    return str(value)


def _fare(body: Any) -> Fare:
    if not isinstance(body, dict):
        raise TypeError("fare is not an object")
    return Fare(amount=_number(body["amount"], "amount"), currency=_str(body["currency"], "currency"))


def _ride(body: Any) -> Ride:
    if not isinstance(body, dict):
        raise TypeError("ride is not an object")
    eta = body.get("eta_minutes")
    return Ride(
        id=_str(body["id"], "id"),
        status=_str(body["status"], "status"),
        destination=_str(body["destination"], "destination"),
        eta_minutes=None if eta is None else _int(eta, "eta_minutes"),
        fare=_fare(body["fare"]),
    )


def _estimate(body: Any) -> FareEstimate:
    if not isinstance(body, dict):
        raise TypeError("estimate is not an object")
    return FareEstimate(
        destination=_str(body["destination"], "destination"),
        fare=Fare(_number(body["amount"], "amount"), _str(body["currency"], "currency")),
        eta_minutes=_int(body["eta_minutes"], "eta_minutes"),
    )


def _error_code(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("error_description", ""))


class RideHailerApi:
    """Calls the Ride Hailer API over a shared, pooled session.

    ``timeout`` caps each call; a ``deadline`` passed to a method shortens it further.
    """

    def __init__(self, session: requests.Session, api_url: str, timeout: float) -> None:
        self._session = session
        self._base = api_url.rstrip("/")
        self._timeout = timeout

    def _call(
        self,
        method: str,
        path: str,
        deadline: Optional[Deadline],
        *,
        expect: tuple[int, ...],
        token: Optional[str] = None,
        scope: Optional[str] = None,
        json: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> ResourceResponse:
        """One call within the request's budget; a 400 raises RideRequestRejected."""
        response = call_resource_server(
            self._session, method, self._base + path,
            deadline=deadline, timeout=self._timeout, expect=(*expect, 400),
            token=token, required_scope=scope, json=json, params=params, headers=headers,
        )
        if response.status_code == 400:
            _, description = _error_code(response)
            raise RideRequestRejected(description or "invalid request")
        return response

    def estimate_fare(self, destination: str, deadline: Optional[Deadline] = None) -> FareEstimate:
        """Public fare estimate (no token needed)."""
        response = self._call(
            "GET", FARE_ESTIMATE_PATH, deadline, expect=(200,), params={"destination": destination},
        )
        return response.parse_json(_estimate)

    def create_ride(
        self,
        token: str,
        destination: str,
        idempotency_key: Optional[str] = None,
        deadline: Optional[Deadline] = None,
    ) -> Ride:
        """Order a ride to ``destination`` (scope ``rides:write``).

        ``idempotency_key`` (the Alexa request id) goes out as ``Idempotency-Key``, so a
        retried order answers the same ride instead of ordering a second car.
        """
        response = self._call(
            "POST", RIDES_PATH, deadline, expect=(200, 201), token=token, scope="rides:write",
            json={"destination": destination},
            headers={IDEMPOTENCY_KEY_HEADER: idempotency_key} if idempotency_key else None,
        )
        return response.parse_json(_ride)

    def current_ride(self, token: str, deadline: Optional[Deadline] = None) -> Optional[Ride]:
        """The user's active ride, or None (scope ``rides:read``)."""
        return self._ride_or_none(self._call(
            "GET", CURRENT_RIDE_PATH, deadline, expect=(200, 404), token=token, scope="rides:read",
        ))

    def cancel_current_ride(
        self, token: str, deadline: Optional[Deadline] = None
    ) -> Optional[Ride]:
        """Cancel the active ride; None when there is none (scope ``rides:write``).

        Raises RideInProgress when the rider was already picked up (409 ride_in_progress).
        """
        response = self._call(
            "POST", CANCEL_CURRENT_RIDE_PATH, deadline, expect=(200, 404, 409), token=token,
            scope="rides:write",
        )
        if response.status_code == 409:
            if _error_code(response)[0] == RIDE_IN_PROGRESS:
                raise RideInProgress("the rider was picked up")
            raise ResourceUnavailable("cancel answered 409 without ride_in_progress")
        return self._ride_or_none(response)

    def _ride_or_none(self, response: ResourceResponse) -> Optional[Ride]:
        if response.status_code == 404:
            if _error_code(response)[0] == NO_ACTIVE_RIDE:
                return None
            raise ResourceUnavailable("ride endpoint answered 404 without no_active_ride")
        return response.parse_json(_ride)
