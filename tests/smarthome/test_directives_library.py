"""The library reads the three real smart home directives and answers in v3 events."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from account_linking.cache import ProfileCache
from account_linking.clients import ResourceServerClient
from account_linking.profile import Profile
from account_linking.resolver import ProfileResolver
from account_linking.smarthome import Directive, SmartHomeRequest, SmartHomeSkill, events

from .conftest import ACCEPT_GRANT, DISCOVER, REAL_REQUESTS, TURN_ON, error_type, real_directive

ROOT = Path(__file__).resolve().parents[2]


class _EveryoneIsCasey(ResourceServerClient):
    """A resolver client for tests of dispatch alone (no device cloud involved)."""

    def fetch_profile(self, token: str, deadline: Any = None) -> Profile:
        return Profile(user_id="1")


def _skill() -> SmartHomeSkill:
    return SmartHomeSkill(ProfileResolver(_EveryoneIsCasey(), ProfileCache(ttl=0)))


@pytest.mark.parametrize(("name", "where"), [
    (TURN_ON, "endpoint.scope"), (DISCOVER, "payload.scope"), (ACCEPT_GRANT, "payload.grantee")])
def test_token_is_read_where_each_real_directive_carries_it(name: str, where: str) -> None:
    directive = Directive.from_event(json.loads((REAL_REQUESTS / name).read_text()))
    assert directive.token == "access-token-from-skill"


def test_real_turn_on_directive_reads_its_endpoint_and_correlation_token() -> None:
    directive = Directive.from_event(json.loads((REAL_REQUESTS / TURN_ON).read_text()))
    assert (directive.namespace, directive.name, directive.endpoint_id) == ("Alexa.PowerController", "TurnOn", "endpoint-001")
    assert directive.correlation_token == "dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg=="


@pytest.mark.parametrize("event", [None, [], "text", {}, {"directive": {}},
                                   {"directive": {"header": {"namespace": "Alexa", "name": "ReportState"}}},
                                   {"directive": {"header": {"namespace": "Alexa", "name": "X", "payloadVersion": "2",
                                                             "messageId": "m"}}}])
def test_unreadable_event_answers_invalid_directive(event: Any) -> None:
    answer = _skill().handle(event)
    assert error_type(answer) == "INVALID_DIRECTIVE"
    assert answer["event"]["header"]["payloadVersion"] == "3"


def test_directive_without_a_handler_answers_invalid_directive_naming_it() -> None:
    answer = _skill().handle(real_directive(TURN_ON))
    assert error_type(answer) == "INVALID_DIRECTIVE"
    assert "Alexa.PowerController.TurnOn" in answer["event"]["payload"]["message"]


def test_answer_has_a_new_message_id_and_echoes_correlation_token_and_endpoint_without_the_token() -> None:
    skill = _skill()

    @skill.handles("Alexa.PowerController", "TurnOn")
    def turn_on(request: SmartHomeRequest) -> dict[str, Any]:
        return events.response(request.directive)

    event = real_directive(TURN_ON)
    answer = skill.handle(event)["event"]
    sent = event["directive"]
    assert answer["header"]["name"] == "Response"
    assert answer["header"]["messageId"] != sent["header"]["messageId"]
    assert answer["header"]["correlationToken"] == sent["header"]["correlationToken"]
    assert answer["endpoint"] == {"endpointId": "endpoint-001", "cookie": {}}
    assert "access-token-from-skill" not in json.dumps(answer)


def test_directive_without_token_answers_invalid_authorization_credential_before_the_handler_runs() -> None:
    skill = _skill()
    ran = []
    skill.add_handler("Alexa.PowerController", "TurnOn", lambda request: ran.append(1) or {})
    event = real_directive(TURN_ON)
    del event["directive"]["endpoint"]["scope"]
    assert error_type(skill.handle(event)) == "INVALID_AUTHORIZATION_CREDENTIAL"
    assert ran == []


def test_crashing_handler_answers_internal_error_not_a_credential_error() -> None:
    skill = _skill()

    @skill.handles("Alexa.PowerController", "TurnOn")
    def turn_on(request: SmartHomeRequest) -> dict[str, Any]:
        raise RuntimeError("bug")

    answer = skill.handle(real_directive(TURN_ON))
    assert error_type(answer) == "INTERNAL_ERROR"
    assert "bug" not in json.dumps(answer)


def test_registering_two_handlers_for_one_directive_is_refused() -> None:
    skill = _skill()
    skill.add_handler("Alexa", "ReportState", lambda request: {})
    with pytest.raises(ValueError):
        skill.add_handler("Alexa", "ReportState", lambda request: {})


def test_accept_grant_without_a_grant_store_names_the_fix() -> None:
    answer = _skill().handle(real_directive(ACCEPT_GRANT))
    assert answer["event"]["header"]["namespace"] == "Alexa.Authorization"
    assert error_type(answer) == "ACCEPT_GRANT_FAILED"
    assert "accept_grants" in answer["event"]["payload"]["message"]


def _imports(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    return result.stdout.strip()


def test_importing_the_library_does_not_load_smart_home() -> None:
    assert _imports("import sys, account_linking; print('account_linking.smarthome' in sys.modules)") == "False"


def test_smart_home_package_imports_no_flask_sqlalchemy_or_authlib() -> None:
    loaded = _imports("import sys, account_linking.smarthome; "
                      "print(sorted(m for m in ('flask', 'sqlalchemy', 'authlib', 'ride_hailer_service', "
                      "'alexa_linkcheck') if m in sys.modules))")
    assert loaded == "[]"
