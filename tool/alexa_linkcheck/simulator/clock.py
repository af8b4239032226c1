"""A clock the simulator can move forward, so token expiry shows without waiting."""
from __future__ import annotations

import datetime as dt
import time
from typing import Callable


class SimulatorClock:
    """Wall-clock time plus an offset that `advance` moves forward."""

    def __init__(self, now: Callable[[], dt.datetime] | None = None) -> None:
        self._wall = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        """The simulated time (timezone-aware UTC)."""
        return self._wall() + self._offset

    def wall(self) -> dt.datetime:
        """The real time, ignoring `advance`."""
        return self._wall()

    def monotonic(self) -> float:
        """`time.monotonic()` plus the offset: a clock for the skill's own caches in in-process tests.

        The account-linking library's `ProfileCache(ttl, clock=...)` takes it, so `advance`
        also expires cached profiles (the CLI cannot reach a cache the skill builds at import).
        """
        return time.monotonic() + self._offset.total_seconds()

    def advance(self, seconds: float) -> None:
        """Move the simulated time forward by `seconds`."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += dt.timedelta(seconds=seconds)

    @property
    def offset_seconds(self) -> float:
        """How far the simulated time runs ahead of the real time."""
        return self._offset.total_seconds()


def iso_timestamp(moment: dt.datetime) -> str:
    """ISO 8601 UTC with a trailing Z, second precision, as Alexa writes it."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
