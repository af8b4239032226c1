"""Exceptions of linkcheck.

LinkcheckError
 +-- UsageError          bad command-line input (exit status 2)
      +-- NotAProject    the folder given to ``project`` holds no Alexa skill project
"""
from __future__ import annotations


class LinkcheckError(Exception):
    """Base class of every error linkcheck raises on purpose."""


class UsageError(LinkcheckError):
    """The command line or an input file cannot be used as given."""


class NotAProject(UsageError):
    """The folder holds no ask-resources.json, ASK CLI v1 layout or skill-package/skill.json."""
