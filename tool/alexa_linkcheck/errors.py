"""Exceptions of linkcheck.

LinkcheckError
 +-- UsageError      bad command-line input (exit status 2)
"""
from __future__ import annotations


class LinkcheckError(Exception):
    """Base class of every error linkcheck raises on purpose."""


class UsageError(LinkcheckError):
    """The command line or an input file cannot be used as given."""
