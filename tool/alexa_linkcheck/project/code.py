"""What the skill code says: handled intents, handlers and whether they need a link, AcceptGrant.

Python is parsed with :mod:`ast` (never imported); Node.js and Java code is only searched as
text (intent tests, AcceptGrant and account-linking words; its handlers are not modelled).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator

from alexa_linkcheck import constants as C
from alexa_linkcheck.project.context import CodeFacts, Handler, IntentReference, Project

#: Directories never scanned (virtualenvs, caches, installed packages, tests).
SKIPPED_DIRS = frozenset({"__pycache__", ".venv", "venv", "env", "node_modules", ".git",
                          "site-packages", "tests", "test", "target", "build", ".gradle"})
#: Text in a handler that says it needs a linked account (heuristic, see docs).
LINK_MARKERS = re.compile(
    r"access_?token|accessToken|LinkAccountCard|get_account_linking_access_token"
    r"|requires?_link|needs?_link|AccountNotLinked|requires_account_link",
    re.IGNORECASE,
)
#: Decorator names that declare a handler needs a linked account (the kit's library:
#: ``requires_link``; common spellings elsewhere).
REQUIRES_LINK = frozenset({"requires_link", "require_link", "link_required", "needs_link",
                           "requires_account_link", "requires_linked_account"})
#: Decorator names that declare a handler works without a link.
LINK_OPTIONAL = frozenset({"link_optional", "optional_link", "public", "no_link"})
#: Decorators that register a function as a request handler (ASK SDK
#: ``SkillBuilder.request_handler(can_handle_func=...)``, and the same name on any object).
REGISTERING = frozenset({"request_handler"})
#: The class attribute the library reads a handler's requirement from.
REQUIREMENT_ATTRIBUTE = "link_requirement"
OTHER_SOURCES = ("*.js", "*.mjs", "*.cjs", "*.ts", "*.java", "*.kt")
#: Intent tests in Node.js (ASK SDK v2: ``Alexa.getIntentName(envelope) === 'X'``,
#: ``request.intent.name === 'X'``) and Java/Kotlin (``input.matches(intentName("X"))``).
TEXT_INTENT_TESTS = (
    re.compile(r"getIntentName\([^)]*\)\s*===?\s*['\"`]([A-Za-z0-9_.]+)['\"`]"),
    re.compile(r"intent\.name\s*===?\s*['\"`]([A-Za-z0-9_.]+)['\"`]"),
    re.compile(r"\bintentName\(\s*\"([A-Za-z0-9_.]+)\"\s*\)"),
)


def scan(project: Project) -> None:
    """Fill ``project.code`` from every code folder (each folder once)."""
    facts = CodeFacts()
    for folder in project.code_folders:
        _scan_python(project.root, folder.path, facts)
        _scan_text(project.root, folder.path, facts)
    project.code = facts


def _name_of(node: ast.AST) -> str | None:
    """The last name of ``f``, ``a.f``, ``f(...)`` or ``a.f(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _intent_name_in_call(node: ast.Call) -> str | None:
    """``X`` in ``is_intent_name("X")`` (any receiver), else None."""
    if _name_of(node) == "is_intent_name" and node.args and \
            isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _intents_in(nodes: list[ast.AST]) -> list[str]:
    """Intent names tested anywhere inside ``nodes``."""
    return [name for n in nodes for c in ast.walk(n)
            if isinstance(c, ast.Call) and (name := _intent_name_in_call(c))]


def _declared(decorators: list[ast.expr], body: list[ast.stmt]) -> bool | None:
    """What a handler declares about the link: True needs it, False does not, None silent."""
    for deco in decorators:
        name = _name_of(deco)
        if name in REQUIRES_LINK:
            return True
        if name in LINK_OPTIONAL:
            return False
    for stmt in body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == REQUIREMENT_ATTRIBUTE for t in targets):
            text = ast.dump(stmt)
            return "REQUIRED" in text
    return None


def _segment(text: str, node: ast.AST, decorators: list[ast.expr]) -> str:
    """The source of a definition including its decorators."""
    lines = text.splitlines()
    start = min([d.lineno for d in decorators] + [node.lineno]) - 1  # type: ignore[attr-defined]
    end = getattr(node, "end_lineno", None) or len(lines)
    return "\n".join(lines[start:end])


def _scan_python(root: Path, folder: Path, facts: CodeFacts) -> None:
    """Intents, handler classes and registered handler functions of the Python files."""
    found: list[tuple[Handler, str]] = []
    used: set[str] = set()
    for pyfile in _files(folder, ("*.py",), _installed_top_levels(folder)):
        try:
            text = pyfile.read_text(encoding="utf-8")
            tree = ast.parse(text, filename=str(pyfile))
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        rel = pyfile.relative_to(root).as_posix() if pyfile.is_relative_to(root) \
            else str(pyfile)
        if LINK_MARKERS.search(text):
            facts.mentions_linking = True
        if C.ACCEPT_GRANT in text:
            facts.handles_accept_grant = True
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            if isinstance(node, ast.Call):
                name = _intent_name_in_call(node)
                if name:
                    facts.references.append(IntentReference(name, rel, node.lineno))
            if isinstance(node, ast.ClassDef):
                methods = {n.name: n for n in node.body
                           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                if "can_handle" not in methods:
                    continue
                source = _segment(text, node, node.decorator_list)
                handler = Handler(node.name, rel, _intents_in([methods["can_handle"]]),
                                  _declared(node.decorator_list, node.body),
                                  bool(LINK_MARKERS.search(source)), registered=False)
                found.append((handler, "class"))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                registering = [d for d in node.decorator_list
                               if _name_of(d) in REGISTERING]
                if not registering:
                    continue
                source = _segment(text, node, node.decorator_list)
                handler = Handler(node.name, rel, _intents_in(list(registering)),
                                  _declared(node.decorator_list, []),
                                  bool(LINK_MARKERS.search(source)), registered=True)
                found.append((handler, "function"))
    for handler, kind in found:
        if kind == "class":
            handler.registered = handler.name in used
        facts.handlers.append(handler)


def _scan_text(root: Path, folder: Path, facts: CodeFacts) -> None:
    """Node.js / Java / Kotlin sources, as text: intent tests, AcceptGrant, linking words."""
    for file in _files(folder, OTHER_SOURCES, set()):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
        for pattern in TEXT_INTENT_TESTS:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                facts.references.append(IntentReference(match.group(1), rel, line))
        if C.ACCEPT_GRANT in text:
            facts.handles_accept_grant = True
        if LINK_MARKERS.search(text):
            facts.mentions_linking = True


def _installed_top_levels(folder: Path) -> set[str]:
    """Top-level names of packages pip installed into the code folder (after a build)."""
    names: set[str] = set()
    for info in folder.glob("*.dist-info"):
        names.add(info.name)
        top = info / "top_level.txt"
        try:
            if top.is_file():
                names.update(line.strip() for line in top.read_text().splitlines()
                             if line.strip())
        except (OSError, UnicodeDecodeError):
            continue
    return names


def _files(folder: Path, patterns: tuple[str, ...], skipped: set[str]) -> Iterator[Path]:
    """Source files of the code, without installed packages, virtualenvs and tests."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
            continue
        if entry.is_dir():
            if entry.name in skipped or entry.name.endswith((".dist-info", ".egg-info")):
                continue
            yield from _files(entry, patterns, set())
        elif any(entry.match(p) for p in patterns) and entry.stem not in skipped:
            yield entry
