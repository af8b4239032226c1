"""What ships to Lambda: the import rule, the ASK CLI build, and mypy on lambda/."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
LAMBDA = ROOT / "lambda"
LIBRARY = ROOT / "library"
FORBIDDEN = ("flask", "sqlalchemy", "authlib", "werkzeug", "ride_hailer_service", "alexa_linkcheck")


def test_importing_lambda_function_loads_no_web_or_database_framework():
    code = (
        "import sys, json; import lambda_function; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("RIDE_HAILER_API_URL", "PROFILE_PROVIDER")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=LAMBDA, env=env,
        capture_output=True, text=True, check=True, timeout=120,
    )
    loaded = set(json.loads(out.stdout))
    assert "ask_sdk_core" in loaded and "requests" in loaded
    assert not loaded & set(FORBIDDEN), loaded & set(FORBIDDEN)


def test_lambda_and_library_sources_import_nothing_from_the_service_or_web_frameworks():
    offenders = []
    for path in [*LAMBDA.rglob("*.py"), *LIBRARY.rglob("*.py")]:
        if "webservice" in path.relative_to(ROOT).parts or "__pycache__" in path.parts:
            continue  # the library's web-service extra may import Flask
        for line in path.read_text().splitlines():
            words = line.strip().split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1:
                if words[1].split(".")[0].lower() in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def _requirement_lines(path: Path) -> list[str]:
    return [
        line.strip() for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_lambda_requirements_hold_pinned_runtime_dependencies_and_the_library_by_path():
    lines = _requirement_lines(LAMBDA / "requirements.txt")
    pinned = [line for line in lines if "==" in line]
    assert sorted(line.split("==")[0].lower() for line in pinned) == ["ask-sdk-core", "requests"]
    # The rest is the library, by a path that resolves from .ask/lambda/ (the CLI's build folder).
    assert [line for line in lines if "==" not in line] == ["../../library"]
    assert (ROOT / ".ask" / "lambda" / "../../library").resolve() == LIBRARY.resolve()
    # The development environment pins the same versions.
    assert set(pinned) <= set(_requirement_lines(ROOT / "requirements.txt"))


@pytest.mark.slow
def test_ask_cli_style_build_answers_a_launch_request(tmp_path):
    # As ask-cli 2.30.7 does: the project is where it is; the CLI copies the code folder to
    # <project>/.ask/lambda/ and runs pip there. Here the project itself is a copy.
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "tests", "dist", "build", "__pycache__", "*.pyc", "*.egg-info", ".ask"))
    build = project / ".ask" / "lambda"
    shutil.copytree(project / "lambda", build)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-r", "requirements.txt", "-t", "."],
        cwd=build, check=True, timeout=540, capture_output=True,
    )
    assert (build / "account_linking" / "__init__.py").is_file()  # installed, not copied
    envelope = (FIXTURES / "launch.unlinked.json").read_text()
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(build)!r})\n"
        "import lambda_function\n"
        "out = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)\n"
        "print(json.dumps({'answer': out, 'flask': 'flask' in sys.modules,"
        " 'paths': [p for p in sys.path if 'site-packages' in p]}))\n"
    )
    env = {"RIDE_HAILER_API_URL": "https://ride-hailer.example.com", "PATH": os.environ.get("PATH", "")}
    # -I: isolated (no env vars, no user site); -S: no site-packages, only the build folder.
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], input=envelope, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["paths"] == [] and result["flask"] is False
    assert "Welcome to Ride Hailer" in result["answer"]["response"]["outputSpeech"]["ssml"]


@pytest.mark.slow
def test_mypy_strict_passes_on_the_skill_packages():
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "library/account_linking", "lambda/ride_hailer", "lambda/lambda_function.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
