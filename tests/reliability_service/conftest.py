"""Fixtures of the service reliability suites: a migrated database per backend, a gunicorn server."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .relsvc_harness import BACKENDS, Database, Seeded, ServiceProcess, make_database, seed

#: Figures printed in pytest's terminal summary (visible with and without -s).
FIGURES: list[str] = []


@pytest.fixture
def figures() -> list[str]:
    """Append lines here; they are printed at the end of the run."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("service reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database (SQLite file; PostgreSQL schema when TEST_DATABASE_URL is set)."""
    made = make_database(request.param, tmp_path)
    yield made
    made.drop()


@pytest.fixture
def seeded(database: Database) -> Seeded:
    """The user and the two Alexa clients."""
    return seed(database)


@pytest.fixture
def service(database: Database, seeded: Seeded, tmp_path: Path) -> Iterator[ServiceProcess]:
    """gunicorn (2 workers x 4 threads) on the database; its log must show no traceback."""
    server = ServiceProcess(database, tmp_path / "gunicorn.log").start()
    try:
        yield server
    finally:
        server.stop()
    log = server.log()
    assert "Traceback" not in log and "database is locked" not in log, log[-4000:]
