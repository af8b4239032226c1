"""Fixtures for the skill tests: envelopes, a real resource server, a built skill."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
import requests

from ride_hailer.settings import SkillSettings
from ride_hailer.skill import build_skill_builder

from devstack.resource_server import LWA_PATH, ResourceServer

FIXTURES = Path(__file__).parent / "fixtures"
LINKED_TOKEN = "linked-user-access-token"
LOCALES = ("en-US", "en-GB", "de-DE")
PROVIDERS = ("ride_hailer", "lwa")
#: Short resource timeout so that stall tests finish quickly.
TEST_TIMEOUT = 0.5


def load_envelope(name: str, locale: Optional[str] = "en-US", token: Optional[str] = None) -> dict[str, Any]:
    """Fixture ``<name>.json``; ``locale`` and ``token`` replace the fixture's (linked ones)."""
    envelope: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    envelope = copy.deepcopy(envelope)
    if locale is not None and "locale" in envelope["request"]:
        envelope["request"]["locale"] = locale
    if token is not None:
        for user in (envelope["context"]["System"]["user"], envelope.get("session", {}).get("user")):
            if user is not None and "accessToken" in user:
                user["accessToken"] = token
    return envelope


def speech(response: dict[str, Any]) -> str:
    """The text the user hears."""
    ssml: str = response["response"]["outputSpeech"]["ssml"]
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


def card_type(response: dict[str, Any]) -> Optional[str]:
    """The card type in the response, if any."""
    card = response["response"].get("card")
    return None if card is None else card["type"]


@pytest.fixture
def server() -> Iterator[ResourceServer]:
    srv = ResourceServer().start()
    yield srv
    srv.stop()


Skill = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def make_skill(server: ResourceServer) -> Iterator[Callable[..., Skill]]:
    """Build the skill against the local resource server; keyword args override settings."""
    sessions: list[requests.Session] = []

    def make(provider: str = "ride_hailer", **overrides: Any) -> Skill:
        values: dict[str, Any] = dict(
            ride_hailer_api_url=server.url,
            profile_provider=provider,
            lwa_profile_url=server.url + LWA_PATH,
            linking_cache_ttl=300.0,
            resource_timeout=TEST_TIMEOUT,
        )
        values.update(overrides)
        session = requests.Session()
        sessions.append(session)
        handler = build_skill_builder(SkillSettings(**values), session=session).lambda_handler()
        return lambda event: handler(event, None)  # type: ignore[no-any-return]

    yield make
    for session in sessions:
        session.close()


def profile_path(provider: str) -> str:
    """The path the profile client of ``provider`` calls."""
    return "/api/v1/me" if provider == "ride_hailer" else LWA_PATH
