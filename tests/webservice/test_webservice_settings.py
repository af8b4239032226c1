"""Start-up settings: production refuses weakened verification; development warns loudly."""
from __future__ import annotations

import logging
from typing import Any, Callable

import pytest

from account_linking.webservice import ConfigurationError, HostSettings, RequestVerifier, TimestampVerifier
from webservice_support import BareSkill, Host, Pki, body_of, envelope
from webservice import create_app


def test_default_settings_are_production_with_verification_on() -> None:
    settings = HostSettings.from_mapping({})
    assert settings.env == "production"
    assert settings.verify_requests is True
    kinds = [type(v) for v in settings.build_verifiers()]
    assert kinds == [TimestampVerifier, RequestVerifier]


def test_production_refuses_to_start_with_verification_off() -> None:
    with pytest.raises(ConfigurationError, match="WEBSERVICE_VERIFY_REQUESTS=false is refused"):
        create_app(BareSkill().builder(), config={"WEBSERVICE_VERIFY_REQUESTS": "false"},
                   environ={})


def test_production_is_the_default_even_when_verification_off_comes_from_the_environment() -> None:
    with pytest.raises(ConfigurationError, match="refused in production"):
        create_app(BareSkill().builder(), environ={"WEBSERVICE_VERIFY_REQUESTS": "0"})


@pytest.mark.parametrize(
    "name", ["ALEXA_CERT_FETCH_URL_OVERRIDE", "ALEXA_EXTRA_TRUST_ANCHORS_FILE"]
)
def test_production_refuses_test_only_certificate_settings(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{name} is for tests only"):
        create_app(BareSkill().builder(), environ={name: "http://127.0.0.1:1"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBSERVICE_ENV", "staging"),
        ("WEBSERVICE_VERIFY_REQUESTS", "maybe"),
        ("WEBSERVICE_MAX_BODY_BYTES", "lots"),
        ("ALEXA_CERT_FETCH_TIMEOUT", "-1"),
        ("ALEXA_CERT_CACHE_SIZE", "0"),
    ],
)
def test_bad_setting_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        HostSettings.from_mapping({name: value})


def test_development_with_verification_off_warns_at_start_and_on_every_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    skill = BareSkill()
    with caplog.at_level(logging.WARNING, logger="account_linking.webservice"):
        app = create_app(
            skill.builder(),
            config={"WEBSERVICE_ENV": "development", "WEBSERVICE_VERIFY_REQUESTS": "false"},
            environ={},
        )
    assert any("verification is OFF" in r.getMessage() for r in caplog.records)
    caplog.clear()

    client = app.test_client()
    for _ in range(2):
        body = body_of(envelope())
        response = client.post("/alexa", data=body, content_type="application/json")
        assert response.status_code == 200
    warnings = [r for r in caplog.records if "verification is OFF" in r.getMessage()]
    assert len(warnings) == 2
    assert skill.launch.calls == 2


def test_development_with_verification_off_still_checks_the_skill_id() -> None:
    skill = BareSkill()
    app = create_app(
        skill.builder(),
        config={"WEBSERVICE_ENV": "development", "WEBSERVICE_VERIFY_REQUESTS": "false",
                "SKILL_ID": "amzn1.ask.skill.mine"},
        environ={},
    )
    body = body_of(envelope())
    response = app.test_client().post("/alexa", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "skill_id_mismatch"
    assert skill.calls == 0


def test_development_mode_still_verifies_by_default(make_host: Callable[..., Host]) -> None:
    host = make_host()
    body = body_of(envelope())
    response = host.client.post("/alexa", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "missing_signature_header"
    assert host.skill.calls == 0


def test_test_certificate_settings_warn_at_start(
    pki: Pki, chain_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="account_linking.webservice"):
        create_app(
            BareSkill().builder(),
            config={
                "WEBSERVICE_ENV": "development",
                "ALEXA_CERT_FETCH_URL_OVERRIDE": chain_server.url,
                "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(pki.anchors_file),
            },
            environ={},
        )
    assert any("test settings" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("content", [None, "nothing here\n"])
def test_trust_anchor_file_that_is_missing_or_empty_is_refused_naming_it(
    tmp_path: Any, content: str | None
) -> None:
    anchors = tmp_path / "anchors.pem"
    if content is not None:
        anchors.write_text(content)
    with pytest.raises(ConfigurationError, match="ALEXA_EXTRA_TRUST_ANCHORS_FILE"):
        create_app(
            BareSkill().builder(),
            config={"WEBSERVICE_ENV": "development",
                    "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(anchors)},
            environ={},
        )
