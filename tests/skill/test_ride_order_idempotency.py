"""Ordering a ride sends Alexa's request id as Idempotency-Key, so retries order one car."""
from __future__ import annotations

from .conftest import load_envelope


def _order_headers(server):
    return [seen.headers for seen in server.state.seen if seen.path == "/api/v1/rides"]


def test_order_ride_sends_the_alexa_request_id_as_idempotency_key(make_skill, server):
    envelope = load_envelope("order_ride.linked")
    envelope["request"]["requestId"] = "amzn1.echo-api.request.retry-me"
    make_skill()(envelope)
    [headers] = _order_headers(server)
    assert headers["Idempotency-Key"] == "amzn1.echo-api.request.retry-me"
    assert headers["Authorization"].startswith("Bearer ")


def test_a_retried_request_repeats_the_key_and_a_new_request_gets_a_new_one(make_skill, server):
    skill = make_skill()
    first = load_envelope("order_ride.linked")
    first["request"]["requestId"] = "amzn1.echo-api.request.one"
    second = load_envelope("order_ride.linked")
    second["request"]["requestId"] = "amzn1.echo-api.request.two"
    skill(first)
    skill(first)
    skill(second)
    keys = [headers["Idempotency-Key"] for headers in _order_headers(server)]
    assert keys == ["amzn1.echo-api.request.one", "amzn1.echo-api.request.one",
                    "amzn1.echo-api.request.two"]


def test_only_the_ride_order_carries_an_idempotency_key(make_skill, server):
    skill = make_skill()
    skill(load_envelope("order_ride.linked"))
    skill(load_envelope("ride_status.linked"))
    others = [seen for seen in server.state.seen if seen.path != "/api/v1/rides"]
    assert others, "the status request reached the server"
    assert all("Idempotency-Key" not in seen.headers for seen in others)
