"""Fixtures: My Lights' device cloud on a real server (SQLite; PostgreSQL with TEST_DATABASE_URL),
the LWA and event gateway stand-ins on 127.0.0.1, a linked user, and the My Lights Lambda."""
from __future__ import annotations

import contextlib
import copy
import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

from devstack.database import postgres_schema
from devstack.servers import StallingServer, free_port
from devstack.smarthome import MY_LIGHTS, MyLightsStack, add_example_paths

from alexa_linkcheck.simulator.linking import LinkingConfig, TokenSet, link_account

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _my_lights_on_the_path() -> Iterator[None]:
    """My Lights' cloud and Lambda are importable during these tests only: its top-level
    ``lambda_function`` must never shadow another skill's in the rest of the suite."""
    saved = list(sys.path)
    add_example_paths()
    yield
    sys.path[:] = saved
    for name, module in list(sys.modules.items()):
        if name == "lambda_function" and str(getattr(module, "__file__", "")).startswith(str(MY_LIGHTS)):
            del sys.modules[name]
#: The shared folder beside the repository (read-only): ../shared, else /work/shared.
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()), ROOT.parent / "shared")
REAL_REQUESTS = SHARED / "real-alexa" / "requests"
DISCOVER = "alexa-smarthome__Discovery.request.json"
TURN_ON = "alexa-smarthome__PowerController.TurnOn.request.json"
ACCEPT_GRANT = "alexa-smarthome__Authorization.AcceptGrant.request.json"
REAL_DIRECTIVES = (DISCOVER, TURN_ON, ACCEPT_GRANT)
KITCHEN = "kitchen-light"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def real_directive(name: str, token: str | None = None, endpoint_id: str | None = None) -> dict[str, Any]:
    """A real Alexa directive from ../shared, with the user's token (and endpoint) put in."""
    event: dict[str, Any] = copy.deepcopy(json.loads((REAL_REQUESTS / name).read_text()))
    directive = event["directive"]
    for scope in ((directive.get("endpoint") or {}).get("scope"), directive["payload"].get("scope"),
                  directive["payload"].get("grantee")):
        if scope is not None and token is not None:
            scope["token"] = token
    if endpoint_id is not None:
        directive["endpoint"]["endpointId"] = endpoint_id
    return event


def controller(namespace: str, name: str, token: str, endpoint_id: str = KITCHEN,
               payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """A controller directive shaped like the real TurnOn one."""
    event = real_directive(TURN_ON, token, endpoint_id)
    header = event["directive"]["header"]
    header.update(namespace=namespace, name=name, messageId=str(uuid.uuid4()))
    event["directive"]["payload"] = payload or {}
    return event


def error_type(answer: dict[str, Any]) -> str | None:
    """The ErrorResponse type of an answer, None when it is not an ErrorResponse."""
    event = answer["event"]
    return event["payload"]["type"] if event["header"]["name"] == "ErrorResponse" else None


@contextlib.contextmanager
def _no_server_errors(stack: MyLightsStack) -> Iterator[MyLightsStack]:
    """Fail the test if the device cloud answered any request with a 5xx."""
    from flask import request_finished

    statuses: list[tuple[str, int]] = []

    def record(sender: Any, response: Any, **extra: Any) -> None:
        from flask import request

        statuses.append((request.path, response.status_code))

    request_finished.connect(record, stack.app)
    yield stack
    request_finished.disconnect(record, stack.app)
    errors = [(path, status) for path, status in statuses if status >= 500 and status != 502]
    assert not errors, f"the device cloud answered with a server error: {errors}"


@pytest.fixture(params=BACKENDS)
def stack(request: pytest.FixtureRequest) -> Iterator[MyLightsStack]:
    """A fresh device cloud (with a kitchen and a hallway light) and Amazon's side; no 5xx allowed
    (502 is the grant URL's documented answer when LWA refuses)."""
    if request.param == "sqlite":
        with MyLightsStack() as running, _no_server_errors(running):
            yield running
        return
    url = os.environ["TEST_DATABASE_URL"]
    with postgres_schema(url, "test_smarthome") as schema:
        with MyLightsStack(database_url=url, schema=schema) as running, _no_server_errors(running):
            yield running


def linking_config(stack: MyLightsStack) -> LinkingConfig:
    """What Alexa knows about My Lights' account linking, pointed at the local device cloud."""
    return LinkingConfig(stack.cloud_url + "/oauth/authorize", stack.cloud_url + "/oauth/token",
                         stack.client_id, stack.client_secret, stack.vendor_id, scopes=("lights",))


@pytest.fixture
def tokens(stack: MyLightsStack) -> TokenSet:
    """The user linked through the real login page and code exchange (as the Alexa app does)."""
    return link_account(linking_config(stack), stack.email, stack.password)


@pytest.fixture
def make_skill(stack: MyLightsStack) -> Callable[..., Any]:
    """Build the My Lights Lambda's skill against a device cloud URL (the stack's by default)."""
    from my_lights.settings import LightsSettings
    from my_lights.skill import build_skill

    def make(api_url: str | None = None, timeout: float = 2.0) -> Any:
        return build_skill(LightsSettings(api_url=api_url or stack.cloud_url, cache_ttl=300, timeout=timeout))

    return make


@pytest.fixture
def skill(make_skill: Callable[..., Any]) -> Any:
    return make_skill()


@pytest.fixture
def granted(stack: MyLightsStack, skill: Any, tokens: TokenSet) -> TokenSet:
    """Linked, and AcceptGrant answered: the device cloud holds the user's Alexa tokens."""
    event = real_directive(ACCEPT_GRANT, tokens.access_token)
    event["directive"]["payload"]["grant"]["code"] = stack.lwa.issue_grant_code(stack.email)
    answer = skill.handle(event)
    assert answer["event"]["header"]["name"] == "AcceptGrant.Response", answer
    return tokens


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def stalling_server() -> Iterator[StallingServer]:
    server = StallingServer()
    yield server
    server.close()

