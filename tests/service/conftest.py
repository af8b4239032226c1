"""Fixtures: the real service on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask, request_finished
from flask.testing import FlaskClient
from flask_migrate import upgrade

from devstack.database import fresh_database
from ride_hailer_service import create_app
from ride_hailer_service.admin import create_alexa_client, create_user
from ride_hailer_service.models import db

VENDOR_ID = "M2TESTVENDOR"
NA_REDIRECT = f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"
EU_REDIRECT = f"https://layla.amazon.com/api/skill/link/{VENDOR_ID}"
FE_REDIRECT = f"https://alexa.amazon.co.jp/api/skill/link/{VENDOR_ID}"
ALL_SCOPES = "profile rides:read rides:write"
PASSWORD = "correct horse battery"
EMAIL = "rider@example.com"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A migrated database for the session: an SQLite file, or a unique PostgreSQL schema."""
    postgres = os.environ["TEST_DATABASE_URL"] if request.param == "postgresql" else None
    with fresh_database(tmp_path_factory.mktemp("service"), "test_service", postgres) as config:
        app = create_app({**config, "TESTING": True, "SECRET_KEY": "migrate"})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield config


@pytest.fixture
def app(database: dict[str, Any]) -> Iterator[Flask]:
    """The service on the session database; tables emptied after each test; no 500 allowed."""
    app = create_app({**database, "TESTING": True, "SECRET_KEY": "test-secret", "SERVER_NAME": None})
    statuses: list[tuple[str, int]] = []

    def record(sender: Flask, response: Any, **extra: Any) -> None:
        from flask import request

        statuses.append((request.path, response.status_code))

    request_finished.connect(record, app)
    yield app
    request_finished.disconnect(record, app)
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.engine.dispose()
    server_errors = [(path, status) for path, status in statuses if status >= 500]
    assert not server_errors, f"the service answered with a server error: {server_errors}"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client."""
    return app.test_client()


@dataclass
class Registered:
    """A registered OAuth client and its plaintext secret."""

    client_id: str
    secret: str
    scheme: str


@pytest.fixture
def alexa_clients(app: Flask) -> dict[str, Registered]:
    """The skill registered once per Alexa accessTokenScheme, plus implicit and PKCE clients."""
    made = {}
    with app.app_context():
        for key, scheme, kwargs in (
            ("HTTP_BASIC", "HTTP_BASIC", {}),
            ("REQUEST_BODY_CREDENTIALS", "REQUEST_BODY_CREDENTIALS", {}),
            ("implicit", "HTTP_BASIC", {"implicit": True}),
            ("pkce", "HTTP_BASIC", {"require_pkce": True}),
        ):
            client, secret = create_alexa_client(VENDOR_ID, scheme, client_id=f"alexa-{key.lower()}", **kwargs)
            made[key] = Registered(client.client_id, secret, scheme)
    return made


@pytest.fixture
def user(app: Flask) -> int:
    """A Ride Hailer account."""
    with app.app_context():
        return create_user(EMAIL, PASSWORD, "Riley Rider").id


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def authorize_query(client_id: str, **overrides: str | None) -> str:
    """An authorization request the way the Alexa app sends it."""
    params = {
        "client_id": client_id,
        "redirect_uri": NA_REDIRECT,
        "response_type": "code",
        "scope": ALL_SCOPES,
        "state": "alexa-state-123",
    }
    params.update(overrides)
    return "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def sign_in(client: FlaskClient, url: str, email: str = EMAIL, password: str = PASSWORD) -> Any:
    """Load the login page and submit credentials."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))})


def consent(client: FlaskClient, url: str, decision: str = "allow") -> Any:
    """Load the consent page and answer it."""
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="decision" value="allow"' in page.get_data(as_text=True)
    return client.post(url, data={"decision": decision, "csrf_token": csrf_token(page.get_data(as_text=True))})


def link(client: FlaskClient, client_id: str, **overrides: str | None) -> dict[str, list[str]]:
    """Run the login + consent flow; return the query (or fragment) of the Alexa redirect."""
    url = authorize_query(client_id, **overrides)
    response = sign_in(client, url)
    assert response.status_code == 302, response.get_data(as_text=True)
    response = consent(client, url)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (overrides.get("redirect_uri") or NA_REDIRECT)
    return parse_qs(location.fragment or location.query)


def token_request(client: FlaskClient, registered: Registered, data: dict[str, str], secret: str | None = None,
                  path: str = "/oauth/token") -> Any:
    """POST /oauth/token (or ``path``) authenticated the way the client's Alexa scheme does it."""
    secret = registered.secret if secret is None else secret
    data = dict(data)
    headers = {}
    if registered.scheme == "HTTP_BASIC":
        raw = f"{registered.client_id}:{secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    else:
        data.update(client_id=registered.client_id, client_secret=secret)
    return client.post(path, data=data, headers=headers)


def exchange(client: FlaskClient, registered: Registered, code: str, redirect_uri: str = NA_REDIRECT) -> Any:
    """Exchange an authorization code."""
    return token_request(client, registered, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})


def refresh(client: FlaskClient, registered: Registered, refresh_token: str, **extra: str) -> Any:
    """Use a refresh token."""
    return token_request(client, registered, {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})


def linked_tokens(client: FlaskClient, registered: Registered, **overrides: str | None) -> dict[str, Any]:
    """Link and exchange the code: the token answer."""
    code = link(client, registered.client_id, **overrides)["code"][0]
    response = exchange(client, registered, code)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a daemon thread; the list receives its result."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    return thread, result


def bearer(token: str) -> dict[str, str]:
    """Authorization header for an access token."""
    return {"Authorization": f"Bearer {token}"}


@dataclass
class LiveServer:
    """The service served by a real werkzeug server on 127.0.0.1."""

    url: str
    app: Flask


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the app over real HTTP in a thread; stopped after the test."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
