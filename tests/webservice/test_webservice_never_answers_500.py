"""The host never answers 500: foreign requests for a skill with its own id, broken skills."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from account_linking.messages import DEFAULT_APOLOGIES
from account_linking.safety import RESPONSE_VERSION
from account_linking.webservice import ConfigurationError
from webservice import create_app
from devstack.servers import ChainServer
from webservice_support import SKILL_ID, BareSkill, Host, Pki, body_of, envelope, \
    signed_headers


def _host_of_builder_with_own_skill_id(
    pki: Pki, chain_server: ChainServer, **config: Any
) -> Host:
    skill = BareSkill()
    builder = skill.builder()
    builder.skill_id = SKILL_ID
    settings = {
        "WEBSERVICE_ENV": "development",
        "ALEXA_CERT_FETCH_URL_OVERRIDE": chain_server.url,
        "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(pki.anchors_file),
        **config,
    }
    app = create_app(builder, config=settings, environ={})
    return Host(skill=skill, client=app.test_client(), app=app)


def test_foreign_request_for_a_builder_with_its_own_skill_id_gets_400_not_500(
    pki: Pki, chain_server: ChainServer
) -> None:
    host = _host_of_builder_with_own_skill_id(pki, chain_server)
    body = body_of(envelope(skill_id="amzn1.ask.skill.someone-else"))
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "skill_id_mismatch"
    assert host.skill.calls == 0


def test_request_for_a_builder_with_its_own_skill_id_is_answered(
    pki: Pki, chain_server: ChainServer
) -> None:
    host = _host_of_builder_with_own_skill_id(pki, chain_server)
    body = body_of(envelope(skill_id=SKILL_ID))
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 200
    assert host.skill.launch.calls == 1


def test_request_without_context_application_for_skill_with_own_id_gets_400(
    pki: Pki, chain_server: ChainServer
) -> None:
    host = _host_of_builder_with_own_skill_id(pki, chain_server)
    data = envelope(skill_id=SKILL_ID)
    del data["context"]["System"]["application"]
    body = body_of(data)
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "skill_id_mismatch"
    assert host.skill.calls == 0


def test_host_refuses_to_start_when_skill_id_setting_contradicts_the_skill(
    pki: Pki, chain_server: ChainServer
) -> None:
    with pytest.raises(ConfigurationError, match="SKILL_ID"):
        _host_of_builder_with_own_skill_id(
            pki, chain_server, SKILL_ID="amzn1.ask.skill.another-one"
        )


def _failing_request(locale: str) -> dict[str, Any]:
    """A request the bare skill cannot answer: it has no handler for intents (the SDK raises)."""
    data = envelope()
    data["request"]["type"] = "IntentRequest"
    data["request"]["intent"] = {"name": "NoSuchIntent", "confirmationStatus": "NONE"}
    data["request"]["locale"] = locale
    return data


@pytest.mark.parametrize(
    ("locale", "spoken_in"),
    [("en-US", "en-US"), ("de-DE", "de-DE"), ("ja-JP", "ja-JP"), ("fr-CA", "fr-CA"),
     ("de-AT", "de-DE"), ("xx-XX", "en-US")],
)
def test_skill_that_raises_gets_the_librarys_apology_in_the_request_locale_not_a_500(
    make_host: Callable[..., Host], pki: Pki, locale: str, spoken_in: str
) -> None:
    host = make_host()
    body = body_of(_failing_request(locale))
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["version"] == RESPONSE_VERSION
    assert answer["response"]["outputSpeech"] == {
        "type": "SSML", "ssml": f"<speak>{DEFAULT_APOLOGIES[spoken_in]}</speak>"}
    assert answer["response"]["shouldEndSession"] is True
    assert "card" not in answer["response"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_host_apology_is_the_same_answer_the_lambda_handler_gives(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    from ask_sdk_core.serialize import DefaultSerializer

    from account_linking.safety import apology_envelope

    host = make_host()
    body = body_of(_failing_request("it-IT"))
    answer = host.post(body, signed_headers(pki.alexa, body)).get_json()
    assert answer == DefaultSerializer().serialize(apology_envelope("it-IT"))


@pytest.mark.parametrize(
    "patch",
    [
        {"context": "not an object"},
        {"session": 5},
        {"context": {"System": {"application": 5}}},
    ],
)
def test_envelope_the_sdk_cannot_deserialize_gets_400_json(
    make_host: Callable[..., Host], pki: Pki, patch: dict[str, Any]
) -> None:
    host = make_host()
    data = envelope()
    data.update(patch)
    body = body_of(data)
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert host.skill.calls == 0


def test_envelope_with_an_unreadable_timestamp_is_refused_by_the_timestamp_rule(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    host = make_host()
    data = envelope()
    data["request"]["timestamp"] = "yesterday"
    body = body_of(data)
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_timestamp"
    assert host.skill.calls == 0
