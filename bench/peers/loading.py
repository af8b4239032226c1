"""Databases of the peer servers: created, seeded with the same user, client, refresh chains
and codes as ours (same plaintext values, so one load function drives every server)."""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from typing import Optional

from bench.common import ROOT
from bench.service_db import REDIRECT_URI, SCOPES, code, refresh_token

CLIENT_ID = "alexa-bench"
CLIENT_SECRET = "bench-client-secret-0123456789abcdef"


@dataclass
class PeerDatabase:
    """One peer's database (a SQLite file, or a fresh PostgreSQL schema)."""

    kind: str  # "authlib" | "dot"
    url: str
    schema: Optional[str] = None

    @property
    def environ(self) -> dict[str, str]:
        """The settings the peer's app reads (for gunicorn)."""
        env = {"PEER_DATABASE_URL": self.url}
        if self.schema:
            env["PEER_DATABASE_SCHEMA"] = self.schema
        if self.kind == "dot":
            env["DJANGO_SETTINGS_MODULE"] = "bench.peers.dot_project.settings"
        return env

    @property
    def basic_auth(self) -> str:
        raw = f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    @property
    def app(self) -> str:
        """The gunicorn app of the peer."""
        return {"authlib": "bench.peers.authlib_server:create_app()",
                "dot": "bench.peers.dot_project.wsgi:application"}[self.kind]

    def load(self, token_prefix: str, tokens: int, code_prefix: str, codes: int) -> None:
        """Create the tables, the user, the client, ``tokens`` refresh chains and ``codes`` codes."""
        script = _AUTHLIB_LOADER if self.kind == "authlib" else _DOT_LOADER
        if self.kind == "dot":
            _run([sys.executable, "-m", "django", "migrate", "-v", "0"], self.environ)
        _run([sys.executable, "-c", textwrap.dedent(script),
              json.dumps({"token_prefix": token_prefix, "tokens": tokens, "code_prefix": code_prefix,
                          "codes": codes})], self.environ)

    def drop(self) -> None:
        if self.schema:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def _run(command: list[str], environ: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **environ}, capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {done.stderr[-2000:]}")


def peer_database(kind: str, backend: str, folder: str, postgres_url: Optional[str] = None) -> PeerDatabase:
    """A new, empty database for a peer."""
    if backend == "sqlite":
        return PeerDatabase(kind, f"sqlite:///{os.path.join(folder, kind)}.sqlite")
    import psycopg

    assert postgres_url
    schema = f"bench_{kind}_" + uuid.uuid4().hex[:10]
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return PeerDatabase(kind, postgres_url, schema)


# The loaders run in a child process with the peer's own settings (Flask-SQLAlchemy / Django).
_COMMON = f"""
import json, sys, time
args = json.loads(sys.argv[1])
REDIRECT_URI = {REDIRECT_URI!r}
SCOPES = {SCOPES!r}
CLIENT_ID = {CLIENT_ID!r}
CLIENT_SECRET = {CLIENT_SECRET!r}
from bench.service_db import code, refresh_token
"""

_AUTHLIB_LOADER = _COMMON + """
from bench.peers.authlib_server import AuthorizationCode, Client, Token, User, create_app, db
app = create_app()
with app.app_context():
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    db.create_all()
    user = User(username="rider@bench.example")
    db.session.add(user)
    db.session.flush()
    client = Client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, user_id=user.id,
                    client_id_issued_at=int(time.time()))
    client.set_client_metadata({"grant_types": ["authorization_code", "refresh_token"],
                                "response_types": ["code"], "redirect_uris": [REDIRECT_URI],
                                "scope": SCOPES, "token_endpoint_auth_method": "client_secret_basic"})
    db.session.add(client)
    now = int(time.time())
    db.session.add_all(Token(client_id=CLIENT_ID, token_type="Bearer", user_id=user.id, scope=SCOPES,
                             access_token=f"{args['token_prefix']}-access-{i:08d}",
                             refresh_token=refresh_token(args["token_prefix"], i), issued_at=now, expires_in=3600)
                       for i in range(1, args["tokens"] + 1))
    db.session.add_all(AuthorizationCode(code=code(args["code_prefix"], i), client_id=CLIENT_ID,
                                         redirect_uri=REDIRECT_URI, response_type="code", scope=SCOPES,
                                         user_id=user.id, auth_time=now)
                       for i in range(1, args["codes"] + 1))
    db.session.commit()
"""

_DOT_LOADER = _COMMON + """
import datetime as dt
import django
django.setup()
from django.contrib.auth.models import User
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken
user = User.objects.create_user("rider@bench.example", password=None)
app = Application.objects.create(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, hash_client_secret=False,
                                 client_type=Application.CLIENT_CONFIDENTIAL,
                                 authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                                 redirect_uris=REDIRECT_URI, user=user, name="Alexa")
later = timezone.now() + dt.timedelta(hours=1)
access = AccessToken.objects.bulk_create(
    AccessToken(user=user, application=app, token=f"{args['token_prefix']}-access-{i:08d}", expires=later,
                scope=SCOPES) for i in range(1, args["tokens"] + 1))
RefreshToken.objects.bulk_create(
    RefreshToken(user=user, application=app, token=refresh_token(args["token_prefix"], i + 1), access_token=token)
    for i, token in enumerate(access))
Grant.objects.bulk_create(
    Grant(user=user, application=app, code=code(args["code_prefix"], i), expires=later, redirect_uri=REDIRECT_URI,
          scope=SCOPES) for i in range(1, args["codes"] + 1))
"""
