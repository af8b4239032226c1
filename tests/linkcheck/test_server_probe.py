"""`alexa-linkcheck server` against small real OAuth servers, conformant and deliberately not."""
from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from linkcheck_test_servers import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URL,
    REGISTERED_REDIRECTS,
    USER_EMAIL,
    USER_PASSWORD,
    VENDOR_ID,
    Behaviour,
    OAuthTestServer,
)

from alexa_linkcheck.__main__ import main

AUTH_CODE_CHECKS = [
    "https-authorization-url", "https-token-url", "no-popups", "frame-protection",
    "referrer-policy", "mobile-viewport", "localized-page", "sign-in", "redirect-target",
    "state-echo", "authorization-code", "code-exchange", "token-json", "token-cache-control",
    "access-token", "token-type", "expires-in", "refresh-token", "token-deadline", "refresh",
    "refresh-rotated", "refresh-retry", "refresh-after-expiry", "wrong-secret", "code-replay",
    "wrong-password-page", "region-eu", "region-fe", "code-redirect-binding",
    "unregistered-redirect-vendor", "unregistered-redirect-host",
    "unregistered-redirect-trailing-slash", "unregistered-redirect-extra-query",
    "unregistered-redirect-http", "unregistered-redirect-userinfo",
]
UNREGISTERED = {name for name in AUTH_CODE_CHECKS if name.startswith("unregistered-")}


@pytest.fixture
def start_server() -> Iterator[Any]:
    """Start test OAuth servers with given behaviours; stop them afterwards."""
    servers: list[OAuthTestServer] = []

    def start(**switches: Any) -> OAuthTestServer:
        server = OAuthTestServer(Behaviour(**switches)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets come from the environment, as the docs recommend."""
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LINKCHECK_PASSWORD", USER_PASSWORD)


def probe(server: OAuthTestServer, capsys: pytest.CaptureFixture[str], *extra: str,
          scheme: str = "HTTP_BASIC") -> tuple[int, dict[str, Any]]:
    """Run `alexa-linkcheck server --json` against ``server``; exit status and parsed report."""
    status = main(["server", "--json", "--authorization-url", server.authorization_url,
                   "--token-url", server.token_url, "--client-id", CLIENT_ID,
                   "--scheme", scheme, "--scope", "profile rides:read", "--scope",
                   "rides:write", "--username", USER_EMAIL, "--vendor-id", VENDOR_ID, *extra])
    return status, json.loads(capsys.readouterr().out)


def by_status(report: dict[str, Any], status: str) -> set[str]:
    """Names of the checks with one status."""
    return {c["name"] for c in report["checks"] if c["status"] == status}


@pytest.mark.parametrize("scheme", ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"])
def test_server_probe_passes_conformant_server(
        start_server: Any, capsys: pytest.CaptureFixture[str], scheme: str) -> None:
    status, report = probe(start_server(), capsys, scheme=scheme)
    assert [c["name"] for c in report["checks"]] == AUTH_CODE_CHECKS
    assert by_status(report, "fail") == set()
    assert by_status(report, "warn") == {"https-authorization-url", "https-token-url"}
    assert (status, report["ok"]) == (0, True)


def test_server_probe_passes_conformant_implicit_grant(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(), capsys, "--grant", "IMPLICIT")
    assert (status, by_status(report, "fail")) == (0, set())
    assert "implicit-token" in by_status(report, "pass")
    assert "code-exchange" not in {c["name"] for c in report["checks"]}


# Each case: behaviour switches, scheme, the checks that must fail (and only those).
DEFECTS = [
    ("form-encoded-token-answer", {"form_encoded_token": True}, "HTTP_BASIC", {"token-json"}),
    ("no-state-echo", {"echo_state": False}, "HTTP_BASIC", {"state-echo"}),
    ("refresh-only-with-basic", {"refresh_basic_only": True}, "REQUEST_BODY_CREDENTIALS",
     {"refresh"}),
    ("open-redirect", {"open_redirect": True}, "HTTP_BASIC", UNREGISTERED),
    ("redirect-uri-prefix-match", {"redirect_match": "prefix"}, "HTTP_BASIC",
     {"unregistered-redirect-vendor", "unregistered-redirect-trailing-slash",
      "unregistered-redirect-extra-query"}),
    ("redirect-uri-scheme-ignored", {"redirect_match": "scheme-insensitive"}, "HTTP_BASIC",
     {"unregistered-redirect-http"}),
    ("redirect-uri-userinfo-trick", {"redirect_match": "origin-prefix"}, "HTTP_BASIC",
     {"unregistered-redirect-userinfo"}),
    ("token-answer-cacheable", {"token_cache_control": False}, "HTTP_BASIC",
     {"token-cache-control"}),
    ("no-refresh-token", {"issue_refresh_token": False}, "HTTP_BASIC", {"refresh-token"}),
    ("alert-in-login-page", {"alert_in_page": True}, "HTTP_BASIC", {"no-popups"}),
    ("wrong-secret-accepted", {"accept_wrong_secret": True}, "REQUEST_BODY_CREDENTIALS",
     {"wrong-secret"}),
    ("redirect-to-another-region", {"redirect_override": REGISTERED_REDIRECTS[1]},
     "HTTP_BASIC", {"redirect-target", "code-exchange", "region-fe"}),
    ("replayed-code-accepted", {"accept_replayed_code": True}, "HTTP_BASIC", {"code-replay"}),
]


@pytest.mark.parametrize("switches,scheme,failing",
                         [pytest.param(*d[1:], id=d[0]) for d in DEFECTS])
def test_server_probe_reports_defect_by_the_right_check(
        start_server: Any, capsys: pytest.CaptureFixture[str], switches: dict[str, Any],
        scheme: str, failing: set[str]) -> None:
    status, report = probe(start_server(**switches), capsys, scheme=scheme)
    assert by_status(report, "fail") == failing
    assert (status, report["ok"]) == (1, False)


def test_server_probe_reads_string_expires_in_as_seconds_with_a_warning(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(string_expires_in=True), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "expires-in"]
    assert (status, check["status"]) == (0, "warn")
    assert "'3600'" in check["reason"] and "read as 3600 s" in check["reason"]


def test_server_probe_reports_form_encoded_token_answer(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = probe(start_server(form_encoded_token=True), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "token-json"]
    assert "application/x-www-form-urlencoded" in check["reason"]


def test_server_probe_reports_slow_token_endpoint_against_deadline(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(token_delay=0.4), capsys, "--token-deadline", "0.1")
    assert status == 1
    assert {"token-deadline", "refresh"} == by_status(report, "fail")
    [check] = [c for c in report["checks"] if c["name"] == "token-deadline"]
    assert "Alexa gives up after 0.1s" in check["reason"]


def test_server_probe_warns_on_missing_frame_protection_and_viewport(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(frame_protection=False, viewport=False), capsys)
    assert status == 0
    assert {"frame-protection", "mobile-viewport"} <= by_status(report, "warn")


def test_server_probe_reports_refused_credentials_at_sign_in(
        start_server: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKCHECK_PASSWORD", "wrong password")
    status, report = probe(start_server(), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "sign-in"]
    assert status == 1 and check["status"] == "fail"
    assert "Wrong e-mail address or password." in check["reason"]
    assert "code-exchange" in by_status(report, "skip")


@pytest.mark.parametrize("switches", [{"open_redirect": True, "accept_wrong_secret": True},
                                      {"form_encoded_token": True},
                                      {"accept_replayed_code": True, "strict_rotation": True}])
def test_server_probe_never_prints_secrets_codes_or_tokens(
        start_server: Any, capsys: pytest.CaptureFixture[str], switches: dict[str, Any]) -> None:
    server = start_server(**switches)
    for as_json in (True, False):
        main(["server", *(["--json"] if as_json else []),
              "--authorization-url", server.authorization_url, "--token-url",
              server.token_url, "--client-id", CLIENT_ID, "--username", USER_EMAIL,
              "--redirect-url", REDIRECT_URL])
        out = capsys.readouterr().out
        assert server.state.issued
        for value in [CLIENT_SECRET, USER_PASSWORD, *server.state.issued]:
            assert value not in out


def test_server_probe_human_output_has_one_line_per_check_and_a_summary(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    server = start_server(echo_state=False)
    status = main(["server", "--authorization-url", server.authorization_url, "--token-url",
                   server.token_url, "--client-id", CLIENT_ID, "--username", USER_EMAIL,
                   "--vendor-id", VENDOR_ID])
    lines = capsys.readouterr().out.strip().splitlines()
    assert status == 1
    assert len(lines) == 1 + len(AUTH_CODE_CHECKS) + 1
    assert any(line.startswith("FAIL state-echo") for line in lines)
    assert lines[-1] == "31 passed, 2 warning(s), 1 failed, 1 skipped: FAILED"


def test_server_probe_reads_account_linking_json_with_secret_from_environment(
        start_server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server = start_server()
    monkeypatch.delenv("LINKCHECK_CLIENT_SECRET")
    monkeypatch.setenv("RIDE_SECRET", CLIENT_SECRET)
    file = tmp_path / "accountLinking.json"
    file.write_text(json.dumps({"accountLinkingRequest": {
        "type": "AUTH_CODE", "authorizationUrl": server.authorization_url,
        "accessTokenUrl": server.token_url, "clientId": CLIENT_ID,
        "accessTokenScheme": "REQUEST_BODY_CREDENTIALS", "scopes": ["profile"]}}))
    status = main(["server", "--json", "--from", str(file), "--client-secret-env",
                   "RIDE_SECRET", "--username", USER_EMAIL, "--vendor-id", VENDOR_ID])
    report = json.loads(capsys.readouterr().out)
    assert (status, by_status(report, "fail")) == (0, set())
    [check] = [c for c in report["checks"] if c["name"] == "code-exchange"]
    assert "REQUEST_BODY_CREDENTIALS" in check["reason"]


def test_server_probe_without_redirect_url_is_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["server", "--authorization-url", "https://a.example/authorize",
                   "--token-url", "https://a.example/token", "--client-id", "x",
                   "--username", "u"])
    assert status == 2
    assert "--redirect-url or --vendor-id" in capsys.readouterr().err


def test_server_probe_without_client_secret_names_the_variable(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKCHECK_CLIENT_SECRET")
    status = main(["server", "--authorization-url", "https://a.example/authorize",
                   "--token-url", "https://a.example/token", "--client-id", "x",
                   "--username", "u", "--vendor-id", VENDOR_ID])
    assert status == 2
    assert "LINKCHECK_CLIENT_SECRET" in capsys.readouterr().err


def test_server_probe_warns_when_rotation_refuses_the_previous_refresh_token(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(strict_rotation=True), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "refresh-retry"]
    assert (status, check["status"]) == (0, "warn")
    assert "400 error=invalid_grant" in check["reason"]


def test_server_probe_signs_in_with_username_field_and_input_submit_consent(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    server = start_server(user_field="username", input_submit_consent=True)
    status, report = probe(server, capsys)
    assert (status, by_status(report, "fail")) == (0, set())


def test_server_probe_sends_pkce_challenge_and_verifier_when_asked(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    server = start_server(require_pkce=True)
    status, report = probe(server, capsys, "--pkce")
    assert (status, by_status(report, "fail")) == (0, set())


def test_server_probe_reports_server_that_demands_pkce_alexa_did_not_send(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(require_pkce=True), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "sign-in"]
    assert (status, check["status"]) == (1, "fail")
    assert "PKCE is required." in check["reason"]


def test_server_probe_reports_unreachable_server_without_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    status = main(["server", "--json", "--authorization-url",
                   f"http://127.0.0.1:{port}/authorize", "--token-url",
                   f"http://127.0.0.1:{port}/token", "--client-id", CLIENT_ID,
                   "--username", USER_EMAIL, "--vendor-id", VENDOR_ID])
    report = json.loads(capsys.readouterr().out)
    [check] = [c for c in report["checks"] if c["name"] == "sign-in"]
    assert (status, check["status"]) == (1, "fail")
    assert "ConnectionError" in check["reason"]
    assert {"unregistered-redirect-vendor", "unregistered-redirect-host"} <= by_status(
        report, "skip")


def test_server_probe_gives_up_on_silent_server_after_timeout_rather_than_hanging(
        capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # accepts connections (backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        statuses: list[int] = []
        runner = threading.Thread(target=lambda: statuses.append(main([
            "server", "--json", "--authorization-url", f"{base}/authorize",
            "--token-url", f"{base}/token", "--client-id", CLIENT_ID,
            "--username", USER_EMAIL, "--vendor-id", VENDOR_ID, "--timeout", "0.5"])),
            daemon=True)
        runner.start()
        runner.join(120)
        assert not runner.is_alive(), "hung"
        # The server never answered: linkcheck sent its request, then closed the connection.
        sock.settimeout(10)
        conn, _ = sock.accept()
        with conn:
            conn.settimeout(10)
            received = b""
            while chunk := conn.recv(4096):
                received += chunk
        assert received.startswith(b"GET /authorize?")
    report = json.loads(capsys.readouterr().out)
    [check] = [c for c in report["checks"] if c["name"] == "sign-in"]
    assert (statuses[0], check["status"]) == (1, "fail")
    assert "Timeout" in check["reason"]


def test_server_probe_warns_on_401_without_www_authenticate_for_http_basic(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(www_authenticate=False), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "wrong-secret"]
    assert (status, check["status"]) == (0, "warn")
    assert "WWW-Authenticate" in check["reason"]


def test_server_probe_warns_when_login_page_ignores_accept_language(
        start_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = probe(start_server(localized=False), capsys)
    [check] = [c for c in report["checks"] if c["name"] == "localized-page"]
    assert (status, check["status"]) == (0, "warn")
    assert "de-DE" in check["reason"]
