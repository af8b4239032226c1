"""Pick the entry for a request's locale, with language and English fallbacks."""
from __future__ import annotations

from typing import Mapping, Optional, TypeVar

from ask_sdk_core.handler_input import HandlerInput

V = TypeVar("V")

#: Locale used when neither the locale nor its language is supported.
FALLBACK_LOCALE = "en-US"


def request_locale(handler_input: HandlerInput) -> str:
    """The request's locale (``en-US`` when the request has none, e.g. some events)."""
    request = handler_input.request_envelope.request
    locale = getattr(request, "locale", None)
    return str(locale) if locale else FALLBACK_LOCALE


def for_locale(table: Mapping[str, V], locale: Optional[str], fallback: str = FALLBACK_LOCALE) -> V:
    """``table[locale]``, else the first entry of the same language, else ``table[fallback]``."""
    if locale:
        if locale in table:
            return table[locale]
        language = locale.split("-")[0].lower()
        for key in table:
            if key.split("-")[0].lower() == language:
                return table[key]
    return table[fallback]
