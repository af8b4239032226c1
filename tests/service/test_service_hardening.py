"""Fixes from the code review: reset ends old links, mail outside requests, auth-method
clashes, login bound to one authorization request, fixed issuer, ride idempotency."""
from __future__ import annotations

import base64
import email
import email.policy
import json
import re
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from ride_hailer_service import create_app
from ride_hailer_service.errors import ConfigurationError
from ride_hailer_service.mail import SENDER_EXTENSION
from ride_hailer_service.admin import create_user
from ride_hailer_service.models import LoginAttempt, OutboxMail, Ride, SignIn, db

from .conftest import (
    EMAIL,
    NA_REDIRECT,
    PASSWORD,
    authorize_query,
    bearer,
    consent,
    csrf_token,
    exchange,
    link,
    linked_tokens,
    refresh,
    sign_in,
)

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
    for _ in range(app.config["LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS"]):  # the limit from one address
        sign_in(app.test_client(), url, password="wrong guess")
    throttled = sign_in(app.test_client(), url, password=PASSWORD)
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    request_reset(app.test_client())
    choose_password(app.test_client(), reset_paths(app)[0])
    with app.app_context():
        assert not [key for key in db.session.execute(select(LoginAttempt.key)).scalars() if key.startswith(("account:", "acct-addr:"))]
    assert sign_in(app.test_client(), url, password=NEW_PASSWORD).status_code == 302


# 2. Mail is never sent inside a request; `flask send-outbox` delivers it


class SmtpResponder:
    """A minimal SMTP server on 127.0.0.1 in a thread (RFC 5321 commands smtplib sends).

    With `refuse` it accepts the connection and rejects the sender, like a server that
    will not relay for us.
    """

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.messages: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection, connection.makefile("rb") as lines:
                self._converse(connection, lines)

    def _converse(self, connection: socket.socket, lines) -> None:
        connection.sendall(b"220 127.0.0.1 test SMTP\r\n")
        for raw in lines:
            command = raw.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                connection.sendall(b"250 127.0.0.1\r\n")
            elif command.startswith("MAIL FROM"):
                connection.sendall(b"550 5.7.1 relaying denied\r\n" if self.refuse else b"250 OK\r\n")
            elif command.startswith(("RCPT TO", "RSET", "NOOP")):
                connection.sendall(b"250 OK\r\n")
            elif command == "DATA":
                connection.sendall(b"354 end with <CRLF>.<CRLF>\r\n")
                data = b""
                for line in lines:
                    if line == b".\r\n":
                        break
                    data += line
                self.messages.append(data)
                connection.sendall(b"250 OK queued\r\n")
            elif command == "QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"502 command not implemented\r\n")

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=10)


@pytest.fixture
def smtp_server():
    servers: list[SmtpResponder] = []

    def start(refuse: bool = False) -> SmtpResponder:
        servers.append(SmtpResponder(refuse))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def use_smtp(app, server: SmtpResponder) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_STARTTLS=False, MAIL_RETRY_DELAY=0)


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        rows = db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
        db.session.expunge_all()
        return rows


def test_reset_request_sends_nothing_itself_and_send_outbox_delivers_the_link_by_smtp(app, alexa_clients, user, smtp_server):
    server = smtp_server()
    use_smtp(app, server)
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    browser = app.test_client()
    request_reset(browser, next_url=url)
    assert server.messages == []  # the request only queued it
    [mail] = outbox(app)
    assert mail.sent_at is None and mail.attempts == 0
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 mail(s)" in result.output
    [received] = server.messages
    message = email.message_from_bytes(received, policy=email.policy.default)
    assert message["To"] == EMAIL and message["Subject"] == "Reset your Ride Hailer password"
    path = re.search(r"https?://[^/\s]+(/account/reset/\S+)", message.get_content()).group(1)
    assert path == reset_paths(app)[0]
    [mail] = outbox(app)
    assert mail.sent_at is not None and mail.attempts == 1
    # sent mail is not sent again
    assert "Sent 0 mail(s)" in app.test_cli_runner().invoke(args=["send-outbox"]).output
    assert len(server.messages) == 1
    # and the delivered link works, continuing the linking flow in the browser that asked
    assert choose_password(browser, path).headers["Location"] == url


def test_refusing_smtp_server_leaves_the_mail_queued_and_a_later_run_retries_it(app, user, smtp_server, caplog):
    refusing = smtp_server(refuse=True)
    use_smtp(app, refusing)
    request_reset(app.test_client())
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code == 1 and "1 failed and stay queued" in result.output
    [mail] = outbox(app)
    assert mail.sent_at is None and mail.attempts == 1 and "relaying denied" in mail.last_error
    assert "/account/reset/" not in caplog.text
    working = smtp_server()
    use_smtp(app, working)
    assert app.test_cli_runner().invoke(args=["send-outbox"]).exit_code == 0
    assert len(working.messages) == 1
    [mail] = outbox(app)
    assert mail.sent_at is not None and mail.attempts == 2


def test_send_outbox_gives_a_mail_up_after_the_allowed_attempts(app, user, smtp_server):
    use_smtp(app, smtp_server(refuse=True))
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    request_reset(app.test_client())
    for _ in range(3):
        app.test_cli_runner().invoke(args=["send-outbox"])
    [mail] = outbox(app)
    assert mail.attempts == 2 and mail.sent_at is None
    shown = app.test_cli_runner().invoke(args=["show-outbox"]).output
    assert "2 attempt(s)" in shown and "relaying denied" in shown


def test_failed_mail_waits_for_its_back_off_before_the_next_attempt(app, user, smtp_server):
    use_smtp(app, smtp_server(refuse=True))
    app.config["MAIL_RETRY_DELAY"] = 3600
    request_reset(app.test_client())
    app.test_cli_runner().invoke(args=["send-outbox"])
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert "Sent 0 mail(s); 0 failed" in result.output
    assert outbox(app)[0].attempts == 1


def test_send_outbox_without_smtp_says_to_use_show_outbox(app):
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code != 0 and "show-outbox" in result.output


def test_show_outbox_prints_the_queued_reset_link_for_developers_without_smtp(app, user):
    request_reset(app.test_client())
    result = app.test_cli_runner().invoke(args=["show-outbox"])
    assert result.exit_code == 0
    assert f"To: {EMAIL}" in result.output and reset_paths(app)[0] in result.output


def test_reset_request_for_known_and_unknown_email_look_the_same_and_commit(app, user, smtp_server):
    server = smtp_server()
    use_smtp(app, server)
    known, unknown = app.test_client(), app.test_client()
    for browser, address in ((known, EMAIL), (unknown, "nobody@example.com")):
        form = browser.get("/account/recover")
        answer = browser.post("/account/recover", data={"email": address, "csrf_token": csrf_token(form.get_data(as_text=True))})
        assert answer.status_code == 200
    assert server.messages == []  # neither request talked to SMTP
    assert [mail.recipient for mail in outbox(app)] == [EMAIL]


# 3. One client authentication method per token request (RFC 6749 section 2.3.1)


def both_methods(registered) -> tuple[dict[str, str], dict[str, str]]:
    """Basic header and body credentials of the same client."""
    raw = f"{registered.client_id}:{registered.secret}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    return headers, {"client_id": registered.client_id, "client_secret": registered.secret}


@pytest.mark.parametrize("scheme", ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"])
def test_code_exchange_with_basic_and_body_secret_at_once_is_invalid_request(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    code = link(client, registered.client_id)["code"][0]
    headers, credentials = both_methods(registered)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": NA_REDIRECT, **credentials}
    answer = client.post("/oauth/token", data=data, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request" and "one method" in answer.get_json()["error_description"]
    assert "access_token" not in answer.get_json()
    assert exchange(client, registered, code).status_code == 200  # the refused request did not spend the code


@pytest.mark.parametrize("scheme", ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"])
def test_refresh_with_basic_and_body_secret_at_once_is_invalid_request(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    tokens = linked_tokens(client, registered)
    headers, credentials = both_methods(registered)
    data = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **credentials}
    answer = client.post("/oauth/token", data=data, headers=headers)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_request"
    assert refresh(client, registered, tokens["refresh_token"]).status_code == 200


# 4. A sign-in is bound to the authorization request it was made for


def shows_login_page(client, url: str) -> bool:
    html = client.get(url).get_data(as_text=True)
    return 'name="password"' in html and 'name="decision"' not in html


def test_after_linking_a_later_linking_flow_in_the_same_web_view_asks_for_the_password(client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    link(client, registered.client_id)
    later = authorize_query(registered.client_id, state="someone-elses-state")
    assert shows_login_page(client, later)


def test_sign_in_for_one_request_does_not_show_allow_for_another_request(client, alexa_clients, user):
    first = authorize_query(alexa_clients["HTTP_BASIC"].client_id, state="first")
    assert sign_in(client, first).status_code == 302
    other = authorize_query(alexa_clients["REQUEST_BODY_CREDENTIALS"].client_id, state="second")
    assert shows_login_page(client, other)
    # a forged consent post for the other request is not accepted either
    page = client.get(other)
    answer = client.post(other, data={"decision": "allow", "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert "Location" not in answer.headers


def test_sign_in_older_than_its_lifetime_asks_for_the_password_again(app, client, alexa_clients, user):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    assert sign_in(client, url).status_code == 302
    assert 'name="decision" value="allow"' in client.get(url).get_data(as_text=True)
    with app.app_context():  # the sign-in record (server-side) passes its lifetime
        db.session.execute(update(SignIn).values(expires_at=SignIn.created_at))
        db.session.commit()
    assert shows_login_page(client, url)


def test_same_request_with_parameters_in_another_order_keeps_the_sign_in(client, alexa_clients, user):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    assert sign_in(client, url).status_code == 302
    path, query = url.split("?", 1)
    reordered = path + "?" + "&".join(reversed(query.split("&")))
    assert 'name="decision" value="allow"' in client.get(reordered).get_data(as_text=True)


def test_sign_up_continues_its_own_linking_flow_but_not_another(client, alexa_clients):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    href = "/account/signup?" + urlencode({"next": url})
    form = client.get(href)
    answer = client.post(href, data={"name": "Nia", "email": "nia@example.com", "password": "long enough pw", "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert answer.headers["Location"] == url
    assert 'name="decision" value="allow"' in client.get(url).get_data(as_text=True)
    assert shows_login_page(client, authorize_query(alexa_clients["HTTP_BASIC"].client_id, state="other"))


def test_password_reset_continues_its_own_linking_flow(app, client, alexa_clients, user):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    request_reset(client, next_url=url)
    assert choose_password(client, reset_paths(app)[0]).headers["Location"] == url
    assert consent(client, url).headers["Location"].startswith(NA_REDIRECT + "?code=")


# 5. The issuer and published URLs come from RIDE_HAILER_ISSUER, never from the Host header


def test_metadata_issuer_and_endpoints_come_from_the_configured_issuer_not_the_host_header(app, client):
    app.config["ISSUER"] = "https://rides.example.com"
    data = client.get("/.well-known/oauth-authorization-server", base_url="https://attacker.example").get_json()
    assert data["issuer"] == "https://rides.example.com"
    assert data["authorization_endpoint"] == "https://rides.example.com/oauth/authorize"
    assert data["token_endpoint"] == "https://rides.example.com/oauth/token"
    assert data["revocation_endpoint"] == "https://rides.example.com/oauth/revoke"


def test_reset_link_uses_the_configured_issuer_not_the_host_header(app, user):
    app.config["ISSUER"] = "https://rides.example.com"
    browser = app.test_client()
    form = browser.get("/account/recover", base_url="http://127.0.0.9:8080")
    browser.post("/account/recover", base_url="http://127.0.0.9:8080", data={"email": EMAIL, "csrf_token": csrf_token(form.get_data(as_text=True))})
    [mail] = outbox(app)
    assert "https://rides.example.com/account/reset/" in mail.body and "127.0.0.9" not in mail.body


def test_service_refuses_to_start_without_issuer_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("RIDE_HAILER_ISSUER", raising=False)
    with pytest.raises(ConfigurationError, match="RIDE_HAILER_ISSUER"):
        create_app({"SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})


@pytest.mark.parametrize("issuer", ["http://rides.example.com", "https://rides.example.com/?x=1", "https://rides.example.com/#f", "rides.example.com", "https://user@rides.example.com"])
def test_service_refuses_an_issuer_rfc_8414_does_not_allow(tmp_path, issuer):
    with pytest.raises(ConfigurationError, match="RIDE_HAILER_ISSUER"):
        create_app({"SECRET_KEY": "k", "ISSUER": issuer, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})


def test_configured_issuer_loses_its_trailing_slash(tmp_path):
    app = create_app({"SECRET_KEY": "k", "ISSUER": "https://rides.example.com/", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["ISSUER"] == "https://rides.example.com"


# 6. POST /api/v1/rides honours Idempotency-Key


def order(client, token: str, destination: str, key: str | None = None):
    headers = bearer(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/rides", json={"destination": destination}, headers=headers)


def ride_count(app) -> int:
    with app.app_context():
        return len(db.session.execute(select(Ride.id)).all())


def test_repeated_order_with_the_same_idempotency_key_returns_the_same_ride_once(app, client, alexa_clients, user):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]
    first = order(client, token, "Airport", key="amzn1.echo-api.request.1234")
    assert first.status_code == 201
    again = order(client, token, "Airport", key="amzn1.echo-api.request.1234")
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert ride_count(app) == 1
    other = order(client, token, "Airport", key="amzn1.echo-api.request.5678")
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]
    assert ride_count(app) == 2


def test_same_idempotency_key_with_another_body_is_422_and_orders_nothing(app, client, alexa_clients, user):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]
    assert order(client, token, "Airport", key="k-1").status_code == 201
    clash = order(client, token, "Central Station", key="k-1")
    assert clash.status_code == 422
    assert clash.get_json()["error"] == "idempotency_key_reused" and "Idempotency-Key" in clash.get_json()["error_description"]
    assert ride_count(app) == 1


def test_idempotency_keys_are_per_user(app, client, alexa_clients, user):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]
    with app.app_context():
        create_user("other@example.com", PASSWORD, "Olive Other")
    other_client = app.test_client()
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    sign_in(other_client, url, email="other@example.com")
    code = consent(other_client, url).headers["Location"].split("code=")[1].split("&")[0]
    other_token = exchange(other_client, alexa_clients["HTTP_BASIC"], code).get_json()["access_token"]
    mine = order(client, token, "Airport", key="shared-key")
    theirs = order(other_client, other_token, "Airport", key="shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 201, "bad\tkey"])
def test_unusable_idempotency_key_is_invalid_request(app, client, alexa_clients, user, key):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]
    answer = order(client, token, "Airport", key=key)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_request"
    assert "Idempotency-Key" in answer.get_json()["error_description"]
    assert ride_count(app) == 0


def test_idempotency_key_of_200_characters_is_accepted(client, alexa_clients, user):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]
    assert order(client, token, "Airport", key="k" * 200).status_code == 201
    assert order(client, token, "Airport", key="k" * 200).status_code == 200


def test_racing_orders_with_one_idempotency_key_create_one_ride(app, live_server, alexa_clients, user):
    import concurrent.futures

    import requests

    token = linked_tokens(app.test_client(), alexa_clients["HTTP_BASIC"])["access_token"]

    def post(_: int) -> tuple[int, str]:
        answer = requests.post(
            live_server.url + "/api/v1/rides",
            json={"destination": "Airport"},
            headers={**bearer(token), "Idempotency-Key": "race"},
            timeout=30,
        )
        return answer.status_code, answer.json()["id"]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(post, range(8)))
    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({ride_id for _, ride_id in results}) == 1
    assert ride_count(app) == 1


# 7. Smaller fixes


def test_api_answers_are_not_cached(client, alexa_clients, user):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]
    assert client.get("/api/v1/me", headers=bearer(token)).headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/fares/estimate?destination=Airport").headers["Cache-Control"] == "no-store"


def test_overlong_login_password_gets_the_wrong_credentials_message_without_hashing(app, client, alexa_clients, user):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    answer = sign_in(client, url, password="x" * 60_000)
    assert answer.status_code == 200
    assert "The email or password is not correct." in answer.get_data(as_text=True)
    with app.app_context():  # refused by the form: not even counted as a failed sign-in
        assert db.session.execute(select(LoginAttempt.id)).first() is None


def test_create_alexa_client_prints_the_secret_on_its_own_line_outside_the_json(app):
    result = app.test_cli_runner().invoke(args=["create-alexa-client", "--vendor-id", "M2VENDOR", "--scheme", "HTTP_BASIC"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    secret = lines[lines.index(next(line for line in lines if line.startswith("Client secret"))) + 1]
    with app.app_context():
        from ride_hailer_service.models import Client

        assert db.session.execute(select(Client)).scalar_one().check_client_secret(secret)
    printed = result.output[result.output.index("{"):]
    assert secret not in printed
    request = json.loads(printed)["accountLinkingRequest"]
    assert request["accessTokenUrl"] == "https://ride-hailer.example/oauth/token" and request["accessTokenScheme"] == "HTTP_BASIC"


def test_create_alexa_client_for_implicit_grant_prints_no_token_url_or_secret(app):
    result = app.test_cli_runner().invoke(args=["create-alexa-client", "--vendor-id", "M2VENDOR", "--scheme", "HTTP_BASIC", "--implicit"])
    assert result.exit_code == 0, result.output
    assert "Client secret" not in result.output
    request = json.loads(result.output[result.output.index("{"):])["accountLinkingRequest"]
    assert request["type"] == "IMPLICIT"
    assert "accessTokenUrl" not in request and "clientSecret" not in request


@pytest.mark.parametrize(
    "language,subject,greeting",
    [
        ("de", "Dein Passwort bei Ride Hailer zurücksetzen", "Hallo Riley Rider,"),
        ("es", "Restablece tu contraseña de Ride Hailer", "Hola, Riley Rider:"),
        ("fr", "Réinitialisez votre mot de passe Ride Hailer", "Bonjour Riley Rider,"),
        ("ja", "Ride Hailer のパスワードの再設定", "こんにちは、Riley Rider 様"),
        ("en-GB", "Reset your Ride Hailer password", "Hello Riley Rider,"),
    ],
)
def test_reset_mail_is_written_in_the_language_of_the_request(app, user, language, subject, greeting):
    browser = app.test_client()
    headers = {"Accept-Language": language}
    form = browser.get("/account/recover", headers=headers)
    browser.post("/account/recover", headers=headers, data={"email": EMAIL, "csrf_token": csrf_token(form.get_data(as_text=True))})
    [mail] = outbox(app)
    assert mail.subject == subject
    assert mail.body.startswith(greeting + "\n") and "60" in mail.body and "/account/reset/" in mail.body


# 2b. The optional background sender


def test_background_sender_mails_the_reset_link_soon_after_the_request(app, database, user, smtp_server):
    server = smtp_server()
    served = create_app({**database, "SECRET_KEY": "k", "ISSUER": "http://127.0.0.1", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_STARTTLS": False})
    assert not served.extensions[SENDER_EXTENSION].started  # not in CLI commands: only with requests
    try:
        request_reset(served.test_client())
        deadline = time.monotonic() + 30  # generous bound: fails rather than hangs
        while not server.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.messages) == 1
        assert "/account/reset/" in email.message_from_bytes(server.messages[0], policy=email.policy.default).get_content()
    finally:
        served.extensions[SENDER_EXTENSION].stop()
        with served.app_context():
            db.engine.dispose()
    [mail] = outbox(app)
    assert mail.sent_at is not None


def test_no_background_sender_in_testing_or_without_smtp(database, tmp_path):
    testing = create_app({**database, "TESTING": True, "SMTP_HOST": "127.0.0.1"})
    without_smtp = create_app({**database, "SECRET_KEY": "k", "ISSUER": "http://127.0.0.1"})
    for made in (testing, without_smtp):
        made.test_client().get("/account/recover")
    assert SENDER_EXTENSION not in testing.extensions and SENDER_EXTENSION not in without_smtp.extensions
    assert not [thread for thread in threading.enumerate() if thread.name == "ride-hailer-outbox"]
    for made in (testing, without_smtp):
        with made.app_context():
            db.engine.dispose()
