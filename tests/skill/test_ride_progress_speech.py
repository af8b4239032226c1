"""A ride's state is said as it is (issue 17): finding a driver, on the way, arriving, picked
up; a ride under way cannot be cancelled. Against the real resource-server stand-in."""
from __future__ import annotations

import pytest

from .conftest import load_envelope, speech

#: status -> words the user must hear, per locale
SAID = {
    "en-US": {"requested": "still finding a driver", "driver_assigned": "on the way",
              "arriving": "almost there", "picked_up": "on your way to the airport"},
    "de-DE": {"requested": "suche noch einen Fahrer", "driver_assigned": "ist unterwegs",
              "arriving": "gleich da", "picked_up": "unterwegs zum Flughafen"},
}


#: the destination as each locale's model fills the slot
PLACE = {"en-US": "the airport", "de-DE": "Flughafen"}


def _ride(status: str, eta: int, destination: str = "the airport") -> dict:
    return {"id": "ride-1", "status": status, "destination": destination, "eta_minutes": eta,
            "fare": {"amount": 18.0, "currency": "USD"}, "created_at": "2026-12-05T10:00:00Z"}


@pytest.mark.parametrize("locale", SAID)
@pytest.mark.parametrize("status", ["requested", "driver_assigned", "arriving", "picked_up"])
def test_ride_status_says_each_state_as_it_is(make_skill, server, locale, status):
    server.state.ride = _ride(status, 4, PLACE[locale])
    text = speech(make_skill()(load_envelope("ride_status.linked", locale)))
    assert SAID[locale][status] in text, text
    assert "4 minutes" in text or "4 Minuten" in text


def test_one_minute_is_said_in_the_singular(make_skill, server):
    server.state.ride = _ride("arriving", 1)
    text = speech(make_skill()(load_envelope("ride_status.linked", "en-US")))
    assert "about 1 minute." in text and "1 minutes" not in text


def test_cancelling_a_ride_under_way_says_it_can_no_longer_be_cancelled(make_skill, server):
    server.state.ride = _ride("picked_up", 9)
    response = make_skill()(load_envelope("cancel_ride.linked", "en-US"))
    assert speech(response) == "You've already been picked up, so I can't cancel this ride now."
    assert response["response"].get("card") is None
    assert server.state.ride is not None  # nothing was cancelled


def test_an_order_is_booked_not_confirmed_while_the_service_still_looks_for_a_driver(make_skill, server):
    text = speech(make_skill()(load_envelope("order_ride.linked", "en-US")))
    assert text.startswith("Your ride to the airport is booked.") and "confirmed" not in text
