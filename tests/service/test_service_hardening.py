"""Fixes from the code review: reset ends old links, mail outside requests, auth-method
clashes, login bound to one authorization request, fixed issuer, ride idempotency."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from sqlalchemy import select

from ride_hailer_service.models import LoginAttempt, OutboxMail, db

from .conftest import EMAIL, PASSWORD, authorize_query, bearer, csrf_token, linked_tokens, refresh, sign_in

NEW_PASSWORD = "a brand new password"


def request_reset(client, email: str = EMAIL, next_url: str | None = None) -> None:
    """Submit the recovery form."""
    href = "/account/recover" + ("?" + urlencode({"next": next_url}) if next_url else "")
    form = client.get(href)
    response = client.post(href, data={"email": email, "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert response.status_code == 200


def reset_paths(app) -> list[str]:
    """The reset link paths mailed so far, oldest first."""
    with app.app_context():
        bodies = db.session.execute(select(OutboxMail.body).order_by(OutboxMail.id)).scalars().all()
    return [re.search(r"https?://[^/\s]+(/account/reset/\S+)", body).group(1) for body in bodies]


def choose_password(client, path: str, password: str = NEW_PASSWORD):
    """Open a reset link and set a new password."""
    form = client.get(path)
    assert form.status_code == 200
    return client.post(path, data={"password": password, "csrf_token": csrf_token(form.get_data(as_text=True))})


# 1. A password reset ends every existing link


def test_password_reset_stops_linked_clients_access_and_refresh_tokens(app, client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 200
    request_reset(app.test_client())
    assert choose_password(app.test_client(), reset_paths(app)[0]).status_code == 200
    answer = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert answer.status_code == 401 and 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    refreshed = refresh(client, registered, tokens["refresh_token"])
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant"


def test_password_reset_spends_the_accounts_other_open_reset_links(app, user):
    request_reset(app.test_client())
    request_reset(app.test_client())
    first, second = reset_paths(app)
    assert choose_password(app.test_client(), second).status_code == 200
    answer = app.test_client().get(first)
    assert answer.status_code == 400 and "expired or was used already" in answer.get_data(as_text=True)


def test_password_reset_lifts_the_failed_sign_in_throttle_of_the_account(app, alexa_clients, user):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT"]):
        sign_in(app.test_client(), url, password="wrong guess")
    throttled = sign_in(app.test_client(), url, password=PASSWORD)
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    request_reset(app.test_client())
    choose_password(app.test_client(), reset_paths(app)[0])
    with app.app_context():
        assert not [key for key in db.session.execute(select(LoginAttempt.key)).scalars() if key.startswith("account:")]
    assert sign_in(app.test_client(), url, password=NEW_PASSWORD).status_code == 302
