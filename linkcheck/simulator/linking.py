"""Account linking as the Alexa app and the Alexa service do it.

`link_account` plays the Alexa app (authorization URL, login form, consent form, stop at
the Alexa redirect URL without fetching it) and the Alexa service (code exchange at the
access token URL); `refresh` is the service's refresh call. Both return a `TokenSet`.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import os
import secrets
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Mapping

import requests

from .errors import LinkingError, TokenEndpointError

#: Alexa redirect URLs by region (ALEXA-FACTS.md, "Authorization URI").
REDIRECT_URL_TEMPLATES: Mapping[str, str] = {
    "NA": "https://pitangui.amazon.com/api/skill/link/{vendor_id}",
    "EU": "https://layla.amazon.com/api/skill/link/{vendor_id}",
    "FE": "https://alexa.amazon.co.jp/api/skill/link/{vendor_id}",
}
#: Client authentication schemes (accountLinking.json `accessTokenScheme`).
HTTP_BASIC = "HTTP_BASIC"
REQUEST_BODY_CREDENTIALS = "REQUEST_BODY_CREDENTIALS"
#: Grant types (accountLinking.json `type`).
AUTH_CODE = "AUTH_CODE"
IMPLICIT = "IMPLICIT"
#: Login form field names and consent decision (CONTRACT.md).
EMAIL_FIELD = "email"
PASSWORD_FIELD = "password"
DECISION_FIELD = "decision"
DECISION_ALLOW = "allow"
#: Fallback lifetime when the token response has no expires_in (accountLinking.json).
DEFAULT_TOKEN_EXPIRATION = 3600
#: HTML elements without an end tag (HTML Living Standard, "void elements").
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: Class words that mark inline error messages on login pages.
ERROR_CLASS_WORDS = ("error", "alert", "invalid", "flash")
#: How many pages the Alexa app follows before giving up (guards redirect loops).
MAX_STEPS = 12


@dataclasses.dataclass(frozen=True)
class LinkingConfig:
    """What Alexa knows about a skill's account linking."""

    authorization_url: str
    token_url: str
    client_id: str
    client_secret: str | None
    vendor_id: str
    scheme: str = HTTP_BASIC
    scopes: tuple[str, ...] = ()
    grant_type: str = AUTH_CODE
    region: str = "NA"
    default_expiration: int = DEFAULT_TOKEN_EXPIRATION
    timeout: float = 10.0

    @property
    def redirect_uri(self) -> str:
        """The Alexa redirect URL for this vendor and region."""
        return REDIRECT_URL_TEMPLATES[self.region].format(vendor_id=self.vendor_id)

    @classmethod
    def from_account_linking_file(
        cls,
        path: Path,
        *,
        vendor_id: str,
        client_secret: str | None = None,
        authorization_url: str | None = None,
        token_url: str | None = None,
        region: str = "NA",
    ) -> "LinkingConfig":
        """Read skill-package/accountLinking.json; URLs may be overridden (local servers)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            request = data.get("accountLinkingRequest", data)
            return cls(
                authorization_url=authorization_url or request["authorizationUrl"],
                token_url=token_url or request.get("accessTokenUrl", ""),
                client_id=request["clientId"],
                client_secret=client_secret,
                vendor_id=vendor_id,
                scheme=request.get("accessTokenScheme", HTTP_BASIC),
                scopes=tuple(request.get("scopes", [])),
                grant_type=request.get("type", AUTH_CODE),
                region=region,
                default_expiration=int(request.get("defaultTokenExpirationInSeconds", DEFAULT_TOKEN_EXPIRATION)),
            )
        except (OSError, ValueError, KeyError, AttributeError) as error:
            raise LinkingError(f"cannot read account linking config from {path}: {error!r}") from error


@dataclasses.dataclass(frozen=True)
class TokenSet:
    """Tokens as the Alexa service stores them after a token call."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    refresh_token: str | None = None
    scope: str | None = None

    def __repr__(self) -> str:  # never print secrets
        return f"TokenSet(token_type={self.token_type!r}, expires_in={self.expires_in!r}, refresh_token={'yes' if self.refresh_token else 'no'})"


# -- the Alexa service: token calls ---------------------------------------------------------
def _token_call(config: LinkingConfig, form: dict[str, str], http: requests.Session | None) -> TokenSet:
    headers = {"Accept": "application/json"}
    if config.scheme == HTTP_BASIC:
        # RFC 6749 section 2.3.1: form-urlencode id and secret before base64.
        pair = f"{urllib.parse.quote(config.client_id, safe='')}:{urllib.parse.quote(config.client_secret or '', safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    elif config.scheme == REQUEST_BODY_CREDENTIALS:
        form = {**form, "client_id": config.client_id, "client_secret": config.client_secret or ""}
    else:
        raise LinkingError(f"unknown accessTokenScheme {config.scheme!r}")
    http = http or requests.Session()
    try:
        response = http.post(config.token_url, data=form, headers=headers, timeout=config.timeout, allow_redirects=False)
    except requests.RequestException as error:
        raise LinkingError(f"token URL {config.token_url} unreachable: {error.__class__.__name__}") from error
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        if isinstance(body, dict) and "error" in body:
            raise TokenEndpointError(str(body["error"]), str(body.get("error_description", "")), response.status_code)
        raise TokenEndpointError("invalid_response", f"not a JSON token response (content type {response.headers.get('Content-Type')})", response.status_code)
    expires = body.get("expires_in")
    try:
        expires_in = int(expires) if expires is not None else None
    except (TypeError, ValueError) as error:
        raise TokenEndpointError("invalid_response", f"expires_in {expires!r} is not an integer", response.status_code) from error
    return TokenSet(
        access_token=str(body["access_token"]),
        token_type=str(body.get("token_type", "Bearer")),
        expires_in=expires_in,
        refresh_token=body.get("refresh_token"),
        scope=body.get("scope"),
    )


def exchange_code(config: LinkingConfig, code: str, http: requests.Session | None = None) -> TokenSet:
    """The Alexa service's authorization-code exchange."""
    return _token_call(config, {"grant_type": "authorization_code", "code": code, "redirect_uri": config.redirect_uri}, http)


def refresh(config: LinkingConfig, refresh_token: str, http: requests.Session | None = None) -> TokenSet:
    """The Alexa service's refresh call; keeps the old refresh token when none is returned."""
    tokens = _token_call(config, {"grant_type": "refresh_token", "refresh_token": refresh_token}, http)
    if tokens.refresh_token is None:
        tokens = dataclasses.replace(tokens, refresh_token=refresh_token)
    return tokens


# -- the Alexa app: authorization URL, login and consent pages -----------------------------
@dataclasses.dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    input_names: set[str] = dataclasses.field(default_factory=set)
    submits: list[tuple[str, str]] = dataclasses.field(default_factory=list)


class _FormParser(HTMLParser):
    """Collects forms, their inputs and submit buttons, and inline error texts."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.errors: list[str] = []
        self._in_error = 0
        self._error_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(_Form(a.get("action", ""), a.get("method", "get").lower()))
        elif self.forms and tag in ("input", "button", "select", "textarea"):
            form = self.forms[-1]
            name = a.get("name")
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            if not name:
                pass
            elif kind == "submit":
                form.submits.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
                form.input_names.add(name)
            else:
                form.fields[name] = a.get("value", "")
                form.input_names.add(name)
        if tag in VOID_ELEMENTS:
            return
        classes = (a.get("class", "") + " " + a.get("role", "")).lower()
        if self._in_error or any(word in classes for word in ERROR_CLASS_WORDS):
            self._in_error += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_error and tag not in VOID_ELEMENTS:
            self._in_error -= 1
            if not self._in_error and self._error_text:
                self.errors.append(" ".join(" ".join(self._error_text).split()))
                self._error_text = []

    def handle_data(self, data: str) -> None:
        if self._in_error and data.strip():
            self._error_text.append(data.strip())


def _parse(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    return parser


def authorization_request_url(config: LinkingConfig, state: str) -> str:
    """The authorization URL with exactly the query parameters Alexa sends."""
    params = {
        "client_id": config.client_id,
        "response_type": "token" if config.grant_type == IMPLICIT else "code",
        "scope": " ".join(config.scopes),
        "state": state,
        "redirect_uri": config.redirect_uri,
    }
    separator = "&" if urllib.parse.urlsplit(config.authorization_url).query else "?"
    return config.authorization_url + separator + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def link_account(
    config: LinkingConfig, username: str, password: str, *, http: requests.Session | None = None,
    locale: str = "en-US",
) -> TokenSet:
    """Run the whole linking flow for one user and return the tokens Alexa would store.

    The pages are requested with `Accept-Language: <locale>`, as the Alexa app sends it.
    """
    http = http or requests.Session()
    http.headers["Accept-Language"] = locale
    state = secrets.token_urlsafe(24)
    url = authorization_request_url(config, state)
    method, data = "get", None
    logged_in = consented = False
    for _ in range(MAX_STEPS):
        try:
            if method == "post":
                response = http.post(url, data=data, allow_redirects=False, timeout=config.timeout)
            else:
                response = http.get(url, params=data, allow_redirects=False, timeout=config.timeout)
        except requests.RequestException as error:
            raise LinkingError(f"authorization server unreachable at {_safe(url)}: {error.__class__.__name__}") from error
        if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
            location = urllib.parse.urljoin(response.url, response.headers.get("Location", ""))
            if location.split("?")[0].split("#")[0] == config.redirect_uri:
                return _finish(config, location, state, http)
            url, method, data = location, "get", None
            continue
        if response.status_code >= 400 and response.status_code != 200:
            raise LinkingError(f"authorization server answered {response.status_code} at {_safe(response.url)}")
        page = _parse(response.text)
        login = next((f for f in page.forms if PASSWORD_FIELD in f.input_names), None)
        consent = next((f for f in page.forms if any(n == DECISION_FIELD for n, _ in f.submits)
                        or DECISION_FIELD in f.input_names), None)
        if login is not None:
            if logged_in:
                detail = "; ".join(page.errors) or "the login form came back"
                raise LinkingError(f"login rejected for {username}: {detail}")
            logged_in = True
            fields = {**login.fields, EMAIL_FIELD: username, PASSWORD_FIELD: password}
            url, method, data = _submit(response.url, login, fields)
        elif consent is not None:
            if consented:
                raise LinkingError("the consent form came back after allowing")
            consented = True
            fields = {**consent.fields, DECISION_FIELD: DECISION_ALLOW}
            url, method, data = _submit(response.url, consent, fields)
        else:
            detail = "; ".join(page.errors)
            raise LinkingError(
                f"no login or consent form at {_safe(response.url)} (HTTP {response.status_code})"
                + (f": {detail}" if detail else "")
            )
    raise LinkingError(f"no redirect to {config.redirect_uri} after {MAX_STEPS} pages")


def _submit(page_url: str, form: _Form, fields: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    return urllib.parse.urljoin(page_url, form.action or page_url), form.method, fields


def _safe(url: str) -> str:
    """A URL without its query (which may carry codes or tokens) for messages."""
    return url.split("?")[0].split("#")[0]


def _finish(config: LinkingConfig, location: str, state: str, http: requests.Session) -> TokenSet:
    parts = urllib.parse.urlsplit(location)
    query = dict(urllib.parse.parse_qsl(parts.fragment if config.grant_type == IMPLICIT else parts.query))
    if "error" in query:
        raise LinkingError(f"authorization server redirected with error {query['error']}: {query.get('error_description', '')}")
    if query.get("state") != state:
        raise LinkingError("state in the redirect does not match the state Alexa sent")
    if config.grant_type == IMPLICIT:
        if "access_token" not in query:
            raise LinkingError("implicit grant redirect lacks access_token in the fragment")
        expires = query.get("expires_in")
        return TokenSet(query["access_token"], query.get("token_type", "Bearer"), int(expires) if expires else None)
    if "code" not in query:
        raise LinkingError("redirect to the Alexa redirect URL lacks code")
    return exchange_code(config, query["code"], http)


def revoke(config: LinkingConfig, revocation_url: str, token: str, token_type_hint: str = "refresh_token",
           http: requests.Session | None = None) -> None:
    """RFC 7009 token revocation with the client's credentials (what a user's "remove access" does)."""
    headers = {"Accept": "application/json"}
    form = {"token": token, "token_type_hint": token_type_hint}
    if config.scheme == HTTP_BASIC:
        pair = f"{urllib.parse.quote(config.client_id, safe='')}:{urllib.parse.quote(config.client_secret or '', safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form.update(client_id=config.client_id, client_secret=config.client_secret or "")
    try:
        response = (http or requests.Session()).post(revocation_url, data=form, headers=headers,
                                                     timeout=config.timeout, allow_redirects=False)
    except requests.RequestException as error:
        raise LinkingError(f"revocation URL {_safe(revocation_url)} unreachable: {error.__class__.__name__}") from error
    if response.status_code != 200:
        raise LinkingError(f"revocation URL answered HTTP {response.status_code}")


def client_secret_from_env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The client secret from an environment variable (never from a file in skill-package/)."""
    return (environ if environ is not None else os.environ).get(name) or None
