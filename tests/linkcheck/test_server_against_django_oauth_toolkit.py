"""`alexa-linkcheck server` against django-oauth-toolkit, configured right and the ways that
break Alexa linking."""
from __future__ import annotations

import json
import secrets
from typing import Any, Iterator

import pytest
from dot_server import (
    ALEXA_REDIRECTS,
    CLIENT_SECRET,
    PASSWORD,
    USERNAME,
    VENDOR_ID,
    DjangoServer,
    ensure_django,
    register_application,
)

from alexa_linkcheck.__main__ import main

#: What an Alexa skill without PKCE needs from DOT 3 (which demands PKCE by default).
FOR_ALEXA = {"PKCE_REQUIRED": False}


@pytest.fixture(scope="module")
def django_server() -> Iterator[DjangoServer]:
    ensure_django()
    with DjangoServer() as server:
        yield server


@pytest.fixture
def run(django_server: DjangoServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Any:
    """Probe DOT with OAUTH2_PROVIDER settings and a fresh application; (status, checks)."""
    from django.test import override_settings

    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LINKCHECK_PASSWORD", PASSWORD)

    def probe(provider: dict[str, Any], redirect_uris: list[str] = ALEXA_REDIRECTS,
              *extra: str, scheme: str = "HTTP_BASIC") -> tuple[int, dict[str, tuple[str, str]]]:
        client_id = "alexa-" + secrets.token_hex(6)
        register_application(client_id, redirect_uris)
        base = django_server.base_url
        # DOT caches its oauthlib server (with the token lifetimes) on the first request
        # unless told to rebuild it: its own setting for tests that change settings.
        with override_settings(OAUTH2_PROVIDER={"ALWAYS_RELOAD_OAUTHLIB_CORE": True, **provider}):
            status = main(["server", "--json", "--authorization-url", f"{base}/o/authorize/",
                           "--token-url", f"{base}/o/token/", "--client-id", client_id,
                           "--scheme", scheme, "--username", USERNAME, "--vendor-id",
                           VENDOR_ID, *extra])
        report = json.loads(capsys.readouterr().out)
        return status, {c["name"]: (c["status"], c["reason"]) for c in report["checks"]}

    return probe


def failing(checks: dict[str, tuple[str, str]]) -> set[str]:
    return {name for name, (status, _) in checks.items() if status == "fail"}


@pytest.mark.parametrize("scheme", ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"])
def test_django_oauth_toolkit_set_up_for_alexa_passes(run: Any, scheme: str) -> None:
    status, checks = run(FOR_ALEXA, scheme=scheme)
    assert failing(checks) == set()
    assert checks["sign-in"][0] == "pass"  # Django's login, then DOT's "Authorize" button
    assert checks["code-redirect-binding"][0] == "pass"
    assert status == 0


def test_django_oauth_toolkit_passes_with_pkce_when_the_skill_sends_it(run: Any) -> None:
    status, checks = run({}, ALEXA_REDIRECTS, "--pkce")
    assert (status, failing(checks)) == (0, set())


def test_django_oauth_toolkit_demanding_pkce_alexa_does_not_send_fails_sign_in(
        run: Any) -> None:
    status, checks = run({})  # DOT 3's default PKCE_REQUIRED=True, skill without PKCE
    # DOT redirects back with the error: Alexa gets no code and the user cannot link.
    assert checks["authorization-code"] == ("fail", "error=invalid_request Code challenge "
                                                    "required.")
    assert status == 1


def test_django_oauth_toolkit_with_one_redirect_uri_fails_the_other_regions(run: Any) -> None:
    status, checks = run(FOR_ALEXA, ALEXA_REDIRECTS[:1])
    assert failing(checks) == {"region-eu", "region-fe"}
    assert "users in the Far East (Japan) cannot link" in checks["region-fe"][1]
    assert status == 1


def test_django_oauth_toolkit_refresh_tokens_that_die_soon_after_the_access_token_fail(
        run: Any) -> None:
    # Access tokens for 3 s, refresh tokens dead 2 s after their access token: the refreshes
    # made at once work, the one after waiting expires_in + 2 s does not.
    status, checks = run({**FOR_ALEXA, "ACCESS_TOKEN_EXPIRE_SECONDS": 3,
                          "REFRESH_TOKEN_EXPIRE_SECONDS": 2})
    assert failing(checks) == {"refresh-after-expiry"}
    assert checks["expires-in"][0] == "warn"
    assert status == 1


def test_django_oauth_toolkit_short_access_tokens_with_lasting_refresh_tokens_pass(
        run: Any) -> None:
    status, checks = run({**FOR_ALEXA, "ACCESS_TOKEN_EXPIRE_SECONDS": 2})
    assert checks["refresh-after-expiry"][0] == "pass"
    assert (status, failing(checks)) == (0, set())


def test_django_oauth_toolkit_reuse_protection_without_grace_period_fails_refresh_retry(
        run: Any) -> None:
    status, checks = run({**FOR_ALEXA, "REFRESH_TOKEN_REUSE_PROTECTION": True})
    assert failing(checks) == {"refresh-retry"}
    assert "kill the whole chain" in checks["refresh-retry"][1]
    assert status == 1


def test_django_oauth_toolkit_reuse_protection_with_a_grace_period_passes(run: Any) -> None:
    status, checks = run({**FOR_ALEXA, "REFRESH_TOKEN_REUSE_PROTECTION": True,
                          "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 120})
    assert checks["refresh-retry"][0] == "pass"
    assert (status, failing(checks)) == (0, set())
