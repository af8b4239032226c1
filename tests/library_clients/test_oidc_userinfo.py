"""The OpenID Connect userinfo client against a real HTTP server: discovery, cache, outcomes."""
from __future__ import annotations

import pytest

from account_linking import (
    Deadline,
    LinkRejected,
    MissingScope,
    OidcUserinfoClient,
    ResourceUnavailable,
)

from .conftest import TIMEOUT, publish_discovery
from .provider_server import Reply

DISCOVERY = "/.well-known/openid-configuration"
USERINFO = {"sub": "auth0|ada", "name": "Ada Lovelace", "email": "ada@example.com", "email_verified": True}


def test_userinfo_found_by_discovery_gives_the_profile(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(200, USERINFO))
    profile = OidcUserinfoClient(session, provider.url, TIMEOUT).fetch_profile("tok")
    assert (profile.user_id, profile.name, profile.email, profile.provider) == (
        "auth0|ada", "Ada Lovelace", "ada@example.com", "oidc")
    assert profile.scopes is None  # no scope claim: unknown
    assert provider.requests_to("/userinfo")[0].headers["Authorization"] == "Bearer tok"


def test_discovery_is_fetched_once_and_then_served_from_the_cache(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(200, USERINFO))
    client = OidcUserinfoClient(session, provider.url, TIMEOUT)
    for _ in range(3):
        client.fetch_profile("tok")
    assert provider.calls(DISCOVERY) == 1 and provider.calls("/userinfo") == 3


def test_discovery_is_fetched_again_after_its_ttl(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(200, USERINFO))
    client = OidcUserinfoClient(session, provider.url, TIMEOUT, discovery_ttl=0)
    client.fetch_profile("tok")
    client.fetch_profile("tok")
    assert provider.calls(DISCOVERY) == 2


def test_an_issuer_with_a_path_and_trailing_slash_is_discovered_below_it(provider, session):
    issuer = provider.url + "/realms/rides/"
    provider.answer("/realms/rides/.well-known/openid-configuration",
                    Reply(200, {"issuer": issuer, "userinfo_endpoint": provider.url + "/realms/rides/userinfo"}))
    provider.answer("/realms/rides/userinfo", Reply(200, {"sub": "kc-1"}))
    assert OidcUserinfoClient(session, issuer, TIMEOUT).fetch_profile("tok").user_id == "kc-1"


def test_a_scope_claim_in_userinfo_gives_the_granted_scopes(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(200, {**USERINFO, "scope": "openid profile email"}))
    profile = OidcUserinfoClient(session, provider.url, TIMEOUT).fetch_profile("tok")
    assert profile.scopes == frozenset({"openid", "profile", "email"}) and not profile.has_scope("rides:write")


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}), LinkRejected),
        (Reply(403, {"error": "insufficient_scope"}, {"WWW-Authenticate": 'Bearer error="insufficient_scope"'}), MissingScope),
        (Reply(500, {"error": "server_error"}), ResourceUnavailable),
        (Reply(200, b"eyJhbGciOiJSUzI1NiJ9.signed.userinfo"), ResourceUnavailable),
        (Reply(200, {"name": "no sub"}), ResourceUnavailable),
        (Reply(200, {"sub": 12}), ResourceUnavailable),
    ],
    ids=["expired-or-revoked", "no-openid-scope", "5xx", "not-json", "no-sub", "sub-not-string"],
)
def test_each_userinfo_answer_raises_its_linking_exception(provider, session, reply, error):
    publish_discovery(provider)
    provider.answer("/userinfo", reply)
    with pytest.raises(error):
        OidcUserinfoClient(session, provider.url, TIMEOUT).fetch_profile("tok")


def test_a_missing_openid_scope_is_named_openid(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(403, {"error": "insufficient_scope"}, {"WWW-Authenticate": 'Bearer error="insufficient_scope"'}))
    with pytest.raises(MissingScope) as caught:
        OidcUserinfoClient(session, provider.url, TIMEOUT).fetch_profile("tok")
    assert caught.value.scope == "openid"


@pytest.mark.parametrize(
    "discovery",
    [
        Reply(503, b"down"),
        Reply(200, b"{not json"),
        Reply(200, ["a", "list"]),
        Reply(200, {"issuer": "https://evil.example.com", "userinfo_endpoint": "https://evil.example.com/u"}),
        Reply(200, {"issuer": "ISSUER"}),
        Reply(200, {"issuer": "ISSUER", "userinfo_endpoint": "http://ride.example.com/userinfo"}),
    ],
    ids=["down", "malformed", "not-an-object", "other-issuer", "no-userinfo", "userinfo-in-clear-text"],
)
def test_discovery_that_cannot_be_used_is_an_apology_and_the_token_is_never_sent(provider, session, discovery):
    if isinstance(discovery.body, dict) and discovery.body.get("issuer") == "ISSUER":
        discovery = Reply(200, {**discovery.body, "issuer": provider.url})
    provider.answer("/.well-known/openid-configuration", discovery)
    provider.answer("/userinfo", Reply(200, USERINFO))
    with pytest.raises(ResourceUnavailable):
        OidcUserinfoClient(session, provider.url, TIMEOUT).fetch_profile("tok")
    assert provider.calls("/userinfo") == 0


def test_a_failed_discovery_is_not_cached(provider, session):
    provider.answer(DISCOVERY, Reply(503, b"down"))
    client = OidcUserinfoClient(session, provider.url, TIMEOUT)
    with pytest.raises(ResourceUnavailable):
        client.fetch_profile("tok")
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(200, USERINFO))
    assert client.fetch_profile("tok").user_id == "auth0|ada"


def test_a_slow_discovery_is_given_up_within_the_request_budget(provider, session):
    provider.stall(DISCOVERY)
    with pytest.raises(ResourceUnavailable):
        OidcUserinfoClient(session, provider.url, 5.0).fetch_profile("tok", Deadline(0.3))
    assert provider.calls("/userinfo") == 0


def test_a_slow_userinfo_is_given_up_within_the_request_budget(provider, session):
    publish_discovery(provider)
    provider.stall("/userinfo")
    with pytest.raises(ResourceUnavailable):
        OidcUserinfoClient(session, provider.url, 5.0).fetch_profile("tok", Deadline(0.3))
    assert provider.calls("/userinfo") == 1 and not provider.release.is_set()


def test_a_userinfo_endpoint_that_moved_is_rediscovered_on_the_next_request(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(404, {"error": "not_found"}))
    client = OidcUserinfoClient(session, provider.url, TIMEOUT)
    with pytest.raises(ResourceUnavailable):
        client.fetch_profile("tok")
    publish_discovery(provider, userinfo_endpoint=provider.url + "/v2/userinfo")
    provider.answer("/v2/userinfo", Reply(200, USERINFO))
    assert client.fetch_profile("tok").user_id == "auth0|ada"


def test_an_issuer_in_clear_text_to_another_host_is_refused_when_configuring(session):
    with pytest.raises(ValueError, match="https"):
        OidcUserinfoClient(session, "http://login.example.com", TIMEOUT)
