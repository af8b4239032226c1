"""The request interceptor that checks the account link before a handler runs.

It is registered per handler chain (the builder from :meth:`AccountLinking.skill_builder`
does it for every handler that declares a need): the SDK runs global interceptors before
it picks a handler, and only the chosen handler knows whether it needs a link.
"""
from __future__ import annotations

import logging
from typing import Optional

from ask_sdk_core.dispatch_components.request_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from .deadline import deadline_of
from .errors import AccountNotLinked, LinkingError, MissingScope
from .profile import Profile
from .requirements import CHECKED_ATTRIBUTE, LinkMode, LinkRequirement
from .resolver import ProfileResolver
from .tokens import access_token, alexa_user_id

log = logging.getLogger(__name__)

#: Request attribute holding the verified :class:`Profile` (absent when unlinked).
PROFILE_ATTRIBUTE = "account_linking.profile"


def profile_of(handler_input: HandlerInput) -> Optional[Profile]:
    """The verified profile of the request's user, or None when there is none.

    Set for handlers declared ``@requires_link`` (always) and ``@link_optional`` (when
    linked and the lookup succeeded).
    """
    profile = handler_input.attributes_manager.request_attributes.get(PROFILE_ATTRIBUTE)
    return profile if isinstance(profile, Profile) else None


class LinkingInterceptor(AbstractRequestInterceptor):
    """Verifies the request's access token as the handler's requirement demands; raises."""

    def __init__(self, resolver: ProfileResolver, requirement: LinkRequirement) -> None:
        self.resolver = resolver
        self.requirement = requirement

    def process(self, handler_input: HandlerInput) -> None:
        """Store the verified profile in the request attributes or raise a LinkingError."""
        attributes = handler_input.attributes_manager.request_attributes
        attributes.pop(PROFILE_ATTRIBUTE, None)
        mode = self.requirement.mode
        if mode is not LinkMode.NONE:
            profile = self._verified_profile(handler_input)
            if profile is not None:
                attributes[PROFILE_ATTRIBUTE] = profile
        attributes[CHECKED_ATTRIBUTE] = self.requirement

    def _verified_profile(self, handler_input: HandlerInput) -> Optional[Profile]:
        mode = self.requirement.mode
        envelope = handler_input.request_envelope
        token = access_token(envelope)
        if token is None:
            if mode is LinkMode.REQUIRED:
                raise AccountNotLinked("no access token in the request")
            return None
        try:
            profile = self.resolver.resolve(token, deadline_of(handler_input), owner=alexa_user_id(envelope))
        except LinkingError as exc:
            if mode is LinkMode.REQUIRED:
                raise
            log.info("optional link lookup failed, carrying on unlinked: %s", exc)
            return None
        if mode is LinkMode.REQUIRED:
            for scope in sorted(self.requirement.scopes):
                if not profile.has_scope(scope):
                    raise MissingScope(scope)
        return profile
