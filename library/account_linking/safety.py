"""A skill that answers every request, however broken: an apology instead of a raise.

The ASK SDK turns handler errors into exception-handler answers, but three failures
happen outside its dispatcher and would escape as exceptions (an error for Lambda, a
failed request for the web host): an event the serializer cannot read as a request
envelope, the skill-id check on an envelope without ``context``, and serializing the
answer. :class:`SafeSkillBuilder` catches those and answers the localized apology.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Mapping, Optional, cast

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.response_envelope import ResponseEnvelope
from ask_sdk_model.ui.ssml_output_speech import SsmlOutputSpeech
from ask_sdk_runtime.exceptions import AskSdkException

from .locales import for_locale
from .messages import DEFAULT_APOLOGIES

log = logging.getLogger(__name__)

#: Version of the response format (Alexa Skills Kit JSON interface reference).
RESPONSE_VERSION = "1.0"


def _locale_of(event: Any) -> Optional[str]:
    """The request's locale from a raw event or an envelope, if it has a usable one."""
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


class SafeCustomSkill(CustomSkill):
    """A CustomSkill whose ``invoke`` answers the apology instead of raising."""

    #: Apology per locale (set by :class:`SafeSkillBuilder`).
    apologies: Mapping[str, str] = DEFAULT_APOLOGIES

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        """Dispatch as the SDK does; anything that escapes it becomes the apology."""
        try:
            return super().invoke(request_envelope=request_envelope, context=context)
        except AskSdkException as exc:  # the SDK's skill-id check: nothing was processed
            log.warning("refused a request: %s", exc)
        except Exception:
            log.error("the skill could not answer a request", exc_info=True)
        return apology_envelope(_locale_of(request_envelope), self.apologies)


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
        """The Lambda entry point: an apology for an event that is no request envelope."""

        def wrapper(event: Any, context: Any) -> dict[str, Any]:
            skill = self.create()
            serializer = skill.serializer

            def serialize(answer: ResponseEnvelope) -> dict[str, Any]:
                return cast(dict[str, Any], serializer.serialize(answer))

            try:
                envelope = serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
                if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
                    raise ValueError("event is not an Alexa request envelope")
            except Exception as exc:  # the SDK raises KeyError, TypeError, ... on bad input
                log.warning("event is not a readable request envelope: %s", type(exc).__name__)
                return serialize(apology_envelope(_locale_of(event), self.apologies))
            answer = skill.invoke(request_envelope=envelope, context=context)
            try:
                return serialize(answer)
            except Exception:
                log.error("the skill's answer could not be serialized", exc_info=True)
                return serialize(apology_envelope(_locale_of(envelope), self.apologies))

        return wrapper
