"""Flask host of the skill at ``POST /alexa``, verifying every request as Amazon requires.

Run: ``flask --app webservice run`` from lambda/ (or with PYTHONPATH=lambda), or
``gunicorn 'webservice:create_app()'``. Settings: docs/webservice.md.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Mapping

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from alexa_verification import (
    ConfigurationError,
    HostSettings,
    InvalidRequestBody,
    VerificationException,
    WebserviceSkillHandler,
    utc_now,
)

logger = logging.getLogger("webservice")

_JSON_TYPES = ("application/json",)


def _build_default_skill(environ: Mapping[str, str]) -> tuple[CustomSkill, str | None]:
    from ride_hailer.settings import SkillSettings
    from ride_hailer.skill import build_skill_builder

    settings = SkillSettings.from_env(environ)
    return build_skill_builder(settings).create(), settings.skill_id


def _error(status: int, error: str, description: str) -> tuple[Response, int]:
    return jsonify({"error": error, "error_description": description}), status


def create_app(
    skill: CustomSkill | CustomSkillBuilder | None = None,
    *,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """Build the host for ``skill`` (default: the Ride Hailer skill from the environment).

    Settings layer as environment (``environ``, default ``os.environ``), then ``config``.
    ``config["ALEXA_CLOCK"]`` (tests only) replaces the clock of the verifiers.
    """
    env = dict(os.environ if environ is None else environ)
    merged: dict[str, Any] = {**env, **(config or {})}
    if skill is None:
        custom_skill, settings_skill_id = _build_default_skill(env)
        if settings_skill_id and not merged.get("SKILL_ID"):
            merged["SKILL_ID"] = settings_skill_id
    elif isinstance(skill, CustomSkillBuilder):
        custom_skill = skill.create()
    else:
        custom_skill = skill
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
            return _error(400, "invalid_request", "Content-Type must be application/json")
        body = request.get_data(cache=False)
        if not settings.verify_requests:
            logger.warning("Alexa request verification is OFF: request accepted unverified")
        try:
            return jsonify(handler.verify_request_and_dispatch(dict(request.headers), body))
        except InvalidRequestBody as exc:
            logger.info("refused Alexa request: %s", exc)
            return _error(400, "invalid_request", str(exc))
        except VerificationException as exc:
            logger.warning("refused Alexa request: %s (%s)", exc, exc.reason)
            return _error(400, exc.reason, str(exc))
        except Exception:
            # Never a 500 (issue 8): the request is what the skill cannot answer. The
            # Ride Hailer skill never gets here (it answers an apology for anything,
            # ride_hailer.safety); other skills might.
            logger.error("skill failed on a verified request", exc_info=True)
            return _error(400, "skill_error", "the skill could not answer this request")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        """Answer HTTP errors (404, 405, 413) as short JSON."""
        name = (exc.name or "error").lower().replace(" ", "_")
        return _error(exc.code or 500, name, exc.description or name)

    return app


__all__ = ["ConfigurationError", "create_app"]
