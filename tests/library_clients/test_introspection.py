"""The RFC 7662 introspection client against a real HTTP server: credentials, activity, outcomes."""
from __future__ import annotations

import base64
import time

import pytest

from account_linking import (
    Deadline,
    IntrospectionClient,
    LinkRejected,
    ResourceUnavailable,
)

from .conftest import TIMEOUT
from .provider_server import Reply, Request

PATH = "/oauth/introspect"
ACTIVE = {"active": True, "sub": "user-1", "scope": "profile rides:read", "client_id": "alexa-skill",
          "username": "ada", "exp": int(time.time()) + 600, "aud": "https://api.example.com"}


def client(provider, session, **kwargs):
    return IntrospectionClient(session, provider.url + PATH, "alexa skill", "s3cr:et/", TIMEOUT, **kwargs)


def test_an_active_token_gives_its_owner_and_scopes(provider, session):
    provider.answer(PATH, Reply(200, ACTIVE))
    profile = client(provider, session).fetch_profile("tok-1")
    assert (profile.user_id, profile.provider) == ("user-1", "introspection")
    assert profile.scopes == frozenset({"profile", "rides:read"}) and not profile.has_scope("rides:write")


def test_the_token_goes_in_the_form_body_with_the_skills_basic_credentials(provider, session):
    provider.answer(PATH, Reply(200, ACTIVE))
    client(provider, session).fetch_profile("tok-1")
    (seen,) = provider.requests_to(PATH)
    assert seen.method == "POST" and seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.form() == {"token": "tok-1", "token_type_hint": "access_token"}
    scheme, encoded = seen.headers["Authorization"].split(" ", 1)
    # RFC 6749 section 2.3.1: id and secret are form-encoded before Basic encoding
    assert scheme == "Basic" and base64.b64decode(encoded).decode() == "alexa%20skill:s3cr%3Aet%2F"


def test_username_stands_in_for_a_missing_sub(provider, session):
    provider.answer(PATH, Reply(200, {"active": True, "username": "ada"}))
    profile = client(provider, session).fetch_profile("tok")
    assert profile.user_id == "ada" and profile.scopes is None


@pytest.mark.parametrize(
    "body",
    [
        {"active": False},
        {**ACTIVE, "exp": int(time.time()) - 5},
        {**ACTIVE, "nbf": int(time.time()) + 600},
    ],
    ids=["inactive-revoked", "expired", "not-yet-valid"],
)
def test_a_token_the_server_does_not_vouch_for_is_rejected(provider, session, body):
    provider.answer(PATH, Reply(200, body))
    with pytest.raises(LinkRejected):
        client(provider, session).fetch_profile("tok")


def test_a_token_for_another_audience_is_rejected_when_an_audience_is_set(provider, session):
    provider.answer(PATH, Reply(200, {**ACTIVE, "aud": ["https://other.example.com"]}))
    with pytest.raises(LinkRejected):
        client(provider, session, audience="https://api.example.com").fetch_profile("tok")
    provider.answer(PATH, Reply(200, ACTIVE))
    assert client(provider, session, audience="https://api.example.com").fetch_profile("tok").user_id == "user-1"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="x"'}),
        Reply(403, {"error": "forbidden"}),
        Reply(500, {"error": "server_error"}),
        Reply(200, b"{not json"),
        Reply(200, {"sub": "no active member"}),
        Reply(200, {"active": "true", "sub": "u"}),
        Reply(200, {"active": True}),
        Reply(200, {**ACTIVE, "exp": "tomorrow"}),
    ],
    ids=["wrong-client-credentials", "forbidden", "5xx", "malformed", "no-active", "active-not-bool", "no-subject", "exp-not-number"],
)
def test_an_introspection_answer_that_cannot_be_used_is_an_apology_not_a_relink(provider, session, reply):
    provider.answer(PATH, reply)
    with pytest.raises(ResourceUnavailable):
        client(provider, session).fetch_profile("tok")


def test_a_slow_introspection_endpoint_is_given_up_within_the_request_budget(provider, session):
    provider.stall(PATH)
    slow = IntrospectionClient(session, provider.url + PATH, "id", "secret", 5.0)
    with pytest.raises(ResourceUnavailable):
        slow.fetch_profile("tok", Deadline(0.3))
    assert provider.calls(PATH) == 1 and not provider.release.is_set()


def test_the_client_secret_never_shows_in_the_clients_repr(session):
    assert "s3cret" not in repr(IntrospectionClient(session, "https://as.example.com/introspect", "id", "s3cret", 1.0))


def test_introspection_without_client_credentials_is_refused_when_configuring(session):
    with pytest.raises(ValueError):
        IntrospectionClient(session, "https://as.example.com/introspect", "id", "", 1.0)


def test_introspection_answers_computed_per_token_reach_the_right_user(provider, session):
    def answer(request: Request) -> Reply:
        token = request.form()["token"]
        return Reply(200, {"active": token != "revoked", "sub": f"owner-of-{token}"})

    provider.answer(PATH, answer)
    c = client(provider, session)
    assert c.fetch_profile("a").user_id == "owner-of-a"
    with pytest.raises(LinkRejected):
        c.fetch_profile("revoked")
