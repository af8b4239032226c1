"""RESOURCE_TIMEOUT is one budget for all resource calls of a request (issue 8, suite 2).

A ride intent with a cold profile cache makes two calls in a row: the profile lookup
(linking check), then the rides API. Both share the request's budget, so the answer
comes within RESOURCE_TIMEOUT + 1 s of the request's start however the time is split,
and a call with no time left is not sent at all. Real servers on 127.0.0.1.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import pytest

from tests.skill.conftest import LINKED_TOKEN, card_type, load_envelope, speech

from .conftest import RESOURCE_TIMEOUT, Skill
from .fault_server import FaultServer
from .test_resource_faults import APOLOGY, CASES

ME = "/api/v1/me"
RIDE_CASES = ["order_ride", "ride_status", "cancel_ride"]
#: A budget long enough that a slow profile lookup plus a full per-call timeout for the
#: rides call (the old behaviour) would overrun the RESOURCE_TIMEOUT + 1 s bound.
LONG_BUDGET = 2.0


class SteppedClock:
    """Monotonic time plus whatever the test adds (time spent "elsewhere")."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds


@pytest.mark.parametrize("case", RIDE_CASES)
def test_cold_cache_slow_profile_then_stalled_rides_call_answers_apology_within_the_budget(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], case: str
) -> None:
    # The profile answers fine but late (3/4 of the budget); the rides call then stalls.
    c = CASES[case]
    skill = make_skill_for(fault_server.url, resource_timeout=LONG_BUDGET)
    fault_server.slow_delay = 0.75 * LONG_BUDGET
    fault_server.fault("slow", ME)
    fault_server.fault("stall", c.path)

    started = time.monotonic()
    answer = skill(load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))
    elapsed = time.monotonic() - started

    assert speech(answer) == APOLOGY
    assert card_type(answer) is None
    assert fault_server.calls[ME] == 1 and fault_server.calls[c.path] == 1
    assert elapsed < LONG_BUDGET + 1  # one budget for both calls, not one each


@pytest.mark.parametrize("case", RIDE_CASES)
def test_budget_spent_by_the_profile_lookup_means_the_rides_call_is_never_sent(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], case: str
) -> None:
    # The profile lookup succeeds, but by the time it is done the budget is gone.
    c = CASES[case]
    clock = SteppedClock()
    skill = make_skill_for(fault_server.url, clock=clock)

    def spend_budget(method: str, path: str) -> None:
        if path == ME:
            clock.advance(RESOURCE_TIMEOUT + 0.01)

    fault_server.on_request = spend_budget

    answer = skill(load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))

    assert speech(answer) == APOLOGY
    assert card_type(answer) is None
    assert fault_server.calls[ME] == 1
    assert fault_server.calls[c.path] == 0  # not even attempted

    # The profile was verified and cached; the next request has a fresh budget.
    fault_server.on_request = None
    answer = skill(load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))
    assert c.success in speech(answer)
    assert fault_server.calls[ME] == 1 and fault_server.calls[c.path] == 1


@pytest.mark.parametrize("case", RIDE_CASES)
def test_cold_cache_slow_profile_within_the_budget_still_completes_the_ride_request(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill], case: str
) -> None:
    c = CASES[case]
    skill = make_skill_for(fault_server.url)
    fault_server.slow_delay = 0.6 * RESOURCE_TIMEOUT
    fault_server.fault("slow", ME)

    answer = skill(load_envelope(f"{c.fixture}.linked", token=LINKED_TOKEN))

    assert c.success in speech(answer)
    assert card_type(answer) is None
    assert fault_server.calls[ME] == 1 and fault_server.calls[c.path] == 1


def test_each_request_gets_a_fresh_budget(
    fault_server: FaultServer, make_skill_for: Callable[..., Skill]
) -> None:
    # Requests one after another in a warm skill: the budget does not carry over.
    skill = make_skill_for(fault_server.url)
    fault_server.slow_delay = 0.6 * RESOURCE_TIMEOUT
    fault_server.fault("slow")
    for _ in range(3):
        answer = skill(load_envelope("fare_estimate.unlinked"))
        assert "23.50 euros" in speech(answer)
    assert fault_server.calls["/api/v1/fares/estimate"] == 3
