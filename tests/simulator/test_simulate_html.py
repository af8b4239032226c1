"""`simulate --html FILE`: the run's last link as the same self-contained report `server` writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from alexa_linkcheck.simulator.cli import main

from .oauth_server import OAuthServer, OAuthState
from .test_script import _cli_args, cli_env  # noqa: F401  (fixture)


def test_html_report_of_a_scripted_link_shows_every_step_with_secrets_masked(
        project: Path, oauth_server: OAuthServer, oauth_state: OAuthState, cli_env: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "link.dialog"
    script.write_text("link\n  expect account linked\n")
    report = tmp_path / "link.html"
    assert main([str(script), *_cli_args(project, oauth_server, "--html", str(report))]) == 0, capsys.readouterr()
    page = report.read_text()
    assert "alexa-linkcheck simulate: link" in page
    assert "/oauth/authorize" in page and "/oauth/token" in page
    assert "correct horse" not in page and oauth_state.client_secret not in page
    assert f"the link's report: {report}" in capsys.readouterr().out


def test_html_report_of_a_failed_link_says_why(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TEST_RIDER_PASSWORD", "a wrong password")
    script = tmp_path / "link.dialog"
    script.write_text("link\n  expect account linked\n")
    report = tmp_path / "link.html"
    assert main([str(script), *_cli_args(project, oauth_server, "--html", str(report))]) == 1
    page = report.read_text()
    assert "fail" in page.lower() and "a wrong password" not in page


def test_no_link_in_the_run_writes_no_report_and_says_so(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "hello.dialog"
    script.write_text("say open test taxi\n  expect speech contains welcome\n")
    report = tmp_path / "none.html"
    assert main([str(script), *_cli_args(project, oauth_server, "--html", str(report))]) == 0
    assert not report.exists()
    assert "no link in this run" in capsys.readouterr().out
