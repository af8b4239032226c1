"""Alexa request envelopes, shaped as the Alexa service sends them.

Field names follow the ASK SDK's `ask_sdk_model` classes (RequestEnvelope, Session,
Context, IntentRequest, SessionEndedRequest, events.skillevents.*).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any, Mapping

from .clock import iso_timestamp

#: Envelope version Alexa sends (RequestEnvelope.version).
ENVELOPE_VERSION = "1.0"
#: `context.System.apiEndpoint` for North America (Alexa docs, "Request and Response JSON Reference").
API_ENDPOINT = "https://api.amazonalexa.com"
#: Placeholder for `context.System.apiAccessToken`; no Alexa API is reachable offline.
API_ACCESS_TOKEN = "simulated-api-access-token"
#: Request type names (ask_sdk_model discriminator values).
LAUNCH_REQUEST = "LaunchRequest"
INTENT_REQUEST = "IntentRequest"
SESSION_ENDED_REQUEST = "SessionEndedRequest"
ACCOUNT_LINKED_EVENT = "AlexaSkillEvent.SkillAccountLinked"
SKILL_DISABLED_EVENT = "AlexaSkillEvent.SkillDisabled"
#: eventName in skill.json `events.subscriptions` for each skill event request type (Alexa docs,
#: "Skill Events"); Alexa sends an event only to a skill whose manifest subscribes to it.
SUBSCRIPTION_NAMES: Mapping[str, str] = {
    ACCOUNT_LINKED_EVENT: "SKILL_ACCOUNT_LINKED",
    SKILL_DISABLED_EVENT: "SKILL_DISABLED",
}
#: supportedInterfaces keys that mean the device has a screen (Alexa docs, "Supported Interfaces").
SCREEN_INTERFACES = ("Alexa.Presentation.APL", "Display")
#: SessionEndedRequest.reason values (ask_sdk_model.SessionEndedReason).
USER_INITIATED = "USER_INITIATED"
ERROR = "ERROR"
EXCEEDED_MAX_REPROMPTS = "EXCEEDED_MAX_REPROMPTS"


def _new_id(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4()}"


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who and what talks to the skill: skill id, Alexa user id, device id."""

    skill_id: str = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
    user_id: str = dataclasses.field(default_factory=lambda: _new_id("amzn1.ask.account"))
    device_id: str = dataclasses.field(default_factory=lambda: _new_id("amzn1.ask.device"))
    supported_interfaces: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def has_screen(self) -> bool:
        """Whether the device declares a screen interface (APL or the older Display)."""
        return any(name in self.supported_interfaces for name in SCREEN_INTERFACES)


@dataclasses.dataclass
class SessionState:
    """One Alexa session: its id, whether the next request opens it, its attributes."""

    session_id: str = dataclasses.field(default_factory=lambda: _new_id("amzn1.echo-api.session"))
    new: bool = True
    attributes: dict[str, Any] = dataclasses.field(default_factory=dict)


class EnvelopeBuilder:
    """Builds request envelopes for one identity."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    # -- parts -------------------------------------------------------------------------
    def _user(self, access_token: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"userId": self.identity.user_id}
        if access_token:
            user["accessToken"] = access_token
        return user

    def _context(self, access_token: str | None) -> dict[str, Any]:
        return {
            "System": {
                "application": {"applicationId": self.identity.skill_id},
                "user": self._user(access_token),
                "device": {
                    "deviceId": self.identity.device_id,
                    "supportedInterfaces": dict(self.identity.supported_interfaces),
                },
                "apiEndpoint": API_ENDPOINT,
                "apiAccessToken": API_ACCESS_TOKEN,
            }
        }

    def _session(self, session: SessionState, access_token: str | None) -> dict[str, Any]:
        return {
            "new": session.new,
            "sessionId": session.session_id,
            "application": {"applicationId": self.identity.skill_id},
            "attributes": dict(session.attributes),
            "user": self._user(access_token),
        }

    @staticmethod
    def _request(kind: str, locale: str, moment: dt.datetime) -> dict[str, Any]:
        return {
            "type": kind,
            "requestId": _new_id("amzn1.echo-api.request"),
            "timestamp": iso_timestamp(moment),
            "locale": locale,
        }

    def _envelope(
        self, request: dict[str, Any], access_token: str | None, session: SessionState | None
    ) -> dict[str, Any]:
        envelope: dict[str, Any] = {"version": ENVELOPE_VERSION}
        if session is not None:
            envelope["session"] = self._session(session, access_token)
        envelope["context"] = self._context(access_token)
        envelope["request"] = request
        return envelope

    # -- request types -----------------------------------------------------------------
    def launch(
        self, *, session: SessionState, locale: str, moment: dt.datetime, access_token: str | None
    ) -> dict[str, Any]:
        """A LaunchRequest ("open <invocation name>")."""
        request = self._request(LAUNCH_REQUEST, locale, moment)
        request["shouldLinkResultBeReturned"] = False
        return self._envelope(request, access_token, session)

    def intent(
        self,
        name: str,
        slots: Mapping[str, Mapping[str, Any]],
        *,
        session: SessionState,
        locale: str,
        moment: dt.datetime,
        access_token: str | None,
        dialog_state: str | None = None,
    ) -> dict[str, Any]:
        """An IntentRequest; `slots` maps slot name to the slot object."""
        request = self._request(INTENT_REQUEST, locale, moment)
        if dialog_state:
            request["dialogState"] = dialog_state
        request["intent"] = {
            "name": name,
            "confirmationStatus": "NONE",
            "slots": {key: dict(value) for key, value in slots.items()},
        }
        return self._envelope(request, access_token, session)

    def session_ended(
        self,
        reason: str,
        *,
        session: SessionState,
        locale: str,
        moment: dt.datetime,
        access_token: str | None,
        error_message: str | None = None,
    ) -> dict[str, Any]:
        """A SessionEndedRequest (USER_INITIATED, ERROR or EXCEEDED_MAX_REPROMPTS)."""
        request = self._request(SESSION_ENDED_REQUEST, locale, moment)
        request["reason"] = reason
        if reason == ERROR:
            request["error"] = {
                "type": "INVALID_RESPONSE",
                "message": error_message or "The skill response was invalid",
            }
        return self._envelope(request, access_token, session)

    def account_linked(
        self, access_token: str, *, locale: str, moment: dt.datetime
    ) -> dict[str, Any]:
        """AlexaSkillEvent.SkillAccountLinked: no session, token in context and body."""
        request = self._request(ACCOUNT_LINKED_EVENT, locale, moment)
        request["body"] = {"accessToken": access_token}
        request["eventCreationTime"] = iso_timestamp(moment)
        request["eventPublishingTime"] = iso_timestamp(moment)
        return self._envelope(request, access_token, None)

    def skill_disabled(
        self, *, locale: str, moment: dt.datetime, access_token: str | None
    ) -> dict[str, Any]:
        """AlexaSkillEvent.SkillDisabled: no session."""
        request = self._request(SKILL_DISABLED_EVENT, locale, moment)
        request["eventCreationTime"] = iso_timestamp(moment)
        request["eventPublishingTime"] = iso_timestamp(moment)
        return self._envelope(request, access_token, None)
