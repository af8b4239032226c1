"""The migrations go up and down on a fresh database, and the token tables get their fill factor.

Migration 0004 (issue 16) leaves a fifth of every PostgreSQL page of `tokens` and
`authorization_codes` free, so the one update each row gets on the token endpoint (rotated,
used) stays on its page and touches no index: that is what lets the token endpoint keep up
with a server that does less (figure 8 in docs/bench.md). SQLite has no fill factor: the
migration changes nothing there, and going down and up must still work.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from devstack.database import fresh_database
from ride_hailer_service import create_app
from ride_hailer_service.models import db

from .conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[dict[str, Any]]:
    """A database nobody has migrated: an SQLite file, or a new PostgreSQL schema."""
    postgres = os.environ["TEST_DATABASE_URL"] if request.param == "postgresql" else None
    with fresh_database(tmp_path, "test_migrations", postgres) as config:
        yield config


def _fillfactors(schema: str) -> dict[str, str | None]:
    rows = db.session.execute(text(
        "SELECT c.relname, (SELECT option_value FROM pg_options_to_table(c.reloptions) "
        "WHERE option_name = 'fillfactor') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relname IN ('tokens', 'authorization_codes', 'users')"
    ), {"schema": schema}).all()
    return {name: value for name, value in rows}


def test_the_migrations_go_down_to_0003_and_up_again_keeping_the_tables(empty_database):
    app = create_app({**empty_database, "TESTING": True, "SECRET_KEY": "migrations"})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names(schema=empty_database.get("DATABASE_SCHEMA")))
        assert {"tokens", "authorization_codes", "clients", "users"} <= tables
        downgrade(revision="0003")
        upgrade()
        assert set(inspect(db.engine).get_table_names(schema=empty_database.get("DATABASE_SCHEMA"))) == tables
        db.engine.dispose()


@pytest.mark.parametrize("empty_database", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_postgresql_token_tables_leave_room_on_each_page_for_the_update_every_row_gets(empty_database):
    app = create_app({**empty_database, "TESTING": True, "SECRET_KEY": "migrations"})
    schema = empty_database["DATABASE_SCHEMA"]
    with app.app_context():
        upgrade()
        assert _fillfactors(schema) == {"tokens": "80", "authorization_codes": "80", "users": None}
        db.session.commit()
        downgrade(revision="0003")
        assert _fillfactors(schema) == {"tokens": None, "authorization_codes": None, "users": None}
        db.session.commit()
        db.engine.dispose()
