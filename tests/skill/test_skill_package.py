"""The ASK CLI project files: ask-resources.json and skill-package/."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "skill-package"
LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP")
CUSTOM_INTENTS = {"OrderRideIntent", "RideStatusIntent", "CancelRideIntent", "AccountInfoIntent", "FareEstimateIntent"}
BUILTINS = {"AMAZON.HelpIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent", "AMAZON.FallbackIntent",
            "AMAZON.NavigateHomeIntent"}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def model(locale: str) -> dict[str, Any]:
    return load(PACKAGE / "interactionModels" / "custom" / f"{locale}.json")["interactionModel"]


def test_ask_resources_deploys_lambda_folder_with_python312_handler():
    profile = load(ROOT / "ask-resources.json")["profiles"]["default"]
    assert profile["skillMetadata"]["src"] == "./skill-package"
    assert profile["code"]["default"]["src"] == "./lambda"
    infra = profile["skillInfrastructure"]
    assert infra["type"] == "@ask-cli/lambda-deployer"
    assert infra["userConfig"]["runtime"] == "python3.12"
    assert infra["userConfig"]["handler"] == "lambda_function.lambda_handler"
    assert (ROOT / "lambda" / "lambda_function.py").exists()
    assert (ROOT / "lambda" / "requirements.txt").exists()


@pytest.mark.parametrize("locale", LOCALES)
def test_interaction_model_has_every_intent_with_samples(locale):
    intents = {i["name"]: i for i in model(locale)["languageModel"]["intents"]}
    assert set(intents) == CUSTOM_INTENTS | BUILTINS
    for name in CUSTOM_INTENTS:
        assert len(intents[name]["samples"]) >= 4, name
    for name in ("OrderRideIntent", "FareEstimateIntent"):
        [slot] = intents[name]["slots"]
        assert slot["name"] == "destination"
        assert any("{destination}" in s for s in intents[name]["samples"])


@pytest.mark.parametrize("locale", LOCALES)
def test_interaction_model_has_no_duplicate_utterances_and_only_declared_slots(locale):
    language_model = model(locale)["languageModel"]
    seen: dict[str, str] = {}
    types = {t["name"] for t in language_model["types"]}
    for intent in language_model["intents"]:
        slots = {s["name"] for s in intent.get("slots", [])}
        assert {s["type"] for s in intent.get("slots", [])} <= types
        for sample in intent["samples"]:
            key = " ".join(sample.lower().split())
            assert key not in seen, f"{sample!r} in {intent['name']} and {seen[key]}"
            seen[key] = intent["name"]
            assert set(re.findall(r"{(\w+)}", sample)) <= slots, sample
    assert language_model["invocationName"] == language_model["invocationName"].lower()


@pytest.mark.parametrize("locale", LOCALES)
def test_example_phrases_match_sample_utterances(locale):
    info = load(PACKAGE / "skill.json")["manifest"]["publishingInformation"]["locales"][locale]
    language_model = model(locale)["languageModel"]
    invocation = language_model["invocationName"]
    patterns = [
        re.compile("^" + re.sub(r"\\{\w+\\}", ".+", re.escape(s.lower())) + "$")
        for intent in language_model["intents"] for s in intent["samples"]
    ]
    phrases = info["examplePhrases"]
    assert 1 <= len(phrases) <= 3
    assert invocation in phrases[0].lower()
    for phrase in phrases[1:]:
        rest = phrase.lower().split(invocation, 1)[1].strip(" ,.")
        rest = re.sub(r"^(to |で)", "", rest)  # "ask ride hailer to ...", "ライドヘイラーで..."
        assert any(p.match(rest) for p in patterns), phrase


def test_account_linking_request_is_auth_code_https_without_secret():
    body = load(PACKAGE / "accountLinking.json")
    assert list(body) == ["accountLinkingRequest"]
    request = body["accountLinkingRequest"]
    assert request["type"] == "AUTH_CODE"
    assert request["scopes"] == ["profile", "rides:read", "rides:write"]
    assert request["skipOnEnablement"] is True
    assert request["accessTokenScheme"] in ("HTTP_BASIC", "REQUEST_BODY_CREDENTIALS")
    for key in ("authorizationUrl", "accessTokenUrl"):
        assert re.match(r"^https://[^/:]+(:443)?/", request[key]), key
    assert "clientSecret" not in request


def test_no_file_in_the_skill_package_carries_a_secret():
    for path in PACKAGE.rglob("*.json"):
        assert "clientsecret" not in path.read_text(encoding="utf-8").lower(), path


def test_manifest_is_a_custom_skill_for_six_locales_subscribed_to_linking_events():
    manifest = load(PACKAGE / "skill.json")["manifest"]
    assert set(manifest["publishingInformation"]["locales"]) == set(LOCALES)
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith("https://")
    events = {s["eventName"] for s in manifest["events"]["subscriptions"]}
    assert events == {"SKILL_ACCOUNT_LINKED", "SKILL_DISABLED"}


def test_account_linking_json_uses_only_fields_of_the_smapi_model():
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_smapi_model.v1.skill.account_linking.account_linking_request import AccountLinkingRequest
    from ask_smapi_model.v1.skill.account_linking.account_linking_request_payload import (
        AccountLinkingRequestPayload,
    )

    body = (PACKAGE / "accountLinking.json").read_text()
    assert set(json.loads(body)["accountLinkingRequest"]) <= set(AccountLinkingRequestPayload.attribute_map.values())
    payload = DefaultSerializer().deserialize(body, AccountLinkingRequest).account_linking_request
    assert payload.scopes == ["profile", "rides:read", "rides:write"]
    assert payload.skip_on_enablement is True
    assert payload.object_type.value == "AUTH_CODE"
