"""Fixtures of linkcheck's tests: a valid ASK CLI v2 project to break one defect at a time."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

GOOD_PROJECT = Path(__file__).parent / "fixtures" / "good_project"


class ProjectCopy:
    """A copy of the good project in a tmp folder, with JSON editing helpers."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, rel: str) -> Any:
        """Parsed JSON of a project file."""
        return json.loads((self.root / rel).read_text(encoding="utf-8"))

    def write(self, rel: str, data: Any) -> None:
        """Write JSON (or text) to a project file."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2),
                        encoding="utf-8")

    def edit(self, rel: str, change: Callable[[Any], None]) -> None:
        """Apply ``change`` to the parsed JSON of a file and write it back."""
        data = self.read(rel)
        change(data)
        self.write(rel, data)


@pytest.fixture
def project(tmp_path: Path) -> ProjectCopy:
    """A fresh copy of the valid fixture project."""
    root = tmp_path / "project"
    shutil.copytree(GOOD_PROJECT, root)
    return ProjectCopy(root)
