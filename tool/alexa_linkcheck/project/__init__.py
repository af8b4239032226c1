"""``alexa-linkcheck project``: static checks of an Alexa skill project, one module per file kind.

Never imports user code: Python handler modules are parsed with :mod:`ast`.

=====================  ==========================================================
module                 reads
=====================  ==========================================================
``ask_resources``      the layout: ask-resources.json (v2), .ask/config (v1) or a
                       bare skill-package/; code folders, deployer, build files
``code``               the code folders: intents, handlers, AcceptGrant
``manifest``           skill.json: APIs, locales, endpoints, permissions
``models``             interaction models (custom skills only)
``account_linking``    accountLinking.json, with :mod:`alexa_linkcheck.providers`
``secrets``            every file `ask deploy` uploads
=====================  ==========================================================

Each step only reads what the steps before it put into :class:`Project`; the order of
:data:`STEPS` is that dependency order.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from alexa_linkcheck.project import account_linking, ask_resources, code, manifest, models
from alexa_linkcheck.project import secrets
from alexa_linkcheck.project.context import Findings, Project
from alexa_linkcheck.report import Finding

#: (name, step): each step needs the facts of the steps before it.
STEPS: tuple[tuple[str, Callable[[Project, Findings], None]], ...] = (
    ("layout", ask_resources.discover),
    ("code", lambda project, out: code.scan(project)),
    ("manifest", manifest.check),
    ("models", models.check),
    ("account linking", account_linking.check),
    ("secrets", secrets.check),
)


def inspect_project(root: Path, profile: str = "default") -> tuple[Project, list[Finding]]:
    """Run every check on ``root``; return what the project is and the findings.

    Raises :class:`alexa_linkcheck.errors.NotAProject` (a UsageError) when ``root`` is no
    skill project.
    """
    project = Project(root=root, profile=profile)
    out = Findings(root)
    for _name, step in STEPS:
        step(project, out)
    return project, out.items


def check_project(root: Path, profile: str = "default") -> list[Finding]:
    """Run every project check on ``root`` and return the findings."""
    return inspect_project(root, profile)[1]


__all__ = ["Project", "check_project", "inspect_project"]
