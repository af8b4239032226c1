"""Alexa simulator: plays the Alexa app, the Alexa service and a device against a skill."""
from __future__ import annotations

from .clock import SimulatorClock
from .conversation import Conversation, Reply, Turn
from .envelopes import EnvelopeBuilder, Identity
from .errors import LinkingError, ModelError, ScriptError, SimulatorError, TargetError, TokenEndpointError, UnmatchedUtterance
from .linking import LinkingConfig, TokenSet, link_account, refresh
from .model import InteractionModel
from .script import ScriptRunner, parse_script
from .targets import LambdaTarget, RequestSigner, WebServiceTarget

__all__ = [
    "Conversation", "EnvelopeBuilder", "Identity", "InteractionModel", "LambdaTarget", "LinkingConfig",
    "LinkingError", "ModelError", "Reply", "RequestSigner", "ScriptError", "ScriptRunner", "SimulatorClock",
    "SimulatorError", "TargetError", "TokenEndpointError", "TokenSet", "Turn", "UnmatchedUtterance",
    "WebServiceTarget", "link_account", "parse_script", "refresh",
]
