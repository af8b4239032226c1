"""Utterance resolution from a skill package's interaction model, as Alexa's NLU would.

Each sample utterance becomes a case- and punctuation-insensitive matcher of whole words
in which `{slot}` captures one or more whole words. A German preposition right before a
slot also matches its contractions and article forms ("zu {destination}" hears "zum
Flughafen", "zur Messe", "zu dem Hotel"; "nach {destination}" hears "nach dem
Bahnhof"), and the slot gets the words after them. The best match wins: fewest captured
(wildcard) characters, then most slot values found in custom slot types, then model order. Launch phrases
("open <invocation name>", "öffne ...") become LaunchRequests; one-shot phrases ("ask
<invocation name> to ...") start a session with the intent.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any, Mapping

from .errors import ModelError, UnmatchedUtterance

#: Phrases that open a skill by invocation name, per language (Alexa docs,
#: "Understand How Users Invoke Custom Skills"). `{inv}` is the invocation name.
LAUNCH_PHRASES: Mapping[str, tuple[str, ...]] = {
    "en": ("open {inv}", "launch {inv}", "start {inv}", "begin {inv}", "load {inv}",
           "run {inv}", "use {inv}", "talk to {inv}", "{inv}"),
    "de": ("öffne {inv}", "starte {inv}", "start {inv}", "aktiviere {inv}", "spiele {inv}",
           "{inv} öffnen", "{inv} starten", "{inv}"),
}
#: One-shot phrases: invocation name plus a request for an intent (`{rest}`).
ONE_SHOT_PHRASES: Mapping[str, tuple[str, ...]] = {
    "en": ("ask {inv} to {rest}", "ask {inv} for {rest}", "ask {inv} about {rest}",
           "ask {inv} {rest}", "tell {inv} to {rest}", "tell {inv} {rest}",
           "open {inv} and {rest}", "launch {inv} and {rest}", "use {inv} to {rest}"),
    "de": ("frage {inv} nach {rest}", "frag {inv} nach {rest}", "sage {inv} {rest}",
           "sag {inv} {rest}", "bitte {inv} {rest}", "öffne {inv} und {rest}",
           "starte {inv} und {rest}"),
}
#: Samples Alexa's built-in intents understand without samples in the model
#: (Alexa docs, "Standard Built-in Intents"); used only when the model declares the intent.
BUILT_IN_SAMPLES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "AMAZON.StopIntent": ("stop", "off", "shut up", "quit", "exit", "be quiet"),
        "AMAZON.CancelIntent": ("cancel", "never mind", "forget it"),
        "AMAZON.HelpIntent": ("help", "help me", "what can you do", "what can i say"),
        "AMAZON.NavigateHomeIntent": ("go home", "home"),
        "AMAZON.YesIntent": ("yes", "yeah", "sure", "yes please"),
        "AMAZON.NoIntent": ("no", "nope", "no thanks"),
        "AMAZON.RepeatIntent": ("repeat", "say that again"),
    },
    "de": {
        "AMAZON.StopIntent": ("stopp", "stop", "halt", "aus", "beenden", "sei still"),
        "AMAZON.CancelIntent": ("abbrechen", "vergiss es", "egal"),
        "AMAZON.HelpIntent": ("hilfe", "hilf mir", "was kannst du", "was kann ich sagen"),
        "AMAZON.NavigateHomeIntent": ("nach hause", "startseite"),
        "AMAZON.YesIntent": ("ja", "ja bitte", "genau"),
        "AMAZON.NoIntent": ("nein", "nein danke"),
        "AMAZON.RepeatIntent": ("wiederholen", "wiederhole das"),
    },
}
#: Wake words stripped from the front of an utterance.
WAKE_WORDS = ("alexa", "echo", "computer", "amazon")
#: Entity resolution status codes (ask_sdk_model.slu.entityresolution.StatusCode).
ER_SUCCESS_MATCH = "ER_SUCCESS_MATCH"
ER_SUCCESS_NO_MATCH = "ER_SUCCESS_NO_MATCH"
FALLBACK_INTENT = "AMAZON.FallbackIntent"

#: Forms a preposition takes before a noun, per language: the preposition, its contractions
#: with the definite article, and the preposition followed by an article. A sample's
#: preposition right before a `{slot}` matches every form of its family, so "zu {destination}"
#: hears "zum Flughafen" with the value "Flughafen" (as Alexa's NLU fills it), never
#: "m Flughafen", and "zum {destination}" hears "zur Messe".
_DE_ARTICLES = ("dem", "der", "den", "das", "die", "einem", "einer", "einen", "ein", "eine")


def _family(preposition: str, *contractions: str) -> tuple[str, ...]:
    return (preposition, *contractions, *(f"{preposition} {article}" for article in _DE_ARTICLES))


PREPOSITION_FAMILIES: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "de": (
        _family("zu", "zum", "zur"),
        _family("nach"),
        _family("in", "ins", "im"),
        _family("an", "ans", "am"),
        _family("bei", "beim"),
        _family("von", "vom"),
    ),
}

_SLOT = re.compile(r"\{([A-Za-z0-9_.]+)\}")
#: A slot value: one or more whole words (fewest first).
_CAPTURE = r"\S+(?:\s\S+)*?"


def normalize(text: str) -> str:
    """Lower-case, punctuation to spaces (apostrophes kept), single spaces."""
    text = text.casefold().replace("’", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)
    return " ".join(text.split())


def _language(locale: str) -> str:
    return locale.split("-")[0].lower()


@dataclasses.dataclass(frozen=True)
class SlotTypeValue:
    """One value of a custom slot type."""

    id: str | None
    name: str
    synonyms: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Resolution:
    """What the NLU made of an utterance."""

    kind: str  #: "launch" or "intent"
    intent: str | None = None
    slots: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    new_session: bool = False  #: the utterance named the skill (launch or one-shot)
    exact: bool = False  #: matched a sample without slots (or a launch phrase) word for word
    dialog_state: str | None = None  #: set when the utterance answers a Dialog.ElicitSlot


@dataclasses.dataclass(frozen=True)
class _Sample:
    intent: str
    text: str
    pattern: re.Pattern[str]
    slot_names: tuple[str, ...]
    order: int


def _literal(words: str, before_slot: bool, language: str) -> str:
    """Regex for literal words; a preposition right before a slot also matches its other forms."""
    if not before_slot:
        return re.escape(words)
    head, _, last = words.rpartition(" ")
    forms = next((family for family in PREPOSITION_FAMILIES.get(language, ()) if last in family), None)
    if forms is None:
        return re.escape(words)
    # longest first, so "zu dem" wins over "zu" and the article never lands in the slot
    choices = sorted(forms, key=lambda form: (-len(form), form))
    alternatives = "(?:" + "|".join(re.escape(form).replace(r"\ ", " ") for form in choices) + ")"
    return (re.escape(head) + " " if head else "") + alternatives


def _compile(sample: str, language: str = "") -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A whole-word matcher of a sample on normalized text: literals and `{slot}` captures, one space apart."""
    parts: list[str] = []
    names: list[str] = []
    position = 0
    for match in _SLOT.finditer(sample):
        literal = normalize(sample[position:match.start()])
        if literal:
            parts.append(_literal(literal, True, language))
        names.append(match.group(1))
        parts.append(f"(?P<s{len(names) - 1}>{_CAPTURE})")
        position = match.end()
    tail = normalize(sample[position:])
    if tail:
        parts.append(_literal(tail, False, language))
    return re.compile(" ".join(parts) if parts else r"(?!)"), tuple(names)


class InteractionModel:
    """One locale's interaction model (the `interactionModel` object of <locale>.json)."""

    def __init__(self, data: Mapping[str, Any], locale: str, skill_id: str = "") -> None:
        try:
            language_model = data["interactionModel"]["languageModel"]
            self.invocation_name = normalize(language_model["invocationName"])
            intents = language_model.get("intents", [])
        except (KeyError, TypeError) as error:
            raise ModelError(f"interaction model for {locale} lacks {error}") from error
        self.locale = locale
        self.skill_id = skill_id
        language = _language(locale)
        self.intent_slots: dict[str, dict[str, str]] = {}
        #: slot elicitation samples ("to {destination}") by (intent, slot)
        self.slot_samples: dict[tuple[str, str], list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}
        self.samples: list[_Sample] = []
        for intent in intents:
            name = intent["name"]
            self.intent_slots[name] = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            for slot in intent.get("slots", []):
                for text in slot.get("samples", []):
                    pattern, slot_names = _compile(text, language)
                    self.slot_samples.setdefault((name, slot["name"]), []).append((pattern, slot_names))
            texts = list(intent.get("samples", []))
            texts += BUILT_IN_SAMPLES.get(language, {}).get(name, ())
            for text in texts:
                pattern, slot_names = _compile(text, language)
                unknown = set(slot_names) - set(self.intent_slots[name])
                if unknown:
                    raise ModelError(f"{locale}: sample {text!r} of {name} names undeclared slots {sorted(unknown)}")
                self.samples.append(_Sample(name, text, pattern, slot_names, len(self.samples)))
        self.slot_types: dict[str, list[SlotTypeValue]] = {}
        for slot_type in language_model.get("types", []):
            self.slot_types[slot_type["name"]] = [
                SlotTypeValue(
                    value.get("id"),
                    value["name"]["value"],
                    tuple(value["name"].get("synonyms", [])),
                )
                for value in slot_type.get("values", [])
            ]
        dialog = data["interactionModel"].get("dialog") or {}
        self.dialog_intents = {intent["name"] for intent in dialog.get("intents", [])}

    @classmethod
    def load(cls, skill_package: Path, locale: str, skill_id: str = "") -> "InteractionModel":
        """Read interactionModels/custom/<locale>.json from a skill package folder."""
        path = Path(skill_package) / "interactionModels" / "custom" / f"{locale}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            known = available_locales(skill_package)
            has = f"this skill has {', '.join(known)}" if known else "it has no interaction models"
            raise ModelError(f"no interaction model for locale {locale} in {path.parent} ({has})") from error
        except json.JSONDecodeError as error:
            raise ModelError(f"{path} is not valid JSON: {error}") from error
        return cls(data, locale, skill_id)

    # -- resolution ----------------------------------------------------------------------
    def resolve(self, utterance: str) -> Resolution:
        """Turn an utterance into a launch or an intent with slots."""
        text = normalize(utterance)
        for wake in WAKE_WORDS:
            if text.startswith(wake + " "):
                text = text[len(wake) + 1:]
                break
        language = _language(self.locale)
        inv = re.escape(self.invocation_name)
        for phrase in ONE_SHOT_PHRASES.get(language, ()):
            pattern = re.escape(phrase).replace(r"\{inv\}", inv).replace(r"\{rest\}", "(?P<rest>.+)")
            match = re.fullmatch(pattern, text)
            if match:
                found = self._match_intent(match.group("rest"))
                if found is not None:
                    return dataclasses.replace(found, new_session=True)
        for phrase in LAUNCH_PHRASES.get(language, ()):
            if re.fullmatch(re.escape(phrase).replace(r"\{inv\}", inv), text):
                return Resolution(kind="launch", new_session=True, exact=True)
        found = self._match_intent(text)
        if found is not None:
            return found
        if FALLBACK_INTENT in self.intent_slots:
            return Resolution(kind="intent", intent=FALLBACK_INTENT, slots={})
        raise UnmatchedUtterance(
            f"no intent of the {self.locale} model matches {utterance!r} and it has no {FALLBACK_INTENT}"
        )

    def _match_intent(self, text: str) -> Resolution | None:
        best: tuple[tuple[int, int, int], _Sample, dict[str, str]] | None = None
        for sample in self.samples:
            match = sample.pattern.fullmatch(text)
            if not match:
                continue
            values = {name: match.group(f"s{index}").strip() for index, name in enumerate(sample.slot_names)}
            wildcard = sum(len(value) for value in values.values())
            unresolved = sum(
                1 for name, value in values.items()
                if self._slot_type_is_custom(sample.intent, name)
                and self._lookup(self.intent_slots[sample.intent][name], value) is None
            )
            key = (wildcard, unresolved, sample.order)
            if best is None or key < best[0]:
                best = (key, sample, values)
        if best is None:
            return None
        _, sample, values = best
        return Resolution(kind="intent", intent=sample.intent, slots=self._slots(sample.intent, values),
                          exact=not sample.slot_names)

    def resolve_slot(self, utterance: str, intent: str, slot: str) -> dict[str, dict[str, Any]] | None:
        """Slots filled by an answer to Dialog.ElicitSlot, from the slot's own samples; None if none match."""
        text = normalize(utterance)
        best: tuple[int, dict[str, str]] | None = None
        for pattern, names in self.slot_samples.get((intent, slot), []):
            match = pattern.fullmatch(text)
            if not match or slot not in names:
                continue
            values = {name: match.group(f"s{index}").strip() for index, name in enumerate(names)}
            wildcard = sum(len(value) for value in values.values())
            if best is None or wildcard < best[0]:
                best = (wildcard, values)
        if best is None:
            return None
        filled = self._slots(intent, best[1])
        return {name: filled[name] for name in best[1]}

    def declared_slots(self, intent: str) -> dict[str, dict[str, Any]]:
        """Every slot the intent declares, without values, as Alexa sends unfilled slots."""
        return self._slots(intent, {}) if intent in self.intent_slots else {}

    def _slot_type_is_custom(self, intent: str, slot: str) -> bool:
        return self.intent_slots[intent][slot] in self.slot_types

    def _lookup(self, slot_type: str, value: str) -> SlotTypeValue | None:
        wanted = normalize(value)
        for candidate in self.slot_types.get(slot_type, []):
            if wanted in {normalize(candidate.name), *(normalize(s) for s in candidate.synonyms)}:
                return candidate
        return None

    def _slots(self, intent: str, values: Mapping[str, str]) -> dict[str, dict[str, Any]]:
        slots: dict[str, dict[str, Any]] = {}
        for name, slot_type in self.intent_slots[intent].items():
            slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
            if name in values:
                slot["value"] = self._spelling(slot_type, values[name])
                if slot_type in self.slot_types:
                    slot["resolutions"] = self._resolutions(slot_type, values[name])
            slots[name] = slot
        return slots

    def _spelling(self, slot_type: str, value: str) -> str:
        """The model's spelling of a value it knows (as speech recognition writes it), else the words heard."""
        found = self._lookup(slot_type, value)
        if found is not None:
            wanted = normalize(value)
            for spelling in (found.name, *found.synonyms):
                if normalize(spelling) == wanted:
                    return spelling
        return value

    def _resolutions(self, slot_type: str, value: str) -> dict[str, Any]:
        authority = f"amzn1.er-authority.echo-sdk.{self.skill_id}.{slot_type}"
        found = self._lookup(slot_type, value)
        if found is None:
            return {"resolutionsPerAuthority": [
                {"authority": authority, "status": {"code": ER_SUCCESS_NO_MATCH}}
            ]}
        entry: dict[str, Any] = {"name": found.name}
        if found.id:
            entry["id"] = found.id
        return {"resolutionsPerAuthority": [
            {"authority": authority, "status": {"code": ER_SUCCESS_MATCH}, "values": [{"value": entry}]}
        ]}


#: The handler ASK CLI projects name by default (ask-resources.json `userConfig.handler`).
DEFAULT_HANDLER = "lambda_function.lambda_handler"


def available_locales(skill_package: Path) -> list[str]:
    """Locales with an interaction model in the skill package (interactionModels/custom/*.json), sorted."""
    folder = Path(skill_package) / "interactionModels" / "custom"
    return sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []


def _resources(project: Path) -> Mapping[str, Any] | None:
    """The first profile of ask-resources.json, or None when the project has no such file."""
    resources = Path(project) / "ask-resources.json"
    if not resources.exists():
        return None
    try:
        data = json.loads(resources.read_text(encoding="utf-8"))
        profile = next(iter(data["profiles"].values()))
    except (KeyError, StopIteration, json.JSONDecodeError, AttributeError, TypeError) as error:
        raise ModelError(f"{resources} has no profiles") from error
    if not isinstance(profile, Mapping):
        raise ModelError(f"{resources}: the first profile is not an object")
    return profile


def skill_package_path(project: Path) -> Path:
    """The skill package folder named by ask-resources.json (skillMetadata.src)."""
    profile = _resources(project)
    if profile is None:
        candidate = Path(project) / "skill-package"
        if candidate.is_dir():
            return candidate
        raise ModelError(f"no ask-resources.json or skill-package/ in {project}")
    try:
        src = profile["skillMetadata"]["src"]
    except (KeyError, TypeError) as error:
        raise ModelError(f"{Path(project) / 'ask-resources.json'} has no profiles.*.skillMetadata.src") from error
    return (Path(project) / str(src)).resolve()


def lambda_code_path(project: Path) -> Path:
    """The Lambda code folder named by ask-resources.json (code.default.src)."""
    profile = _resources(project)
    if profile is None:
        return Path(project) / "lambda"
    try:
        src = profile["code"]["default"]["src"]
    except (KeyError, TypeError) as error:
        raise ModelError(f"{Path(project) / 'ask-resources.json'} has no profiles.*.code.default.src") from error
    return (Path(project) / str(src)).resolve()


def lambda_handler_name(project: Path) -> str:
    """`MODULE.FUNCTION` from ask-resources.json `skillInfrastructure.userConfig.handler` (default lambda_function.lambda_handler)."""
    profile = _resources(project) or {}
    infrastructure = profile.get("skillInfrastructure")
    user_config = infrastructure.get("userConfig") if isinstance(infrastructure, Mapping) else None
    handler = user_config.get("handler") if isinstance(user_config, Mapping) else None
    if handler is None:
        return DEFAULT_HANDLER
    if not isinstance(handler, str) or "." not in handler.strip("."):
        raise ModelError(f"{Path(project) / 'ask-resources.json'}: userConfig.handler {handler!r} is not MODULE.FUNCTION")
    return handler


def event_subscriptions(skill_package: Path | None, project: Path | None = None) -> frozenset[str]:
    """Skill events the skill subscribes to: skill.json `manifest.events.subscriptions[].eventName`,
    plus ask-resources.json `userConfig.skillEvents.subscriptions` of the project when given.

    Alexa sends a skill event only when the manifest subscribes to it; without a skill.json
    the skill subscribes to nothing.
    """
    names: set[str] = set()
    manifest_path = Path(skill_package) / "skill.json" if skill_package is not None else None
    if manifest_path is not None and manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))["manifest"]
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ModelError(f"{manifest_path} is not a skill manifest: {error}") from error
        events = manifest.get("events") if isinstance(manifest, Mapping) else None
        for entry in (events.get("subscriptions") or []) if isinstance(events, Mapping) else []:
            if isinstance(entry, Mapping) and isinstance(entry.get("eventName"), str):
                names.add(entry["eventName"])
    if project is not None:
        infrastructure = (_resources(project) or {}).get("skillInfrastructure")
        user_config = infrastructure.get("userConfig") if isinstance(infrastructure, Mapping) else None
        skill_events = user_config.get("skillEvents") if isinstance(user_config, Mapping) else None
        listed = skill_events.get("subscriptions") if isinstance(skill_events, Mapping) else None
        names.update(name for name in (listed or []) if isinstance(name, str))
    return frozenset(names)
