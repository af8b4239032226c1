"""examples/hello_world: an outside-style skill on the library's wheel alone.

Built the way the ASK CLI builds (a copy of the project, the code folder copied to
.ask/lambda/, `pip install -r requirements.txt -t ./` there), with the library taken from
the wheel `make dist` makes (PIP_FIND_LINKS, as a developer with the wheel would), then
answered in a fresh interpreter that sees only the build folder, against a real Login with
Amazon profile stand-in on 127.0.0.1. Driven by the simulator too.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Optional

import pytest

from devstack.resource_server import LWA_PATH, ResourceServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hello_world"
TOKEN = "Atza|hello-world-linked-user"


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), "./library"],
                   cwd=ROOT, check=True, timeout=300, capture_output=True)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, wheel_dir: Path) -> Path:
    project = tmp_path_factory.mktemp("hello") / "hello_world"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".ask", "__pycache__"))
    build = project / ".ask" / "lambda"
    shutil.copytree(project / "lambda", build)
    env = {**os.environ, "PIP_FIND_LINKS": str(wheel_dir), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt", "-t", "./"],
                          cwd=build, env=env, timeout=540, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return build


def _envelope(request: dict[str, Any], token: Optional[str]) -> dict[str, Any]:
    user: dict[str, Any] = {"userId": "amzn1.ask.account.HELLO"}
    if token is not None:
        user["accessToken"] = token
    application = {"applicationId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.hello", "application": application,
                    "user": user, "attributes": {}},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "device", "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "timestamp": "2026-12-05T10:00:00Z",
                    "locale": "en-US", **request},
    }


def _intent(name: str, token: Optional[str] = None) -> dict[str, Any]:
    return _envelope({"type": "IntentRequest", "dialogState": "COMPLETED",
                      "intent": {"name": name, "confirmationStatus": "NONE", "slots": {}}}, token)


def answer(build: Path, envelope: dict[str, Any], profile_url: str) -> dict[str, Any]:
    """lambda_handler of the build, in `python -I -S` (nothing but the build folder on the path)."""
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(build)!r})\n"
        "import lambda_function\n"
        "out = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)\n"
        "import account_linking\n"
        "print(json.dumps({'answer': out, 'library': account_linking.__file__,"
        " 'flask': 'flask' in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code], input=json.dumps(envelope),
                          env={"LWA_PROFILE_URL": profile_url, "PATH": os.environ.get("PATH", "")},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["library"].startswith(str(build)) and result["flask"] is False
    return result["answer"]


def speech(out: dict[str, Any]) -> str:
    return out["response"].get("outputSpeech", {}).get("ssml", "")


def card(out: dict[str, Any]) -> Optional[str]:
    return (out["response"].get("card") or {}).get("type")


@pytest.fixture
def lwa() -> Any:
    server = ResourceServer().start()
    yield server
    server.stop()


def test_the_build_installs_the_library_from_the_wheel_not_from_the_repository(built: Path) -> None:
    installed = [p.name for p in built.glob("alexa_account_linking-*.dist-info")]
    assert installed, sorted(p.name for p in built.iterdir())
    assert (built / "account_linking" / "__init__.py").is_file()


def test_hello_works_without_a_link(built: Path, lwa: ResourceServer) -> None:
    out = answer(built, _intent("HelloWorldIntent"), lwa.url + LWA_PATH)
    assert "Hello World!" in speech(out) and card(out) is None
    assert lwa.state.seen == []  # a public handler never asks the resource server


def test_who_am_i_unlinked_answers_with_a_link_account_card(built: Path, lwa: ResourceServer) -> None:
    out = answer(built, _intent("WhoAmIIntent"), lwa.url + LWA_PATH)
    assert card(out) == "LinkAccount"
    assert "link your account" in speech(out)


def test_who_am_i_linked_says_the_name_from_the_profile(built: Path, lwa: ResourceServer) -> None:
    out = answer(built, _intent("WhoAmIIntent", TOKEN), lwa.url + LWA_PATH)
    assert "You are Ada." in speech(out) and card(out) is None
    assert lwa.state.seen[0].headers.get("Authorization") == f"Bearer {TOKEN}"


@pytest.mark.parametrize("mode, words, linkcard", [
    ("401", "expired", True),            # the token was rejected: relink
    ("403", "permission", True),         # the profile scope is missing: relink, allowing it
    ("500", "can't reach your account", False),  # a server hiccup is never a relink
    ("malformed", "can't reach your account", False),
])
def test_who_am_i_outcomes_when_the_profile_server_refuses_or_fails(built: Path, lwa: ResourceServer, mode: str,
                                                                      words: str, linkcard: bool) -> None:
    lwa.state.modes[LWA_PATH] = mode
    out = answer(built, _intent("WhoAmIIntent", TOKEN), lwa.url + LWA_PATH)
    assert words in speech(out), speech(out)
    assert (card(out) == "LinkAccount") is linkcard


def test_skill_account_linked_event_gets_an_empty_answer(built: Path, lwa: ResourceServer) -> None:
    event = _envelope({"type": "AlexaSkillEvent.SkillAccountLinked", "body": {"accessToken": TOKEN}}, TOKEN)
    del event["session"]
    out = answer(built, event, lwa.url + LWA_PATH)
    assert "outputSpeech" not in out["response"] and card(out) is None


def test_the_simulator_drives_the_example_unlinked(tmp_path: Path, built: Path, lwa: ResourceServer) -> None:
    dialog = tmp_path / "hello.dialog"
    dialog.write_text(
        "say open hello linked world\n  expect speech contains Welcome\n"
        "say hello\n  expect speech contains Hello World\n  expect card none\n"
        "say who am I\n  expect card LinkAccount\n  expect speech contains Alexa app\n")
    done = subprocess.run(
        [sys.executable, "-m", "alexa_linkcheck", "simulate", str(dialog), "--project", str(built.parent.parent),
         "--lambda", str(built), "--env", f"LWA_PROFILE_URL={lwa.url}{LWA_PATH}"],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "script passed" in done.stdout
