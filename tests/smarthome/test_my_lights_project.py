"""My Lights is a valid smart home ASK CLI v2 project whose Lambda builds from the library."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devstack.smarthome import MY_LIGHTS

ROOT = Path(__file__).resolve().parents[2]


def _json(path: str) -> dict:
    return json.loads((MY_LIGHTS / path).read_text())


def test_manifest_is_smart_home_with_an_endpoint_per_region_and_the_events_permission() -> None:
    manifest = _json("skill-package/skill.json")["manifest"]
    smart_home = manifest["apis"]["smartHome"]
    assert smart_home["protocolVersion"] == "3"
    assert set(smart_home["regions"]) == {"NA", "EU", "FE"}
    assert {"name": "alexa::async_event:write"} in manifest["permissions"]
    assert set(manifest["publishingInformation"]["locales"]) == {"en-US", "en-GB", "de-DE"}


def test_account_linking_is_auth_code_without_a_secret() -> None:
    request = _json("skill-package/accountLinking.json")["accountLinkingRequest"]
    assert request["type"] == "AUTH_CODE"
    assert "clientSecret" not in request
    assert request["scopes"] == ["lights"]


def test_lambda_requirements_name_the_library_from_where_the_ask_cli_runs_pip() -> None:
    lines = [line.strip() for line in (MY_LIGHTS / "lambda" / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    paths = [line for line in lines if line.startswith(".")]
    assert paths == ["../../../../library"]
    build_dir = MY_LIGHTS / ".ask" / "lambda"  # where `ask deploy` runs pip
    assert ((build_dir / paths[0]).resolve() / "pyproject.toml").is_file()
    assert (build_dir / paths[0]).resolve() == ROOT / "library"


def test_ask_resources_point_at_the_lambda_and_its_device_cloud_setting() -> None:
    profile = _json("ask-resources.json")["profiles"]["default"]
    assert profile["code"]["default"]["src"] == "./lambda"
    config = profile["skillInfrastructure"]["userConfig"]
    assert config["handler"] == "lambda_function.lambda_handler"
    assert "MY_LIGHTS_API_URL" in config["environmentVariables"]


def test_lambda_imports_no_flask_sqlalchemy_authlib_or_the_service() -> None:
    code = ("import sys, os; os.environ['MY_LIGHTS_API_URL'] = 'https://cloud.example.com'; "
            f"sys.path.insert(0, {str(MY_LIGHTS / 'lambda')!r}); import lambda_function; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'authlib', 'ride_hailer_service', 'alexa_linkcheck', "
            "'my_lights_cloud') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert result.stdout.strip() == "[]"


def test_lambda_passes_mypy_strict() -> None:
    lambda_dir = MY_LIGHTS.relative_to(ROOT) / "lambda"
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "library/account_linking",
                             str(lambda_dir / "my_lights"), str(lambda_dir / "lambda_function.py")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ask_cli_style_build_answers_the_real_discovery_directive_from_a_live_device_cloud(tmp_path: Path) -> None:
    """As ask-cli does: copy lambda/ to <project>/.ask/lambda/, pip install there, zip-equivalent run."""
    import os
    import shutil

    from alexa_linkcheck.simulator.linking import link_account

    from .conftest import DISCOVER, linking_config, real_directive

    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "tests", "dist", "build", "__pycache__", "*.pyc", "*.egg-info", ".ask"))
    project = repo / MY_LIGHTS.relative_to(ROOT)
    build = project / ".ask" / "lambda"
    shutil.copytree(project / "lambda", build)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-r", "requirements.txt", "-t", "."], cwd=build, check=True, timeout=540, capture_output=True)
    assert (build / "account_linking" / "smarthome" / "__init__.py").is_file()  # installed, not copied

    from devstack.smarthome import MyLightsStack

    with MyLightsStack() as stack:
        tokens = link_account(linking_config(stack), stack.email, stack.password)
        event = json.dumps(real_directive(DISCOVER, tokens.access_token))
        code = (
            "import json, sys\n"
            f"sys.path.insert(0, {str(build)!r})\n"
            "import lambda_function\n"
            "out = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)\n"
            "print(json.dumps({'answer': out, 'flask': 'flask' in sys.modules,"
            " 'paths': [p for p in sys.path if 'site-packages' in p]}))\n"
        )
        env = {"MY_LIGHTS_API_URL": stack.cloud_url, "PATH": os.environ.get("PATH", "")}
        out = subprocess.run([sys.executable, "-I", "-S", "-c", code], input=event, env=env,
                             capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["paths"] == [] and result["flask"] is False
    answer = result["answer"]["event"]
    assert answer["header"]["name"] == "Discover.Response"
    assert {e["friendlyName"] for e in answer["payload"]["endpoints"]} == {"Kitchen light", "Hallway light"}
