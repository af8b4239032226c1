"""Build the Ride Hailer skill from its settings."""
from __future__ import annotations

import time
from typing import Callable

import requests
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder

from account_linking import (
    DEFAULT_MESSAGES,
    DeadlineInterceptor,
    DEFAULT_SCOPE_LABELS,
    LinkingExceptionHandler,
    LwaProfileClient,
    ProfileCache,
    ProfileResolver,
    ResourceServerClient,
    RideHailerProfileClient,
    SafeSkillBuilder,
    add_linked_handler,
    mount_deadline_adapter,
)

from account_linking.unhandled import default_handlers

from . import handlers
from .api import RideHailerApi
from .prompts import apologies, linking_messages, scope_labels
from .settings import SkillSettings

#: Most profiles the token cache holds before it evicts the least recently used.
CACHE_MAX_ENTRIES = 1024


def _profile_client(settings: SkillSettings, session: requests.Session) -> ResourceServerClient:
    if settings.profile_provider == "lwa":
        return LwaProfileClient(session, settings.resource_timeout, settings.lwa_profile_url)
    return RideHailerProfileClient(session, settings.ride_hailer_api_url, settings.resource_timeout)


def request_handlers(
    api: RideHailerApi, resolver: ProfileResolver, *, lwa: bool
) -> list[AbstractRequestHandler]:
    """The skill's request handlers, in order of precedence (the benchmarks reuse the list)."""
    ride_handlers: list[AbstractRequestHandler] = (
        [handlers.RidesNeedRideHailerLinkHandler()]
        if lwa
        else [
            handlers.OrderRideIntentHandler(api),
            handlers.RideStatusIntentHandler(api),
            handlers.CancelRideIntentHandler(api),
        ]
    )
    return [
        handlers.LaunchRequestHandler(),
        *ride_handlers,
        handlers.AccountInfoIntentHandler(),
        handlers.FareEstimateIntentHandler(api),
        handlers.HelpIntentHandler(),
        handlers.CancelOrStopIntentHandler(),
        handlers.NavigateHomeIntentHandler(),
        handlers.FallbackIntentHandler(),
        handlers.SessionEndedRequestHandler(),
        handlers.SkillAccountLinkedHandler(resolver),
        handlers.SkillDisabledHandler(resolver),
    ]


def build_skill_builder(
    settings: SkillSettings,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CustomSkillBuilder:
    """The configured skill builder; ``skill_id`` is enforced when settings has one.

    It is a SafeSkillBuilder: its skill and Lambda handler answer every request, an
    apology where the SDK would raise.

    One pooled ``requests.Session`` serves every call to the resource servers (a
    DeadlineAdapter is mounted on it for http:// and https://, replacing others); the
    profile cache lives on the resolver, so it outlives single requests. Each request
    gets one Deadline of ``resource_timeout`` seconds shared by all its resource calls,
    measured on ``clock`` (monotonic seconds; tests may pass their own).
    """
    # The adapter bounds trickled response heads by the request's deadline as well.
    session = mount_deadline_adapter(session if session is not None else requests.Session())
    resolver = ProfileResolver(
        _profile_client(settings, session),
        ProfileCache(ttl=settings.linking_cache_ttl, max_entries=CACHE_MAX_ENTRIES),
    )
    api = RideHailerApi(session, settings.ride_hailer_api_url, settings.resource_timeout)
    lwa = settings.profile_provider == "lwa"

    builder = SafeSkillBuilder(apologies=apologies())
    builder.skill_id = settings.skill_id  # type: ignore[assignment]  # SDK annotates it None
    # Global, so it runs before any handler's linking check: RESOURCE_TIMEOUT is the budget
    # for all resource-server calls of one request, not per call.
    builder.add_global_request_interceptor(DeadlineInterceptor(settings.resource_timeout, clock))

    # Request handlers, in order of precedence; each gets its own linking check.
    for handler in request_handlers(api, resolver, lwa=lwa):
        add_linked_handler(builder, handler, resolver)

    # Last: the library's answers for requests none of the above claims (events without
    # speech, canFulfillIntent NO, unknown intents -> AMAZON.FallbackIntent; issue 13).
    for handler in default_handlers():
        add_linked_handler(builder, handler, resolver)

    # Exception handlers: linking outcomes, refused ride requests, then everything else.
    builder.add_exception_handler(
        LinkingExceptionHandler(
            resolver,
            messages=DEFAULT_MESSAGES if lwa else linking_messages(),
            scope_labels=DEFAULT_SCOPE_LABELS if lwa else scope_labels(),
        )
    )
    builder.add_exception_handler(handlers.RideRequestRejectedHandler())
    builder.add_exception_handler(handlers.CatchAllExceptionHandler())
    return builder
