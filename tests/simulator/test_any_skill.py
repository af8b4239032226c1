"""The simulator runs any skill: its handler from ask-resources.json, only the events its manifest subscribes to."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from alexa_linkcheck.simulator import Conversation, LambdaTarget, WebServiceTarget
from alexa_linkcheck.simulator.cli import build_parser, main
from alexa_linkcheck.simulator.errors import TargetError
from alexa_linkcheck.simulator.model import event_subscriptions, lambda_handler_name

from devstack.servers import free_port

from .conftest import recorded_events
from .oauth_server import OAuthServer
from .test_script import _cli_args, cli_env  # noqa: F401  (fixture)


def _move_handler(project: Path, handler: str, module_path: str) -> None:
    """Rename lambda_function.py and name the new handler in ask-resources.json, as a skill author might."""
    code = project / "lambda"
    target = code / module_path
    target.parent.mkdir(parents=True, exist_ok=True)
    (code / "lambda_function.py").rename(target)
    if target.parent != code:
        (target.parent / "__init__.py").write_text("")
    resources = json.loads((project / "ask-resources.json").read_text())
    resources["profiles"]["default"]["skillInfrastructure"] = {
        "type": "@ask-cli/lambda-deployer", "userConfig": {"runtime": "python3.12", "handler": handler}}
    (project / "ask-resources.json").write_text(json.dumps(resources))


def test_handler_comes_from_ask_resources_user_config(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _move_handler(project, "taxi_skill/app.handler", "taxi_skill/app.py")
    (project / "lambda" / "taxi_skill" / "app.py").write_text(
        (project / "lambda" / "taxi_skill" / "app.py").read_text().replace("lambda_handler = ", "handler = "))
    assert lambda_handler_name(project) == "taxi_skill/app.handler"
    script = tmp_path / "launch.dialog"
    script.write_text("say open test taxi\n  expect speech contains welcome\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 0, capsys.readouterr()


def test_handler_option_overrides_ask_resources(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _move_handler(project, "missing.lambda_handler", "main.py")
    script = tmp_path / "launch.dialog"
    script.write_text("say open test taxi\n  expect speech contains welcome\n")
    assert main([str(script), *_cli_args(project, oauth_server)]) == 2
    assert "no missing.py in" in capsys.readouterr().err
    assert main([str(script), *_cli_args(project, oauth_server, "--handler", "main.lambda_handler")]) == 0


def test_handler_that_is_not_module_dot_function_is_a_clear_error(project: Path) -> None:
    _move_handler(project, "lambda_handler", "lambda_function.py")
    with pytest.raises(Exception, match="userConfig.handler 'lambda_handler' is not MODULE.FUNCTION"):
        lambda_handler_name(project)


def test_without_ask_resources_user_config_the_default_handler_is_used(project: Path) -> None:
    assert lambda_handler_name(project) == "lambda_function.lambda_handler"


def test_subscriptions_come_from_the_manifest_and_ask_resources_skill_events(project: Path) -> None:
    (project / "skill-package" / "skill.json").write_text(json.dumps(
        {"manifest": {"events": {"subscriptions": [{"eventName": "SKILL_DISABLED"}]}}}))
    assert event_subscriptions(project / "skill-package") == {"SKILL_DISABLED"}
    resources = json.loads((project / "ask-resources.json").read_text())
    resources["profiles"]["default"]["skillInfrastructure"] = {"userConfig": {
        "handler": "lambda_function.lambda_handler", "skillEvents": {"subscriptions": ["SKILL_ACCOUNT_LINKED"]}}}
    (project / "ask-resources.json").write_text(json.dumps(resources))
    assert event_subscriptions(project / "skill-package", project) == {"SKILL_DISABLED", "SKILL_ACCOUNT_LINKED"}


def test_a_skill_without_a_manifest_gets_no_skill_events(
        make_conversation, project: Path, events_file: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "skill-package" / "skill.json").unlink()
    notes: list[str] = []
    c: Conversation = make_conversation(note=notes.append)
    assert c.link() is None
    assert c.account is not None  # linked all the same; only the event is not sent
    assert c.event_skill_disabled() is None
    assert c.account is None  # disabling forgets the tokens either way
    assert recorded_events(events_file) == []
    assert any("does not subscribe to SKILL_ACCOUNT_LINKED" in note for note in notes)


def test_subscribed_events_are_sent(make_conversation, events_file: Path) -> None:  # type: ignore[no-untyped-def]
    c: Conversation = make_conversation()
    assert c.link() is not None
    assert c.event_skill_disabled() is not None
    assert [event["type"] for event in recorded_events(events_file)] == ["SkillAccountLinked", "SkillDisabled"]


def test_missing_dialog_file_exits_two_without_a_traceback(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.dialog"), *_cli_args(project, oauth_server)]) == 2
    err = capsys.readouterr().err
    assert f"alexa-linkcheck simulate: error: dialog file {tmp_path / 'nope.dialog'}: no such file" in err
    assert "Traceback" not in err


def test_closed_port_says_cannot_connect_and_asks_whether_the_skill_runs(project: Path) -> None:
    port = free_port()  # nobody listens there: the connection is refused
    target = WebServiceTarget(f"http://127.0.0.1:{port}/alexa", timeout=5)
    with pytest.raises(TargetError) as raised:
        Conversation(target, project / "skill-package").say("count")
    assert str(raised.value).startswith(f"cannot connect to 127.0.0.1:{port}: is the skill running?")
    assert "ConnectionError" not in str(raised.value) and "Max retries" not in str(raised.value)


def test_help_opens_with_what_the_simulator_does_and_every_option_has_help_and_default() -> None:
    parser = build_parser()
    text = parser.format_help()
    description = text.split("\n\n")[1]
    assert description.startswith("Play the Alexa app, the Alexa service and an Echo against a skill")
    assert "no logic here" not in text and "docs: docs/simulator.md" in text and "examples:" in text
    for action in parser._actions:
        if action.dest in ("help",):
            continue
        assert action.help, f"{action.option_strings or action.dest} has no help"
        if action.option_strings:
            assert "default" in action.help or action.required, f"{action.option_strings} does not state its default"


def test_lambda_target_calls_the_named_handler_in_a_subfolder(project: Path) -> None:
    _move_handler(project, "pkg/entry.lambda_handler", "pkg/entry.py")
    target = LambdaTarget(project / "lambda", handler="pkg/entry.lambda_handler")
    assert target.handler_name == "lambda_handler"


def test_ctrl_c_during_a_dialog_run_exits_130_without_a_traceback(
        project: Path, oauth_server: OAuthServer, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "interrupted.dialog"
    script.write_text("say open test taxi\nhook stop\nsay count\n")
    args = _cli_args(project, oauth_server, "--hook", "stop=tests.simulator.hook_targets:press_ctrl_c")
    assert main([str(script), *args]) == 130
    out = capsys.readouterr().out
    assert out.endswith("[alexa] interrupted\n")
    assert "you> count" not in out


def test_handler_in_a_package_can_use_relative_imports(project: Path) -> None:
    package = project / "lambda" / "h6_relative_skill"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "texts.py").write_text("WELCOME = 'Hello from a package.'\n")
    (package / "app.py").write_text(
        "from .texts import WELCOME\n"
        "def handler(event, context):\n"
        "    return {'version': '1.0', 'response': {'outputSpeech': {'type': 'PlainText', 'text': WELCOME}}}\n")
    target = LambdaTarget(project / "lambda", handler="h6_relative_skill/app.handler")
    assert Conversation(target, project / "skill-package").say("open test taxi").reply.speech == "Hello from a package."
