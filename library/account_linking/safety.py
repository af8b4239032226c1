"""A skill that answers every request, however odd: the answer Alexa expects instead of a raise.

Reading an event (:func:`read_event`) is lenient where Alexa's traffic is odd and strict
where it is broken:

- a smart home directive (``{"directive": {"header": ...}}``) is recognised as such: a
  :class:`SmartHomeDirective`, answered by :func:`smart_home_not_handled` (a custom skill
  does not handle directives; their handling is the skill's own business);
- ``request.timestamp`` is read by its value, ISO 8601 or epoch milliseconds
  (:func:`read_timestamp`); one the parser cannot read becomes ``None`` instead of failing
  the whole envelope (a web host then refuses it by the timestamp rule);
- a request type newer than ask-sdk-model becomes an :class:`UnknownRequest` that keeps
  its type, so handlers (and the defaults of :mod:`account_linking.unhandled`) see it;
- device state the model cannot read (``context.AudioPlayer`` with a placeholder value,
  ...) is dropped, keeping ``context.System``;
- anything else that is no request envelope raises :class:`UnreadableEnvelope`, answered
  with the localized apology.

:class:`SafeSkillBuilder` also catches what escapes the SDK's dispatcher (the skill-id
check, serializing the answer) and sends an IntentRequest no handler claims down the
skill's ``AMAZON.FallbackIntent`` path.
"""
from __future__ import annotations

import copy
import datetime
import json
import logging
import re
from dataclasses import field
from typing import Any, Callable, Mapping, Optional, Union, cast

from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.context import Context
from ask_sdk_model.intent import Intent
from ask_sdk_model.intent_confirmation_status import IntentConfirmationStatus
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.request import Request
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.response_envelope import ResponseEnvelope
from ask_sdk_model.ui.ssml_output_speech import SsmlOutputSpeech
from ask_sdk_runtime.exceptions import AskSdkException

from .locales import for_locale
from .messages import DEFAULT_APOLOGIES
from .values import value_class

log = logging.getLogger(__name__)

#: Version of the response format, the one the library and its web host answer with. Source:
#: developer.amazon.com/docs/custom-skills/request-and-response-json-reference.html
RESPONSE_VERSION = "1.0"

#: The intent an IntentRequest no handler claims is answered as (Alexa's built-in fallback).
FALLBACK_INTENT = "AMAZON.FallbackIntent"

#: Smart home API version of the answers (Alexa.ErrorResponse, payloadVersion "3").
SMART_HOME_PAYLOAD_VERSION = "3"

#: Longest request type or intent name written to a log line.
_MAX_LOGGED_NAME = 120
_UNPRINTABLE = r"[^\x20-\x7e]"


def loggable(value: Any, limit: int = _MAX_LOGGED_NAME) -> str:
    """``value`` as a short, single-line, printable string for a log line."""
    return re.sub(_UNPRINTABLE, "?", str(value))[:limit]


class UnreadableEnvelope(ValueError):
    """The event is neither a request envelope the SDK can read nor a smart home directive."""


class UnknownRequest(Request):
    """A request of a type ask-sdk-model does not know; ``object_type`` keeps the type.

    ``body`` is the raw ``request`` object of the envelope.
    """

    def __init__(self, object_type: str, body: Mapping[str, Any],
                 timestamp: Optional[datetime.datetime] = None) -> None:
        request_id = body.get("requestId")
        locale = body.get("locale")
        super().__init__(
            object_type=object_type,
            request_id=request_id if isinstance(request_id, str) else None,
            timestamp=timestamp,
            locale=locale if isinstance(locale, str) else None,
        )
        self.body = dict(body)


@value_class
class SmartHomeDirective:
    """A smart home directive (payload version 3) that reached a custom skill."""

    namespace: str
    name: str
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def correlation_token(self) -> Optional[str]:
        """The directive's ``correlationToken``, echoed in the answer (absent for some)."""
        token = self.raw["directive"]["header"].get("correlationToken")
        return token if isinstance(token, str) else None

    @property
    def endpoint_id(self) -> Optional[str]:
        """The directive's ``endpoint.endpointId`` (controller directives only)."""
        endpoint = self.raw["directive"].get("endpoint")
        endpoint_id = endpoint.get("endpointId") if isinstance(endpoint, dict) else None
        return endpoint_id if isinstance(endpoint_id, str) else None


def smart_home_directive(event: Any) -> Optional[SmartHomeDirective]:
    """``event`` as a SmartHomeDirective when it is one, else None."""
    if not isinstance(event, dict) or "request" in event:
        return None
    directive = event.get("directive")
    header = directive.get("header") if isinstance(directive, dict) else None
    if not isinstance(header, dict):
        return None
    namespace, name = header.get("namespace"), header.get("name")
    if not (isinstance(namespace, str) and isinstance(name, str) and namespace and name):
        return None
    return SmartHomeDirective(namespace=namespace, name=name, raw=event)



def _message_id() -> str:
    """A random UUID for a smart home answer (uuid is imported only when one is needed)."""
    import uuid

    return str(uuid.uuid4())

def smart_home_not_handled(directive: SmartHomeDirective) -> dict[str, Any]:
    """The smart home answer of a custom skill: an ErrorResponse Alexa accepts.

    ``Alexa.Authorization.AcceptGrant`` gets ``Alexa.Authorization`` ErrorResponse
    ``ACCEPT_GRANT_FAILED`` (the only error that directive allows); every other directive
    ``Alexa`` ErrorResponse ``INVALID_DIRECTIVE``. The correlation token and the endpoint
    id are echoed; the user's token (``scope``) never is.
    """
    accept_grant = directive.namespace == "Alexa.Authorization" and directive.name == "AcceptGrant"
    header: dict[str, Any] = {
        "namespace": "Alexa.Authorization" if accept_grant else "Alexa",
        "name": "ErrorResponse",
        "payloadVersion": SMART_HOME_PAYLOAD_VERSION,
        "messageId": _message_id(),
    }
    if directive.correlation_token is not None:
        header["correlationToken"] = directive.correlation_token
    event: dict[str, Any] = {
        "header": header,
        "payload": {
            "type": "ACCEPT_GRANT_FAILED" if accept_grant else "INVALID_DIRECTIVE",
            "message": "This skill does not handle smart home directives.",
        },
    }
    if directive.endpoint_id is not None and not accept_grant:
        event["endpoint"] = {"endpointId": directive.endpoint_id}
    return {"event": event}


#: Most digits an epoch-milliseconds timestamp is read from (a string of up to 16 digits).
_MAX_EPOCH_DIGITS = 16


def read_timestamp(value: Any) -> Optional[datetime.datetime]:
    """``request.timestamp`` as an aware UTC datetime: ISO 8601 or epoch milliseconds.

    Alexa sends ISO 8601 (``2015-05-13T12:34:56Z``); some captures carry epoch
    milliseconds (``1431520496000``, as a number or digits). Anything else is None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        digits = value.strip()
        if 0 < len(digits) <= _MAX_EPOCH_DIGITS and digits.isdecimal():  # isdecimal: what \d matches
            value = int(digits)
    try:
        if isinstance(value, (int, float)):
            moment = datetime.datetime.fromtimestamp(value / 1000, tz=datetime.timezone.utc)
        elif isinstance(value, str) and 0 < len(value) <= 64:
            moment = datetime.datetime.fromisoformat(value.strip())
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


_SERIALIZER = DefaultSerializer()


def _deserialize(payload: Mapping[str, Any]) -> Optional[RequestEnvelope]:
    try:
        envelope = _SERIALIZER.deserialize(payload=json.dumps(payload), obj_type=RequestEnvelope)
    except Exception:  # the SDK raises SerializationException, KeyError, TypeError, ...
        return None
    return envelope if isinstance(envelope, RequestEnvelope) else None


def _lenient(payload: dict[str, Any]) -> Optional[RequestEnvelope]:
    """Deserialize; if that fails, again with ``context`` cut to ``context.System``.

    Device state (``context.AudioPlayer``, ``Display``, ``Viewport``, ...) that the model
    cannot read is dropped; an unreadable ``context.System`` (the user, the skill id)
    leaves the envelope unreadable.
    """
    envelope = _deserialize(payload)
    if envelope is not None:
        return envelope
    context = payload.get("context")
    if not isinstance(context, dict) or set(context) <= {"System"}:
        return None
    attempt = dict(payload, context={k: v for k, v in context.items() if k == "System"})
    envelope = _deserialize(attempt)
    if envelope is not None:
        log.warning("request envelope read without the device state it could not read "
                    "(context.%s)", loggable(",".join(sorted(k for k in context if k != "System"))))
    return envelope


def read_event(event: Any) -> Union[RequestEnvelope, SmartHomeDirective]:
    """Read a Lambda event or a web host's JSON body; raise UnreadableEnvelope if impossible."""
    directive = smart_home_directive(event)
    if directive is not None:
        return directive
    request = event.get("request") if isinstance(event, dict) else None
    if not isinstance(request, dict):
        raise UnreadableEnvelope("event is not an Alexa request envelope")
    request_type = request.get("type")
    if not isinstance(request_type, str) or not request_type:
        raise UnreadableEnvelope("request has no type")
    timestamp = read_timestamp(request.get("timestamp"))
    known = request_type in Request.discriminator_value_class_map
    payload = dict(event)
    if known:
        payload["request"] = {k: v for k, v in request.items() if k != "timestamp"}
    else:
        payload.pop("request")
    envelope = _lenient(payload)
    if envelope is None or (known and envelope.request is None):
        raise UnreadableEnvelope(f"request of type {loggable(request_type)} is unreadable")
    if envelope.request is not None:
        envelope.request.timestamp = timestamp
    else:
        envelope.request = UnknownRequest(request_type, request, timestamp)
    return envelope


def locale_of(event: Any) -> Optional[str]:
    """The request's locale from a raw event (a dict) or an envelope, if it has a usable one.

    Anything else (None, a list, a request without ``locale``) gives None: the apology then
    falls back to en-US.
    """
    if isinstance(event, RequestEnvelope):
        locale = getattr(event.request, "locale", None)
    else:
        request = event.get("request") if isinstance(event, dict) else None
        locale = request.get("locale") if isinstance(request, dict) else None
    return locale if isinstance(locale, str) and 0 < len(locale) <= 16 else None


def apology_envelope(
    locale: Optional[str], apologies: Mapping[str, str] = DEFAULT_APOLOGIES
) -> ResponseEnvelope:
    """The generic spoken apology in ``locale`` (SSML-safe text), ending the session."""
    try:
        text = for_locale(apologies, locale)
    except Exception:  # an odd locale must still get an answer
        text = for_locale(apologies, None)
    return ResponseEnvelope(
        version=RESPONSE_VERSION,
        response=Response(output_speech=SsmlOutputSpeech(ssml=f"<speak>{text}</speak>"),
                          should_end_session=True),
    )


def application_id(envelope: RequestEnvelope) -> Optional[str]:
    """The skill id the request names: ``context.System.application``, else ``session.application``."""
    context = envelope.context
    system = context.system if context is not None else None
    if system is not None and system.application is not None and system.application.application_id:
        return str(system.application.application_id)
    session = envelope.session
    if session is not None and session.application is not None and session.application.application_id:
        return str(session.application.application_id)
    return None


def _names_itself_in_context(envelope: RequestEnvelope) -> bool:
    context = envelope.context
    system = context.system if context is not None else None
    return system is not None and system.application is not None


def _with_context(envelope: RequestEnvelope) -> RequestEnvelope:
    """A copy whose ``context.System.application`` comes from the session.

    The SDK's skill-id check reads ``context.System.application`` unguarded; some
    envelopes name their skill only in ``session.application``.
    """
    session = envelope.session
    application = session.application if session is not None else None
    copied = copy.copy(envelope)
    if envelope.context is not None and envelope.context.system is not None:
        copied.context = copy.copy(envelope.context)
        copied.context.system = copy.copy(envelope.context.system)
        copied.context.system.application = application
    else:
        from ask_sdk_model.interfaces.system.system_state import SystemState  # rare: kept off cold start

        copied.context = Context(system=SystemState(
            application=application, user=session.user if session is not None else None))
    return copied


class SafeCustomSkill(CustomSkill):
    """A CustomSkill whose ``invoke`` answers the apology instead of raising.

    An IntentRequest that no handler claims (or that only the default
    :class:`~account_linking.unhandled.UnhandledIntentHandler` claims) is dispatched as
    ``AMAZON.FallbackIntent``, so the skill's own fallback handler answers it.
    """

    #: Apology per locale (set by :class:`SafeSkillBuilder`).
    apologies: Mapping[str, str] = DEFAULT_APOLOGIES

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        """Dispatch as the SDK does; anything that escapes it becomes the apology."""
        try:
            if self.skill_id is not None:
                named = application_id(request_envelope)
                if named != self.skill_id:
                    log.warning("refused a request: %s",
                                "it names no skill" if named is None else "it is for another skill")
                    return apology_envelope(locale_of(request_envelope), self.apologies)
                if not _names_itself_in_context(request_envelope):
                    request_envelope = _with_context(request_envelope)
            request_envelope = self._unclaimed_intent_as_fallback(request_envelope, context)
            return super().invoke(request_envelope=request_envelope, context=context)
        except AskSdkException as exc:  # the SDK's skill-id check: nothing was processed
            log.warning("refused a request: %s", exc)
        except Exception:
            log.error("the skill could not answer a request", exc_info=True)
        return apology_envelope(locale_of(request_envelope), self.apologies)

    def _claimed(self, envelope: RequestEnvelope, context: Any) -> bool:
        """Whether a handler other than the default intent handler claims the request.

        Asked with a handler input like the SDK's (attributes included); if a handler's
        ``can_handle`` raises, the request counts as claimed and the normal dispatch
        reports that error.
        """
        from .unhandled import UnhandledIntentHandler  # unhandled imports this module

        handler_input = HandlerInput(
            request_envelope=envelope,
            attributes_manager=AttributesManager(
                request_envelope=envelope, persistence_adapter=self.persistence_adapter),
            context=context,
        )
        try:
            for mapper in self.request_dispatcher.request_mappers:
                chain = mapper.get_request_handler_chain(handler_input)
                if chain is not None:
                    return not isinstance(chain.request_handler, UnhandledIntentHandler)
        except Exception:
            return True
        return False

    def _unclaimed_intent_as_fallback(self, envelope: RequestEnvelope, context: Any) -> RequestEnvelope:
        request = envelope.request
        if not isinstance(request, IntentRequest) or request.intent is None:
            return envelope
        if request.intent.name == FALLBACK_INTENT:
            return envelope
        if self._claimed(envelope, context):
            return envelope
        log.info("no handler for intent %s: answered by %s",
                 loggable(request.intent.name), FALLBACK_INTENT)
        fallback = copy.copy(request)
        fallback.intent = Intent(name=FALLBACK_INTENT, slots={},
                                 confirmation_status=IntentConfirmationStatus.NONE)
        copied = copy.copy(envelope)
        copied.request = fallback
        return copied


class SafeSkillBuilder(CustomSkillBuilder):
    """CustomSkillBuilder whose skill and Lambda handler never raise.

    ``apologies`` maps locales to the apology spoken when the skill cannot answer
    (default :data:`~account_linking.messages.DEFAULT_APOLOGIES`); other locales fall
    back by language, then to en-US.
    """

    def __init__(self, *args: Any, apologies: Mapping[str, str] = DEFAULT_APOLOGIES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.apologies = apologies

    def create(self) -> SafeCustomSkill:
        """A SafeCustomSkill with this builder's configuration."""
        skill = SafeCustomSkill(skill_configuration=self.skill_configuration)
        skill.apologies = self.apologies
        return skill

    def lambda_handler(self) -> Callable[[Any, Any], dict[str, Any]]:
        """The Lambda entry point: the best answer for any event (see :func:`read_event`)."""

        def wrapper(event: Any, context: Any) -> dict[str, Any]:
            skill = self.create()
            serializer = skill.serializer

            def serialize(answer: ResponseEnvelope) -> dict[str, Any]:
                return cast(dict[str, Any], serializer.serialize(answer))

            try:
                envelope = read_event(event)
            except UnreadableEnvelope as exc:
                log.warning("event is not a readable request envelope: %s", exc)
                return serialize(apology_envelope(locale_of(event), self.apologies))
            except Exception:  # a bug in the reader is ours: still an answer
                log.error("reading the event failed", exc_info=True)
                return serialize(apology_envelope(locale_of(event), self.apologies))
            if isinstance(envelope, SmartHomeDirective):
                log.warning("smart home directive %s.%s reached a custom skill: answered "
                            "with an ErrorResponse", loggable(envelope.namespace),
                            loggable(envelope.name))
                return smart_home_not_handled(envelope)
            answer = skill.invoke(request_envelope=envelope, context=context)
            try:
                return serialize(answer)
            except Exception:
                log.error("the skill's answer could not be serialized", exc_info=True)
                return serialize(apology_envelope(locale_of(envelope), self.apologies))

        return wrapper
