"""The login, consent, sign-up and recovery pages shown inside the Alexa app."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from ride_hailer_service.models import LoginAttempt, OutboxMail, db

from .conftest import EMAIL, NA_REDIRECT, PASSWORD, authorize_query, consent, csrf_token, sign_in

WRONG_CREDENTIALS = "The email or password is not correct."


@pytest.fixture
def url(alexa_clients) -> str:
    return authorize_query(alexa_clients["HTTP_BASIC"].client_id)


def test_login_page_is_mobile_friendly_script_free_and_says_which_credentials(client, url):
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html and "alert(" not in html and "window.open" not in html
    assert "not your Amazon account" in html
    assert "Order and cancel rides on your behalf" in html
    email_input = re.search(r"<input[^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'autocorrect="off"' in email_input and 'autocapitalize="none"' in email_input
    assert 'name="password"' in html


def test_pages_forbid_framing_and_referrers(client, url):
    response = client.get(url)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none' covers scripts
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_wrong_password_shows_inline_error_next_to_the_field(client, url, user):
    response = sign_in(client, url, password="wrong password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'name="password"[^>]*>\s*<p class="error" id="password-error">' + WRONG_CREDENTIALS, html)
    assert 'value="rider@example.com"' in html


def test_unknown_email_gets_the_same_message_as_wrong_password(client, url, user):
    known = sign_in(client, url, password="wrong password").get_data(as_text=True)
    unknown = sign_in(client, url, email="nobody@example.com").get_data(as_text=True)
    assert WRONG_CREDENTIALS in known and WRONG_CREDENTIALS in unknown


def test_empty_fields_show_inline_errors(client, url):
    response = sign_in(client, url, email="", password="")
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and 'id="password-error"' in html


def test_email_with_spaces_and_capitals_signs_in(client, url, user):
    response = sign_in(client, url, email="  Rider@Example.COM ")
    assert response.status_code == 302
    assert consent(client, url).status_code == 302


def test_login_without_csrf_token_is_refused(client, url, user):
    client.get(url)
    response = client.post(url, data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 400
    assert "Location" not in response.headers
    with client.session_transaction() as session:
        assert "sign_in" not in session


def test_consent_without_csrf_token_is_refused(client, url, user):
    sign_in(client, url)
    response = client.post(url, data={"decision": "allow"})
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_failed_logins_are_throttled_per_account(client, url, user):
    for _ in range(5):
        assert WRONG_CREDENTIALS in sign_in(client, url, password="nope").get_data(as_text=True)
    blocked = sign_in(client, url)
    assert blocked.status_code == 200
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)


def test_successful_logins_never_count_as_failures(app, client, url, user):
    app.config["LOGIN_THROTTLE_PER_ACCOUNT"] = 2
    app.config["LOGIN_THROTTLE_PER_ADDRESS"] = 2
    for _ in range(4):  # twice the limit: each is recorded first, then cleared as a success
        assert sign_in(client, url).status_code == 302
    assert WRONG_CREDENTIALS in sign_in(client, url, password="nope").get_data(as_text=True)
    assert sign_in(client, url).status_code == 302
    with app.app_context():  # the success cleared the account's failure and its own rows
        keys = db.session.execute(select(LoginAttempt.key)).scalars().all()
    assert [key.split(":")[0] for key in keys] == ["address"]


def test_throttled_attempts_are_not_recorded_as_failures(app, client, url, user):
    for _ in range(5):
        sign_in(client, url, password="nope")
    for _ in range(3):
        assert "Too many failed sign-ins" in sign_in(client, url).get_data(as_text=True)
    with app.app_context():  # 5 failures, each with an (account, address), an account and an address row
        assert db.session.execute(select(func.count(LoginAttempt.id))).scalar_one() == 15


def test_failed_logins_are_throttled_per_address(app, client, url, user):
    app.config["LOGIN_THROTTLE_PER_ADDRESS"] = 3
    for n in range(3):
        sign_in(client, url, email=f"someone{n}@example.com", password="nope")
    blocked = sign_in(client, url)
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)


def test_sign_up_creates_account_and_continues_the_link(client, url, alexa_clients):
    page = client.get(url).get_data(as_text=True)
    signup_href = re.search(r'href="(/account/signup[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(signup_href)
    assert form.status_code == 200
    response = client.post(signup_href, data={"name": "New Rider", "email": " New@Example.com", "password": "a long password", "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers["Location"] == url
    final = consent(client, url)
    assert final.headers["Location"].startswith(NA_REDIRECT + "?code=")


def test_sign_up_with_taken_email_answers_like_a_free_one_without_telling(app, client, user):
    signup = "/account/signup"
    answers = []
    for email in (EMAIL, "free.address@example.com"):
        fresh = app.test_client()
        form = fresh.get(signup)
        answers.append(fresh.post(signup, data={"name": "Dup", "email": email, "password": "a long password", "csrf_token": csrf_token(form.get_data(as_text=True))}))
    taken, free = answers
    assert taken.status_code == free.status_code == 200
    assert taken.get_data(as_text=True) == free.get_data(as_text=True)
    assert 'id="email-error"' not in taken.get_data(as_text=True)


def test_short_password_at_sign_up_shows_inline_error(client):
    form = client.get("/account/signup")
    response = client.post("/account/signup", data={"name": "X", "email": "x@example.com", "password": "short", "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert 'id="password-error"' in response.get_data(as_text=True)


def _recover(client, email: str, next_url: str) -> str:
    href = "/account/recover?" + urlencode({"next": next_url})
    form = client.get(href)
    response = client.post(href, data={"email": email, "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_recovery_mails_a_one_time_link_that_resets_the_password_and_continues(app, client, url, user):
    answer = _recover(client, "RIDER@example.com ", url)
    assert "If a Ride Hailer account uses this email" in answer
    with app.app_context():
        mail = db.session.execute(select(OutboxMail)).scalar_one()
        assert mail.recipient == EMAIL and mail.sent_at is None
        link = re.search(r"http://localhost/account/reset/\S+", mail.body).group(0)
    path = link.removeprefix("http://localhost")
    form = client.get(path)
    assert form.status_code == 200
    response = client.post(path, data={"password": "a brand new password", "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert consent(client, url).headers["Location"].startswith(NA_REDIRECT + "?code=")
    # the link works once
    assert client.get(path).status_code == 400
    # the new password works, the old one not
    fresh = client.application.test_client()
    assert sign_in(fresh, url, password="a brand new password").status_code == 302
    assert WRONG_CREDENTIALS in sign_in(app.test_client(), url).get_data(as_text=True)


def test_recovery_for_unknown_email_answers_the_same_and_mails_nothing(app, client, url, user):
    answer = _recover(client, "nobody@example.com", url)
    assert "If a Ride Hailer account uses this email" in answer
    with app.app_context():
        assert db.session.execute(select(OutboxMail)).first() is None


def test_recovery_requests_are_throttled_per_address_without_telling(app, client, url, user):
    for _ in range(7):
        assert "If a Ride Hailer account uses this email" in _recover(client, EMAIL, url)
    with app.app_context():
        assert len(db.session.execute(select(OutboxMail)).all()) == 5


def test_reset_link_with_unknown_secret_is_refused(client):
    response = client.get("/account/reset/not-a-secret")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_next_parameter_cannot_send_users_elsewhere(client):
    page = client.get("/account/signup?next=https://evil.example/")
    assert "evil.example" not in page.get_data(as_text=True)
