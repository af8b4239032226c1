"""Request and exception handlers of the Ride Hailer skill.

Handlers declare what they need from the account link with the ``account_linking``
decorators; the builder from ``AccountLinking.skill_builder()`` checks it before
``handle`` runs. Skill events (linked, disabled, ...) are answered by the library.
"""
from __future__ import annotations

import logging
import re
from typing import Optional

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils.predicate import is_intent_name, is_request_type
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.response import Response

from account_linking import deadline_of, link_optional, profile_of, requires_link
from account_linking.errors import AccountNotLinked
from account_linking.locales import request_locale
from account_linking.ssml import escape
from account_linking.tokens import access_token
from account_linking.unhandled import log_session_end

from .api import RideHailerApi
from .errors import RideInProgress, RideRequestRejected
from .prompts import Prompts, prompts_for, status_words

log = logging.getLogger(__name__)

#: Slot carrying the destination (interaction models in skill-package/).
DESTINATION_SLOT = "destination"
#: Longest destination the skill accepts from a slot; a longer one is asked for again.
MAX_DESTINATION_CHARS = 120
#: Longest value (name, destination, status) spoken back; outputSpeech holds 8000 characters.
MAX_SPOKEN_CHARS = 120
#: Characters SSML cannot carry: XML 1.0 forbids C0 controls but tab/LF/CR, surrogates and
#: U+FFFE/U+FFFF (W3C XML 1.0 section 2.2); DEL and C1 controls are dropped as well.
_UNSPEAKABLE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"


def _clean(text: str) -> str:
    """``text`` without characters XML forbids, with whitespace runs collapsed."""
    if not text.isprintable():  # each of them is a control, a surrogate or a noncharacter
        text = re.sub(_UNSPEAKABLE, " ", text)
    return " ".join(text.split())


def speakable(text: str) -> str:
    """``text`` made safe inside SSML: cleaned, cut to MAX_SPOKEN_CHARS, XML-escaped."""
    return escape(_clean(text)[:MAX_SPOKEN_CHARS])


def _prompts(handler_input: HandlerInput) -> Prompts:
    return prompts_for(request_locale(handler_input))


def _token(handler_input: HandlerInput) -> str:
    token = access_token(handler_input.request_envelope)
    if token is None:  # the interceptor has already checked; this keeps mypy honest
        raise AccountNotLinked("no access token in the request")
    return token


def _resolved_value(slot: object) -> Optional[str]:
    """The canonical value entity resolution matched (``JFK`` -> ``the airport``), if any."""
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        code = getattr(getattr(getattr(authority, "status", None), "code", None), "value", None)
        if code != "ER_SUCCESS_MATCH":
            continue
        for match in getattr(authority, "values", None) or []:
            name = getattr(getattr(match, "value", None), "name", None)
            if isinstance(name, str) and name.strip():
                return name
    return None


def _destination(handler_input: HandlerInput) -> Optional[str]:
    """The destination slot: entity resolution's canonical value when it matched, else what was said."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return None
    slot = (request.intent.slots or {}).get(DESTINATION_SLOT)
    value = _resolved_value(slot) or getattr(slot, "value", None)
    cleaned = _clean(value) if isinstance(value, str) else ""
    return cleaned if 0 < len(cleaned) <= MAX_DESTINATION_CHARS else None


def _ask_destination(handler_input: HandlerInput) -> Response:
    prompts = _prompts(handler_input)
    request = handler_input.request_envelope.request
    builder = handler_input.response_builder.speak(prompts.ask_destination).ask(
        prompts.ask_destination
    )
    if isinstance(request, IntentRequest) and request.intent is not None:
        from ask_sdk_model.dialog.elicit_slot_directive import ElicitSlotDirective  # off the cold start

        builder.add_directive(
            ElicitSlotDirective(slot_to_elicit=DESTINATION_SLOT, updated_intent=request.intent)
        )
    return builder.response


@link_optional
class LaunchRequestHandler(AbstractRequestHandler):
    """Greets the user, by name when the account is linked."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        profile = profile_of(handler_input)
        speech = (
            prompts.welcome_name.format(name=speakable(profile.name))
            if profile is not None and profile.name
            else prompts.welcome
        )
        return handler_input.response_builder.speak(speech).ask(prompts.reprompt).response


@requires_link("rides:write")
class OrderRideIntentHandler(AbstractRequestHandler):
    """Orders a ride to the destination slot and confirms it with ETA and fare."""

    def __init__(self, api: RideHailerApi) -> None:
        self.api = api

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("OrderRideIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        destination = _destination(handler_input)
        if destination is None:
            return _ask_destination(handler_input)
        prompts = _prompts(handler_input)
        # Alexa's request id: a retry of this very request must not order a second car.
        request_id = getattr(handler_input.request_envelope.request, "request_id", None)
        ride = self.api.create_ride(
            _token(handler_input), destination, idempotency_key=request_id,
            deadline=deadline_of(handler_input),
        )
        template = prompts.ride_ordered if ride.eta_minutes is not None else prompts.ride_ordered_no_eta
        speech = template.format(
            destination=prompts.place(speakable(ride.destination)), eta=ride.eta_minutes,
            fare=speakable(prompts.money(ride.fare)),
        )
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


@requires_link("rides:read")
class RideStatusIntentHandler(AbstractRequestHandler):
    """Tells the status of the user's active ride."""

    def __init__(self, api: RideHailerApi) -> None:
        self.api = api

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("RideStatusIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        ride = self.api.current_ride(_token(handler_input), deadline_of(handler_input))
        if ride is None:
            speech = prompts.no_active_ride
        elif ride.status in prompts.ride_progress and ride.eta_minutes is not None:
            # each state said as it is: finding a driver, on the way, arriving, picked up
            speech = prompts.ride_progress[ride.status].format(
                destination=prompts.place(speakable(ride.destination)), minutes=prompts.minutes(ride.eta_minutes),
            )
        else:
            status = status_words(request_locale(handler_input), ride.status)
            template = prompts.ride_status if ride.eta_minutes is not None else prompts.ride_status_no_eta
            speech = template.format(
                destination=prompts.place(speakable(ride.destination)), status=speakable(status),
                eta=ride.eta_minutes,
            )
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


@requires_link("rides:write")
class CancelRideIntentHandler(AbstractRequestHandler):
    """Cancels the user's active ride."""

    def __init__(self, api: RideHailerApi) -> None:
        self.api = api

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CancelRideIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        try:
            ride = self.api.cancel_current_ride(_token(handler_input), deadline_of(handler_input))
        except RideInProgress:
            return handler_input.response_builder.speak(prompts.ride_in_progress).set_should_end_session(True).response
        speech = (
            prompts.nothing_to_cancel
            if ride is None
            else prompts.ride_cancelled.format(destination=prompts.place(speakable(ride.destination)))
        )
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class RidesNeedRideHailerLinkHandler(AbstractRequestHandler):
    """With PROFILE_PROVIDER=lwa: explains that ride intents need a Ride Hailer link."""

    #: Intents that act on the user's rides at the Ride Hailer API.
    RIDE_INTENTS = ("OrderRideIntent", "RideStatusIntent", "CancelRideIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.RIDE_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        return (
            handler_input.response_builder
            .speak(_prompts(handler_input).rides_need_ride_hailer_link)
            .set_should_end_session(True)
            .response
        )


@requires_link("profile")
class AccountInfoIntentHandler(AbstractRequestHandler):
    """Tells the user which account the skill is linked to."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AccountInfoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        profile = profile_of(handler_input)
        if profile is None:  # the interceptor stores it for REQUIRED handlers
            raise AccountNotLinked("no verified profile")
        name = profile.name or profile.user_id
        speech = (
            prompts.account_info.format(name=speakable(name), email=speakable(profile.email))
            if profile.email
            else prompts.account_info_no_email.format(name=speakable(name))
        )
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class FareEstimateIntentHandler(AbstractRequestHandler):
    """Estimates the fare to a destination; public, works without a link."""

    def __init__(self, api: RideHailerApi) -> None:
        self.api = api

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("FareEstimateIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        destination = _destination(handler_input)
        if destination is None:
            return _ask_destination(handler_input)
        prompts = _prompts(handler_input)
        estimate = self.api.estimate_fare(destination, deadline_of(handler_input))
        speech = prompts.fare_estimate.format(
            destination=prompts.place(speakable(estimate.destination)),
            fare=speakable(prompts.money(estimate.fare)),
            eta=estimate.eta_minutes,
        )
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class HelpIntentHandler(AbstractRequestHandler):
    """Explains what the skill can do."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        return handler_input.response_builder.speak(prompts.help).ask(prompts.reprompt).response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    """Says goodbye on AMAZON.CancelIntent and AMAZON.StopIntent."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.CancelIntent")(handler_input) or is_intent_name(
            "AMAZON.StopIntent"
        )(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return (
            handler_input.response_builder.speak(_prompts(handler_input).goodbye)
            .set_should_end_session(True)
            .response
        )


class NavigateHomeIntentHandler(AbstractRequestHandler):
    """Returns to the start on AMAZON.NavigateHomeIntent."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        return handler_input.response_builder.speak(prompts.welcome).ask(prompts.reprompt).response


class FallbackIntentHandler(AbstractRequestHandler):
    """Answers utterances that match no intent."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        prompts = _prompts(handler_input)
        return handler_input.response_builder.speak(prompts.fallback).ask(prompts.reprompt).response


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Cleans up when the session ends (no speech allowed)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        log_session_end(handler_input)  # an error's type and message at WARNING
        return handler_input.response_builder.response


class RideRequestRejectedHandler(AbstractExceptionHandler):
    """Answers a request the Ride Hailer API refused as invalid (HTTP 400)."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, RideRequestRejected)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.info("ride request rejected: %s", exception)
        prompts = _prompts(handler_input)
        return (
            handler_input.response_builder.speak(prompts.request_rejected)
            .ask(prompts.ask_destination)
            .response
        )


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Last resort: logs the error with its traceback, says a plain apology."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled error in the skill", exc_info=exception)
        try:
            speech = _prompts(handler_input).error
        except Exception:  # a broken request must still get an answer
            speech = prompts_for(None).error
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response
