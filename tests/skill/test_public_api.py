"""The library's public face: a dozen names, settings checked up front, a generic HTTP layer."""
from __future__ import annotations

import importlib
import math
import re
from pathlib import Path

import pytest
import requests

import account_linking
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler

from account_linking import AccountLinking, LinkingMessages, LwaProfileClient, call_resource_server, requires_link
from ride_hailer.profile_client import RideHailerProfileClient
from account_linking.deadline import Deadline
from account_linking.errors import LinkRejected, MissingScope, ResourceUnavailable
from account_linking.http import ResourceResponse, send
from account_linking.messages import DEFAULT_APOLOGIES, DEFAULT_MESSAGES

from .conftest import card_type, load_envelope, speech
from devstack.resource_server import LWA_PATH

LIBRARY = Path(account_linking.__file__).parent
REPO = Path(__file__).resolve().parents[2]


def test_top_level_lists_about_a_dozen_sorted_names_that_all_resolve():
    names = account_linking.__all__
    assert len(names) <= 16
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    for name in names:
        assert getattr(account_linking, name) is not None
    assert {"AccountLinking", "requires_link", "link_optional", "profile_of"} <= set(names)
    assert dir(account_linking) == sorted(names)


@pytest.mark.parametrize("name", sorted(account_linking._MOVED))
def test_names_exported_before_0_3_still_resolve_from_the_module_that_keeps_them(name):
    module = importlib.import_module(f"account_linking.{account_linking._MOVED[name]}")
    assert getattr(account_linking, name) is getattr(module, name)
    assert name not in account_linking.__all__


def test_unknown_top_level_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        account_linking.NoSuchThing  # noqa: B018


def test_http_layer_names_no_service_and_never_writes_a_private_response_field():
    source = (LIBRARY / "http.py").read_text()
    assert not re.search(r"\._content\b", source)
    assert "ride" not in source.lower() and "/api/v1" not in source


@pytest.mark.parametrize("status", [409, 422, 429])
def test_status_outside_expect_is_unavailable_and_inside_expect_is_returned(status):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/thing"
    try:
        with requests.Session() as session:
            with pytest.raises(ResourceUnavailable, match=f"answered HTTP {status}"):
                call_resource_server(session, "GET", url, deadline=None, timeout=0.5)
            response = call_resource_server(session, "GET", url, deadline=None, timeout=0.5, expect=(200, status))
            assert response.status_code == status
    finally:
        httpd.shutdown()
        httpd.server_close()


class _NeedsProfile(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        return handler_input.response_builder.speak("ok").response


_NeedsProfile = requires_link("profile")(_NeedsProfile)


def _linking(**settings):
    with requests.Session() as session:
        return AccountLinking(LwaProfileClient(session, 1.0), **settings)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"time_budget": 0}, "time_budget must be greater than 0"),
        ({"time_budget": 9}, "at most 8"),
        ({"time_budget": math.nan}, "time_budget must be a number"),
        ({"time_budget": "3"}, "time_budget must be a number"),
        ({"cache_ttl": -1}, "cache_ttl must be at least 0"),
        ({"cache_size": 0}, "cache_size must be a whole number"),
        ({"messages": {"de-DE": DEFAULT_MESSAGES["de-DE"]}}, "include 'en-US'"),
        ({"messages": {"en-US": "Link your account"}}, r"messages\['en-US'\] must be a LinkingMessages"),
        ({"apologies": {"en-US": 3}}, r"apologies\['en-US'\] must be a str"),
        ({"on_linked": "log it"}, "on_linked must be callable"),
    ],
)
def test_account_linking_refuses_a_bad_setting_naming_it(settings, message):
    with pytest.raises((ValueError, TypeError), match=message):
        _linking(**settings)


def test_account_linking_refuses_something_that_is_no_resource_server_client():
    with pytest.raises(TypeError, match="client must be a ResourceServerClient"):
        AccountLinking("https://api.example.com/me")


def test_account_linking_speaks_its_own_messages_and_refuses_other_skills(server):
    mine = {"en-US": LinkingMessages(not_linked="Link first.", rejected="Relink.", missing_scope="Need {permission}.",
                                     unavailable="Later.")}
    own_id = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"  # the fixtures' application id
    with requests.Session() as session:
        linking = AccountLinking(RideHailerProfileClient(session, server.url, 0.5), messages=mine)
        builder = linking.skill_builder(skill_id=own_id)
        builder.add_request_handler(_NeedsProfile())
        handler = builder.lambda_handler()
        unlinked = handler(load_envelope("account_info.unlinked"), None)
        foreign = load_envelope("account_info.unlinked")
        foreign["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
        foreign["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
        refused = handler(foreign, None)
    assert speech(unlinked) == "Link first." and card_type(unlinked) == "LinkAccount"
    assert "card" not in refused["response"] and speech(refused) == DEFAULT_APOLOGIES["en-US"]


def test_call_resource_server_returns_an_expected_answer_with_its_body(server):
    with requests.Session() as session:
        response = call_resource_server(
            session, "GET", server.url + "/api/v1/fares/estimate", deadline=None, timeout=0.5,
            params={"destination": "airport"},
        )
    assert isinstance(response, ResourceResponse) and isinstance(response, requests.Response)
    assert response.parse_json(lambda body: body["destination"]) == "airport"
    assert response.json()["destination"] == "airport"


@pytest.mark.parametrize(
    "mode, error",
    [("401", LinkRejected), ("403", MissingScope), ("500", ResourceUnavailable), ("400", ResourceUnavailable),
     ("redirect", ResourceUnavailable), ("401_bare", ResourceUnavailable)],
)
def test_call_resource_server_maps_answers_like_a_link_check(server, mode, error):
    server.answer(mode)
    with requests.Session() as session, pytest.raises(error):
        call_resource_server(session, "GET", server.url + "/api/v1/rides/current", deadline=None, timeout=0.5,
                             token="tok", required_scope="rides:read")


def test_call_resource_server_hands_back_statuses_the_caller_expects(server):
    server.answer("400")
    with requests.Session() as session:
        response = call_resource_server(session, "POST", server.url + "/api/v1/rides", deadline=None, timeout=0.5,
                                        token="tok", json={"destination": ""}, expect=(201, 400))
    assert response.status_code == 400


def test_call_resource_server_with_a_spent_request_budget_sends_nothing(server):
    clock_now = [0.0]
    spent = Deadline(1.0, clock=lambda: clock_now[0])
    clock_now[0] = 1.0
    with requests.Session() as session, pytest.raises(ResourceUnavailable, match="no time left"):
        call_resource_server(session, "GET", server.url + "/api/v1/rides/current", deadline=spent, timeout=0.5)
    assert server.state.seen == []


def test_malformed_json_in_an_expected_answer_is_resource_unavailable(server):
    server.answer("malformed", LWA_PATH)
    with requests.Session() as session:
        response = send(session, "GET", server.url + LWA_PATH, timeout=0.5, token="tok")
    with pytest.raises(ResourceUnavailable, match="malformed JSON"):
        response.parse_json(dict)


def test_the_ride_hailer_skill_uses_only_public_library_names():
    """lambda/ imports no private name, and none of the low-level HTTP helpers."""
    import ast

    low_level = {("account_linking.http", "send"), ("account_linking.http", "parse_json")}
    found = []
    for path in sorted((REPO / "lambda").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("account_linking"):
                for alias in node.names:
                    if alias.name.startswith("_") or (node.module, alias.name) in low_level or any(
                        part.startswith("_") for part in node.module.split(".")
                    ):
                        found.append(f"{path.name}: from {node.module} import {alias.name}")
    assert found == []
    api = (REPO / "lambda" / "ride_hailer" / "api.py").read_text()
    assert "call_resource_server" in api
