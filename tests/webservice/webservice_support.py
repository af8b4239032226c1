"""Helpers of the web-service tests: a bare skill, a trickling server, signed requests.

The chain and stalling servers and the throw-away PKI are shared with bench and devstack:
``devstack.servers`` and ``alexa_linkcheck.simulator.signing``.
"""
from __future__ import annotations

import datetime
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils.predicate import is_request_type
from ask_sdk_model.response import Response
from flask.testing import FlaskClient

from alexa_linkcheck.simulator.signing import Authority, SigningIdentity

FIXTURES = Path(__file__).parent / "fixtures"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
WELCOME = "Welcome to the bare test skill."


class LaunchRequestHandler(AbstractRequestHandler):
    """Greets, and counts how often the skill was invoked."""

    def __init__(self) -> None:
        self.calls = 0

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        self.calls += 1
        return handler_input.response_builder.speak(WELCOME).response


class SkillEventHandler(AbstractRequestHandler):
    """Acknowledges skill events silently, counting them."""

    def __init__(self) -> None:
        self.calls = 0

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request_type = str(getattr(handler_input.request_envelope.request, "object_type", ""))
        return request_type.startswith("AlexaSkillEvent.")

    def handle(self, handler_input: HandlerInput) -> Response:
        self.calls += 1
        return handler_input.response_builder.response


@dataclass
class BareSkill:
    """A bare ASK SDK skill whose handlers count their invocations."""

    launch: LaunchRequestHandler = field(default_factory=LaunchRequestHandler)
    event: SkillEventHandler = field(default_factory=SkillEventHandler)

    def builder(self) -> CustomSkillBuilder:
        builder = CustomSkillBuilder()
        builder.add_request_handler(self.launch)
        builder.add_request_handler(self.event)
        return builder

    @property
    def calls(self) -> int:
        return self.launch.calls + self.event.calls


@dataclass
class Pki:
    root: Authority
    intermediate: Authority
    alexa: SigningIdentity
    untrusted_root: Authority
    anchors_file: Path


class FakeClock:
    """A settable UTC clock for cache-expiry tests."""

    def __init__(self) -> None:
        self.now = datetime.datetime.now(datetime.timezone.utc)

    def __call__(self) -> datetime.datetime:
        return self.now


def iso(moment: datetime.datetime) -> str:
    """Alexa's timestamp format."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(name: str = "launch_request", *, timestamp: datetime.datetime | None = None,
             skill_id: str | None = None) -> dict[str, Any]:
    """A JSON fixture with a fresh (or given) timestamp and optionally another skill id."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    moment = timestamp or datetime.datetime.now(datetime.timezone.utc)
    data["request"]["timestamp"] = iso(moment)
    if skill_id is not None:
        data["context"]["System"]["application"]["applicationId"] = skill_id
        if "session" in data:
            data["session"]["application"]["applicationId"] = skill_id
    return data


def body_of(data: dict[str, Any]) -> bytes:
    """The raw body as Alexa would send it."""
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def post_or_fail_as_hung(host: "Host", body: bytes, headers: dict[str, str],
                         limit: float = 60.0) -> Any:
    """``host.post`` in a thread; fails with "hung" if it has not returned within ``limit``."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(host.post(body, headers)),
                              daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), "hung"
    return result[0]


def signed_headers(identity: SigningIdentity, body: bytes, url: str = CERT_URL) -> dict[str, str]:
    """Headers of a correctly signed Alexa request."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": url,
        "Signature-256": identity.sign(body),
    }


@dataclass
class Host:
    """A verifying host of a bare skill, with its test client."""

    skill: BareSkill
    client: FlaskClient
    app: Any

    def post(self, body: bytes, headers: dict[str, str]) -> Any:
        return self.client.post("/alexa", data=body, headers=headers)


class TricklingServer:
    """Answers 200 with a long body on 127.0.0.1, one byte every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.stopped = threading.Event()
        #: Set when a write fails because the client closed the connection.
        self.client_gone = threading.Event()
        #: Set if a whole body was ever sent (the client waited it out).
        self.finished = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                self.send_response(200)
                self.send_header("Content-Length", "4000")
                self.end_headers()
                for _ in range(4000):
                    if outer.stopped.wait(outer.interval):
                        return
                    try:
                        self.wfile.write(b"A")
                        self.wfile.flush()
                    except OSError:
                        outer.client_gone.set()
                        return
                outer.finished.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()
