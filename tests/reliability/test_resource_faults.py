"""Resource-server faults give the right answer within RESOURCE_TIMEOUT + 1 s (issue 8, suite 2).

Every fault is shown by a real server on 127.0.0.1 (tests/reliability/fault_server.py),
through the real skill handler, for a request that needs a link (AccountInfoIntent: the
profile lookup fails) and for a ride order (OrderRideIntent: the profile is fine, the
rides call fails).
"""
from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from ride_hailer.prompts import linking_messages
from tests.skill.conftest import LINKED_TOKEN, card_type, load_envelope, speech

from .conftest import RESOURCE_TIMEOUT, Skill
from .fault_server import FaultServer

ME = "/api/v1/me"
RIDES = "/api/v1/rides"
APOLOGY = linking_messages()["en-US"].unavailable
RELINK = linking_messages()["en-US"].rejected
ACCOUNT_INFO = "Ada"  # the linked user's name, in the account-info answer
RIDE_ORDERED = "the airport"

#: Faults that say nothing about the token: an apology, never a LinkAccount card.
SERVER_FAULTS = ["refused", "reset", "stall", "trickle", "503", "html", "wrong_shape", "401_proxy"]
#: Path that fails for each intent (the ride order's profile lookup succeeds).
INTENTS = {"account_info": ME, "order_ride": RIDES}


def _timed(skill: Skill, event: dict[str, Any]) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    answer = skill(event)
    return answer, time.monotonic() - started


def _show(server: FaultServer, fault: str, path: str) -> None:
    if fault == "refused":
        server.refuse()
    else:
        server.fault(fault, path)


def _warm(skill: Skill, intent: str) -> None:
    """For a ride order, verify the profile first (cached), so only the rides call fails."""
    if intent == "order_ride":
        assert ACCOUNT_INFO in speech(skill(load_envelope("account_info.linked", token=LINKED_TOKEN)))


@pytest.mark.parametrize("intent", sorted(INTENTS))
@pytest.mark.parametrize("fault", SERVER_FAULTS)
def test_resource_server_fault_answers_apology_without_card_within_timeout(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], fault: str, intent: str
) -> None:
    skill = make_skill_for(fault_server.url)
    _warm(skill, intent)
    _show(fault_server, fault, INTENTS[intent])

    answer, elapsed = _timed(skill, load_envelope(f"{intent}.linked", token=LINKED_TOKEN))

    assert speech(answer) == APOLOGY
    assert card_type(answer) is None
    assert elapsed < RESOURCE_TIMEOUT + 1  # the outcome arrives rather than hanging


@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_rejected_token_answers_relink_card_within_timeout(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], intent: str
) -> None:
    skill = make_skill_for(fault_server.url)
    _warm(skill, intent)
    fault_server.fault("401_invalid_token", INTENTS[intent])

    answer, elapsed = _timed(skill, load_envelope(f"{intent}.linked", token=LINKED_TOKEN))

    assert speech(answer) == RELINK
    assert card_type(answer) == "LinkAccount"
    assert elapsed < RESOURCE_TIMEOUT + 1


@pytest.mark.parametrize("intent", sorted(INTENTS))
@pytest.mark.parametrize("fault", SERVER_FAULTS + ["401_invalid_token"])
def test_failure_is_not_cached_and_next_request_succeeds_after_recovery(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], fault: str, intent: str
) -> None:
    skill = make_skill_for(fault_server.url)
    _warm(skill, intent)
    _show(fault_server, fault, INTENTS[intent])
    event = load_envelope(f"{intent}.linked", token=LINKED_TOKEN)
    assert speech(skill(event)) in (APOLOGY, RELINK)
    calls_before = fault_server.calls[ME]

    fault_server.faults.clear()
    fault_server.resume()
    answer = skill(event)

    expected = ACCOUNT_INFO if intent == "account_info" else RIDE_ORDERED
    assert expected in speech(answer)
    assert card_type(answer) is None
    if intent == "account_info" or fault == "401_invalid_token":
        # The failed (or rejected) lookup was not remembered: the skill asked again.
        assert fault_server.calls[ME] == calls_before + 1
