"""How a request handler declares what it needs from the account link.

Handlers carry a :class:`LinkRequirement` in the class attribute ``link_requirement``,
set directly or with the :func:`requires_link` / :func:`link_optional` class
decorators. A handler without one needs no link (a public feature).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, TypeVar

#: Class attribute holding a handler's requirement.
REQUIREMENT_ATTRIBUTE = "link_requirement"

H = TypeVar("H", bound=type)


class LinkMode(enum.Enum):
    """How much a handler depends on the link."""

    #: Never look the token up (public feature, events, session end).
    NONE = "none"
    #: Look the profile up when a token is present; carry on without it on any failure.
    OPTIONAL = "optional"
    #: A linked account with the listed scopes is required; failures are answered.
    REQUIRED = "required"


@dataclass(frozen=True)
class LinkRequirement:
    """What one handler needs from the account link."""

    mode: LinkMode = LinkMode.NONE
    scopes: frozenset[str] = field(default_factory=frozenset)


#: The requirement of a handler that declares none.
PUBLIC = LinkRequirement()


def requires_link(*scopes: str) -> Callable[[H], H]:
    """Class decorator: the handler needs a linked account granted ``scopes``."""

    def decorate(cls: H) -> H:
        setattr(cls, REQUIREMENT_ATTRIBUTE, LinkRequirement(LinkMode.REQUIRED, frozenset(scopes)))
        return cls

    return decorate


def link_optional(cls: H) -> H:
    """Class decorator: the handler uses the profile when the user is linked."""
    setattr(cls, REQUIREMENT_ATTRIBUTE, LinkRequirement(LinkMode.OPTIONAL))
    return cls


def requirement_of(handler: object) -> LinkRequirement:
    """The requirement a handler declares (PUBLIC when it declares none)."""
    requirement = getattr(handler, REQUIREMENT_ATTRIBUTE, PUBLIC)
    if not isinstance(requirement, LinkRequirement):
        raise TypeError(f"{REQUIREMENT_ATTRIBUTE} of {handler!r} is not a LinkRequirement")
    return requirement
