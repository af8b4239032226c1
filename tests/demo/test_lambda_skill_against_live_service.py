"""The Lambda entry point (`lambda_function.lambda_handler`) against the live service over HTTP.

The demo test covers the web host with HTTP_BASIC; this one calls the handler `ask deploy`
ships, in-process like Lambda does, with RIDE_HAILER_API_URL pointing at the service served on
127.0.0.1 and tokens from the real authorization flow, with REQUEST_BODY_CREDENTIALS.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import flask_migrate
import pytest
from werkzeug.serving import make_server

from alexa_linkcheck.simulator.cli import main as simulate
from ride_hailer_service import create_app
from ride_hailer_service.admin import create_alexa_client, create_user

from devstack.demo import DEFAULT_DIALOG

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long demo password"


@pytest.fixture
def service_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    app = create_app({"TESTING": True, "SECRET_KEY": "lambda-test", "DATABASE_URL": f"sqlite:///{tmp_path}/s.sqlite"})
    with app.app_context():
        flask_migrate.upgrade()
        create_user("rider@example.com", PASSWORD, "Dana")
        _, secret = create_alexa_client("M0LAMBDA", "REQUEST_BODY_CREDENTIALS")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    # LambdaTarget writes --env into os.environ; monkeypatch restores it after the test.
    monkeypatch.setenv("RIDE_HAILER_API_URL", url)
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", secret)
    monkeypatch.setenv("LINKCHECK_PASSWORD", PASSWORD)
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_lambda_handler_plays_the_demo_story_against_the_live_service_with_body_credentials(
        service_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = simulate([
        str(DEFAULT_DIALOG), "--project", str(ROOT), "--vendor-id", "M0LAMBDA", "--scheme", "REQUEST_BODY_CREDENTIALS",
        "--authorization-url", f"{service_url}/oauth/authorize", "--token-url", f"{service_url}/oauth/token",
        "--revocation-url", f"{service_url}/oauth/revoke", "--username", "rider@example.com",
        "--env", f"RIDE_HAILER_API_URL={service_url}"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Your ride to the airport is booked" in out
    assert "access token expired: refreshed at the token URL" in out
    assert "Your Ride Hailer link has expired" in out
    assert "Your ride to the airport is cancelled." in out
    assert "script passed: 14 steps, 25 expectations" in out
