"""Variants of the real envelopes, derived here: other locales, no session, unknown fields, epoch times."""
from __future__ import annotations

import copy
import datetime
import json
import logging
from typing import Any

import pytest

from .conftest import REQUEST_FILES, file_timestamp, load
from .expected import EXPECTED, FALLBACK, SPEECH, EMPTY, assert_kind, assert_logs, request_type

ALEXA_LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "fr-FR", "fr-CA", "es-ES",
                 "es-MX", "es-US", "it-IT", "ja-JP", "pt-BR", "hi-IN", "ar-SA", "nl-NL")
CUSTOM = [n for n in REQUEST_FILES if "directive" not in load(n)]
SPOKEN = [n for n in CUSTOM if EXPECTED[request_type(load(n))] in (SPEECH, FALLBACK)]
WITH_SESSION = [n for n in CUSTOM if "session" in load(n)]


@pytest.mark.parametrize("locale", ALEXA_LOCALES)
@pytest.mark.parametrize("name", SPOKEN)
def test_real_envelope_in_every_alexa_locale_is_answered_in_that_locale(
    name: str, locale: str, lambda_skill: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    data["request"]["locale"] = locale
    assert_kind(lambda_skill()(copy.deepcopy(data)), EXPECTED[request_type(data)], data)
    assert_logs(records, data)


@pytest.mark.parametrize("name", WITH_SESSION)
def test_real_envelope_without_its_session_gets_the_same_kind_of_answer(
    name: str, lambda_skill: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    del data["session"]
    assert_kind(lambda_skill()(copy.deepcopy(data)), EXPECTED[request_type(data)], data)
    assert_logs(records, data)


def _with_unknown_fields(data: dict[str, Any]) -> dict[str, Any]:
    variant = copy.deepcopy(data)
    future = {"field": "added by a newer Alexa", "nested": {"n": 1}}
    variant["aNewTopLevelField"] = future
    variant["request"]["aNewRequestField"] = future
    if isinstance(variant.get("context"), dict):
        variant["context"]["Alexa.Future.Interface"] = future
        if isinstance(variant["context"].get("System"), dict):
            variant["context"]["System"]["aNewSystemField"] = future
    if isinstance(variant.get("session"), dict):
        variant["session"]["aNewSessionField"] = future
    return variant


@pytest.mark.parametrize("name", CUSTOM)
def test_real_envelope_with_unknown_fields_gets_the_same_answer(
    name: str, lambda_skill: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    skill = lambda_skill()
    plain, extended = skill(copy.deepcopy(data)), skill(_with_unknown_fields(data))
    for answer in (plain, extended):
        answer.pop("userAgent", None)
    assert extended == plain
    assert_kind(extended, EXPECTED[request_type(data)], data)


EPOCH_LAUNCH = "alexa-skills-dotnet__LaunchRequestWithEpochTimestamp.json"


def _epoch_ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_epoch_millisecond_timestamp_of_now_is_accepted_by_the_web_host(web_host: Any) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    data = load(EPOCH_LAUNCH)
    data["request"]["timestamp"] = _epoch_ms(now)
    response = web_host(at=now).post(json.dumps(data).encode())
    assert response.status_code == 200
    assert_kind(response.get_json(), SPEECH, data)


@pytest.mark.parametrize("seconds, accepted", [(149, True), (-149, True), (151, False), (-151, False)])
def test_epoch_millisecond_timestamp_is_judged_by_the_150_second_rule(
    web_host: Any, seconds: int, accepted: bool
) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    data = load(EPOCH_LAUNCH)
    data["request"]["timestamp"] = _epoch_ms(now + datetime.timedelta(seconds=seconds))
    response = web_host(at=now).post(json.dumps(data).encode())
    assert response.status_code == (200 if accepted else 400)
    if not accepted:
        assert response.get_json()["error"] == "invalid_timestamp"
        assert "150 s" in response.get_json()["error_description"]


def test_skill_event_with_an_epoch_timestamp_gets_the_3600_second_rule(web_host: Any) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    data = load("alexa-skills-dotnet__SkillEventEnabled.json")
    data["request"]["timestamp"] = _epoch_ms(now - datetime.timedelta(minutes=30))
    response = web_host(at=now).post(json.dumps(data).encode())
    assert response.status_code == 200
    assert_kind(response.get_json(), EMPTY, data)


def test_the_epoch_file_is_read_as_the_moment_it_names() -> None:
    assert file_timestamp(load(EPOCH_LAUNCH)) == datetime.datetime(
        2015, 5, 13, 0, 34, 56, tzinfo=datetime.timezone.utc) + datetime.timedelta(hours=12)


def test_no_real_envelope_makes_the_skill_log_an_error(
    lambda_skill: Any, records: pytest.LogCaptureFixture
) -> None:
    skill = lambda_skill()
    for name in REQUEST_FILES:
        skill(load(name))
    assert [r.getMessage() for r in records.records if r.levelno >= logging.ERROR] == []
