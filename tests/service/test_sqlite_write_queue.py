"""SQLite: transactions queue on a lock file beside the database instead of sleep-polling."""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from ride_hailer_service import create_app
from ride_hailer_service.db import SQLITE_WRITE_LOCK_SUFFIX
from ride_hailer_service.models import db


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Flask:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}", "TESTING": True,
                      "SECRET_KEY": "test-secret"})
    with app.app_context():
        upgrade()
    return app


def _write_in_thread(app: Flask, outcome: dict[str, Any]) -> threading.Thread:
    def write() -> None:
        try:
            with app.app_context():
                db.session.execute(text("CREATE TABLE IF NOT EXISTS queue_probe (n INTEGER)"))
                db.session.execute(text("INSERT INTO queue_probe VALUES (1)"))
                db.session.commit()
            outcome["done"] = True
        except Exception as exc:  # reported to the test
            outcome["error"] = exc

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_sqlite_write_waits_for_the_lock_file_and_proceeds_when_it_is_released(sqlite_app: Flask, tmp_path: Path) -> None:
    lock_path = tmp_path / ("queue.sqlite" + SQLITE_WRITE_LOCK_SUFFIX)
    assert lock_path.exists()  # created by the migration's transactions
    holder = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # as another worker process in its transaction would
        outcome: dict[str, Any] = {}
        thread = _write_in_thread(sqlite_app, outcome)
        thread.join(timeout=1.0)
        assert thread.is_alive() and outcome == {}  # queued behind the holder, not polling past it
        fcntl.flock(holder, fcntl.LOCK_UN)
        thread.join(timeout=30)
        assert outcome == {"done": True}
    finally:
        os.close(holder)


def test_sqlite_write_lock_is_released_after_commit_and_after_rollback(sqlite_app: Flask, tmp_path: Path) -> None:
    lock_path = tmp_path / ("queue.sqlite" + SQLITE_WRITE_LOCK_SUFFIX)
    with sqlite_app.app_context():
        db.session.execute(text("CREATE TABLE probe (n INTEGER PRIMARY KEY)"))
        db.session.commit()
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        with pytest.raises(Exception):
            db.session.execute(text("INSERT INTO probe VALUES (1)"))  # duplicate key
        db.session.rollback()
        # the session keeps its pooled connection: another process could take the lock now
        probe = os.open(lock_path, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if still held
            fcntl.flock(probe, fcntl.LOCK_UN)
        finally:
            os.close(probe)
        assert db.session.execute(text("SELECT count(*) FROM probe")).scalar() == 0
        db.session.rollback()
