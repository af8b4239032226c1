"""How a request handler declares what it needs from the account link.

Handler classes and handler functions declare their need with :func:`requires_link` or
:func:`link_optional`; a handler without either needs no link (a public feature). The
declaration is a :class:`LinkRequirement` in the attribute ``link_requirement``.

Fail closed: the decorators also guard the handler itself. Its ``handle`` refuses to run
(:class:`~account_linking.errors.LinkingNotInstalled`) unless the link check of the
builder from :meth:`AccountLinking.skill_builder` ran for it in this request, so a
handler registered on a builder that knows nothing of linking never runs unchecked.
"""
from __future__ import annotations

import enum
import functools
from dataclasses import field
from typing import Any, Callable, TypeVar, cast

from ask_sdk_core.handler_input import HandlerInput

from .errors import LinkingNotInstalled
from .values import value_class

#: Attribute holding a handler's requirement (class, instance or function).
REQUIREMENT_ATTRIBUTE = "link_requirement"
#: Request attribute where the link check records the requirement it enforced.
CHECKED_ATTRIBUTE = "account_linking.checked"
#: Marks a handler function already registered by a linked builder's decorator.
REGISTERED_ATTRIBUTE = "__account_linking_registered__"
_GUARD_ATTRIBUTE = "__account_linking_guard__"

F = TypeVar("F", bound=Callable[..., Any])


class LinkMode(enum.Enum):
    """How much a handler depends on the link."""

    #: Never look the token up (public feature, events, session end).
    NONE = "none"
    #: Look the profile up when a token is present; carry on without it on any failure.
    OPTIONAL = "optional"
    #: A linked account with the listed scopes is required; failures are answered.
    REQUIRED = "required"


@value_class
class LinkRequirement:
    """What one handler needs from the account link."""

    mode: LinkMode = LinkMode.NONE
    scopes: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        """The declaration as written in code, for error messages."""
        if self.mode is LinkMode.OPTIONAL:
            return "@link_optional"
        if self.mode is LinkMode.REQUIRED:
            return "@requires_link(" + ", ".join(repr(s) for s in sorted(self.scopes)) + ")"
        return "no link requirement"


#: The requirement of a handler that declares none.
PUBLIC = LinkRequirement()


def requirement_of(handler: object) -> LinkRequirement:
    """The requirement a handler declares (PUBLIC when it declares none)."""
    requirement = getattr(handler, REQUIREMENT_ATTRIBUTE, PUBLIC)
    if not isinstance(requirement, LinkRequirement):
        raise TypeError(f"{REQUIREMENT_ATTRIBUTE} of {handler!r} is not a LinkRequirement")
    return requirement


def _name(handler: object) -> str:
    return getattr(handler, "__qualname__", None) or type(handler).__qualname__


def ensure_checked(handler_input: HandlerInput, requirement: LinkRequirement, handler: object) -> None:
    """Raise LinkingNotInstalled unless this request's link check enforced ``requirement``."""
    checked = handler_input.attributes_manager.request_attributes.get(CHECKED_ATTRIBUTE)
    if checked != requirement:
        raise LinkingNotInstalled(
            f"{_name(handler)} declares {requirement.describe()} but ran without its link "
            "check: register it on the builder from AccountLinking.skill_builder() "
            "(add_request_handler, request_handler or add_request_handlers), not on a plain "
            "SkillBuilder/CustomSkillBuilder"
        )


def _guard_method(handle: Callable[..., Any]) -> Callable[..., Any]:
    """``handle`` of a handler class, refusing to run without the instance's link check."""
    if getattr(handle, _GUARD_ATTRIBUTE, False):
        return handle

    @functools.wraps(handle)
    def guarded(self: object, handler_input: HandlerInput) -> Any:
        ensure_checked(handler_input, requirement_of(self), self)
        return handle(self, handler_input)

    setattr(guarded, _GUARD_ATTRIBUTE, True)
    return guarded


def _declare(target: F, requirement: LinkRequirement) -> F:
    if isinstance(target, type):
        handle = getattr(target, "handle", None)
        if not callable(handle):
            raise TypeError(f"{target.__qualname__} has no handle method to guard")
        setattr(target, "handle", _guard_method(handle))
        setattr(target, REQUIREMENT_ATTRIBUTE, requirement)
        return target
    if not callable(target):
        raise TypeError(f"{requirement.describe()} decorates a handler class or function, not {target!r}")
    if getattr(target, REGISTERED_ATTRIBUTE, False):
        raise TypeError(
            f"{requirement.describe()} is above @request_handler on {_name(target)}: the "
            "handler was registered before it declared its need. Put it below "
            "(@sb.request_handler(...) first, then the link decorator)"
        )
    handle_func = target

    @functools.wraps(handle_func)
    def guarded(handler_input: HandlerInput) -> Any:
        ensure_checked(handler_input, requirement, handle_func)
        return handle_func(handler_input)

    setattr(guarded, REQUIREMENT_ATTRIBUTE, requirement)
    setattr(guarded, _GUARD_ATTRIBUTE, True)
    return cast(F, guarded)


def requires_link(*scopes: str) -> Callable[[F], F]:
    """Decorator of a handler class or function: it needs a linked account granted ``scopes``.

    Unlinked users, rejected tokens and missing scopes are answered by the library
    (LinkAccount card); ``handle`` runs only with a verified profile (``profile_of``).
    """
    for scope in scopes:
        if callable(scope):
            raise TypeError("write @requires_link() with parentheses (and the scopes inside)")
        if not isinstance(scope, str) or not scope.strip() or scope != scope.strip():
            raise ValueError(f"requires_link: scope {scope!r} is not a scope name")
    requirement = LinkRequirement(LinkMode.REQUIRED, frozenset(scopes))

    def decorate(target: F) -> F:
        return _declare(target, requirement)

    return decorate


def link_optional(target: F) -> F:
    """Decorator of a handler class or function: it uses the profile when the user is linked.

    ``profile_of`` is the verified profile, or None (unlinked, or the lookup failed).
    """
    return _declare(target, LinkRequirement(LinkMode.OPTIONAL))
