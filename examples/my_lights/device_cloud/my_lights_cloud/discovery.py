"""How a light looks to Alexa: its Discovery endpoint (served to the skill, sent in AddOrUpdateReport)."""
from __future__ import annotations

from typing import Any, Mapping

#: The manufacturer Alexa shows in the app.
MANUFACTURER = "My Lights"


def _capability(interface: str, prop: str | None = None) -> dict[str, Any]:
    capability: dict[str, Any] = {"type": "AlexaInterface", "interface": interface, "version": "3"}
    if prop is not None:
        capability["properties"] = {"supported": [{"name": prop}], "proactivelyReported": True,
                                    "retrievable": True}
    return capability


def endpoint_of(light: Any) -> dict[str, Any]:
    """The Discovery endpoint of a light (an object with endpoint_id and name, or the API's JSON)."""
    if isinstance(light, Mapping):
        endpoint_id, name = light["id"], light["name"]
    else:
        endpoint_id, name = light.endpoint_id, light.name
    return {
        "endpointId": endpoint_id,
        "manufacturerName": MANUFACTURER,
        "friendlyName": name,
        "description": f"{name} on your My Lights hub",
        "displayCategories": ["LIGHT"],
        "capabilities": [
            _capability("Alexa"),
            _capability("Alexa.PowerController", "powerState"),
            _capability("Alexa.BrightnessController", "brightness"),
            _capability("Alexa.EndpointHealth", "connectivity"),
        ],
    }

