"""Request envelopes are what the Alexa service sends: the ASK SDK model accepts them."""
from __future__ import annotations

import datetime as dt
import json

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import IntentRequest, LaunchRequest, RequestEnvelope, SessionEndedRequest
from ask_sdk_model.events.skillevents import AccountLinkedRequest, SkillDisabledRequest

from alexa_linkcheck.simulator.envelopes import EnvelopeBuilder, Identity, SessionState

MOMENT = dt.datetime(2026, 11, 22, 1, 2, 3, 456000, tzinfo=dt.timezone.utc)


def _sdk(envelope: dict) -> RequestEnvelope:
    return DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)


def test_launch_request_deserializes_with_session_context_and_z_timestamp() -> None:
    builder = EnvelopeBuilder(Identity(skill_id="amzn1.ask.skill.abc"))
    envelope = builder.launch(session=SessionState(), locale="en-GB", moment=MOMENT, access_token=None)
    parsed = _sdk(envelope)
    assert isinstance(parsed.request, LaunchRequest)
    assert parsed.version == "1.0"
    assert parsed.session.new is True
    assert parsed.session.application.application_id == "amzn1.ask.skill.abc"
    assert parsed.context.system.application.application_id == "amzn1.ask.skill.abc"
    assert parsed.context.system.api_endpoint == "https://api.amazonalexa.com"
    assert parsed.context.system.device.device_id.startswith("amzn1.ask.device.")
    assert envelope["request"]["timestamp"] == "2026-11-22T01:02:03Z"
    assert parsed.request.locale == "en-GB"
    assert parsed.context.system.user.access_token is None


def test_linked_intent_request_carries_token_in_context_and_session_and_slots() -> None:
    builder = EnvelopeBuilder(Identity())
    session = SessionState(new=False, attributes={"turns": 2})
    slots = {"destination": {"name": "destination", "value": "airport", "confirmationStatus": "NONE"}}
    envelope = builder.intent("OrderRideIntent", slots, session=session, locale="en-US", moment=MOMENT,
                              access_token="tok-123", dialog_state="STARTED")
    parsed = _sdk(envelope)
    assert isinstance(parsed.request, IntentRequest)
    assert parsed.request.intent.name == "OrderRideIntent"
    assert parsed.request.intent.slots["destination"].value == "airport"
    assert parsed.request.dialog_state.value == "STARTED"
    assert parsed.context.system.user.access_token == "tok-123"
    assert parsed.session.user.access_token == "tok-123"
    assert parsed.session.attributes == {"turns": 2}
    assert parsed.session.new is False


def test_session_ended_request_with_error_reason_carries_error() -> None:
    envelope = EnvelopeBuilder(Identity()).session_ended(
        "ERROR", session=SessionState(new=False), locale="de-DE", moment=MOMENT, access_token=None)
    parsed = _sdk(envelope)
    assert isinstance(parsed.request, SessionEndedRequest)
    assert parsed.request.reason.value == "ERROR"
    assert parsed.request.error.object_type.value == "INVALID_RESPONSE"


def test_account_linked_event_has_token_in_body_and_no_session() -> None:
    envelope = EnvelopeBuilder(Identity()).account_linked("tok-9", locale="en-US", moment=MOMENT)
    parsed = _sdk(envelope)
    assert isinstance(parsed.request, AccountLinkedRequest)
    assert parsed.request.body.access_token == "tok-9"
    assert parsed.session is None
    assert "session" not in envelope


def test_skill_disabled_event_deserializes_without_session() -> None:
    envelope = EnvelopeBuilder(Identity()).skill_disabled(locale="en-US", moment=MOMENT, access_token=None)
    parsed = _sdk(envelope)
    assert isinstance(parsed.request, SkillDisabledRequest)
    assert parsed.session is None
