"""Arbitrary authorization and token requests never redirect to strangers and never answer 5xx."""
from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import EU_REDIRECT, FE_REDIRECT, NA_REDIRECT

REGISTERED = (NA_REDIRECT, EU_REDIRECT, FE_REDIRECT)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(st.characters(codec="utf-8"), max_size=60)
maybe = st.one_of(st.none(), text)


@FUZZ
@given(
    client_id=st.one_of(maybe, st.sampled_from(["alexa-http_basic", "alexa-implicit"])),
    redirect_uri=st.one_of(maybe, st.sampled_from(REGISTERED), st.builds(lambda a, b: a + b, st.sampled_from(REGISTERED), text)),
    response_type=st.one_of(maybe, st.sampled_from(["code", "token"])),
    scope=st.one_of(maybe, st.sampled_from(["profile", "profile rides:read rides:write"])),
    state=maybe,
)
def test_fuzzed_authorization_requests_redirect_only_to_registered_uris(client, alexa_clients, client_id, redirect_uri, response_type, scope, state):
    params = {k: v for k, v in dict(client_id=client_id, redirect_uri=redirect_uri, response_type=response_type, scope=scope, state=state).items() if v is not None}
    response = client.get("/oauth/authorize?" + urlencode(params))
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        location = response.headers["Location"]
        assert redirect_uri in REGISTERED and location.startswith(redirect_uri)
        assert "error=" in location and "code=" not in location and "access_token=" not in location


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["grant_type", "code", "redirect_uri", "refresh_token", "client_id", "client_secret", "scope", "code_verifier"]), text, max_size=6), auth=maybe)
def test_fuzzed_token_requests_answer_json_client_errors(client, alexa_clients, data, auth):
    headers = {"Authorization": auth} if auth and auth.isascii() and "\n" not in auth and "\r" not in auth else {}
    response = client.post("/oauth/token", data=data, headers=headers)
    assert 400 <= response.status_code < 500
    assert response.is_json and response.get_json()["error"]
