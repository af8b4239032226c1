"""Every Alexa locale hears the library's linking speech; the Ride Hailer skill's six locales,
German place phrases, and destination synonyms resolved to their canonical value."""
from __future__ import annotations

import copy
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Optional

import pytest
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils.predicate import is_intent_name
from ask_sdk_model.response import Response

from account_linking import (
    LinkingExceptionHandler,
    ProfileCache,
    ProfileResolver,
    SafeSkillBuilder,
    add_linked_handler,
    requires_link,
)
from ride_hailer.profile_client import RideHailerProfileClient
from account_linking.locales import for_locale
from account_linking.messages import (
    DEFAULT_APOLOGIES,
    DEFAULT_FALLBACKS,
    DEFAULT_MESSAGES,
    DEFAULT_SCOPE_LABELS,
    SUPPORTED_LOCALES,
)
from ride_hailer.prompts import PROMPTS, prompts_for
from devstack.resource_server import ResourceServer

from .conftest import REPO

ALEXA_LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "fr-FR", "fr-CA", "es-ES",
                 "es-MX", "es-US", "it-IT", "ja-JP", "pt-BR", "hi-IN", "ar-SA", "nl-NL")
SKILL_LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP")
MODELS = REPO / "skill-package" / "interactionModels" / "custom"
SKILL_FIXTURES = REPO / "tests" / "skill" / "fixtures"
#: The script each locale's speech is written in (hi-IN: Hindi in Devanagari).
SCRIPTS = {"ja-JP": ("CJK", "KATAKANA", "HIRAGANA", "KATAKANA-HIRAGANA"), "hi-IN": ("DEVANAGARI",),
           "ar-SA": ("ARABIC",)}


def scripts_of(text: str) -> set[str]:
    return {unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha()}


def test_the_library_speaks_every_alexa_locale() -> None:
    assert SUPPORTED_LOCALES == ALEXA_LOCALES
    for table in (DEFAULT_MESSAGES, DEFAULT_SCOPE_LABELS, DEFAULT_APOLOGIES, DEFAULT_FALLBACKS):
        assert set(table) == set(ALEXA_LOCALES)


@pytest.mark.parametrize("locale", [loc for loc in ALEXA_LOCALES if not loc.startswith("en-")])
def test_each_non_english_locale_has_its_own_words_in_its_own_script(locale: str) -> None:
    messages = DEFAULT_MESSAGES[locale]
    texts = [messages.not_linked, messages.rejected, messages.missing_scope, messages.unavailable,
             DEFAULT_APOLOGIES[locale], DEFAULT_FALLBACKS[locale], *DEFAULT_SCOPE_LABELS[locale].values()]
    english = DEFAULT_MESSAGES["en-US"]
    assert messages.not_linked != english.not_linked and DEFAULT_FALLBACKS[locale] != DEFAULT_FALLBACKS["en-US"]
    for text in texts:
        assert "link your account" not in text and "went wrong" not in text
        if locale in SCRIPTS:  # only the brand name "Alexa" and the placeholder stay Latin
            bare = text.replace("Alexa", "").replace("{permission}", "")
            assert scripts_of(bare) <= set(SCRIPTS[locale]) | {"FULLWIDTH"}, text


@pytest.mark.parametrize("locale", ALEXA_LOCALES)
def test_missing_scope_speech_names_the_permission_once_in_every_locale(locale: str) -> None:
    template = DEFAULT_MESSAGES[locale].missing_scope
    assert template.count("{permission}") == 1
    spoken = template.format(permission=DEFAULT_SCOPE_LABELS[locale]["profile"])
    assert DEFAULT_SCOPE_LABELS[locale]["profile"] in spoken and "{" not in spoken


@pytest.mark.parametrize("locale, expected", [
    ("fr-BE", "fr-FR"), ("es-AR", "es-ES"), ("pt-PT", "pt-BR"), ("de-AT", "de-DE"),
    ("nl-BE", "nl-NL"), ("sv-SE", "en-US"), (None, "en-US"), ("", "en-US"),
])
def test_other_locales_fall_back_by_language_then_to_en_us(locale: Optional[str], expected: str) -> None:
    assert for_locale(DEFAULT_MESSAGES, locale) is DEFAULT_MESSAGES[expected]


@requires_link("profile")
class WhoAmIIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("WhoAmIIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("linked").response


@pytest.fixture(scope="module")
def generic_skill() -> Any:
    """A skill that is not Ride Hailer, using the library's default speech."""
    import requests

    session = requests.Session()
    resolver = ProfileResolver(RideHailerProfileClient(session, "http://127.0.0.1:9", 1.0), ProfileCache(ttl=60))
    builder = SafeSkillBuilder()
    add_linked_handler(builder, WhoAmIIntentHandler(), resolver)
    builder.add_exception_handler(LinkingExceptionHandler(resolver))
    handler = builder.lambda_handler()
    yield lambda event: handler(event, None)
    session.close()


def who_am_i(locale: str) -> dict[str, Any]:
    envelope = json.loads((SKILL_FIXTURES / "account_info.unlinked.json").read_text())
    envelope["request"]["locale"] = locale
    envelope["request"]["intent"]["name"] = "WhoAmIIntent"
    return envelope


@pytest.mark.parametrize("locale", ALEXA_LOCALES)
def test_unlinked_user_hears_the_linking_prompt_in_every_alexa_locale(locale: str, generic_skill: Any) -> None:
    answer = generic_skill(who_am_i(locale))["response"]
    assert answer["outputSpeech"]["ssml"] == f"<speak>{DEFAULT_MESSAGES[locale].not_linked}</speak>"
    assert answer["card"]["type"] == "LinkAccount"


# --- the Ride Hailer skill -------------------------------------------------------------


def model(locale: str) -> dict[str, Any]:
    return json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8"))["interactionModel"]


def test_the_skill_has_an_interaction_model_and_prompts_for_each_of_its_locales() -> None:
    assert sorted(p.stem for p in MODELS.glob("*.json")) == sorted(SKILL_LOCALES)
    assert set(PROMPTS) == set(SKILL_LOCALES)
    manifest = json.loads((REPO / "skill-package" / "skill.json").read_text(encoding="utf-8"))["manifest"]
    assert set(manifest["publishingInformation"]["locales"]) == set(SKILL_LOCALES)
    assert set(manifest["privacyAndCompliance"]["locales"]) == set(SKILL_LOCALES)


def test_the_skill_speaks_every_language_of_its_login_page() -> None:
    page_languages = {p.name for p in (REPO / "ride_hailer_service" / "translations").iterdir() if p.is_dir()}
    assert page_languages | {"en"} == {locale.split("-")[0] for locale in SKILL_LOCALES}


@pytest.mark.parametrize("locale", SKILL_LOCALES)
def test_interaction_model_has_the_dialog_model_and_destination_ids_and_synonyms(locale: str) -> None:
    interaction = model(locale)
    dialog = {i["name"] for i in interaction["dialog"]["intents"]}
    assert dialog == {"OrderRideIntent", "FareEstimateIntent"}
    [destinations] = interaction["languageModel"]["types"]
    ids = [v["id"] for v in destinations["values"]]
    assert len(ids) == len(set(ids)) and {"AIRPORT", "TRAIN_STATION", "DOWNTOWN", "HOME"} <= set(ids)
    words = [w.lower() for v in destinations["values"] for w in [v["name"]["value"], *v["name"]["synonyms"]]]
    assert len(words) == len(set(words))  # no phrase resolves to two places
    airport = next(v["name"] for v in destinations["values"] if v["id"] == "AIRPORT")
    assert airport["synonyms"]


def test_people_say_the_airport_or_jfk_and_both_are_the_airport() -> None:
    [destinations] = model("en-US")["languageModel"]["types"]
    airport = next(v["name"] for v in destinations["values"] if v["id"] == "AIRPORT")
    assert airport["value"] == "the airport" and "JFK" in airport["synonyms"] and "airport" in airport["synonyms"]


@pytest.mark.parametrize("locale, phrases", [
    ("fr-FR", ["emmène-moi à l'aéroport", "combien coûte une course pour la gare"]),
    ("es-ES", ["llévame al aeropuerto", "cuánto cuesta un viaje a la estación"]),
    ("ja-JP", ["空港まで行って", "駅までいくら"]),
])
def test_what_the_new_locales_tell_people_to_say_is_understood_by_their_model(
    locale: str, phrases: list[str]
) -> None:
    language_model = model(locale)["languageModel"]
    [destinations] = language_model["types"]
    places = "|".join(re.escape(w.lower()) for v in destinations["values"]
                      for w in [v["name"]["value"], *v["name"]["synonyms"]])
    utterances = [re.compile("^" + re.escape(s.lower()).replace(r"\{destination\}", f"({places})") + "$")
                  for i in language_model["intents"] for s in i["samples"]]
    for phrase in phrases:
        assert phrase in prompts_for(locale).reprompt.lower()
        assert any(u.match(phrase) for u in utterances), phrase


@pytest.fixture
def resource_server() -> Any:
    server = ResourceServer().start()
    yield server
    server.stop()


@pytest.fixture
def ride_hailer(lambda_skill: Any) -> Any:
    return lambda_skill()


def fare_estimate(locale: str, value: str, resolved: Optional[tuple[str, str]] = None) -> dict[str, Any]:
    envelope = json.loads((SKILL_FIXTURES / "fare_estimate.unlinked.json").read_text())
    envelope["request"]["locale"] = locale
    slot = envelope["request"]["intent"]["slots"]["destination"]
    slot["value"] = value
    authority = "amzn1.er-authority.echo-sdk.amzn1.ask.skill.0.DestinationType"
    if resolved is not None:
        slot["resolutions"] = {"resolutionsPerAuthority": [{
            "authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
            "values": [{"value": {"name": resolved[1], "id": resolved[0]}}]}]}
    else:
        slot["resolutions"] = {"resolutionsPerAuthority": [{
            "authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}
    return envelope


def spoken(answer: dict[str, Any]) -> str:
    return str(answer["response"]["outputSpeech"]["ssml"]).removeprefix("<speak>").removesuffix("</speak>")


def test_jfk_resolved_by_the_model_is_asked_for_and_spoken_as_the_airport(ride_hailer: Any, resource_server: Any) -> None:
    answer = ride_hailer(fare_estimate("en-US", "JFK", ("AIRPORT", "the airport")))
    assert spoken(answer).startswith("A ride to the airport costs about 23.50 euros")
    assert resource_server.state.seen[-1].query == "destination=the+airport"


def test_a_place_the_model_does_not_know_is_used_as_said(ride_hailer: Any, resource_server: Any) -> None:
    answer = ride_hailer(fare_estimate("en-US", "Times Square"))
    assert spoken(answer).startswith("A ride to Times Square costs")
    assert resource_server.state.seen[-1].query == "destination=Times+Square"


@pytest.mark.parametrize("value, resolved, phrase", [
    ("Flughafen", ("AIRPORT", "Flughafen"), "Eine Fahrt zum Flughafen kostet etwa 23,50 Euro"),
    ("Hbf", ("MAIN_STATION", "Hauptbahnhof"), "Eine Fahrt zum Hauptbahnhof kostet"),
    ("Stadtmitte", ("DOWNTOWN", "Innenstadt"), "Eine Fahrt in die Innenstadt kostet"),
    ("Arbeit", ("OFFICE", "Büro"), "Eine Fahrt ins Büro kostet"),
    ("Uni", ("UNIVERSITY", "Universität"), "Eine Fahrt zur Universität kostet"),
    ("Hause", ("HOME", "Zuhause"), "Eine Fahrt nach Hause kostet"),
    ("Berlin", None, "Eine Fahrt nach Berlin kostet"),
])
def test_german_place_phrases_read_correctly(ride_hailer: Any, resource_server: Any, value: str,
                                             resolved: Optional[tuple[str, str]], phrase: str) -> None:
    answer = ride_hailer(fare_estimate("de-DE", value, resolved))
    assert spoken(answer).startswith(phrase)
    assert "nach Flughafen" not in spoken(answer)


@pytest.mark.parametrize("locale, resolved, expected", [
    ("fr-FR", ("AIRPORT", "l'aéroport"), "Une course vers l'aéroport coûte environ 23,50 euros"),
    ("es-ES", ("AIRPORT", "el aeropuerto"), "Un viaje hacia el aeropuerto cuesta unos 23,50 euros"),
    ("ja-JP", ("AIRPORT", "空港"), "空港までの料金は約23.50ユーロで"),
])
def test_new_locales_answer_a_fare_estimate_in_their_language(
    ride_hailer: Any, resource_server: Any, locale: str, resolved: tuple[str, str], expected: str
) -> None:
    answer = ride_hailer(fare_estimate(locale, resolved[1], resolved))
    assert spoken(answer).startswith(expected)


@pytest.mark.parametrize("locale", SKILL_LOCALES)
def test_launch_greets_in_each_skill_locale(ride_hailer: Any, locale: str) -> None:
    envelope = json.loads((SKILL_FIXTURES / "launch.unlinked.json").read_text())
    envelope["request"]["locale"] = locale
    assert spoken(ride_hailer(copy.deepcopy(envelope))) == prompts_for(locale).welcome
