"""A small dispatcher for smart home Lambdas: one handler per namespace + name.

Usage::

    skill = SmartHomeSkill(ProfileResolver(DeviceCloudProfileClient(session, me_url, 3),
                                           ProfileCache(ttl=300)), budget=3.0)
    skill.accept_grants(HttpGrantStore(session, grant_url, 3))

    @skill.handles("Alexa.PowerController", "TurnOn")
    def turn_on(request: SmartHomeRequest) -> dict:
        ...
        return events.response(request.directive, [property_state(...)])

    lambda_handler = skill.lambda_handler

Before a handler runs, the directive's token is resolved to a profile with the same
resolver, cache and time budget as a custom skill's; every failure becomes an
ErrorResponse (see :func:`error_for`). The handler never sees an unlinked user.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

from ..deadline import Clock, Deadline
from ..errors import AccountNotLinked, LinkingError, LinkRejected, MissingScope, ResourceUnavailable
from ..profile import Profile
from ..resolver import ProfileResolver
from ..values import value_class
from . import events
from .cloud import GrantStore
from .constants import (
    ACCEPT_GRANT_FAILED,
    AUTHORIZATION,
    BRIDGE_UNREACHABLE,
    EXPIRED_AUTHORIZATION_CREDENTIAL,
    INTERNAL_ERROR,
    INVALID_AUTHORIZATION_CREDENTIAL,
)
from .directive import Directive
from .errors import AcceptGrantFailed, CredentialExpired, DirectiveError, MalformedDirective, UnknownDirective

log = logging.getLogger(__name__)

#: Default seconds for all device cloud calls of one directive (Alexa waits 8 s in total).
DEFAULT_BUDGET = 3.0


@value_class
class SmartHomeRequest:
    """What a handler gets: the directive, its token, the verified owner and the time budget."""

    directive: Directive
    token: str
    profile: Profile
    deadline: Deadline


Handler = Callable[[SmartHomeRequest], dict[str, Any]]


def error_for(directive: Optional[Directive], error: Exception) -> dict[str, Any]:
    """The ErrorResponse for a failure; an outage is never a credential error."""
    in_grant = directive is not None and directive.namespace == AUTHORIZATION
    if isinstance(error, DirectiveError):
        if in_grant:  # every AcceptGrant failure is Alexa.Authorization ACCEPT_GRANT_FAILED
            return events.error_response(directive, ACCEPT_GRANT_FAILED, error.message, AUTHORIZATION)
        return events.error_response(directive, error.error_type, error.message, error.namespace)
    if in_grant:
        reason = {
            AccountNotLinked: "the AcceptGrant directive carries no grantee token",
            LinkRejected: "the grantee token was rejected by the device cloud",
            ResourceUnavailable: "the device cloud did not answer in time; Alexa will retry",
        }
        text = next((t for k, t in reason.items() if isinstance(error, k)), "the grant could not be stored")
        return events.error_response(directive, ACCEPT_GRANT_FAILED, text, AUTHORIZATION)
    if isinstance(error, AccountNotLinked):
        return events.error_response(directive, INVALID_AUTHORIZATION_CREDENTIAL,
                                     "the directive carries no access token: link the account")
    if isinstance(error, CredentialExpired):
        return events.error_response(directive, EXPIRED_AUTHORIZATION_CREDENTIAL, "the access token expired")
    if isinstance(error, (LinkRejected, MissingScope)):
        return events.error_response(directive, INVALID_AUTHORIZATION_CREDENTIAL,
                                     "the device cloud rejected the access token")
    if isinstance(error, ResourceUnavailable):
        return events.error_response(directive, BRIDGE_UNREACHABLE,
                                     "the device cloud is not reachable right now")
    return events.error_response(directive, INTERNAL_ERROR, "the skill failed; see its logs")


class SmartHomeSkill:
    """Dispatches directives by namespace + name to registered handlers; answers every event."""

    def __init__(self, resolver: ProfileResolver, budget: float = DEFAULT_BUDGET,
                 clock: Clock = time.monotonic) -> None:
        self.resolver = resolver
        self.budget = budget
        self._clock = clock
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._grant_store: Optional[GrantStore] = None

    def handles(self, namespace: str, name: str) -> Callable[[Handler], Handler]:
        """Decorator: ``handler`` answers directives of ``namespace`` + ``name`` (once each)."""
        def register(handler: Handler) -> Handler:
            self.add_handler(namespace, name, handler)
            return handler
        return register

    def add_handler(self, namespace: str, name: str, handler: Handler) -> None:
        """Register ``handler``; a second handler for the same directive is a mistake."""
        key = (namespace, name)
        if key in self._handlers:
            raise ValueError(f"{namespace}.{name} has a handler already")
        self._handlers[key] = handler

    def accept_grants(self, store: GrantStore) -> None:
        """Answer ``Alexa.Authorization.AcceptGrant`` by handing the code to ``store``."""
        self._grant_store = store

    @property
    def directives(self) -> list[tuple[str, str]]:
        """The namespace + name pairs this skill answers (AcceptGrant included when enabled)."""
        pairs = sorted(self._handlers)
        return pairs + ([(AUTHORIZATION, "AcceptGrant")] if self._grant_store is not None else [])

    def handle(self, event: Any) -> dict[str, Any]:
        """Answer one Lambda event: the handler's event, or an ErrorResponse. Never raises."""
        directive: Optional[Directive] = None
        try:
            directive = Directive.from_event(event)
            deadline = Deadline(self.budget, self._clock)
            if (directive.namespace, directive.name) == (AUTHORIZATION, "AcceptGrant"):
                return self._accept_grant(directive, deadline)
            handler = self._handlers.get((directive.namespace, directive.name))
            if handler is None:
                raise UnknownDirective(f"this skill does not handle {directive.namespace}.{directive.name}")
            token = directive.token
            if token is None:
                raise AccountNotLinked("no token in the directive")
            profile = self.resolver.resolve(token, deadline)
            try:
                return handler(SmartHomeRequest(directive, token, profile, deadline))
            except LinkRejected:
                self.resolver.forget(token)
                raise
        except (DirectiveError, LinkingError) as error:
            log.info("directive answered with an error: %s", type(error).__name__)
            return error_for(directive, error)
        except Exception as error:  # the one boundary: log it, answer INTERNAL_ERROR
            log.error("smart home handler failed", exc_info=True)
            return error_for(directive, error)

    def _accept_grant(self, directive: Directive, deadline: Deadline) -> dict[str, Any]:
        if self._grant_store is None:
            raise AcceptGrantFailed(
                "this skill does not accept grants: remove the alexa::async_event:write permission"
                " or call SmartHomeSkill.accept_grants()"
            )
        grant = directive.payload.get("grant")
        code = grant.get("code") if isinstance(grant, dict) else None
        if not isinstance(grant, dict) or grant.get("type") != "OAuth2.AuthorizationCode" \
                or not isinstance(code, str) or not code:
            raise MalformedDirective("payload.grant is not an OAuth2.AuthorizationCode grant")
        grantee = directive.token
        if grantee is None:
            raise AccountNotLinked("no grantee token")
        self._grant_store.accept(code, grantee, deadline)
        return events.accept_grant_response(directive)

    def lambda_handler(self, event: Any, context: Any = None) -> dict[str, Any]:
        """The Lambda entry point: ``lambda_handler = skill.lambda_handler``."""
        return self.handle(event)
