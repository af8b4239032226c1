"""Exceptions raised when a request's account link cannot be used.

Tree::

    LinkingError
     +-- AccountNotLinked      no access token in the request
     +-- LinkRejected          the resource server rejected the token (expired, revoked)
     +-- MissingScope          the token lacks a scope the feature needs
     +-- ResourceUnavailable   the resource server is down, slow, failing or malformed

The first three send the user to the Alexa app (LinkAccount card); the last one is an
apology only: a server hiccup must never make a user relink.

Apart from the tree, :class:`LinkingNotInstalled` (a RuntimeError) reports a wiring
mistake: a handler that declares a link need was registered where no check runs.
"""
from __future__ import annotations


class LinkingError(Exception):
    """Base of every account-linking failure."""


class AccountNotLinked(LinkingError):
    """The request carries no access token: the user has not linked an account."""


class LinkRejected(LinkingError):
    """The resource server rejected the access token (expired, revoked or unknown)."""


class MissingScope(LinkingError):
    """The access token was not granted a scope the feature needs."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"missing scope {scope!r}")
        self.scope = scope


class ResourceUnavailable(LinkingError):
    """The resource server could not give a usable answer (down, slow, 5xx, malformed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LinkingNotInstalled(RuntimeError):
    """A handler that declares a link need ran without its check (wrong builder).

    A programming error, not a linking outcome: the user hears the skill's generic
    apology and the handler does not run. The message says how to register it.
    """
