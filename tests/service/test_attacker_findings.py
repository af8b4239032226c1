"""Issue 11: what an outside attacker found, replayed over real HTTP against the service.

Every test drives the service served by a real werkzeug server on 127.0.0.1 (`live_server`)
with `requests`, as an attacker (or Alexa) would, on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select, update

from ride_hailer_service.admin import create_user
from ride_hailer_service.models import OutboxMail, Ride, Token, User, db

from .conftest import ALL_SCOPES, EMAIL, NA_REDIRECT, PASSWORD, csrf_token

NEW_PASSWORD = "a brand new password"
STRANGER_EMAIL = "stranger@example.com"


def authorize_url(base: str, client_id: str, **overrides: str | None) -> str:
    """An authorization request the way the Alexa app sends it."""
    params = {
        "client_id": client_id,
        "redirect_uri": NA_REDIRECT,
        "response_type": "code",
        "scope": ALL_SCOPES,
        "state": "alexa-state-123",
    }
    params.update(overrides)
    return base + "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def http_sign_in(browser: requests.Session, url: str, email: str = EMAIL, password: str = PASSWORD) -> requests.Response:
    """Load the login page and submit credentials."""
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, page.text
    return browser.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        allow_redirects=False, timeout=30,
    )


def http_allow(browser: requests.Session, url: str) -> requests.Response:
    """Load the consent page and press Allow."""
    page = browser.get(url, timeout=30)
    assert 'name="decision" value="allow"' in page.text, page.text
    return browser.post(url, data={"decision": "allow", "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30)


def redirect_params(response: requests.Response) -> dict[str, list[str]]:
    """The query (or fragment) of a redirect to the Alexa redirect URL."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == NA_REDIRECT
    return parse_qs(location.fragment or location.query)


def http_token(base: str, registered, data: dict[str, str]) -> requests.Response:
    """POST /oauth/token with HTTP Basic (the HTTP_BASIC client)."""
    return requests.post(base + "/oauth/token", data=data, auth=(registered.client_id, registered.secret), timeout=30)


def http_link(base: str, registered, **overrides: str | None) -> dict:
    """Sign in, allow and exchange the code over HTTP: the token answer."""
    browser = requests.Session()
    url = authorize_url(base, registered.client_id, **overrides)
    assert http_sign_in(browser, url).status_code == 302
    code = redirect_params(http_allow(browser, url))["code"][0]
    answer = http_token(base, registered, {"grant_type": "authorization_code", "code": code, "redirect_uri": NA_REDIRECT})
    assert answer.status_code == 200, answer.text
    return answer.json()


def http_refresh(base: str, registered, refresh_token: str, **extra: str) -> requests.Response:
    return http_token(base, registered, {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})


def order_ride(base: str, access_token: str, **kwargs) -> requests.Response:
    return requests.post(base + "/api/v1/rides", headers={"Authorization": f"Bearer {access_token}"}, timeout=30, **kwargs)


def mailed_paths(app, pattern: str = r"https?://[^/\s]+(/account/reset/\S+)") -> list[str]:
    """Paths of the links mailed so far, oldest first."""
    with app.app_context():
        bodies = db.session.execute(select(OutboxMail.body).order_by(OutboxMail.id)).scalars().all()
    return [m.group(1) for body in bodies if (m := re.search(pattern, body))]


def http_request_reset(base: str, browser: requests.Session, email: str, next_url: str | None = None) -> None:
    href = base + "/account/recover" + ("?" + urlencode({"next": next_url}) if next_url else "")
    form = browser.get(href, timeout=30)
    answer = browser.post(href, data={"email": email, "csrf_token": csrf_token(form.text)}, allow_redirects=False, timeout=30)
    assert answer.status_code == 200, answer.text


def http_choose_password(base: str, browser: requests.Session, path: str, password: str = NEW_PASSWORD) -> requests.Response:
    form = browser.get(base + path, timeout=30)
    assert form.status_code == 200, form.text
    return browser.post(base + path, data={"password": password, "csrf_token": csrf_token(form.text)}, allow_redirects=False, timeout=30)


# Finding 1: a refresh never widens the scope the user consented to


@pytest.mark.parametrize("blank", [" ", "\u00a0", "\t"])
def test_refresh_with_blank_scope_is_invalid_scope_and_never_widens_the_grant(live_server, alexa_clients, user, blank):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    tokens = http_link(base, registered, scope="profile")
    blank_refresh = http_refresh(base, registered, tokens["refresh_token"], scope=blank)
    assert blank_refresh.status_code == 400 and blank_refresh.json()["error"] == "invalid_scope"
    # the next plain refresh keeps exactly what the user consented to
    plain = http_refresh(base, registered, tokens["refresh_token"])
    assert plain.status_code == 200 and plain.json()["scope"] == "profile"
    assert order_ride(base, plain.json()["access_token"], json={"destination": "Airport"}).status_code == 403
    with live_server.app.app_context():
        assert db.session.execute(select(Ride)).first() is None


def test_refresh_of_a_token_with_an_empty_scope_never_gets_the_clients_full_list(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    tokens = http_link(base, registered, scope="profile")
    with live_server.app.app_context():  # a row left by the old code: an empty scope
        db.session.execute(update(Token).values(scope=""))
        db.session.commit()
    answer = http_refresh(base, registered, tokens["refresh_token"])
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"
    with live_server.app.app_context():
        scopes = db.session.execute(select(Token.scope)).scalars().all()
    assert all("rides:write" not in scope for scope in scopes)


def test_every_token_of_a_link_stays_within_the_scope_consented_at_authorization(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    tokens = http_link(base, registered, scope="profile rides:read")
    narrowed = http_refresh(base, registered, tokens["refresh_token"], scope="profile")
    assert narrowed.status_code == 200 and narrowed.json()["scope"] == "profile"
    widened = http_refresh(base, registered, narrowed.json()["refresh_token"], scope="profile rides:write")
    assert widened.status_code == 400 and widened.json()["error"] == "invalid_scope"
    with live_server.app.app_context():
        rows = db.session.execute(select(Token.scope, Token.granted_scope)).all()
    assert rows and all(set(scope.split()) <= {"profile", "rides:read"} and granted == "profile rides:read" for scope, granted in rows)


def test_token_row_without_a_recorded_grant_is_held_to_its_own_scope(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    tokens = http_link(base, registered, scope="profile")
    with live_server.app.app_context():  # a row bulk-loaded by a tool that does not know the column
        db.session.execute(update(Token).values(granted_scope=None))
        db.session.commit()
    wider = http_refresh(base, registered, tokens["refresh_token"], scope="profile rides:write")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"
    plain = http_refresh(base, registered, tokens["refresh_token"])
    assert plain.status_code == 200 and plain.json()["scope"] == "profile"


# Finding 2: a blank scope at the authorization endpoint is refused


@pytest.mark.parametrize("blank", [" ", "\u00a0", None])
@pytest.mark.parametrize("response_type", ["code", "token"])
def test_authorization_request_whose_scope_resolves_to_nothing_redirects_invalid_scope(live_server, alexa_clients, blank, response_type):
    registered = alexa_clients["implicit"]
    url = authorize_url(live_server.url, registered.client_id, scope=blank, response_type=response_type)
    answer = requests.get(url, allow_redirects=False, timeout=30)
    params = redirect_params(answer)
    assert params["error"] == ["invalid_scope"] and params["state"] == ["alexa-state-123"]
    assert "code" not in params and "access_token" not in params


def test_consent_page_lists_exactly_the_scopes_the_code_carries(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    browser = requests.Session()
    url = authorize_url(base, registered.client_id, scope="profile  profile")
    assert http_sign_in(browser, url).status_code == 302
    page = browser.get(url, timeout=30).text
    assert "See your name and email address." in page
    assert "status of your current ride" not in page and "Order and cancel rides" not in page
    code = redirect_params(http_allow(browser, url))["code"][0]
    answer = http_token(base, registered, {"grant_type": "authorization_code", "code": code, "redirect_uri": NA_REDIRECT})
    assert answer.json()["scope"] == "profile"


# Finding 3: a superseded or revoked refresh token ends the whole link


def test_thief_replaying_a_rotated_refresh_token_in_the_grace_window_ends_the_link_for_both(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    stolen = http_link(base, registered)["refresh_token"]
    users_answer = http_refresh(base, registered, stolen)  # Alexa's normal refresh
    thief_sibling = http_refresh(base, registered, stolen)  # the thief, within the grace window
    assert users_answer.status_code == 200 and thief_sibling.status_code == 200
    thief_next = http_refresh(base, registered, thief_sibling.json()["refresh_token"])  # thief first
    assert thief_next.status_code == 200
    # Alexa presents the user's (now superseded) token: refused, and the whole family dies
    users_next = http_refresh(base, registered, users_answer.json()["refresh_token"])
    assert users_next.status_code == 400 and users_next.json()["error"] == "invalid_grant"
    assert http_refresh(base, registered, thief_next.json()["refresh_token"]).json()["error"] == "invalid_grant"
    me = requests.get(base + "/api/v1/me", headers={"Authorization": "Bearer " + thief_next.json()["access_token"]}, timeout=30)
    assert me.status_code == 401


def test_lost_refresh_answer_retried_in_the_grace_window_keeps_the_user_linked(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    refresh_token = http_link(base, registered)["refresh_token"]
    assert http_refresh(base, registered, refresh_token).status_code == 200  # answer lost
    retried = http_refresh(base, registered, refresh_token)
    assert retried.status_code == 200
    following = http_refresh(base, registered, retried.json()["refresh_token"])
    assert following.status_code == 200
    assert http_refresh(base, registered, following.json()["refresh_token"]).status_code == 200


# Finding 5: the sign-in is a server-side record, consumed at consent, revoked by a reset


def test_cookie_copied_before_consent_cannot_open_consent_again(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    url = authorize_url(base, registered.client_id)
    owner = requests.Session()
    assert http_sign_in(owner, url).status_code == 302
    consent_page = owner.get(url, timeout=30).text
    copy = requests.Session()
    copy.cookies.update(owner.cookies)  # taken before consent
    assert "code" in redirect_params(http_allow(owner, url))
    page = copy.get(url, timeout=30)
    assert 'name="decision"' not in page.text and 'name="password"' in page.text
    replay = copy.post(url, data={"decision": "allow", "csrf_token": csrf_token(consent_page)}, allow_redirects=False, timeout=30)
    assert replay.status_code == 200 and "Location" not in replay.headers
    with live_server.app.app_context():
        from ride_hailer_service.models import AuthorizationCode

        assert len(db.session.execute(select(AuthorizationCode)).all()) == 1


def test_sign_in_made_with_a_leaked_password_ends_with_the_owners_password_reset(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    url = authorize_url(base, registered.client_id, state="attacker-state")
    attacker = requests.Session()
    assert http_sign_in(attacker, url).status_code == 302
    assert 'name="decision"' in attacker.get(url, timeout=30).text
    owner = requests.Session()
    http_request_reset(base, owner, EMAIL)
    assert http_choose_password(base, owner, mailed_paths(live_server.app)[-1]).status_code == 200
    page = attacker.get(url, timeout=30)
    assert 'name="decision"' not in page.text and 'name="password"' in page.text


# Finding 8: a reset link continues a linking flow only in the browser that asked


def test_reset_link_opened_in_another_browser_ends_on_a_plain_page_not_the_strangers_request(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    strangers_request = authorize_url(base, registered.client_id, state="stranger-state").removeprefix(base)
    stranger = requests.Session()
    http_request_reset(base, stranger, EMAIL, next_url=strangers_request)
    path = mailed_paths(live_server.app)[-1]
    assert "stranger-state" not in path and "next=" not in path
    victim = requests.Session()
    answer = http_choose_password(base, victim, path)
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert "new password is set" in answer.text
    page = victim.get(base + strangers_request, timeout=30)
    assert 'name="decision"' not in page.text


def test_reset_link_opened_in_the_browser_that_asked_continues_its_linking_flow(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    own_request = authorize_url(base, registered.client_id).removeprefix(base)
    browser = requests.Session()
    http_request_reset(base, browser, EMAIL, next_url=own_request)
    answer = http_choose_password(base, browser, mailed_paths(live_server.app)[-1])
    assert answer.status_code == 302 and answer.headers["Location"].endswith(own_request)
    assert "code" in redirect_params(http_allow(browser, base + own_request))


# Finding 6: malformed JSON bodies are 400 invalid_request, never 500


@pytest.mark.parametrize(
    "body",
    ["[" * 5000, '{"destination": "\\ud800"}', '{"destination": "Air\\udfffport"}', '{"x": ["\\ud800"], "destination": "A"}'],
    ids=["deep-nesting", "lone-high-surrogate", "lone-low-surrogate", "surrogate-elsewhere"],
)
def test_ride_order_with_unusable_json_is_invalid_request(live_server, alexa_clients, user, body):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    tokens = http_link(base, registered)
    answer = requests.post(
        base + "/api/v1/rides", data=body.encode(), timeout=30,
        headers={"Authorization": "Bearer " + tokens["access_token"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
    with live_server.app.app_context():
        assert db.session.execute(select(Ride)).first() is None


@pytest.mark.parametrize(
    "path,field",
    [("/oauth/token", "grant_type"), ("/oauth/token", "refresh_token"), ("/oauth/revoke", "token"),
     ("/api/v1/fares/estimate", "destination")],
)
def test_invalid_utf8_in_form_and_query_fields_is_a_client_error(live_server, alexa_clients, path, field):
    registered = alexa_clients["HTTP_BASIC"]
    raw = f"grant_type=refresh_token&{field}=%ED%A0%80%FF".encode()
    if path.startswith("/api/"):
        answer = requests.get(live_server.url + path + "?" + raw.decode(), timeout=30)
    else:
        answer = requests.post(live_server.url + path, data=raw, auth=(registered.client_id, registered.secret),
                               headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert 200 <= answer.status_code < 500


# Finding 7: names cannot carry text into a mail


@pytest.mark.parametrize("name", ["Ann\n\nSuspicious payment: verify at https://evil.example", "Ann\rBob", "Ann\u2028Bob", "Ann\x85Bob", "A" * 101])
def test_sign_up_name_with_control_characters_or_too_long_is_refused(live_server, alexa_clients, name):
    base = live_server.url
    browser = requests.Session()
    href = base + "/account/signup"
    form = browser.get(href, timeout=30)
    answer = browser.post(href, data={"name": name, "email": "new@example.com", "password": PASSWORD, "csrf_token": csrf_token(form.text)}, allow_redirects=False, timeout=30)
    assert answer.status_code == 200 and 'class="error"' in answer.text
    with live_server.app.app_context():
        assert db.session.execute(select(User)).first() is None


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "ja"])
def test_no_line_of_the_reset_mail_starts_with_text_from_a_stored_name(live_server, alexa_clients, language):
    with live_server.app.app_context():  # an account stored before names were checked
        user_id = create_user("victim@example.com", PASSWORD, "Victim").id
        db.session.execute(update(User).where(User.id == user_id).values(name="Zqx\nSuspicious payment, verify at https://evil.example"))
        db.session.commit()
    browser = requests.Session()
    browser.headers["Accept-Language"] = language
    http_request_reset(live_server.url, browser, "victim@example.com")
    with live_server.app.app_context():
        body = db.session.execute(select(OutboxMail.body)).scalar_one()
    assert "Zqx Suspicious payment" in body  # the name is there, on the greeting's line
    assert not any(line.lstrip().startswith(("Zqx", "Suspicious")) for line in body.splitlines())


# Finding 4: sign-up neither tells which addresses have accounts nor burns CPU unthrottled


def _sign_up(base: str, browser: requests.Session, email: str, next_url: str | None, password: str = "another password 1") -> requests.Response:
    href = base + "/account/signup" + ("?" + urlencode({"next": next_url}) if next_url else "")
    form = browser.get(href, timeout=30)
    return browser.post(href, data={"name": "Sam", "email": email, "password": password, "csrf_token": csrf_token(form.text)}, allow_redirects=False, timeout=30)


def test_sign_up_answers_a_taken_address_like_a_free_one_and_mails_its_owner(live_server, alexa_clients, user):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    next_url = authorize_url(base, registered.client_id).removeprefix(base)
    taken = _sign_up(base, requests.Session(), EMAIL, next_url)
    free = _sign_up(base, requests.Session(), "free@example.com", next_url)
    assert (taken.status_code, taken.headers.get("Location")) == (free.status_code, free.headers.get("Location"))
    assert taken.status_code == 302
    assert ("Set-Cookie" in taken.headers) == ("Set-Cookie" in free.headers)
    assert len(taken.headers.get("Set-Cookie", "")) == len(free.headers.get("Set-Cookie", ""))
    assert "exists" not in taken.text
    with live_server.app.app_context():
        mails = db.session.execute(select(OutboxMail)).scalars().all()
        owner = db.session.execute(select(User).where(User.email == EMAIL)).scalar_one()
        assert owner.name == "Riley Rider"
    assert [m.recipient for m in mails] == [EMAIL]
    assert "/account/recover" in mails[0].body and "next=" not in mails[0].body
    # the taken address signed nobody in; the owner's password still works
    attacker = requests.Session()
    _sign_up(base, attacker, EMAIL, next_url)
    assert 'name="decision"' not in attacker.get(base + next_url, timeout=30).text
    assert http_sign_in(requests.Session(), base + next_url).status_code == 302


def test_sign_up_with_a_free_address_creates_the_account_and_continues_the_link(live_server, alexa_clients):
    base, registered = live_server.url, alexa_clients["HTTP_BASIC"]
    next_url = authorize_url(base, registered.client_id).removeprefix(base)
    browser = requests.Session()
    answer = _sign_up(base, browser, "new@example.com", next_url)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(next_url)
    assert "code" in redirect_params(http_allow(browser, base + next_url))


def test_sign_up_is_throttled_per_address_and_per_client_before_any_hashing(live_server, alexa_clients):
    from ride_hailer_service.accounts import passwords

    base = live_server.url
    with live_server.app.app_context():
        hashing = passwords()
    hashes = []
    original = hashing.hash
    hashing.hash = lambda password: hashes.append(1) or original(password)  # count argon2 work
    try:
        answers = [_sign_up(base, requests.Session(), "target@example.com", None) for _ in range(8)]
        per_address = len(hashes)
        others = [_sign_up(base, requests.Session(), f"user{i}@example.com", None) for i in range(25)]
    finally:
        hashing.hash = original
    throttled = [a for a in answers if "Too many" in a.text]
    assert throttled and per_address <= live_server.app.config["SIGNUP_THROTTLE_PER_EMAIL"]
    assert any("Too many" in a.text for a in others)
    assert len(hashes) <= live_server.app.config["SIGNUP_THROTTLE_PER_ADDRESS"]


# Also: connected apps, client display names, throttles, RFC 9207 iss, HSTS


@pytest.fixture
def proxied_server(app, database):
    """The service behind one trusted proxy (ProxyFix), over real HTTP on 127.0.0.1."""
    import threading

    from werkzeug.serving import make_server

    from ride_hailer_service import create_app

    # the Secure cookie flag off: this client speaks plain http to the "proxied" https service
    proxied = create_app({**database, "TESTING": True, "SECRET_KEY": "test-secret", "TRUSTED_PROXIES": 1, "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, proxied, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with proxied.app_context():
            db.engine.dispose()


def _apps_sign_in(base: str, browser: requests.Session) -> requests.Response:
    page = browser.get(base + "/account/apps", timeout=30)
    assert 'name="password"' in page.text
    return browser.post(base + "/account/apps", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(page.text)}, timeout=30)


def test_connected_apps_page_lists_linked_clients_and_disconnect_revokes_only_that_one(live_server, alexa_clients, user):
    base = live_server.url
    implicit = alexa_clients["implicit"]
    browser = requests.Session()
    url = authorize_url(base, implicit.client_id, response_type="token")
    assert http_sign_in(browser, url).status_code == 302
    implicit_token = redirect_params(http_allow(browser, url))["access_token"][0]
    code_tokens = http_link(base, alexa_clients["HTTP_BASIC"])

    owner = requests.Session()
    page = _apps_sign_in(base, owner)
    assert page.text.count('name="disconnect"') == 2 and "Last used:" in page.text
    answer = owner.post(base + "/account/apps", data={"disconnect": implicit.client_id, "csrf_token": csrf_token(page.text)}, timeout=30)
    assert "can no longer use your account" in answer.text and answer.text.count('name="disconnect"') == 1

    def me(token: str) -> int:
        return requests.get(base + "/api/v1/me", headers={"Authorization": "Bearer " + token}, timeout=30).status_code

    assert me(implicit_token) == 401 and me(code_tokens["access_token"]) == 200
    # signing out ends the page's sign-in, server-side: a copied cookie shows the login form
    copy = requests.Session()
    copy.cookies.update(owner.cookies)
    owner.post(base + "/account/apps", data={"sign_out": "1", "csrf_token": csrf_token(answer.text)}, timeout=30)
    assert 'name="password"' in copy.get(base + "/account/apps", timeout=30).text


def test_login_and_consent_pages_name_the_client_by_its_display_name(live_server, alexa_clients, user):
    from ride_hailer_service.admin import create_alexa_client

    with live_server.app.app_context():
        create_alexa_client("M2OTHER", "HTTP_BASIC", client_id="taxi-pro", name="Taxi Pro")
    browser = requests.Session()
    url = authorize_url(live_server.url, "taxi-pro").replace("M2TESTVENDOR", "M2OTHER")
    url = url.replace(urlencode({"redirect_uri": NA_REDIRECT}), urlencode({"redirect_uri": NA_REDIRECT.replace("M2TESTVENDOR", "M2OTHER")}))
    assert "Linking allows the Taxi Pro skill to:" in browser.get(url, timeout=30).text
    assert http_sign_in(browser, url).status_code == 302
    assert "Linking allows the Taxi Pro skill to:" in browser.get(url, timeout=30).text
    default = browser.get(authorize_url(live_server.url, alexa_clients["HTTP_BASIC"].client_id), timeout=30).text
    assert "Linking allows the Ride Hailer skill to:" in default


def test_create_alexa_client_takes_a_display_name_and_refuses_control_characters(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-alexa-client", "--vendor-id", "M2NAME", "--scheme", "HTTP_BASIC", "--client-id", "named", "--name", "City Cabs"])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(args=["create-alexa-client", "--vendor-id", "M2NAME", "--scheme", "HTTP_BASIC", "--client-id", "bad", "--name", "Cabs\nVerify here"])
    assert refused.exit_code != 0 and "client name" in refused.output
    from ride_hailer_service.models import Client

    with app.app_context():
        assert db.session.execute(select(Client.client_id, Client.name).where(Client.client_id.in_(["named", "bad"]))).all() == [("named", "City Cabs")]


def test_stranger_failing_from_another_address_cannot_lock_the_owner_out(proxied_server, alexa_clients, user):
    url = authorize_url(proxied_server, alexa_clients["HTTP_BASIC"].client_id)
    stranger = requests.Session()
    stranger.headers.update({"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    answers = [http_sign_in(stranger, url, password="guess %d" % n).text for n in range(7)]
    assert "Too many failed sign-ins" in answers[-1]
    owner = requests.Session()
    owner.headers.update({"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"})
    assert http_sign_in(owner, url).status_code == 302


def test_authorization_responses_name_the_issuer_rfc_9207(live_server, alexa_clients, user):
    base = live_server.url
    browser = requests.Session()
    url = authorize_url(base, alexa_clients["HTTP_BASIC"].client_id)
    assert http_sign_in(browser, url).status_code == 302
    assert redirect_params(http_allow(browser, url))["iss"] == [base]
    error = redirect_params(requests.get(authorize_url(base, alexa_clients["HTTP_BASIC"].client_id, scope="bogus"), allow_redirects=False, timeout=30))
    assert error["error"] == ["invalid_scope"] and error["iss"] == [base]
    implicit = alexa_clients["implicit"]
    url = authorize_url(base, implicit.client_id, response_type="token")
    assert http_sign_in(browser, url).status_code == 302
    answer = http_allow(browser, url)
    assert "iss=" not in urlsplit(answer.headers["Location"]).query
    assert redirect_params(answer)["iss"] == [base]
    metadata = requests.get(base + "/.well-known/oauth-authorization-server", timeout=30).json()
    assert metadata["authorization_response_iss_parameter_supported"] is True


def test_answers_over_https_carry_hsts_and_plain_http_answers_do_not(proxied_server):
    secure = requests.get(proxied_server + "/api/v1/openapi.json", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = requests.get(proxied_server + "/api/v1/openapi.json", timeout=30)
    assert "Strict-Transport-Security" not in plain.headers


def test_sign_in_over_https_works_although_pages_send_no_referrer(proxied_server, alexa_clients, user):
    """Behind the TLS proxy a browser sends no Referer (Referrer-Policy: no-referrer); the
    forms must still work there, not only on loopback http."""
    browser = requests.Session()
    browser.headers.update({"X-Forwarded-Proto": "https"})
    url = authorize_url(proxied_server, alexa_clients["HTTP_BASIC"].client_id)
    assert http_sign_in(browser, url).status_code == 302
    assert "code" in redirect_params(http_allow(browser, url))


def test_create_user_command_refuses_a_name_with_a_line_break(app):
    answer = app.test_cli_runner().invoke(args=["create-user", "--email", "cli@example.com", "--name", "Ann\nVerify here", "--password", PASSWORD])
    assert answer.exit_code != 0 and "name" in answer.output
    assert isinstance(answer.exception, SystemExit)  # a clear error, no traceback
    with app.app_context():
        assert db.session.execute(select(User)).first() is None
