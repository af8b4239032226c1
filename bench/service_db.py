"""Databases for the service figures: migrated, seeded, bulk-loaded, cleaned up.

SQLite files in a temporary folder; PostgreSQL in a unique schema of BENCH_DATABASE_URL
(or TEST_DATABASE_URL), dropped afterwards. Tokens and codes are loaded straight into their
tables with precomputed SHA-256 digests (executemany on SQLite, COPY on PostgreSQL).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

#: Vendor id of the benchmark's Alexa client.
VENDOR_ID = "M2BENCHVENDOR"
REDIRECT_URI = f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"
SCOPES = "profile rides:read rides:write"
SECRET_KEY = "bench-secret-key-not-for-production"
#: RFC 8414 issuer of the benchmark service (http is accepted for loopback hosts)
ISSUER = "http://127.0.0.1"
TOKEN_COLUMNS = (
    "id", "client_id", "user_id", "scope", "access_token_digest", "refresh_token_digest",
    "issued_at", "expires_in", "refresh_expires_at", "family_id",
)
CODE_COLUMNS = ("id", "code_digest", "client_id", "user_id", "redirect_uri", "scope", "created_at", "expires_at")


def postgres_url() -> Optional[str]:
    """The PostgreSQL URL to benchmark on, if any."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


def digest(value: str) -> str:
    """Hex SHA-256, as the service stores secrets."""
    return hashlib.sha256(value.encode()).hexdigest()


def refresh_token(prefix: str, index: int) -> str:
    """The plaintext refresh token of bulk row ``index``."""
    return f"{prefix}-refresh-{index:08d}"


def code(prefix: str, index: int) -> str:
    """The plaintext authorization code of bulk row ``index``."""
    return f"{prefix}-code-{index:08d}"


@dataclass
class Database:
    """A migrated service database with one user and one Alexa client (HTTP_BASIC)."""

    backend: str
    url: str
    schema: Optional[str] = None
    client_id: str = "alexa-bench"
    client_secret: str = ""
    user_id: int = 0
    next_id: dict[str, int] = field(default_factory=lambda: {"tokens": 1_000_000_000, "codes": 1_000_000_000})

    @property
    def config(self) -> dict[str, Any]:
        """create_app settings for this database."""
        # ISSUER: required outside testing; only metadata and published URLs use it.
        config: dict[str, Any] = {"DATABASE_URL": self.url, "SECRET_KEY": SECRET_KEY, "ISSUER": ISSUER}
        if self.schema:
            config["DATABASE_SCHEMA"] = self.schema
        return config

    @property
    def environ(self) -> dict[str, str]:
        """The same settings as RIDE_HAILER_* environment variables (for gunicorn)."""
        return {f"RIDE_HAILER_{key}": str(value) for key, value in self.config.items()}

    @property
    def basic_auth(self) -> str:
        """The Authorization header of the client (Alexa's HTTP_BASIC scheme)."""
        raw = f"{self.client_id}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def app(self, **extra: Any) -> Any:
        """The service on this database."""
        from ride_hailer_service import create_app

        return create_app({**self.config, **extra})

    def seed(self, password: str = "bench password 123") -> None:
        """Migrate, create the user and the client."""
        from flask_migrate import upgrade
        from ride_hailer_service.admin import create_alexa_client, create_user
        from ride_hailer_service.models import db

        app = self.app()
        with app.app_context():
            upgrade()
            self.user_id = create_user("rider@bench.example", password, "Bench Rider").id
            client, self.client_secret = create_alexa_client(VENDOR_ID, "HTTP_BASIC", client_id=self.client_id)
            db.engine.dispose()

    def load_tokens(self, prefix: str, count: int, start: int = 1) -> None:
        """Insert ``count`` live tokens (rows start..start+count-1), each its own family."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        later = now + dt.timedelta(days=300)
        rows = (
            (i, self.client_id, self.user_id, SCOPES, digest(f"{prefix}-access-{i:08d}"),
             digest(refresh_token(prefix, i)), now, 3600, later, i)
            for i in range(start, start + count)
        )
        self._bulk("tokens", TOKEN_COLUMNS, rows)

    def load_codes(self, prefix: str, count: int, start: int = 1) -> None:
        """Insert ``count`` unused authorization codes valid for an hour."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        later = now + dt.timedelta(hours=1)
        rows = (
            (i, digest(code(prefix, i)), self.client_id, self.user_id, REDIRECT_URI, SCOPES, now, later)
            for i in range(start, start + count)
        )
        self._bulk("authorization_codes", CODE_COLUMNS, rows)

    def _bulk(self, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
        if self.backend == "sqlite":
            import sqlite3

            path = self.url.removeprefix("sqlite:///")
            connection = sqlite3.connect(path)
            # Only for this loading connection: no fsync, a big page cache (random digests
            # land all over both unique indexes).
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA cache_size = -262144")
            try:
                fmt = "%Y-%m-%d %H:%M:%S.%f"
                text_rows = (tuple(v.strftime(fmt) if isinstance(v, dt.datetime) else v for v in row) for row in rows)
                with connection:
                    connection.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        text_rows,
                    )
            finally:
                connection.close()
        else:
            import psycopg

            with psycopg.connect(self.url) as connection:
                with connection.cursor() as cursor:
                    with cursor.copy(f'COPY "{self.schema}".{table} ({", ".join(columns)}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                    # COPY with explicit ids does not move the id sequence: move it past them.
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{self.schema}\".{table}', 'id'), "
                        f'(SELECT max(id) FROM "{self.schema}".{table}))'
                    )
                    cursor.execute(f'ANALYZE "{self.schema}".{table}')
                connection.commit()

    def drop(self) -> None:
        """Remove the PostgreSQL schema (SQLite files go with their temporary folder)."""
        if self.backend == "postgresql" and self.schema:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def sqlite_database(folder: str, name: str) -> Database:
    """A seeded SQLite database file in ``folder``."""
    database = Database("sqlite", f"sqlite:///{os.path.join(folder, name)}.sqlite")
    database.seed()
    return database


def postgres_database(url: str) -> Database:
    """A seeded PostgreSQL database in a fresh schema."""
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    database = Database("postgresql", url, schema)
    try:
        database.seed()
    except BaseException:
        database.drop()
        raise
    return database
