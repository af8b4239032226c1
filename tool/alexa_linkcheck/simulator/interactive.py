"""Interactive mode: utterances from a stream, `:commands` for what the Alexa app does."""
from __future__ import annotations

from typing import TextIO

from . import conversation as conv
from .errors import SimulatorError
from .transcript import Transcript

HELP = """commands:
  :link              link the account in the 'Alexa app' (login + consent), then send SkillAccountLinked
  :unlink            forget the stored tokens
  :revoke [refresh|access]  revoke a stored token at --revocation-url (a user removing access)
  :advance SECONDS   move the simulator clock forward (token expiry)
  :locale CODE       switch the device language (en-US, en-GB, de-DE, ...)
  :event linked|disabled   send a skill event
  :end               end the session (SessionEndedRequest USER_INITIATED)
  :silence           say nothing (Alexa reprompts once, then ends with EXCEEDED_MAX_REPROMPTS)
  :tokens            show the stored token state (no secrets)
  :quit              leave
anything else is an utterance, e.g. "open ride hailer\""""


def _tokens(conversation: conv.Conversation) -> str:
    account = conversation.account
    if account is None:
        return "not linked"
    left = (account.expires_at - conversation.clock.now()).total_seconds()
    state = f"access token {'expired' if left <= 0 else f'valid for {int(left)} s'}"
    state += f"; refresh token {'present' if account.tokens.refresh_token else 'absent'}"
    if account.refresh_failed:
        state += f"; last refresh failed: {account.refresh_failed}"
    return state


def run_interactive(conversation: conv.Conversation, transcript: Transcript, stdin: TextIO) -> int:
    """Read lines until EOF or :quit; errors are shown and the loop goes on."""
    transcript.note(f"simulator ready ({conversation.locale}); type :help for commands")
    for raw in stdin:
        line = raw.strip()
        if not line:
            continue
        command, _, argument = line.partition(" ")
        argument = argument.strip()
        try:
            if command in (":quit", ":exit", ":q"):
                break
            elif command == ":help":
                transcript.out.write(HELP + "\n")
            elif command == ":link":
                transcript.turn(conversation.link())
            elif command == ":revoke":
                conversation.revoke_on_server(argument or "refresh")
            elif command == ":unlink":
                conversation.unlink()
            elif command == ":advance":
                conversation.advance(float(argument))
            elif command == ":locale":
                conversation.set_locale(argument)
                transcript.note(f"locale is now {argument}")
            elif command == ":event" and argument in ("linked", "disabled"):
                turn = conversation.event_account_linked() if argument == "linked" else conversation.event_skill_disabled()
                transcript.turn(turn)
            elif command == ":end":
                ended = conversation.end_session()
                transcript.turn(ended) if ended else transcript.note("no open session")
            elif command == ":silence":
                quiet = conversation.silence()
                transcript.turn(quiet) if quiet else transcript.note("no open session")
            elif command == ":tokens":
                transcript.note(_tokens(conversation))
            elif command.startswith(":"):
                transcript.note(f"unknown command {line!r}; type :help")
            else:
                transcript.user(line)
                turn = conversation.say(line)
                transcript.turn(turn)
                if turn.reply.card_type == conv.LINK_ACCOUNT_CARD:
                    transcript.note("type :link to link in the Alexa app")
        except SimulatorError as error:
            transcript.note(f"error: {error}")
        except ValueError:
            transcript.note(f"{command} needs a number")
    return 0
