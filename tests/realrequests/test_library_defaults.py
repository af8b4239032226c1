"""The library's answers for requests no handler claims, in a skill that is not Ride Hailer."""
from __future__ import annotations

import copy
import logging
from typing import Any, Mapping, Optional

import pytest
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils.predicate import is_intent_name
from ask_sdk_model.response import Response

from account_linking import SafeSkillBuilder
from account_linking.messages import DEFAULT_FALLBACKS
from account_linking.safety import read_event, read_timestamp, UnknownRequest
from account_linking.unhandled import default_handlers

from .conftest import load

SKILL_ID = "amzn1.ask.skill.library-defaults"
OWN_FALLBACK = "This is the skill's own fallback."


class OwnFallbackHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(OWN_FALLBACK).ask(OWN_FALLBACK).response


class InQuizHandler(AbstractRequestHandler):
    """Claims requests by a session attribute, as many skills do."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if handler_input.request_envelope.session is None:  # events have no session
            return False
        return bool(handler_input.attributes_manager.session_attributes.get("in_quiz"))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("quiz").response


def skill(*, own_fallback: bool = True, can_fulfill: Optional[Mapping[str, Any]] = None,
          skill_id: Optional[str] = None) -> Any:
    builder = SafeSkillBuilder()
    builder.skill_id = skill_id  # type: ignore[assignment]
    builder.add_request_handler(InQuizHandler())
    if own_fallback:
        builder.add_request_handler(OwnFallbackHandler())
    for handler in default_handlers(can_fulfill=can_fulfill):
        builder.add_request_handler(handler)
    handler = builder.lambda_handler()
    return lambda event: handler(copy.deepcopy(event), None)


def speech(answer: dict[str, Any]) -> str:
    return str(answer["response"]["outputSpeech"]["ssml"])


def test_unknown_intent_reaches_the_skills_own_fallback_handler() -> None:
    answer = skill()(load("jovo-v3__IntentRequest1.json"))  # "HelpIntent" without AMAZON.
    assert speech(answer) == f"<speak>{OWN_FALLBACK}</speak>"


def test_unknown_intent_goes_to_a_handler_that_claims_it_by_session_attribute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = load("jovo-v3__IntentRequest1.json")
    assert speech(skill()(data)) == f"<speak>{OWN_FALLBACK}</speak>"
    data["session"]["attributes"] = {"in_quiz": True}
    assert speech(skill()(data)) == "<speak>quiz</speak>"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_unknown_intent_in_a_skill_without_fallback_gets_the_localized_default_fallback() -> None:
    data = load("jovo-v3__IntentRequestWithSlot.json")  # de-DE
    answer = skill(own_fallback=False)(data)
    assert speech(answer) == f"<speak>{DEFAULT_FALLBACKS['de-DE']}</speak>"
    assert not answer["response"].get("shouldEndSession")


def test_can_fulfill_intent_is_no_unless_the_skill_opts_in() -> None:
    data = load("alexa-app__can_fulfill_intent_request_play_sound.json")  # PlaySound, slot Sound
    assert skill()(data)["response"]["canFulfillIntent"] == {
        "canFulfill": "NO", "slots": {"Sound": {"canUnderstand": "NO", "canFulfill": "NO"}}}
    opted_in = skill(can_fulfill={"PlaySound": {"Sound"}})(data)
    assert opted_in["response"]["canFulfillIntent"] == {
        "canFulfill": "YES", "slots": {"Sound": {"canUnderstand": "YES", "canFulfill": "YES"}}}
    other_slots = skill(can_fulfill={"PlaySound": {"Volume"}})(data)
    assert other_slots["response"]["canFulfillIntent"]["canFulfill"] == "NO"


def test_session_ended_error_is_logged_at_warning_with_type_message_and_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    data = load("alexa-skills-dotnet__SessionEndedRequest.json")
    error = data["request"]["error"]
    answer = skill()(data)
    assert answer["response"] == {}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert error["type"] in line and error["message"] in line
    assert data["request"]["requestId"] in line


def test_session_ended_without_error_is_logged_at_info_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    skill()(load("jovo-v3__SessionEndedRequest.json"))
    assert [r.levelno for r in caplog.records] == [logging.INFO]


def test_unclaimed_event_is_answered_empty_and_logged_once_at_info_with_its_type(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = skill()(load("jovo-v3__System.ExceptionEncountered.json"))
    assert answer["response"] == {}
    assert [(r.levelno, "System.ExceptionEncountered" in r.getMessage())
            for r in caplog.records] == [(logging.INFO, True)]


def test_request_type_newer_than_the_model_is_read_with_its_type_and_raw_body() -> None:
    data = load("alexa-skills-dotnet__NewIntent.json")
    envelope = read_event(data)
    assert isinstance(envelope.request, UnknownRequest)  # type: ignore[union-attr]
    assert envelope.request.object_type == "AlexaNet.CustomIntent"  # type: ignore[union-attr]
    assert envelope.request.body == data["request"]  # type: ignore[union-attr]


@pytest.mark.parametrize("value, expected", [
    ("2015-05-13T12:34:56Z", "2015-05-13T12:34:56+00:00"),
    (1431520496000, "2015-05-13T12:34:56+00:00"),
    ("1431520496000", "2015-05-13T12:34:56+00:00"),
    (" 1431520496000\n", "2015-05-13T12:34:56+00:00"), ("14315204960000000", None), ("-1431520496000", None),
    ("2015-05-13T14:34:56+02:00", "2015-05-13T12:34:56+00:00"),
    ("string", None), ("yesterday", None), (None, None), (True, None), (10**30, None), ([], None),
])
def test_request_timestamp_is_read_by_value(value: Any, expected: Optional[str]) -> None:
    moment = read_timestamp(value)
    assert (moment.isoformat() if moment else None) == expected


def test_envelope_naming_its_skill_only_in_the_session_passes_the_skill_id_check() -> None:
    data = load("alexa-skills-dotnet__LaunchRequest.json")  # no context at all
    data["session"]["application"]["applicationId"] = SKILL_ID
    data["request"] = {"type": "IntentRequest", "requestId": "r1", "timestamp": "2015-05-13T12:34:56Z",
                       "intent": {"name": "Unknown", "confirmationStatus": "NONE"}}
    assert speech(skill(skill_id=SKILL_ID)(data)) == f"<speak>{OWN_FALLBACK}</speak>"
    data["session"]["application"]["applicationId"] = "amzn1.ask.skill.other"
    assert "Sorry, something went wrong" in speech(skill(skill_id=SKILL_ID)(data))


def test_envelope_with_an_unreadable_system_context_is_answered_with_the_apology() -> None:
    data = load("jovo-v3__LaunchRequest.json")
    data["context"]["System"]["application"] = 5
    assert "Sorry, something went wrong" in speech(skill()(data))
