"""Fixtures of the reliability suites: hypothesis profiles, fault servers, the skill."""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Iterator

import pytest
import requests
from hypothesis import HealthCheck, settings

from ride_hailer.settings import SkillSettings
from ride_hailer.skill import build_skill_builder

from .fault_server import FaultServer

#: ``make test`` runs the bounded profile; ``make soak`` sets HYPOTHESIS_PROFILE=soak.
settings.register_profile(
    "reliability", max_examples=200, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "soak", max_examples=5000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reliability"))

#: Small RESOURCE_TIMEOUT, so that fault tests finish quickly.
RESOURCE_TIMEOUT = 0.5

Skill = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


@pytest.fixture
def make_skill_for() -> Iterator[Callable[..., Skill]]:
    """Build the real skill (Lambda handler) against a base URL; keyword args override settings.

    ``clock`` is the monotonic clock the skill measures each request's budget on.
    """
    sessions: list[requests.Session] = []

    def make(url: str, clock: Callable[[], float] = time.monotonic, **overrides: Any) -> Skill:
        values: dict[str, Any] = dict(
            ride_hailer_api_url=url, linking_cache_ttl=300.0, resource_timeout=RESOURCE_TIMEOUT,
        )
        values.update(overrides)
        session = requests.Session()
        sessions.append(session)
        handler = build_skill_builder(SkillSettings(**values), session=session, clock=clock).lambda_handler()
        return lambda event: handler(event, None)  # type: ignore[no-any-return]

    yield make
    for session in sessions:
        session.close()
