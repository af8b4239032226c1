"""Rides move on through believable states on the service's clock (ride_hailer_service/rides.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ride_hailer_service.models import Ride, db
from ride_hailer_service.rides import ARRIVING_SECONDS, REQUESTED_SECONDS, progress, trip_minutes

from .conftest import bearer, linked_tokens


@pytest.fixture
def access_token(client, alexa_clients, user) -> str:
    return linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]


def _order(client, token: str) -> dict:
    answer = client.post("/api/v1/rides", json={"destination": "Airport"}, headers=bearer(token))
    assert answer.status_code == 201
    return answer.get_json()


def _age(app, ride_id: str, seconds: float) -> None:
    """Move the ride's order time ``seconds`` into the past (the clock moved on)."""
    with app.app_context():
        ride = db.session.execute(select(Ride).where(Ride.public_id == ride_id)).scalar_one()
        ride.created_at = ride.created_at - dt.timedelta(seconds=seconds)
        db.session.commit()


def test_a_new_ride_is_requested_with_the_quoted_pickup_time(client, access_token):
    ride = _order(client, access_token)
    estimate = client.get("/api/v1/fares/estimate?destination=Airport").get_json()
    assert ride["status"] == "requested"
    assert ride["eta_minutes"] == estimate["eta_minutes"]


def test_a_ride_moves_through_driver_assigned_arriving_picked_up_and_completed(app, client, access_token):
    ride = _order(client, access_token)
    pickup = ride["eta_minutes"] * 60
    moments = [REQUESTED_SECONDS + 5, pickup - ARRIVING_SECONDS // 2, pickup + 30]
    statuses = []
    aged = 0
    for moment in moments:
        _age(app, ride["id"], moment - aged)
        aged = moment
        statuses.append(client.get("/api/v1/rides/current", headers=bearer(access_token)).get_json()["status"])
    assert statuses == ["driver_assigned", "arriving", "picked_up"]
    _age(app, ride["id"], trip_minutes(round(ride["fare"]["amount"] * 100)) * 60)
    done = client.get("/api/v1/rides/current", headers=bearer(access_token))
    assert done.status_code == 404  # completed: no longer the current ride


@pytest.mark.parametrize("elapsed, status", [
    (0, "requested"),
    (REQUESTED_SECONDS + 5, "driver_assigned"),
    (10 * 60 - ARRIVING_SECONDS + 5, "arriving"),
    (10 * 60 + 5, "picked_up"),
    (10 * 60 + trip_minutes(2000) * 60 + 5, "completed"),
])
def test_progress_by_elapsed_time(elapsed, status):
    created = dt.datetime(2026, 1, 1, 12, 0, 0)
    now = created + dt.timedelta(seconds=elapsed)
    assert progress("requested", created, 10, 2000, now).status == status


def test_two_hours_after_the_order_the_ride_is_over_not_still_arriving(app, client, access_token):
    ride = _order(client, access_token)
    _age(app, ride["id"], 2 * 3600)  # two hours later the ride is long over
    answer = client.get("/api/v1/rides/current", headers=bearer(access_token))
    assert answer.status_code == 404 and answer.get_json()["error"] == "no_active_ride"


def test_eta_counts_down_to_the_pickup_then_to_the_arrival(app, client, access_token):
    ride = _order(client, access_token)
    _age(app, ride["id"], 60 * (ride["eta_minutes"] - 1) + 30)
    before = client.get("/api/v1/rides/current", headers=bearer(access_token)).get_json()
    assert before["status"] == "arriving" and before["eta_minutes"] == 1
    _age(app, ride["id"], 60)
    after = client.get("/api/v1/rides/current", headers=bearer(access_token)).get_json()
    assert after["status"] == "picked_up" and 0 < after["eta_minutes"] <= trip_minutes(round(after["fare"]["amount"] * 100))


def test_a_ride_under_way_cannot_be_cancelled_and_says_why(app, client, access_token):
    ride = _order(client, access_token)
    _age(app, ride["id"], ride["eta_minutes"] * 60 + 10)
    answer = client.post("/api/v1/rides/current/cancel", headers=bearer(access_token))
    assert answer.status_code == 409
    assert answer.get_json()["error"] == "ride_in_progress"
    assert client.get("/api/v1/rides/current", headers=bearer(access_token)).get_json()["status"] == "picked_up"


def test_a_ride_can_be_cancelled_while_the_driver_is_arriving(app, client, access_token):
    ride = _order(client, access_token)
    _age(app, ride["id"], ride["eta_minutes"] * 60 - ARRIVING_SECONDS // 2)
    answer = client.post("/api/v1/rides/current/cancel", headers=bearer(access_token))
    assert answer.status_code == 200 and answer.get_json()["status"] == "cancelled"
