"""Account-linking checks for any ASK SDK skill (no knowledge of a particular service).

Usage::

    skill_builder.add_global_request_interceptor(DeadlineInterceptor(budget))  # first
    resolver = ProfileResolver(RideHailerProfileClient(session, url, timeout),
                               ProfileCache(ttl=300))
    add_linked_handler(skill_builder, MyIntentHandler(), resolver)   # per handler
    skill_builder.add_exception_handler(LinkingExceptionHandler(resolver))

Handlers declare needs with :func:`requires_link` / :func:`link_optional`; the verified
profile is then in ``request_attributes[PROFILE_ATTRIBUTE]`` (see :func:`profile_of`).
The skill's own API calls take ``call_timeout(timeout, deadline_of(handler_input))``
as their ``send`` timeout, so all resource calls of one request share ``budget``.
"""
from __future__ import annotations

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_runtime.dispatch_components.request_components import (
    GenericRequestHandlerChain,
)

from .cache import ProfileCache, token_digest
from .clients import (
    DEFAULT_LWA_PROFILE_URL,
    LwaProfileClient,
    ProfileEndpointClient,
    ResourceServerClient,
    RideHailerProfileClient,
)
from .deadline import (
    DEADLINE_ATTRIBUTE,
    Deadline,
    DeadlineInterceptor,
    call_timeout,
    deadline_of,
)
from .errors import (
    AccountNotLinked,
    LinkingError,
    LinkRejected,
    MissingScope,
    ResourceUnavailable,
)
from .exception_handler import LinkingExceptionHandler
from .http import raise_for_token_status
from .introspection import IntrospectionClient
from .interceptor import PROFILE_ATTRIBUTE, LinkingInterceptor, profile_of
from .locales import for_locale, request_locale
from .messages import DEFAULT_APOLOGIES, DEFAULT_MESSAGES, DEFAULT_SCOPE_LABELS, LinkingMessages
from .oidc import OidcUserinfoClient
from .profile import Profile
from .requirements import (
    LinkMode,
    LinkRequirement,
    link_optional,
    requirement_of,
    requires_link,
)
from .resolver import ProfileResolver
from .safety import SafeSkillBuilder, apology_envelope
from .tokens import access_token
from .transport import DeadlineAdapter, mount_deadline_adapter

__all__ = [
    "AccountNotLinked",
    "DEADLINE_ATTRIBUTE",
    "DEFAULT_LWA_PROFILE_URL",
    "Deadline",
    "DeadlineAdapter",
    "DeadlineInterceptor",
    "DEFAULT_APOLOGIES",
    "DEFAULT_MESSAGES",
    "DEFAULT_SCOPE_LABELS",
    "LinkMode",
    "LinkRejected",
    "LinkRequirement",
    "LinkingError",
    "LinkingExceptionHandler",
    "LinkingInterceptor",
    "LinkingMessages",
    "IntrospectionClient",
    "LwaProfileClient",
    "MissingScope",
    "OidcUserinfoClient",
    "PROFILE_ATTRIBUTE",
    "Profile",
    "ProfileCache",
    "ProfileEndpointClient",
    "ProfileResolver",
    "ResourceServerClient",
    "ResourceUnavailable",
    "RideHailerProfileClient",
    "SafeSkillBuilder",
    "access_token",
    "apology_envelope",
    "add_linked_handler",
    "call_timeout",
    "deadline_of",
    "for_locale",
    "link_optional",
    "mount_deadline_adapter",
    "profile_of",
    "raise_for_token_status",
    "request_locale",
    "requirement_of",
    "requires_link",
    "token_digest",
]

def add_linked_handler(
    skill_builder: SkillBuilder, handler: AbstractRequestHandler, resolver: ProfileResolver
) -> None:
    """Register ``handler`` with a chain-local LinkingInterceptor built from its requirement.

    Chain-local, because the SDK runs global interceptors before it selects a handler
    (``ask_sdk_runtime/dispatch.py``), so only here is the handler's requirement known.
    """
    requirement = requirement_of(handler)
    skill_builder.add_request_handler(handler)
    chains = skill_builder.runtime_configuration_builder.request_handler_chains
    chain = chains[-1]
    if not isinstance(chain, GenericRequestHandlerChain) or chain.request_handler is not handler:
        raise RuntimeError("the skill builder did not register the handler as its last chain")
    chain.add_request_interceptor(LinkingInterceptor(resolver, requirement))
