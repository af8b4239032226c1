"""No secret in any file `ask deploy` uploads (the skill package; v1: skill.json and models/)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from alexa_linkcheck import constants as C
from alexa_linkcheck.project.context import Findings, Project, jp

#: Files larger than this are not read (assets, audio).
MAX_BYTES = 2_000_000


def uploaded_files(project: Project) -> list[Path]:
    """The files `ask deploy` sends to Amazon with the skill (the code is checked elsewhere)."""
    if project.layout == "ask-cli-v1":
        roots = [project.root / "models"]
        singles = [project.root / "skill.json", *project.account_linking_files]
    else:
        roots = [project.skill_src] if project.skill_src is not None else []
        singles = []
    files = [f for f in singles if f.is_file()]
    for root in roots:
        if root.is_dir():
            files.extend(f for f in sorted(root.rglob("*")) if f.is_file())
    return files


def check(project: Project, out: Findings) -> None:
    """Secret-looking values and keys, reported by line or JSON path (never the value)."""
    for file in uploaded_files(project):
        try:
            if file.stat().st_size > MAX_BYTES:
                continue
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for line, what in _secret_values(text, assignments=file.suffix != ".json"):
            out.add("error", "secret-in-skill-package", file, f"line {line}",
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
            out.add("error", "secret-in-skill-package", file, jp(*path),
                    f"{key!r} holds a value in a file under the skill package, which "
                    "`ask deploy` uploads and which is usually committed.",
                    "Delete the field; pass the client secret only when calling `ask "
                    "smapi update-account-linking-info` (e.g. from an environment "
                    "variable into a temporary file), and rotate the leaked secret.",
                    "ALEXA-FACTS: accountLinking.json; " + C.DOC_SMAPI)


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
