"""`alexa-linkcheck project` on smart home manifests: AUTH_CODE, AcceptGrant and its permission, endpoints."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from alexa_linkcheck.__main__ import main

FIXTURE = Path(__file__).parent / "fixtures" / "smart_home_project"
SKILL = "skill-package/skill.json"
AL = "skill-package/accountLinking.json"


@pytest.fixture
def smart_home(tmp_path: Path) -> Path:
    """A copy of the correct smart home project."""
    root = tmp_path / "smart_home"
    shutil.copytree(FIXTURE, root)
    return root


def run(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[tuple[str, str, str]]]:
    status = main(["project", str(root), "--json"])
    report = json.loads(capsys.readouterr().out)
    return status, [(f["level"], f["code"], f["path"]) for f in report["findings"]]


def manifest(root: Path) -> dict[str, Any]:
    return json.loads((root / SKILL).read_text())


def save(root: Path, data: dict[str, Any]) -> None:
    (root / SKILL).write_text(json.dumps(data))


def test_events_permission_without_accept_grant_handling_fails_linking_error(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = smart_home / "lambda" / "lambda_function.py"
    code.write_text(code.read_text().replace('header["name"] == "AcceptGrant"', "False")
                    .replace("AcceptGrant.Response", "Response"))
    assert run(smart_home, capsys) == (1, [
        ("error", "skill-json.accept-grant-unhandled", "$.manifest.permissions")])


def test_accept_grant_handled_without_events_permission_is_a_warning(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"].pop("permissions")
    save(smart_home, data)
    assert run(smart_home, capsys) == (0, [
        ("warning", "skill-json.events-permission-missing", "$.manifest.permissions")])


def test_neither_permission_nor_accept_grant_is_consistent_and_passes(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"].pop("permissions")
    save(smart_home, data)
    code = smart_home / "lambda" / "lambda_function.py"
    code.write_text(code.read_text().replace("AcceptGrant", "Nothing"))
    assert run(smart_home, capsys) == (0, [])


def test_smart_home_without_any_endpoint_or_deployer_is_an_error(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"]["apis"]["smartHome"].pop("regions")
    save(smart_home, data)
    assert run(smart_home, capsys) == (1, [
        ("error", "skill-json.smart-home-endpoint", "$.manifest.apis.smartHome.endpoint")])


def test_smart_home_with_only_a_default_endpoint_passes(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"]["apis"]["smartHome"].pop("regions")
    data["manifest"]["apis"]["smartHome"]["endpoint"] = {
        "uri": "arn:aws:lambda:us-east-1:123456789012:function:glow"}
    save(smart_home, data)
    assert run(smart_home, capsys) == (0, [])


def test_smart_home_endpoint_that_is_no_lambda_arn_is_an_error(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"]["apis"]["smartHome"]["regions"]["EU"]["endpoint"]["uri"] = \
        "https://lights.glow-home.de/alexa"
    save(smart_home, data)
    assert run(smart_home, capsys) == (1, [
        ("error", "skill-json.smart-home-endpoint",
         "$.manifest.apis.smartHome.regions.EU.endpoint.uri")])


def test_smart_home_without_account_linking_file_is_told_it_needs_linking(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (smart_home / AL).unlink()
    assert run(smart_home, capsys) == (0, [("warning", "account-linking.missing", "$")])


def test_smart_home_implicit_grant_is_an_error(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((smart_home / AL).read_text())
    data["accountLinkingRequest"]["type"] = "IMPLICIT"
    data["accountLinkingRequest"].pop("accessTokenUrl")
    (smart_home / AL).write_text(json.dumps(data))
    status, found = run(smart_home, capsys)
    assert status == 1
    assert ("error", "account-linking.implicit-custom-only",
            "$.accountLinkingRequest.type") in found


def test_video_skill_with_lambda_endpoints_passes_and_a_web_endpoint_is_an_error(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"]["apis"] = {"video": data["manifest"]["apis"]["smartHome"]}
    data["manifest"].pop("permissions")
    save(smart_home, data)
    code = smart_home / "lambda" / "lambda_function.py"
    code.write_text(code.read_text().replace("AcceptGrant", "Nothing"))
    assert run(smart_home, capsys) == (0, [])
    data["manifest"]["apis"]["video"]["regions"]["NA"]["endpoint"]["uri"] = \
        "https://video.glow-home.com/alexa"
    save(smart_home, data)
    assert run(smart_home, capsys) == (1, [
        ("error", "skill-json.video-endpoint",
         "$.manifest.apis.video.regions.NA.endpoint.uri")])


def test_permissions_that_are_not_a_list_do_not_crash(
        smart_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = manifest(smart_home)
    data["manifest"]["permissions"] = 5
    save(smart_home, data)
    assert run(smart_home, capsys) == (0, [
        ("warning", "skill-json.events-permission-missing", "$.manifest.permissions")])
