"""The configurable profile endpoint client against a real HTTP server: fields, scopes, failures."""
from __future__ import annotations

import pytest

from account_linking import (
    Deadline,
    LinkRejected,
    MissingScope,
    ProfileEndpointClient,
    ResourceUnavailable,
)
from ride_hailer.profile_client import RideHailerProfileClient

from .conftest import TIMEOUT
from .provider_server import Reply

INVALID_TOKEN = Reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
NO_SCOPE = Reply(403, {"error": "insufficient_scope"}, {"WWW-Authenticate": 'Bearer error="insufficient_scope"'})


def test_nested_fields_and_scopes_from_a_json_field_make_the_profile(provider, session):
    provider.answer("/v2/whoami", Reply(200, {"data": {"user": {"uid": 42, "display": "Ada", "mail": "ada@example.com"}},
                                              "granted": ["profile", "orders:read"]}))
    client = ProfileEndpointClient(
        session, provider.url + "/v2/whoami", TIMEOUT,
        id_field="data.user.uid", name_field="data.user.display", email_field=("data", "user", "mail"),
        scopes_field="granted", provider="shop",
    )
    profile = client.fetch_profile("tok")
    assert (profile.user_id, profile.name, profile.email) == ("42", "Ada", "ada@example.com")
    assert profile.scopes == frozenset({"profile", "orders:read"}) and profile.provider == "shop"
    assert provider.requests_to("/v2/whoami")[0].headers["Authorization"] == "Bearer tok"


def test_scopes_from_a_header_are_read_from_that_header(provider, session):
    provider.answer("/me", Reply(200, {"id": "u1"}, {"X-Granted": "profile, rides:read"}))
    profile = ProfileEndpointClient(session, provider.url + "/me", TIMEOUT, scopes_header="X-Granted").fetch_profile("tok")
    assert profile.scopes == frozenset({"profile", "rides:read"})
    assert not profile.has_scope("rides:write")


def test_without_a_scope_source_scopes_are_unknown_and_every_check_passes(provider, session):
    provider.answer("/me", Reply(200, {"id": "u1", "scope": "ignored"}))
    profile = ProfileEndpointClient(session, provider.url + "/me", TIMEOUT).fetch_profile("tok")
    assert profile.scopes is None and profile.has_scope("anything")


def test_fields_set_to_none_are_not_read(provider, session):
    provider.answer("/me", Reply(200, {"id": "u1", "name": 12}))
    profile = ProfileEndpointClient(session, provider.url + "/me", TIMEOUT, name_field=None).fetch_profile("tok")
    assert profile.name is None


def test_scopes_from_both_a_header_and_a_field_is_refused_when_configuring(session):
    with pytest.raises(ValueError, match="not both"):
        ProfileEndpointClient(session, "http://127.0.0.1/me", TIMEOUT, scopes_header="X", scopes_field="s")


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (INVALID_TOKEN, LinkRejected),
        (NO_SCOPE, MissingScope),
        (Reply(500, {"error": "server_error"}), ResourceUnavailable),
        (Reply(503, b"<html>down</html>"), ResourceUnavailable),
        (Reply(200, b"{not json"), ResourceUnavailable),
        (Reply(200, {"name": "no id"}), ResourceUnavailable),
        (Reply(200, {"id": "u1", "name": ["not", "a", "string"]}), ResourceUnavailable),
        (Reply(200, {"id": "u1", "granted": {"a": 1}}), ResourceUnavailable),
        (Reply(404, {"error": "not_found"}), ResourceUnavailable),
    ],
    ids=["revoked", "no-scope", "5xx", "503-html", "malformed", "no-id", "name-not-string", "scopes-wrong-type", "404"],
)
def test_each_answer_of_the_profile_endpoint_raises_its_linking_exception(provider, session, reply, error):
    provider.answer("/me", reply)
    client = ProfileEndpointClient(session, provider.url + "/me", TIMEOUT, scopes_field="granted", required_scope="profile")
    with pytest.raises(error):
        client.fetch_profile("tok")


def test_missing_scope_names_the_configured_scope_when_the_server_does_not(provider, session):
    provider.answer("/me", NO_SCOPE)
    client = ProfileEndpointClient(session, provider.url + "/me", TIMEOUT, required_scope="profile")
    with pytest.raises(MissingScope) as caught:
        client.fetch_profile("tok")
    assert caught.value.scope == "profile"


def test_a_slow_profile_endpoint_is_given_up_within_the_request_budget(provider, session):
    provider.stall("/me")
    client = ProfileEndpointClient(session, provider.url + "/me", 5.0)
    with pytest.raises(ResourceUnavailable):
        client.fetch_profile("tok", Deadline(0.3))
    assert provider.calls("/me") == 1 and not provider.release.is_set()


def test_ride_hailer_is_one_configuration_of_the_profile_endpoint_client(provider, session):
    provider.answer("/api/v1/me", Reply(200, {"id": 7, "name": "Ada", "email": "a@example.com"},
                                        {"X-OAuth-Scopes": "profile rides:read"}))
    client = RideHailerProfileClient(session, provider.url + "/", TIMEOUT)
    assert isinstance(client, ProfileEndpointClient)
    profile = client.fetch_profile("tok")
    assert profile.user_id == "7" and profile.provider == "ride_hailer"
    assert profile.scopes == frozenset({"profile", "rides:read"})
