"""A Flask host for any ASK SDK skill at ``POST /alexa``, verifying every request as Amazon requires.

Usage (in your own module, e.g. ``host.py``)::

    from account_linking.webservice import create_app
    from my_skill import skill_builder

    app = create_app(skill_builder)      # then: gunicorn 'host:app'

Settings come from the environment (``WEBSERVICE_*``, ``SKILL_ID``): docs/webservice.md.
Needs the ``webservice`` extra (Flask and cryptography).
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Mapping

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..messages import DEFAULT_APOLOGIES
from ..safety import apology_envelope, locale_of
from .verification import (
    ConfigurationError,
    HostSettings,
    InvalidRequestBody,
    VerificationException,
    WebserviceSkillHandler,
    utc_now,
)

logger = logging.getLogger("account_linking.webservice")

_JSON_TYPES = ("application/json",)


def _configured_skill_id(merged: Mapping[str, Any]) -> str | None:
    raw = merged.get("SKILL_ID")
    return str(raw).strip() or None if raw is not None else None


def _apology(skill: CustomSkill, body: bytes) -> Any:
    """The library's apology (``account_linking.safety``) for when the skill itself failed.

    Spoken in the request's locale when the body says one (the body passed verification,
    but it may still be JSON the SDK could not use), from the skill's own ``apologies`` when
    it was built by a ``SafeSkillBuilder``, else the library's defaults; it ends the session.
    """
    try:
        event = json.loads(body)
    except Exception:  # not JSON, bad UTF-8, nested too deep: the apology is then en-US
        event = None
    apologies = getattr(skill, "apologies", None) or DEFAULT_APOLOGIES
    return skill.serializer.serialize(apology_envelope(locale_of(event), apologies))


def _error(status: int, error: str, description: str) -> tuple[Response, int]:
    return jsonify({"error": error, "error_description": description}), status


def create_app(
    skill: CustomSkill | CustomSkillBuilder,
    *,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """Build the host for ``skill`` (a skill builder or a built skill).

    Settings layer as environment (``environ``, default ``os.environ``), then ``config``.
    ``config["ALEXA_CLOCK"]`` (tests only) replaces the clock of the verifiers.
    """
    env = dict(os.environ if environ is None else environ)
    merged: dict[str, Any] = {**env, **(config or {})}
    if isinstance(skill, CustomSkillBuilder):
        custom_skill = skill.create()
    else:
        custom_skill = skill
    own_skill_id = getattr(custom_skill, "skill_id", None)
    if own_skill_id:
        # The SDK would refuse a foreign request by raising inside invoke(); check it
        # up front instead, so the caller gets a 400 and the skill never runs.
        configured = _configured_skill_id(merged)
        if configured is None:
            merged["SKILL_ID"] = own_skill_id
        elif configured != own_skill_id:
            raise ConfigurationError(
                f"SKILL_ID={configured!r} differs from the hosted skill's own skill_id "
                f"{own_skill_id!r}: every request would be refused"
            )
    settings = HostSettings.from_mapping(merged)
    handler = WebserviceSkillHandler(
        custom_skill, settings.build_verifiers(clock=merged.get("ALEXA_CLOCK", utc_now))
    )

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["alexa_webservice"] = handler
    app.extensions["alexa_host_settings"] = settings
    if not settings.verify_requests:
        logger.warning(
            "Alexa request verification is OFF (WEBSERVICE_ENV=development, "
            "WEBSERVICE_VERIFY_REQUESTS=false): never expose this host to the internet"
        )
    if settings.cert_fetch_url_override or settings.extra_trust_anchors_file:
        logger.warning(
            "Alexa request verification uses test settings: certificate chains from %s, "
            "extra trust anchors from %s",
            settings.cert_fetch_url_override or "Amazon",
            settings.extra_trust_anchors_file or "(none)",
        )

    @app.post("/alexa")
    def alexa() -> Any:
        """Verify the request, then answer with the skill's response envelope."""
        if request.mimetype not in _JSON_TYPES:
            logger.warning("refused Alexa request: Content-Type %r (invalid_request)",
                           request.mimetype)
            return _error(400, "invalid_request", "Content-Type must be application/json")
        body = request.get_data(cache=False)
        if not settings.verify_requests:
            logger.warning("Alexa request verification is OFF: request accepted unverified")
        try:
            return jsonify(handler.verify_request_and_dispatch(dict(request.headers), body))
        except InvalidRequestBody as exc:
            logger.warning("refused Alexa request: %s (invalid_request)", exc)
            return _error(400, "invalid_request", str(exc))
        except VerificationException as exc:
            logger.warning("refused Alexa request: %s (%s)", exc, exc.reason)
            return _error(400, exc.reason, str(exc))
        except Exception:
            # Not the caller's fault and nothing to retry: Alexa gets a valid answer that
            # apologises (on a 500 Alexa only says the skill had a problem).
            logger.error("skill failed on a verified request", exc_info=True)
            return jsonify(_apology(custom_skill, body))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        """Answer HTTP errors (404, 405, 413) as short JSON."""
        name = (exc.name or "error").lower().replace(" ", "_")
        return _error(exc.code or 500, name, exc.description or name)

    return app


__all__ = ["ConfigurationError", "create_app"]
