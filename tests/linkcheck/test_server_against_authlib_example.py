"""`alexa-linkcheck server` against an Authlib server in the shape of Authlib's own example."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from authlib_example_server import (
    ALEXA_REDIRECTS,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    USERNAME,
    VENDOR_ID,
    AuthlibExampleServer,
    AuthlibSetup,
)

from alexa_linkcheck.__main__ import main

SCHEMES = {"client_secret_basic": "HTTP_BASIC", "client_secret_post": "REQUEST_BODY_CREDENTIALS"}


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets from the environment; Authlib allows plain http only when told (127.0.0.1)."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LINKCHECK_PASSWORD", PASSWORD)


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Serve an AuthlibSetup, probe it, return (exit status, {check: (status, reason)})."""
    def probe(setup: AuthlibSetup, *extra: str) -> tuple[int, dict[str, tuple[str, str]]]:
        with AuthlibExampleServer(tmp_path / f"authlib{len(list(tmp_path.iterdir()))}.db",
                                  setup) as server:
            status = main(["server", "--json", "--authorization-url",
                           f"{server.base_url}/oauth/authorize", "--token-url",
                           f"{server.base_url}/oauth/token", "--client-id", CLIENT_ID,
                           "--scheme", SCHEMES[setup.auth_method], "--scope", "profile rides",
                           "--username", USERNAME, "--vendor-id", VENDOR_ID, *extra])
        report = json.loads(capsys.readouterr().out)
        return status, {c["name"]: (c["status"], c["reason"]) for c in report["checks"]}

    yield probe


def failing(checks: dict[str, tuple[str, str]]) -> set[str]:
    return {name for name, (status, _) in checks.items() if status == "fail"}


@pytest.mark.parametrize("method", sorted(SCHEMES))
def test_authlib_example_server_set_up_for_alexa_passes(run: Any, method: str) -> None:
    status, checks = run(AuthlibSetup(auth_method=method))
    assert failing(checks) == set()
    assert checks["sign-in"][0] == "pass"  # through the checkbox-and-Submit consent page
    # Authlib's example revokes the previous refresh token at once: works, but a lost answer
    # unlinks the user (warn, not fail).
    assert checks["refresh-retry"][0] == "warn"
    assert status == 0


def test_authlib_example_with_the_user_name_on_its_consent_form_links(run: Any) -> None:
    status, checks = run(AuthlibSetup(username_on_consent_page=True))
    assert checks["sign-in"][0] == "pass"
    assert checks["authorization-code"][0] == "pass"
    assert checks["region-eu"][0] == "pass"
    # No password: a "wrong password" cannot be refused, and linkcheck says so.
    assert checks["wrong-password-page"][0] == "fail"
    assert status == 1


def test_authlib_server_without_the_refresh_token_generator_fails_refresh_token(
        run: Any) -> None:
    status, checks = run(AuthlibSetup(refresh_tokens=False))
    assert failing(checks) == {"refresh-token"}
    assert checks["refresh"] == ("skip", "no refresh token in the code exchange's answer")
    assert status == 1


def test_authlib_server_with_only_the_north_america_redirect_fails_europe_and_far_east(
        run: Any) -> None:
    status, checks = run(AuthlibSetup(redirect_uris=(ALEXA_REDIRECTS[0],)))
    assert failing(checks) == {"region-eu", "region-fe"}
    assert "users in Europe cannot link" in checks["region-eu"][1]
    assert status == 1


def test_authlib_server_whose_refresh_tokens_die_with_short_access_tokens_fails(
        run: Any) -> None:
    # 5 s (Authlib stores issued_at in whole seconds): the refreshes made at once still work;
    # the one made after waiting expires_in + 2 s does not.
    status, checks = run(AuthlibSetup(expires_in=5, refresh_dies_with_access=True))
    assert failing(checks) == {"refresh-after-expiry"}
    assert checks["expires-in"][0] == "warn"
    assert status == 1


def test_authlib_server_with_short_access_tokens_and_lasting_refresh_tokens_passes(
        run: Any) -> None:
    status, checks = run(AuthlibSetup(expires_in=1))
    assert checks["refresh-after-expiry"][0] == "pass"
    assert (status, failing(checks)) == (0, set())


def test_authlib_server_answering_form_encoded_fails_token_json_only(run: Any) -> None:
    status, checks = run(AuthlibSetup(form_encoded=True))
    assert failing(checks) == {"token-json"}
    assert checks["refresh"][0] == "pass"  # not "no refresh token"
    assert status == 1


def test_authlib_server_killing_the_chain_on_refresh_token_reuse_fails(run: Any) -> None:
    status, checks = run(AuthlibSetup(kill_chain_on_reuse=True))
    assert failing(checks) == {"refresh-retry"}
    assert "kill the whole chain" in checks["refresh-retry"][1]
    assert status == 1


def test_authlib_server_expecting_basic_while_alexa_sends_body_credentials_fails(
        run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    status, checks = run(AuthlibSetup(auth_method="client_secret_basic"), "--scheme",
                         "REQUEST_BODY_CREDENTIALS")
    assert checks["code-exchange"][0] == "fail"
    assert "invalid_client" in checks["code-exchange"][1]
    assert status == 1
