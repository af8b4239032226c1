"""Dialog scripts: a line format of simulator steps, each followed by its expectations.

    # comment
    ## narration: printed in the transcript before the next step
    locale en-US
    say open ride hailer
      expect speech contains welcome
      expect card none
    say order a ride to the airport
      expect card LinkAccount
      expect session open
    link
    advance 3600
    say where is my ride
      expect refreshed
    hook revoke-refresh-token
    end

Steps: `say <utterance>`, `link`, `unlink`, `revoke [refresh|access]` (RFC 7009 at
--revocation-url), `advance <seconds>`, `locale <code>`,
`event linked|disabled`, `end` (SessionEndedRequest USER_INITIATED), `silence` (reprompt,
then SessionEndedRequest EXCEEDED_MAX_REPROMPTS), `hook <name>`.
Expectations (indented `expect` lines) check the step right above them:
`speech contains <text>` / `speech lacks <text>` (case-insensitive), `card <Type>|none`,
`session ends|open`, `refreshed`, `account linked|unlinked|refresh-failed`.
"""
from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path
from typing import Callable, Mapping, TextIO

from . import conversation as conv
from .errors import ScriptError, SimulatorError
from .transcript import Transcript

STEP_NAMES = ("say", "silence", "link", "unlink", "revoke", "advance", "locale", "event", "end", "hook")


@dataclasses.dataclass(frozen=True)
class Expectation:
    """One check on the outcome of a step."""

    line: int
    subject: str
    argument: str

    def describe(self) -> str:
        """The expectation as written."""
        return f"{self.subject} {self.argument}".strip()


@dataclasses.dataclass
class Step:
    """One simulator action with the expectations on its outcome."""

    line: int
    name: str
    argument: str
    expectations: list[Expectation] = dataclasses.field(default_factory=list)
    #: `## ...` lines right before the step, printed before it (the story told in the transcript)
    narration: list[str] = dataclasses.field(default_factory=list)

    def describe(self) -> str:
        """The step as written."""
        return f"{self.name} {self.argument}".strip()


def _check_expectation(line: int, text: str) -> Expectation:
    subject, _, argument = text.partition(" ")
    argument = argument.strip()
    if subject == "speech":
        mode, _, needle = argument.partition(" ")
        if mode not in ("contains", "lacks") or not needle.strip():
            raise ScriptError(f"line {line}: use 'expect speech contains <text>' or 'expect speech lacks <text>'")
    elif subject == "card":
        if not argument or " " in argument:
            raise ScriptError(f"line {line}: use 'expect card <Type>' or 'expect card none'")
    elif subject == "session":
        if argument not in ("ends", "open"):
            raise ScriptError(f"line {line}: use 'expect session ends' or 'expect session open'")
    elif subject == "refreshed":
        if argument:
            raise ScriptError(f"line {line}: 'expect refreshed' takes no argument")
    elif subject == "account":
        if argument not in ("linked", "unlinked", "refresh-failed"):
            raise ScriptError(f"line {line}: use 'expect account linked|unlinked|refresh-failed'")
    else:
        raise ScriptError(f"line {line}: unknown expectation {subject!r}")
    return Expectation(line, subject, argument)


def parse_script(text: str) -> list[Step]:
    """Parse the line format; raise ScriptError naming the line on any mistake."""
    steps: list[Step] = []
    narration: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("##"):
            text = raw.strip()[2:].rstrip()
            narration.append(text[1:] if text.startswith(" ") else text)
            continue
        if not line or line.startswith("#"):
            continue
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name == "expect":
            if not steps:
                raise ScriptError(f"line {number}: 'expect' before any step")
            steps[-1].expectations.append(_check_expectation(number, argument))
            continue
        if name not in STEP_NAMES:
            raise ScriptError(f"line {number}: unknown step {name!r} (steps: {', '.join(STEP_NAMES)})")
        if name == "say" and len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "\"'":
            argument = shlex.split(argument)[0]
        if name in ("say", "locale", "hook") and not argument:
            raise ScriptError(f"line {number}: '{name}' needs an argument")
        if name == "advance":
            try:
                if float(argument) < 0:
                    raise ValueError
            except ValueError:
                raise ScriptError(f"line {number}: 'advance' needs a number of seconds >= 0") from None
        if name == "event" and argument not in ("linked", "disabled"):
            raise ScriptError(f"line {number}: use 'event linked' or 'event disabled'")
        if name == "revoke" and argument not in ("", "refresh", "access"):
            raise ScriptError(f"line {number}: use 'revoke', 'revoke refresh' or 'revoke access'")
        if name in ("link", "unlink", "end", "silence") and argument:
            raise ScriptError(f"line {number}: '{name}' takes no argument")
        steps.append(Step(number, name, argument, narration=narration))
        narration = []
    return steps


def load_script(path: Path) -> list[Step]:
    """Read and parse a script file."""
    try:
        return parse_script(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ScriptError(f"cannot read script {path}: {error.strerror}") from error


@dataclasses.dataclass(frozen=True)
class Outcome:
    """Result of a script run."""

    passed: bool
    steps_run: int
    checks_passed: int
    failure: str | None = None


Hook = Callable[[conv.Conversation], None]


class ScriptRunner:
    """Runs steps against a conversation, printing a transcript; stops at the first failure."""

    def __init__(self, conversation: conv.Conversation, transcript: Transcript,
                 hooks: Mapping[str, Hook] | None = None) -> None:
        self.conversation = conversation
        self.transcript = transcript
        conversation.on_request = transcript.request_sent
        self.hooks = dict(hooks or {})

    def run(self, steps: list[Step]) -> Outcome:
        """Run every step; the outcome names the failing step, if any."""
        checks = 0
        for index, step in enumerate(steps, start=1):
            where = f"step {index} (line {step.line}: {step.describe()})"
            for text in step.narration:
                self.transcript.narrate(text)
            self.transcript.step(index, step.describe())
            refreshes = self.conversation.refreshes
            try:
                turn = self._perform(step)
            except SimulatorError as error:
                message = f"{where} failed: {error}"
                self.transcript.failure(message)
                return Outcome(False, index, checks, message)
            refreshed = self.conversation.refreshes > refreshes
            for expectation in step.expectations:
                problem = self._check(expectation, turn, refreshed)
                if problem:
                    message = f"{where}: expected {expectation.describe()} (line {expectation.line}), but {problem}"
                    self.transcript.failure(message)
                    return Outcome(False, index, checks, message)
                checks += 1
                self.transcript.check(expectation.describe())
        self.transcript.summary(f"script passed: {len(steps)} steps, {checks} expectations")
        return Outcome(True, len(steps), checks)

    def _perform(self, step: Step) -> conv.Turn | None:
        c = self.conversation
        if step.name == "say":
            self.transcript.user(step.argument)
            turn = c.say(step.argument)
            self.transcript.turn(turn)
            return turn
        if step.name == "link":
            linked = c.link(on_step=self.transcript.link_step if self.transcript.verbose else None)
            if linked is not None:
                self.transcript.turn(linked)
            return linked
        if step.name == "unlink":
            c.unlink()
            return None
        if step.name == "revoke":
            c.revoke_on_server(step.argument or "refresh")
            return None
        if step.name == "advance":
            c.advance(float(step.argument))
            return None
        if step.name == "locale":
            c.set_locale(step.argument)
            self.transcript.note(f"locale is now {step.argument}")
            return None
        if step.name == "event":
            event = c.event_account_linked() if step.argument == "linked" else c.event_skill_disabled()
            if event is not None:
                self.transcript.turn(event)
            return event
        if step.name == "silence":
            quiet = c.silence()
            if quiet is not None:
                self.transcript.turn(quiet)
            return quiet
        if step.name == "end":
            ended = c.end_session()
            if ended is not None:
                self.transcript.turn(ended)
            return ended
        if step.name == "hook":
            hook = self.hooks.get(step.argument)
            if hook is None:
                raise ScriptError(f"no hook named {step.argument!r} (registered: {', '.join(sorted(self.hooks)) or 'none'})")
            self.transcript.note(f"hook {step.argument}")
            try:
                hook(c)
            except SimulatorError:
                raise
            except Exception as error:
                raise ScriptError(f"hook {step.argument} raised {error!r}") from error
            return None
        raise ScriptError(f"unknown step {step.name}")  # parse_script prevents this

    def _check(self, expectation: Expectation, turn: conv.Turn | None, refreshed: bool) -> str | None:
        c = self.conversation
        subject, argument = expectation.subject, expectation.argument
        if subject == "refreshed":
            return None if refreshed else "the access token was not refreshed before this step"
        if subject == "account":
            state = "unlinked" if c.account is None else ("refresh-failed" if c.account.refresh_failed else "linked")
            return None if state == argument else f"the account is {state}"
        if turn is None:
            return "this step sent no request to the skill"
        reply = turn.reply
        if subject == "speech":
            mode, _, needle = argument.partition(" ")
            found = needle.strip().casefold() in reply.speech.casefold()
            if found == (mode == "contains"):
                return None
            return f"Alexa said {reply.speech!r}"
        if subject == "card":
            actual = reply.card_type or "none"
            return None if actual.casefold() == argument.casefold() else f"the card was {actual}"
        if subject == "session":
            actual = "ends" if turn.session_ended else "open"
            if actual == argument:
                return None
            return "the session stayed open" if actual == "open" else "the session ended"
        return f"unknown expectation {subject}"


def run_script(conversation: conv.Conversation, steps: list[Step], out: TextIO,
               hooks: Mapping[str, Hook] | None = None) -> Outcome:
    """Convenience: run steps printing to `out`."""
    return ScriptRunner(conversation, Transcript(out), hooks).run(steps)
