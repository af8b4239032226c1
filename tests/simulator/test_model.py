"""Utterances resolve against the interaction model the way Alexa's NLU would."""
from __future__ import annotations

from pathlib import Path

import pytest

from alexa_linkcheck.simulator import InteractionModel, UnmatchedUtterance
from alexa_linkcheck.simulator.model import skill_package_path


@pytest.fixture
def en(project: Path) -> InteractionModel:
    return InteractionModel.load(skill_package_path(project), "en-US", "amzn1.ask.skill.abc")


@pytest.fixture
def de(project: Path) -> InteractionModel:
    return InteractionModel.load(project / "skill-package", "de-DE", "amzn1.ask.skill.abc")


def test_skill_package_path_comes_from_ask_resources(project: Path) -> None:
    assert skill_package_path(project) == (project / "skill-package").resolve()


def test_open_invocation_name_is_a_launch_request(en: InteractionModel) -> None:
    resolution = en.resolve("Alexa, open Test Taxi!")
    assert resolution.kind == "launch"
    assert resolution.new_session


def test_german_open_phrase_is_a_launch_request(de: InteractionModel) -> None:
    assert de.resolve("Öffne Test Taxi").kind == "launch"
    assert de.resolve("starte test taxi").kind == "launch"


def test_slot_value_is_captured_and_resolved_to_custom_type_synonym(en: InteractionModel) -> None:
    resolution = en.resolve("Take me to the Airport.")
    assert resolution.intent == "OrderRideIntent"
    slot = resolution.slots["destination"]
    assert slot["value"] == "the airport"
    authority = slot["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"]["code"] == "ER_SUCCESS_MATCH"
    assert authority["values"][0]["value"] == {"name": "airport", "id": "AIRPORT"}
    assert authority["authority"] == "amzn1.er-authority.echo-sdk.amzn1.ask.skill.abc.DESTINATION"


def test_unknown_custom_slot_value_reports_no_match(en: InteractionModel) -> None:
    slot = en.resolve("take me to the moon").slots["destination"]
    assert slot["value"] == "the moon"
    assert slot["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    assert "values" not in slot["resolutions"]["resolutionsPerAuthority"][0]


def test_built_in_slot_type_gets_raw_value_without_resolutions(en: InteractionModel) -> None:
    slot = en.resolve("how much is a ride to Boston").slots["city"]
    assert slot == {"name": "city", "value": "boston", "confirmationStatus": "NONE"}


def test_exact_sample_beats_a_sample_with_a_slot(en: InteractionModel) -> None:
    resolution = en.resolve("how much is a ride to the airport")
    assert resolution.intent == "FareEstimateIntent"
    assert "value" not in resolution.slots["city"]


def test_sample_without_slot_value_still_sends_every_declared_slot(en: InteractionModel) -> None:
    resolution = en.resolve("order a ride")
    assert resolution.slots == {"destination": {"name": "destination", "confirmationStatus": "NONE"}}


def test_stop_and_help_map_to_built_in_intents_declared_in_the_model(en: InteractionModel, de: InteractionModel) -> None:
    assert en.resolve("stop").intent == "AMAZON.StopIntent"
    assert en.resolve("Never mind.").intent == "AMAZON.CancelIntent"
    assert en.resolve("help").intent == "AMAZON.HelpIntent"
    assert de.resolve("Hilfe").intent == "AMAZON.HelpIntent"


def test_unmatched_utterance_goes_to_fallback_intent(en: InteractionModel) -> None:
    assert en.resolve("sing me a song about turtles").intent == "AMAZON.FallbackIntent"


def test_unmatched_utterance_without_fallback_intent_is_a_clear_error() -> None:
    data = {"interactionModel": {"languageModel": {"invocationName": "x y", "intents": [
        {"name": "CountIntent", "samples": ["count"]}]}}}
    with pytest.raises(UnmatchedUtterance, match="no intent of the en-US model matches 'dance'"):
        InteractionModel(data, "en-US").resolve("dance")


def test_one_shot_phrase_starts_a_new_session_with_the_intent(en: InteractionModel) -> None:
    resolution = en.resolve("ask test taxi to take me to the train station")
    assert resolution.kind == "intent" and resolution.intent == "OrderRideIntent"
    assert resolution.new_session
    assert resolution.slots["destination"]["resolutions"]["resolutionsPerAuthority"][0]["values"][0]["value"]["id"] == "STATION"


def test_german_utterance_resolves_slot_against_german_values(de: InteractionModel) -> None:
    slot = de.resolve("bestelle eine fahrt zum flughafen").slots["destination"]
    assert slot["value"] == "Flughafen"  # the model's spelling, as speech recognition writes it
    assert slot["resolutions"]["resolutionsPerAuthority"][0]["values"][0]["value"]["id"] == "AIRPORT"


def test_missing_locale_is_a_clear_error(project: Path) -> None:
    from alexa_linkcheck.simulator import ModelError

    with pytest.raises(ModelError, match="no interaction model for locale fr-FR"):
        InteractionModel.load(project / "skill-package", "fr-FR")


def test_sample_naming_undeclared_slot_is_a_model_error() -> None:
    from alexa_linkcheck.simulator import ModelError

    data = {"interactionModel": {"languageModel": {"invocationName": "x", "intents": [
        {"name": "A", "samples": ["go to {where}"]}]}}}
    with pytest.raises(ModelError, match="undeclared slots"):
        InteractionModel(data, "en-US")



def test_apostrophes_and_typographic_quotes_match_samples_with_contractions() -> None:
    data = {"interactionModel": {"languageModel": {"invocationName": "ride hailer", "intents": [
        {"name": "CancelRideIntent", "samples": ["I don't need the ride anymore"]},
        {"name": "AMAZON.FallbackIntent", "samples": []}]}}}
    model = InteractionModel(data, "en-US")
    assert model.resolve("I don’t need the ride anymore!").intent == "CancelRideIntent"
    assert model.resolve("Alexa, I DON'T need the ride anymore").intent == "CancelRideIntent"
    assert model.resolve("I dont need the ride anymore").intent == "AMAZON.FallbackIntent"


def test_en_gb_uses_english_launch_phrases_and_built_ins(project: Path) -> None:
    model = InteractionModel.load(project / "skill-package", "en-GB")
    assert model.resolve("talk to test taxi").kind == "launch"
    assert model.resolve("cancel").intent == "AMAZON.CancelIntent"


def _german_rides_model() -> InteractionModel:
    """A de-DE model written like the Ride Hailer one: bare prepositions before the slot."""
    data = {"interactionModel": {"languageModel": {"invocationName": "test taxi", "intents": [
        {"name": "OrderRideIntent", "slots": [{"name": "destination", "type": "DESTINATION",
                                                "samples": ["{destination}", "zum {destination}"]}],
         "samples": ["bestelle eine Fahrt zu {destination}", "bring mich nach {destination}"]},
        {"name": "AMAZON.FallbackIntent", "samples": []}],
        "types": [{"name": "DESTINATION", "values": [
            {"id": "AIRPORT", "name": {"value": "Flughafen"}},
            {"id": "FAIR", "name": {"value": "Messe"}},
            {"id": "STATION", "name": {"value": "Hauptbahnhof"}}]}]}}}
    return InteractionModel(data, "de-DE", "amzn1.ask.skill.abc")


@pytest.mark.parametrize("utterance, value, value_id", [
    ("bestelle eine fahrt zum flughafen", "Flughafen", "AIRPORT"),
    ("bestelle eine Fahrt zur Messe", "Messe", "FAIR"),
    ("bestelle eine Fahrt zu dem Flughafen", "Flughafen", "AIRPORT"),
    ("bestelle eine Fahrt zu der Messe", "Messe", "FAIR"),
    ("bring mich nach dem Hauptbahnhof", "Hauptbahnhof", "STATION"),
    ("bestelle eine Fahrt zu Messe", "Messe", "FAIR"),
])
def test_german_contractions_and_articles_leave_the_slot_with_the_noun(utterance: str, value: str, value_id: str) -> None:
    slot = _german_rides_model().resolve(utterance).slots["destination"]
    assert slot["value"] == value
    assert slot["resolutions"]["resolutionsPerAuthority"][0]["values"][0]["value"]["id"] == value_id


def test_elicited_german_slot_answer_with_another_contraction_fills_the_noun() -> None:
    filled = _german_rides_model().resolve_slot("zur Messe", "OrderRideIntent", "destination")
    assert filled is not None and filled["destination"]["value"] == "Messe"


def test_samples_match_whole_words_only(en: InteractionModel) -> None:
    # "take me to {destination}" must not match inside "tomorrow" and leave "morrow" as the slot
    resolution = en.resolve("take me tomorrow")
    assert resolution.intent == "AMAZON.FallbackIntent"
    assert "value" not in resolution.slots.get("destination", {})
