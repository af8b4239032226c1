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

from alexa_linkcheck import constants as C
from alexa_linkcheck.forms import ALLOW_WORDS, Field, Form, Page, parse_page
from alexa_linkcheck.trace import Trace

#: Hosts of the Alexa redirect URLs (ALEXA-FACTS: Authorization URI); never fetched.
ALEXA_REDIRECT_HOSTS = C.ALEXA_REDIRECT_HOSTS
#: Redirect statuses a browser follows.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: How many pages and redirects one sign-in may take before giving up.
MAX_STEPS = 15
#: accountLinking.json accessTokenScheme values (ASK SMAPI AccessTokenSchemeType).
HTTP_BASIC = "HTTP_BASIC"
REQUEST_BODY_CREDENTIALS = "REQUEST_BODY_CREDENTIALS"

#: Input types a person types into (a form with one is not a consent form).
TEXT_TYPES = frozenset({"text", "email", "search", "tel", "number", "url", ""})
#: Why a walk ended without reaching the redirect URL.
HTTP_STATUS = "http-status"          # a page answered neither 200 nor a redirect with Location
LOGIN_AGAIN = "login-again"          # the login form came back after signing in
CONSENT_AGAIN = "consent-again"      # the consent form came back after allowing
NO_FORM = "no-form"                  # a page with neither a login nor a consent form
TOO_MANY_STEPS = "too-many-steps"    # MAX_STEPS pages and redirects without the redirect URL
UNREACHABLE = "unreachable"          # a connection error or timeout (`exception` is set)
BAD_LOCATION = "bad-location"        # a redirect to a URL that cannot be parsed


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
    #: captions of the buttons of a page the walk could not use (for --consent-button)
    buttons: list[str] = field(default_factory=list)


def fill_login(form: Form, username: str, password: str) -> dict[str, str]:
    """The login form's data: hidden inputs (CSRF tokens) kept, user name and password filled."""
    data = form.base_data()
    user = form.username_field()
    if user is not None and user.type != "hidden":
        data[user.name] = username
    secret_field = form.password_field
    if secret_field is not None:
        data[secret_field.name] = password
    buttons = [b for b in form.submit_buttons if b.name and not b.is_refusal]
    if buttons:
        data.setdefault(buttons[0].name, buttons[0].value)
    return data


def fill_consent(form: Form, button: Field | None = None) -> dict[str, str]:
    """The consent form's data: consent checkboxes ticked, its allow button pressed."""
    data = form.base_data()
    form.fill_checkboxes(data)
    button = button or form.allow_button()
    if button is not None and button.name:
        data[button.name] = button.value
    return data


def choose_consent(page: Page, consent_button: str | None) -> tuple[Form, Field | None] | None:
    """The form and button a person grants consent with, or None when it cannot be told.

    ``consent_button`` (``--consent-button``) picks the button whose caption contains it.
    Otherwise: the one button that is not a refusal ("Submit" under a consent checkbox,
    "Link account", "Autoriser"), or among several the one whose caption says allow in any
    of Alexa's languages. Forms that ask for text (a search box) are never taken for consent.
    """
    candidates = [(f, b) for f in page.forms if f.password_field is None
                  for b in f.submit_buttons]
    if consent_button:
        return next(((f, b) for f, b in candidates if consent_button.casefold() in
                     b.caption.casefold() or consent_button.casefold() == b.value.casefold()),
                    None)
    # A form that asks for text (a search box, a "forgot password" e-mail field) is no consent.
    candidates = [(f, b) for f, b in candidates if not any(
        x.tag == "textarea" or (x.tag == "input" and x.type in TEXT_TYPES) for x in f.fields)]
    yes = [(f, b) for f, b in candidates if not b.is_refusal]
    if len(yes) == 1:
        return yes[0]
    allow = [(f, b) for f, b in yes if ALLOW_WORDS.search(b.label_and_name)]
    if len(allow) == 1 or (allow and all(a[1].caption == allow[0][1].caption for a in allow)):
        return allow[0]
    return None


def submit(session: requests.Session, page_url: str, form: Form, data: dict[str, str],
           timeout: float) -> requests.Response:
    """Send a form the way a browser does (relative action, Referer on POST)."""
    target = urljoin(page_url, form.action or page_url)
    if form.method == "post":
        return session.post(target, data=data, allow_redirects=False, timeout=timeout, headers={"Referer": page_url})
    return session.get(target, params=data, allow_redirects=False, timeout=timeout)


def _note(trace: Trace | None, text: str) -> None:
    if trace is not None:
        trace.note(text)


def walk_authorization(session: requests.Session, url: str, *, redirect_uri: str, username: str,
                       password: str, timeout: float,
                       stop_hosts: Iterable[str] = ALEXA_REDIRECT_HOSTS,
                       consent_button: str | None = None, trace: Trace | None = None) -> Walk:
    """GET the authorization URL and sign in, following redirects by hand, until the redirect URL.

    Pages it can use: a login form (user name and password); the first step of a two-step
    login (user name only, the password on the next page); a consent form (checkboxes ticked,
    the allow button pressed, see `choose_consent`). Checkboxes that do not say no are ticked
    on every form it submits (consent boxes sit on login forms too, as in Authlib's example).
    """
    walk = Walk()
    stop = frozenset(stop_hosts) | {urlsplit(redirect_uri).hostname or ""}
    logged_in = identified = consented = False
    try:
        resp = session.get(url, allow_redirects=False, timeout=timeout)
        for _ in range(MAX_STEPS):
            walk.response, walk.page = resp, None
            walk.steps.append(f"{resp.request.method} {resp.status_code}")
            if resp.status_code in REDIRECT_STATUSES and "Location" in resp.headers:
                try:
                    location = urljoin(resp.url, resp.headers["Location"])
                    host = urlsplit(location).hostname
                except ValueError:
                    walk.failure = BAD_LOCATION
                    _note(trace, "a redirect to a malformed URL")
                    return walk
                if location.startswith(redirect_uri) or host in stop:
                    walk.location = location
                    _note(trace, "redirect to the redirect URL (not fetched)")
                    return walk
                resp = session.get(location, allow_redirects=False, timeout=timeout)
                continue
            if resp.status_code != 200:
                walk.failure = HTTP_STATUS
                _note(trace, f"HTTP {resp.status_code}")
                return walk
            page = walk.page = parse_page(resp.text)
            login = next((f for f in page.forms if f.password_field), None)
            if login is not None:
                if logged_in:
                    walk.failure = LOGIN_AGAIN
                    _note(trace, "the login form again" + (
                        f", saying: {'; '.join(page.errors)}" if page.errors else ""))
                    return walk
                walk.login_page = walk.login_page or resp
                logged_in = True
                data = fill_login(login, username, password)
                ticked = login.fill_checkboxes(data)
                _note(trace, "login form: filled user name and password"
                      + (f", ticked {', '.join(ticked)}" if ticked else ""))
                resp = submit(session, resp.url, login, data, timeout)
                continue
            ident = next((f for f in page.forms if f.identifier_field()), None)
            if ident is not None:
                if identified:
                    walk.failure = LOGIN_AGAIN
                    _note(trace, "the user-name step again" + (
                        f", saying: {'; '.join(page.errors)}" if page.errors else ""))
                    return walk
                walk.login_page = walk.login_page or resp
                identified = True
                data = fill_login(ident, username, password)
                ticked = ident.fill_checkboxes(data)  # e.g. Authlib's example: user name + "Consent?"
                _note(trace, "a form asking for the user name only (first step of a two-step "
                      "login): filled it" + (f", ticked {', '.join(ticked)}" if ticked else ""))
                resp = submit(session, resp.url, ident, data, timeout)
                continue
            choice = choose_consent(page, consent_button)
            if choice is not None:
                if consented:
                    walk.failure = CONSENT_AGAIN
                    _note(trace, "the consent form again")
                    return walk
                consented = True
                form, button = choice
                data = fill_consent(form, button)
                ticked = [n for n in data if n not in form.base_data()
                          and (button is None or n != button.name)]
                _note(trace, f"consent form: pressed {button.caption if button else 'submit'!r}"
                      + (f", ticked {', '.join(ticked)}" if ticked else ""))
                resp = submit(session, resp.url, form, data, timeout)
                continue
            walk.failure = NO_FORM
            buttons = [b.caption for f in page.forms for b in f.submit_buttons]
            walk.buttons = buttons
            _note(trace, "no login form, consent form or redirect"
                  + (f" (buttons: {', '.join(repr(b) for b in buttons)})" if buttons else ""))
            return walk
        walk.failure = TOO_MANY_STEPS
    except requests.RequestException as exc:
        walk.failure, walk.exception = UNREACHABLE, exc
        _note(trace, f"no answer: {type(exc).__name__}")
    except ValueError:  # requests parses Location even when it does not follow it
        walk.failure = BAD_LOCATION
        _note(trace, "a redirect to a malformed URL")
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
