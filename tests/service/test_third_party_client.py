"""A third-party OAuth client library (Authlib's requests client) links and refreshes over HTTP."""
from __future__ import annotations

import re

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from .conftest import ALL_SCOPES, EMAIL, NA_REDIRECT, PASSWORD

METHODS = {"HTTP_BASIC": "client_secret_basic", "REQUEST_BODY_CREDENTIALS": "client_secret_post"}
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _browser_login_and_consent(authorization_url: str) -> str:
    """Play the user in the Alexa app: sign in, allow; return the redirect to Alexa."""
    browser = requests.Session()
    page = browser.get(authorization_url, timeout=10)
    assert page.status_code == 200
    signed_in = browser.post(
        authorization_url,
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": CSRF_RE.search(page.text).group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302
    consent = browser.get(authorization_url, timeout=10)
    answer = browser.post(
        authorization_url,
        data={"decision": "allow", "csrf_token": CSRF_RE.search(consent.text).group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    return answer.headers["Location"]


@pytest.mark.parametrize("scheme", METHODS)
def test_third_party_oauth_client_links_and_refreshes_with_each_scheme(live_server, alexa_clients, user, scheme):
    registered = alexa_clients[scheme]
    session = OAuth2Session(
        registered.client_id,
        registered.secret,
        token_endpoint_auth_method=METHODS[scheme],
        redirect_uri=NA_REDIRECT,
        scope=ALL_SCOPES,
    )
    url, state = session.create_authorization_url(live_server.url + "/oauth/authorize")
    location = _browser_login_and_consent(url)
    assert location.startswith(NA_REDIRECT + "?")

    token = session.fetch_token(live_server.url + "/oauth/token", authorization_response=location, state=state)
    assert token["token_type"] == "Bearer" and isinstance(token["expires_in"], int)
    me = session.get(live_server.url + "/api/v1/me", timeout=10)
    assert me.status_code == 200 and me.json()["email"] == EMAIL

    refreshed = session.refresh_token(live_server.url + "/oauth/token")
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert session.get(live_server.url + "/api/v1/rides/current", timeout=10).status_code == 404
    ride = session.post(live_server.url + "/api/v1/rides", json={"destination": "Airport"}, timeout=10)
    assert ride.status_code == 201
