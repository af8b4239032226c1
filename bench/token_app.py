"""The service as gunicorn serves it in figure 5, with the SQLite write-queue switchable.

`queued()` is the service as shipped. `polling()` is the same service with SQLite's plain
busy handler only (no lock file before BEGIN IMMEDIATE), i.e. its behaviour before the
write queue, kept so the benchmark measures before and after side by side in one run.
"""
from __future__ import annotations

from typing import Any


def queued() -> Any:
    """The service unchanged."""
    from ride_hailer_service import create_app

    return create_app()


def polling() -> Any:
    """The service with plain SQLite connections (writers sleep-poll in the busy handler)."""
    import importlib

    import ride_hailer_service

    db_module = importlib.import_module("ride_hailer_service.db")  # the package's `db` is the SQLAlchemy object

    def engine_options(url: str, schema: str | None) -> dict[str, Any]:
        options = db_module.engine_options(url, schema)
        args = {key: value for key, value in options.get("connect_args", {}).items() if key != "factory"}
        return {**options, "connect_args": args}

    ride_hailer_service.engine_options = engine_options  # type: ignore[attr-defined]
    return ride_hailer_service.create_app()
