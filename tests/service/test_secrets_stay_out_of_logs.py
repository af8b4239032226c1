"""Tokens, codes, secrets and reset links never reach the logs, even at DEBUG level."""
from __future__ import annotations

import logging
import re

from sqlalchemy import select

from ride_hailer_service.models import OutboxMail, db

from .conftest import csrf_token, link, exchange, refresh


def test_full_link_refresh_and_recovery_log_no_secret_at_debug_level(app, client, alexa_clients, user, caplog):
    caplog.set_level(logging.DEBUG)
    registered = alexa_clients["HTTP_BASIC"]
    code = link(client, registered.client_id)["code"][0]
    tokens = exchange(client, registered, code).get_json()
    rotated = refresh(client, registered, tokens["refresh_token"]).get_json()
    exchange(client, registered, code)  # replay: logged as a warning
    form = client.get("/account/recover")
    client.post("/account/recover", data={"email": "rider@example.com", "csrf_token": csrf_token(form.get_data(as_text=True))})
    with app.app_context():
        body = db.session.execute(select(OutboxMail.body)).scalar_one()
    reset_secret = re.search(r"/account/reset/([^?\s]+)", body).group(1)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "revoked token family" in logged and "queued in the outbox" in logged
    for secret in (code, tokens["access_token"], tokens["refresh_token"], rotated["access_token"], rotated["refresh_token"], registered.secret, reset_secret):
        assert secret not in logged
