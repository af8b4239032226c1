"""Scripted and interactive modes: readable transcripts, exit codes that name the failing step."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from alexa_linkcheck.simulator import Conversation, ScriptError, ScriptRunner, parse_script
from alexa_linkcheck.simulator.cli import main
from alexa_linkcheck.simulator.transcript import Transcript

from .conftest import VENDOR_ID
from .oauth_server import OAuthServer, OAuthState

ROOT = Path(__file__).resolve().parents[2]

FULL_DIALOG = """\
# the demo's story against the test skill
say open test taxi
  expect speech contains welcome
  expect card none
  expect session open
say order a ride to the airport
  expect card LinkAccount
  expect speech contains link your account
  expect session ends
link
  expect account linked
say order a ride to the airport
  expect speech contains a ride to the airport (AIRPORT) is on its way
advance 3600
say ask test taxi to take me to the train station
  expect refreshed
  expect speech contains on its way
hook revoke
advance 3600
say order a ride to the airport
  expect account refresh-failed
  expect card LinkAccount
  expect speech contains expired
link
say order a ride to the airport
  expect card Simple
"""


def _cli_args(project: Path, server: OAuthServer, *extra: str) -> list[str]:
    return ["--project", str(project), "--vendor-id", VENDOR_ID,
            "--authorization-url", server.url + "/oauth/authorize", "--token-url", server.url + "/oauth/token",
            "--user", "rider@example.com", "--password-env", "TEST_RIDER_PASSWORD",
            "--client-secret-env", "TEST_CLIENT_SECRET", *extra]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, oauth_state: OAuthState, events_file: Path) -> None:
    monkeypatch.setenv("TEST_RIDER_PASSWORD", "correct horse")
    monkeypatch.setenv("TEST_CLIENT_SECRET", oauth_state.client_secret)


def test_full_dialog_script_passes_through_link_refresh_revoke_and_relink(
        make_conversation: Callable[..., Conversation], oauth_state: OAuthState) -> None:
    out = io.StringIO()
    transcript = Transcript(out)
    conversation = make_conversation(note=transcript.note)
    outcome = ScriptRunner(conversation, transcript, {"revoke": lambda c: oauth_state.revoke_all()}).run(
        parse_script(FULL_DIALOG))
    text = out.getvalue()
    assert outcome.passed, text
    assert outcome.checks_passed == 14
    assert "you> order a ride to the airport\nalexa> Please link your account in the Alexa app.\n" \
           "[card] LinkAccount: open the Alexa app to link\n[session ended]\n" in text
    assert "[alexa] access token expired: refreshed at the token URL" in text
    assert "refresh failed (invalid_grant)" in text
    assert text.rstrip().endswith("script passed: 11 steps, 14 expectations")
    assert oauth_state.client_secret not in text
    assert "correct horse" not in text


def test_scripted_mode_exits_zero_when_every_expectation_holds(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "ok.dialog"
    script.write_text("say open test taxi\n  expect speech contains welcome\nlink\nsay order a ride to the airport\n"
                      "  expect speech contains on its way\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 0
    out = capsys.readouterr().out
    assert "you> open test taxi\nalexa> Welcome to Test Taxi.\n" in out
    assert "script passed: 3 steps, 2 expectations" in out


def test_scripted_mode_exits_one_naming_the_failing_step_and_expectation(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "bad.dialog"
    script.write_text("say open test taxi\n\nsay order a ride to the airport\n  expect card none\nsay count\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 1
    out = capsys.readouterr().out
    assert ("FAILED: step 2 (line 3: say order a ride to the airport): expected card none (line 4), "
            "but the card was LinkAccount") in out
    assert "say count" not in out


def test_scripted_mode_exits_one_when_a_step_errors(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TEST_RIDER_PASSWORD", "not it")
    script = tmp_path / "link.dialog"
    script.write_text("link\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 1
    assert "FAILED: step 1 (line 1: link) failed: login rejected for rider@example.com" in capsys.readouterr().out


def test_script_syntax_error_exits_two_naming_the_line(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "typo.dialog"
    script.write_text("say hi\n  expect speach contains x\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 2
    assert "line 2: unknown expectation 'speach'" in capsys.readouterr().err


@pytest.mark.parametrize("text, message", [
    ("expect card none\n", "line 1: 'expect' before any step"),
    ("advance soon\n", "line 1: 'advance' needs a number of seconds"),
    ("say\n", "line 1: 'say' needs an argument"),
    ("event enabled\n", "line 1: use 'event linked' or 'event disabled'"),
    ("say hi\n  expect session closed\n", "line 2: use 'expect session ends' or 'expect session open'"),
    ("dance\n", "line 1: unknown step 'dance'"),
    ("revoke everything\n", "line 1: use 'revoke', 'revoke refresh' or 'revoke access'"),
    ("link now\n", "line 1: 'link' takes no argument"),
])
def test_bad_script_lines_are_rejected_with_the_line_number(text: str, message: str) -> None:
    with pytest.raises(ScriptError, match=message.replace("(", r"\(")):
        parse_script(text)


def test_hook_from_the_command_line_runs_between_steps(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "hook.dialog"
    script.write_text("link\nhook forget\n  expect account unlinked\nsay order a ride to the airport\n  expect card LinkAccount\n")
    args = _cli_args(project, oauth_server, "--hook", "forget=tests.simulator.hook_targets:forget_tokens")
    assert main([str(script), *args]) == 0, capsys.readouterr().out


def test_unknown_hook_fails_the_step(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "hook.dialog"
    script.write_text("hook revoke\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 1
    assert "no hook named 'revoke'" in capsys.readouterr().out


def test_interactive_mode_reads_utterances_and_commands(
        project: Path, oauth_server: OAuthServer, cli_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "open test taxi\norder a ride to the airport\n:link\norder a ride to the airport\n"
        ":advance 3600\n:tokens\n:locale fr-FR\n:bogus\nhelp\n:quit\ncount\n"))
    assert main(_cli_args(project, oauth_server)) == 0
    out = capsys.readouterr().out
    assert "you> open test taxi\nalexa> Welcome to Test Taxi.\n" in out
    assert "[card] LinkAccount: open the Alexa app to link" in out
    assert "(event: SkillAccountLinked)" in out
    assert "alexa> Robin, a ride to the airport (AIRPORT) is on its way." in out
    assert re.search(r"\[alexa\] access token: expired \d+ s ago\n", out)
    assert "[alexa] refresh token: present" in out
    assert "[alexa] next request: Alexa first refreshes the access token at the token URL" in out
    assert "[alexa] error: no interaction model for locale fr-FR" in out
    assert "(this skill has de-DE, en-GB, en-US)" in out
    assert "unknown command ':bogus'" in out
    assert "alexa> You can order a ride." in out
    assert "you> count" not in out


def test_python_dash_m_runs_a_script(project: Path, oauth_server: OAuthServer, tmp_path: Path, events_file: Path) -> None:
    script = tmp_path / "launch.dialog"
    script.write_text("say open test taxi\n  expect speech contains welcome\nsay stop\n  expect session ends\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "alexa_linkcheck.simulator", str(script), "--project", str(project)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alexa> Goodbye.\n[session ended]" in result.stdout


def test_show_json_prints_envelopes_with_tokens_masked(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "json.dialog"
    script.write_text("link\nsay order a ride to the airport\n")
    assert main([str(script), *_cli_args(project, oauth_server, "--show-json")]) == 0
    out = capsys.readouterr().out
    assert 'request: {"version": "1.0", "session": {"new": true' in out
    assert '"accessToken": "***"' in out
    assert '"outputSpeech": {"type": "SSML", "ssml": "<speak>Robin, a ride to the airport' in out


def test_show_json_never_prints_a_token_value(make_conversation: Callable[..., Conversation]) -> None:
    out = io.StringIO()
    conversation = make_conversation()
    runner = ScriptRunner(conversation, Transcript(out, show_json=True))
    assert runner.run(parse_script("link\nsay order a ride to the airport\n")).passed
    assert conversation.account.tokens.access_token not in out.getvalue()
    assert "***" in out.getvalue()


def test_add_subparser_wires_simulate_into_a_parent_cli(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from alexa_linkcheck.simulator.cli import add_subparser

    parser = argparse.ArgumentParser(prog="alexa-linkcheck")
    add_subparser(parser.add_subparsers(dest="command", required=True))
    script = tmp_path / "s.dialog"
    script.write_text("link\nsay order a ride to the airport\n  expect speech contains on its way\n")
    args = parser.parse_args(["simulate", str(script), *_cli_args(project, oauth_server),
                              "--from", str(project / "skill-package" / "accountLinking.json")])
    assert args.run(args) == 0, capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--password-env", "SIM_TEST_UNSET_PASSWORD"], "--user given but $SIM_TEST_UNSET_PASSWORD is empty"),
    (["--url", "http://127.0.0.1:9/alexa", "--sign-key", "{project}/ask-resources.json"], "--sign-key needs --cert-url"),
    (["--from", "{project}/no-such-linking.json"], "--from {project}/no-such-linking.json: no such file"),
    (["--lambda", "{project}/no-such-code"], "--lambda {project}/no-such-code: no such folder"),
    (["--handler", "app.main"], "no app.py in {project}/lambda (handler app.main)"),
    (["--handler", "lambda_function.no_such_function"], "{project}/lambda/lambda_function.py has no callable no_such_function"),
    (["--env", "NOEQUALS"], "--env 'NOEQUALS': use KEY=VALUE"),
    (["--hook", "broken"], "--hook 'broken': use NAME=MODULE:FUNCTION"),
    (["--locale", "xx-XX"], "no interaction model for locale xx-XX"),
])
def test_bad_options_exit_two_with_a_clear_message(
        project: Path, oauth_server: OAuthServer, cli_env: None, monkeypatch: pytest.MonkeyPatch,
        extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SIM_TEST_UNSET_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    extra = [item.format(project=project) for item in extra]
    assert main([*_cli_args(project, oauth_server), *extra]) == 2
    err = capsys.readouterr().err
    assert f"alexa-linkcheck simulate: error: {message.format(project=project)}" in err
    assert "Traceback" not in err


def test_screen_option_keeps_a_session_open_after_an_unset_should_end_session(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "screen.dialog"
    script.write_text("say open test taxi\nsay go home\n  expect session open\n")
    assert main([str(script), *_cli_args(project, oauth_server, "--screen")]) == 0, capsys.readouterr().out
    assert main([str(script), *_cli_args(project, oauth_server)]) == 1
    assert "expected session open (line 3), but the session ended" in capsys.readouterr().out
