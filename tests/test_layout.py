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


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of the modules a Python file imports (absolute imports only)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_bench_and_devstack_import_nothing_from_tests() -> None:
    """Shared test and development infrastructure lives in devstack/ (docs/ARCHITECTURE.md)."""
    test_modules = {path.stem for path in (ROOT / "tests").rglob("*.py")
                    if "fixtures" not in path.parts} - {"__init__", "conftest"}
    offenders: dict[str, set[str]] = {}
    for folder in ("bench", "devstack"):
        for path in (ROOT / folder).rglob("*.py"):
            reached = _imported_modules(path) & (test_modules | {"tests"})
            if reached:
                offenders[str(path.relative_to(ROOT))] = reached
    assert offenders == {}


def test_bench_puts_no_tests_folder_on_sys_path() -> None:
    import json
    import subprocess
    import sys

    code = ("import json, sys; from bench.common import setup_paths; setup_paths(); "
            "import bench.skills, devstack.servers, devstack.resource_server, devstack.stack; "
            "print(json.dumps(sys.path))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    tests = ROOT / "tests"
    assert [p for p in json.loads(done.stdout) if p and (tests == Path(p) or tests in Path(p).parents)] == []
