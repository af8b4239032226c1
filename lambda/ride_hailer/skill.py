"""Build the Ride Hailer skill from its settings."""
from __future__ import annotations

import time
from typing import Callable

import requests
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler

from account_linking import AccountLinking, LwaProfileClient, ResourceServerClient
from account_linking.linking import LinkedSkillBuilder
from account_linking.messages import DEFAULT_MESSAGES, DEFAULT_SCOPE_LABELS
from account_linking.transport import mount_deadline_adapter
from account_linking.unhandled import default_handlers

from . import handlers
from .api import RideHailerApi
from .profile_client import RideHailerProfileClient
from .prompts import apologies, linking_messages, scope_labels
from .settings import SkillSettings


def _profile_client(settings: SkillSettings, session: requests.Session) -> ResourceServerClient:
    if settings.profile_provider == "lwa":
        return LwaProfileClient(session, settings.resource_timeout, settings.lwa_profile_url)
    return RideHailerProfileClient(session, settings.ride_hailer_api_url, settings.resource_timeout)


def request_handlers(api: RideHailerApi, *, lwa: bool) -> list[AbstractRequestHandler]:
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
    ]


def build_skill_builder(
    settings: SkillSettings,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> LinkedSkillBuilder:
    """The configured skill builder; ``skill_id`` is enforced when settings has one.

    One ``AccountLinking`` holds the linking setup (profile client, cache, the request's
    time budget of ``resource_timeout`` seconds measured on ``clock``, speech); its
    builder answers every request (an apology where the SDK would raise), checks each
    handler's declared link need, and answers the skill events. One pooled
    ``requests.Session`` (with a DeadlineAdapter mounted for http:// and https://) serves
    every call to the resource servers.
    """
    session = mount_deadline_adapter(session if session is not None else requests.Session())
    lwa = settings.profile_provider == "lwa"
    linking = AccountLinking(
        _profile_client(settings, session),
        cache_ttl=settings.linking_cache_ttl,
        time_budget=settings.resource_timeout,
        messages=DEFAULT_MESSAGES if lwa else linking_messages(),
        scope_labels=DEFAULT_SCOPE_LABELS if lwa else scope_labels(),
        apologies=apologies(),
        clock=clock,
    )
    builder = linking.skill_builder(skill_id=settings.skill_id)
    api = RideHailerApi(session, settings.ride_hailer_api_url, settings.resource_timeout)
    for handler in request_handlers(api, lwa=lwa):
        builder.add_request_handler(handler)
    # Last: the library's answers for requests none of the above claims (events without
    # speech, canFulfillIntent NO, unknown intents -> AMAZON.FallbackIntent).
    for handler in default_handlers():
        builder.add_request_handler(handler)
    # After the linking answers (installed by the builder): refused rides, then the rest.
    builder.add_exception_handler(handlers.RideRequestRejectedHandler())
    builder.add_exception_handler(handlers.CatchAllExceptionHandler())
    return builder
