"""Reciprocal authorization in the device cloud: the Alexa token store and the event outbox.

- `accept_grant(user_id, code)`: exchange the AcceptGrant code at LWA (LWA_TOKEN_URL) with
  the skill's messaging credentials (ALEXA_CLIENT_ID / ALEXA_CLIENT_SECRET, never logged)
  and keep the tokens for the user.
- `queue_event(user_id, kind, event)`: a request only writes an outbox row (same
  transaction as the light's change, so a change and its report commit together).
- `deliver_events()`: claims due rows under a lease (SELECT ... FOR UPDATE SKIP LOCKED on
  PostgreSQL; on SQLite the service's serialized BEGIN IMMEDIATE transactions), refreshes
  the Alexa token when it expires within REFRESH_MARGIN, posts to ALEXA_EVENT_GATEWAY_URL:
  202 sent; 401 refresh and retry once; 403 SKILL_DISABLED_EXCEPTION /
  INSUFFICIENT_PERMISSION_EXCEPTION forget the user's tokens; refused/5xx/429 back off
  (doubling, capped at EVENT_MAX_DELAY) up to EVENT_MAX_ATTEMPTS. A crash while sending
  leaves the row leased; it is sent again when the lease runs out (at least once).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask, current_app
from sqlalchemy import delete, or_, select

from account_linking.smarthome import (
    AlexaTokens,
    EventGatewayClient,
    GatewayOutcome,
    GrantError,
    LwaTokenClient,
)
from ride_hailer_service.mail import BackgroundSender
from ride_hailer_service.models import db, utcnow

from .models import AlexaEvent, AlexaGrant

log = logging.getLogger(__name__)

#: Seconds before expiry at which the sender refreshes the Alexa access token.
REFRESH_MARGIN = 300
#: Seconds a claimed event stays invisible to other senders while one sends it.
CLAIM_LEASE = 60
SENDER_EXTENSION = "my_lights.event_sender"
HTTP_EXTENSION = "my_lights.http"


def _http() -> requests.Session:
    session = current_app.extensions.get(HTTP_EXTENSION)
    if session is None:
        session = current_app.extensions[HTTP_EXTENSION] = requests.Session()
    return session


def lwa_client() -> LwaTokenClient:
    """The LWA client with the skill's messaging credentials from the settings."""
    config = current_app.config
    if not config["ALEXA_CLIENT_ID"] or not config["ALEXA_CLIENT_SECRET"]:
        raise GrantError("the device cloud has no Alexa Skill Messaging credentials: set "
                         "MY_LIGHTS_ALEXA_CLIENT_ID and MY_LIGHTS_ALEXA_CLIENT_SECRET", permanent=False)
    return LwaTokenClient(_http(), config["ALEXA_CLIENT_ID"], config["ALEXA_CLIENT_SECRET"],
                          token_url=config["LWA_TOKEN_URL"], timeout=float(config["ALEXA_HTTP_TIMEOUT"]))


def gateway_client() -> EventGatewayClient:
    """The event gateway client for ALEXA_EVENT_GATEWAY_URL."""
    config = current_app.config
    return EventGatewayClient(_http(), config["ALEXA_EVENT_GATEWAY_URL"], float(config["ALEXA_HTTP_TIMEOUT"]))


def grant_of(user_id: int) -> AlexaGrant | None:
    """The user's stored Alexa tokens, if any."""
    return db.session.execute(select(AlexaGrant).where(AlexaGrant.user_id == user_id)).scalar_one_or_none()


def _keep(user_id: int, tokens: AlexaTokens) -> None:
    grant = grant_of(user_id)
    if grant is None:
        grant = AlexaGrant(user_id=user_id)
        db.session.add(grant)
    grant.store(tokens.access_token, tokens.refresh_token, tokens.expires_at)
    db.session.commit()


def accept_grant(user_id: int, code: str) -> None:
    """Exchange the AcceptGrant code and store the tokens; raises GrantError with a reason."""
    db.session.rollback()  # no transaction open during the LWA call
    tokens = lwa_client().exchange_code(code)
    _keep(user_id, tokens)
    log.info("Alexa tokens stored for user %s", user_id)


def forget_grant(user_id: int) -> None:
    """Drop the user's Alexa tokens (skill disabled, permission withdrawn); the caller commits."""
    db.session.execute(delete(AlexaGrant).where(AlexaGrant.user_id == user_id))


def refresh_grant(user_id: int) -> str | None:
    """Refresh the user's Alexa tokens; the new access token, or None when LWA refused for good."""
    grant = grant_of(user_id)
    if grant is None:
        db.session.rollback()
        return None
    refresh_token: str = grant.refresh_token
    db.session.rollback()  # no transaction open during the HTTP call
    try:
        tokens = lwa_client().refresh(refresh_token)
    except GrantError as error:
        if error.permanent:
            forget_grant(user_id)
            db.session.commit()
            log.warning("Alexa tokens of user %s forgotten: %s", user_id, error.reason)
            return None
        raise
    _keep(user_id, tokens)
    return tokens.access_token


def usable_token(user_id: int) -> str | None:
    """An Alexa access token valid for at least REFRESH_MARGIN seconds (refreshing if needed)."""
    grant = grant_of(user_id)
    fresh = grant is not None and grant.expires_at - dt.timedelta(seconds=REFRESH_MARGIN) > utcnow()
    token = grant.access_token if grant is not None and fresh else None
    known = grant is not None
    db.session.rollback()  # no transaction (on SQLite: no write lock) during HTTP calls
    if not known or fresh:
        return token
    return refresh_grant(user_id)


def queue_event(user_id: int, kind: str, event: dict[str, Any]) -> AlexaEvent | None:
    """Put an event in the outbox when the user granted Alexa events (the caller commits)."""
    if grant_of(user_id) is None:
        return None
    row = AlexaEvent(user_id=user_id, kind=kind, body=json.dumps(event), attempts=0)
    db.session.add(row)
    return row


def pending_events(include_done: bool = False) -> list[AlexaEvent]:
    """Events still to send (or all), oldest first."""
    statement = select(AlexaEvent).order_by(AlexaEvent.id)
    if not include_done:
        statement = statement.where(AlexaEvent.sent_at.is_(None), AlexaEvent.dropped_at.is_(None))
    return list(db.session.execute(statement).scalars())


@dataclass(frozen=True)
class EventReport:
    """What one `deliver_events` run did."""

    sent: int
    retrying: int
    dropped: int


def _claim_next(tried: set[int]) -> AlexaEvent | None:
    now = utcnow()
    row = db.session.execute(
        select(AlexaEvent)
        .where(
            AlexaEvent.sent_at.is_(None),
            AlexaEvent.dropped_at.is_(None),
            or_(AlexaEvent.next_attempt_at.is_(None), AlexaEvent.next_attempt_at <= now),
            AlexaEvent.id.not_in(tried),
        )
        .order_by(AlexaEvent.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if row is None:
        db.session.rollback()
        return None
    row.attempts += 1
    row.next_attempt_at = now + dt.timedelta(seconds=CLAIM_LEASE)
    db.session.commit()
    return row


def _with_scope(body: dict[str, Any], token: str) -> dict[str, Any]:
    """The event with the Alexa token in its scope, where the gateway reads it."""
    event: dict[str, Any] = json.loads(json.dumps(body))
    scope = {"type": "BearerToken", "token": token}
    inner = event["event"]
    if inner["header"]["name"] == "AddOrUpdateReport":
        inner["payload"]["scope"] = scope
    else:
        inner.setdefault("endpoint", {})["scope"] = scope
    return event


def _send_one(row: AlexaEvent) -> tuple[str, str]:
    """Try one event: ("sent"|"retry"|"drop", reason)."""
    user_id, body = row.user_id, json.loads(row.body)
    db.session.rollback()
    try:
        token = usable_token(user_id)
    except GrantError as error:
        return "retry", error.reason
    if token is None:
        return "drop", "no Alexa tokens for this user (no AcceptGrant, or they were forgotten)"
    gateway = gateway_client()
    answer = gateway.post(_with_scope(body, token), token)
    if answer.outcome is GatewayOutcome.REFRESH:
        try:
            token = refresh_grant(user_id)
        except GrantError as error:
            return "retry", f"{answer.reason}; refresh failed: {error.reason}"
        if token is None:
            return "drop", f"{answer.reason}; LWA refused the refresh token"
        answer = gateway.post(_with_scope(body, token), token)
        if answer.outcome is GatewayOutcome.REFRESH:
            return "retry", answer.reason + " again after a refresh"
    if answer.outcome is GatewayOutcome.ACCEPTED:
        return "sent", answer.reason
    if answer.outcome is GatewayOutcome.FORGET:
        forget_grant(user_id)
        db.session.commit()
        log.warning("Alexa tokens of user %s forgotten: %s", user_id, answer.reason)
        return "drop", answer.reason
    if answer.outcome is GatewayOutcome.REJECTED:
        return "drop", answer.reason
    return "retry", answer.reason


def deliver_events() -> EventReport:
    """Send every due event (call in an app context, outside requests)."""
    config = current_app.config
    sent = retrying = dropped = 0
    tried: set[int] = set()
    while (row := _claim_next(tried)) is not None:
        row_id, attempts = row.id, row.attempts
        tried.add(row_id)
        outcome, reason = _send_one(row)
        row = db.session.get(AlexaEvent, row_id)
        assert row is not None
        now = utcnow()
        if outcome == "sent":
            row.sent_at, row.last_error = now, None
            sent += 1
        elif outcome == "retry" and attempts < int(config["EVENT_MAX_ATTEMPTS"]):
            delay = min(int(config["EVENT_RETRY_DELAY"]) * 2 ** (attempts - 1), int(config["EVENT_MAX_DELAY"]))
            row.next_attempt_at, row.last_error = now + dt.timedelta(seconds=delay), reason[:500]
            retrying += 1
        else:
            row.dropped_at, row.last_error = now, reason[:500]
            dropped += 1
        db.session.commit()
        log.info("Alexa event %s (%s): %s, %s", row_id, row.kind, outcome, reason)
    return EventReport(sent=sent, retrying=retrying, dropped=dropped)


def event_sender(app: Flask, interval: float) -> BackgroundSender:
    """The service's background sender, running `deliver_events` (reused, not copied)."""
    return BackgroundSender(app, interval, deliver_events, "my-lights-events")


def wake_sender() -> None:
    """Tell this app's background sender, if any, that an event was queued."""
    sender = current_app.extensions.get(SENDER_EXTENSION)
    if sender is not None:
        sender.wake()
