"""My Lights on 127.0.0.1: the device cloud, LWA's token URL and the Alexa event gateway.

:class:`MyLightsStack` starts the LWA stand-in and the event gateway stand-in (from
``alexa_linkcheck.simulator.amazon_side``) and the My Lights device cloud (the Ride
Hailer authorization server configured with the lights API) on a real werkzeug server in
a thread, on a fresh SQLite file or a PostgreSQL schema; it creates a demo user with a
kitchen light and a hallway light, and registers the skill. Tests and
``make demo-smarthome`` both use it.
"""
from __future__ import annotations

import secrets
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any, Optional

from .stack import ROOT

#: Where the example lives; its device cloud and Lambda are put on sys.path (not installed).
MY_LIGHTS = ROOT / "examples" / "my_lights"
DEVICE_CLOUD = MY_LIGHTS / "device_cloud"
LAMBDA = MY_LIGHTS / "lambda"

DEMO_EMAIL = "casey@example.com"
DEMO_NAME = "Casey"
DEMO_VENDOR_ID = "M0LIGHTSVENDOR"
DEMO_CLIENT_ID = "my-lights-skill"
#: the skill's "Alexa Skill Messaging" client id (the secret is made per stack)
MESSAGING_CLIENT_ID = "amzn1.application-oa2-client.mylightsdemo"
DEMO_LIGHTS = ("Kitchen light", "Hallway light")


def add_example_paths() -> None:
    """Make ``my_lights_cloud`` and the Lambda's ``my_lights`` importable."""
    for path in (str(DEVICE_CLOUD), str(LAMBDA)):
        if path not in sys.path:
            sys.path.insert(0, path)


class MyLightsStack:
    """The device cloud and Amazon's side for one run; a context manager."""

    def __init__(self, database_url: Optional[str] = None, schema: Optional[str] = None,
                 background_sender: bool = False, extra_config: Optional[dict[str, Any]] = None) -> None:
        add_example_paths()
        from alexa_linkcheck.simulator.amazon_side import EventGatewayStandIn, LwaStandIn

        self._tmp = tempfile.TemporaryDirectory(prefix="my-lights-")
        self.database_url = database_url or f"sqlite:///{Path(self._tmp.name) / 'my_lights.sqlite'}"
        self.schema = schema
        self.password = secrets.token_urlsafe(12)
        self.messaging_secret = secrets.token_urlsafe(24)
        self.lwa = LwaStandIn(MESSAGING_CLIENT_ID, self.messaging_secret)
        self.gateway = EventGatewayStandIn(self.lwa)
        self._background = background_sender
        self._extra = extra_config or {}
        self.client_id = DEMO_CLIENT_ID
        self.client_secret = ""
        self.vendor_id = DEMO_VENDOR_ID
        self.email = DEMO_EMAIL
        self.user_id = 0
        self.app: Any = None
        self._server: Any = None
        self._server_stopped = False
        self._thread: Optional[threading.Thread] = None

    def config(self) -> dict[str, Any]:
        """The device cloud's settings for this stack."""
        config: dict[str, Any] = {
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "my-lights-" + uuid.uuid4().hex,
            "TESTING": not self._background,
            "ALEXA_CLIENT_ID": MESSAGING_CLIENT_ID,
            "ALEXA_CLIENT_SECRET": self.messaging_secret,
            "LWA_TOKEN_URL": self.lwa.token_url,
            "ALEXA_EVENT_GATEWAY_URL": self.gateway.url,
            "EVENT_BACKGROUND_SENDER": self._background,
            "EVENT_SEND_INTERVAL": 1,
            "EVENT_RETRY_DELAY": 1,
        }
        if not self._background:
            config["TESTING"] = True
        else:
            config["ISSUER"] = "http://127.0.0.1"
            config["DEBUG"] = False
        if self.schema:
            config["DATABASE_SCHEMA"] = self.schema
        return {**config, **self._extra}

    def start(self) -> "MyLightsStack":
        from werkzeug.serving import make_server

        from my_lights_cloud import create_app, init_database
        from my_lights_cloud.admin import add_lights, create_skill_client
        from ride_hailer_service.admin import create_user

        self.lwa.start()
        self.gateway.start()
        self.app = create_app(self.config())
        init_database(self.app)
        with self.app.app_context():
            self.user_id = create_user(DEMO_EMAIL, self.password, DEMO_NAME).id
            _, self.client_secret = create_skill_client(DEMO_VENDOR_ID, client_id=DEMO_CLIENT_ID)
            add_lights(self.user_id, *DEMO_LIGHTS)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def cloud_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def deliver_events(self) -> Any:
        """Run the device cloud's event sender once, here (tests; the demo uses the thread)."""
        from my_lights_cloud.alexa import deliver_events

        with self.app.app_context():
            return deliver_events()

    def stop_cloud(self) -> None:
        """Stop serving the device cloud (its port refuses connections from now on)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server_stopped = True

    def stop(self) -> None:
        from my_lights_cloud.alexa import SENDER_EXTENSION

        if self.app is not None:
            sender = self.app.extensions.get(SENDER_EXTENSION)
            if sender is not None:
                sender.stop()
        if self._server is not None and not self._server_stopped:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.app is not None:
            from ride_hailer_service.models import db

            with self.app.app_context():
                db.engine.dispose()
        self.gateway.stop()
        self.lwa.stop()
        self._tmp.cleanup()

    def __enter__(self) -> "MyLightsStack":
        return self.start()

    def __exit__(self, kind: Optional[type[BaseException]], error: Optional[BaseException],
                 trace: Optional[TracebackType]) -> None:
        self.stop()


# -- make demo-smarthome ---------------------------------------------------------------------
class DemoFailed(Exception):
    """An expectation of the smart home demo did not hold."""


def _hub(stack: MyLightsStack, token: str, method: str, path: str, body: dict[str, Any]) -> None:
    """What the user does at the hub or in the My Lights app (outside Alexa)."""
    import requests

    response = requests.request(method, stack.cloud_url + "/api/home/v1" + path, json=body, timeout=10,
                                headers={"Authorization": f"Bearer {token}"})
    if response.status_code not in (200, 201):
        raise DemoFailed(f"the device cloud answered HTTP {response.status_code} to {method} {path}")


def run_smarthome_demo(emit: Any = print) -> int:
    """The My Lights story: link + AcceptGrant, discover, voice control, events, expiry, revocation.

    Exit status 0 only if every expectation held; the FAILED: line names the step.
    """
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from alexa_linkcheck.simulator.linking import LinkingConfig
    from alexa_linkcheck.simulator.smarthome import SmartHomeSimulator
    from alexa_linkcheck.simulator.targets import LambdaTarget

    checked = 0
    steps = 0
    with MyLightsStack(background_sender=True) as stack:
        emit(f"device cloud (My Lights on the Ride Hailer authorization server): {stack.cloud_url}")
        emit(f"LWA token URL stand-in: {stack.lwa.token_url}")
        emit(f"event gateway stand-in: {stack.gateway.url}")
        target = LambdaTarget(LAMBDA, environ={"MY_LIGHTS_API_URL": stack.cloud_url})
        linking = LinkingConfig.from_account_linking_file(
            MY_LIGHTS / "skill-package" / "accountLinking.json", vendor_id=stack.vendor_id,
            client_secret=stack.client_secret, authorization_url=stack.cloud_url + "/oauth/authorize",
            token_url=stack.cloud_url + "/oauth/token")
        alexa = SmartHomeSimulator(target, linking, stack.email, stack.password, lwa=stack.lwa,
                                   gateway=stack.gateway, revocation_url=stack.cloud_url + "/oauth/revoke",
                                   skill_name="My Lights", emit=emit)

        def expect(step: str, condition: bool, what: str) -> None:
            nonlocal checked
            if not condition:
                raise DemoFailed(f"step {steps} ({step}): expected {what}")
            checked += 1

        def step(title: str) -> str:
            nonlocal steps
            steps += 1
            emit(f"--- step {steps}: {title}")
            return title

        try:
            title = step("link")
            outcome = alexa.link()
            expect(title, outcome.name == "Alexa.Authorization.AcceptGrant.Response", "AcceptGrant.Response")
            expect(title, stack.lwa.calls == ["authorization_code"], "the device cloud exchanged the grant code at LWA")

            title = step("discover")
            outcome = alexa.discover()
            expect(title, outcome.name == "Alexa.Discovery.Discover.Response", "Discover.Response")
            expect(title, "kitchen light" in alexa.devices, "the kitchen light among the devices")

            title = step("say turn on the kitchen light")
            outcome = alexa.say("turn on the kitchen light")
            expect(title, outcome.name == "Alexa.Response", "Alexa.Response")
            props = {p["name"]: p["value"] for p in outcome.answer.get("context", {}).get("properties", [])}
            expect(title, props.get("powerState") == "ON", "powerState ON")

            title = step("say dim the kitchen light to 30 percent")
            outcome = alexa.say("dim the kitchen light to 30 percent")
            props = {p["name"]: p["value"] for p in outcome.answer.get("context", {}).get("properties", [])}
            expect(title, props.get("brightness") == 30, "brightness 30")

            title = step("the user switches the kitchen light off at the hub (outside Alexa)")
            assert alexa.tokens is not None
            _hub(stack, alexa.tokens.access_token, "PATCH", "/lights/kitchen-light",
                 {"power": "OFF", "cause": "PHYSICAL_INTERACTION"})
            expect(title, alexa.wait_for_event("ChangeReport") is not None,
                   "a ChangeReport accepted by the event gateway (valid Alexa bearer token)")

            title = step("a porch light is added to the hub")
            _hub(stack, alexa.tokens.access_token, "POST", "/lights", {"name": "Porch light"})
            expect(title, alexa.wait_for_event("AddOrUpdateReport") is not None,
                   "an AddOrUpdateReport accepted by the event gateway")

            title = step("Alexa's event token expires; the user switches the hallway light on at the hub")
            stack.lwa.expire_access_tokens()
            _hub(stack, alexa.tokens.access_token, "PATCH", "/lights/hallway-light",
                 {"power": "ON", "cause": "PHYSICAL_INTERACTION"})
            expect(title, alexa.wait_for_event("ChangeReport", already=1) is not None,
                   "the ChangeReport accepted after the device cloud refreshed the Alexa token")
            emit(f"[lwa] token URL calls: {', '.join(stack.lwa.calls)}")
            expect(title, stack.lwa.calls.count("refresh_token") >= 1, "a refresh at LWA")

            title = step("expire (Alexa's copy of the skill's access token)")
            alexa.expire()
            title = step("say is the kitchen light on")
            outcome = alexa.say("is the kitchen light on")
            expect(title, outcome.name == "Alexa.StateReport", "a StateReport after refreshing the token")

            title = step("revoke (the user removes access on the My Lights website)")
            alexa.revoke()
            title = step("say turn on the kitchen light")
            outcome = alexa.say("turn on the kitchen light")
            expect(title, outcome.error == "INVALID_AUTHORIZATION_CREDENTIAL",
                   "ErrorResponse INVALID_AUTHORIZATION_CREDENTIAL after revocation")

            title = step("link again")
            outcome = alexa.link()
            expect(title, outcome.name == "Alexa.Authorization.AcceptGrant.Response", "AcceptGrant.Response")
            title = step("say turn on the kitchen light")
            outcome = alexa.say("turn on the kitchen light")
            expect(title, outcome.name == "Alexa.Response", "Alexa.Response after relinking")
            refused = [e for e in stack.gateway.received if e.status == 401]
            emit(f"[event gateway] {len(stack.gateway.received)} event(s) received, "
                 f"{len(stack.gateway.accepted())} accepted, {len(refused)} refused for a stale token")
        except (DemoFailed, Exception) as error:  # noqa: BLE001 (the demo reports every failure)
            emit(f"FAILED: {error}")
            return 1
    emit(f"demo passed: {steps} steps, {checked} expectations")
    return 0
