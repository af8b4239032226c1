"""Interaction models (custom skills only): one per locale, intents, slot types, utterances."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alexa_linkcheck import constants as C
from alexa_linkcheck.project.context import Findings, Project, jp, lst, obj
from alexa_linkcheck.project.manifest import example_phrases

BASE = ("interactionModel", "languageModel")


def check(project: Project, out: Findings) -> None:
    """Each manifest locale of a custom skill has a sound model; handled intents exist."""
    if not project.is_custom or project.models_dir is None or project.skill_json is None:
        return
    pub = ("manifest", "publishingInformation", "locales")
    loaded: dict[str, tuple[Path, set[str]]] = {}
    for locale in project.locales:
        file = project.models_dir / f"{locale}.json"
        if not file.is_file():
            rel = out.rel(project.models_dir)
            out.add("error", "model.missing", project.skill_json, jp(*pub, locale),
                    f"Locale {locale} has no interaction model ({rel}/{locale}.json): the "
                    "skill does not build for it.",
                    f"Add {rel}/{locale}.json or remove the locale.", C.DOC_MODEL)
            continue
        data = out.load_json(file, "model", C.DOC_MODEL)
        if data is None:
            continue
        lm = obj(obj(data).get("interactionModel")).get("languageModel")
        if not isinstance(lm, dict):
            out.add("error", "model.language-model", file, jp(*BASE),
                    "No interactionModel.languageModel object.",
                    "Use the interaction model schema.", C.DOC_MODEL)
            continue
        loaded[locale] = (file, _check_model(project, out, file, locale, lm))
    _check_handled_intents(project, out, loaded)


def _check_handled_intents(project: Project, out: Findings,
                           loaded: dict[str, tuple[Path, set[str]]]) -> None:
    """One warning per handled intent that some locale's model lacks (never one per locale).

    A warning, not an error: the model builds and the other intents work; only the users of
    the locales that lack it cannot reach that handler.
    """
    first: dict[str, Any] = {}
    for ref in project.code.references:
        first.setdefault(ref.name, ref)
    for name, ref in first.items():
        lacking = [loc for loc, (_, names) in loaded.items() if name not in names]
        if not lacking:
            continue
        file = loaded[lacking[0]][0]
        where = ("any model" if len(lacking) == len(loaded)
                 else f"the {', '.join(lacking)} model" + ("s" if len(lacking) > 1 else ""))
        out.add("warning", "model.intent-missing", file, jp(*BASE, "intents"),
                f"Intent {name} is handled in {ref.file}:{ref.line} but is not in {where}, so "
                f"Alexa never sends it there and that handler is unreachable for those users.",
                f"Add {name} with sample utterances to {', '.join(lacking)} (or remove the "
                "handler if the intent is gone).", C.DOC_MODEL)


def _check_model(project: Project, out: Findings, file: Path, locale: str,
                 lm: dict[str, Any]) -> set[str]:
    """Checks inside one languageModel; returns its intent names."""
    intents = [i for i in lst(lm.get("intents")) if isinstance(i, dict)]
    names = {str(i.get("name")) for i in intents}
    for builtin in C.REQUIRED_BUILTINS:
        if builtin not in names:
            out.add("error", "model.builtin-missing", file, jp(*BASE, "intents"),
                    f"Required built-in intent {builtin} is missing: the model does not "
                    "build without it.",
                    f'Add {{"name": "{builtin}", "samples": []}}.', C.DOC_MODEL)
    for builtin in C.RECOMMENDED_BUILTINS:
        if builtin not in names:
            out.add("warning", "model.builtin-recommended", file, jp(*BASE, "intents"),
                    f"Recommended built-in intent {builtin} is missing: out-of-domain "
                    "requests land on a random intent.",
                    f'Add {{"name": "{builtin}", "samples": []}} and a handler.', C.DOC_MODEL)
    defined = {str(t.get("name")) for t in lst(lm.get("types")) if isinstance(t, dict)}
    seen: dict[str, tuple[str, int, int]] = {}
    for i, intent in enumerate(intents):
        for s, slot in enumerate(lst(intent.get("slots"))):
            stype = slot.get("type") if isinstance(slot, dict) else None
            if isinstance(stype, str) and not stype.startswith("AMAZON.") and \
                    stype not in defined:
                out.add("error", "model.slot-type-undefined", file,
                        jp(*BASE, "intents", i, "slots", s, "type"),
                        f"Slot type {stype} of {intent.get('name')} is not defined.",
                        f"Define {stype} in languageModel.types or use an AMAZON type.",
                        C.DOC_MODEL)
        for u, sample in enumerate(lst(intent.get("samples"))):
            if not isinstance(sample, str):
                continue
            key = " ".join(sample.lower().split())
            if key in seen:
                other, oi, ou = seen[key]
                same = other == intent.get("name")
                out.add("warning" if same else "error", "model.duplicate-utterance", file,
                        jp(*BASE, "intents", i, "samples", u),
                        f"Utterance {sample!r} of {intent.get('name')} is also in "
                        f"{'the same intent' if same else 'another intent'} "
                        f"({other}, {jp(*BASE, 'intents', oi, 'samples', ou)}).",
                        "Keep each utterance in exactly one intent.", C.DOC_MODEL)
            else:
                seen[key] = (str(intent.get("name")), i, u)
    _check_example_phrases(project, out, locale, str(lm.get("invocationName") or ""))
    return names


def _check_example_phrases(project: Project, out: Findings, locale: str,
                           invocation: str) -> None:
    """Example phrases start with the wake word and name the invocation."""
    phrases = example_phrases(project, locale)
    if not invocation or phrases is None or project.skill_json is None:
        return
    inv = " ".join(invocation.lower().split())
    for n, phrase in enumerate(phrases[: C.MAX_EXAMPLE_PHRASES]):
        text = " ".join(str(phrase).lower().replace(",", " ").split())
        if not text.startswith(C.WAKE_WORDS) or inv not in text:
            out.add("warning", "skill-json.example-phrase-invocation", project.skill_json,
                    jp("manifest", "publishingInformation", "locales", locale,
                       "examplePhrases", n),
                    f"Example phrase {phrase!r} does not start with the wake word and "
                    f"name the invocation {invocation!r}.",
                    f'Write it like "Alexa, open {invocation}" or "Alexa, ask '
                    f'{invocation} to ...".', C.DOC_MANIFEST)
