"""Engine settings: SQLite busy timeout, WAL and serialized writes; PostgreSQL schema."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from typing import Any

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: seconds a connection waits for SQLite's write lock instead of failing "database is locked"
SQLITE_BUSY_TIMEOUT = 30
#: suffix of the lock file beside an SQLite database (like SQLite's own "-wal" and "-shm")
SQLITE_WRITE_LOCK_SUFFIX = "-writelock"


class QueuedWriteConnection(sqlite3.Connection):
    """An SQLite connection whose transactions queue on an flock beside the database file.

    SQLite's busy handler makes a waiting writer sleep-poll (1 ms up to 100 ms per try), so
    with several processes the wait for the write lock grows a long tail. Taking an
    exclusive ``flock`` before ``BEGIN IMMEDIATE`` makes waiters block in the kernel and
    wake as soon as the holder commits or rolls back. The busy timeout stays as a fallback
    for processes that do not take the lock (the sqlite3 shell, other tools).
    """

    #: lock files this thread holds, by path: a second connection of the same thread
    #: must not wait for its own lock (it falls back to SQLite's busy handler)
    _held = threading.local()

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fspath(database) if isinstance(database, (str, bytes, os.PathLike)) else ""
        name = name.decode() if isinstance(name, bytes) else name
        self._lock_path = (
            None if name in ("", ":memory:") or name.startswith("file:") else name + SQLITE_WRITE_LOCK_SUFFIX
        )
        self._lock_fd: int | None = None
        self._locked = False

    def lock_for_write(self) -> None:
        """Wait (in the kernel, no polling) for this database's write lock."""
        if self._lock_path is None or self._locked:
            return
        held: set[str] = self._held.__dict__.setdefault("paths", set())
        if self._lock_path in held:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._locked = True
        held.add(self._lock_path)

    def _unlock(self) -> None:
        if self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._locked = False
            self._held.__dict__.setdefault("paths", set()).discard(self._lock_path)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._unlock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._unlock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._unlock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


#: flask.g flag: this request's current transaction only reads, so on SQLite it starts with a
#: plain BEGIN and takes no write lock (the token endpoint, until it is about to write).
READ_PHASE = "_ride_hailer_read_phase"


def start_read_phase() -> None:
    """Let this request's next transaction read without the write lock (SQLite: plain BEGIN).

    Only for code that reads first and then calls :func:`end_read_phase` before its first
    write or its first read-to-write (the token endpoint authenticates the client that way).
    """
    setattr(g, READ_PHASE, True)


def end_read_phase(session: Any) -> None:
    """End the read-only transaction: the next statement opens a serialized write transaction.

    Objects read so far stay loaded (they are not expired): the caller re-reads under the
    write lock whatever its decision depends on (the token row, its family).
    """
    if not has_app_context() or not g.pop(READ_PHASE, False):
        return
    real = session() if callable(session) else session  # Flask-SQLAlchemy's scoped_session
    if real.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL reads without any lock: one transaction, no extra commit
    commit_keeping_objects(real)


def commit_keeping_objects(session: Any) -> None:
    """Commit now (on SQLite the write lock ends here); loaded objects stay usable.

    Nothing loaded is expired, so code that runs after the commit (building the answer,
    an id_token) reads attributes without opening a new transaction.
    """
    real = session() if callable(session) else session
    if not real.in_transaction():
        return
    expire = real.expire_on_commit
    real.expire_on_commit = False
    try:
        real.commit()
    finally:
        real.expire_on_commit = expire


def engine_options(url: str, schema: str | None) -> dict[str, Any]:
    """SQLAlchemy engine options for the database URL."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False,
                                 "factory": QueuedWriteConnection}}
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
        # Writers queue on the lock file first, so BEGIN IMMEDIATE rarely has to poll.
        if has_app_context() and g.get(READ_PHASE, False):
            connection.exec_driver_sql("BEGIN")  # a WAL read snapshot: no lock, no waiting
            return
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, QueuedWriteConnection):
            dbapi_connection.lock_for_write()
        connection.exec_driver_sql("BEGIN IMMEDIATE")
