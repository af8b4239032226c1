"""`## ` narration lines of a dialog file are printed before the step that follows them."""
from __future__ import annotations

import io

from alexa_linkcheck.simulator.script import ScriptRunner, parse_script
from alexa_linkcheck.simulator.transcript import Transcript

from devstack.demo import DEFAULT_DIALOG


def test_narration_lines_attach_to_the_next_step_keeping_their_indentation() -> None:
    steps = parse_script("## Two lines\n##   of story.\n# a plain comment\nsay hello\n  expect card none\nend\n")
    assert steps[0].narration == ["Two lines", "  of story."]
    assert steps[1].narration == []
    assert [e.describe() for e in steps[0].expectations] == ["card none"]


def test_narration_is_printed_before_the_step_header() -> None:
    out = io.StringIO()
    runner = ScriptRunner(conversation=_NoConversation(), transcript=Transcript(out))
    runner.run(parse_script("## The clock moves.\nadvance 10\n"))
    assert out.getvalue().splitlines()[:2] == ["# The clock moves.", "--- step 1: advance 10"]


def test_the_demo_dialog_tells_its_story_in_narration() -> None:
    steps = parse_script(DEFAULT_DIALOG.read_text(encoding="utf-8"))
    told = " ".join(line for step in steps for line in step.narration)
    for beat in ("Unlinked launch", "fare estimate", "LinkAccount card", "login and consent pages",
                 "refreshes the access token", "revocation", "Relink and cancel"):
        assert beat in told


class _NoConversation:
    """Just enough of a conversation for an `advance` step."""

    refreshes = 0

    def advance(self, seconds: float) -> None:
        pass
