"""One rule for every field of a token answer, shared by ``server`` and ``simulate``.

The rule is Alexa's (ALEXA-FACTS: Access token URI; RFC 6749 section 5.1): a JSON object
with ``access_token``, ``token_type`` Bearer (any case), ``expires_in`` an integer number of
seconds and ``refresh_token``. ``server`` records one check per field from `judge`;
``simulate`` stores the tokens `read_token_answer` gives and raises on the first failure.

Where Alexa's documents leave room, the rule says how it reads:
- ``expires_in`` absent: Alexa uses ``defaultTokenExpirationInSeconds`` (warn).
- ``expires_in`` a string of digits (``"3600"``, as Login with Amazon's own examples show):
  read as that many seconds, with a warning to send a number.
- ``expires_in`` anything else (``"1h"``, ``3.5``, ``true``, 0, negative): unusable (fail).
- A form-encoded answer (``access_token=...&token_type=...``): the fields are read so every
  other check can still run, but the answer itself fails ``token-json``: Alexa reads JSON only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs

Verdict = Literal["pass", "warn", "fail"]

#: Token answers at or below this many seconds get a warning (and ``server`` waits past them
#: and refreshes again): Alexa refreshes before nearly every request, and a refresh token
#: that dies with its access token unlinks the user after a short pause (linkcheck's judgement,
#: matching the project check's ``MIN_SANE_TOKEN_SECONDS``).
SHORT_EXPIRES_IN = 300
#: JSON, as Alexa reads it (ALEXA-FACTS: "JSON (not form encoded)").
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class FieldVerdict:
    """How one member of a token answer reads under the rule."""

    check: str
    verdict: Verdict
    reason: str


@dataclass
class TokenAnswer:
    """One answer of the token endpoint, read under the rule."""

    status: int | None
    content_type: str
    text: str
    seconds: float = 0.0
    #: the members, from JSON or (for the diagnosis) from a form-encoded body
    fields: dict[str, Any] = field(default_factory=dict)
    #: "json", "form" or "" (neither)
    encoding: str = ""
    www_authenticate: str = ""
    cache_control: str = ""
    #: a connection error or timeout instead of an answer
    error: str | None = None

    @property
    def oauth_error(self) -> str | None:
        """The RFC 6749 5.2 ``error`` member of an error answer."""
        value = self.fields.get("error")
        return str(value) if value is not None else None

    @property
    def access_token(self) -> str | None:
        token = self.fields.get("access_token")
        return token if isinstance(token, str) and token else None

    @property
    def refresh_token(self) -> str | None:
        token = self.fields.get("refresh_token")
        return token if isinstance(token, str) and token else None

    @property
    def expires_in(self) -> int | None:
        """Seconds until the access token expires, as the rule reads it (None: absent/unusable)."""
        return read_expires_in(self.fields.get("expires_in"))[0]

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


def read_token_answer(status: int | None, content_type: str, text: str, *, seconds: float = 0.0,
                      www_authenticate: str = "", cache_control: str = "") -> TokenAnswer:
    """Parse a token endpoint's answer: JSON object first, then a form-encoded body."""
    answer = TokenAnswer(status, content_type, text, seconds, www_authenticate=www_authenticate,
                         cache_control=cache_control)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        answer.fields, answer.encoding = parsed, "json"
        return answer
    if "=" in text and "<" not in text:
        form = {k: v[0] for k, v in parse_qs(text.strip(), keep_blank_values=True).items()}
        if form:
            answer.fields, answer.encoding = form, "form"
    return answer


def read_expires_in(value: Any) -> tuple[int | None, FieldVerdict]:
    """``expires_in`` under the rule: seconds (or None) and the verdict."""
    if value is None:
        return None, FieldVerdict("expires-in", "warn", "no expires_in: Alexa falls back to "
                                  "defaultTokenExpirationInSeconds")
    text = value.strip() if isinstance(value, str) else ""
    try:  # "²" and "٣٦٠٠" are digits to str, not seconds; int() refuses over 4300 digits
        seconds = int(text) if text.isascii() and text.isdigit() else 0
    except ValueError:
        seconds = 0
    if seconds > 0:
        return seconds, FieldVerdict("expires-in", "warn", f"expires_in is the string "
                                     f"{value!r}: read as {seconds} s (Login with Amazon's "
                                     "examples do the same), but RFC 6749 5.1 and Alexa's "
                                     "token answer want a JSON number")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        if value <= SHORT_EXPIRES_IN:
            return value, FieldVerdict("expires-in", "warn", f"expires_in {value}: Alexa "
                                       "refreshes before almost every request; a refresh "
                                       "token that dies that soon unlinks the user")
        return value, FieldVerdict("expires-in", "pass", f"expires_in {value}")
    return None, FieldVerdict("expires-in", "fail", f"expires_in is {type(value).__name__} "
                              f"{value!r}; Alexa needs a positive integer number of seconds")


def judge(answer: TokenAnswer) -> list[FieldVerdict]:
    """The verdict on each member of a successful token answer, in report order."""
    out: list[FieldVerdict] = []
    ctype = answer.media_type
    if answer.encoding == "json" and ctype == JSON_TYPE:
        out.append(FieldVerdict("token-json", "pass", JSON_TYPE))
    elif answer.encoding == "form":
        out.append(FieldVerdict("token-json", "fail", f"the answer is form-encoded "
                                f"({ctype or 'untyped'}); Alexa reads only JSON (Content-Type "
                                "application/json), so linking fails here even though the "
                                "fields are there"))
    else:
        out.append(FieldVerdict("token-json", "fail", f"answer is {ctype or 'untyped'}"
                                f"{' (a JSON object)' if answer.encoding == 'json' else ''}; "
                                "Alexa needs Content-Type application/json with a JSON object"))
    if not answer.fields:
        return out
    token = answer.fields.get("access_token")
    ok = isinstance(token, str) and bool(token)
    out.append(FieldVerdict("access-token", "pass" if ok else "fail",
                            "access_token present" if ok else "no access_token string"))
    ttype = answer.fields.get("token_type")
    if isinstance(ttype, str) and ttype.lower() == "bearer":
        out.append(FieldVerdict("token-type", "pass", f"token_type {ttype}"))
    else:
        out.append(FieldVerdict("token-type", "fail", f"token_type is {ttype!r}; Alexa needs "
                                "Bearer (any case)"))
    out.append(read_expires_in(answer.fields.get("expires_in"))[1])
    if answer.refresh_token:
        out.append(FieldVerdict("refresh-token", "pass", "refresh_token present"))
    else:
        out.append(FieldVerdict("refresh-token", "fail", "no refresh_token: Alexa cannot renew "
                                "the access token and the user is unlinked when it expires"))
    return out


def first_failure(answer: TokenAnswer, *, need_refresh_token: bool) -> str | None:
    """Why Alexa could not use this answer (None: it can); ``simulate`` raises with it."""
    for verdict in judge(answer):
        if verdict.verdict != "fail":
            continue
        if verdict.check == "refresh-token" and not need_refresh_token:
            continue
        return verdict.reason
    return None
