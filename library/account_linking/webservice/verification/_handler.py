"""``WebserviceSkillHandler`` with the shape of ask-sdk-webservice-support's class."""
from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model.request_envelope import RequestEnvelope

from ._errors import SkillIdMismatch
from ._verifiers import AbstractVerifier


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

    def parse(self, http_request_body: bytes) -> RequestEnvelope:
        """Deserialize the raw body or raise InvalidRequestBody."""
        try:
            payload = json.loads(http_request_body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidRequestBody("body is not valid JSON") from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("request"), dict):
            raise InvalidRequestBody("body is not an Alexa request envelope")
        try:
            envelope = self._skill.serializer.deserialize(
                payload=json.dumps(payload), obj_type=RequestEnvelope
            )
        except Exception as exc:  # the SDK raises bare SerializationException subclasses
            raise InvalidRequestBody("body is not an Alexa request envelope") from exc
        if not isinstance(envelope, RequestEnvelope):
            raise InvalidRequestBody("body is not an Alexa request envelope")
        return envelope

    def verify_request_and_dispatch(
        self, http_request_headers: Mapping[str, Any], http_request_body: bytes
    ) -> dict[str, Any]:
        """Run every verifier on the raw request, then invoke the skill; return the response."""
        envelope = self.parse(http_request_body)
        for verifier in self._verifiers:
            verifier.verify(http_request_headers, http_request_body, envelope)
        if getattr(self._skill, "skill_id", None) is not None and not _names_application(envelope):
            # The SDK's own skill-id check reads context.System.application unguarded.
            raise SkillIdMismatch("request does not name its skill in context.System.application")
        response = self._skill.invoke(request_envelope=envelope, context=None)
        serialized = self._skill.serializer.serialize(response)
        if not isinstance(serialized, dict):
            raise TypeError("the skill's response did not serialize to a JSON object")
        return serialized
