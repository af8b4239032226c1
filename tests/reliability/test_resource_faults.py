"""Resource-server faults give the right answer within RESOURCE_TIMEOUT + 1 s (issue 8, suite 2).

Every fault is shown by a real server on 127.0.0.1 (tests/reliability/fault_server.py),
through the real skill handler, for a request that needs a link (AccountInfoIntent: the
profile lookup fails, with either profile provider) and for each ride intent (the profile
is verified, then the rides call fails).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from account_linking.messages import DEFAULT_MESSAGES
from ride_hailer.prompts import linking_messages
from tests.skill.conftest import LINKED_TOKEN, card_type, load_envelope, speech

from .conftest import RESOURCE_TIMEOUT, Skill
from .fault_server import LWA_PATH, FaultServer

ME = "/api/v1/me"
APOLOGY = linking_messages()["en-US"].unavailable
RELINK = linking_messages()["en-US"].rejected
LWA_APOLOGY = DEFAULT_MESSAGES["en-US"].unavailable
LWA_RELINK = DEFAULT_MESSAGES["en-US"].rejected

#: Faults that say nothing about the token: an apology, never a LinkAccount card.
SERVER_FAULTS = [
    "refused", "reset", "stall", "trickle", "trickle_head", "503", "html", "wrong_shape", "401_proxy",
]


@dataclass(frozen=True)
class Case:
    """A request, the path whose call fails, and what the user hears when all is well."""

    fixture: str
    path: str
    success: str
    provider: str = "ride_hailer"


#: The link check itself (both profile providers), then each ride intent after it.
CASES = {
    "account_info": Case("account_info", ME, "Ada"),
    "account_info_lwa": Case("account_info", LWA_PATH, "Ada", provider="lwa"),
    "order_ride": Case("order_ride", "/api/v1/rides", "the airport is booked"),
    "ride_status": Case("ride_status", "/api/v1/rides/current", "the airport"),
    "cancel_ride": Case("cancel_ride", "/api/v1/rides/current/cancel", "cancelled"),
}


def _skill(make_skill_for: Callable[..., Skill], server: FaultServer, case: Case) -> Skill:
    return make_skill_for(server.url, profile_provider=case.provider, lwa_profile_url=server.url + LWA_PATH)


def _messages(case: Case) -> tuple[str, str]:
    return (LWA_APOLOGY, LWA_RELINK) if case.provider == "lwa" else (APOLOGY, RELINK)


def _timed(skill: Skill, event: dict[str, Any]) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    answer = skill(event)
    return answer, time.monotonic() - started


def _show(server: FaultServer, fault: str, path: str) -> None:
    if fault == "refused":
        server.refuse()
    else:
        server.fault(fault, path)


def _warm(skill: Skill, case: Case) -> None:
    """For a ride intent, verify the profile first (cached), so only the rides call fails."""
    if case.path not in (ME, LWA_PATH):
        assert "Ada" in speech(skill(load_envelope("account_info.linked", token=LINKED_TOKEN)))


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fault", SERVER_FAULTS)
def test_resource_server_fault_answers_apology_without_card_within_timeout(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], fault: str, case: str
) -> None:
    c = CASES[case]
    skill = _skill(make_skill_for, fault_server, c)
    _warm(skill, c)
    _show(fault_server, fault, c.path)

    answer, elapsed = _timed(skill, load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))

    assert speech(answer) == _messages(c)[0]
    assert card_type(answer) is None
    assert elapsed < RESOURCE_TIMEOUT + 1  # the outcome arrives rather than hanging


@pytest.mark.parametrize("case", sorted(CASES))
def test_rejected_token_answers_relink_card_within_timeout(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], case: str
) -> None:
    c = CASES[case]
    skill = _skill(make_skill_for, fault_server, c)
    _warm(skill, c)
    fault_server.fault("401_invalid_token", c.path)

    answer, elapsed = _timed(skill, load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))

    assert speech(answer) == _messages(c)[1]
    assert card_type(answer) == "LinkAccount"
    assert elapsed < RESOURCE_TIMEOUT + 1


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fault", SERVER_FAULTS + ["401_invalid_token"])
def test_failure_is_not_cached_and_next_request_succeeds_after_recovery(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], fault: str, case: str
) -> None:
    c = CASES[case]
    skill = _skill(make_skill_for, fault_server, c)
    _warm(skill, c)
    _show(fault_server, fault, c.path)
    event = load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN)
    assert speech(skill(event)) in _messages(c)
    profile_path = LWA_PATH if c.provider == "lwa" else ME
    calls_before = fault_server.calls[profile_path]

    fault_server.faults.clear()
    fault_server.resume()
    answer = skill(event)

    assert c.success in speech(answer)
    assert card_type(answer) is None
    if c.path == profile_path or fault == "401_invalid_token":
        # The failed (or rejected) lookup was not remembered: the skill asked again.
        assert fault_server.calls[profile_path] == calls_before + 1


@pytest.mark.parametrize("scope", ['<break time="9s"/>', "a&b", "x\x01y", "s" * 5000])
def test_missing_scope_named_by_the_server_is_spoken_as_well_formed_ssml(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], scope: str
) -> None:
    # A 403 insufficient_scope challenge names a scope the skill has no label for.
    from xml.etree import ElementTree

    skill = make_skill_for(fault_server.url)
    fault_server.insufficient_scope = scope
    fault_server.fault("403_insufficient_scope", "/api/v1/rides")
    _warm(skill, CASES["order_ride"])

    answer = skill(load_envelope("order_ride.linked", token=LINKED_TOKEN))

    assert card_type(answer) == "LinkAccount"
    ssml = answer["response"]["outputSpeech"]["ssml"]
    ElementTree.fromstring(ssml)
    assert "<break" not in ssml and len(ssml) < 1000


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("framing", ["ok_chunked", "ok_gzip"])
def test_chunked_or_gzip_answer_is_read_whole_within_the_deadline(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], framing: str, case: str
) -> None:
    # The body is streamed against a deadline: chunked framing and gzip must still decode.
    c = CASES[case]
    skill = _skill(make_skill_for, fault_server, c)
    _warm(skill, c)
    fault_server.fault(framing, c.path)

    answer = skill(load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))

    assert c.success in speech(answer)
    assert card_type(answer) is None


def test_fare_estimate_without_link_answers_apology_when_the_api_stalls(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill]
) -> None:
    skill = make_skill_for(fault_server.url)
    fault_server.fault("trickle", "/api/v1/fares/estimate")

    answer, elapsed = _timed(skill, load_envelope("fare_estimate.unlinked"))

    assert speech(answer) == APOLOGY
    assert card_type(answer) is None
    assert elapsed < RESOURCE_TIMEOUT + 1

    fault_server.faults.clear()
    assert "23.50 euros" in speech(skill(load_envelope("fare_estimate.unlinked")))
