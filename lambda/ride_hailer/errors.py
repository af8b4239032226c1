"""Ride Hailer failures that are not about the account link.

Tree::

    RideHailerError
     +-- RideRequestRejected   the API refused the request as invalid (400)
     +-- RideInProgress        the ride is under way: it can no longer be cancelled (409)

Link failures (401, 403, 5xx, timeouts) raise :mod:`account_linking.errors` exceptions.
"""
from __future__ import annotations


class RideHailerError(Exception):
    """Base of the Ride Hailer skill's own failures."""


class RideRequestRejected(RideHailerError):
    """The Ride Hailer API refused the request as invalid (HTTP 400)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class RideInProgress(RideHailerError):
    """The rider was picked up: the API refused to cancel the ride (HTTP 409 ride_in_progress)."""
