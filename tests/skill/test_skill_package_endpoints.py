"""skill.json endpoints point at the web host's path; ask deploy rewrites both endpoints."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]


def _manifest() -> dict:
    return json.loads((ROOT / "skill-package" / "skill.json").read_text())["manifest"]


def test_skill_and_events_endpoint_placeholders_use_the_web_host_path() -> None:
    manifest = _manifest()
    for endpoint in (manifest["apis"]["custom"]["endpoint"], manifest["events"]["endpoint"]):
        parts = urlsplit(endpoint["uri"])
        assert (parts.scheme, parts.path) == ("https", "/alexa")


def test_ask_resources_subscribes_the_same_skill_events_so_ask_deploy_sets_events_endpoint() -> None:
    resources = json.loads((ROOT / "ask-resources.json").read_text())
    user = resources["profiles"]["default"]["skillInfrastructure"]["userConfig"]
    subscribed = [s["eventName"] for s in _manifest()["events"]["subscriptions"]]
    assert user["skillEvents"]["subscriptions"] == subscribed
