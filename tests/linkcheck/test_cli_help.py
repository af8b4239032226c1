"""The tool's help teaches: examples and the docs at the top, a description and help text for
every option of `project` and `server` (issue 17: options without help or defaults)."""
from __future__ import annotations

import argparse

import pytest

from alexa_linkcheck.__main__ import build_parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_top_level_help_has_examples_exit_statuses_and_the_docs() -> None:
    text = build_parser().format_help()
    assert "examples:" in text and "alexa-linkcheck project ." in text and "alexa-linkcheck server" in text
    assert "exit status:" in text and "docs/linkcheck.md" in text


@pytest.mark.parametrize("command", ["project", "server", "simulate", "simulate-smarthome"])
def test_every_option_has_help_text(command: str) -> None:
    sub = _subparsers(build_parser())[command]
    missing = [a.option_strings or [a.dest] for a in sub._actions
               if not isinstance(a, argparse._HelpAction) and not a.help]
    assert missing == []


def test_server_help_says_what_it_does() -> None:
    text = _subparsers(build_parser())["server"].format_help()
    assert "exactly as Alexa calls it" in text and "docs/linkcheck.md" in text
