"""Account linking for any ASK SDK skill (no knowledge of a particular service).

Usage::

    from account_linking import AccountLinking, requires_link, profile_of

    linking = AccountLinking(client, cache_ttl=300, time_budget=3.0)
    sb = linking.skill_builder()

    @requires_link("profile")
    class WhoAmIIntentHandler(AbstractRequestHandler):
        ...   # handle(): profile_of(handler_input) is the verified profile

    sb.add_request_handler(WhoAmIIntentHandler())
    lambda_handler = sb.lambda_handler()

The names below are the public API. Everything else lives in its module
(``account_linking.clients``, ``.errors``, ``.messages``, ``.deadline``, ``.http``,
``.transport``, ...) and is imported from there; the names this package exported before
0.3 still resolve here for old code, but are not part of ``__all__``.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: The public names, each with the module that keeps it. They load on first use (PEP 562), so
#: a skill's cold start pays only for the parts it uses (a skill on a profile endpoint never
#: imports the introspection, OpenID Connect or skill-event code).
_PUBLIC = {
    "AccountLinking": "linking",
    "IntrospectionClient": "introspection",
    "LinkingError": "errors",
    "LinkingMessages": "messages",
    "LwaProfileClient": "clients",
    "OidcUserinfoClient": "oidc",
    "Profile": "profile",
    "ProfileEndpointClient": "clients",
    "ResourceServerClient": "clients",
    "SkillEvent": "events",
    "call_resource_server": "http",
    "deadline_of": "deadline",
    "link_optional": "requirements",
    "profile_of": "interceptor",
    "requires_link": "requirements",
}

if TYPE_CHECKING:  # the public names, for type checkers and IDEs
    from .clients import LwaProfileClient as LwaProfileClient
    from .clients import ProfileEndpointClient as ProfileEndpointClient
    from .clients import ResourceServerClient as ResourceServerClient
    from .deadline import deadline_of as deadline_of
    from .errors import LinkingError as LinkingError
    from .events import SkillEvent as SkillEvent
    from .http import call_resource_server as call_resource_server
    from .interceptor import profile_of as profile_of
    from .introspection import IntrospectionClient as IntrospectionClient
    from .linking import AccountLinking as AccountLinking
    from .messages import LinkingMessages as LinkingMessages
    from .oidc import OidcUserinfoClient as OidcUserinfoClient
    from .profile import Profile as Profile
    from .requirements import link_optional as link_optional
    from .requirements import requires_link as requires_link

__all__ = [
    "AccountLinking",
    "IntrospectionClient",
    "LinkingError",
    "LinkingMessages",
    "LwaProfileClient",
    "OidcUserinfoClient",
    "Profile",
    "ProfileEndpointClient",
    "ResourceServerClient",
    "SkillEvent",
    "call_resource_server",
    "deadline_of",
    "link_optional",
    "profile_of",
    "requires_link",
]

#: Names exported here before 0.3, and the module that keeps each (not in ``__all__``).
_MOVED = {
    "AccountNotLinked": "errors",
    "DEADLINE_ATTRIBUTE": "deadline",
    "DEFAULT_APOLOGIES": "messages",
    "DEFAULT_LWA_PROFILE_URL": "clients",
    "DEFAULT_MESSAGES": "messages",
    "DEFAULT_SCOPE_LABELS": "messages",
    "Deadline": "deadline",
    "DeadlineAdapter": "transport",
    "DeadlineInterceptor": "deadline",
    "LinkMode": "requirements",
    "LinkRejected": "errors",
    "LinkRequirement": "requirements",
    "LinkingExceptionHandler": "exception_handler",
    "LinkingInterceptor": "interceptor",
    "MissingScope": "errors",
    "PROFILE_ATTRIBUTE": "interceptor",
    "ProfileCache": "cache",
    "ProfileResolver": "resolver",
    "ResourceUnavailable": "errors",
    "SafeSkillBuilder": "safety",
    "access_token": "tokens",
    "add_linked_handler": "linking",
    "apology_envelope": "safety",
    "call_timeout": "deadline",
    "for_locale": "locales",
    "mount_deadline_adapter": "transport",
    "raise_for_token_status": "http",
    "request_locale": "locales",
    "requirement_of": "requirements",
    "token_digest": "cache",
}

if TYPE_CHECKING:  # the names of _MOVED, typed for old code (mypy sees them as exported)
    from .cache import ProfileCache as ProfileCache
    from .cache import token_digest as token_digest
    from .clients import DEFAULT_LWA_PROFILE_URL as DEFAULT_LWA_PROFILE_URL
    from .deadline import DEADLINE_ATTRIBUTE as DEADLINE_ATTRIBUTE
    from .deadline import Deadline as Deadline
    from .deadline import DeadlineInterceptor as DeadlineInterceptor
    from .deadline import call_timeout as call_timeout
    from .errors import AccountNotLinked as AccountNotLinked
    from .errors import LinkRejected as LinkRejected
    from .errors import MissingScope as MissingScope
    from .errors import ResourceUnavailable as ResourceUnavailable
    from .exception_handler import LinkingExceptionHandler as LinkingExceptionHandler
    from .http import raise_for_token_status as raise_for_token_status
    from .linking import add_linked_handler as add_linked_handler
    from .interceptor import LinkingInterceptor as LinkingInterceptor
    from .interceptor import PROFILE_ATTRIBUTE as PROFILE_ATTRIBUTE
    from .locales import for_locale as for_locale
    from .locales import request_locale as request_locale
    from .messages import DEFAULT_APOLOGIES as DEFAULT_APOLOGIES
    from .messages import DEFAULT_MESSAGES as DEFAULT_MESSAGES
    from .messages import DEFAULT_SCOPE_LABELS as DEFAULT_SCOPE_LABELS
    from .requirements import LinkMode as LinkMode
    from .requirements import LinkRequirement as LinkRequirement
    from .requirements import requirement_of as requirement_of
    from .resolver import ProfileResolver as ProfileResolver
    from .safety import SafeSkillBuilder as SafeSkillBuilder
    from .safety import apology_envelope as apology_envelope
    from .tokens import access_token as access_token
    from .transport import DeadlineAdapter as DeadlineAdapter
    from .transport import mount_deadline_adapter as mount_deadline_adapter


def __getattr__(name: str) -> Any:
    """Load a public name (or one exported before 0.3) from the module that keeps it."""
    module = _PUBLIC.get(name) or _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if name in _PUBLIC:
        globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
