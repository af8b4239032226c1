"""Default handlers for requests no handler of the skill claims: register them last.

Alexa's rules for what a skill must answer (Alexa Skills Kit request and response JSON
reference), in the order :func:`default_handlers` returns them:

=============================  =====================================================
request no handler claims      answer
=============================  =====================================================
SessionEndedRequest            empty response; an ``error`` (the only signal of why
                               Alexa rejected a response) logged at WARNING with its
                               type, message and the request id
CanFulfillIntentRequest        ``canFulfillIntent`` NO, unless the skill opts in for
                               the intent (``can_fulfill``)
IntentRequest, LaunchRequest   a localized fallback with a reprompt (with
                               :class:`~account_linking.safety.SafeSkillBuilder`, an
                               unclaimed IntentRequest reaches the skill's own
                               ``AMAZON.FallbackIntent`` handler first)
anything else (events)         empty response without speech, one INFO line naming
                               the request type
=============================  =====================================================

Usage, after the skill's own handlers::

    for handler in default_handlers():
        skill_builder.add_request_handler(handler)
"""
from __future__ import annotations

import logging
from typing import Collection, Mapping, Optional

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils.predicate import is_request_type
from ask_sdk_model.canfulfill.can_fulfill_intent import CanFulfillIntent
from ask_sdk_model.canfulfill.can_fulfill_intent_request import CanFulfillIntentRequest
from ask_sdk_model.canfulfill.can_fulfill_intent_values import CanFulfillIntentValues
from ask_sdk_model.canfulfill.can_fulfill_slot import CanFulfillSlot
from ask_sdk_model.canfulfill.can_fulfill_slot_values import CanFulfillSlotValues
from ask_sdk_model.canfulfill.can_understand_slot_values import CanUnderstandSlotValues
from ask_sdk_model.response import Response

from .locales import for_locale, request_locale
from .messages import DEFAULT_FALLBACKS
from .safety import loggable

log = logging.getLogger(__name__)

#: Longest SessionEndedRequest error message written to the log.
MAX_LOGGED_ERROR_MESSAGE = 500


def _request_type(handler_input: HandlerInput) -> str:
    return str(getattr(handler_input.request_envelope.request, "object_type", None) or "")


def log_session_end(handler_input: HandlerInput) -> None:
    """Log a SessionEndedRequest: WARNING with the error's type and message, else INFO."""
    request = handler_input.request_envelope.request
    reason = getattr(getattr(request, "reason", None), "value", None)
    request_id = loggable(getattr(request, "request_id", None))
    error = getattr(request, "error", None)
    if error is not None:
        error_type = getattr(getattr(error, "object_type", None), "value", None) or getattr(
            error, "object_type", None)
        log.warning(
            "session ended with an error: %s: %s (reason %s, request %s)",
            loggable(error_type),
            loggable(getattr(error, "message", None), MAX_LOGGED_ERROR_MESSAGE),
            loggable(reason), request_id,
        )
    else:
        log.info("session ended: %s (request %s)", loggable(reason), request_id)


class SessionEndedRequestHandler(AbstractRequestHandler):
    """SessionEndedRequest: logs why (and any error), answers without speech."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        log_session_end(handler_input)
        return handler_input.response_builder.response


class CanFulfillIntentRequestHandler(AbstractRequestHandler):
    """CanFulfillIntentRequest: NO, unless ``can_fulfill`` lists the intent.

    ``can_fulfill`` maps intent names the skill opts in for to the slot names it
    understands and fulfils. Such an intent is YES when every slot of the request is
    listed; a slot that is not listed is NO and makes the intent NO.
    """

    def __init__(self, can_fulfill: Optional[Mapping[str, Collection[str]]] = None) -> None:
        self.can_fulfill = dict(can_fulfill or {})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("CanFulfillIntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        intent = request.intent if isinstance(request, CanFulfillIntentRequest) else None
        slot_names = list((intent.slots or {}).keys()) if intent is not None else []
        known: Optional[Collection[str]] = (
            self.can_fulfill.get(intent.name) if intent is not None and intent.name else None
        )
        slots = {}
        for name in slot_names:
            yes = known is not None and name in known
            slots[name] = CanFulfillSlot(
                can_understand=CanUnderstandSlotValues.YES if yes else CanUnderstandSlotValues.NO,
                can_fulfill=CanFulfillSlotValues.YES if yes else CanFulfillSlotValues.NO,
            )
        yes = known is not None and all(name in known for name in slot_names)
        answer = CanFulfillIntent(
            can_fulfill=CanFulfillIntentValues.YES if yes else CanFulfillIntentValues.NO,
            slots=slots or None,
        )
        response = handler_input.response_builder.response
        response.can_fulfill_intent = answer
        return response


class UnhandledIntentHandler(AbstractRequestHandler):
    """An IntentRequest or LaunchRequest no handler claims: a localized fallback, session open."""

    def __init__(self, fallbacks: Mapping[str, str] = DEFAULT_FALLBACKS) -> None:
        self.fallbacks = fallbacks

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _request_type(handler_input) in ("IntentRequest", "LaunchRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        name = getattr(getattr(request, "intent", None), "name", None)
        log.info("no handler for %s %s: answered with the default fallback",
                 _request_type(handler_input), loggable(name or ""))
        text = for_locale(self.fallbacks, request_locale(handler_input))
        return handler_input.response_builder.speak(text).ask(text).response


class UnhandledEventHandler(AbstractRequestHandler):
    """Any other request no handler claims (events, new request types): empty answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("no handler for request type %s: answered without speech",
                 loggable(_request_type(handler_input)))
        return handler_input.response_builder.response


def default_handlers(
    can_fulfill: Optional[Mapping[str, Collection[str]]] = None,
    fallbacks: Mapping[str, str] = DEFAULT_FALLBACKS,
) -> list[AbstractRequestHandler]:
    """The default handlers, in the order to register them after the skill's own."""
    return [
        SessionEndedRequestHandler(),
        CanFulfillIntentRequestHandler(can_fulfill),
        UnhandledIntentHandler(fallbacks),
        UnhandledEventHandler(),
    ]


__all__ = [
    "CanFulfillIntentRequestHandler",
    "SessionEndedRequestHandler",
    "UnhandledEventHandler",
    "UnhandledIntentHandler",
    "default_handlers",
    "log_session_end",
]

