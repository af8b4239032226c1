"""``alexa-linkcheck project``: static checks of an ASK CLI v2 project, file by file.

Never imports user code: handler modules are parsed with :mod:`ast`.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from ask_smapi_model.v1.skill.account_linking.access_token_scheme_type import (
    AccessTokenSchemeType,
)
from ask_smapi_model.v1.skill.account_linking.account_linking_platform_authorization_url import (  # noqa: E501
    AccountLinkingPlatformAuthorizationUrl,
)
from ask_smapi_model.v1.skill.account_linking.account_linking_request_payload import (
    AccountLinkingRequestPayload,
)
from ask_smapi_model.v1.skill.account_linking.account_linking_type import AccountLinkingType
from ask_smapi_model.v1.skill.account_linking.platform_type import PlatformType
from ask_smapi_model.v1.skill.account_linking.voice_forward_account_linking_status import (
    VoiceForwardAccountLinkingStatus,
)

from alexa_linkcheck import constants as C
from alexa_linkcheck.report import Finding, Level

#: Directories never scanned for handler code (virtualenvs, caches, installed packages).
SKIPPED_DIRS = frozenset({"__pycache__", ".venv", "venv", "env", "node_modules", ".git",
                          "site-packages", "tests", "test"})
#: Text in a handler class that says it needs a linked account (heuristic, see docs).
LINK_MARKERS = re.compile(
    r"access_?token|accessToken|LinkAccountCard|get_account_linking_access_token"
    r"|requires?_link|needs?_link|AccountNotLinked|requires_account_link",
    re.IGNORECASE,
)


def jp(*parts: str | int) -> str:
    """A JSON path such as ``$.manifest.publishingInformation.locales["en-US"]``."""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", p):
            out += f".{p}"
        else:
            out += f'["{p}"]'
    return out


@dataclass
class IntentReference:
    """An intent name that handler code tests with ``is_intent_name``."""

    name: str
    file: str
    line: int


@dataclass
class HandlerClass:
    """A class with ``can_handle`` found in handler code."""

    name: str
    file: str
    intents: list[str]
    needs_link: bool


@dataclass
class CodeScan:
    """What the handler code says about intents and account linking."""

    references: list[IntentReference] = field(default_factory=list)
    handlers: list[HandlerClass] = field(default_factory=list)
    mentions_linking: bool = False


class ProjectChecker:
    """Runs every check on one ASK CLI v2 project and collects findings."""

    def __init__(self, root: Path, profile: str = "default") -> None:
        self.root = root
        self.profile = profile
        self.findings: list[Finding] = []
        self.skill_src: Path | None = None
        self.code_srcs: list[Path] = []
        self.manifest_apis: set[str] = set()
        self.deploys_code = False
        self.deploys_skill_events = False
        self.locales: list[str] = []
        self.code = CodeScan()

    # -- plumbing ---------------------------------------------------------------------
    def add(self, level: Level, code: str, file: Path | str, path: str, message: str,
            fix: str, source: str) -> None:
        """Record one finding, with the file relative to the project root."""
        if isinstance(file, Path):
            try:
                file = file.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                file = str(file)
        self.findings.append(Finding(level, code, file, path, message, fix, source))

    def load_json(self, file: Path, code: str, source: str) -> Any | None:
        """Parse a JSON file, or record why it cannot be read and return None."""
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.add("error", f"{code}.missing", file, "$", f"{file.name} does not exist.",
                     f"Create {file.name}.", source)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.add("error", f"{code}.invalid-json", file, "$",
                     f"{file.name} is not valid JSON: {exc}.", "Fix the JSON syntax.", source)
        return None

    def run(self) -> list[Finding]:
        """Run all checks in dependency order and return the findings."""
        self.check_ask_resources()
        for src in self.code_srcs:
            self.scan_code(src)
        if self.skill_src is not None:
            self.check_skill_json()
            self.check_interaction_models()
            self.check_account_linking()
            self.check_no_secrets_uploaded()
        return self.findings

    # -- ask-resources.json -----------------------------------------------------------
    def check_ask_resources(self) -> None:
        """ask-resources.json: version, profile, skill package, code, deployer, handler."""
        file = self.root / "ask-resources.json"
        data = self.load_json(file, "ask-resources", C.DOC_ASK_RESOURCES)
        if not isinstance(data, dict):
            if data is not None:
                self.add("error", "ask-resources.not-object", file, "$",
                         "ask-resources.json is not a JSON object.",
                         "Use the ASK CLI v2 layout: {\"askcliResourcesVersion\", \"profiles\"}.",
                         C.DOC_ASK_RESOURCES)
            return
        version = data.get("askcliResourcesVersion")
        if not _one_of(version, C.ASK_RESOURCES_VERSIONS):
            self.add("error", "ask-resources.version", file, jp("askcliResourcesVersion"),
                     f"askcliResourcesVersion is {version!r}; ASK CLI v2 reads "
                     f"{sorted(C.ASK_RESOURCES_VERSIONS)}.",
                     'Set "askcliResourcesVersion": "2020-03-31" (ASK CLI v1 projects: run '
                     "`ask util upgrade-project`).", C.DOC_ASK_RESOURCES)
        profiles = data.get("profiles")
        profile = profiles.get(self.profile) if isinstance(profiles, dict) else None
        if not isinstance(profile, dict):
            self.add("error", "ask-resources.profile", file, jp("profiles", self.profile),
                     f"Profile {self.profile!r} is not defined.",
                     f"Add profiles.{self.profile}, or pass --profile with one that exists.",
                     C.DOC_ASK_RESOURCES)
            return
        base = ("profiles", self.profile)
        src = _obj(profile.get("skillMetadata")).get("src")
        if not isinstance(src, str) or not (self.root / src).is_dir():
            self.add("error", "ask-resources.skill-metadata-src", file,
                     jp(*base, "skillMetadata", "src"),
                     f"skillMetadata.src {src!r} is not a folder of the project.",
                     'Point it at the skill package folder, e.g. "./skill-package".',
                     C.DOC_ASK_RESOURCES)
        else:
            self.skill_src = self.root / src
        self._check_code(file, profile, base)

    def _check_code(self, file: Path, profile: dict[str, Any], base: tuple[str, ...]) -> None:
        """The code folders, the deployer and the handler named in userConfig."""
        code = profile.get("code")
        if code is not None and not isinstance(code, dict):
            self.add("error", "ask-resources.code", file, jp(*base, "code"),
                     "code is not an object of regions.", 'Use {"default": {"src": "./lambda"}}.',
                     C.DOC_ASK_RESOURCES)
            code = None
        for region, entry in (code or {}).items():
            csrc = entry.get("src") if isinstance(entry, dict) else None
            path = jp(*base, "code", region, "src")
            if not isinstance(csrc, str) or not (self.root / csrc).is_dir():
                self.add("error", "ask-resources.code-src", file, path,
                         f"code.{region}.src {csrc!r} is not a folder of the project.",
                         "Point it at the folder holding the skill code, e.g. \"./lambda\".",
                         C.DOC_ASK_RESOURCES)
                continue
            folder = self.root / csrc
            self.code_srcs.append(folder)
            if not (folder / "requirements.txt").is_file():
                self.add("error", "ask-resources.requirements-missing", file, path,
                         f"{csrc} holds no requirements.txt: the ASK CLI Python build only runs "
                         "when it exists, so `ask deploy` ships the folder without its "
                         "dependencies and the Lambda fails on import.",
                         f"Add {csrc}/requirements.txt listing the runtime dependencies "
                         "(ask-sdk-core, ...).", C.DOC_ASK_RESOURCES)
        infra = profile.get("skillInfrastructure")
        if infra is None:
            return
        self.deploys_code = True
        ipath = (*base, "skillInfrastructure")
        if code is None:
            self.add("error", "ask-resources.code-src", file, jp(*base, "code"),
                     "A deployer is configured but the profile has no code folder to deploy.",
                     'Add "code": {"default": {"src": "./lambda"}}.', C.DOC_ASK_RESOURCES)
        if not isinstance(infra, dict):
            self.add("error", "ask-resources.deployer", file, jp(*ipath),
                     "skillInfrastructure is not an object.",
                     'Use {"type": "@ask-cli/lambda-deployer", "userConfig": {...}}.',
                     C.DOC_ASK_RESOURCES)
            return
        kind = infra.get("type")
        if not _one_of(kind, C.KNOWN_DEPLOYERS):
            self.add("error", "ask-resources.deployer", file, jp(*ipath, "type"),
                     f"Deployer type {kind!r} is not one the ASK CLI v2 knows.",
                     f"Use one of {sorted(C.KNOWN_DEPLOYERS)}.", C.DOC_ASK_RESOURCES)
        user = _obj(infra.get("userConfig"))
        self.deploys_skill_events = isinstance(user.get("skillEvents"), dict)
        runtime, handler = user.get("runtime"), user.get("handler")
        for key, value in (("runtime", runtime), ("handler", handler)):
            if not isinstance(value, str) or not value:
                self.add("error", f"ask-resources.{key}-missing", file,
                         jp(*ipath, "userConfig", key), f"userConfig.{key} is missing.",
                         'Set e.g. "runtime": "python3.12", '
                         '"handler": "lambda_function.lambda_handler".', C.DOC_ASK_RESOURCES)
        if (isinstance(handler, str) and isinstance(runtime, str)
                and runtime.startswith("python") and self.code_srcs):
            self._check_handler(file, jp(*ipath, "userConfig", "handler"), handler)

    def _check_handler(self, file: Path, path: str, handler: str) -> None:
        """The handler ``module.function`` exists in the first code folder (parsed, not run)."""
        module, _, func = handler.rpartition(".")
        folder = self.code_srcs[0]
        rel = module.replace(".", "/")
        candidates = [folder / f"{rel}.py", folder / rel / "__init__.py"]
        modfile = next((c for c in candidates if c.is_file()), None)
        if not module or modfile is None:
            self.add("error", "ask-resources.handler-module", file, path,
                     f"Handler {handler!r}: module {module or '(none)'!r} is not a file in "
                     f"{folder.name}/.", "Name the module file and function as "
                     "<module>.<function>, e.g. lambda_function.lambda_handler.",
                     C.DOC_ASK_RESOURCES)
            return
        try:
            tree = ast.parse(modfile.read_text(encoding="utf-8"), filename=str(modfile))
        except (SyntaxError, UnicodeDecodeError) as exc:
            self.add("error", "ask-resources.handler-module", file, path,
                     f"Handler module {modfile.name} does not parse: {exc}.",
                     "Fix the syntax error.", C.DOC_ASK_RESOURCES)
            return
        if func not in _top_level_names(tree):
            self.add("error", "ask-resources.handler-function", file, path,
                     f"Handler {handler!r}: {modfile.name} defines no top-level {func!r}.",
                     f"Define {func} (e.g. `{func} = sb.lambda_handler()`) or fix the handler "
                     "name.", C.DOC_ASK_RESOURCES)

    # -- handler code -------------------------------------------------------------------
    def scan_code(self, folder: Path) -> None:
        """Collect intent names tested with ``is_intent_name`` and handler classes."""
        installed = _installed_top_levels(folder)
        for pyfile in _python_files(folder, installed):
            try:
                text = pyfile.read_text(encoding="utf-8")
                tree = ast.parse(text, filename=str(pyfile))
            except (SyntaxError, UnicodeDecodeError):
                continue
            rel = pyfile.relative_to(self.root).as_posix() if pyfile.is_relative_to(
                self.root) else str(pyfile)
            if LINK_MARKERS.search(text):
                self.code.mentions_linking = True
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = _intent_name_in_call(node)
                    if name:
                        self.code.references.append(IntentReference(name, rel, node.lineno))
                if isinstance(node, ast.ClassDef):
                    methods = {n.name: n for n in node.body
                               if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                    if "can_handle" not in methods:
                        continue
                    intents = [n for c in ast.walk(methods["can_handle"])
                               if isinstance(c, ast.Call) and (n := _intent_name_in_call(c))]
                    source = ast.get_source_segment(text, node) or ""
                    self.code.handlers.append(
                        HandlerClass(node.name, rel, intents, bool(LINK_MARKERS.search(source))))

    # -- skill.json ---------------------------------------------------------------------
    def check_skill_json(self) -> None:
        """skill.json: custom API, locales, example phrases, endpoint certificate type."""
        assert self.skill_src is not None
        file = self.skill_src / "skill.json"
        data = self.load_json(file, "skill-json", C.DOC_MANIFEST)
        if data is None:
            return
        manifest = data.get("manifest") if isinstance(data, dict) else None
        if not isinstance(manifest, dict):
            self.add("error", "skill-json.manifest", file, jp("manifest"),
                     "skill.json has no manifest object.", 'Wrap it as {"manifest": {...}}.',
                     C.DOC_MANIFEST)
            return
        apis = _obj(manifest.get("apis"))
        self.manifest_apis = set(apis)
        custom = apis.get("custom")
        if not isinstance(custom, dict):
            self.add("error", "skill-json.custom-api", file, jp("manifest", "apis", "custom"),
                     "manifest.apis.custom is missing: linkcheck checks custom skills.",
                     'Add "apis": {"custom": {}} (with an endpoint for web-service hosting).',
                     C.DOC_MANIFEST)
        else:
            self._check_endpoint(file, custom)
        self._check_placeholder_endpoints(file, manifest)
        pub = manifest.get("publishingInformation")
        locales = pub.get("locales") if isinstance(pub, dict) else None
        if not isinstance(locales, dict) or not locales:
            self.add("error", "skill-json.locales", file,
                     jp("manifest", "publishingInformation", "locales"),
                     "No locales in manifest.publishingInformation.",
                     'Add at least one locale, e.g. "en-US": {"name", "summary", '
                     '"description", "examplePhrases"}.', C.DOC_MANIFEST)
            return
        self.locales = list(locales)
        for locale, info in locales.items():
            base = ("manifest", "publishingInformation", "locales", locale)
            info = info if isinstance(info, dict) else {}
            for key in ("name", "summary", "description"):
                if not isinstance(info.get(key), str) or not info[key].strip():
                    self.add("error", f"skill-json.locale-{key}", file, jp(*base, key),
                             f"Locale {locale} has no {key}.",
                             f"Add a {key} in the locale's language.", C.DOC_MANIFEST)
            phrases = info.get("examplePhrases")
            if not isinstance(phrases, list) or not phrases:
                self.add("error", "skill-json.example-phrases", file,
                         jp(*base, "examplePhrases"), f"Locale {locale} has no examplePhrases.",
                         'Add 1 to 3 phrases, the first like "Alexa, open <invocation name>".',
                         C.DOC_MANIFEST)
            elif len(phrases) > C.MAX_EXAMPLE_PHRASES:
                self.add("error", "skill-json.example-phrases", file,
                         jp(*base, "examplePhrases"),
                         f"Locale {locale} has {len(phrases)} examplePhrases; at most "
                         f"{C.MAX_EXAMPLE_PHRASES} are allowed.", "Keep the best three.",
                         C.DOC_MANIFEST)

    def _check_endpoint(self, file: Path, custom: dict[str, Any]) -> None:
        """An HTTPS endpoint needs a valid sslCertificateType."""
        endpoint = custom.get("endpoint")
        if not isinstance(endpoint, dict):
            if not self.deploys_code:
                self.add("warning", "skill-json.endpoint-missing", file,
                         jp("manifest", "apis", "custom", "endpoint"),
                         "No endpoint, and ask-resources.json deploys no code that would set "
                         "one: Alexa has nowhere to send requests.",
                         'Add "endpoint": {"uri": "https://...", "sslCertificateType": '
                         '"Trusted"} or a skillInfrastructure deployer.', C.DOC_MANIFEST)
            return
        uri = endpoint.get("uri")
        path = ("manifest", "apis", "custom", "endpoint")
        if isinstance(uri, str) and uri.lower().startswith("http://"):
            self.add("error", "skill-json.endpoint-http", file, jp(*path, "uri"),
                     "The endpoint is plain http; Alexa only calls HTTPS endpoints.",
                     "Serve the skill over HTTPS on port 443.", C.DOC_MANIFEST)
        if isinstance(uri, str) and uri.lower().startswith("https://"):
            kind = endpoint.get("sslCertificateType")
            if not _one_of(kind, C.SSL_CERTIFICATE_TYPES):
                self.add("error", "skill-json.ssl-certificate-type", file,
                         jp(*path, "sslCertificateType"),
                         f"sslCertificateType is {kind!r} for an HTTPS endpoint.",
                         f"Use one of {sorted(C.SSL_CERTIFICATE_TYPES)} (Trusted for "
                         "certification).", C.DOC_MANIFEST)

    def _check_placeholder_endpoints(self, file: Path, manifest: dict[str, Any]) -> None:
        """Endpoints still naming example.com/.org/.net that `ask deploy` will not replace.

        The ASK CLI (2.30, skill-infrastructure-controller) writes the deployer's endpoint into
        ``apis.<domain>.endpoint`` on every deploy, and into ``events.endpoint`` only when
        ``userConfig.skillEvents`` is set; anything else is sent to Amazon as written.
        """
        sections = (
            (("manifest", "apis", "custom"), _obj(_obj(manifest.get("apis")).get("custom")),
             self.deploys_code,
             "replace the host with your web service's, e.g. https://skill.your-domain/alexa"),
            (("manifest", "events"), _obj(manifest.get("events")),
             self.deploys_code and self.deploys_skill_events,
             "set userConfig.skillEvents in ask-resources.json so `ask deploy` points it at "
             "the Lambda, or replace the host with your web service's .../alexa URL"),
        )
        for base, section, rewritten, fix in sections:
            if rewritten:
                continue
            endpoints = [(base, section.get("endpoint"))]
            for region, entry in _obj(section.get("regions")).items():
                endpoints.append(((*base, "regions", region), _obj(entry).get("endpoint")))
            for path, endpoint in endpoints:
                uri = _obj(endpoint).get("uri")
                host = _url_host(uri) if isinstance(uri, str) else ""
                if any(host == d or host.endswith("." + d) for d in C.EXAMPLE_DOMAINS):
                    self.add("warning", "skill-json.endpoint-placeholder", file,
                             jp(*path, "endpoint", "uri"),
                             f"The endpoint host {host} is a documentation placeholder "
                             "(RFC 2606) and `ask deploy` will not replace it: Alexa would "
                             "send requests there.", fix[0].upper() + fix[1:] + ".",
                             C.DOC_MANIFEST + "; " + C.DOC_ASK_RESOURCES)

    # -- interaction models -------------------------------------------------------------
    def check_interaction_models(self) -> None:
        """One model per locale; referenced intents, slot types, built-ins, utterances."""
        assert self.skill_src is not None
        skill_json = self.skill_src / "skill.json"
        pub = ("manifest", "publishingInformation", "locales")
        for locale in self.locales:
            file = self.skill_src / "interactionModels" / "custom" / f"{locale}.json"
            if not file.is_file():
                self.add("error", "model.missing", skill_json, jp(*pub, locale),
                         f"Locale {locale} has no interaction model "
                         f"(interactionModels/custom/{locale}.json).",
                         f"Add interactionModels/custom/{locale}.json or remove the locale.",
                         C.DOC_MODEL)
                continue
            data = self.load_json(file, "model", C.DOC_MODEL)
            if data is None:
                continue
            lm = _obj(_obj(data).get("interactionModel")).get("languageModel")
            if not isinstance(lm, dict):
                self.add("error", "model.language-model", file,
                         jp("interactionModel", "languageModel"),
                         "No interactionModel.languageModel object.",
                         "Use the interaction model schema.", C.DOC_MODEL)
                continue
            self._check_model(file, locale, lm)

    def _check_model(self, file: Path, locale: str, lm: dict[str, Any]) -> None:
        """Checks inside one languageModel."""
        base = ("interactionModel", "languageModel")
        intents = [i for i in _list(lm.get("intents")) if isinstance(i, dict)]
        names = {str(i.get("name")) for i in intents}
        for ref in self.code.references:
            if ref.name not in names:
                self.add("error", "model.intent-missing", file, jp(*base, "intents"),
                         f"Intent {ref.name} is handled in {ref.file}:{ref.line} but is not "
                         f"in the {locale} model, so Alexa never sends it.",
                         f"Add {ref.name} with sample utterances to {file.name}.", C.DOC_MODEL)
        for builtin in C.REQUIRED_BUILTINS:
            if builtin not in names:
                self.add("error", "model.builtin-missing", file, jp(*base, "intents"),
                         f"Required built-in intent {builtin} is missing.",
                         f'Add {{"name": "{builtin}", "samples": []}}.', C.DOC_MODEL)
        for builtin in C.RECOMMENDED_BUILTINS:
            if builtin not in names:
                self.add("warning", "model.builtin-recommended", file, jp(*base, "intents"),
                         f"Recommended built-in intent {builtin} is missing: out-of-domain "
                         "requests land on a random intent.",
                         f'Add {{"name": "{builtin}", "samples": []}} and a handler.',
                         C.DOC_MODEL)
        defined = {str(t.get("name")) for t in _list(lm.get("types")) if isinstance(t, dict)}
        seen: dict[str, tuple[str, int, int]] = {}
        for i, intent in enumerate(intents):
            for s, slot in enumerate(_list(intent.get("slots"))):
                stype = slot.get("type") if isinstance(slot, dict) else None
                if isinstance(stype, str) and not stype.startswith("AMAZON.") and \
                        stype not in defined:
                    self.add("error", "model.slot-type-undefined", file,
                             jp(*base, "intents", i, "slots", s, "type"),
                             f"Slot type {stype} of {intent.get('name')} is not defined.",
                             f"Define {stype} in languageModel.types or use an AMAZON type.",
                             C.DOC_MODEL)
            for u, sample in enumerate(_list(intent.get("samples"))):
                if not isinstance(sample, str):
                    continue
                key = " ".join(sample.lower().split())
                if key in seen:
                    other, oi, ou = seen[key]
                    where = "another intent" if other != intent.get("name") else "the same intent"
                    self.add("error" if other != intent.get("name") else "warning",
                             "model.duplicate-utterance", file,
                             jp(*base, "intents", i, "samples", u),
                             f"Utterance {sample!r} of {intent.get('name')} is also in {where} "
                             f"({other}, {jp(*base, 'intents', oi, 'samples', ou)}).",
                             "Keep each utterance in exactly one intent.", C.DOC_MODEL)
                else:
                    seen[key] = (str(intent.get("name")), i, u)
        self._check_example_phrases(locale, str(lm.get("invocationName") or ""))

    def _check_example_phrases(self, locale: str, invocation: str) -> None:
        """Example phrases start with the wake word, a launch word and the invocation name."""
        assert self.skill_src is not None
        file = self.skill_src / "skill.json"
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            phrases = data["manifest"]["publishingInformation"]["locales"][locale][
                "examplePhrases"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        if not invocation or not isinstance(phrases, list):
            return
        inv = " ".join(invocation.lower().split())
        for n, phrase in enumerate(phrases[: C.MAX_EXAMPLE_PHRASES]):
            text = " ".join(str(phrase).lower().replace(",", " ").split())
            if not text.startswith("alexa") or inv not in text:
                self.add("warning", "skill-json.example-phrase-invocation", file,
                         jp("manifest", "publishingInformation", "locales", locale,
                            "examplePhrases", n),
                         f"Example phrase {phrase!r} does not start with the wake word and "
                         f"name the invocation {invocation!r}.",
                         f'Write it like "Alexa, open {invocation}" or "Alexa, ask '
                         f'{invocation} to ...".', C.DOC_MANIFEST)

    # -- accountLinking.json ------------------------------------------------------------
    def check_account_linking(self) -> None:
        """accountLinking.json against the SMAPI model and Alexa's requirements."""
        assert self.skill_src is not None
        file = self.skill_src / "accountLinking.json"
        if not file.exists():
            if self.code.mentions_linking:
                self.add("warning", "account-linking.missing", file, "$",
                         "The handler code uses account linking but the skill package has no "
                         "accountLinking.json, so the configuration lives only in the console.",
                         "Keep the configuration (without clientSecret) in "
                         "skill-package/accountLinking.json and apply it with `ask smapi "
                         "update-account-linking-info`.", C.DOC_SMAPI)
            return
        data = self.load_json(file, "account-linking", C.DOC_SMAPI)
        if data is None:
            return
        if not isinstance(data, dict) or C.ACCOUNT_LINKING_WRAPPER not in data:
            self.add("error", "account-linking.wrapper", file, jp(C.ACCOUNT_LINKING_WRAPPER),
                     "The accountLinkingRequest wrapper is missing: `ask smapi "
                     "update-account-linking-info --account-linking-request file:...` "
                     "rejects the bare payload.",
                     'Wrap the fields as {"accountLinkingRequest": {...}}.', C.DOC_SMAPI)
            if isinstance(data, dict) and "type" in data:
                self._check_payload(file, data, ())
            return
        extra = sorted(set(data) - {C.ACCOUNT_LINKING_WRAPPER})
        for key in extra:
            self.add("error", "account-linking.unknown-field", file, jp(key),
                     f"Unknown top-level field {key!r} beside the wrapper.",
                     "Remove it.", C.DOC_SMAPI)
        payload = data[C.ACCOUNT_LINKING_WRAPPER]
        if not isinstance(payload, dict):
            self.add("error", "account-linking.wrapper", file, jp(C.ACCOUNT_LINKING_WRAPPER),
                     "accountLinkingRequest is not an object.", "Put the fields inside it.",
                     C.DOC_SMAPI)
            return
        self._check_payload(file, payload, (C.ACCOUNT_LINKING_WRAPPER,))

    def _check_payload(self, file: Path, p: dict[str, Any], base: tuple[str, ...]) -> None:
        """Every field of the AccountLinkingRequestPayload."""
        known = set(AccountLinkingRequestPayload.attribute_map.values())
        for key in sorted(set(p) - known):
            self.add("error", "account-linking.unknown-field", file, jp(*base, key),
                     f"{key!r} is not a field of AccountLinkingRequestPayload.",
                     f"Remove it or fix its spelling; fields are {sorted(known)}.", C.DOC_SMAPI)
        enums = {"type": AccountLinkingType, "accessTokenScheme": AccessTokenSchemeType,
                 "voiceForwardAccountLinking": VoiceForwardAccountLinkingStatus}
        for key, enum in enums.items():
            if key in p and not _one_of(p[key], {e.value for e in enum}):
                self.add("error", "account-linking.enum", file, jp(*base, key),
                         f"{key} is {p[key]!r}; {enum.__name__} allows "
                         f"{[e.value for e in enum]}.", "Use one of the allowed values.",
                         C.DOC_SMAPI)
        for key, typ in (("clientId", str), ("authorizationUrl", str), ("accessTokenUrl", str),
                         ("reciprocalAccessTokenUrl", str), ("skipOnEnablement", bool)):
            if key in p and not isinstance(p[key], typ):
                self.add("error", "account-linking.type", file, jp(*base, key),
                         f"{key} must be a {typ.__name__}, not {type(p[key]).__name__}.",
                         f"Give {key} as a JSON {'boolean' if typ is bool else 'string'}.",
                         C.DOC_SMAPI)
        for key in ("scopes", "domains", "redirectUrls"):
            if key in p and (not isinstance(p[key], list)
                             or not all(isinstance(v, str) for v in p[key])):
                self.add("error", "account-linking.type", file, jp(*base, key),
                         f"{key} must be a list of strings.",
                         f'Give {key} as ["...", ...].', C.DOC_SMAPI)
        kind = p.get("type")
        if "type" not in p:
            self.add("error", "account-linking.type-missing", file, jp(*base, "type"),
                     "type is missing.", 'Set "type": "AUTH_CODE".', C.DOC_SMAPI)
        if not p.get("authorizationUrl"):
            self.add("error", "account-linking.required", file, jp(*base, "authorizationUrl"),
                     "authorizationUrl is missing.", "Give the login page URL of the "
                     "authorization server.", C.DOC_CONCEPTS)
        if kind == "AUTH_CODE":
            for key in ("accessTokenUrl", "clientId", "accessTokenScheme"):
                if not p.get(key):
                    self.add("error", "account-linking.required", file, jp(*base, key),
                             f"AUTH_CODE needs {key}: Alexa exchanges the code at the access "
                             "token URI with these.", f"Set {key}.", C.DOC_AUTH_CODE)
        if kind == "IMPLICIT":
            others = sorted(self.manifest_apis - {"custom"})
            if others:
                self.add("error", "account-linking.implicit-custom-only", file,
                         jp(*base, "type"),
                         f"IMPLICIT is only for custom skills; this manifest also declares "
                         f"{others}.", 'Use "type": "AUTH_CODE".', C.DOC_IMPLICIT)
            if not p.get("clientId"):
                self.add("error", "account-linking.required", file, jp(*base, "clientId"),
                         "clientId is missing; Alexa passes it as client_id.", "Set clientId.",
                         C.DOC_IMPLICIT)
            if p.get("accessTokenUrl"):
                self.add("warning", "account-linking.implicit-token-url", file,
                         jp(*base, "accessTokenUrl"),
                         "IMPLICIT grants never call the access token URI; it is ignored.",
                         "Remove accessTokenUrl, or switch to AUTH_CODE (recommended: it "
                         "supports refresh tokens).", C.DOC_IMPLICIT)
        for key in ("authorizationUrl", "accessTokenUrl", "reciprocalAccessTokenUrl"):
            if isinstance(p.get(key), str) and p[key]:
                self._check_url(file, jp(*base, key), key, p[key])
        platforms = p.get("authorizationUrlsByPlatform")
        if platforms is not None:
            self._check_platforms(file, base, platforms)
        if isinstance(p.get("scopes"), list) and len(p["scopes"]) > C.MAX_SCOPES:
            self.add("error", "account-linking.too-many-scopes", file, jp(*base, "scopes"),
                     f"{len(p['scopes'])} scopes; at most {C.MAX_SCOPES} are allowed.",
                     "Merge scopes on the server side.", C.DOC_IMPLICIT)
        if isinstance(p.get("domains"), list) and len(p["domains"]) > C.MAX_DOMAINS:
            self.add("error", "account-linking.too-many-domains", file, jp(*base, "domains"),
                     f"{len(p['domains'])} domains; at most {C.MAX_DOMAINS} are allowed.",
                     "Serve the login page's assets from fewer domains.", C.DOC_IMPLICIT)
        # clientSecret is reported by check_no_secrets_uploaded with the other secrets.
        self._check_expiration(file, base, p)
        self._check_skip_on_enablement(file, base, p)

    def _check_url(self, file: Path, path: str, key: str, url: str) -> None:
        """HTTPS on port 443."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme != "https" or not parts.hostname:
            self.add("error", "account-linking.https", file, path,
                     f"{key} {url!r} is not an https URL; Alexa only calls HTTPS.",
                     "Serve it over HTTPS with a certificate from a trusted CA.", C.DOC_AUTH_URI)
        elif port not in (None, 443):
            self.add("error", "account-linking.port", file, path,
                     f"{key} uses port {port}; Alexa only calls port 443.",
                     "Serve it on the default HTTPS port 443.", C.DOC_AUTH_URI)

    def _check_platforms(self, file: Path, base: tuple[str, ...], platforms: Any) -> None:
        """authorizationUrlsByPlatform entries: known platform and HTTPS URL."""
        key = "authorizationUrlsByPlatform"
        if not isinstance(platforms, list):
            self.add("error", "account-linking.type", file, jp(*base, key),
                     f"{key} must be a list.", 'Use [{"platformType": "iOS", '
                     '"platformAuthorizationUrl": "https://..."}].', C.DOC_SMAPI)
            return
        fields = set(AccountLinkingPlatformAuthorizationUrl.attribute_map.values())
        for n, entry in enumerate(platforms):
            if not isinstance(entry, dict):
                continue
            for extra in sorted(set(entry) - fields):
                self.add("error", "account-linking.unknown-field", file,
                         jp(*base, key, n, extra), f"{extra!r} is not a field of "
                         "AccountLinkingPlatformAuthorizationUrl.",
                         f"Use only {sorted(fields)}.", C.DOC_SMAPI)
            if not _one_of(entry.get("platformType"), {e.value for e in PlatformType}):
                self.add("error", "account-linking.enum", file,
                         jp(*base, key, n, "platformType"),
                         f"platformType is {entry.get('platformType')!r}; PlatformType allows "
                         f"{[e.value for e in PlatformType]}.", "Use iOS or Android.",
                         C.DOC_SMAPI)
            url = entry.get("platformAuthorizationUrl")
            if isinstance(url, str):
                self._check_url(file, jp(*base, key, n, "platformAuthorizationUrl"),
                                "platformAuthorizationUrl", url)

    def _check_expiration(self, file: Path, base: tuple[str, ...], p: dict[str, Any]) -> None:
        """defaultTokenExpirationInSeconds: positive int within sane bounds."""
        key = "defaultTokenExpirationInSeconds"
        if key not in p:
            return
        value = p[key]
        path = jp(*base, key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.add("error", "account-linking.token-expiration", file, path,
                     f"{key} is {value!r}; it must be a positive integer.",
                     "Give the access token lifetime in seconds, e.g. 3600.", C.DOC_SMAPI)
        elif value < C.MIN_SANE_TOKEN_SECONDS:
            self.add("warning", "account-linking.token-expiration", file, path,
                     f"{key} is {value}s: when the server omits expires_in, Alexa refreshes "
                     "nearly every request, and each failed refresh unlinks the user.",
                     "Match the server's real access token lifetime (typically 3600).",
                     C.DOC_AUTH_CODE)
        elif value > C.MAX_SANE_TOKEN_SECONDS:
            self.add("warning", "account-linking.token-expiration", file, path,
                     f"{key} is {value}s (over a day): when the server omits expires_in, "
                     "Alexa keeps sending an access token that expired long ago.",
                     "Match the server's real access token lifetime, and send expires_in.",
                     C.DOC_AUTH_CODE)

    def _check_skip_on_enablement(self, file: Path, base: tuple[str, ...],
                                  p: dict[str, Any]) -> None:
        """skipOnEnablement agrees with handlers that work without a linked account."""
        skip = p.get("skipOnEnablement")
        handlers = [h for h in self.code.handlers
                    if any(not i.startswith("AMAZON.") for i in h.intents)]
        if not isinstance(skip, bool) or not handlers:
            return
        unlinked = [h for h in handlers if not h.needs_link]
        path = jp(*base, "skipOnEnablement")
        if skip and not unlinked:
            self.add("warning", "account-linking.skip-on-enablement", file, path,
                     "skipOnEnablement is true but every custom intent handler needs a linked "
                     "account: users who skip linking get nothing but LinkAccount cards.",
                     "Set skipOnEnablement to false, or make some intents useful unlinked.",
                     C.DOC_SKIP)
        if not skip and unlinked:
            names = ", ".join(sorted(h.name for h in unlinked))
            self.add("warning", "account-linking.skip-on-enablement", file, path,
                     f"skipOnEnablement is false although handlers work unlinked ({names}): "
                     "users must link before they can try anything.",
                     "Set skipOnEnablement to true to let users enable the skill first.",
                     C.DOC_SKIP)

    # -- secrets ------------------------------------------------------------------------
    def check_no_secrets_uploaded(self) -> None:
        """No secret-looking value in any file under the skill package (ask deploy uploads it)."""
        assert self.skill_src is not None
        for file in sorted(self.skill_src.rglob("*")):
            if not file.is_file() or file.stat().st_size > 2_000_000:
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for line, what in _secret_values(text, assignments=file.suffix != ".json"):
                self.add("error", "secret-in-skill-package", file, f"line {line}",
                         f"{file.name} holds {what}; `ask deploy` uploads every file under "
                         "the skill package, and it is usually committed.",
                         "Remove it from the skill package (keep secrets in the environment "
                         "or a secret store) and rotate it: it must be treated as leaked.",
                         C.DOC_SMAPI)
            if file.suffix != ".json":
                continue
            try:
                data = json.loads(text)
            except ValueError:
                continue
            for path, key in _secret_keys(data, ()):
                self.add("error", "secret-in-skill-package", file, jp(*path),
                         f"{key!r} holds a value in a file under the skill package, which "
                         "`ask deploy` uploads and which is usually committed.",
                         "Delete the field; pass the client secret only when calling `ask "
                         "smapi update-account-linking-info` (e.g. from an environment "
                         "variable into a temporary file), and rotate the leaked secret.",
                         "ALEXA-FACTS: accountLinking.json; " + C.DOC_SMAPI)


# -- helpers ---------------------------------------------------------------------------
def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _url_host(url: str) -> str:
    """The lower-case host of ``url``, or "" when it has none."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _one_of(value: Any, allowed: Iterable[str]) -> bool:
    """True when ``value`` is a string among ``allowed`` (safe for any JSON value)."""
    return isinstance(value, str) and value in allowed


def _list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def _secret_keys(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """JSON paths of keys that look secret and hold a non-empty string."""
    if isinstance(node, dict):
        for key, value in node.items():
            norm = str(key).lower().replace("_", "").replace("-", "")
            looks_secret = any(w in norm for w in C.SECRET_KEY_WORDS) or norm.endswith("token")
            if isinstance(value, str) and value.strip() and looks_secret:
                yield (*path, key), str(key)
            else:
                yield from _secret_keys(value, (*path, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _secret_keys(value, (*path, n))


def _secret_values(text: str, *, assignments: bool) -> Iterator[tuple[int, str]]:
    """(line number, what) for each secret-looking value in ``text``; values never returned.

    ``assignments`` also matches ``client_secret = ...``-style lines (for non-JSON files,
    whose JSON keys are checked separately by ``_secret_keys``).
    """
    patterns = C.SECRET_VALUE_PATTERNS + (C.SECRET_ASSIGNMENT_PATTERNS if assignments else ())
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in patterns:
            if pattern.search(line):
                yield number, what
                break


def _intent_name_in_call(node: ast.Call) -> str | None:
    """``X`` in ``is_intent_name("X")`` (any receiver), else None."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else None)
    if name == "is_intent_name" and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _top_level_names(tree: ast.Module) -> set[str]:
    """Names bound at module level: functions, classes, assignments, imports."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _installed_top_levels(folder: Path) -> set[str]:
    """Top-level names of packages pip installed into the code folder (after a build)."""
    names: set[str] = set()
    for info in folder.glob("*.dist-info"):
        names.add(info.name)
        top = info / "top_level.txt"
        if top.is_file():
            names.update(line.strip() for line in top.read_text().splitlines() if line.strip())
    return names


def _python_files(folder: Path, skipped: set[str]) -> Iterator[Path]:
    """Python files of the handler code, without installed packages and virtualenvs."""
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
            continue
        if entry.is_dir():
            if entry.name in skipped or entry.name.endswith((".dist-info", ".egg-info")):
                continue
            yield from _python_files(entry, set())
        elif entry.suffix == ".py" and entry.stem not in skipped:
            yield entry


def check_project(root: Path, profile: str = "default") -> list[Finding]:
    """Run every project check on ``root`` and return the findings."""
    return ProjectChecker(root, profile).run()
