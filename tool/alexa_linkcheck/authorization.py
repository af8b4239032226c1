"""Playing the Alexa app on authorization pages and the Alexa service's client authentication.

Shared by `alexa-linkcheck server` (which judges what it sees) and `alexa-linkcheck simulate` (which
links an account): `walk_authorization` follows the authorization pages by hand, fills the
login form, allows on the consent form and stops at the redirect URL without fetching it;
`client_authentication` applies `HTTP_BASIC` or `REQUEST_BODY_CREDENTIALS` to a token or
revocation request.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import quote, urljoin, urlsplit

import requests

from alexa_linkcheck.forms import Form, Page, parse_page

#: Hosts of the Alexa redirect URLs (ALEXA-FACTS: Authorization URI); never fetched.
ALEXA_REDIRECT_HOSTS = frozenset({"pitangui.amazon.com", "layla.amazon.com", "alexa.amazon.co.jp"})
#: Redirect statuses a browser follows.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: How many pages and redirects one sign-in may take before giving up.
MAX_STEPS = 15
#: accountLinking.json accessTokenScheme values (ASK SMAPI AccessTokenSchemeType).
HTTP_BASIC = "HTTP_BASIC"
REQUEST_BODY_CREDENTIALS = "REQUEST_BODY_CREDENTIALS"

#: Why a walk ended without reaching the redirect URL.
HTTP_STATUS = "http-status"          # a page answered neither 200 nor a redirect with Location
LOGIN_AGAIN = "login-again"          # the login form came back after signing in
CONSENT_AGAIN = "consent-again"      # the consent form came back after allowing
NO_FORM = "no-form"                  # a page with neither a login nor a consent form
TOO_MANY_STEPS = "too-many-steps"    # MAX_STEPS pages and redirects without the redirect URL
UNREACHABLE = "unreachable"          # a connection error or timeout (`exception` is set)


@dataclass
class Walk:
    """Where one walk through the authorization pages ended."""

    #: the redirect to the redirect URL (or an Alexa host), not fetched
    location: str | None = None
    #: one of the reasons above when `location` is None
    failure: str | None = None
    #: the last response and its parsed page (for messages: status, URL, text, inline errors)
    response: requests.Response | None = None
    page: Page | None = None
    #: the first login page seen (for checks of the page itself)
    login_page: requests.Response | None = None
    steps: list[str] = field(default_factory=list)
    exception: requests.RequestException | None = None


def fill_login(form: Form, username: str, password: str) -> dict[str, str]:
    """The login form's data: hidden inputs (CSRF tokens) kept, user name and password filled."""
    data = form.base_data()
    user = form.username_field()
    if user is not None:
        data[user.name] = username
    secret_field = form.password_field
    if secret_field is not None:
        data[secret_field.name] = password
    buttons = [b for b in form.submit_buttons if b.name]
    if buttons:
        data.setdefault(buttons[0].name, buttons[0].value)
    return data


def fill_consent(form: Form) -> dict[str, str]:
    """The consent form's data with its allow button pressed."""
    data = form.base_data()
    button = form.allow_button()
    if button is not None and button.name:
        data[button.name] = button.value
    return data


def submit(session: requests.Session, page_url: str, form: Form, data: dict[str, str],
           timeout: float) -> requests.Response:
    """Send a form the way a browser does (relative action, Referer on POST)."""
    target = urljoin(page_url, form.action or page_url)
    if form.method == "post":
        return session.post(target, data=data, allow_redirects=False, timeout=timeout, headers={"Referer": page_url})
    return session.get(target, params=data, allow_redirects=False, timeout=timeout)


def walk_authorization(session: requests.Session, url: str, *, redirect_uri: str, username: str,
                       password: str, timeout: float,
                       stop_hosts: Iterable[str] = ALEXA_REDIRECT_HOSTS) -> Walk:
    """GET the authorization URL and sign in, following redirects by hand, until the redirect URL."""
    walk = Walk()
    stop = frozenset(stop_hosts) | {urlsplit(redirect_uri).hostname or ""}
    logged_in = consented = False
    try:
        resp = session.get(url, allow_redirects=False, timeout=timeout)
        for _ in range(MAX_STEPS):
            walk.response, walk.page = resp, None
            walk.steps.append(f"{resp.request.method} {resp.status_code}")
            if resp.status_code in REDIRECT_STATUSES and "Location" in resp.headers:
                location = urljoin(resp.url, resp.headers["Location"])
                if location.startswith(redirect_uri) or urlsplit(location).hostname in stop:
                    walk.location = location
                    return walk
                resp = session.get(location, allow_redirects=False, timeout=timeout)
                continue
            if resp.status_code != 200:
                walk.failure = HTTP_STATUS
                return walk
            page = walk.page = parse_page(resp.text)
            login = next((f for f in page.forms if f.password_field), None)
            if login is not None:
                if logged_in:
                    walk.failure = LOGIN_AGAIN
                    return walk
                walk.login_page = walk.login_page or resp
                logged_in = True
                resp = submit(session, resp.url, login, fill_login(login, username, password), timeout)
                continue
            consent = next((f for f in page.forms if f.allow_button()), None)
            if consent is not None:
                if consented:
                    walk.failure = CONSENT_AGAIN
                    return walk
                consented = True
                resp = submit(session, resp.url, consent, fill_consent(consent), timeout)
                continue
            walk.failure = NO_FORM
            return walk
        walk.failure = TOO_MANY_STEPS
    except requests.RequestException as exc:
        walk.failure, walk.exception = UNREACHABLE, exc
    return walk


def client_authentication(scheme: str, client_id: str, client_secret: str | None,
                          form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form of a token or revocation request authenticated with ``scheme``.

    HTTP_BASIC form-urlencodes id and secret before base64 (RFC 6749 section 2.3.1), as
    authorization servers (Authlib among them) decode it.
    """
    secret = client_secret or ""
    if scheme == HTTP_BASIC:
        pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}, dict(form)
    if scheme == REQUEST_BODY_CREDENTIALS:
        return {}, {**form, "client_id": client_id, "client_secret": secret}
    raise ValueError(f"unknown accessTokenScheme {scheme!r}")
