"""Skill events are answered by the library: empty responses, a cache kept honest, hooks.

The envelopes are real ones from public projects (../shared/real-alexa/requests), read
where they lie and used as they are.
"""
from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import requests
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.utils.predicate import is_intent_name

from account_linking import AccountLinking, SkillEvent, profile_of, requires_link
from ride_hailer.profile_client import RideHailerProfileClient

from .conftest import load_envelope, speech

REPO = Path(__file__).resolve().parents[2]


def _shared_dir() -> Path:
    """``shared/`` beside the repository (CI), else /work/shared (this machine)."""
    beside = REPO.parent / "shared"
    return beside if (beside / "real-alexa").is_dir() else Path("/work/shared")


REAL_REQUESTS = _shared_dir() / "real-alexa" / "requests"
#: Every real skill-event envelope, with the request type it carries.
EVENT_FILES = {
    "alexa-skills-dotnet__SkillEventAccountLink.json": "AlexaSkillEvent.SkillAccountLinked",
    "alexa-skills-dotnet__SkillEventEnabled.json": "AlexaSkillEvent.SkillEnabled",
    "alexa-skills-dotnet__SkillEventPermissionChange.json": "AlexaSkillEvent.SkillPermissionAccepted",
    "jovo-v3__AlexaSkillEvent.SkillDisabled.json": "AlexaSkillEvent.SkillDisabled",
    "zenkit-alexa__DISABLE_SKILL.json": "AlexaSkillEvent.SkillDisabled",
    "zenkit-alexa__LINK_SKILL.json": "AlexaSkillEvent.SkillAccountLinked",
    "zenkit-alexa__PERMISSIONS_ACCEPTED.json": "AlexaSkillEvent.SkillPermissionAccepted",
    "zenkit-alexa__PERMISSIONS_REMOVED.json": "AlexaSkillEvent.SkillPermissionChanged",
}


def real(name: str) -> dict[str, Any]:
    """A real envelope, as it is (a fresh copy per call)."""
    return copy.deepcopy(json.loads((REAL_REQUESTS / name).read_text()))


def account_info(user_id: str, token: str) -> dict[str, Any]:
    """AccountInfoIntent from Alexa user ``user_id`` carrying ``token``."""
    envelope = load_envelope("account_info.linked", token=token)
    envelope["context"]["System"]["user"]["userId"] = user_id
    envelope["session"]["user"]["userId"] = user_id
    return envelope


def assert_silent(answer: dict[str, Any]) -> None:
    """An answer without speech, reprompt, card or directives, that keeps no session open."""
    response = answer["response"]
    for key in ("outputSpeech", "reprompt", "card", "directives", "shouldEndSession"):
        assert key not in response, key
    assert answer["version"] == "1.0"


@requires_link("profile")
class WhoAmIHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AccountInfoIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak(f"you are {profile_of(handler_input).name}").response


class Recorder:
    """Hooks that remember the events they were called with."""

    def __init__(self) -> None:
        self.events: list[SkillEvent] = []

    def __call__(self, event: SkillEvent) -> None:
        self.events.append(event)


@pytest.fixture
def hooks():
    return {name: Recorder() for name in ("on_linked", "on_disabled", "on_enabled", "on_permissions_changed")}


@pytest.fixture
def skill(server, hooks):
    with requests.Session() as session:
        linking = AccountLinking(RideHailerProfileClient(session, server.url, 0.5), time_budget=0.5, **hooks)
        builder = linking.skill_builder()
        builder.add_request_handler(WhoAmIHandler())
        handler = builder.lambda_handler()
        yield lambda event: handler(event, None)


@pytest.mark.parametrize("name", sorted(EVENT_FILES))
def test_every_real_skill_event_is_answered_without_speech(skill, name):
    assert real(name)["request"]["type"] == EVENT_FILES[name]
    assert_silent(skill(real(name)))


@pytest.mark.parametrize("name", sorted(EVENT_FILES))
def test_every_real_skill_event_is_answered_by_the_ride_hailer_skill_without_speech(make_skill, name):
    assert_silent(make_skill()(real(name)))


@pytest.mark.parametrize(
    "name, token",
    [("zenkit-alexa__LINK_SKILL.json", None), ("alexa-skills-dotnet__SkillEventAccountLink.json", "testToken")],
)
def test_account_linked_verifies_the_new_token_and_tells_the_hook(skill, server, hooks, name, token):
    envelope = real(name)
    token = token or envelope["request"]["body"]["accessToken"]
    assert_silent(skill(envelope))
    assert [seen.headers["Authorization"] for seen in server.state.seen] == [f"Bearer {token}"]
    (event,) = hooks["on_linked"].events
    assert event.type == "AlexaSkillEvent.SkillAccountLinked"
    assert event.user_id == envelope["context"]["System"]["user"]["userId"]
    assert event.profile is not None and event.profile.user_id == "user-1"
    assert event.access_token == token and token not in repr(event)


def test_account_linked_warms_the_cache_for_the_first_request(skill, server):
    envelope = real("zenkit-alexa__LINK_SKILL.json")
    user_id = envelope["context"]["System"]["user"]["userId"]
    token = envelope["request"]["body"]["accessToken"]
    skill(envelope)
    assert speech(skill(account_info(user_id, token))) == "you are Ada"
    assert server.calls("/api/v1/me") == 1


def test_account_linked_with_a_token_that_does_not_verify_tells_the_hook_without_profile(skill, server, hooks):
    server.answer("401", "/api/v1/me")
    assert_silent(skill(real("zenkit-alexa__LINK_SKILL.json")))
    (event,) = hooks["on_linked"].events
    assert event.profile is None


def test_relinking_forgets_the_profiles_cached_for_the_old_link(skill, server):
    envelope = real("zenkit-alexa__LINK_SKILL.json")
    user_id = envelope["context"]["System"]["user"]["userId"]
    skill(account_info(user_id, "old-token"))
    skill(account_info(user_id, "old-token"))
    assert server.calls("/api/v1/me") == 1  # cached
    skill(envelope)  # the user linked again: a new token
    skill(account_info(user_id, "old-token"))
    assert [seen.headers["Authorization"] for seen in server.state.seen] == [
        "Bearer old-token", f"Bearer {envelope['request']['body']['accessToken']}", "Bearer old-token",
    ]


@pytest.mark.parametrize("name", ["jovo-v3__AlexaSkillEvent.SkillDisabled.json", "zenkit-alexa__DISABLE_SKILL.json"])
def test_skill_disabled_forgets_every_profile_cached_for_the_user_and_tells_the_hook(skill, server, hooks, name):
    envelope = real(name)
    user_id = envelope["context"]["System"]["user"]["userId"]
    skill(account_info(user_id, "token-a"))
    skill(account_info("amzn1.ask.account.SOMEONE-ELSE", "token-b"))
    assert_silent(skill(envelope))
    skill(account_info(user_id, "token-a"))
    skill(account_info("amzn1.ask.account.SOMEONE-ELSE", "token-b"))
    tokens = [seen.headers["Authorization"] for seen in server.state.seen]
    assert tokens == ["Bearer token-a", "Bearer token-b", "Bearer token-a"]  # token-b still cached
    (event,) = hooks["on_disabled"].events
    assert event.user_id == user_id and event.profile is None


def test_skill_enabled_tells_the_hook_and_calls_no_server(skill, server, hooks):
    assert_silent(skill(real("alexa-skills-dotnet__SkillEventEnabled.json")))
    (event,) = hooks["on_enabled"].events
    assert event.type == "AlexaSkillEvent.SkillEnabled" and event.user_id == "string"
    assert server.state.seen == []


@pytest.mark.parametrize(
    "name, permissions",
    [
        ("zenkit-alexa__PERMISSIONS_ACCEPTED.json", ("alexa::household:lists:read", "alexa::household:lists:write")),
        ("alexa-skills-dotnet__SkillEventPermissionChange.json", ("testScope",)),
        ("zenkit-alexa__PERMISSIONS_REMOVED.json", ()),
    ],
)
def test_permission_events_tell_the_hook_which_permissions_are_granted(skill, server, hooks, name, permissions):
    assert_silent(skill(real(name)))
    (event,) = hooks["on_permissions_changed"].events
    assert event.permissions == permissions
    assert server.state.seen == []


def test_a_failing_hook_is_logged_and_the_event_still_answered_without_speech(server, caplog):
    def broken(event: SkillEvent) -> None:
        raise RuntimeError("the skill's database is down")

    with requests.Session() as session:
        linking = AccountLinking(RideHailerProfileClient(session, server.url, 0.5), on_disabled=broken)
        handler = linking.skill_builder().lambda_handler()
        with caplog.at_level(logging.ERROR, logger="account_linking.events"):
            answer = handler(real("jovo-v3__AlexaSkillEvent.SkillDisabled.json"), None)
    assert_silent(answer)
    assert "SkillDisabled hook failed" in caplog.text and "database is down" in caplog.text
