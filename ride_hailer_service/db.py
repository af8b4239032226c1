"""Engine settings: SQLite busy timeout, WAL and serialized writes; PostgreSQL schema."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: seconds a connection waits for SQLite's write lock instead of failing "database is locked"
SQLITE_BUSY_TIMEOUT = 30


def engine_options(url: str, schema: str | None) -> dict[str, Any]:
    """SQLAlchemy engine options for the database URL."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False}}
    options: dict[str, Any] = {"pool_pre_ping": True}
    if schema:
        options["connect_args"] = {"options": f"-csearch_path={schema}"}
    return options


def configure_engine(app: Flask, engine: Engine) -> None:
    """Attach per-connection settings to the engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN IMMEDIATE below is honoured.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT * 1000}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Serialize transactions: a read-then-write (code use, refresh rotation) can
        # neither interleave with another writer nor fail with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")
