"""The interactive console's commands: the linking trace, :verbose, :tokens after :revoke, :locale."""
from __future__ import annotations

import urllib.parse

import io
import sys
from pathlib import Path

import pytest

from alexa_linkcheck.simulator.cli import main

from .oauth_server import OAuthServer, OAuthState
from .test_script import _cli_args, cli_env  # noqa: F401  (fixture)


def _console(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], lines: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(argv) == 0
    return capsys.readouterr().out


def test_link_prints_every_step_of_the_flow_with_the_code_and_tokens_masked(
        project: Path, oauth_server: OAuthServer, oauth_state: OAuthState, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server), ":link\n")
    steps = {}
    for line in out.splitlines():
        if line.startswith("[link] "):
            title, _, detail = line.removeprefix("[link] ").partition(": ")
            steps.setdefault(title.split(" (")[0], detail)
    wanted = ["authorization request", "login page", "login", "consent page", "consent", "redirect to Alexa",
              "token exchange", "token response"]
    assert [title for title in steps if title in wanted] == wanted  # in the order they happened
    method, url = steps["authorization request"].split(" ", 1)
    assert method == "GET" and url.startswith(f"{oauth_server.url}/oauth/authorize?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert {k: v for k, v in query.items() if k != "state"} == {
        "client_id": "alexa-skill", "response_type": "code", "scope": "profile rides:read rides:write",
        "redirect_uri": "https://pitangui.amazon.com/api/skill/link/M0TEST"}
    assert query["state"] and "scope=profile%20rides" in url  # spaces as %20, as the Alexa app sends them
    assert "email=rider@example.com" in steps["login"] and "password=***" in steps["login"]
    assert "decision=allow" in steps["consent"]
    assert "Location: https://pitangui.amazon.com/api/skill/link/M0TEST?code=***&state=" in steps["redirect to Alexa"]
    assert "grant_type=authorization_code, code=***" in steps["token exchange"]
    assert "HTTP Basic (Authorization: Basic ***)" in steps["token exchange"]
    assert steps["token response"].startswith("HTTP 200 access_token=***")
    assert "refresh_token=***" in steps["token response"] and "expires_in=3600" in steps["token response"]
    assert "(event: SkillAccountLinked)" in out
    code = oauth_state.token_requests[0]["form"]["code"]
    for secret in (code, "correct horse", oauth_state.client_secret, *oauth_state.access_tokens, *oauth_state.refresh_tokens):
        assert secret not in out


def test_failed_login_shows_the_steps_up_to_the_page_that_came_back(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TEST_RIDER_PASSWORD", "wrong horse")
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server), ":link\n")
    assert "[link] login: POST" in out
    assert "[alexa] error: login rejected for rider@example.com" in out
    assert "wrong horse" not in out


def test_verbose_shows_the_resolved_intent_and_slots_of_each_request(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server),
                   "open test taxi\n:verbose\ncount\nhow much is a ride to boston\n:verbose off\ncount\n")
    assert "[nlu] LaunchRequest" not in out  # before :verbose
    assert "[alexa] verbose on: each request shows its intent and slots" in out
    assert "[nlu] IntentRequest CountIntent; no slots\nalexa> Turn 2" in out
    # shown before the request goes out, so also when the skill fails on it (no handler for it here)
    assert "[nlu] IntentRequest FareEstimateIntent; slots: city='boston'\n[alexa] error:" in out
    assert out.count("[nlu] IntentRequest CountIntent") == 1  # not after :verbose off


def test_verbose_option_shows_custom_slot_resolution_and_dialog_state(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server, "--verbose"),
                   "open test taxi\ntake me to the train station\n")
    assert "[nlu] LaunchRequest (new session)" in out
    assert ("[nlu] IntentRequest OrderRideIntent; dialogState STARTED; slots: "
            "destination='the train station' (ER_SUCCESS_MATCH central station/STATION)") in out


def test_tokens_after_revoking_the_refresh_token_say_the_refresh_will_fail(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server, "--revocation-url", oauth_server.url + "/oauth/revoke"),
                   ":link\n:revoke\n:tokens\n:revoke access\n:advance 3600\n:tokens\norder a ride to the airport\n")
    after_revoke = out.split("[alexa] refresh token revoked at the authorization server")[1]
    # the test server's clock does not move with :advance, so the access token is revoked too to make it dead there
    first_tokens, after_advance = after_revoke.split("[alexa] access token revoked at the authorization server")
    assert "[alexa] refresh token: revoked at the authorization server" in first_tokens
    assert "then the refresh will fail (invalid_grant, the refresh token is revoked)" in first_tokens
    assert "gets the skill's link-expired answer with a LinkAccount card" in first_tokens
    assert "next request: Alexa first refreshes at the token URL; that will fail (invalid_grant" in after_advance
    assert "refresh failed (invalid_grant)" in after_advance
    assert "expired" in after_advance.split("alexa> ")[1]
    assert "[card] LinkAccount" in after_advance


def test_tokens_when_not_linked_say_so(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server), ":tokens\n")
    assert "[alexa] not linked: requests carry no access token" in out


def test_locale_without_argument_lists_the_skills_locales(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server), ":locale\n:locale ja-JP\n:locale de-DE\n")
    assert "[alexa] locales of this skill: de-DE, en-GB, en-US (now en-US); :locale CODE switches" in out
    assert "no interaction model for locale ja-JP" in out and "(this skill has de-DE, en-GB, en-US)" in out
    assert "[alexa] locale is now de-DE" in out


def test_a_line_with_an_arrow_key_escape_is_not_sent_as_an_utterance(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server, "--verbose"), "open test taxi\n\x1b[A\n")
    assert "ignored a line with control characters" in out
    assert "FallbackIntent" not in out
    assert out.count("[nlu] ") == 1


def test_event_the_manifest_does_not_subscribe_to_is_not_sent(
        project: Path, oauth_server: OAuthServer, cli_env: None, events_file: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "skill-package" / "skill.json").write_text('{"manifest": {"events": {"subscriptions": []}}}')
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server), ":link\n:event disabled\n")
    assert "no SkillAccountLinked event sent: the skill's manifest does not subscribe to SKILL_ACCOUNT_LINKED" in out
    assert "no SkillDisabled event sent" in out
    assert "(event:" not in out
    assert events_file.read_text() == ""


def test_tokens_warn_that_the_server_keeps_real_time_after_advance(
        project: Path, oauth_server: OAuthServer, cli_env: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _console(monkeypatch, capsys, _cli_args(project, oauth_server, "--revocation-url", oauth_server.url + "/oauth/revoke"),
                   ":link\n:revoke\n:advance 3600\n:tokens\n")
    assert "[alexa] note: :advance moved only Alexa's clock; the authorization server keeps real time" in out
    assert "(:revoke access makes it dead now)" in out
