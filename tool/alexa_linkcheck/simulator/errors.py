"""Exceptions of the Alexa simulator.

SimulatorError
 +-- ModelError            the skill package or interaction model cannot be used
 +-- UnmatchedUtterance    no intent of the model matches what the user said
 +-- TargetError           the skill could not be called or answered badly
 +-- LinkingError          account linking or a token call failed
 |    +-- TokenEndpointError   the token URL answered with an OAuth error
 +-- ScriptError           a dialog script cannot be parsed
"""
from __future__ import annotations


class SimulatorError(Exception):
    """Base of every error the simulator raises on purpose."""


class ModelError(SimulatorError):
    """The skill package or its interaction model cannot be used."""


class UnmatchedUtterance(SimulatorError):
    """No intent of the interaction model matches the utterance."""


class TargetError(SimulatorError):
    """The skill could not be called, or its answer is not a skill response."""


class LinkingError(SimulatorError):
    """The account-linking flow against the authorization server failed."""


class TokenEndpointError(LinkingError):
    """The access token URL answered with an OAuth error (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        self.error = error
        self.description = description
        self.status = status
        text = f"token URL answered {status} {error}"
        super().__init__(f"{text}: {description}" if description else text)


class ScriptError(SimulatorError):
    """A dialog script cannot be parsed."""
