"""The project layout that `ask deploy` and the README rely on."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(path: Path) -> list[str]:
    return [
        line.strip() for line in path.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]


def test_root_requirements_start_with_the_skill_runtime_pins() -> None:
    skill = _pins(ROOT / "lambda" / "requirements.txt")
    assert _pins(ROOT / "requirements.txt")[: len(skill)] == skill


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
