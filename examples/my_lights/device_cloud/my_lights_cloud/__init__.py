"""The My Lights device cloud: the Ride Hailer service's authorization server, configured.

Nothing of the authorization server is copied: `create_app` calls
`ride_hailer_service.create_app` with EXTENSIONS (the lights API, the Alexa token store,
the event sender, commands) and TEMPLATE_OVERRIDES (My Lights branding and the sentence
that says what linking allows). Settings: the service's (environment `RIDE_HAILER_*`),
plus `MY_LIGHTS_*` for the keys in DEFAULTS below.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade

from account_linking.smarthome import DEFAULT_EVENT_GATEWAY_URL, DEFAULT_LWA_TOKEN_URL
from ride_hailer_service import create_app as create_service_app
from ride_hailer_service.models import db

__all__ = ["create_app", "init_database"]

#: My Lights settings (environment: MY_LIGHTS_<KEY>).
DEFAULTS: dict[str, Any] = {
    #: the skill's "Alexa Skill Messaging" client id and secret (developer console, Permissions)
    "ALEXA_CLIENT_ID": None,
    "ALEXA_CLIENT_SECRET": None,
    "LWA_TOKEN_URL": DEFAULT_LWA_TOKEN_URL,
    #: the regional gateway of the skill's users (ALEXA-FACTS.md: NA, EU, FE)
    "ALEXA_EVENT_GATEWAY_URL": DEFAULT_EVENT_GATEWAY_URL,
    "ALEXA_HTTP_TIMEOUT": 5,
    "EVENT_MAX_ATTEMPTS": 8,
    "EVENT_RETRY_DELAY": 30,
    "EVENT_MAX_DELAY": 3600,
    #: send events from a background thread per process (never in testing)
    "EVENT_BACKGROUND_SENDER": True,
    "EVENT_SEND_INTERVAL": 30,
}
TEMPLATES = Path(__file__).parent / "templates"


def _from_environment() -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key in DEFAULTS:
        value = os.environ.get(f"MY_LIGHTS_{key}")
        if value is not None:
            try:
                settings[key] = json.loads(value)
            except ValueError:
                settings[key] = value
    return settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The device cloud: defaults, `MY_LIGHTS_*` environment, then ``test_config``."""
    from . import extension

    config = {**DEFAULTS, **_from_environment(), **(test_config or {})}
    config["EXTENSIONS"] = (extension.init_app, *config.get("EXTENSIONS", ()))
    config.setdefault("TEMPLATE_OVERRIDES", str(TEMPLATES))
    config["EXTRA_SCOPES"] = ("lights", *config.get("EXTRA_SCOPES", ()))
    _check_urls(config)
    return create_service_app(config)


def _check_urls(config: dict[str, Any]) -> None:
    """LWA and the event gateway get secrets and tokens: https only (http for 127.0.0.1 tests)."""
    from urllib.parse import urlsplit

    from ride_hailer_service.errors import ConfigurationError
    from ride_hailer_service.web import is_loopback_host

    for key in ("LWA_TOKEN_URL", "ALEXA_EVENT_GATEWAY_URL"):
        parts = urlsplit(str(config[key]))
        if not parts.netloc or not (parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.netloc))):
            raise ConfigurationError(f"MY_LIGHTS_{key} must be an https URL (http only for loopback)")


def init_database(app: Flask) -> None:
    """Create or upgrade the service's schema, then create the device cloud's tables."""
    from .models import LightsBase

    with app.app_context():
        upgrade()
        LightsBase.metadata.create_all(db.engine)
