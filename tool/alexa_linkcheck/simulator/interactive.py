"""Interactive mode: a console that reads utterances and `:commands` for what the Alexa app does.

On a terminal it prompts `you> ` and edits lines with the stdlib `readline` (arrows, history,
Tab completes commands); from a pipe it reads lines and echoes each as `you> ...` so the
transcript reads like a dialog. Ctrl-D (end of input) and `:quit` end with status 0, Ctrl-C
with 130; neither prints a traceback.
"""
from __future__ import annotations

import signal
import sys
import unicodedata
from typing import Callable, Iterator, TextIO

from . import conversation as conv
from .errors import SimulatorError
from .model import available_locales
from .transcript import Transcript

#: The console's prompt.
PROMPT = "you> "
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

COMMANDS = (":link", ":unlink", ":revoke", ":advance", ":locale", ":event", ":end", ":silence",
            ":tokens", ":verbose", ":help", ":quit")

HELP = """commands:
  :link              link the account in the 'Alexa app' (each step is shown), then send SkillAccountLinked
  :unlink            forget the stored tokens
  :revoke [refresh|access]  revoke a stored token at --revocation-url (a user removing access on the service)
  :advance SECONDS   move the simulator clock forward (token expiry)
  :locale [CODE]     list the skill's locales, or switch the device language
  :event linked|disabled   send a skill event (only those the manifest subscribes to)
  :end               end the session (SessionEndedRequest USER_INITIATED)
  :silence           say nothing (Alexa reprompts once, then ends with EXCEEDED_MAX_REPROMPTS)
  :tokens            the stored tokens (no secrets) and what Alexa will do with them next
  :verbose [on|off]  show the resolved intent and slots of every request (toggles without argument)
  :quit              leave (Ctrl-D too; Ctrl-C leaves with status 130)
anything else is an utterance, e.g. "open ride hailer\""""


def _seconds(value: float) -> str:
    return f"{int(value)} s"


def explain_tokens(conversation: conv.Conversation) -> list[str]:
    """The stored link state and what Alexa will do with it on the next request (no secrets)."""
    account = conversation.account
    if account is None:
        return ["not linked: requests carry no access token; a skill that needs a link answers with a "
                "LinkAccount card (type :link)"]
    left = (account.expires_at - conversation.clock.now()).total_seconds()
    refresh = account.tokens.refresh_token
    refresh_revoked = "refresh" in account.revoked
    lines = [
        f"access token: {'expired ' + _seconds(-left) + ' ago' if left <= 0 else 'valid for ' + _seconds(left)}"
        + ("; revoked at the authorization server" if "access" in account.revoked else ""),
        "refresh token: " + ("absent" if not refresh else "revoked at the authorization server" if refresh_revoked
                             else "present"),
    ]
    dead = "the skill gets a token its resource server rejects and should answer that the link has expired, " \
           "with a LinkAccount card; :link links again"
    if account.refresh_failed:
        lines.append(f"next request: the last refresh failed ({account.refresh_failed}), so Alexa keeps sending "
                     f"the dead access token and does not retry; {dead}")
    elif left <= 0 and not refresh:
        lines.append(f"next request: Alexa has no refresh token and sends the expired access token; {dead}")
    elif left <= 0 and refresh_revoked:
        lines.append("next request: Alexa first refreshes at the token URL; that will fail (invalid_grant, the "
                     f"refresh token is revoked), Alexa then sends the dead access token and {dead}")
    elif left <= 0:
        lines.append("next request: Alexa first refreshes the access token at the token URL, stores the new "
                     "pair and sends the new access token")
    elif "access" in account.revoked:
        lines.append("next request: Alexa does not know of the revocation and sends this access token; the "
                     "resource server rejects it, so the skill should answer that the link has expired (once its "
                     f"profile cache, if any, forgets the token); at expiry in {_seconds(left)} Alexa refreshes"
                     + (" and the new token works again" if refresh and not refresh_revoked else ""))
    elif refresh_revoked:
        lines.append(f"next request: Alexa sends this access token, which works until it expires in {_seconds(left)}; "
                     "then the refresh will fail (invalid_grant, the refresh token is revoked) and the next request "
                     "gets the skill's link-expired answer with a LinkAccount card")
    else:
        lines.append(f"next request: Alexa sends this access token; after {_seconds(left)} (:advance) it refreshes "
                     "it first" if refresh else
                     f"next request: Alexa sends this access token; after {_seconds(left)} it expires and, without a "
                     "refresh token, the user must link again")
    real_left = (account.real_expires_at - conversation.clock.wall()).total_seconds() if account.real_expires_at else 0
    dead_for_alexa = left <= 0 and (account.refresh_failed or not refresh or refresh_revoked)
    if dead_for_alexa and real_left > 0 and "access" not in account.revoked:
        lines.append(f"note: :advance moved only Alexa's clock; the authorization server keeps real time and may "
                     f"accept this access token for another {_seconds(real_left)}, so the skill may still answer as "
                     "linked until then (:revoke access makes it dead now)")
    return lines


def _list_locales(conversation: conv.Conversation) -> str:
    known = available_locales(conversation.skill_package) if conversation.skill_package else []
    return (f"locales of this skill: {', '.join(known) or 'none found'} (now {conversation.locale}); "
            ":locale CODE switches")


def _has_control_characters(line: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in line)


def _terminal_lines(conversation: conv.Conversation) -> Iterator[str]:
    """Lines typed at a terminal, with the prompt and readline editing and history."""
    try:
        import readline
    except ImportError:  # no GNU readline/libedit on this platform: a prompt without editing
        readline = None  # type: ignore[assignment]
    if readline is not None:
        def complete(text: str, state: int) -> str | None:
            matches = [command for command in COMMANDS if command.startswith(text)] if text.startswith(":") else []
            return matches[state] if state < len(matches) else None
        readline.set_completer_delims(" ")
        readline.set_completer(complete)
        readline.parse_and_bind("tab: complete")
    while True:
        try:
            yield input(PROMPT)
        except EOFError:  # Ctrl-D
            sys.stdout.write("\n")
            return


def _stream_lines(stdin: TextIO) -> Iterator[str]:
    for raw in stdin:
        yield raw.rstrip("\r\n")


def run_interactive(conversation: conv.Conversation, transcript: Transcript, stdin: TextIO) -> int:
    """Read lines until end of input or :quit (0) or Ctrl-C (130); errors are shown and the loop goes on."""
    terminal = stdin is sys.stdin and stdin.isatty()
    if terminal:
        # Ctrl-C at the prompt ends the console even when a shell started us with SIGINT
        # ignored (a background job, some CI runners): Python then installs no handler.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    lines = _terminal_lines(conversation) if terminal else _stream_lines(stdin)
    echo: Callable[[str], None] = (lambda line: None) if terminal else transcript.user  # a terminal shows what was typed
    conversation.on_request = transcript.request_sent
    transcript.note(f"simulator ready ({conversation.locale}); type an utterance, or :help for commands")
    try:
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if _has_control_characters(line):
                transcript.note("ignored a line with control characters (an arrow key without a terminal?); "
                                "line editing needs a terminal")
                continue
            if not _perform(line, conversation, transcript, echo):
                break
    except KeyboardInterrupt:  # Ctrl-C
        transcript.out.write("\n")
        transcript.note("interrupted")
        return EXIT_INTERRUPTED
    return 0


def _perform(line: str, conversation: conv.Conversation, transcript: Transcript, echo: Callable[[str], None]) -> bool:
    """Run one line; False ends the console."""
    command, _, argument = line.partition(" ")
    argument = argument.strip()
    try:
        if command in (":quit", ":exit", ":q"):
            return False
        if command == ":help":
            transcript.out.write(HELP + "\n")
        elif command == ":link":
            turn = conversation.link(on_step=transcript.link_step)
            if turn is not None:
                transcript.turn(turn)
            transcript.note("Alexa stores the tokens and puts the access token into every request from now on")
        elif command == ":revoke":
            conversation.revoke_on_server(argument or "refresh")
            for text in explain_tokens(conversation)[-1:]:
                transcript.note(text)
        elif command == ":unlink":
            conversation.unlink()
        elif command == ":advance":
            conversation.advance(float(argument))
        elif command == ":locale":
            if not argument:
                transcript.note(_list_locales(conversation))
            else:
                conversation.set_locale(argument)
                transcript.note(f"locale is now {argument}")
        elif command == ":event" and argument in ("linked", "disabled"):
            turn = conversation.event_account_linked() if argument == "linked" else conversation.event_skill_disabled()
            if turn is not None:
                transcript.turn(turn)
        elif command == ":end":
            ended = conversation.end_session()
            transcript.turn(ended) if ended else transcript.note("no open session")
        elif command == ":silence":
            quiet = conversation.silence()
            transcript.turn(quiet) if quiet else transcript.note("no open session")
        elif command == ":tokens":
            for text in explain_tokens(conversation):
                transcript.note(text)
        elif command == ":verbose":
            if argument not in ("", "on", "off"):
                transcript.note(":verbose takes on or off")
            else:
                transcript.verbose = (not transcript.verbose) if not argument else argument == "on"
                transcript.note(f"verbose {'on: each request shows its intent and slots' if transcript.verbose else 'off'}")
        elif command.startswith(":"):
            transcript.note(f"unknown command {line!r}; type :help")
        else:
            echo(line)
            turn = conversation.say(line)
            transcript.turn(turn)
            if turn.reply.card_type == conv.LINK_ACCOUNT_CARD:
                transcript.note("type :link to link in the Alexa app")
    except SimulatorError as error:
        transcript.note(f"error: {error}")
    except ValueError:
        transcript.note(f"{command} needs a number")
    return True
