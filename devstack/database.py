"""The service's database for the stack: migrations, a demo user and the Alexa client."""
from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from ride_hailer_service import create_app
from ride_hailer_service.admin import create_alexa_client, create_user

from .errors import DevStackError
from .stack import clean_environ

#: The demo rider and the skill's registration (local only; the secrets are made per stack).
DEMO_EMAIL = "rider@example.com"
DEMO_NAME = "Dana"
DEMO_VENDOR_ID = "M0DEMOVENDOR"
DEMO_CLIENT_ID = "alexa-skill"
DEMO_SCHEME = "HTTP_BASIC"
DEMO_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000dem0"


@dataclasses.dataclass(frozen=True)
class DemoAccounts:
    """What the simulator needs to link: the user's credentials and the client's."""

    email: str
    password: str
    client_id: str
    client_secret: str
    vendor_id: str
    scheme: str


@contextlib.contextmanager
def postgres_schema(url: str, prefix: str) -> Iterator[str]:
    """A new PostgreSQL schema named ``<prefix>_<random>``, dropped with all it holds afterwards.

    Tests and runs that share one PostgreSQL database each get their own schema (the service
    reads it from ``DATABASE_SCHEMA``).
    """
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextlib.contextmanager
def fresh_database(folder: Path, prefix: str, postgres_url: str | None = None) -> Iterator[dict[str, str]]:
    """The service's settings for a database nobody has used yet.

    An SQLite file ``<prefix>.sqlite`` in ``folder``, or, given ``postgres_url``, a new schema
    there (:func:`postgres_schema`, dropped afterwards). Yields ``DATABASE_URL`` (and
    ``DATABASE_SCHEMA``).
    """
    if postgres_url is None:
        yield {"DATABASE_URL": f"sqlite:///{folder / (prefix + '.sqlite')}"}
        return
    with postgres_schema(postgres_url, prefix) as schema:
        yield {"DATABASE_URL": postgres_url, "DATABASE_SCHEMA": schema}


def migrate(database_url: str, secret_key: str, log_path: Path) -> None:
    """Run `flask --app ride_hailer_service init-db` (Alembic migrations), output to ``log_path``."""
    environ = {**clean_environ(), "RIDE_HAILER_DATABASE_URL": database_url, "RIDE_HAILER_SECRET_KEY": secret_key,
               # The service refuses to start without its issuer; the CLI serves no URL.
               "RIDE_HAILER_ISSUER": "http://127.0.0.1"}
    with open(log_path, "ab") as log:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "ride_hailer_service", "init-db"],
                                env=environ, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                check=False)
    if result.returncode != 0:
        raise DevStackError(f"flask init-db failed with status {result.returncode}; log: {log_path}")


def initialise_database(database_url: str, secret_key: str, password: str, log_path: Path, *,
                        scheme: str = DEMO_SCHEME) -> DemoAccounts:
    """Migrate the database, then create the demo user and the Alexa client (admin helpers)."""
    migrate(database_url, secret_key, log_path)
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key, "ISSUER": "http://127.0.0.1"})
    with app.app_context():
        create_user(DEMO_EMAIL, password, DEMO_NAME)
        client, secret = create_alexa_client(DEMO_VENDOR_ID, scheme, client_id=DEMO_CLIENT_ID)
    return DemoAccounts(DEMO_EMAIL, password, client.client_id, secret, DEMO_VENDOR_ID, scheme)
