"""`alexa-linkcheck project .` on this repository: the kit's own skill project must pass.

Needs the skill project (ask-resources.json, skill-package/, lambda/) from the skill branch:
it runs after the branches are merged.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from alexa_linkcheck.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def test_linkcheck_project_on_this_repository_finds_no_errors(
        capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["project", str(ROOT), "--json"])
    report = json.loads(capsys.readouterr().out)
    errors = [f for f in report["findings"] if f["level"] == "error"]
    assert (status, errors) == (0, [])
