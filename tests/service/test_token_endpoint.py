"""The token endpoint: code exchange and refresh rules, client authentication, revocation."""
from __future__ import annotations

import datetime as dt
import hashlib
import base64

import pytest
from sqlalchemy import select, update

from ride_hailer_service.models import AuthorizationCode, Token, db

from .conftest import EU_REDIRECT, bearer, exchange, link, linked_tokens, refresh, token_request

SCHEMES = ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"]


def _error(response) -> str:
    return response.get_json()["error"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_replayed_code_is_refused_and_revokes_tokens_issued_from_it(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    code = link(client, registered.client_id)["code"][0]
    first = exchange(client, registered, code)
    assert first.status_code == 200
    tokens = first.get_json()
    replay = exchange(client, registered, code)
    assert replay.status_code == 400 and _error(replay) == "invalid_grant"
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert _error(refresh(client, registered, tokens["refresh_token"])) == "invalid_grant"


def test_expired_code_is_refused(app, client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    code = link(client, registered.client_id)["code"][0]
    with app.app_context():
        db.session.execute(update(AuthorizationCode).values(expires_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    response = exchange(client, registered, code)
    assert response.status_code == 400 and _error(response) == "invalid_grant"


def test_code_lives_at_most_five_minutes(app, client, alexa_clients, user):
    link(client, alexa_clients["HTTP_BASIC"].client_id)
    with app.app_context():
        code = db.session.execute(select(AuthorizationCode)).scalar_one()
        assert code.expires_at - code.created_at <= dt.timedelta(minutes=5)


def test_code_of_another_client_is_refused(client, alexa_clients, user):
    code = link(client, alexa_clients["HTTP_BASIC"].client_id)["code"][0]
    response = exchange(client, alexa_clients["REQUEST_BODY_CREDENTIALS"], code)
    assert response.status_code == 400 and _error(response) == "invalid_grant"


@pytest.mark.parametrize("redirect_uri", [EU_REDIRECT, "", "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR/"])
def test_mismatched_redirect_uri_at_token_endpoint_is_refused(client, alexa_clients, user, redirect_uri):
    registered = alexa_clients["HTTP_BASIC"]
    code = link(client, registered.client_id)["code"][0]
    response = exchange(client, registered, code, redirect_uri=redirect_uri)
    assert response.status_code == 400 and _error(response) == "invalid_grant"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_wrong_secret_answers_401_invalid_client_with_www_authenticate(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    code = link(client, registered.client_id)["code"][0]
    response = token_request(client, registered, {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR"}, secret="wrong")
    assert response.status_code == 401
    assert _error(response) == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # the code survives a failed client authentication
    assert exchange(client, registered, code).status_code == 200


def test_client_must_use_its_registered_scheme(client, alexa_clients, user):
    basic = alexa_clients["HTTP_BASIC"]
    code = link(client, basic.client_id)["code"][0]
    response = client.post("/oauth/token", data={"grant_type": "authorization_code", "code": code, "redirect_uri": "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR", "client_id": basic.client_id, "client_secret": basic.secret})
    assert response.status_code == 401 and _error(response) == "invalid_client"


def test_pkce_verifier_is_checked_when_a_challenge_was_sent(client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = link(client, registered.client_id, code_challenge=challenge, code_challenge_method="S256")["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR"}
    wrong = token_request(client, registered, {**data, "code_verifier": "w" * 64})
    assert wrong.status_code == 400 and _error(wrong) == "invalid_grant"
    code = link(client, registered.client_id, code_challenge=challenge, code_challenge_method="S256")["code"][0]
    right = token_request(client, registered, {**data, "code": code, "code_verifier": verifier})
    assert right.status_code == 200


def test_pkce_client_links_with_s256(client, alexa_clients, user):
    registered = alexa_clients["pkce"]
    verifier = "k" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = link(client, registered.client_id, code_challenge=challenge, code_challenge_method="S256")["code"][0]
    response = token_request(client, registered, {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR", "code_verifier": verifier})
    assert response.status_code == 200


@pytest.mark.parametrize("scheme", SCHEMES)
def test_refresh_cannot_escalate_scope(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    tokens = linked_tokens(client, registered, scope="profile")
    response = refresh(client, registered, tokens["refresh_token"], scope="profile rides:write")
    assert response.status_code == 400 and _error(response) == "invalid_scope"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_rotated_refresh_token_works_again_within_grace_window(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    tokens = linked_tokens(client, registered)
    first = refresh(client, registered, tokens["refresh_token"])  # answer "lost"
    second = refresh(client, registered, tokens["refresh_token"])
    assert first.status_code == 200 and second.status_code == 200
    kept = second.get_json()
    # the chain Alexa kept goes on; the sibling it never saw dies
    third = refresh(client, registered, kept["refresh_token"])
    assert third.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(third.get_json()["access_token"])).status_code == 200
    assert _error(refresh(client, registered, first.get_json()["refresh_token"])) == "invalid_grant"
    assert client.get("/api/v1/me", headers=bearer(first.get_json()["access_token"])).status_code == 401


@pytest.mark.parametrize("scheme", SCHEMES)
def test_rotated_refresh_token_reused_after_grace_window_revokes_the_family(app, client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    tokens = linked_tokens(client, registered)
    current = refresh(client, registered, tokens["refresh_token"]).get_json()
    with app.app_context():
        db.session.execute(update(Token).where(Token.rotated_at.is_not(None)).values(rotated_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    reuse = refresh(client, registered, tokens["refresh_token"])
    assert reuse.status_code == 400 and _error(reuse) == "invalid_grant"
    assert _error(refresh(client, registered, current["refresh_token"])) == "invalid_grant"
    assert client.get("/api/v1/me", headers=bearer(current["access_token"])).status_code == 401


def test_refresh_token_dies_after_a_year_of_idleness_but_slides_on_use(app, client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    with app.app_context():
        token = db.session.execute(select(Token)).scalar_one()
        assert token.refresh_expires_at - token.issued_at == dt.timedelta(days=365)
        db.session.execute(update(Token).values(refresh_expires_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    assert _error(refresh(client, registered, tokens["refresh_token"])) == "invalid_grant"


def test_refresh_token_of_another_client_is_refused(client, alexa_clients, user):
    tokens = linked_tokens(client, alexa_clients["HTTP_BASIC"])
    response = refresh(client, alexa_clients["REQUEST_BODY_CREDENTIALS"], tokens["refresh_token"])
    assert response.status_code == 400 and _error(response) == "invalid_grant"


@pytest.mark.parametrize("data", [
    {"grant_type": "password", "username": "a", "password": "b"},
    {"grant_type": "client_credentials"},
    {},
    {"grant_type": "authorization_code"},
    {"grant_type": "refresh_token"},
    {"grant_type": "authorization_code", "code": "nope", "redirect_uri": "x"},
    {"grant_type": "refresh_token", "refresh_token": "nope"},
    {"grant_type": "refresh_token", "refresh_token": "nope\"\\\u00e9"},
    {"grant_type": "\u00e9\"\\"},
], ids=["password", "client_credentials", "empty", "no-code", "no-refresh", "bad-code", "bad-refresh", "odd-refresh", "odd-grant"])
def test_malformed_token_requests_get_a_json_oauth_error(client, alexa_clients, data):
    response = token_request(client, alexa_clients["HTTP_BASIC"], data)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]


def test_token_endpoint_refuses_get(client):
    response = client.get("/oauth/token")
    assert response.status_code == 405
    assert response.get_json()["error"]


@pytest.mark.parametrize("hint", ["refresh_token", "access_token", None])
def test_revocation_unlinks_the_user(client, alexa_clients, user, hint):
    registered = alexa_clients["REQUEST_BODY_CREDENTIALS"]
    tokens = linked_tokens(client, registered)
    data = {"token": tokens["refresh_token"] if hint != "access_token" else tokens["access_token"]}
    if hint:
        data["token_type_hint"] = hint
    response = client.post("/oauth/revoke", data={**data, "client_id": registered.client_id, "client_secret": registered.secret})
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    assert _error(refresh(client, registered, tokens["refresh_token"])) == "invalid_grant"


def test_revocation_of_unknown_token_answers_200(client, alexa_clients):
    registered = alexa_clients["REQUEST_BODY_CREDENTIALS"]
    response = client.post("/oauth/revoke", data={"token": "unknown", "client_id": registered.client_id, "client_secret": registered.secret})
    assert response.status_code == 200


def test_tokens_codes_and_secrets_are_stored_only_as_digests(app, client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    with app.app_context():
        dump = "\n".join(str(row) for table in db.metadata.sorted_tables for row in db.session.execute(table.select()))
    for secret in (tokens["access_token"], tokens["refresh_token"], registered.secret):
        assert secret not in dump
    assert hashlib.sha256(tokens["access_token"].encode()).hexdigest() in dump


def test_metadata_describes_the_endpoints(client):
    response = client.get("/.well-known/oauth-authorization-server", base_url="https://ride-hailer.example")
    data = response.get_json()
    assert data["issuer"] == "https://ride-hailer.example"
    assert data["token_endpoint"] == "https://ride-hailer.example/oauth/token"
    assert data["authorization_endpoint"] == "https://ride-hailer.example/oauth/authorize"
    assert data["revocation_endpoint"] == "https://ride-hailer.example/oauth/revoke"
    assert set(data["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert data["code_challenge_methods_supported"] == ["S256"]


def test_basic_credentials_with_nul_character_are_invalid_client(client, alexa_clients):
    raw = base64.b64encode(b"alexa-\x00basic:secret").decode()
    response = client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"}, headers={"Authorization": "Basic " + raw})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_form_fields_with_nul_character_are_invalid_request(client, alexa_clients):
    response = client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": "a\x00b"})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
