"""`alexa-linkcheck server` on the pages people really build, and through all three regions."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from linkcheck_test_servers import CLIENT_ID, REDIRECT_URL, USER_EMAIL, VENDOR_ID
from test_server_probe import by_status, credentials, probe, start_server  # noqa: F401

from alexa_linkcheck.__main__ import main


def check(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The one check of that name."""
    [found] = [c for c in report["checks"] if c["name"] == name]
    return found


@pytest.mark.parametrize("switches", [
    pytest.param({"consent_style": "checkbox"}, id="authlib-example-checkbox-and-submit"),
    pytest.param({"consent_style": "link-account"}, id="one-link-account-button"),
    pytest.param({"consent_style": "french"}, id="refuser-autoriser"),
    pytest.param({"two_step_login": True}, id="email-first-then-password"),
    pytest.param({"two_step_login": True, "consent_style": "checkbox"}, id="two-step-and-checkbox"),
])
def test_server_probe_passes_correct_servers_whose_pages_differ(
        start_server: Any, capsys: pytest.CaptureFixture[str], switches: dict[str, Any]) -> None:
    status, report = probe(start_server(**switches), capsys)
    assert by_status(report, "fail") == set()
    assert check(report, "sign-in")["status"] == "pass"
    assert check(report, "wrong-password-page")["status"] == "pass"
    assert status == 0


def test_server_probe_names_the_buttons_when_it_cannot_tell_allow_from_deny(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(consent_style="ambiguous"), capsys)
    reason = check(report, "sign-in")["reason"]
    assert status == 1
    assert "'Option A', 'Option B'" in reason and "--consent-button" in reason


def test_server_probe_presses_the_button_named_by_consent_button(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(consent_style="ambiguous"), capsys,
                           "--consent-button", "option b")
    assert (status, by_status(report, "fail")) == (0, set())


def test_server_probe_failed_sign_in_quotes_the_inline_error_not_the_top_of_the_page(
        start_server: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKCHECK_PASSWORD", "not the password")
    status, report = probe(start_server(two_step_login=True), capsys)
    reason = check(report, "sign-in")["reason"]
    assert status == 1
    assert "the page says: Wrong e-mail address or password." in reason
    assert "Sign in to Taxi Tester" not in reason


def test_server_probe_fails_each_region_whose_redirect_url_is_not_registered(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(registered=(REDIRECT_URL,)), capsys)
    assert by_status(report, "fail") == {"region-eu", "region-fe"}
    assert "users in Europe cannot link" in check(report, "region-eu")["reason"]
    assert "users in the Far East (Japan) cannot link" in check(report, "region-fe")["reason"]
    assert status == 1


def test_server_probe_passes_the_regions_of_a_server_that_registered_all_three(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = probe(start_server(), capsys)
    assert {"region-eu", "region-fe"} <= by_status(report, "pass")
    assert "exchanged the code" in check(report, "region-fe")["reason"]


def test_server_probe_fails_refresh_tokens_that_die_soon_after_a_short_expires_in(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Access tokens for 2 s, refresh tokens for 3 s: the probe waits expires_in + 2 s.
    status, report = probe(start_server(expires_in=2, refresh_ttl=3.0), capsys)
    assert by_status(report, "fail") == {"refresh-after-expiry"}
    assert "is unlinked" in check(report, "refresh-after-expiry")["reason"]
    assert check(report, "expires-in")["status"] == "warn"
    assert status == 1


def test_server_probe_passes_short_access_tokens_with_lasting_refresh_tokens(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(expires_in=1), capsys)
    assert check(report, "refresh-after-expiry")["status"] == "pass"
    assert (status, by_status(report, "fail")) == (0, set())


def test_server_probe_refresh_after_waits_as_long_as_asked_and_zero_skips(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    dying = start_server(refresh_ttl=2.0)  # expires_in 3600: no wait by default
    _, report = probe(dying, capsys)
    assert check(report, "refresh-after-expiry")["status"] == "skip"
    _, report = probe(dying, capsys, "--refresh-after", "3")
    assert check(report, "refresh-after-expiry")["status"] == "fail"
    _, report = probe(start_server(expires_in=1, refresh_ttl=1.0), capsys, "--refresh-after", "0")
    assert check(report, "refresh-after-expiry") == {**check(report, "refresh-after-expiry"),
                                                     "status": "skip"}


def test_server_probe_fails_a_code_redeemable_with_another_redirect_uri(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(ignore_code_redirect=True), capsys)
    assert by_status(report, "fail") == {"code-redirect-binding"}
    assert "RFC 6749 4.1.3" in check(report, "code-redirect-binding")["reason"]
    assert status == 1


def test_server_probe_fails_alert_shown_only_after_a_wrong_password(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(alert_on_wrong_password=True), capsys)
    assert by_status(report, "fail") == {"wrong-password-page"}
    assert check(report, "no-popups")["status"] == "pass"
    assert "alert" in check(report, "wrong-password-page")["reason"]


def test_server_probe_warns_when_a_wrong_password_shows_no_inline_error(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(error_inline=False), capsys)
    assert (status, check(report, "wrong-password-page")["status"]) == (0, "warn")


SPECIAL_SECRET = "s3cr/t+=%:é x"


def test_server_probe_diagnoses_a_server_that_does_not_url_decode_basic_credentials(
        start_server: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", SPECIAL_SECRET)
    status, report = probe(start_server(client_secret=SPECIAL_SECRET, basic_undecoded=True),
                           capsys)
    reason = check(report, "code-exchange")["reason"]
    assert status == 1 and check(report, "code-exchange")["status"] == "fail"
    assert "does not URL-decode HTTP Basic credentials (RFC 6749 2.3.1)" in reason
    assert SPECIAL_SECRET not in json.dumps(report)


def test_server_probe_passes_a_secret_with_special_characters_on_a_decoding_server(
        start_server: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", SPECIAL_SECRET)
    status, report = probe(start_server(client_secret=SPECIAL_SECRET), capsys)
    assert (status, by_status(report, "fail")) == (0, set())


@pytest.mark.parametrize("secret,says", [
    ("plain-wrong-secret", "no characters that form-urlencoding changes"),
    ("wrong/secret+", "refused both form-urlencoded"),
])
def test_server_probe_tells_a_plain_wrong_secret_from_an_encoding_problem(
        start_server: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        secret: str, says: str) -> None:
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", secret)
    status, report = probe(start_server(basic_undecoded=True), capsys)
    reason = check(report, "code-exchange")["reason"]
    assert status == 1 and "the client id or secret is wrong" in reason and says in reason


def test_server_probe_runs_the_refresh_checks_on_a_form_encoded_answer(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(form_encoded_token=True), capsys)
    assert by_status(report, "fail") == {"token-json"}
    assert "form-encoded" in check(report, "token-json")["reason"]
    assert {"refresh", "refresh-rotated", "refresh-token"} <= by_status(report, "pass")


@pytest.mark.parametrize("url", ["http://[::1/authorize", "htp:/nohost", "https://h:port/x",
                                 "auth.example.org/authorize", "https://a b/"])
def test_server_probe_refuses_malformed_urls_with_exit_2_and_no_traceback(
        capsys: pytest.CaptureFixture[str], url: str) -> None:
    status = main(["server", "--authorization-url", url, "--token-url",
                   "https://auth.example.org/token", "--client-id", CLIENT_ID,
                   "--username", USER_EMAIL, "--vendor-id", VENDOR_ID])
    err = capsys.readouterr().err
    assert status == 2
    assert "--authorization-url" in err and "Traceback" not in err


def test_server_from_file_refuses_placeholder_hosts_and_names_the_flags(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "accountLinking.json"
    file.write_text(json.dumps({"accountLinkingRequest": {
        "type": "AUTH_CODE", "authorizationUrl": "https://auth.example.com/oauth/authorize",
        "accessTokenUrl": "https://login.ride.invalid/token", "clientId": CLIENT_ID}}))
    status = main(["server", "--from", str(file), "--username", USER_EMAIL,
                   "--vendor-id", VENDOR_ID])
    err = capsys.readouterr().err
    assert status == 2
    assert "placeholder" in err and "not probed" in err
    assert "--authorization-url URL and --token-url URL" in err


def test_server_from_file_probes_when_flags_replace_the_placeholders(
        start_server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    server = start_server()
    file = tmp_path / "accountLinking.json"
    file.write_text(json.dumps({"accountLinkingRequest": {
        "type": "AUTH_CODE", "authorizationUrl": "https://auth.example.com/oauth/authorize",
        "accessTokenUrl": "https://auth.example.com/oauth/token", "clientId": CLIENT_ID,
        "accessTokenScheme": "HTTP_BASIC"}}))
    status = main(["server", "--json", "--from", str(file), "--authorization-url",
                   server.authorization_url, "--token-url", server.token_url,
                   "--username", USER_EMAIL, "--vendor-id", VENDOR_ID])
    report = json.loads(capsys.readouterr().out)
    assert (status, by_status(report, "fail")) == (0, set())


def test_server_probe_masks_tokens_but_shows_token_type_and_expires_in(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = probe(start_server(), capsys)
    assert check(report, "token-type")["reason"] == "token_type Bearer"
    assert check(report, "expires-in")["reason"] == "expires_in 3600"


def test_server_probe_reports_a_redirect_to_a_malformed_url_without_traceback(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(redirect_override="http://[broken"), capsys)
    reason = check(report, "sign-in")["reason"]
    assert status == 1 and check(report, "sign-in")["status"] == "fail"
    assert "redirects to a malformed URL" in reason and "code=" not in reason
