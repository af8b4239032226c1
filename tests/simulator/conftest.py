"""Fixtures: a tmp ASK project with a real ASK SDK skill, and a real OAuth server in a thread."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from alexa_linkcheck.simulator import Conversation, LambdaTarget, LinkingConfig
from alexa_linkcheck.simulator.clock import SimulatorClock

from .oauth_server import OAuthServer, OAuthState

HERE = Path(__file__).resolve().parent
VENDOR_ID = "M0TEST"

EN_MODEL: dict[str, Any] = {"interactionModel": {"languageModel": {
    "invocationName": "test taxi",
    "intents": [
        {"name": "CountIntent", "slots": [], "samples": ["count", "count again", "add one"]},
        {"name": "CrashIntent", "slots": [], "samples": ["crash"]},
        {"name": "OrderRideIntent",
         "slots": [{"name": "destination", "type": "DESTINATION", "samples": ["{destination}", "to {destination}"]}],
         "samples": ["order a ride to {destination}", "take me to {destination}", "order a ride",
                     "i want to go to {destination}"]},
        {"name": "FareEstimateIntent", "slots": [{"name": "city", "type": "AMAZON.City"}],
         "samples": ["how much is a ride to {city}", "how much is a ride to the airport"]},
        {"name": "AMAZON.StopIntent", "samples": []},
        {"name": "AMAZON.CancelIntent", "samples": []},
        {"name": "AMAZON.HelpIntent", "samples": []},
        {"name": "AMAZON.FallbackIntent", "samples": []},
        {"name": "AMAZON.NavigateHomeIntent", "samples": []},
    ],
    "types": [{"name": "DESTINATION", "values": [
        {"id": "AIRPORT", "name": {"value": "airport", "synonyms": ["the airport", "terminal one"]}},
        {"id": "STATION", "name": {"value": "central station", "synonyms": ["the train station"]}},
    ]}],
}, "dialog": {"delegationStrategy": "SKILL_RESPONSE", "intents": [
    {"name": "OrderRideIntent", "confirmationRequired": False, "prompts": {},
     "slots": [{"name": "destination", "type": "DESTINATION", "elicitationRequired": False, "prompts": {}}]},
]}}}

DE_MODEL: dict[str, Any] = {"interactionModel": {"languageModel": {
    "invocationName": "test taxi",
    "intents": [
        {"name": "OrderRideIntent", "slots": [{"name": "destination", "type": "DESTINATION"}],
         "samples": ["bestelle eine fahrt zum {destination}", "bring mich zum {destination}"]},
        {"name": "AMAZON.StopIntent", "samples": []},
        {"name": "AMAZON.HelpIntent", "samples": []},
        {"name": "AMAZON.FallbackIntent", "samples": []},
    ],
    "types": [{"name": "DESTINATION", "values": [
        {"id": "AIRPORT", "name": {"value": "Flughafen", "synonyms": ["airport"]}},
    ]}],
}}}


def write_project(root: Path, scheme: str = "HTTP_BASIC") -> Path:
    """An ASK CLI v2 project: ask-resources.json, lambda/ with the test skill, skill-package/."""
    (root / "lambda").mkdir(parents=True)
    shutil.copy(HERE / "skill_lambda_function.py", root / "lambda" / "lambda_function.py")
    models = root / "skill-package" / "interactionModels" / "custom"
    models.mkdir(parents=True)
    (models / "en-US.json").write_text(json.dumps(EN_MODEL))
    (models / "en-GB.json").write_text(json.dumps(EN_MODEL))
    (models / "de-DE.json").write_text(json.dumps(DE_MODEL), encoding="utf-8")
    (root / "skill-package" / "accountLinking.json").write_text(json.dumps({"accountLinkingRequest": {
        "type": "AUTH_CODE",
        "authorizationUrl": "https://auth.example.com/oauth/authorize",
        "accessTokenUrl": "https://auth.example.com/oauth/token",
        "clientId": "alexa-skill",
        "accessTokenScheme": scheme,
        "scopes": ["profile", "rides:read", "rides:write"],
        "domains": [],
        "defaultTokenExpirationInSeconds": 3600,
        "skipOnEnablement": True,
    }}))
    (root / "skill-package" / "skill.json").write_text(json.dumps({"manifest": {
        "manifestVersion": "1.0",
        "apis": {"custom": {}},
        "events": {"subscriptions": [{"eventName": "SKILL_ACCOUNT_LINKED"}, {"eventName": "SKILL_DISABLED"}]},
    }}))
    (root / "ask-resources.json").write_text(json.dumps({
        "askcliResourcesVersion": "2020-03-31",
        "profiles": {"default": {"skillMetadata": {"src": "./skill-package"},
                                 "code": {"default": {"src": "./lambda"}}}}}))
    return root


@pytest.fixture(autouse=True)
def _restore_import_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """LambdaTarget puts the code folder first on sys.path and imports the skill; undo both so
    other tests' imports stay clean (skills in packages are imported by their own names)."""
    path = list(sys.path)
    temporary = str(tmp_path_factory.getbasetemp())
    yield
    sys.path[:] = path
    for name in list(sys.modules):
        loaded_from = str(getattr(sys.modules[name], "__file__", None) or "")
        if name.startswith("_linkcheck_skill_") or loaded_from.startswith(temporary):
            del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


@pytest.fixture
def oauth_state() -> OAuthState:
    return OAuthState(redirect_uri=f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}")


@pytest.fixture
def oauth_server(oauth_state: OAuthState) -> Iterator[OAuthServer]:
    with OAuthServer(oauth_state) as server:
        yield server


@pytest.fixture
def events_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oauth_server: OAuthServer) -> Path:
    """Environment of the test skill: its resource server and where it records events."""
    path = tmp_path / "events.jsonl"
    path.touch()
    monkeypatch.setenv("TEST_EVENTS_FILE", str(path))
    monkeypatch.setenv("TEST_API_URL", oauth_server.url)
    return path


def recorded_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def linking_config(project: Path, oauth_server: OAuthServer, oauth_state: OAuthState) -> LinkingConfig:
    return LinkingConfig.from_account_linking_file(
        project / "skill-package" / "accountLinking.json", vendor_id=VENDOR_ID,
        client_secret=oauth_state.client_secret,
        authorization_url=oauth_server.url + "/oauth/authorize", token_url=oauth_server.url + "/oauth/token")


@pytest.fixture
def make_conversation(project: Path, linking_config: LinkingConfig, events_file: Path) -> Callable[..., Conversation]:
    def make(**overrides: Any) -> Conversation:
        options: dict[str, Any] = {
            "linking_config": linking_config,
            "credentials": ("rider@example.com", "correct horse"),
            "clock": SimulatorClock(),
        }
        options.update(overrides)
        return Conversation(LambdaTarget(project / "lambda"), project / "skill-package", **options)
    return make
