"""The project layout that `ask deploy` and the README rely on."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_root_requirements_start_with_the_skill_runtime_requirements() -> None:
    first = next(
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert first == "-r lambda/requirements.txt"


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
