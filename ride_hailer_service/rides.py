"""Where a ride is now: believable states on the service's clock.

A ride is stored once, when it is ordered (``requested``, or ``cancelled`` later); its
progress is computed from ``created_at`` and the clock, so it moves on without a worker:

    requested        the first REQUESTED_SECONDS: looking for a driver
    driver_assigned  a driver is on the way; ``eta_minutes`` counts down to the pickup
    arriving         the last ARRIVING_SECONDS before the pickup
    picked_up        on the way to the destination; ``eta_minutes`` counts down to arrival
    completed        arrived: the ride is no longer current
    cancelled        stored when the rider cancels (possible until the pickup)
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

#: Seconds the service looks for a driver before one is assigned.
REQUESTED_SECONDS = 20
#: Seconds before the pickup when the driver counts as arriving.
ARRIVING_SECONDS = 120

REQUESTED = "requested"
DRIVER_ASSIGNED = "driver_assigned"
ARRIVING = "arriving"
PICKED_UP = "picked_up"
COMPLETED = "completed"
CANCELLED = "cancelled"

#: States in which the ride is current (GET /rides/current answers with it).
CURRENT_STATES = (REQUESTED, DRIVER_ASSIGNED, ARRIVING, PICKED_UP)
#: States in which the rider may still cancel.
CANCELLABLE_STATES = (REQUESTED, DRIVER_ASSIGNED, ARRIVING)


@dataclass(frozen=True)
class Progress:
    """A ride's state at one moment and the minutes until its next milestone."""

    status: str
    #: minutes until the pickup (before it) or until arrival (while picked up); 0 when done
    eta_minutes: int


def trip_minutes(fare_cents: int) -> int:
    """How long the drive itself takes, from the fare (a longer trip costs more)."""
    return 8 + fare_cents // 400


def progress(stored_status: str, created_at: dt.datetime, pickup_minutes: int, fare_cents: int,
             now: dt.datetime) -> Progress:
    """The ride's state at ``now`` (naive UTC, like ``created_at``)."""
    if stored_status == CANCELLED:
        return Progress(CANCELLED, 0)
    elapsed = max(0.0, (now - created_at).total_seconds())
    pickup_at = max(pickup_minutes * 60, REQUESTED_SECONDS + 1)
    arrive_at = pickup_at + trip_minutes(fare_cents) * 60
    if elapsed >= arrive_at:
        return Progress(COMPLETED, 0)
    if elapsed >= pickup_at:
        return Progress(PICKED_UP, math.ceil((arrive_at - elapsed) / 60))
    to_pickup = math.ceil((pickup_at - elapsed) / 60)
    if elapsed < REQUESTED_SECONDS:
        return Progress(REQUESTED, to_pickup)
    if pickup_at - elapsed <= ARRIVING_SECONDS:
        return Progress(ARRIVING, to_pickup)
    return Progress(DRIVER_ASSIGNED, to_pickup)
