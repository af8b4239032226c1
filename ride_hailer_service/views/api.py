"""The Ride Hailer resource API (ARCHITECTURE.md), protected by bearer tokens with scopes."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import InsufficientScopeError
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import (
    BadApiRequest,
    IdempotencyKeyReused,
    InsufficientScope,
    InvalidAccessToken,
    NoActiveRide,
    RideInProgress,
)
from ..models import Ride, Token, User, db, utcnow
from ..oauth import create_resource_protector
from ..rides import CANCELLABLE_STATES, CURRENT_STATES, Progress, progress
from ..security import new_secret

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PROTECTOR_EXTENSION = "ride_hailer.resource_protector"
OPENAPI_EXTENSION = "ride_hailer.openapi"

#: The OpenAPI 3.0 document (served at /api/v1/openapi.json), next to this package's modules.
OPENAPI_FILE = "openapi.json"

#: RFC 6750 section 3: the realm named in WWW-Authenticate.
REALM = "ride-hailer"

#: Currency of fares.
CURRENCY = "USD"

#: Longest destination accepted.
MAX_DESTINATION_LENGTH = 200

#: Header making POST /rides safe to retry (draft-ietf-httpapi-idempotency-key-header).
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"

#: Longest Idempotency-Key accepted (Alexa's request ids are far shorter).
MAX_IDEMPOTENCY_KEY_LENGTH = 200

#: Stored ride states: an order is stored as `requested` and moves on by the clock
#: (ride_hailer_service/rides.py); `cancelled` is stored when the rider cancels.
ACTIVE_STATUS = "requested"
CANCELLED_STATUS = "cancelled"


def require(scope: str) -> tuple[Token, User]:
    """The request's valid token and its user; raise the API error Alexa's skill sees."""
    if "access_token" in request.args or "access_token" in request.form:
        raise BadApiRequest("Send the access token in the Authorization header, not in the URL or body.")
    protector: ResourceProtector = current_app.extensions[PROTECTOR_EXTENSION]
    challenge = f'Bearer realm="{REALM}", error="invalid_token"'
    if not request.headers.get("Authorization"):
        raise InvalidAccessToken("The request has no access token.", {"WWW-Authenticate": f'Bearer realm="{REALM}"'})
    try:
        token = protector.acquire_token([scope])
    except InsufficientScopeError:
        raise InsufficientScope(
            f"The access token lacks the scope {scope}.",
            {"WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'},
        ) from None
    except (OAuth2Error, ValueError):
        raise InvalidAccessToken("The access token is invalid, expired or revoked.", {"WWW-Authenticate": challenge}) from None
    user = db.session.get(User, token.user_id)
    if user is None:
        raise InvalidAccessToken("The account of this token no longer exists.", {"WWW-Authenticate": challenge})
    return token, user


def _destination(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadApiRequest("destination is required.")
    value = " ".join(value.split())
    if any(ord(ch) < 32 for ch in value):
        raise BadApiRequest("destination must not contain control characters.")
    if len(value) > MAX_DESTINATION_LENGTH:
        raise BadApiRequest(f"destination must be at most {MAX_DESTINATION_LENGTH} characters.")
    return value


def _quote(destination: str) -> tuple[int, int]:
    """A stable fare (cents) and ETA (minutes) for a destination."""
    seed = int.from_bytes(hashlib.sha256(destination.lower().encode()).digest()[:4], "big")
    return 800 + seed % 4200, 3 + seed % 13


def _progress(ride: Ride) -> Progress:
    return progress(ride.status, ride.created_at, ride.eta_minutes, ride.fare_cents, utcnow())


def _ride_json(ride: Ride) -> dict[str, Any]:
    now = _progress(ride)
    return {
        "id": ride.public_id,
        "status": now.status,
        "destination": ride.destination,
        "eta_minutes": now.eta_minutes,
        "fare": {"amount": ride.fare_cents / 100, "currency": ride.currency},
        "created_at": ride.created_at.replace(microsecond=0).isoformat() + "Z",
    }


def _current_ride(user: User) -> Ride:
    ride = db.session.execute(
        select(Ride)
        .where(Ride.user_id == user.id, Ride.status == ACTIVE_STATUS)
        .order_by(Ride.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if ride is None or _progress(ride).status not in CURRENT_STATES:
        raise NoActiveRide("There is no active ride.")
    return ride


@bp.get("/me")
def me() -> Response:
    """The token's user; X-OAuth-Scopes lists the token's scopes."""
    token, user = require("profile")
    response = jsonify({"id": str(user.id), "name": user.name, "email": user.email})
    response.headers["X-OAuth-Scopes"] = " ".join(token.get_scope().split())
    return response


@bp.get("/fares/estimate")
def fare_estimate() -> Response:
    """Public fare estimate for a destination."""
    destination = _destination(request.args.get("destination"))
    cents, eta = _quote(destination)
    return jsonify(
        {"destination": destination, "amount": cents / 100, "currency": CURRENCY, "eta_minutes": eta}
    )


def _idempotency_key() -> str | None:
    """The order's Idempotency-Key header, if sent; 400 when it cannot be used."""
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not all(32 < ord(ch) < 127 for ch in key):
        raise BadApiRequest(
            f"{IDEMPOTENCY_KEY_HEADER} must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters."
        )
    return key


def _earlier_order(user: User, key: str, digest: str) -> Ride | None:
    """The ride already ordered with this key, or None; 422 when its body differed."""
    ride = db.session.execute(
        select(Ride).where(Ride.user_id == user.id, Ride.idempotency_key == key)
    ).scalar_one_or_none()
    if ride is not None and ride.request_digest != digest:
        raise IdempotencyKeyReused(
            f"This {IDEMPOTENCY_KEY_HEADER} was already used for an order with another body."
        )
    return ride


@bp.post("/rides")
def order_ride() -> tuple[Response, int]:
    """Order a ride to the body's destination; a repeated Idempotency-Key returns the same ride."""
    _, user = require("rides:write")
    key = _idempotency_key()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadApiRequest('Send a JSON body like {"destination": "Airport"}.')
    destination = _destination(body.get("destination"))
    digest = hashlib.sha256(json.dumps({"destination": destination}).encode()).hexdigest()
    if key is not None and (earlier := _earlier_order(user, key, digest)) is not None:
        return jsonify(_ride_json(earlier)), 200
    cents, eta = _quote(destination)
    ride = Ride(
        public_id="ride_" + new_secret(12),
        user_id=user.id,
        status=ACTIVE_STATUS,
        destination=destination,
        eta_minutes=eta,
        fare_cents=cents,
        currency=CURRENCY,
        idempotency_key=key,
        request_digest=digest if key is not None else None,
    )
    db.session.add(ride)
    try:
        db.session.commit()
    except IntegrityError:
        # a racing request with the same key won: answer with its ride
        db.session.rollback()
        earlier = _earlier_order(user, key, digest) if key is not None else None
        if earlier is None:
            raise
        return jsonify(_ride_json(earlier)), 200
    return jsonify(_ride_json(ride)), 201


@bp.get("/rides/current")
def current_ride() -> Response:
    """The user's active ride, or 404 no_active_ride."""
    _, user = require("rides:read")
    return jsonify(_ride_json(_current_ride(user)))


@bp.post("/rides/current/cancel")
def cancel_ride() -> Response:
    """Cancel the user's active ride, or 404 no_active_ride."""
    _, user = require("rides:write")
    ride = _current_ride(user)
    if _progress(ride).status not in CANCELLABLE_STATES:
        raise RideInProgress("The rider has been picked up; the ride can no longer be cancelled.")
    ride.status = CANCELLED_STATUS
    db.session.commit()
    return jsonify(_ride_json(ride))


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3 description of this API and the token endpoint (ride_hailer_service/openapi.json)."""
    document = current_app.extensions.get(OPENAPI_EXTENSION)
    if document is None:
        with current_app.open_resource(OPENAPI_FILE) as source:
            document = current_app.extensions[OPENAPI_EXTENSION] = json.load(source)
    return jsonify(document)


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Create the resource protector and register the API (token-authenticated, no CSRF)."""
    app.extensions[PROTECTOR_EXTENSION] = create_resource_protector()
    csrf.exempt(bp)
    app.register_blueprint(bp)
