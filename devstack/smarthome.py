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
