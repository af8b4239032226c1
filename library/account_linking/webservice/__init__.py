"""Host a skill as a web service: Alexa request verification and a Flask app (the ``webservice`` extra).

Needs Flask and ``cryptography`` (``pip install 'alexa-account-linking[webservice]'``); nothing
that ships to Lambda imports this package. The verification classes need only
``cryptography``; Flask is imported when :func:`create_app` is first used.
"""
from __future__ import annotations

from typing import Any

from .verification import *  # noqa: F401,F403  (the verification API, re-exported)
from .verification import __all__ as _verification_all

__all__ = ["create_app", *_verification_all]


def __getattr__(name: str) -> Any:
    """``create_app`` comes from the Flask host, imported on first use."""
    if name == "create_app":
        from . import host

        return getattr(host, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
