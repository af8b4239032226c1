"""What the checks of ``alexa-linkcheck project`` share: the project's facts and the findings.

:class:`Project` is filled in one pass, in this order, each step reading only what the
steps before it filled: layout (:mod:`.ask_resources`), code (:mod:`.code`), manifest
(:mod:`.manifest`), then interaction models, account linking and secrets, which only read.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from alexa_linkcheck import constants as C
from alexa_linkcheck.report import Finding, Level


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


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def lst(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def one_of(value: Any, allowed: Iterable[str]) -> bool:
    """True when ``value`` is a string among ``allowed`` (safe for any JSON value)."""
    return isinstance(value, str) and value in allowed


def shown(value: Any) -> str:
    """A JSON value as a finding shows it: in words when missing, never as Python's None."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        return f'"{value}"' if value else "empty"
    return json.dumps(value)[:80]


@dataclass
class Handler:
    """A request handler found in the code: a class with ``can_handle`` or a registered function."""

    name: str
    file: str
    intents: list[str]
    #: True / False when the handler declares it (``@requires_link`` / ``@link_optional``,
    #: ``link_requirement = ...``); None when only the heuristic can tell.
    declared: bool | None
    #: The heuristic: its source mentions the access token, LinkAccount cards, ...
    mentions_link: bool
    registered: bool

    @property
    def needs_link(self) -> bool:
        """The declaration when there is one, else the heuristic."""
        return self.declared if self.declared is not None else self.mentions_link


@dataclass
class IntentReference:
    """An intent name that handler code tests with ``is_intent_name``."""

    name: str
    file: str
    line: int


@dataclass
class CodeFacts:
    """What the code folders say about intents, handlers and account linking."""

    references: list[IntentReference] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    mentions_linking: bool = False
    handles_accept_grant: bool = False


@dataclass
class CodeFolder:
    """One code folder of the project (several regions may share it)."""

    path: Path
    regions: list[str]
    #: JSON path of the first ``code.<region>.src`` naming it (where findings point).
    json_path: str
    runtime: str | None = None


@dataclass
class Project:
    """Facts about one project, filled by the checks in order (see the module docstring)."""

    root: Path
    profile: str
    #: "ask-cli-v2", "ask-cli-v1" or "skill-package" (no ask-resources.json).
    layout: str = "ask-cli-v2"
    #: The file the layout was read from (ask-resources.json or .ask/config), if any.
    layout_file: Path | None = None
    skill_src: Path | None = None
    #: Where the manifest and the interaction models live (v1: the root and models/).
    skill_json: Path | None = None
    models_dir: Path | None = None
    account_linking_files: tuple[Path, ...] = ()
    code_folders: list[CodeFolder] = field(default_factory=list)
    deployer: str | None = None
    deploys_code: bool = False
    deploys_skill_events: bool = False
    apis: set[str] = field(default_factory=set)
    locales: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    code: CodeFacts = field(default_factory=CodeFacts)

    @property
    def is_custom(self) -> bool:
        """The manifest declares a custom API (interaction models, example phrases...)."""
        return "custom" in self.apis

    @property
    def runtimes(self) -> set[str]:
        """The languages of the code folders ("python", "nodejs", "java")."""
        return {f.runtime for f in self.code_folders if f.runtime}

    def facts(self) -> dict[str, Any]:
        """What linkcheck took the project for, as JSON-ready data (``--json``'s "skill")."""
        return {
            "layout": self.layout,
            "apis": sorted(self.apis),
            "deployer": self.deployer,
            "code_folders": [{"path": Findings(self.root).rel(f.path), "regions": f.regions,
                              "runtime": f.runtime} for f in self.code_folders],
            "locales": self.locales,
        }

    def describe(self) -> str:
        """One line saying what linkcheck took the project for."""
        layout = {"ask-cli-v2": "ASK CLI v2 project", "ask-cli-v1": "ASK CLI v1 project",
                  "skill-package": "skill package without ask-resources.json"}[self.layout]
        kinds = ", ".join(C.SKILL_APIS.get(a, a) for a in sorted(self.apis)) or "no API"
        runtimes = ", ".join(sorted(self.runtimes)) or "no code folder"
        deployer = self.deployer or "no deployer"
        return f"{layout}; {kinds} skill; {runtimes}; {deployer}"


class Findings:
    """The findings of one run, one per defect (exact repeats are dropped)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: list[Finding] = []
        self._seen: set[tuple[str, str, str, str, str]] = set()

    def rel(self, file: Path | str) -> str:
        """``file`` relative to the project root, with forward slashes."""
        if isinstance(file, Path):
            try:
                return file.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return str(file)
        return file

    def add(self, level: Level, code: str, file: Path | str, path: str, message: str,
            fix: str, source: str) -> None:
        """Record one finding unless the same one is already recorded."""
        finding = Finding(level, code, self.rel(file), path, message, fix, source)
        key = (finding.level, finding.code, finding.file, finding.path, finding.message)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(finding)

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
        except OSError as exc:
            self.add("error", f"{code}.unreadable", file, "$",
                     f"{file.name} cannot be read: {exc.strerror}.",
                     "Make it a readable file.", source)
        return None
