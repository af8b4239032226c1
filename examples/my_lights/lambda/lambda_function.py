"""AWS Lambda entry point of the My Lights smart home skill: wiring only."""
from __future__ import annotations

from my_lights.settings import LightsSettings
from my_lights.skill import build_skill

lambda_handler = build_skill(LightsSettings.from_env()).lambda_handler
