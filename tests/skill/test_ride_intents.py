"""The Ride Hailer intents against a real resource server on 127.0.0.1."""
from __future__ import annotations

import json

import pytest

from .conftest import LINKED_TOKEN, LOCALES, card_type, load_envelope, speech


@pytest.mark.parametrize("locale", LOCALES)
def test_order_ride_confirms_destination_eta_and_fare(make_skill, server, locale):
    response = make_skill()(load_envelope("order_ride.linked", locale))
    text = speech(response)
    assert "the airport" in text and "6" in text
    assert ("18,00 Dollar" if locale == "de-DE" else "18.00 dollars") in text
    [order] = [seen for seen in server.state.seen if seen.path == "/api/v1/rides"]
    assert json.loads(order.body) == {"destination": "the airport"}
    assert response["response"]["shouldEndSession"] is True


@pytest.mark.parametrize("name", ["order_ride", "fare_estimate"])
def test_missing_destination_asks_for_it_instead_of_failing(make_skill, server, name):
    response = make_skill()(load_envelope(f"{name}_no_destination.linked", "en-US"))
    assert speech(response) == "Where do you want to go?"
    [directive] = response["response"]["directives"]
    assert directive["type"] == "Dialog.ElicitSlot" and directive["slotToElicit"] == "destination"
    assert response["response"]["shouldEndSession"] is False
    assert server.calls("/api/v1/rides") == 0


def test_ride_status_reports_the_active_ride_then_none_after_cancel(make_skill, server):
    skill = make_skill()
    assert "don't have an active ride" in speech(skill(load_envelope("ride_status.linked")))
    skill(load_envelope("order_ride.linked"))
    assert "Your ride to the airport is confirmed. Your driver arrives in 6 minutes." == speech(
        skill(load_envelope("ride_status.linked"))
    )
    assert "Your ride to the airport is cancelled." == speech(skill(load_envelope("cancel_ride.linked")))
    assert "don't have an active ride to cancel" in speech(skill(load_envelope("cancel_ride.linked")))


@pytest.mark.parametrize("name", ["order_ride", "ride_status", "cancel_ride"])
def test_unlinked_ride_intents_answer_link_account_card(make_skill, server, name):
    response = make_skill()(load_envelope(f"{name}.unlinked"))
    assert card_type(response) == "LinkAccount"
    assert "link your Ride Hailer account" in speech(response)
    assert server.state.seen == []


@pytest.mark.parametrize("locale", LOCALES)
def test_unlinked_fare_estimate_works_without_a_link(make_skill, server, locale):
    response = make_skill()(load_envelope("fare_estimate.unlinked", locale))
    assert card_type(response) is None
    text = speech(response)
    assert "the airport" in text and ("23,50 Euro" if locale == "de-DE" else "23.50 euros") in text
    [estimate] = server.state.seen
    assert "Authorization" not in estimate.headers
    assert estimate.query == "destination=the+airport"


def test_rides_api_rejecting_a_cached_token_answers_relink_and_forgets_it(make_skill, server):
    skill = make_skill()
    skill(load_envelope("account_info.linked"))  # profile now cached
    server.answer("401", "/api/v1/rides")
    response = skill(load_envelope("order_ride.linked"))
    assert card_type(response) == "LinkAccount" and "expired" in speech(response)
    skill(load_envelope("account_info.linked"))
    assert server.calls("/api/v1/me") == 2  # the rejected token was asked again


def test_rides_api_missing_scope_answers_card_naming_the_permission(make_skill, server):
    server.state.scopes_header = None  # the skill cannot check scopes up front
    server.state.missing_scope = "rides:write"
    server.answer("403", "/api/v1/rides")
    response = make_skill()(load_envelope("order_ride.linked", "de-DE"))
    assert card_type(response) == "LinkAccount"
    assert "Fahrten für dich zu bestellen" in speech(response)


@pytest.mark.parametrize("mode", ["500", "stall", "malformed", "wrong_shape"])
def test_rides_api_failure_answers_apology_without_card(make_skill, server, mode):
    server.answer(mode, "/api/v1/rides")
    response = make_skill()(load_envelope("order_ride.linked", "en-GB"))
    assert card_type(response) is None
    assert "can't reach Ride Hailer at the moment" in speech(response)


def test_fare_estimate_failure_answers_apology_without_card(make_skill, server):
    server.answer("500", "/api/v1/fares/estimate")
    response = make_skill()(load_envelope("fare_estimate.unlinked"))
    assert card_type(response) is None and "can't reach" in speech(response)


@pytest.mark.parametrize("name", ["order_ride", "ride_status", "cancel_ride"])
@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-US", "needs a Ride Hailer account link"), ("en-GB", "needs a Ride Hailer account link"),
     ("de-DE", "Verknüpfung mit einem Ride Hailer Konto")],
)
def test_lwa_provider_explains_that_rides_need_a_ride_hailer_link(make_skill, server, name, locale, expected):
    response = make_skill("lwa")(load_envelope(f"{name}.linked", locale))
    assert expected in speech(response)
    assert card_type(response) is None
    assert server.state.seen == []


@pytest.mark.parametrize("locale", LOCALES)
def test_launch_greets_a_linked_user_by_name(make_skill, server, locale):
    response = make_skill()(load_envelope("launch.linked", locale))
    assert "Ada" in speech(response)
    assert response["response"]["shouldEndSession"] is False


def test_launch_with_expired_token_still_greets_without_card(make_skill, server):
    server.answer("401", "/api/v1/me")
    response = make_skill()(load_envelope("launch.linked"))
    assert speech(response).startswith("Welcome to Ride Hailer.")
    assert card_type(response) is None


def test_launch_unlinked_greets_without_calling_the_resource_server(make_skill, server):
    response = make_skill()(load_envelope("launch.unlinked", "de-DE"))
    assert speech(response).startswith("Willkommen bei Ride Hailer.")
    assert server.state.seen == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("help", "take me to the airport"),
        ("cancel", "Goodbye"),
        ("stop", "Goodbye"),
        ("fallback", "can't help with that"),
        ("navigate_home", "Welcome to Ride Hailer"),
    ],
)
def test_builtin_intents_answer_without_a_link(make_skill, server, name, expected):
    response = make_skill()(load_envelope(f"{name}.unlinked"))
    assert expected in speech(response)
    assert card_type(response) is None


def test_session_ended_answers_without_speech(make_skill, server):
    response = make_skill()(load_envelope("session_ended.linked"))
    assert "outputSpeech" not in response["response"]
    assert server.state.seen == []


def test_skill_account_linked_event_verifies_and_caches_the_new_token(make_skill, server):
    skill = make_skill()
    response = skill(load_envelope("skill_account_linked", locale=None))
    assert "outputSpeech" not in response["response"]
    assert server.calls("/api/v1/me") == 1
    assert "Ada" in speech(skill(load_envelope("launch.linked")))
    assert server.calls("/api/v1/me") == 1


def test_skill_account_linked_event_with_rejected_token_answers_quietly(make_skill, server):
    server.answer("401", "/api/v1/me")
    response = make_skill()(load_envelope("skill_account_linked", locale=None))
    assert "outputSpeech" not in response["response"]


def test_skill_disabled_event_without_session_answers_quietly(make_skill, server):
    response = make_skill()(load_envelope("skill_disabled", locale=None))
    assert "outputSpeech" not in response["response"]
    assert server.state.seen == []


def test_unexpected_error_answers_apology_without_stack_trace(make_skill, server, monkeypatch, caplog):
    from ride_hailer import api

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.RideHailerApi, "estimate_fare", explode)
    response = make_skill()(load_envelope("fare_estimate.unlinked", "de-DE"))
    text = speech(response)
    assert text == "Entschuldigung, da ist etwas schiefgelaufen. Bitte versuch es noch einmal."
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_ride_api_bad_request_asks_for_another_destination(make_skill, server):
    server.answer("400", "/api/v1/rides")
    response = make_skill()(load_envelope("order_ride.linked"))
    assert "couldn't accept that request" in speech(response)
    assert card_type(response) is None
    assert response["response"]["shouldEndSession"] is False


def test_blank_destination_slot_asks_for_it(make_skill, server):
    envelope = load_envelope("order_ride.linked")
    envelope["request"]["intent"]["slots"]["destination"]["value"] = " "
    response = make_skill()(envelope)
    assert speech(response) == "Where do you want to go?"
    assert server.calls("/api/v1/rides") == 0


def test_skill_id_mismatch_is_refused_with_apology_and_no_resource_call(make_skill, server):
    # Refused without processing; the Lambda handler answers rather than raises (issue 8).
    skill = make_skill(skill_id="amzn1.ask.skill.someone-else")
    answer = skill(load_envelope("launch.linked", token=LINKED_TOKEN))
    assert speech(answer) == "Sorry, something went wrong. Please try again."
    assert card_type(answer) is None
    assert server.state.seen == []


def test_matching_skill_id_is_served(make_skill, server):
    skill = make_skill(skill_id="amzn1.ask.skill.00000000-0000-0000-0000-000000000000")
    assert "Welcome" in speech(skill(load_envelope("launch.unlinked")))


def test_destination_with_markup_characters_is_escaped_in_ssml(make_skill, server):
    envelope = load_envelope("fare_estimate.unlinked")
    envelope["request"]["intent"]["slots"]["destination"]["value"] = "Smith & Sons <Pier 3>"
    response = make_skill()(envelope)
    assert "Smith &amp; Sons &lt;Pier 3&gt;" in response["response"]["outputSpeech"]["ssml"]


def test_german_ride_status_and_cancel_speak_german(make_skill, server):
    skill = make_skill()
    assert speech(skill(load_envelope("ride_status.linked", "de-DE"))) == "Du hast gerade keine aktive Fahrt."
    skill(load_envelope("order_ride.linked", "de-DE"))
    assert speech(skill(load_envelope("ride_status.linked", "de-DE"))) == (
        "Deine Fahrt nach the airport ist bestätigt. Dein Fahrer ist in 6 Minuten da."
    )
    assert speech(skill(load_envelope("cancel_ride.linked", "de-DE"))) == "Deine Fahrt nach the airport ist storniert."


def test_ride_without_eta_is_confirmed_without_one(make_skill, server):
    server.state.ride_eta = None
    response = make_skill()(load_envelope("order_ride.linked", "en-GB"))
    assert speech(response) == "Your ride to the airport is booked; the fare is 18.00 dollars."
