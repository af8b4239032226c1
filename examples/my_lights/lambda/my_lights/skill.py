"""The My Lights handlers: Discovery, PowerController, BrightnessController, ReportState.

Account linking is the library's: each directive's token is resolved (cached) before a
handler runs, AcceptGrant goes to the device cloud, every failure is an ErrorResponse.
"""
from __future__ import annotations

from typing import Any

import requests

from account_linking.cache import ProfileCache
from account_linking.resolver import ProfileResolver
from account_linking.smarthome import (
    DeviceCloudProfileClient,
    HttpGrantStore,
    SmartHomeRequest,
    SmartHomeSkill,
    ValueOutOfRange,
    events,
    property_state,
)
from account_linking.transport import mount_deadline_adapter

from .cloud import GRANT_PATH, ME_PATH, LightsApi
from .settings import LightsSettings


def properties_of(light: dict[str, Any]) -> list[dict[str, Any]]:
    """A light's state as context properties."""
    return [
        property_state("Alexa.PowerController", "powerState", light["power"]),
        property_state("Alexa.BrightnessController", "brightness", light["brightness"]),
        property_state("Alexa.EndpointHealth", "connectivity", {"value": "OK"}),
    ]


def _endpoint_id(request: SmartHomeRequest) -> str:
    endpoint_id = request.directive.endpoint_id
    if endpoint_id is None:
        from account_linking.smarthome import MalformedDirective

        raise MalformedDirective("directive.endpoint.endpointId is missing")
    return endpoint_id


def _brightness(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueOutOfRange(f"brightness must be a whole number from {low} to {high}")
    return value


def build_skill(settings: LightsSettings, session: requests.Session | None = None) -> SmartHomeSkill:
    """The skill with its handlers, one registration block."""
    http = session or mount_deadline_adapter(requests.Session())
    api = LightsApi(http, settings.api_url, settings.timeout)
    resolver = ProfileResolver(DeviceCloudProfileClient(http, settings.api_url + ME_PATH, settings.timeout),
                               ProfileCache(ttl=settings.cache_ttl))
    skill = SmartHomeSkill(resolver, budget=settings.timeout)
    skill.accept_grants(HttpGrantStore(http, settings.api_url + GRANT_PATH, settings.timeout))

    @skill.handles("Alexa.Discovery", "Discover")
    def discover(request: SmartHomeRequest) -> dict[str, Any]:
        """Every light on the user's hub."""
        return events.discover_response(request.directive, api.endpoints(request.token, request.deadline))

    @skill.handles("Alexa.PowerController", "TurnOn")
    def turn_on(request: SmartHomeRequest) -> dict[str, Any]:
        """Switch a light on."""
        light = api.change(request.token, _endpoint_id(request), request.deadline, power="ON")
        return events.response(request.directive, properties_of(light))

    @skill.handles("Alexa.PowerController", "TurnOff")
    def turn_off(request: SmartHomeRequest) -> dict[str, Any]:
        """Switch a light off."""
        light = api.change(request.token, _endpoint_id(request), request.deadline, power="OFF")
        return events.response(request.directive, properties_of(light))

    @skill.handles("Alexa.BrightnessController", "SetBrightness")
    def set_brightness(request: SmartHomeRequest) -> dict[str, Any]:
        """Dim or brighten a light to a percentage."""
        value = _brightness(request.directive.payload.get("brightness"), 0, 100)
        light = api.change(request.token, _endpoint_id(request), request.deadline, brightness=value)
        return events.response(request.directive, properties_of(light))

    @skill.handles("Alexa.BrightnessController", "AdjustBrightness")
    def adjust_brightness(request: SmartHomeRequest) -> dict[str, Any]:
        """Change a light's brightness by a delta (clamped to 0..100)."""
        delta = _brightness(request.directive.payload.get("brightnessDelta"), -100, 100)
        current = api.light(request.token, _endpoint_id(request), request.deadline)
        value = max(0, min(100, current["brightness"] + delta))
        light = api.change(request.token, _endpoint_id(request), request.deadline, brightness=value)
        return events.response(request.directive, properties_of(light))

    @skill.handles("Alexa", "ReportState")
    def report_state(request: SmartHomeRequest) -> dict[str, Any]:
        """A light's current state."""
        light = api.light(request.token, _endpoint_id(request), request.deadline)
        return events.state_report(request.directive, properties_of(light))

    return skill
