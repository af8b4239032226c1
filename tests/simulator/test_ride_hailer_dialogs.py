"""The shipped German dialog plays against the Ride Hailer skill (Lambda handler) and the live service."""
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

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "tool" / "alexa_linkcheck" / "simulator" / "dialogs"
PASSWORD = "a long test password"


@pytest.fixture
def service_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    app = create_app({"TESTING": True, "SECRET_KEY": "de-dialog", "DATABASE_URL": f"sqlite:///{tmp_path}/s.sqlite"})
    with app.app_context():
        flask_migrate.upgrade()
        create_user("fahrgast@example.com", PASSWORD, "Dana")
        _, secret = create_alexa_client("M0DE", "HTTP_BASIC")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("RIDE_HAILER_API_URL", url)  # LambdaTarget writes --env into os.environ
    monkeypatch.setenv("LINKCHECK_CLIENT_SECRET", secret)
    monkeypatch.setenv("LINKCHECK_PASSWORD", PASSWORD)
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_german_dialog_resolves_contractions_to_the_destination_and_passes(
        service_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = simulate([
        str(DIALOGS / "ride_hailer_de.dialog"), "--project", str(ROOT), "--vendor-id", "M0DE", "--verbose",
        "--authorization-url", f"{service_url}/oauth/authorize", "--token-url", f"{service_url}/oauth/token",
        "--username", "fahrgast@example.com", "--env", f"RIDE_HAILER_API_URL={service_url}"])
    out = capsys.readouterr().out
    assert status == 0, out
    ordered = out.split("you> bestelle eine fahrt zum flughafen\n")[1]
    # the slot holds the noun, resolved to the model's value (and its entity id, since the
    # German model gives the destinations ids)
    assert ordered.startswith("[nlu] IntentRequest OrderRideIntent; dialogState STARTED; new session; "
                              "slots: destination='Flughafen' (ER_SUCCESS_MATCH Flughafen")
    assert "destination='Hauptbahnhof'" in out
    assert "destination='m " not in out  # the old cut: "zu {destination}" matched inside "zum"
    assert "[link] redirect to Alexa" in out and "code=***" in out
