"""The record of a linking run: every request and answer in order, secrets masked.

`Trace` is attached to a `requests.Session` as a response hook, so every call of the OAuth
client (authorization pages, redirects, token calls) lands in it without the callers doing
anything; the page walk adds what it found on each page (`note`). ``server`` draws it in the
HTML report and ``simulate``'s ``:link`` prints it as it streams (``listener``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests

#: Parameter and field names whose values are never shown (codes, tokens, secrets, passwords).
SECRET_NAMES = ("code", "access_token", "refresh_token", "id_token", "client_secret",
                "password", "passwd", "code_verifier", "token", "assertion")
#: The actors of the linking flow, as the HTML report draws them (left to right).
ALEXA_APP = "Alexa app"
AUTHORIZATION_SERVER = "authorization server"
ALEXA_SERVICE = "Alexa service"
SKILL = "skill"
ACTORS = (ALEXA_APP, AUTHORIZATION_SERVER, ALEXA_SERVICE, SKILL)


#: Names with "token" in them whose values are not secrets.
PUBLIC_NAMES = ("token_type", "token_type_hint", "expires_in")


def is_secret_name(name: str) -> bool:
    """True for a field or parameter whose value must never be shown."""
    lowered = name.lower()
    if lowered in PUBLIC_NAMES:
        return False
    return lowered in SECRET_NAMES or any(word in lowered for word in ("secret", "password",
                                                                        "token"))


class Masker:
    """Replaces every known secret, code and token in text with ``***``."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, *values: Any) -> None:
        """Remember sensitive values (short ones are ignored: they would mask words)."""
        self.values.update(v for v in values if isinstance(v, str) and len(v) >= 4)

    def __call__(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, "***").replace(quote(value, safe=""), "***")
        return text


def mask_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Form or query pairs with the values of secret-named fields replaced by ``***``."""
    return [(k, "***" if is_secret_name(k) and v else v) for k, v in pairs]


def mask_url(url: str) -> str:
    """A URL with secret-named query and fragment values masked."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[broken": show no part that could hold a code
        return url.split("?")[0].split("#")[0] + " (malformed URL)"
    query = urlencode(mask_pairs(parse_qsl(parts.query, keep_blank_values=True)), safe="*: ")
    fragment = parts.fragment
    if "=" in fragment:
        fragment = urlencode(mask_pairs(parse_qsl(fragment, keep_blank_values=True)), safe="*: ")
    return urlunsplit(parts._replace(query=query, fragment=fragment))


@dataclass
class TraceStep:
    """One request and its answer."""

    index: int
    source: str
    target: str
    method: str
    url: str
    status: int | None
    #: the form sent (secret fields masked), e.g. "email=rider@example.com password=***"
    sent: str = ""
    #: the answer in a few words: Location, content type, OAuth error
    answer: str = ""
    #: what the walk or the checks found here ("login form", "pressed 'Allow'", ...)
    found: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The step on one line, for a console."""
        status = self.status if self.status is not None else "no answer"
        text = f"{self.index:2}. {self.source} -> {self.target}: {self.method} {self.url} -> {status}"
        if self.answer:
            text += f" ({self.answer})"
        if self.found:
            text += ": " + "; ".join(self.found)
        return text


class Trace:
    """The steps of one run; ``listener`` (if given) sees each step when its answer arrives."""

    def __init__(self, listener: Callable[[TraceStep], None] | None = None,
                 masker: Masker | None = None) -> None:
        self.steps: list[TraceStep] = []
        self.listener = listener
        self.mask = masker or Masker()
        self._pending: TraceStep | None = None

    def attach(self, session: requests.Session, source: str) -> requests.Session:
        """Record every answer ``session`` receives as a call from ``source``."""
        def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            self.response(response, source)
        session.hooks["response"].append(hook)
        return session

    def response(self, response: requests.Response, source: str) -> TraceStep:
        """Add one request and its answer."""
        request = response.request
        sent = ""
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str) and body:
            sent = " ".join(f"{k}={v}" for k, v in mask_pairs(parse_qsl(body,
                                                                          keep_blank_values=True)))
        auth = request.headers.get("Authorization", "")
        if auth:
            sent = (f"Authorization: {auth.split(' ')[0]} *** " + sent).strip()
        answer = []
        if "Location" in response.headers:
            answer.append("Location: " + mask_url(response.headers["Location"]))
        ctype = response.headers.get("Content-Type", "").split(";")[0]
        if ctype:
            answer.append(ctype)
        if ctype == "application/json" and response.status_code >= 400:
            try:
                body_json = response.json()
                if isinstance(body_json, dict) and "error" in body_json:
                    answer.append(f"error={body_json['error']}")
            except ValueError:
                pass
        return self.add(source, AUTHORIZATION_SERVER, str(request.method), str(request.url),
                        response.status_code, sent, ", ".join(answer))

    def add(self, source: str, target: str, method: str, url: str, status: int | None,
            sent: str = "", answer: str = "") -> TraceStep:
        """Add a step that did not go through a traced session (e.g. a connection error)."""
        self.flush()
        step = TraceStep(len(self.steps) + 1, source, target, method,
                         self.mask(mask_url(url)), status, self.mask(sent), self.mask(answer))
        self.steps.append(step)
        self._pending = step
        return step

    def note(self, text: str) -> None:
        """Say what was found in the latest answer."""
        if self.steps:
            self.steps[-1].found.append(self.mask(text))

    def flush(self) -> None:
        """Hand the latest step (with its notes) to the listener."""
        if self._pending is not None and self.listener is not None:
            self.listener(self._pending)
        self._pending = None

    @property
    def last_index(self) -> int:
        """Index of the latest step (0 before any request)."""
        return self.steps[-1].index if self.steps else 0
