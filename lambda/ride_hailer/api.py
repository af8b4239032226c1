"""HTTP client of the Ride Hailer API contract (ARCHITECTURE.md).

401, 403, 5xx, timeouts and malformed answers raise the account-linking exceptions, so
they are answered exactly like a failed link check; 400 raises RideRequestRejected.
Every method takes the request's ``deadline`` (``account_linking.deadline_of``): the call
gets only what is left of the request's budget, and none at all once it is spent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import requests

from account_linking import Deadline, ResourceUnavailable, call_timeout, raise_for_token_status
from account_linking.http import parse_json, send

from .errors import RideRequestRejected

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


@dataclass(frozen=True)
class Fare:
    """An amount of money in one currency."""

    amount: float
    currency: str


@dataclass(frozen=True)
class FareEstimate:
    """What a ride to a destination would cost and how soon a car would come."""

    destination: str
    fare: Fare
    eta_minutes: int


@dataclass(frozen=True)
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

    def _check(self, response: requests.Response, required_scope: Optional[str]) -> None:
        raise_for_token_status(response, required_scope=required_scope)
        if response.status_code == 400:
            _, description = _error_code(response)
            raise RideRequestRejected(description or "invalid request")

    def _time(self, deadline: Optional[Deadline]) -> float:
        return call_timeout(self._timeout, deadline)

    def estimate_fare(self, destination: str, deadline: Optional[Deadline] = None) -> FareEstimate:
        """Public fare estimate (no token needed)."""
        response = send(
            self._session, "GET", self._base + FARE_ESTIMATE_PATH,
            timeout=self._time(deadline), params={"destination": destination},
        )
        self._check(response, None)
        if response.status_code != 200:
            raise ResourceUnavailable(f"fare estimate answered HTTP {response.status_code}")
        return parse_json(response, _estimate)

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
        response = send(
            self._session, "POST", self._base + RIDES_PATH,
            timeout=self._time(deadline), token=token, json_body={"destination": destination},
            headers={IDEMPOTENCY_KEY_HEADER: idempotency_key} if idempotency_key else None,
        )
        self._check(response, "rides:write")
        if response.status_code not in (200, 201):
            raise ResourceUnavailable(f"ride order answered HTTP {response.status_code}")
        return parse_json(response, _ride)

    def current_ride(self, token: str, deadline: Optional[Deadline] = None) -> Optional[Ride]:
        """The user's active ride, or None (scope ``rides:read``)."""
        return self._ride_or_none(
            send(self._session, "GET", self._base + CURRENT_RIDE_PATH,
                 timeout=self._time(deadline), token=token),
            "rides:read",
        )

    def cancel_current_ride(
        self, token: str, deadline: Optional[Deadline] = None
    ) -> Optional[Ride]:
        """Cancel the active ride; None when there is none (scope ``rides:write``)."""
        return self._ride_or_none(
            send(self._session, "POST", self._base + CANCEL_CURRENT_RIDE_PATH,
                 timeout=self._time(deadline), token=token),
            "rides:write",
        )

    def _ride_or_none(self, response: requests.Response, scope: str) -> Optional[Ride]:
        self._check(response, scope)
        if response.status_code == 404:
            if _error_code(response)[0] == NO_ACTIVE_RIDE:
                return None
            raise ResourceUnavailable("ride endpoint answered 404 without no_active_ride")
        if response.status_code != 200:
            raise ResourceUnavailable(f"ride endpoint answered HTTP {response.status_code}")
        return parse_json(response, _ride)
