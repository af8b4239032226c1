"""account_linking on its own: any skill configures AccountLinking once and declares needs."""
from __future__ import annotations

import pytest
import requests
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.utils.predicate import is_intent_name

from account_linking import AccountLinking, link_optional, profile_of, requires_link
from ride_hailer.profile_client import RideHailerProfileClient

from .conftest import card_type, load_envelope, speech


@requires_link("rides:read")
class WhoAmIHandler(AbstractRequestHandler):
    """Says the linked user's id; needs a link with rides:read."""

    def can_handle(self, handler_input):
        return is_intent_name("AccountInfoIntent")(handler_input)

    def handle(self, handler_input):
        profile = profile_of(handler_input)
        return handler_input.response_builder.speak(f"id {profile.user_id}").response


@link_optional
class MaybeNameHandler(AbstractRequestHandler):
    """Greets by name when it can."""

    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        profile = profile_of(handler_input)
        return handler_input.response_builder.speak(f"hello {profile.name if profile else 'stranger'}").response


@pytest.fixture
def skill(server):
    with requests.Session() as session:
        linking = AccountLinking(RideHailerProfileClient(session, server.url, 0.5), cache_ttl=60, time_budget=0.5)
        builder = linking.skill_builder()
        builder.add_request_handler(WhoAmIHandler())
        builder.add_request_handler(MaybeNameHandler())
        handler = builder.lambda_handler()
        yield lambda event: handler(event, None)


def test_required_handler_gets_the_verified_profile(skill, server):
    assert speech(skill(load_envelope("account_info.linked"))) == "id user-1"


def test_required_handler_unlinked_gets_generic_link_card(skill, server):
    response = skill(load_envelope("account_info.unlinked"))
    assert card_type(response) == "LinkAccount"
    assert "link your account first" in speech(response)


def test_required_scope_missing_from_granted_scopes_is_named(skill, server):
    server.state.scopes_header = "profile"
    response = skill(load_envelope("account_info.linked", "de-DE"))
    assert card_type(response) == "LinkAccount"
    assert "rides:read" in speech(response) and "Berechtigung" in speech(response)


@pytest.mark.parametrize("mode", ["401", "403", "500", "stall"])
def test_optional_handler_carries_on_unlinked_when_lookup_fails(skill, server, mode):
    server.answer(mode, "/api/v1/me")
    response = skill(load_envelope("launch.linked"))
    assert speech(response) == "hello stranger"
    assert card_type(response) is None


def test_second_request_with_the_same_token_is_answered_from_the_cache(skill, server):
    for _ in range(3):
        assert speech(skill(load_envelope("account_info.linked"))) == "id user-1"
    assert server.calls("/api/v1/me") == 1


def test_public_handler_without_declaration_never_calls_the_resource_server(server):
    class PublicHandler(AbstractRequestHandler):
        def can_handle(self, handler_input):
            return True

        def handle(self, handler_input):
            return handler_input.response_builder.speak("public").response

    with requests.Session() as session:
        linking = AccountLinking(RideHailerProfileClient(session, server.url, 0.5))
        builder = linking.skill_builder()
        builder.add_request_handler(PublicHandler())
        response = builder.lambda_handler()(load_envelope("account_info.linked"), None)
    assert speech(response) == "public"
    assert server.state.seen == []
