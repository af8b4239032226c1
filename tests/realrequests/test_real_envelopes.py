"""Every real envelope in ../shared/real-alexa/requests gets the answer Alexa expects, on both hosts.

Through the Ride Hailer skill's Lambda handler and through its web host (signed with a test
PKI, the host's clock at the envelope's own timestamp); the table of request type -> kind
of answer is ``expected.EXPECTED``.
"""
from __future__ import annotations

import copy
import datetime
import json
import logging
from typing import Any

import pytest

from .conftest import REQUEST_FILES, file_timestamp, load, raw
from .expected import EXPECTED, SMART_HOME, assert_kind, assert_logs, request_type


def test_every_real_request_type_has_an_expected_answer_in_the_table() -> None:
    assert len(REQUEST_FILES) == 77
    unknown = {request_type(load(name)) for name in REQUEST_FILES} - set(EXPECTED)
    assert unknown == set()


@pytest.mark.parametrize("name", REQUEST_FILES)
def test_real_envelope_through_the_lambda_handler_gets_the_answer_alexa_expects(
    name: str, lambda_skill: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    answer = lambda_skill()(copy.deepcopy(data))
    assert_kind(answer, EXPECTED[request_type(data)], data)
    assert_logs(records, data)


def _with_timestamp(data: dict[str, Any], moment: datetime.datetime) -> bytes:
    variant = copy.deepcopy(data)
    variant["request"]["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(variant).encode("utf-8")


@pytest.mark.parametrize("name", REQUEST_FILES)
def test_real_envelope_signed_to_the_web_host_gets_the_answer_alexa_expects(
    name: str, web_host: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    kind = EXPECTED[request_type(data)]
    moment = file_timestamp(data)
    if moment is None and kind != SMART_HOME:
        # No readable timestamp (a placeholder "string", or none): the timestamp rule refuses
        # it as Amazon requires of a web host; with a timestamp it is answered.
        now = datetime.datetime.now(datetime.timezone.utc)
        refused = web_host(at=now).post(raw(name))
        assert refused.status_code == 400
        assert refused.get_json()["error"] == "invalid_timestamp"
        response = web_host(at=now).post(_with_timestamp(data, now))
    else:
        # Directives carry no timestamp; the others are judged at their own moment.
        at = moment or datetime.datetime.now(datetime.timezone.utc)
        response = web_host(at=at).post(raw(name))
    assert response.status_code == 200
    assert_kind(response.get_json(), kind, data)
    assert_logs(records, data)


@pytest.mark.parametrize("name", [n for n in REQUEST_FILES if file_timestamp(load(n)) is not None])
def test_real_envelope_is_refused_by_the_web_host_a_day_after_its_timestamp(
    name: str, web_host: Any
) -> None:
    moment = file_timestamp(load(name))
    assert moment is not None
    response = web_host(at=moment + datetime.timedelta(days=1)).post(raw(name))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_timestamp"


def test_unsigned_real_envelope_is_refused_by_the_web_host(web_host: Any) -> None:
    name = "jovo-v3__LaunchRequest.json"
    at = file_timestamp(load(name))
    assert at is not None
    response = web_host(at=at).post(raw(name), sign=False)
    assert response.status_code == 400
    assert response.get_json()["error"] == "missing_signature_header"


def test_smart_home_directive_to_the_web_host_still_needs_a_valid_signature(web_host: Any) -> None:
    body = raw("alexa-smarthome__Discovery.request.json")
    response = web_host(at=datetime.datetime.now(datetime.timezone.utc)).post(body, sign=False)
    assert response.status_code == 400
    assert response.get_json()["error"] == "missing_signature_header"


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


@pytest.mark.parametrize("name", [n for n in REQUEST_FILES if "directive" not in load(n)])
def test_real_envelope_for_its_own_skill_id_is_answered_and_for_another_refused(
    name: str, lambda_skill: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    own = _dig(data, "context", "System", "application", "applicationId") or _dig(
        data, "session", "application", "applicationId")
    if not own:  # names no skill at all: a skill with SKILL_ID refuses it
        answer = lambda_skill(skill_id="amzn1.ask.skill.ride-hailer")(copy.deepcopy(data))
        assert "Sorry, something went wrong" in answer["response"]["outputSpeech"]["ssml"]
        return
    answer = lambda_skill(skill_id=own)(copy.deepcopy(data))
    assert_kind(answer, EXPECTED[request_type(data)], data)
    refused = lambda_skill(skill_id="amzn1.ask.skill.someone-else")(copy.deepcopy(data))
    assert refused["response"].get("shouldEndSession") is True
    assert not any(r.levelno >= logging.ERROR for r in records.records)


@pytest.mark.parametrize("name", [n for n in REQUEST_FILES
                                  if "directive" not in load(n) and file_timestamp(load(n)) is not None])
def test_web_host_with_skill_id_answers_an_envelope_for_that_skill_and_refuses_others(
    name: str, web_host: Any, records: pytest.LogCaptureFixture
) -> None:
    data = load(name)
    at = file_timestamp(data)
    assert at is not None
    own = _dig(data, "context", "System", "application", "applicationId") or _dig(
        data, "session", "application", "applicationId")
    refused = web_host(at=at, skill_id="amzn1.ask.skill.someone-else").post(raw(name))
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "skill_id_mismatch"
    if own:
        response = web_host(at=at, skill_id=own).post(raw(name))
        assert response.status_code == 200
        assert_kind(response.get_json(), EXPECTED[request_type(data)], data)
    assert not any(r.levelno >= logging.ERROR for r in records.records)
