"""The one exception handler that answers every linking failure."""
from __future__ import annotations

import logging
import re
from typing import Mapping, Optional

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response
from ask_sdk_model.ui.link_account_card import LinkAccountCard

from .errors import AccountNotLinked, LinkingError, LinkRejected, MissingScope
from .locales import for_locale, request_locale
from .messages import DEFAULT_MESSAGES, DEFAULT_SCOPE_LABELS, LinkingMessages
from .resolver import ProfileResolver
from .ssml import escape
from .tokens import access_token

log = logging.getLogger(__name__)

#: A scope-token (RFC 6749 section 3.3) short enough to speak; others get the "*" label.
_SPEAKABLE_SCOPE = r"[\x21\x23-\x5b\x5d-\x7e]{1,64}"


def _scope_words(scope: str, labels: Mapping[str, str]) -> str:
    """What to call a missing scope: its label, the scope itself if it is a sane token, or "*"."""
    if labels.get(scope):
        return labels[scope]
    if re.fullmatch(_SPEAKABLE_SCOPE, scope):
        return escape(scope)  # named by the resource server: never trusted as SSML
    return labels.get("*", "")


class LinkingExceptionHandler(AbstractExceptionHandler):
    """Turns a LinkingError into localized speech, plus a LinkAccount card where relinking helps.

    No card for ResourceUnavailable: a server hiccup must never send a user to relink.
    """

    def __init__(
        self,
        resolver: Optional[ProfileResolver] = None,
        messages: Mapping[str, LinkingMessages] = DEFAULT_MESSAGES,
        scope_labels: Mapping[str, Mapping[str, str]] = DEFAULT_SCOPE_LABELS,
    ) -> None:
        self.resolver = resolver
        self.messages = messages
        self.scope_labels = scope_labels

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handles every LinkingError."""
        return isinstance(exception, LinkingError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Answer the failure in the request's locale."""
        locale = request_locale(handler_input)
        messages = for_locale(self.messages, locale)
        card = True
        if isinstance(exception, AccountNotLinked):
            speech = messages.not_linked
        elif isinstance(exception, LinkRejected):
            speech = messages.rejected
            token = access_token(handler_input.request_envelope)
            if self.resolver is not None and token is not None:
                self.resolver.forget(token)
        elif isinstance(exception, MissingScope):
            labels = for_locale(self.scope_labels, locale)
            permission = _scope_words(exception.scope, labels)
            speech = messages.missing_scope.format(permission=permission)
        else:
            speech = messages.unavailable
            card = False
        log.warning(
            "account linking: %s (%s)", type(exception).__name__, exception,
            exc_info=not card,
        )
        builder = handler_input.response_builder.speak(speech).set_should_end_session(True)
        if card:
            builder.set_card(LinkAccountCard())
        return builder.response
