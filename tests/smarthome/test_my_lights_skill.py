"""The My Lights Lambda against its real device cloud: the real directives, up and down."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
import requests
from sqlalchemy import update

from alexa_linkcheck.simulator.linking import TokenSet, revoke
from devstack.servers import StallingServer
from devstack.smarthome import MyLightsStack

from .conftest import (
    ACCEPT_GRANT,
    DISCOVER,
    KITCHEN,
    REAL_DIRECTIVES,
    TURN_ON,
    closed_port_url,
    controller,
    error_type,
    linking_config,
    real_directive,
)


def _light(stack: MyLightsStack, tokens: TokenSet, endpoint_id: str = KITCHEN) -> dict[str, Any]:
    response = requests.get(f"{stack.cloud_url}/api/home/v1/lights/{endpoint_id}",
                            headers={"Authorization": f"Bearer {tokens.access_token}"}, timeout=5)
    assert response.status_code == 200
    return response.json()


def _properties(answer: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["value"] for p in answer["context"]["properties"]}


def test_real_discovery_directive_lists_the_lights_on_the_users_hub(skill: Any, tokens: TokenSet) -> None:
    answer = skill.handle(real_directive(DISCOVER, tokens.access_token))["event"]
    assert (answer["header"]["namespace"], answer["header"]["name"]) == ("Alexa.Discovery", "Discover.Response")
    endpoints = {e["friendlyName"]: e for e in answer["payload"]["endpoints"]}
    assert set(endpoints) == {"Kitchen light", "Hallway light"}
    interfaces = {c["interface"] for c in endpoints["Kitchen light"]["capabilities"]}
    assert {"Alexa.PowerController", "Alexa.BrightnessController"} <= interfaces
    assert endpoints["Kitchen light"]["displayCategories"] == ["LIGHT"]


def test_real_turn_on_directive_switches_the_kitchen_light_on(stack: MyLightsStack, skill: Any,
                                                              tokens: TokenSet) -> None:
    event = real_directive(TURN_ON, tokens.access_token, endpoint_id=KITCHEN)
    answer = skill.handle(event)
    assert answer["event"]["header"]["name"] == "Response"
    assert answer["event"]["header"]["correlationToken"] == event["directive"]["header"]["correlationToken"]
    assert answer["event"]["endpoint"]["endpointId"] == KITCHEN
    assert _properties(answer)["powerState"] == "ON"
    assert _light(stack, tokens)["power"] == "ON"


def test_real_turn_on_directive_for_an_unknown_device_answers_no_such_endpoint(skill: Any, tokens: TokenSet) -> None:
    assert error_type(skill.handle(real_directive(TURN_ON, tokens.access_token))) == "NO_SUCH_ENDPOINT"


def test_dim_the_kitchen_light_to_30_percent(stack: MyLightsStack, skill: Any, tokens: TokenSet) -> None:
    answer = skill.handle(controller("Alexa.BrightnessController", "SetBrightness", tokens.access_token,
                                     payload={"brightness": 30}))
    assert _properties(answer)["brightness"] == 30
    assert _light(stack, tokens)["brightness"] == 30


def test_adjust_brightness_is_clamped_to_the_lights_range(stack: MyLightsStack, skill: Any, tokens: TokenSet) -> None:
    answer = skill.handle(controller("Alexa.BrightnessController", "AdjustBrightness", tokens.access_token,
                                     payload={"brightnessDelta": 25}))
    assert _properties(answer)["brightness"] == 100


@pytest.mark.parametrize("value", [130, -1, "30", None, True])
def test_brightness_outside_0_to_100_answers_value_out_of_range_and_changes_nothing(
        stack: MyLightsStack, skill: Any, tokens: TokenSet, value: Any) -> None:
    answer = skill.handle(controller("Alexa.BrightnessController", "SetBrightness", tokens.access_token,
                                     payload={"brightness": value}))
    assert error_type(answer) == "VALUE_OUT_OF_RANGE"
    assert _light(stack, tokens)["brightness"] == 100


def test_turn_off_and_report_state(skill: Any, tokens: TokenSet) -> None:
    skill.handle(controller("Alexa.PowerController", "TurnOn", tokens.access_token))
    skill.handle(controller("Alexa.PowerController", "TurnOff", tokens.access_token))
    answer = skill.handle(controller("Alexa", "ReportState", tokens.access_token))
    assert answer["event"]["header"]["name"] == "StateReport"
    assert _properties(answer)["powerState"] == "OFF"


def test_unknown_token_answers_invalid_authorization_credential(skill: Any, tokens: TokenSet) -> None:
    for name in (DISCOVER, TURN_ON):
        assert error_type(skill.handle(real_directive(name, "not-a-token"))) == "INVALID_AUTHORIZATION_CREDENTIAL"


def test_revoked_link_answers_invalid_authorization_credential(stack: MyLightsStack, make_skill: Callable[..., Any],
                                                               tokens: TokenSet) -> None:
    revoke(linking_config(stack), stack.cloud_url + "/oauth/revoke", tokens.refresh_token or "")
    answer = make_skill().handle(controller("Alexa.PowerController", "TurnOn", tokens.access_token))
    assert error_type(answer) == "INVALID_AUTHORIZATION_CREDENTIAL"


def test_expired_token_answers_expired_authorization_credential(stack: MyLightsStack, skill: Any,
                                                                tokens: TokenSet) -> None:
    from ride_hailer_service.models import Token, db

    with stack.app.app_context():
        db.session.execute(update(Token).values(issued_at=dt.datetime(2020, 1, 1)))
        db.session.commit()
    answer = skill.handle(controller("Alexa.PowerController", "TurnOn", tokens.access_token))
    assert error_type(answer) == "EXPIRED_AUTHORIZATION_CREDENTIAL"


def test_a_token_rejected_mid_request_is_not_served_from_the_cache(stack: MyLightsStack, skill: Any,
                                                                  tokens: TokenSet) -> None:
    assert skill.handle(controller("Alexa", "ReportState", tokens.access_token))["event"]["header"]["name"] == "StateReport"
    revoke(linking_config(stack), stack.cloud_url + "/oauth/revoke", tokens.refresh_token or "")
    first = skill.handle(controller("Alexa", "ReportState", tokens.access_token))
    assert error_type(first) == "INVALID_AUTHORIZATION_CREDENTIAL"
    assert len(skill.resolver.cache) == 0


@pytest.mark.parametrize("name", REAL_DIRECTIVES)
def test_real_directives_with_the_cloud_down_never_answer_a_credential_error(
        make_skill: Callable[..., Any], name: str) -> None:
    answer = make_skill(closed_port_url()).handle(real_directive(name))
    if name == ACCEPT_GRANT:
        assert answer["event"]["header"]["namespace"] == "Alexa.Authorization"
        assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    else:
        assert error_type(answer) == "BRIDGE_UNREACHABLE"


@pytest.mark.parametrize("name", REAL_DIRECTIVES)
def test_real_directives_with_a_hanging_cloud_answer_an_outage_within_the_budget(
        make_skill: Callable[..., Any], stalling_server: StallingServer, name: str) -> None:
    answer = make_skill(stalling_server.url, timeout=0.3).handle(real_directive(name))
    assert error_type(answer) in ("BRIDGE_UNREACHABLE", "ACCEPT_GRANT_FAILED")


def test_cloud_going_down_after_linking_answers_bridge_unreachable_not_a_relink(
        stack: MyLightsStack, make_skill: Callable[..., Any], tokens: TokenSet) -> None:
    skill = make_skill()
    assert skill.handle(real_directive(DISCOVER, tokens.access_token))["event"]["header"]["name"] == "Discover.Response"
    stack.stop_cloud()
    answer = skill.handle(controller("Alexa.PowerController", "TurnOn", tokens.access_token))
    assert error_type(answer) == "BRIDGE_UNREACHABLE"
