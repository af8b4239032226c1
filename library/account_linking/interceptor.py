"""The request interceptor that checks the account link before a handler runs.

It is registered per handler chain (see :func:`account_linking.add_linked_handler`):
the SDK runs global interceptors before it picks a handler, and only the chosen
handler knows whether it needs a link.
"""
from __future__ import annotations

import logging
from typing import Optional

from ask_sdk_core.dispatch_components.request_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from .deadline import deadline_of
from .errors import AccountNotLinked, LinkingError, MissingScope
from .profile import Profile
from .requirements import LinkMode, LinkRequirement
from .resolver import ProfileResolver
from .tokens import access_token

log = logging.getLogger(__name__)

#: Request attribute holding the verified :class:`Profile` (absent when unlinked).
PROFILE_ATTRIBUTE = "account_linking.profile"


def profile_of(handler_input: HandlerInput) -> Optional[Profile]:
    """The verified profile the interceptor stored for this request, if any."""
    profile = handler_input.attributes_manager.request_attributes.get(PROFILE_ATTRIBUTE)
    return profile if isinstance(profile, Profile) else None


class LinkingInterceptor(AbstractRequestInterceptor):
    """Verifies the request's access token as the handler's requirement demands; raises."""

    def __init__(self, resolver: ProfileResolver, requirement: LinkRequirement) -> None:
        self.resolver = resolver
        self.requirement = requirement

    def process(self, handler_input: HandlerInput) -> None:
        """Store the verified profile in the request attributes or raise a LinkingError."""
        mode = self.requirement.mode
        if mode is LinkMode.NONE:
            return
        token = access_token(handler_input.request_envelope)
        if token is None:
            if mode is LinkMode.REQUIRED:
                raise AccountNotLinked("no access token in the request")
            return
        try:
            profile = self.resolver.resolve(token, deadline_of(handler_input))
        except LinkingError as exc:
            if mode is LinkMode.REQUIRED:
                raise
            log.info("optional link lookup failed, carrying on unlinked: %s", exc)
            return
        if mode is LinkMode.REQUIRED:
            for scope in sorted(self.requirement.scopes):
                if not profile.has_scope(scope):
                    raise MissingScope(scope)
        handler_input.attributes_manager.request_attributes[PROFILE_ATTRIBUTE] = profile
