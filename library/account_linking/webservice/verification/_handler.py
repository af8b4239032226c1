"""``WebserviceSkillHandler`` with the shape of ask-sdk-webservice-support's class."""
from __future__ import annotations

import json
import logging
from typing import Any, Mapping, Sequence, Union

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model.request_envelope import RequestEnvelope

from ...safety import (
    SafeCustomSkill,
    SmartHomeDirective,
    UnreadableEnvelope,
    loggable,
    read_event,
    smart_home_not_handled,
)
from ._errors import SkillIdMismatch
from ._verifiers import AbstractVerifier, RequestVerifier

log = logging.getLogger(__name__)


def _names_application(envelope: RequestEnvelope) -> bool:
    context = envelope.context
    system = context.system if context is not None else None
    return system is not None and system.application is not None


class InvalidRequestBody(ValueError):
    """The body is not a JSON object the SDK can read as a request envelope."""


class WebserviceSkillHandler:
    """Verifies a request with every verifier, then dispatches it to the skill.

    Unlike the SDK class, verifiers are passed in ready-made (no booleans that switch
    checks off), the raw body stays ``bytes`` until it is verified, and the answer is the
    serialized dict the Lambda handler returns.
    """

    def __init__(self, skill: CustomSkill, verifiers: Sequence[AbstractVerifier]) -> None:
        if not isinstance(skill, CustomSkill):
            raise TypeError("expected an ask_sdk_core CustomSkill")
        self._skill = skill
        self._verifiers = list(verifiers)
        # No "ask-webservice" user agent: in ask-sdk-core 1.19 the user agent is the
        # process-global UserAgentManager, and the SDK's own attribute tweak is a no-op.

    @property
    def verifiers(self) -> list[AbstractVerifier]:
        """The verifiers run on every request, in order."""
        return list(self._verifiers)

    def parse(self, http_request_body: bytes) -> Union[RequestEnvelope, SmartHomeDirective]:
        """Read the raw body (see :func:`account_linking.safety.read_event`) or raise InvalidRequestBody.

        Odd but genuine envelopes are read: epoch-millisecond timestamps, request types
        newer than ask-sdk-model, device state the model cannot read; smart home
        directives are recognised as such.
        """
        try:
            payload = json.loads(http_request_body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidRequestBody("body is not valid JSON") from exc
        try:
            return read_event(payload)
        except UnreadableEnvelope as exc:
            raise InvalidRequestBody("body is not an Alexa request envelope") from exc

    def verify_request_and_dispatch(
        self, http_request_headers: Mapping[str, Any], http_request_body: bytes
    ) -> dict[str, Any]:
        """Run every verifier on the raw request, then invoke the skill; return the response."""
        envelope = self.parse(http_request_body)
        if isinstance(envelope, SmartHomeDirective):
            # Directives carry neither a timestamp nor a skill id: only the signature applies.
            for verifier in self._verifiers:
                if isinstance(verifier, RequestVerifier):
                    verifier.verify(http_request_headers, http_request_body, RequestEnvelope())
            log.warning("smart home directive %s.%s reached a custom skill's web host: answered "
                        "with an ErrorResponse", loggable(envelope.namespace), loggable(envelope.name))
            return smart_home_not_handled(envelope)
        for verifier in self._verifiers:
            verifier.verify(http_request_headers, http_request_body, envelope)
        if (getattr(self._skill, "skill_id", None) is not None
                and not isinstance(self._skill, SafeCustomSkill)
                and not _names_application(envelope)):
            # The SDK's own skill-id check reads context.System.application unguarded
            # (SafeCustomSkill falls back to session.application).
            raise SkillIdMismatch("request does not name its skill in context.System.application")
        response = self._skill.invoke(request_envelope=envelope, context=None)
        serialized = self._skill.serializer.serialize(response)
        if not isinstance(serialized, dict):
            raise TypeError("the skill's response did not serialize to a JSON object")
        return serialized
