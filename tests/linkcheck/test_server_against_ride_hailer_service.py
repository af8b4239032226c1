"""`alexa-linkcheck server` against the real Ride Hailer service, with both Alexa schemes.

The service is built by `ride_hailer_service.create_app` on a fresh SQLite file, served by
werkzeug on 127.0.0.1 in a thread, with a user and an Alexa client made by the admin helpers.
Needs ride_hailer_service from the service branch: it runs after the branches are merged.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

from alexa_linkcheck.__main__ import main

VENDOR_ID = "M2LINKCHECK"
EMAIL = "linkcheck@example.com"
PASSWORD = "linkcheck password 1"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The service on 127.0.0.1 with one user and one Alexa client per scheme."""
    from ride_hailer_service import create_app
    from ride_hailer_service.admin import create_alexa_client, create_user

    app = create_app({"TESTING": True, "SECRET_KEY": "linkcheck-test",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'service.sqlite'}"})
    secrets: dict[str, str] = {}
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        create_user(EMAIL, PASSWORD, "Link Checker")
        for scheme in ("HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"):
            client, secret = create_alexa_client(VENDOR_ID, scheme,
                                                 client_id=f"alexa-{scheme.lower()}")
            secrets[scheme] = secret
        _, secrets["pkce"] = create_alexa_client(VENDOR_ID, "HTTP_BASIC", client_id="alexa-pkce",
                                                 require_pkce=True)
        _, secrets["implicit"] = create_alexa_client(VENDOR_ID, "HTTP_BASIC",
                                                     client_id="alexa-implicit", implicit=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", secrets
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.parametrize("scheme", ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"])
def test_linkcheck_server_passes_against_ride_hailer_service(
        service: tuple[str, dict[str, str]], scheme: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    base, secrets = service
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", secrets[scheme])
    monkeypatch.setenv("LINKCHECK_PASSWORD", PASSWORD)
    status = main(["server", "--json", "--authorization-url", f"{base}/oauth/authorize",
                   "--token-url", f"{base}/oauth/token", "--client-id",
                   f"alexa-{scheme.lower()}", "--scheme", scheme, "--scope",
                   "profile rides:read rides:write", "--username", EMAIL,
                   "--vendor-id", VENDOR_ID])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    # The service's access tokens last an hour: the wait past expires_in is not made.
    failures = [c for c in report["checks"] if c["status"] == "fail" or (
        c["status"] == "skip" and not c["reason"].startswith("expires_in 3600: not waited"))]
    assert (status, failures) == (0, [])


@pytest.mark.parametrize("client_id,extra", [("alexa-pkce", ["--pkce"]),
                                             ("alexa-implicit", ["--grant", "IMPLICIT"])])
def test_linkcheck_server_passes_against_ride_hailer_service_with_pkce_and_implicit(
        service: tuple[str, dict[str, str]], client_id: str, extra: list[str],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    base, secrets = service
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", secrets[client_id.removeprefix("alexa-")])
    monkeypatch.setenv("LINKCHECK_PASSWORD", PASSWORD)
    status = main(["server", "--json", "--authorization-url", f"{base}/oauth/authorize",
                   "--token-url", f"{base}/oauth/token", "--client-id", client_id,
                   "--scope", "profile", "--username", EMAIL, "--vendor-id", VENDOR_ID,
                   *extra])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    # The service's access tokens last an hour: the wait past expires_in is not made.
    failures = [c for c in report["checks"] if c["status"] == "fail" or (
        c["status"] == "skip" and not c["reason"].startswith("expires_in 3600: not waited"))]
    assert (status, failures) == (0, [])
