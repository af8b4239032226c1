"""Hook functions the CLI tests load with --hook NAME=MODULE:FUNCTION."""
from __future__ import annotations

from alexa_linkcheck.simulator import Conversation


def forget_tokens(conversation: Conversation) -> None:
    """Drop the stored tokens, as if the user unlinked in the Alexa app."""
    conversation.unlink()


def press_ctrl_c(conversation: Conversation) -> None:
    """What the user's Ctrl-C does in the middle of a run."""
    raise KeyboardInterrupt
