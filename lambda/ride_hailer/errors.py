"""Ride Hailer failures that are not about the account link.

Tree::

    RideHailerError
     +-- RideRequestRejected   the API refused the request as invalid (400)

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
