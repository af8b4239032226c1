"""The authorization endpoint never redirects to anything but a registered redirect URI."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import NA_REDIRECT, VENDOR_ID, authorize_query

REDIRECT_URI_VARIANTS = {
    "trailing slash": NA_REDIRECT + "/",
    "upper-case host": NA_REDIRECT.replace("pitangui.amazon.com", "PITANGUI.amazon.com"),
    "upper-case path": NA_REDIRECT.replace("/api/skill/link/", "/API/skill/link/"),
    "plain http": NA_REDIRECT.replace("https://", "http://"),
    "extra query": NA_REDIRECT + "?next=https://evil.example",
    "fragment": NA_REDIRECT + "#evil",
    "dot-dot path": f"https://pitangui.amazon.com/api/skill/link/x/../{VENDOR_ID}",
    "encoded dot-dot": f"https://pitangui.amazon.com/api/skill/link/x/%2e%2e/{VENDOR_ID}",
    "look-alike host suffix": f"https://pitangui.amazon.com.evil.example/api/skill/link/{VENDOR_ID}",
    "look-alike host prefix": f"https://evilpitangui.amazon.com/api/skill/link/{VENDOR_ID}",
    "userinfo": f"https://pitangui.amazon.com@evil.example/api/skill/link/{VENDOR_ID}",
    "userinfo before real host": f"https://evil.example@pitangui.amazon.com/api/skill/link/{VENDOR_ID}",
    "another vendor id": "https://pitangui.amazon.com/api/skill/link/M2OTHERVENDOR",
    "explicit port": f"https://pitangui.amazon.com:443/api/skill/link/{VENDOR_ID}",
    "CRLF": NA_REDIRECT + "\r\nSet-Cookie: x=1",
    "trailing space": NA_REDIRECT + " ",
    "empty": "",
}


def _assert_error_page(response) -> None:
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.mimetype == "text/html"
    assert "Start linking again from the Alexa app" in response.get_data(as_text=True)


@pytest.mark.parametrize("redirect_uri", REDIRECT_URI_VARIANTS.values(), ids=REDIRECT_URI_VARIANTS.keys())
@pytest.mark.parametrize("response_type", ["code", "token"])
def test_unregistered_redirect_uri_variant_shows_error_page_and_never_redirects(client, alexa_clients, redirect_uri, response_type):
    response = client.get(authorize_query(alexa_clients["implicit"].client_id, redirect_uri=redirect_uri, response_type=response_type))
    _assert_error_page(response)


@pytest.mark.parametrize("redirect_uri", REDIRECT_URI_VARIANTS.values(), ids=REDIRECT_URI_VARIANTS.keys())
def test_unregistered_redirect_uri_variant_is_refused_after_sign_in_too(client, alexa_clients, user, redirect_uri):
    from .conftest import EMAIL, PASSWORD, csrf_token

    good = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id))
    token = csrf_token(good.get_data(as_text=True))
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id, redirect_uri=redirect_uri)
    response = client.post(url, data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    _assert_error_page(response)
    with client.session_transaction() as session:
        assert "sign_in" not in session


@pytest.mark.parametrize(
    "client_id", ["unknown-client", "", "ALEXA-HTTP_BASIC", "alexa-http_basic ", "a\r\nb"], ids=["unknown", "empty", "case", "space", "crlf"]
)
def test_unknown_client_shows_error_page_and_never_redirects(client, alexa_clients, client_id):
    _assert_error_page(client.get(authorize_query(client_id)))


def test_missing_client_id_shows_error_page(client, alexa_clients):
    _assert_error_page(client.get(authorize_query(None)))  # type: ignore[arg-type]


def test_missing_redirect_uri_shows_error_page(client, alexa_clients):
    _assert_error_page(client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id, redirect_uri=None)))


@pytest.mark.parametrize("state", [None, ""], ids=["missing", "empty"])
def test_missing_state_shows_error_page(client, alexa_clients, state):
    _assert_error_page(client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id, state=state)))


@pytest.mark.parametrize("parameter", ["state", "redirect_uri", "client_id", "response_type", "scope"])
def test_duplicated_parameter_shows_error_page(client, alexa_clients, parameter):
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    value = {"state": "other", "redirect_uri": quote(NA_REDIRECT, safe=""), "client_id": "alexa-http_basic", "response_type": "code", "scope": "profile"}[parameter]
    _assert_error_page(client.get(f"{url}&{parameter}={value}"))


def test_unknown_scope_redirects_invalid_scope_with_state(client, alexa_clients):
    response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id, scope="profile admin"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(NA_REDIRECT + "?")
    assert "error=invalid_scope" in response.headers["Location"]
    assert "state=alexa-state-123" in response.headers["Location"]


@pytest.mark.parametrize("response_type", ["id_token", "code token", "", "c\"ode"])
def test_unsupported_response_type_never_issues_anything(client, alexa_clients, response_type):
    response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id, response_type=response_type))
    assert response.status_code in (302, 400)
    location = response.headers.get("Location", "")
    assert "code=" not in location and "access_token" not in location
    if location:
        assert location.startswith(NA_REDIRECT + "?") and "error=" in location


def test_each_registered_alexa_region_redirect_url_is_accepted(client, alexa_clients):
    from .conftest import EU_REDIRECT, FE_REDIRECT

    for redirect_uri in (NA_REDIRECT, EU_REDIRECT, FE_REDIRECT):
        response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id, redirect_uri=redirect_uri))
        assert response.status_code == 200
        assert 'name="email"' in response.get_data(as_text=True)


def test_plain_http_is_refused_for_a_non_loopback_host(client, alexa_clients):
    response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id), base_url="http://ride-hailer.example")
    assert response.status_code == 400
    assert "HTTPS" in response.get_data(as_text=True)
    token = client.post("/oauth/token", data={"grant_type": "authorization_code"}, base_url="http://ride-hailer.example")
    assert token.status_code == 400 and token.get_json()["error"] == "invalid_request"


def test_plain_http_is_refused_from_a_remote_address_even_with_a_loopback_host(client, alexa_clients):
    response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id), environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 400
    assert "HTTPS" in response.get_data(as_text=True)


def test_https_is_accepted_for_a_public_host(client, alexa_clients):
    response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id), base_url="https://ride-hailer.example")
    assert response.status_code == 200


def test_pkce_is_required_only_for_clients_configured_so(client, alexa_clients):
    response = client.get(authorize_query(alexa_clients["pkce"].client_id))
    assert response.status_code == 302 and "error=invalid_request" in response.headers["Location"]
    assert client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id)).status_code == 200


def test_nul_character_in_any_parameter_shows_error_page(client, alexa_clients):
    _assert_error_page(client.get(authorize_query("alexa-\x00http_basic")))
    _assert_error_page(client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id, state="a\x00b")))
