"""AWS Lambda entry point of the Ride Hailer skill: wiring only."""
from __future__ import annotations

from ride_hailer.settings import SkillSettings
from ride_hailer.skill import build_skill_builder

lambda_handler = build_skill_builder(SkillSettings.from_env()).lambda_handler()
