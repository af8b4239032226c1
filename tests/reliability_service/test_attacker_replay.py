"""Issue 11 replayed against gunicorn (2 workers x 4 threads): the attacker's scenarios end
refused or harmless, and the server log shows no traceback (checked by the `service` fixture).

The per-finding tests over a threaded werkzeug server are in tests/service/test_attacker_findings.py.
"""
from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from .relsvc_harness import NA_REDIRECT, csrf_token, exchange, me, refresh, token_call


def _authorize(base: str, client_id: str, scope: str | None, response_type: str = "code") -> str:
    query = {"client_id": client_id, "redirect_uri": NA_REDIRECT, "response_type": response_type, "state": "st-" + uuid.uuid4().hex}
    if scope is not None:
        query["scope"] = scope
    return f"{base}/oauth/authorize?{urlencode(query)}"


def _code(base: str, seeded, scope: str) -> str:
    browser = requests.Session()
    url = _authorize(base, seeded.basic.client_id, scope)
    page = browser.get(url, timeout=30)
    assert browser.post(url, data={"email": seeded.email, "password": seeded.password, "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30).status_code == 302
    page = browser.get(url, timeout=30)
    answer = browser.post(url, data={"decision": "allow", "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def test_blank_scope_refresh_then_plain_refresh_cannot_order_a_ride_under_gunicorn(service, seeded):
    tokens = exchange(service.url, seeded.basic, _code(service.url, seeded, "profile")).json()
    blank = token_call(service.url, seeded.basic, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "scope": " "})
    assert blank.status_code == 400 and blank.json()["error"] == "invalid_scope"
    plain = refresh(service.url, seeded.basic, tokens["refresh_token"])
    assert plain.status_code == 200 and plain.json()["scope"] == "profile"
    ride = requests.post(service.url + "/api/v1/rides", json={"destination": "Airport"}, headers={"Authorization": "Bearer " + plain.json()["access_token"]}, timeout=30)
    assert ride.status_code == 403


def test_blank_scope_authorization_request_is_an_invalid_scope_redirect_under_gunicorn(service, seeded):
    for scope in (" ", "\u00a0", None):
        answer = requests.get(_authorize(service.url, seeded.basic.client_id, scope), allow_redirects=False, timeout=30)
        assert answer.status_code == 302
        params = parse_qs(urlsplit(answer.headers["Location"]).query)
        assert params["error"] == ["invalid_scope"] and params["iss"] == [service.url] and "code" not in params


def test_thief_inside_the_grace_window_ends_the_link_under_gunicorn(service, seeded):
    stolen = exchange(service.url, seeded.basic, _code(service.url, seeded, "profile rides:read rides:write")).json()["refresh_token"]
    users = refresh(service.url, seeded.basic, stolen).json()
    thief = refresh(service.url, seeded.basic, stolen).json()
    thief_next = refresh(service.url, seeded.basic, thief["refresh_token"])
    assert thief_next.status_code == 200
    assert refresh(service.url, seeded.basic, users["refresh_token"]).status_code == 400
    assert refresh(service.url, seeded.basic, thief_next.json()["refresh_token"]).status_code == 400
    assert me(service.url, thief_next.json()["access_token"]).status_code == 401


def test_unusable_json_bodies_are_invalid_request_under_gunicorn(service, seeded):
    tokens = exchange(service.url, seeded.basic, _code(service.url, seeded, "profile rides:read rides:write")).json()
    for body in ("[" * 5000, '{"destination": "\\ud800"}'):
        answer = requests.post(service.url + "/api/v1/rides", data=body.encode(), timeout=30,
                               headers={"Authorization": "Bearer " + tokens["access_token"], "Content-Type": "application/json"})
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
