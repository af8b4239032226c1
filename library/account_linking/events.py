"""Skill events, answered by the library: linked, disabled, enabled, permissions.

Alexa sends ``AlexaSkillEvent.*`` requests to skills that subscribe to them in
``skill.json`` (``events.subscriptions``). They carry no session and expect no speech;
:class:`SkillEventHandler` answers each with an empty response, keeps the profile cache
honest (a relink or a disable forgets what was cached for that Alexa user) and calls the
skill's hooks with a :class:`SkillEvent`.
"""
from __future__ import annotations

import logging
from dataclasses import field
from typing import Callable, Mapping, Optional

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response

from .deadline import deadline_of
from .errors import LinkingError
from .profile import Profile
from .resolver import ProfileResolver
from .tokens import access_token, alexa_user_id
from .values import value_class

log = logging.getLogger(__name__)

#: Request types of the skill events (Alexa Skills Kit, "Skill events").
SKILL_ACCOUNT_LINKED = "AlexaSkillEvent.SkillAccountLinked"
SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"
SKILL_ENABLED = "AlexaSkillEvent.SkillEnabled"
SKILL_PERMISSION_ACCEPTED = "AlexaSkillEvent.SkillPermissionAccepted"
SKILL_PERMISSION_CHANGED = "AlexaSkillEvent.SkillPermissionChanged"
#: Every event the library answers.
SKILL_EVENTS = (
    SKILL_ACCOUNT_LINKED,
    SKILL_DISABLED,
    SKILL_ENABLED,
    SKILL_PERMISSION_ACCEPTED,
    SKILL_PERMISSION_CHANGED,
)


@value_class
class SkillEvent:
    """What a hook learns about one skill event."""

    #: The request type, e.g. ``AlexaSkillEvent.SkillAccountLinked``.
    type: str
    #: Alexa's id of the skill user (changes when the skill is disabled and re-enabled).
    user_id: Optional[str]
    #: SkillAccountLinked: the new token's verified profile (None if it did not verify).
    profile: Optional[Profile] = None
    #: Permission events: the scopes the user has granted now (may be empty).
    permissions: tuple[str, ...] = ()
    #: SkillAccountLinked: the new access token (never logged, not in repr).
    access_token: Optional[str] = field(default=None, repr=False)
    #: The SDK's view of the request (attributes, persistence, service clients).
    handler_input: Optional[HandlerInput] = field(default=None, repr=False, compare=False)


#: A hook: called with the event; what it returns is ignored, what it raises is logged.
Hook = Callable[[SkillEvent], None]


def _permissions(handler_input: HandlerInput) -> tuple[str, ...]:
    body = getattr(handler_input.request_envelope.request, "body", None)
    accepted = getattr(body, "accepted_permissions", None) or []
    scopes = (getattr(permission, "scope", None) for permission in accepted)
    return tuple(scope for scope in scopes if isinstance(scope, str))


class SkillEventHandler(AbstractRequestHandler):
    """Answers the five skill events with an empty response and calls the skill's hooks.

    ``hooks`` maps an event type (see :data:`SKILL_EVENTS`) to a :data:`Hook`.
    """

    def __init__(self, resolver: ProfileResolver, hooks: Mapping[str, Optional[Hook]]) -> None:
        self.resolver = resolver
        self.hooks = {name: hook for name, hook in hooks.items() if hook is not None}

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Claims the skill events, nothing else."""
        return getattr(handler_input.request_envelope.request, "object_type", None) in SKILL_EVENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        """Update the cache, call the hook, answer nothing."""
        envelope = handler_input.request_envelope
        kind = str(getattr(envelope.request, "object_type", ""))
        user_id = alexa_user_id(envelope)
        event = SkillEvent(type=kind, user_id=user_id, handler_input=handler_input)
        if kind == SKILL_ACCOUNT_LINKED:
            event = self._linked(handler_input, event)
        elif kind == SKILL_DISABLED:
            self._forget(handler_input, user_id)
            log.info("skill disabled")
        elif kind in (SKILL_PERMISSION_ACCEPTED, SKILL_PERMISSION_CHANGED):
            event = SkillEvent(type=kind, user_id=user_id, permissions=_permissions(handler_input),
                               handler_input=handler_input)
        hook = self.hooks.get(kind)
        if hook is not None:
            try:
                hook(event)
            except Exception:
                log.error("the %s hook failed", kind, exc_info=True)
        return handler_input.response_builder.response

    def _forget(self, handler_input: HandlerInput, user_id: Optional[str]) -> None:
        """Forget what is cached for this Alexa user (and the request's token)."""
        if user_id is not None:
            self.resolver.forget_owner(user_id)
        token = access_token(handler_input.request_envelope)
        if token is not None:
            self.resolver.forget(token)

    def _linked(self, handler_input: HandlerInput, event: SkillEvent) -> SkillEvent:
        """Relink: forget the user's old profiles, verify the new token, warm the cache."""
        body = getattr(handler_input.request_envelope.request, "body", None)
        token = getattr(body, "access_token", None) or access_token(handler_input.request_envelope)
        self._forget(handler_input, event.user_id)
        profile: Optional[Profile] = None
        if isinstance(token, str) and token:
            try:
                profile = self.resolver.resolve(token, deadline_of(handler_input), owner=event.user_id)
                log.info("account linked; profile verified and cached")
            except LinkingError as exc:
                log.warning("account linked but the token did not verify: %s", exc)
        else:
            token = None
        return SkillEvent(type=event.type, user_id=event.user_id, profile=profile,
                          access_token=token, handler_input=handler_input)
