"""The resource-server clients against a real HTTP server: each answer's meaning."""
from __future__ import annotations

import socket

import pytest
import requests

from account_linking import LwaProfileClient, Profile
from ride_hailer.profile_client import RideHailerProfileClient
from account_linking.errors import LinkRejected, MissingScope, ResourceUnavailable

from devstack.resource_server import LWA_PATH

TIMEOUT = 0.5


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


def clients(server, session):
    return {
        "ride_hailer": (RideHailerProfileClient(session, server.url, TIMEOUT), "/api/v1/me"),
        "lwa": (LwaProfileClient(session, TIMEOUT, server.url + LWA_PATH), LWA_PATH),
    }


@pytest.mark.parametrize("provider", ["ride_hailer", "lwa"])
@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("401", LinkRejected),
        ("401_json", LinkRejected),
        ("401_bare", ResourceUnavailable),
        ("403", MissingScope),
        ("403_forbidden", ResourceUnavailable),
        ("500", ResourceUnavailable),
        ("malformed", ResourceUnavailable),
        ("wrong_shape", ResourceUnavailable),
        ("redirect", ResourceUnavailable),
        ("stall", ResourceUnavailable),
    ],
)
def test_each_resource_server_answer_raises_its_linking_exception(server, session, provider, mode, error):
    client, path = clients(server, session)[provider]
    server.answer(mode, path)
    with pytest.raises(error):
        client.fetch_profile("tok")
    if mode == "stall":
        # The client gave up on its own: the stalling server had not answered yet.
        assert server.state.stalls_answered == 0


def test_missing_scope_names_the_scope_from_the_challenge(server, session):
    server.state.missing_scope = "profile"
    server.answer("403", "/api/v1/me")
    with pytest.raises(MissingScope) as caught:
        RideHailerProfileClient(session, server.url, TIMEOUT).fetch_profile("tok")
    assert caught.value.scope == "profile"


def test_ride_hailer_profile_carries_scopes_from_the_x_oauth_scopes_header(server, session):
    profile = RideHailerProfileClient(session, server.url + "/", TIMEOUT).fetch_profile("tok")
    assert profile == Profile(
        user_id="user-1", name="Ada", email="ada@example.com",
        scopes=frozenset({"profile", "rides:read", "rides:write"}), provider="ride_hailer",
    )


def test_ride_hailer_profile_without_scopes_header_leaves_scopes_unknown(server, session):
    server.state.scopes_header = None
    profile = RideHailerProfileClient(session, server.url, TIMEOUT).fetch_profile("tok")
    assert profile.scopes is None and profile.has_scope("rides:write")


@pytest.mark.parametrize(
    ("body", "scopes"),
    [
        ({"user_id": "amzn1.account.A", "name": "Ada", "email": "a@example.com"}, {"profile", "profile:user_id"}),
        ({"user_id": "amzn1.account.A"}, {"profile:user_id"}),
        ({"user_id": "amzn1.account.A", "postal_code": "10115"}, {"profile:user_id", "postal_code"}),
    ],
)
def test_lwa_scopes_are_inferred_from_the_returned_fields(server, session, body, scopes):
    server.state.lwa_profile = body
    profile = LwaProfileClient(session, TIMEOUT, server.url + LWA_PATH).fetch_profile("Atza|tok")
    assert profile.scopes == frozenset(scopes)
    assert profile.user_id == "amzn1.account.A"


def test_lwa_profile_without_user_id_is_malformed(server, session):
    server.state.lwa_profile = {"name": "Ada"}
    with pytest.raises(ResourceUnavailable):
        LwaProfileClient(session, TIMEOUT, server.url + LWA_PATH).fetch_profile("tok")


def test_connection_refused_is_resource_unavailable(session):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ResourceUnavailable):
        RideHailerProfileClient(session, f"http://127.0.0.1:{port}", TIMEOUT).fetch_profile("tok")


def test_pooled_session_reuses_one_connection(server, session):
    client = RideHailerProfileClient(session, server.url, TIMEOUT)
    for _ in range(3):
        client.fetch_profile("tok")
    ports = {seen.client_port for seen in server.state.seen}
    assert server.calls("/api/v1/me") == 3 and len(ports) == 1
