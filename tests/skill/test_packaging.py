"""What ships to Lambda: the import rule, the ASK CLI build, and mypy on lambda/."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
LAMBDA = ROOT / "lambda"
FORBIDDEN = ("flask", "sqlalchemy", "authlib", "werkzeug", "ride_hailer_service", "linkcheck")


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


def test_lambda_sources_import_nothing_from_the_service_or_web_frameworks():
    offenders = []
    for path in LAMBDA.rglob("*.py"):
        if path.name == "webservice.py" or "__pycache__" in path.parts:
            continue
        for line in path.read_text().splitlines():
            words = line.strip().split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1:
                if words[1].split(".")[0].lower() in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def test_lambda_requirements_hold_only_pinned_skill_runtime_dependencies():
    lines = [
        line.strip() for line in (LAMBDA / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(line.split("==")[0].lower() for line in lines) == ["ask-sdk-core", "requests"]
    assert all("==" in line for line in lines)


def test_ask_cli_style_build_answers_a_launch_request(tmp_path):
    build = tmp_path / "lambda"
    shutil.copytree(LAMBDA, build, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-r", "requirements.txt", "-t", "."],
        cwd=build, check=True, timeout=540, capture_output=True,
    )
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


def test_mypy_strict_passes_on_the_skill_packages():
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "lambda/account_linking", "lambda/ride_hailer", "lambda/lambda_function.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
