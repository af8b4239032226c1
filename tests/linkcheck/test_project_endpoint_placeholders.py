"""`alexa-linkcheck project` warns on example.com/.org/.net endpoints that `ask deploy` keeps."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alexa_linkcheck.__main__ import main

if TYPE_CHECKING:
    from conftest import ProjectCopy

SKILL = "skill-package/skill.json"
RES = "ask-resources.json"
ROOT = Path(__file__).resolve().parents[2]
EVENTS = {"endpoint": {"uri": "https://skill.example.org/alexa", "sslCertificateType": "Trusted"},
          "subscriptions": [{"eventName": "SKILL_ACCOUNT_LINKED"}]}


def placeholders(root: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, str]]:
    main(["project", str(root), "--json"])
    report = json.loads(capsys.readouterr().out)
    return [(f["level"], f["file"], f["path"]) for f in report["findings"]
            if f["code"] == "skill-json.endpoint-placeholder"]


def _example_com_endpoint(data: dict) -> None:
    data["manifest"]["apis"]["custom"]["endpoint"]["uri"] = "https://skill.example.com/alexa"


def _drop_deployer(data: dict) -> None:
    data["profiles"]["default"].pop("skillInfrastructure")


def test_web_service_endpoint_on_example_com_without_deployer_warns(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(RES, _drop_deployer)
    assert placeholders(project.root, capsys) == []
    project.edit(SKILL, _example_com_endpoint)
    assert placeholders(project.root, capsys) == [
        ("warning", SKILL, "$.manifest.apis.custom.endpoint.uri")]


def test_custom_endpoint_rewritten_by_the_lambda_deployer_does_not_warn(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(SKILL, _example_com_endpoint)
    assert placeholders(project.root, capsys) == []


def test_events_endpoint_on_example_org_without_skill_events_config_warns(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(SKILL, lambda d: d["manifest"].update(events=EVENTS))
    assert placeholders(project.root, capsys) == [
        ("warning", SKILL, "$.manifest.events.endpoint.uri")]


def test_events_endpoint_rewritten_because_skill_events_are_configured_does_not_warn(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(SKILL, lambda d: d["manifest"].update(events=EVENTS))
    project.edit(RES, lambda d: d["profiles"]["default"]["skillInfrastructure"]["userConfig"]
                 .update(skillEvents={"subscriptions": ["SKILL_ACCOUNT_LINKED"]}))
    assert placeholders(project.root, capsys) == []


def test_regional_endpoint_on_an_example_subdomain_warns(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(RES, _drop_deployer)
    project.edit(SKILL, lambda d: d["manifest"]["apis"]["custom"].update(
        endpoint={"uri": "https://skill.ride-hailer.io/alexa", "sslCertificateType": "Trusted"},
        regions={"EU": {"endpoint": {"uri": "https://eu.skill.EXAMPLE.net/alexa",
                                     "sslCertificateType": "Trusted"}}}))
    assert placeholders(project.root, capsys) == [
        ("warning", SKILL, "$.manifest.apis.custom.regions.EU.endpoint.uri")]


def test_this_repository_leaves_no_placeholder_that_ask_deploy_keeps(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert placeholders(ROOT, capsys) == []
