"""`alexa-linkcheck server`: token Cache-Control, login page Referrer-Policy, redirect URI variants."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from linkcheck_test_servers import (
    CLIENT_ID,
    CLIENT_SECRET,
    USER_EMAIL,
    USER_PASSWORD,
    VENDOR_ID,
    Behaviour,
    OAuthTestServer,
)

from alexa_linkcheck.__main__ import main
from alexa_linkcheck.server import unregistered_redirects

REDIRECT = f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"


@pytest.fixture
def run_probe(monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Start a test server with switches, probe it, return {check name: check}."""
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LINKCHECK_PASSWORD", USER_PASSWORD)
    servers: list[OAuthTestServer] = []

    def run(**switches: Any) -> dict[str, dict[str, Any]]:
        server = OAuthTestServer(Behaviour(**switches)).start()
        servers.append(server)
        main(["server", "--json", "--authorization-url", server.authorization_url,
              "--token-url", server.token_url, "--client-id", CLIENT_ID,
              "--username", USER_EMAIL, "--vendor-id", VENDOR_ID])
        return {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}

    yield run
    for server in servers:
        server.stop()


def test_unregistered_redirect_variants_of_the_alexa_redirect_url() -> None:
    assert unregistered_redirects(REDIRECT) == {
        "unregistered-redirect-vendor": REDIRECT + "LINKCHECK",
        "unregistered-redirect-host": f"https://linkcheck.invalid/api/skill/link/{VENDOR_ID}",
        "unregistered-redirect-trailing-slash": REDIRECT + "/",
        "unregistered-redirect-extra-query": REDIRECT + "?linkcheck=1",
        "unregistered-redirect-http": REDIRECT.replace("https://", "http://"),
        "unregistered-redirect-userinfo":
            f"https://pitangui.amazon.com@linkcheck.invalid/api/skill/link/{VENDOR_ID}",
    }


def test_conformant_server_passes_cache_control_referrer_policy_and_every_variant(
        run_probe: Any) -> None:
    checks = run_probe()
    names = ["token-cache-control", "referrer-policy",
             *unregistered_redirects(REDIRECT)]
    assert {name: checks[name]["status"] for name in names} == dict.fromkeys(names, "pass")


def test_token_answer_without_no_store_fails_naming_rfc_6749(run_probe: Any) -> None:
    check = run_probe(token_cache_control=False)["token-cache-control"]
    assert check["status"] == "fail"
    assert "no Cache-Control header" in check["reason"] and "RFC 6749 5.1" in check["reason"]


@pytest.mark.parametrize("policy", [None, "unsafe-url", "no-referrer-when-downgrade"])
def test_login_page_leaking_its_url_through_the_referrer_warns(
        run_probe: Any, policy: str | None) -> None:
    checks = run_probe(referrer_policy=policy)
    assert checks["referrer-policy"]["status"] == "warn"
    assert "client_id, state, redirect_uri" in checks["referrer-policy"]["reason"]
    assert checks["sign-in"]["status"] == "pass"


def test_userinfo_trick_is_reported_as_an_open_redirect_by_name(run_probe: Any) -> None:
    checks = run_probe(redirect_match="origin-prefix")
    check = checks["unregistered-redirect-userinfo"]
    assert check["status"] == "fail"
    assert "pitangui.amazon.com@linkcheck.invalid" in check["reason"]
    assert "open redirect" in check["reason"]
    assert checks["unregistered-redirect-host"]["status"] == "pass"
