"""The Ride Hailer service as a real server process (gunicorn) on a real database, and HTTP helpers.

Used by the reliability suites of the service (issue 8, suites 3 to 7) and by `make soak`.
"""
from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from devstack.servers import GunicornServer, free_port, not_a_server_error

REPO = Path(__file__).resolve().parents[2]
VENDOR_ID = "M2RELIABILITY"
NA_REDIRECT = f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"
ALL_SCOPES = "profile rides:read rides:write"
EMAIL = "load.rider@example.com"
PASSWORD = "correct horse battery"
SECRET_KEY = "reliability-suite-secret-key-0123456789abcdef"

#: Soak mode (`make soak`): longer runs, more examples, more rounds.
SOAK = os.environ.get("RELIABILITY_SOAK") == "1"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Database:
    """A migrated database: an SQLite file or a unique PostgreSQL schema."""

    kind: str
    config: dict[str, Any]
    schema: str | None = None

    def env(self) -> dict[str, str]:
        """RIDE_HAILER_* variables pointing a server process at this database."""
        env = {"RIDE_HAILER_DATABASE_URL": self.config["DATABASE_URL"]}
        if self.schema:
            env["RIDE_HAILER_DATABASE_SCHEMA"] = self.schema
        return env

    def drop(self) -> None:
        """Drop the PostgreSQL schema (SQLite files go with pytest's tmp_path)."""
        if self.schema:
            import psycopg

            with psycopg.connect(os.environ["TEST_DATABASE_URL"], autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{self.schema}" CASCADE')

    def app(self, **extra: Any) -> Any:
        """A Flask app on this database (for seeding and inspecting rows)."""
        from ride_hailer_service import create_app

        return create_app({**self.config, "TESTING": True, "SECRET_KEY": SECRET_KEY, **extra})


def make_database(kind: str, directory: Path) -> Database:
    """Create and migrate a database of the given kind."""
    from flask_migrate import upgrade

    if kind == "sqlite":
        database = Database(kind, {"DATABASE_URL": f"sqlite:///{directory / 'relsvc.sqlite'}"})
    else:
        import psycopg

        url = os.environ["TEST_DATABASE_URL"]
        schema = "test_relsvc_" + uuid.uuid4().hex[:12]
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        database = Database(kind, {"DATABASE_URL": url, "DATABASE_SCHEMA": schema}, schema)
    app = database.app()
    with app.app_context():
        upgrade()
        from ride_hailer_service.models import db

        db.engine.dispose()
    return database


@dataclass
class Registered:
    """A registered OAuth client and its plaintext secret."""

    client_id: str
    secret: str
    scheme: str

    def auth(self, data: dict[str, str]) -> tuple[dict[str, str], Any]:
        """The form body and requests auth for a token request with this client's scheme."""
        if self.scheme == "HTTP_BASIC":
            return data, (self.client_id, self.secret)
        return {**data, "client_id": self.client_id, "client_secret": self.secret}, None


@dataclass
class Seeded:
    """The rows every suite needs: one user and the skill registered per Alexa scheme."""

    basic: Registered
    post: Registered
    email: str = EMAIL
    password: str = PASSWORD


def seed(database: Database) -> Seeded:
    """Create the user and the two Alexa clients."""
    from ride_hailer_service.admin import create_alexa_client, create_user
    from ride_hailer_service.models import db

    app = database.app()
    with app.app_context():
        create_user(EMAIL, PASSWORD, "Load Rider")
        basic, basic_secret = create_alexa_client(VENDOR_ID, "HTTP_BASIC", client_id="alexa-basic")
        post, post_secret = create_alexa_client(VENDOR_ID, "REQUEST_BODY_CREDENTIALS", client_id="alexa-post")
        db.engine.dispose()
    return Seeded(
        Registered(basic.client_id, basic_secret, "HTTP_BASIC"),
        Registered(post.client_id, post_secret, "REQUEST_BODY_CREDENTIALS"),
    )


@dataclass
class ServiceProcess:
    """gunicorn serving the service (or another app, e.g. the skill's web host) on 127.0.0.1 in its own process group.

    The launcher is devstack's (``devstack.servers.GunicornServer``); this adds the suite's
    database, secret key and issuer.
    """

    database: Database
    log_path: Path
    workers: int = 2
    threads: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    #: the WSGI app gunicorn loads, the folder it runs in, and a path that answers once ready
    app: str = "ride_hailer_service:create_app()"
    chdir: Path = REPO
    ready_path: str = "/api/v1/openapi.json"
    port: int = 0
    server: GunicornServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> ServiceProcess:
        """Start gunicorn and wait until it answers below 500."""
        self.port = self.port or free_port()
        env = {
            **os.environ,
            **self.database.env(),
            "RIDE_HAILER_SECRET_KEY": SECRET_KEY,
            # Outside debug/testing the service refuses to start without its public URL.
            "RIDE_HAILER_ISSUER": self.url,
            **self.extra_env,
        }
        self.server = GunicornServer(
            self.app, name=self.app, port=self.port, chdir=self.chdir, environ=env,
            worker_args=("--workers", str(self.workers), "--threads", str(self.threads)),
            extra_args=("--timeout", "60"), log_path=self.log_path, ready_path=self.ready_path,
            ready=not_a_server_error)
        self.server.start(timeout)
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group (arbiter and workers), as a crash would."""
        assert self.server is not None
        self.server.kill()

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGKILL if it does not go within 15 s)."""
        if self.server is not None:
            self.server.stop()

    def log(self) -> str:
        """What gunicorn and the app wrote."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def authorize_url(base: str, client_id: str, state: str | None = None) -> str:
    """An authorization request as the Alexa app sends it."""
    state = state or "st-" + uuid.uuid4().hex
    query = {"client_id": client_id, "redirect_uri": NA_REDIRECT, "response_type": "code", "scope": ALL_SCOPES, "state": state}
    return f"{base}/oauth/authorize?{urlencode(query)}"


def link_code(base: str, registered: Registered, email: str = EMAIL, password: str = PASSWORD) -> str:
    """Sign in and consent in a fresh browser-like session; the authorization code."""
    session = requests.Session()
    url = authorize_url(base, registered.client_id)
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.text
    signed_in = session.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302, signed_in.text
    page = session.get(url, timeout=30)
    assert 'name="decision" value="allow"' in page.text
    answer = session.post(url, data={"decision": "allow", "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def token_call(base: str, registered: Registered, data: dict[str, str], session: requests.Session | None = None) -> requests.Response:
    """POST /oauth/token with the client's Alexa scheme."""
    body, auth = registered.auth(data)
    return (session or requests).post(base + "/oauth/token", data=body, auth=auth, timeout=60)


def exchange(base: str, registered: Registered, code: str, session: requests.Session | None = None) -> requests.Response:
    """Exchange an authorization code."""
    return token_call(base, registered, {"grant_type": "authorization_code", "code": code, "redirect_uri": NA_REDIRECT}, session)


def refresh(base: str, registered: Registered, refresh_token: str, session: requests.Session | None = None) -> requests.Response:
    """Use a refresh token."""
    return token_call(base, registered, {"grant_type": "refresh_token", "refresh_token": refresh_token}, session)


def me(base: str, access_token: str, session: requests.Session | None = None) -> requests.Response:
    """GET /api/v1/me with a bearer token."""
    return (session or requests).get(base + "/api/v1/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=60)


def linked_tokens(base: str, registered: Registered) -> dict[str, Any]:
    """Link over HTTP and exchange the code: the token answer."""
    answer = exchange(base, registered, link_code(base, registered))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of the values (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[rank]
