"""AcceptGrant: the device cloud exchanges the code at LWA (stand-in) and keeps the Alexa tokens."""
from __future__ import annotations

import logging
from typing import Any, Callable

import pytest
import requests

from account_linking.smarthome import LwaTokenClient
from alexa_linkcheck.simulator.linking import TokenSet
from devstack.smarthome import MyLightsStack

from .conftest import ACCEPT_GRANT, error_type, real_directive


def _accept_grant(stack: MyLightsStack, skill: Any, token: str, code: str | None = None) -> dict[str, Any]:
    event = real_directive(ACCEPT_GRANT, token)
    event["directive"]["payload"]["grant"]["code"] = code or stack.lwa.issue_grant_code(stack.email)
    return skill.handle(event)


def _stored_grant(stack: MyLightsStack) -> Any:
    from my_lights_cloud.alexa import grant_of

    with stack.app.app_context():
        grant = grant_of(stack.user_id)
        return None if grant is None else (grant.access_token, grant.refresh_token)


def test_real_accept_grant_stores_alexa_tokens_for_the_grantee_user(stack: MyLightsStack, skill: Any,
                                                                     tokens: TokenSet) -> None:
    answer = _accept_grant(stack, skill, tokens.access_token)
    header = answer["event"]["header"]
    assert (header["namespace"], header["name"], answer["event"]["payload"]) == (
        "Alexa.Authorization", "AcceptGrant.Response", {})
    access, refresh = _stored_grant(stack)
    assert access.startswith("Atza|") and refresh.startswith("Atzr|")
    assert stack.lwa.is_live(access) == stack.email
    assert stack.lwa.calls == ["authorization_code"]


def test_alexa_tokens_are_stored_encrypted(stack: MyLightsStack, skill: Any, tokens: TokenSet) -> None:
    from sqlalchemy import text

    from ride_hailer_service.models import db

    _accept_grant(stack, skill, tokens.access_token)
    access, refresh = _stored_grant(stack)
    with stack.app.app_context():
        row = db.session.execute(text("SELECT access_token_sealed, refresh_token_sealed "
                                      "FROM my_lights_alexa_grants")).one()
    assert access not in row[0] and refresh not in row[1]


def test_used_grant_code_answers_accept_grant_failed_with_lwas_reason(stack: MyLightsStack, skill: Any,
                                                                      tokens: TokenSet) -> None:
    code = stack.lwa.issue_grant_code(stack.email)
    assert _accept_grant(stack, skill, tokens.access_token, code)["event"]["header"]["name"] == "AcceptGrant.Response"
    answer = _accept_grant(stack, skill, tokens.access_token, code)
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    assert "invalid_grant" in answer["event"]["payload"]["message"]


def test_wrong_messaging_secret_answers_accept_grant_failed_naming_the_credentials(
        stack: MyLightsStack, skill: Any, tokens: TokenSet) -> None:
    stack.app.config["ALEXA_CLIENT_SECRET"] = "not-the-messaging-secret"
    answer = _accept_grant(stack, skill, tokens.access_token)
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    message = answer["event"]["payload"]["message"]
    assert "invalid_client" in message and "Alexa Skill Messaging client id and secret" in message
    assert _stored_grant(stack) is None


def test_rejected_grantee_token_answers_accept_grant_failed(stack: MyLightsStack, skill: Any) -> None:
    answer = _accept_grant(stack, skill, "not-a-token")
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    assert "grantee token" in answer["event"]["payload"]["message"]
    assert stack.lwa.calls == []


def test_lwa_unreachable_answers_accept_grant_failed(stack: MyLightsStack, skill: Any, tokens: TokenSet) -> None:
    from .conftest import closed_port_url

    stack.app.config["LWA_TOKEN_URL"] = closed_port_url() + "/auth/o2/token"
    answer = _accept_grant(stack, skill, tokens.access_token)
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    assert "not reachable" in answer["event"]["payload"]["message"]


@pytest.mark.parametrize("grant", [None, {}, {"type": "OAuth2.AuthorizationCode"}, {"type": "Other", "code": "x"},
                                   {"type": "OAuth2.AuthorizationCode", "code": 5}])
def test_malformed_grant_answers_accept_grant_failed_and_calls_nobody(stack: MyLightsStack, skill: Any,
                                                                     tokens: TokenSet, grant: Any) -> None:
    event = real_directive(ACCEPT_GRANT, tokens.access_token)
    event["directive"]["payload"]["grant"] = grant
    answer = skill.handle(event)
    assert answer["event"]["header"]["namespace"] == "Alexa.Authorization"
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    assert "OAuth2.AuthorizationCode" in answer["event"]["payload"]["message"]
    assert stack.lwa.calls == []


def test_grant_endpoint_refuses_bad_bodies_with_400(stack: MyLightsStack, tokens: TokenSet) -> None:
    for body in ({}, {"code": ""}, {"code": 3}, ["x"]):
        response = requests.post(stack.cloud_url + "/api/home/v1/alexa/grant", json=body, timeout=5,
                                 headers={"Authorization": f"Bearer {tokens.access_token}"})
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"


def test_messaging_secret_never_in_logs_answers_or_repr(stack: MyLightsStack, skill: Any, tokens: TokenSet,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stack.app.config["ALEXA_CLIENT_SECRET"] = wrong = "wrong-secret-" + "x" * 20
    answer = _accept_grant(stack, skill, tokens.access_token)
    stack.app.config["ALEXA_CLIENT_SECRET"] = stack.messaging_secret
    _accept_grant(stack, skill, tokens.access_token)
    client = LwaTokenClient(requests.Session(), "id", stack.messaging_secret)
    for secret in (wrong, stack.messaging_secret):
        assert secret not in caplog.text
        assert secret not in str(answer)
        assert secret not in repr(client)
    access, refresh = _stored_grant(stack)
    assert access not in caplog.text and refresh not in caplog.text


def test_device_cloud_without_messaging_credentials_answers_accept_grant_failed_naming_the_settings(
        stack: MyLightsStack, skill: Any, tokens: TokenSet) -> None:
    stack.app.config["ALEXA_CLIENT_SECRET"] = None
    answer = _accept_grant(stack, skill, tokens.access_token)
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    assert "MY_LIGHTS_ALEXA_CLIENT_SECRET" in answer["event"]["payload"]["message"]


@pytest.mark.parametrize("key", ["LWA_TOKEN_URL", "ALEXA_EVENT_GATEWAY_URL"])
def test_device_cloud_refuses_plain_http_to_amazon(key: str) -> None:
    from my_lights_cloud import create_app
    from ride_hailer_service.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=key):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://",
                    key: "http://api.amazon.com/auth/o2/token"})
