"""`alexa-linkcheck project`: a valid project passes; each single defect is found where it is."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pytest

from alexa_linkcheck.__main__ import main

if TYPE_CHECKING:
    from conftest import ProjectCopy

GOOD_PROJECT = Path(__file__).parent / "fixtures" / "good_project"

AL = "skill-package/accountLinking.json"
SKILL = "skill-package/skill.json"
EN = "skill-package/interactionModels/custom/en-US.json"
DE = "skill-package/interactionModels/custom/de-DE.json"
RES = "ask-resources.json"
LINK = "$.accountLinkingRequest"


def run_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    """Run `alexa-linkcheck project --json` in-process; return exit status and the parsed report."""
    status = main(["project", str(root), "--json", *extra])
    return status, json.loads(capsys.readouterr().out)


def payload(data: dict) -> dict:
    """The accountLinkingRequest payload of accountLinking.json."""
    return data["accountLinkingRequest"]


def infra(data: dict) -> dict:
    """userConfig of the default profile's deployer."""
    return data["profiles"]["default"]["skillInfrastructure"]["userConfig"]


def intents(data: dict) -> list:
    """The intents of an interaction model."""
    return data["interactionModel"]["languageModel"]["intents"]


def test_good_project_passes_with_no_findings(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(GOOD_PROJECT, capsys)
    assert (status, report["ok"], report["findings"]) == (0, True, [])


def test_good_project_human_output_ends_with_ok_summary(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["project", str(GOOD_PROJECT)]) == 0
    assert capsys.readouterr().out.strip().endswith("0 error(s), 0 warning(s): OK")


def test_python_dash_m_linkcheck_project_exits_1_and_names_file_and_path(
        project: ProjectCopy) -> None:
    project.edit(AL, lambda d: payload(d).update(clientSecret="s3cr3t-value"))
    done = subprocess.run([sys.executable, "-m", "alexa_linkcheck", "project", str(project.root)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"ERROR   {AL} {LINK}.clientSecret [secret-in-skill-package]" in done.stdout
    assert "s3cr3t-value" not in done.stdout


def _drop(key: str) -> Callable[[dict], None]:
    return lambda d: d.pop(key)


# Each case: id, file to edit, change, expected (level, code, file, JSON path).
DEFECTS: list[tuple[str, str, Callable[[Any], None], tuple[str, str, str, str]]] = [
    ("resources-version", RES, lambda d: d.update(askcliResourcesVersion="2019-01-01"),
     ("error", "ask-resources.version", RES, "$.askcliResourcesVersion")),
    ("skill-metadata-src", RES,
     lambda d: d["profiles"]["default"]["skillMetadata"].update(src="./nowhere"),
     ("error", "ask-resources.skill-metadata-src", RES,
      "$.profiles.default.skillMetadata.src")),
    ("code-src-missing", RES,
     lambda d: d["profiles"]["default"]["code"]["default"].update(src="./gone"),
     ("error", "ask-resources.code-src", RES, "$.profiles.default.code.default.src")),
    ("deployer-unknown", RES,
     lambda d: d["profiles"]["default"]["skillInfrastructure"].update(type="@ask-cli/magic"),
     ("error", "ask-resources.deployer", RES,
      "$.profiles.default.skillInfrastructure.type")),
    ("runtime-missing", RES, lambda d: infra(d).pop("runtime"),
     ("error", "ask-resources.runtime-missing", RES,
      "$.profiles.default.skillInfrastructure.userConfig.runtime")),
    ("handler-missing", RES, lambda d: infra(d).pop("handler"),
     ("error", "ask-resources.handler-missing", RES,
      "$.profiles.default.skillInfrastructure.userConfig.handler")),
    ("handler-function-undefined", RES, lambda d: infra(d).update(handler="lambda_function.main"),
     ("error", "ask-resources.handler-function", RES,
      "$.profiles.default.skillInfrastructure.userConfig.handler")),
    ("handler-module-missing", RES, lambda d: infra(d).update(handler="app.lambda_handler"),
     ("error", "ask-resources.handler-module", RES,
      "$.profiles.default.skillInfrastructure.userConfig.handler")),
    ("deployer-without-code", RES, lambda d: d["profiles"]["default"].pop("code"),
     ("error", "ask-resources.code-src", RES, "$.profiles.default.code")),
    ("no-api-at-all", SKILL, lambda d: d["manifest"].update(apis={}),
     ("error", "skill-json.no-api", SKILL, "$.manifest.apis")),
    ("locale-without-summary", SKILL,
     lambda d: d["manifest"]["publishingInformation"]["locales"]["en-US"].pop("summary"),
     ("error", "skill-json.locale-summary", SKILL,
      '$.manifest.publishingInformation.locales["en-US"].summary')),
    ("four-example-phrases", SKILL,
     lambda d: d["manifest"]["publishingInformation"]["locales"]["en-US"].update(
         examplePhrases=["Alexa, open taxi tester"] * 4),
     ("error", "skill-json.example-phrases", SKILL,
      '$.manifest.publishingInformation.locales["en-US"].examplePhrases')),
    ("example-phrase-without-invocation", SKILL,
     lambda d: d["manifest"]["publishingInformation"]["locales"]["en-US"].update(
         examplePhrases=["Alexa, open taxi tester", "order a ride"]),
     ("warning", "skill-json.example-phrase-invocation", SKILL,
      '$.manifest.publishingInformation.locales["en-US"].examplePhrases[1]')),
    ("bad-ssl-certificate-type", SKILL,
     lambda d: d["manifest"]["apis"]["custom"]["endpoint"].update(sslCertificateType="Cheap"),
     ("error", "skill-json.ssl-certificate-type", SKILL,
      "$.manifest.apis.custom.endpoint.sslCertificateType")),
    ("http-endpoint", SKILL,
     lambda d: d["manifest"]["apis"]["custom"]["endpoint"].update(uri="http://x.example.com/"),
     ("error", "skill-json.endpoint-http", SKILL, "$.manifest.apis.custom.endpoint.uri")),
    ("slot-type-undefined", DE, lambda d: d["interactionModel"]["languageModel"].pop("types"),
     ("error", "model.slot-type-undefined", DE,
      "$.interactionModel.languageModel.intents[5].slots[0].type")),
    ("duplicate-utterance-across-intents", EN,
     lambda d: intents(d)[6]["samples"].append("Order  a RIDE"),
     ("error", "model.duplicate-utterance", EN,
      "$.interactionModel.languageModel.intents[6].samples[1]")),
    ("stop-intent-missing", EN, lambda d: intents(d).pop(2),
     ("error", "model.builtin-missing", EN, "$.interactionModel.languageModel.intents")),
    ("fallback-intent-missing", EN, lambda d: intents(d).pop(4),
     ("warning", "model.builtin-recommended", EN, "$.interactionModel.languageModel.intents")),
    ("handled-intent-missing-from-one-locale-is-a-warning", DE, lambda d: intents(d).pop(6),
     ("warning", "model.intent-missing", DE, "$.interactionModel.languageModel.intents")),
    ("account-linking-without-wrapper", AL, lambda d: (d.update(d.pop("accountLinkingRequest"))),
     ("error", "account-linking.wrapper", AL, LINK)),
    ("account-linking-type-unknown", AL, lambda d: payload(d).update(type="AUTHCODE"),
     ("error", "account-linking.enum", AL, f"{LINK}.type")),
    ("access-token-scheme-unknown", AL, lambda d: payload(d).update(accessTokenScheme="BASIC"),
     ("error", "account-linking.enum", AL, f"{LINK}.accessTokenScheme")),
    ("misspelled-field", AL, lambda d: payload(d).update(skipOnEnablment=True),
     ("error", "account-linking.unknown-field", AL, f"{LINK}.skipOnEnablment")),
    ("http-authorization-url", AL,
     lambda d: payload(d).update(authorizationUrl="http://auth.example.com/oauth/authorize"),
     ("error", "account-linking.https", AL, f"{LINK}.authorizationUrl")),
    ("token-url-not-port-443", AL,
     lambda d: payload(d).update(accessTokenUrl="https://auth.example.com:8443/oauth/token"),
     ("error", "account-linking.port", AL, f"{LINK}.accessTokenUrl")),
    ("auth-code-without-client-id", AL, lambda d: payload(d).pop("clientId"),
     ("error", "account-linking.required", AL, f"{LINK}.clientId")),
    ("auth-code-without-access-token-url", AL, lambda d: payload(d).pop("accessTokenUrl"),
     ("error", "account-linking.required", AL, f"{LINK}.accessTokenUrl")),
    ("auth-code-without-scheme", AL, lambda d: payload(d).pop("accessTokenScheme"),
     ("error", "account-linking.required", AL, f"{LINK}.accessTokenScheme")),
    ("sixteen-scopes", AL, lambda d: payload(d).update(scopes=[f"s{i}" for i in range(16)]),
     ("error", "account-linking.too-many-scopes", AL, f"{LINK}.scopes")),
    ("thirty-one-domains", AL,
     lambda d: payload(d).update(domains=[f"d{i}.example.com" for i in range(31)]),
     ("error", "account-linking.too-many-domains", AL, f"{LINK}.domains")),
    ("client-secret-committed", AL, lambda d: payload(d).update(clientSecret="s3cr3t-value"),
     ("error", "secret-in-skill-package", AL, f"{LINK}.clientSecret")),
    ("negative-token-expiration", AL,
     lambda d: payload(d).update(defaultTokenExpirationInSeconds=-5),
     ("error", "account-linking.token-expiration", AL,
      f"{LINK}.defaultTokenExpirationInSeconds")),
    ("string-token-expiration", AL,
     lambda d: payload(d).update(defaultTokenExpirationInSeconds="3600"),
     ("error", "account-linking.token-expiration", AL,
      f"{LINK}.defaultTokenExpirationInSeconds")),
    ("one-minute-token-expiration", AL,
     lambda d: payload(d).update(defaultTokenExpirationInSeconds=60),
     ("warning", "account-linking.token-expiration", AL,
      f"{LINK}.defaultTokenExpirationInSeconds")),
    ("skip-on-enablement-false-with-unlinked-handler", AL,
     lambda d: payload(d).update(skipOnEnablement=False),
     ("warning", "account-linking.skip-on-enablement", AL, f"{LINK}.skipOnEnablement")),
    ("unknown-platform-type", AL, lambda d: payload(d).update(authorizationUrlsByPlatform=[
        {"platformType": "Windows", "platformAuthorizationUrl": "https://auth.example.com/a"}]),
     ("error", "account-linking.enum", AL,
      f"{LINK}.authorizationUrlsByPlatform[0].platformType")),
    ("http-platform-url", AL, lambda d: payload(d).update(authorizationUrlsByPlatform=[
        {"platformType": "iOS", "platformAuthorizationUrl": "http://auth.example.com/a"}]),
     ("error", "account-linking.https", AL,
      f"{LINK}.authorizationUrlsByPlatform[0].platformAuthorizationUrl")),
    ("scopes-not-a-list", AL, lambda d: payload(d).update(scopes="profile rides:read"),
     ("error", "account-linking.type", AL, f"{LINK}.scopes")),
]


@pytest.mark.parametrize("rel,change,expected", [pytest.param(*c[1:], id=c[0]) for c in DEFECTS])
def test_project_reports_single_defect_at_its_file_and_path(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str], rel: str,
        change: Callable[[Any], None], expected: tuple[str, str, str, str]) -> None:
    project.edit(rel, change)
    status, report = run_json(project.root, capsys)
    found = [(f["level"], f["code"], f["file"], f["path"]) for f in report["findings"]]
    assert expected in found
    assert status == (1 if expected[0] == "error" else 0)
    finding = report["findings"][found.index(expected)]
    assert finding["message"] and finding["fix"] and finding["source"]


def test_project_reports_missing_requirements_txt_as_unbuilt_lambda(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    (project.root / "lambda" / "requirements.txt").unlink()
    status, report = run_json(project.root, capsys)
    [finding] = report["findings"]
    assert (status, finding["code"], finding["file"], finding["path"]) == (
        1, "ask-resources.requirements-missing", RES, "$.profiles.default.code.default.src")
    assert "without its dependencies" in finding["message"]


def test_project_reports_unknown_profile(project: ProjectCopy,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_json(project.root, capsys, "--profile", "staging")
    assert status == 1
    assert ("ask-resources.profile", RES, "$.profiles.staging") in [
        (f["code"], f["file"], f["path"]) for f in report["findings"]]


def test_project_reports_invalid_skill_json_syntax(project: ProjectCopy,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    project.write(SKILL, '{"manifest": {,}}')
    status, report = run_json(project.root, capsys)
    assert status == 1
    assert ("skill-json.invalid-json", SKILL, "$") in [
        (f["code"], f["file"], f["path"]) for f in report["findings"]]


def test_project_reports_locale_without_interaction_model(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    (project.root / DE).unlink()
    status, report = run_json(project.root, capsys)
    assert status == 1
    assert ("model.missing", SKILL, '$.manifest.publishingInformation.locales["de-DE"]') in [
        (f["code"], f["file"], f["path"]) for f in report["findings"]]


def test_project_reports_secret_in_any_skill_package_file(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("skill-package/assets/config.json", {"service": {"api_key": "abcd1234"}})
    status, report = run_json(project.root, capsys)
    assert status == 1
    assert ("secret-in-skill-package", "skill-package/assets/config.json",
            "$.service.api_key") in [(f["code"], f["file"], f["path"])
                                     for f in report["findings"]]
    assert "abcd1234" not in json.dumps(report)


def test_project_reports_implicit_grant_on_smart_home_skill(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(SKILL, lambda d: d["manifest"]["apis"].update(smartHome={}))
    project.edit(AL, lambda d: payload(d).update(type="IMPLICIT"))
    status, report = run_json(project.root, capsys)
    assert status == 1
    assert ("account-linking.implicit-custom-only", f"{LINK}.type") in [
        (f["code"], f["path"]) for f in report["findings"]]


def test_project_accepts_implicit_grant_for_custom_skill(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    def implicit(d: dict) -> None:
        p = payload(d)
        p.update(type="IMPLICIT")
        for key in ("accessTokenUrl", "accessTokenScheme"):
            p.pop(key)
    project.edit(AL, implicit)
    status, report = run_json(project.root, capsys)
    assert (status, report["findings"]) == (0, [])


def test_project_warns_skip_on_enablement_when_every_handler_needs_link(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    handlers = project.root / "lambda" / "handlers.py"
    handlers.write_text(handlers.read_text().replace(
        'speak("About twenty dollars.")',
        'speak(str(get_account_linking_access_token(handler_input)))'))
    status, report = run_json(project.root, capsys)
    assert status == 0
    assert [(f["level"], f["code"]) for f in report["findings"]] == [
        ("warning", "account-linking.skip-on-enablement")]


def test_project_never_imports_handler_code(project: ProjectCopy,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    marker = project.root / "imported"
    handler = project.root / "lambda" / "lambda_function.py"
    handler.write_text(f"open({str(marker)!r}, 'w').close()\n" + handler.read_text())
    status, _ = run_json(project.root, capsys)
    assert status == 0
    assert not marker.exists()


def test_project_ignores_packages_installed_into_code_folder(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    dep = project.root / "lambda" / "somedep"
    dep.mkdir()
    (dep / "__init__.py").write_text('is_intent_name("NotMyIntent")\n')
    info = project.root / "lambda" / "somedep-1.0.dist-info"
    info.mkdir()
    (info / "top_level.txt").write_text("somedep\n")
    status, report = run_json(project.root, capsys)
    assert (status, report["findings"]) == (0, [])


def test_project_on_missing_folder_is_usage_error(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["project", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_project_warns_web_service_project_without_endpoint(
        project: "ProjectCopy", capsys: pytest.CaptureFixture[str]) -> None:
    project.edit(RES, lambda d: d["profiles"]["default"].pop("skillInfrastructure"))
    status, report = run_json(project.root, capsys)
    assert (status, report["findings"]) == (0, [])
    project.edit(SKILL, lambda d: d["manifest"]["apis"]["custom"].pop("endpoint"))
    status, report = run_json(project.root, capsys)
    assert status == 0
    assert [(f["level"], f["code"], f["path"]) for f in report["findings"]] == [
        ("warning", "skill-json.endpoint-missing", "$.manifest.apis.custom.endpoint")]
