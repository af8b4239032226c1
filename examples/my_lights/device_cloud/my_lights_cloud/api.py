"""The My Lights API (scope ``lights``): profile, lights, and the Alexa grant.

| method and path | answer |
|---|---|
| `GET /api/home/v1/me` | `{"id", "name", "email"}` |
| `GET /api/home/v1/lights` | `{"lights": [light, ...]}` |
| `GET /api/home/v1/lights/<id>` | light, or 404 `no_such_light` |
| `PATCH /api/home/v1/lights/<id>` body `{"power"?: "ON"/"OFF", "brightness"?: 0..100, "cause"?}` | light; a cause other than `VOICE_INTERACTION` (default `APP_INTERACTION`) queues a ChangeReport |
| `POST /api/home/v1/lights` body `{"name"}` | 201 light; queues an AddOrUpdateReport |
| `GET /api/home/v1/alexa/endpoints` | `{"endpoints": [...]}`: every light as an Alexa Discovery endpoint |
| `POST /api/home/v1/alexa/grant` body `{"code"}` | 204: code exchanged at LWA, tokens kept; 502 `grant_exchange_failed` with the reason |

A light is `{"id", "name", "power", "brightness", "updated_at"}`. An expired token gives
401 with `WWW-Authenticate: Bearer ... error="invalid_token", error_description="The access
token expired"` (the skill answers EXPIRED_AUTHORIZATION_CREDENTIAL); any other bad token
401 `invalid_token`.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from account_linking.smarthome import GrantError, events, property_state
from ride_hailer_service.errors import ApiError, BadApiRequest, InvalidAccessToken
from ride_hailer_service.models import Token, User, db, utcnow
from ride_hailer_service.security import token_digest
from ride_hailer_service.views.api import require

from . import alexa
from .discovery import endpoint_of
from .models import Light

bp = Blueprint("my_lights", __name__, url_prefix="/api/home/v1")

#: The scope of the lights API.
SCOPE = "lights"
REALM = "my-lights"
#: Causes of a change (Alexa.ChangeReport); VOICE_INTERACTION is Alexa's own directive.
CAUSES = ("APP_INTERACTION", "PHYSICAL_INTERACTION", "PERIODIC_POLL", "RULE_TRIGGER", "VOICE_INTERACTION")
MAX_LIGHTS = 100
_ENDPOINT_ID = re.compile(r"[A-Za-z0-9_\-=#;:?@&]{1,100}")


class NoSuchLight(ApiError):
    """The user has no light with this id (404)."""

    status_code = 404
    error = "no_such_light"


class GrantExchangeFailed(ApiError):
    """LWA refused the AcceptGrant code or could not be reached (502)."""

    status_code = 502
    error = "grant_exchange_failed"


def current_user() -> User:
    """The user of the request's token (scope lights); an expired token says so in its challenge."""
    try:
        return require(SCOPE)[1]
    except InvalidAccessToken:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            token = db.session.execute(
                select(Token).where(Token.access_token_digest == token_digest(header[7:].strip()))
            ).scalar_one_or_none()
            if token is not None and not token.is_revoked() and token.is_expired():
                raise InvalidAccessToken("The access token expired.", {"WWW-Authenticate": (
                    f'Bearer realm="{REALM}", error="invalid_token", error_description="The access token expired"')}) from None
        raise


def _light(user_id: int, endpoint_id: str) -> Light:
    light = db.session.execute(
        select(Light).where(Light.user_id == user_id, Light.endpoint_id == endpoint_id)
    ).scalar_one_or_none()
    if light is None:
        raise NoSuchLight(f"There is no light {endpoint_id!r} on this hub.")
    return light


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadApiRequest("The body must be a JSON object.")
    return body


@bp.get("/me")
def me() -> Response:
    user = current_user()
    return jsonify({"id": user.id, "name": user.name, "email": user.email})


@bp.get("/lights")
def list_lights() -> Response:
    user = current_user()
    lights = db.session.execute(select(Light).where(Light.user_id == user.id).order_by(Light.id)).scalars()
    return jsonify({"lights": [light.as_json() for light in lights]})


@bp.get("/lights/<endpoint_id>")
def get_light(endpoint_id: str) -> Response:
    user = current_user()
    return jsonify(_light(user.id, endpoint_id).as_json())


@bp.patch("/lights/<endpoint_id>")
def change_light(endpoint_id: str) -> Response:
    user = current_user()
    body = _body()
    power, brightness = body.get("power"), body.get("brightness")
    cause = body.get("cause", "APP_INTERACTION")
    if power is None and brightness is None:
        raise BadApiRequest("Send power and/or brightness.")
    if power is not None and power not in ("ON", "OFF"):
        raise BadApiRequest("power must be ON or OFF.")
    if brightness is not None and (isinstance(brightness, bool) or not isinstance(brightness, int)
                                   or not 0 <= brightness <= 100):
        raise BadApiRequest("brightness must be a whole number from 0 to 100.")
    if cause not in CAUSES:
        raise BadApiRequest(f"cause must be one of {', '.join(CAUSES)}.")
    light = _light(user.id, endpoint_id)
    changed = []
    if power is not None and power != light.power:
        light.power = power
        changed.append(property_state("Alexa.PowerController", "powerState", power))
    if brightness is not None and brightness != light.brightness:
        light.brightness = brightness
        changed.append(property_state("Alexa.BrightnessController", "brightness", brightness))
    light.updated_at = utcnow()
    queued = None
    if changed and cause != "VOICE_INTERACTION":
        unchanged = [p for p in (property_state("Alexa.PowerController", "powerState", light.power),
                                 property_state("Alexa.BrightnessController", "brightness", light.brightness))
                     if p["name"] not in {c["name"] for c in changed}]
        queued = alexa.queue_event(user.id, "ChangeReport",
                                   events.change_report(light.endpoint_id, cause, changed, unchanged))
    answer = light.as_json()
    db.session.commit()
    if queued is not None:
        alexa.wake_sender()
    return jsonify(answer)


@bp.post("/lights")
def add_light() -> tuple[Response, int]:
    user = current_user()
    name = _body().get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise BadApiRequest("name is required (at most 100 characters).")
    count = len(db.session.execute(select(Light.id).where(Light.user_id == user.id)).all())
    if count >= MAX_LIGHTS:
        raise BadApiRequest(f"A hub has at most {MAX_LIGHTS} lights.")
    endpoint_id = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or "light"
    if not _ENDPOINT_ID.fullmatch(endpoint_id) or db.session.execute(
        select(Light.id).where(Light.user_id == user.id, Light.endpoint_id == endpoint_id)
    ).first():
        endpoint_id = f"{endpoint_id[:80]}-{count + 1}"
    light = Light(user_id=user.id, endpoint_id=endpoint_id, name=name.strip(), power="OFF", brightness=100)
    db.session.add(light)
    db.session.flush()
    queued = alexa.queue_event(user.id, "AddOrUpdateReport", events.add_or_update_report([endpoint_of(light)]))
    answer = light.as_json()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BadApiRequest("A light with this name was just added; try again.") from None
    if queued is not None:
        alexa.wake_sender()
    return jsonify(answer), 201


@bp.get("/alexa/endpoints")
def alexa_endpoints() -> Response:
    user = current_user()
    lights = db.session.execute(select(Light).where(Light.user_id == user.id).order_by(Light.id)).scalars()
    return jsonify({"endpoints": [endpoint_of(light) for light in lights]})


@bp.post("/alexa/grant")
def alexa_grant() -> tuple[str, int]:
    user = current_user()
    code = _body().get("code")
    if not isinstance(code, str) or not code or len(code) > 2000:
        raise BadApiRequest("code is required.")
    user_id = user.id
    try:
        alexa.accept_grant(user_id, code)
    except GrantError as error:
        raise GrantExchangeFailed(error.reason) from None
    return "", 204


def init_app(app: Any, csrf: Any) -> None:
    """Register the API (token-authenticated, no CSRF)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
