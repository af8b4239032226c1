"""The answer Alexa expects for each request type, and how to check an answer against it.

Alexa's rules (Alexa Skills Kit request and response JSON reference): events get an answer
without speech; an intent the skill does not know goes to its fallback; CanFulfillIntent
requests get a canFulfillIntent answer; nothing is ever a crash.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

import pytest

from ride_hailer.prompts import prompts_for

#: The answer Alexa expects, by kind.
SPEECH = "speech"              # the skill's own answer (LaunchRequest: the welcome)
FALLBACK = "fallback"          # the skill's AMAZON.FallbackIntent answer, session open
CAN_FULFILL = "canFulfill"     # canFulfillIntent NO (Ride Hailer does not opt in), no speech
EMPTY = "empty"                # {"response": {}}: no speech, no card, no reprompt
SMART_HOME = "smart home"      # a smart home ErrorResponse event, never the custom apology

#: Request type (directives: namespace.name) -> the kind of answer Alexa expects.
EXPECTED: dict[str, str] = {
    "LaunchRequest": SPEECH,
    # None of the real files names a Ride Hailer intent: all of them go to the fallback.
    "IntentRequest": FALLBACK,
    "CanFulfillIntentRequest": CAN_FULFILL,
    "SessionEndedRequest": EMPTY,
    "AudioPlayer.PlaybackStarted": EMPTY,
    "AudioPlayer.PlaybackFinished": EMPTY,
    "AudioPlayer.PlaybackNearlyFinished": EMPTY,
    "AudioPlayer.PlaybackStopped": EMPTY,
    "AudioPlayer.PlaybackFailed": EMPTY,
    "PlaybackController.PlayCommandIssued": EMPTY,
    "System.ExceptionEncountered": EMPTY,
    "Display.ElementSelected": EMPTY,
    "GameEngine.InputHandlerEvent": EMPTY,
    "Connections.Response": EMPTY,
    "Messaging.MessageReceived": EMPTY,
    "AlexaHouseholdListEvent.ItemsCreated": EMPTY,
    # Skill events: the skill (or, after issue 13's sibling work, the library) owns them;
    # here only "empty, without speech" is asserted.
    "AlexaSkillEvent.SkillAccountLinked": EMPTY,
    "AlexaSkillEvent.SkillDisabled": EMPTY,
    "AlexaSkillEvent.SkillEnabled": EMPTY,
    "AlexaSkillEvent.SkillPermissionAccepted": EMPTY,
    "AlexaSkillEvent.SkillPermissionChanged": EMPTY,
    # Types ask-sdk-model does not know.
    "UnknownRequest": EMPTY,
    "AlexaNet.CustomIntent": EMPTY,
    "Alexa.Authorization.AcceptGrant": SMART_HOME,
    "Alexa.Discovery.Discover": SMART_HOME,
    "Alexa.PowerController.TurnOn": SMART_HOME,
}

#: Types the Ride Hailer skill handles itself (no "unclaimed" log line expected).
#: Types a handler answers before the library's defaults see them: the skill's own, and the
#: skill events the library's event handler answers (with hooks, no speech).
CLAIMED_BY_SKILL = {"LaunchRequest", "SessionEndedRequest", "AlexaSkillEvent.SkillAccountLinked",
                    "AlexaSkillEvent.SkillDisabled", "AlexaSkillEvent.SkillEnabled",
                    "AlexaSkillEvent.SkillPermissionAccepted", "AlexaSkillEvent.SkillPermissionChanged"}


def request_type(data: dict[str, Any]) -> str:
    if "directive" in data:
        header = data["directive"]["header"]
        return f"{header['namespace']}.{header['name']}"
    return str(data["request"]["type"])


def locale_of(data: dict[str, Any]) -> Optional[str]:
    locale = data.get("request", {}).get("locale")
    return locale if isinstance(locale, str) else None


def assert_kind(answer: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
    """``answer`` is the kind of answer Alexa expects for ``data``."""
    if kind == SMART_HOME:
        assert "response" not in answer
        header = answer["event"]["header"]
        directive = data["directive"]["header"]
        assert header["name"] == "ErrorResponse"
        assert header["payloadVersion"] == "3"
        assert header["messageId"] and header["messageId"] != directive["messageId"]
        assert header.get("correlationToken") == directive.get("correlationToken")
        expected = ("ACCEPT_GRANT_FAILED" if directive["name"] == "AcceptGrant"
                    else "INVALID_DIRECTIVE")
        assert answer["event"]["payload"]["type"] == expected
        assert header["namespace"] == (
            "Alexa.Authorization" if directive["name"] == "AcceptGrant" else "Alexa")
        directive_body = data["directive"]
        secrets = [part.get(key) for part in (
            (directive_body.get("endpoint") or {}).get("scope") or {},
            (directive_body.get("payload") or {}).get("scope") or {},
            (directive_body.get("payload") or {}).get("grantee") or {},
            (directive_body.get("payload") or {}).get("grant") or {},
        ) for key in ("token", "code") if part.get(key)]
        assert secrets  # every sample directive carries a token or a grant code
        assert not any(secret in json.dumps(answer) for secret in secrets)
        return
    assert answer["version"] == "1.0"
    response = answer["response"]
    if kind == EMPTY:
        assert response == {}
    elif kind == CAN_FULFILL:
        assert set(response) == {"canFulfillIntent"}
        assert response["canFulfillIntent"]["canFulfill"] == "NO"
        for slot in (response["canFulfillIntent"].get("slots") or {}).values():
            assert slot == {"canUnderstand": "NO", "canFulfill": "NO"}
    elif kind == FALLBACK:
        prompts = prompts_for(locale_of(data))
        assert response["outputSpeech"]["ssml"] == f"<speak>{prompts.fallback}</speak>"
        assert response["reprompt"]["outputSpeech"]["ssml"] == f"<speak>{prompts.reprompt}</speak>"
        assert not response.get("shouldEndSession")
    elif kind == SPEECH:
        ssml = response["outputSpeech"]["ssml"]
        assert ssml == f"<speak>{prompts_for(locale_of(data)).welcome}</speak>"
    else:  # pragma: no cover - a kind without a check is a bug in this table
        raise AssertionError(kind)


def assert_logs(records: pytest.LogCaptureFixture, data: dict[str, Any]) -> None:
    """No ERROR for someone else's request; an unclaimed type named in exactly one line."""
    errors = [r for r in records.records if r.levelno >= logging.ERROR]
    assert errors == []
    kind = request_type(data)
    if EXPECTED[kind] == EMPTY and kind not in CLAIMED_BY_SKILL:
        lines = [r for r in records.records
                 if r.name == "account_linking.unhandled" and kind in r.getMessage()]
        assert len(lines) == 1 and lines[0].levelno in (logging.INFO, logging.WARNING)
