"""Full linking flows with both Alexa access token schemes."""
from __future__ import annotations

import pytest

from .conftest import ALL_SCOPES, bearer, exchange, link, linked_tokens, refresh

SCHEMES = ["HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_link_exchange_refresh_and_call_api_with_each_alexa_scheme(client, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    redirect = link(client, registered.client_id)
    assert redirect["state"] == ["alexa-state-123"]
    response = exchange(client, registered, redirect["code"][0])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    tokens = response.get_json()
    assert tokens["token_type"] == "Bearer"
    assert isinstance(tokens["expires_in"], int) and tokens["expires_in"] == 3600
    assert tokens["refresh_token"]
    me = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.get_json() == {"id": str(user), "name": "Riley Rider", "email": "rider@example.com"}
    assert me.headers["X-OAuth-Scopes"] == ALL_SCOPES

    refreshed = refresh(client, registered, tokens["refresh_token"])
    assert refreshed.status_code == 200
    new = refreshed.get_json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert isinstance(new["expires_in"], int)
    assert client.get("/api/v1/me", headers=bearer(new["access_token"])).status_code == 200


def test_implicit_grant_puts_token_and_state_in_fragment(client, alexa_clients, user):
    fragment = link(client, alexa_clients["implicit"].client_id, response_type="token")
    assert fragment["state"] == ["alexa-state-123"]
    assert fragment["token_type"] == ["Bearer"]
    assert "refresh_token" not in fragment
    me = client.get("/api/v1/me", headers=bearer(fragment["access_token"][0]))
    assert me.status_code == 200


def test_implicit_grant_refused_for_client_not_registered_for_it(client, alexa_clients, user):
    url = "/oauth/authorize?" + "&".join(
        f"{k}={v}" for k, v in {"client_id": alexa_clients["HTTP_BASIC"].client_id, "redirect_uri": "https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR", "response_type": "token", "scope": "profile", "state": "s1"}.items()
    )
    response = client.get(url)
    assert response.status_code == 302
    assert "error=unauthorized_client" in response.headers["Location"]
    assert "state=s1" in response.headers["Location"]
    assert "access_token" not in response.headers["Location"]


def test_deny_redirects_with_access_denied_and_state(client, alexa_clients, user):
    from .conftest import authorize_query, consent, sign_in

    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    sign_in(client, url)
    response = consent(client, url, decision="deny")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR?")
    assert "error=access_denied" in location and "state=alexa-state-123" in location
    assert "code=" not in location


@pytest.mark.parametrize("scheme", SCHEMES)
def test_token_answer_limits_scope_to_what_was_granted(client, alexa_clients, user, scheme):
    tokens = linked_tokens(client, alexa_clients[scheme], scope="profile")
    assert tokens["scope"] == "profile"
    rides = client.get("/api/v1/rides/current", headers=bearer(tokens["access_token"]))
    assert rides.status_code == 403
