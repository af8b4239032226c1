"""The Ride Hailer resource API: scopes, bearer errors, rides persisted."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from ride_hailer_service.models import Token, db

from .conftest import bearer, linked_tokens


@pytest.fixture
def access_token(client, alexa_clients, user) -> str:
    return linked_tokens(client, alexa_clients["HTTP_BASIC"])["access_token"]


def test_fare_estimate_is_public(client):
    response = client.get("/api/v1/fares/estimate?destination=Airport")
    assert response.status_code == 200
    data = response.get_json()
    assert data["destination"] == "Airport"
    assert data["currency"] == "USD" and data["amount"] > 0 and isinstance(data["eta_minutes"], int)


@pytest.mark.parametrize("query", ["", "?destination=", "?destination=%20%20", "?destination=" + "x" * 201])
def test_fare_estimate_bad_destination_is_invalid_request(client, query):
    response = client.get("/api/v1/fares/estimate" + query)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert response.get_json()["error_description"]


def test_ride_order_status_cancel_round_trip_is_persisted(client, access_token):
    created = client.post("/api/v1/rides", json={"destination": "Central Station"}, headers=bearer(access_token))
    assert created.status_code == 201
    ride = created.get_json()
    assert set(ride) == {"id", "status", "destination", "eta_minutes", "fare", "created_at"}
    assert ride["status"] == "requested" and set(ride["fare"]) == {"amount", "currency"}
    current = client.get("/api/v1/rides/current", headers=bearer(access_token))
    assert current.status_code == 200 and current.get_json()["id"] == ride["id"]
    cancelled = client.post("/api/v1/rides/current/cancel", headers=bearer(access_token))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    gone = client.get("/api/v1/rides/current", headers=bearer(access_token))
    assert gone.status_code == 404 and gone.get_json()["error"] == "no_active_ride"
    again = client.post("/api/v1/rides/current/cancel", headers=bearer(access_token))
    assert again.status_code == 404


@pytest.mark.parametrize("body", [None, [], {"destination": ""}, {"destination": 5}, {"where": "x"}], ids=["none", "list", "empty", "number", "missing"])
def test_ride_order_bad_body_is_invalid_request(client, access_token, body):
    kwargs = {"json": body} if body is not None else {"data": "not json", "content_type": "application/json"}
    response = client.post("/api/v1/rides", headers=bearer(access_token), **kwargs)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("header", [
    "Bearer not-a-token", "Bearer ", "Basic abc", "Bearer a b", "bearer", "Bearer \u00e9\u00e9", "Bearer " + "x" * 5000,
], ids=["unknown", "empty", "basic", "spaces", "scheme-only", "non-ascii", "long"])
def test_bad_bearer_tokens_get_401_invalid_token(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_missing_token_gets_401_with_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_access_token_gets_401_invalid_token(app, client, access_token):
    with app.app_context():
        db.session.execute(update(Token).values(issued_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(access_token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_token_in_query_string_is_refused(client, access_token):
    response = client.get(f"/api/v1/me?access_token={access_token}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("method,path,scope", [
    ("get", "/api/v1/rides/current", "rides:read"),
    ("post", "/api/v1/rides", "rides:write"),
    ("post", "/api/v1/rides/current/cancel", "rides:write"),
])
def test_missing_scope_gets_403_insufficient_scope_naming_the_scope(client, alexa_clients, user, method, path, scope):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"], scope="profile")["access_token"]
    response = getattr(client, method)(path, headers=bearer(token), json={"destination": "x"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope"
    assert response.headers["WWW-Authenticate"] == f'Bearer realm="ride-hailer", error="insufficient_scope", scope="{scope}"'


def test_me_without_profile_scope_is_403(client, alexa_clients, user):
    token = linked_tokens(client, alexa_clients["HTTP_BASIC"], scope="rides:read")["access_token"]
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 403


@pytest.mark.parametrize("method,path", [("get", "/api/v1/nothing"), ("delete", "/api/v1/me"), ("put", "/api/v1/rides")])
def test_unknown_api_routes_answer_json_errors(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code in (404, 405)
    assert response.is_json and response.get_json()["error"]


@pytest.mark.parametrize("destination", ["Air\u0000port", "Air\u0007port"], ids=["nul", "bell"])
def test_ride_order_with_control_characters_is_invalid_request(client, access_token, destination):
    response = client.post("/api/v1/rides", json={"destination": destination}, headers=bearer(access_token))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
