"""The Ride Hailer skill as a web service: wiring only (not shipped to Lambda).

Run from the repository root: ``gunicorn --chdir webhost 'webservice:create_app()'``
(``make run-skill``). The skill's code lives in ``lambda/`` (what ``ask deploy`` ships),
which this module puts on ``sys.path``; the host itself is the library's generic
:func:`account_linking.webservice.create_app`. Settings: docs/webservice.md.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Mapping

#: The skill's code folder (the ASK CLI's ``code.default.src``).
LAMBDA_DIR = Path(__file__).resolve().parent.parent / "lambda"
if str(LAMBDA_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDA_DIR))

from account_linking.webservice import ConfigurationError  # noqa: E402
from account_linking.webservice import create_app as create_host  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from ask_sdk_core.skill_builder import CustomSkillBuilder  # noqa: E402
from flask import Flask  # noqa: E402


def create_app(
    skill: CustomSkill | CustomSkillBuilder | None = None,
    *,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """The host of ``skill`` (default: the Ride Hailer skill built from the environment)."""
    if skill is None:
        from ride_hailer.settings import SkillSettings
        from ride_hailer.skill import build_skill_builder

        skill = build_skill_builder(SkillSettings.from_env(os.environ if environ is None else environ))
    return create_host(skill, config=config, environ=environ)


__all__ = ["ConfigurationError", "create_app"]
