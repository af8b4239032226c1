"""Errors of the development stack.

    DevStackError
    ├── ServerStartError   a server did not come up (its log file is named)
    └── StateError         the `make run` state folder cannot be used
"""
from __future__ import annotations


class DevStackError(Exception):
    """Base of everything the development stack raises."""


class ServerStartError(DevStackError):
    """A server process exited or did not answer in time."""


class StateError(DevStackError):
    """The saved state of `make run` is unusable."""
