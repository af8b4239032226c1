"""`alexa-linkcheck project` on every layout people have: each correct one passes, each defect once.

The fixture projects (written for these tests in the shape of public layouts, not copied):
v1_project (ASK CLI v1, Node.js), terraform_project (skill-package/ without
ask-resources.json), smart_home_project, household_list_project (Alexa-hosted, Node.js),
node_project, java_project (cfn-deployer, Maven), multi_region_project (three regions, one
code folder, four locales).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from alexa_linkcheck.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures"
SKILL = "skill-package/skill.json"
AL = "skill-package/accountLinking.json"
RES = "ask-resources.json"


def run(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """`alexa-linkcheck project ROOT --json` in-process: exit status and the report."""
    status = main(["project", str(root), "--json"])
    return status, json.loads(capsys.readouterr().out)


def copy(name: str, tmp_path: Path) -> Path:
    """A copy of a fixture project to break."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def edit(root: Path, rel: str, change: Callable[[Any], Any]) -> None:
    """Apply ``change`` to a JSON file of the project."""
    data = json.loads((root / rel).read_text(encoding="utf-8"))
    change(data)
    (root / rel).write_text(json.dumps(data, indent=2), encoding="utf-8")


def found(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(level, code, file) of every finding."""
    return [(f["level"], f["code"], f["file"]) for f in report["findings"]]


@pytest.mark.parametrize("name,layout", [
    ("terraform_project", "skill package without ask-resources.json; custom skill; python"),
    ("smart_home_project", "ASK CLI v2 project; smart home skill; python; no deployer"),
    ("household_list_project", "ASK CLI v2 project; household list skill; nodejs; "
                               "@ask-cli/hosted-skill-deployer"),
    ("node_project", "ASK CLI v2 project; custom skill; nodejs; @ask-cli/lambda-deployer"),
    ("java_project", "ASK CLI v2 project; custom skill; java; @ask-cli/cfn-deployer"),
])
def test_correct_project_of_each_layout_passes_with_no_findings(
        name: str, layout: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run(FIXTURES / name, capsys)
    assert (status, report["findings"]) == (0, [])
    assert report["layout"].startswith(layout)


def test_v1_project_gets_one_warning_naming_the_upgrade_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run(FIXTURES / "v1_project", capsys)
    assert (status, found(report)) == (0, [("warning", "ask-resources.ask-cli-v1",
                                            ".ask/config")])
    assert "`ask util upgrade-project`" in report["findings"][0]["fix"]
    assert report["layout"].startswith("ASK CLI v1 project; custom skill; nodejs")


def test_v1_project_skill_json_models_and_linking_are_still_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("v1_project", tmp_path)
    edit(root, "skill.json", lambda d: d["manifest"]["publishingInformation"]["locales"][
        "en-US"].pop("summary"))
    edit(root, "models/en-US.json", lambda d: d["interactionModel"]["languageModel"][
        "intents"].pop(2))
    (root / "accountLinking.json").write_text(json.dumps({"accountLinkingRequest": {
        "type": "IMPLICIT", "authorizationUrl": "http://plants.example.org/login",
        "clientId": "alexa"}}))
    status, report = run(root, capsys)
    assert status == 1
    assert {("error", "skill-json.locale-summary", "skill.json"),
            ("error", "model.builtin-missing", "models/en-US.json"),
            ("error", "account-linking.https", "accountLinking.json")} <= set(found(report))


def test_skill_package_without_ask_resources_has_its_account_linking_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("terraform_project", tmp_path)
    edit(root, AL, lambda d: d["accountLinkingRequest"].update(accessTokenScheme="BASIC"))
    status, report = run(root, capsys)
    assert (status, found(report)) == (1, [("error", "account-linking.enum", AL)])


def test_folder_that_is_no_skill_project_is_a_usage_error_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("not a skill\n")
    status = main(["project", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2
    assert "is not an Alexa skill project" in err and "Traceback" not in err


def test_smart_home_and_household_list_skills_get_no_custom_model_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No interaction models, no example phrases, no custom API: all correct for these kinds.
    for name in ("smart_home_project", "household_list_project"):
        root = FIXTURES / name
        assert not (root / "skill-package" / "interactionModels").exists()
        status, report = run(root, capsys)
        assert (status, report["findings"]) == (0, [])


def test_node_project_without_package_json_is_told_about_npm_not_python(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("node_project", tmp_path)
    (root / "lambda" / "package.json").unlink()
    status, report = run(root, capsys)
    assert (status, found(report)) == (1, [("error", "ask-resources.package-json-missing", RES)])
    message = report["findings"][0]["message"]
    assert "npm" in message and "requirements.txt" not in message


def test_node_project_with_a_handler_file_that_does_not_exist_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("node_project", tmp_path)
    edit(root, RES, lambda d: d["profiles"]["default"]["skillInfrastructure"]["userConfig"]
         .update(handler="main.handler"))
    status, report = run(root, capsys)
    assert (status, found(report)) == (1, [("error", "ask-resources.handler-module", RES)])


def test_java_project_built_with_gradle_only_is_told_the_cli_builds_maven(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("java_project", tmp_path)
    (root / "lambda" / "pom.xml").rename(root / "lambda" / "build.gradle")
    status, report = run(root, capsys)
    assert (status, found(report)) == (1, [("error", "ask-resources.pom-xml-missing", RES)])
    assert "Gradle" in report["findings"][0]["message"]


def test_java_project_with_a_custom_build_script_needs_no_pom(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("java_project", tmp_path)
    (root / "lambda" / "pom.xml").rename(root / "lambda" / "build.gradle")
    (root / "lambda" / "build.sh").write_text("#!/bin/sh\ngradle shadowJar\n")
    status, report = run(root, capsys)
    assert (status, report["findings"]) == (0, [])


def test_alexa_hosted_skill_needs_no_runtime_or_handler_in_user_config(
        capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((FIXTURES / "household_list_project" / RES).read_text())
    assert "userConfig" not in data["profiles"]["default"]["skillInfrastructure"]
    status, report = run(FIXTURES / "household_list_project", capsys)
    assert (status, report["findings"]) == (0, [])


def test_multi_region_sample_gets_one_warning_for_the_intent_one_locale_lacks(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Three regions share lambda/, four locales, no NavigateHomeIntent anywhere: the only
    # defect is ja-JP lacking SaveFavouriteIntent, reported once, as a warning.
    status, report = run(FIXTURES / "multi_region_project", capsys)
    assert (status, found(report)) == (0, [(
        "warning", "model.intent-missing",
        "skill-package/interactionModels/custom/ja-JP.json")])
    assert "ja-JP" in report["findings"][0]["message"]


def test_multi_region_code_folder_defect_is_reported_once_not_per_region(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("multi_region_project", tmp_path)
    (root / "lambda" / "requirements.txt").unlink()
    status, report = run(root, capsys)
    errors = [f for f in report["findings"] if f["level"] == "error"]
    assert status == 1
    assert [(f["code"], f["path"]) for f in errors] == [
        ("ask-resources.requirements-missing", "$.profiles.default.code.default.src")]
    assert "default, EU, FE" in errors[0]["message"]


def test_handled_intent_missing_from_every_locale_is_one_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("multi_region_project", tmp_path)
    for model in (root / "skill-package" / "interactionModels" / "custom").glob("*.json"):
        edit(root, model.relative_to(root).as_posix(), lambda d: d["interactionModel"][
            "languageModel"].update(intents=[i for i in d["interactionModel"]["languageModel"][
                "intents"] if i["name"] != "SaveFavouriteIntent"]))
    status, report = run(root, capsys)
    assert (status, [(f["level"], f["code"]) for f in report["findings"]]) == (
        0, [("warning", "model.intent-missing")])
    assert "any model" in report["findings"][0]["message"]


def test_missing_deployer_type_is_reported_in_words_never_as_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("multi_region_project", tmp_path)
    edit(root, RES, lambda d: d["profiles"]["default"]["skillInfrastructure"].pop("type"))
    status, report = run(root, capsys)
    errors = [f for f in report["findings"] if f["level"] == "error"]
    assert status == 1
    assert [(f["code"], f["path"]) for f in errors] == [
        ("ask-resources.deployer", "$.profiles.default.skillInfrastructure.type")]
    assert "has no type" in errors[0]["message"]
    assert "None" not in json.dumps(report)


def test_implicit_grant_is_refused_for_each_non_custom_skill_kind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, api in (("smart_home_project", "smart home"),
                      ("household_list_project", "household list")):
        root = copy(name, tmp_path)
        edit(root, AL, lambda d: (d["accountLinkingRequest"].update(type="IMPLICIT"),
                                  d["accountLinkingRequest"].pop("accessTokenUrl")))
        status, report = run(root, capsys)
        assert status == 1
        implicit = [f for f in report["findings"]
                    if f["code"] == "account-linking.implicit-custom-only"]
        assert len(implicit) == 1 and api in implicit[0]["message"]


@pytest.mark.parametrize("name,model,intent,where", [
    ("node_project", "skill-package/interactionModels/custom/en-US.json", "NextMeetingIntent",
     "lambda/index.js:5"),
    ("java_project", "skill-package/interactionModels/custom/en-GB.json", "VansOutIntent",
     "lambda/src/main/java/com/example/fleet/VansOutIntentHandler.java:13"),
])
def test_node_and_java_intent_tests_are_read_for_the_intent_missing_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, model: str,
        intent: str, where: str) -> None:
    root = copy(name, tmp_path)
    edit(root, model, lambda d: d["interactionModel"]["languageModel"].update(intents=[
        i for i in d["interactionModel"]["languageModel"]["intents"] if i["name"] != intent]))
    status, report = run(root, capsys)
    assert (status, found(report)) == (0, [("warning", "model.intent-missing", model)])
    assert f"{intent} is handled in {where}" in report["findings"][0]["message"]


def test_check_project_api_raises_not_a_project_for_a_plain_folder(tmp_path: Path) -> None:
    from alexa_linkcheck.errors import NotAProject, UsageError
    from alexa_linkcheck.project import check_project

    with pytest.raises(NotAProject) as caught:
        check_project(tmp_path)
    assert isinstance(caught.value, UsageError)


def test_v1_project_code_folder_comes_from_the_endpoint_source_dir(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("v1_project", tmp_path)
    (root / "src").mkdir()
    (root / "lambda" / "custom").rename(root / "src" / "skill")
    (root / "lambda").rmdir()
    status, report = run(root, capsys)
    assert report["layout"].startswith("ASK CLI v1 project; custom skill; no code folder")
    edit(root, "skill.json", lambda d: d["manifest"]["apis"]["custom"]["endpoint"].update(
        sourceDir="src/skill"))
    status, report = run(root, capsys)
    assert report["layout"].startswith("ASK CLI v1 project; custom skill; nodejs")
    assert status == 0


def test_v1_project_whose_code_links_accounts_is_told_where_accountlinking_json_goes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy("v1_project", tmp_path)
    index = root / "lambda" / "custom" / "index.js"
    index.write_text(index.read_text().replace(
        "handle(handlerInput) {",
        "handle(handlerInput) {\n    const token = handlerInput.requestEnvelope.context"
        ".System.user.accessToken;"))
    status, report = run(root, capsys)
    assert (status, found(report)) == (0, [
        ("warning", "ask-resources.ask-cli-v1", ".ask/config"),
        ("warning", "account-linking.missing", "accountLinking.json")])


def test_the_skill_package_folder_itself_can_be_checked(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run(FIXTURES / "terraform_project" / "skill-package", capsys)
    assert (status, report["findings"]) == (0, [])
    assert report["skill"]["layout"] == "skill-package"
    assert report["layout"].startswith("skill package without ask-resources.json; custom")
