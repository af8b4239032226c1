"""The readable transcript both modes print."""
from __future__ import annotations

import json
from typing import Any, Mapping, TextIO

from .conversation import LINK_ACCOUNT_CARD, LinkStep, Turn

#: Keys whose values are secrets and are masked when envelopes are shown.
SECRET_KEYS = frozenset({"accessToken", "apiAccessToken"})


def masked(value: Any) -> Any:
    """A copy of a JSON value with tokens replaced by a marker."""
    if isinstance(value, dict):
        return {key: "***" if key in SECRET_KEYS and item else masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


class Transcript:
    """Writes `you> ...`, `alexa> ...`, `[card] ...` and check lines to a stream."""

    def __init__(self, out: TextIO, *, show_json: bool = False, verbose: bool = False) -> None:
        self.out = out
        self.show_json = show_json
        self.verbose = verbose  #: print the resolved intent and slots of every request

    def _write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def narrate(self, text: str) -> None:
        """A line of the story a script tells (`## ...` in the dialog file)."""
        self._write(f"# {text}" if text else "#")

    def step(self, index: int, text: str) -> None:
        """A script step header."""
        self._write(f"--- step {index}: {text}")

    def user(self, utterance: str) -> None:
        """What the user said."""
        self._write(f"you> {utterance}")

    def note(self, message: str) -> None:
        """Something the Alexa service or the simulator did on its own."""
        self._write(f"[alexa] {message}")

    def link_step(self, step: LinkStep) -> None:
        """One step of the account-linking flow (the only place that prints the linking trace)."""
        self._write(f"[link] {step.title}: {step.detail}")

    def request_sent(self, request: Mapping[str, Any]) -> None:
        """Called before each launch or intent request goes out: its resolution when verbose."""
        if self.verbose:
            self.resolution(request)

    def resolution(self, request: Mapping[str, Any]) -> None:
        """What Alexa's NLU made of the utterance: request type, intent, dialog state and slots."""
        body = request.get("request") or {}
        kind = body.get("type", "?")
        if kind != "IntentRequest":
            self._write(f"[nlu] {kind}" + (" (new session)" if (request.get("session") or {}).get("new") else ""))
            return
        intent = body.get("intent") or {}
        parts = [f"[nlu] IntentRequest {intent.get('name')}"]
        if body.get("dialogState"):
            parts.append(f"dialogState {body['dialogState']}")
        if (request.get("session") or {}).get("new"):
            parts.append("new session")
        slots = [_slot_text(slot) for slot in (intent.get("slots") or {}).values()]
        self._write("; ".join(parts) + ("; slots: " + ", ".join(slots) if slots else "; no slots"))

    def turn(self, turn: Turn) -> None:
        """What came back from the skill."""
        reply = turn.reply
        if self.show_json and turn.request:
            self._write("request: " + json.dumps(masked(turn.request), ensure_ascii=False))
            self._write("response: " + json.dumps(masked(turn.response), ensure_ascii=False))
        event = turn.label.startswith("(")  # events, session ends, reprompts: no "you>" line
        if event:
            self._write(turn.label)
        if reply.speech:
            self._write(f"alexa> {reply.speech}")
        if reply.card_type == LINK_ACCOUNT_CARD:
            self._write("[card] LinkAccount: open the Alexa app to link")
        elif reply.card_type:
            details = " - ".join(part for part in (reply.card_title, reply.card_text) if part)
            self._write(f"[card] {reply.card_type}: {details}")
        if turn.session_ended and not event:
            self._write("[session ended]")

    def check(self, text: str) -> None:
        """A passed expectation."""
        self._write(f"  ok: {text}")

    def failure(self, message: str) -> None:
        """A failed expectation or step."""
        self._write(f"FAILED: {message}")

    def summary(self, message: str) -> None:
        """The last line of a passing run."""
        self._write(message)


def _slot_text(slot: Mapping[str, Any]) -> str:
    """`name=value (ER_SUCCESS_MATCH name/id)`, or `name empty`."""
    name = slot.get("name", "?")
    if "value" not in slot:
        return f"{name} empty"
    text = f"{name}={slot['value']!r}"
    for authority in (slot.get("resolutions") or {}).get("resolutionsPerAuthority") or []:
        code = (authority.get("status") or {}).get("code", "?")
        values = authority.get("values") or []
        if values:
            value = values[0].get("value") or {}
            found = value.get("name", "") + (f"/{value['id']}" if value.get("id") else "")
            text += f" ({code} {found})"
        else:
            text += f" ({code})"
    return text
