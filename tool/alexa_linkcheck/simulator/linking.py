"""Account linking as the Alexa app and the Alexa service do it.

`link_account` plays the Alexa app (authorization URL, login form, consent form, stop at
the Alexa redirect URL without fetching it) and the Alexa service (code exchange at the
access token URL); `refresh` is the service's refresh call. Both return a `TokenSet`.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets
import urllib.parse
from pathlib import Path
from typing import Any, Mapping

import requests

from .. import authorization
from ..forms import parse_page
from .errors import LinkingError, TokenEndpointError

#: Alexa redirect URLs by region (ALEXA-FACTS.md, "Authorization URI").
REDIRECT_URL_TEMPLATES: Mapping[str, str] = {
    "NA": "https://pitangui.amazon.com/api/skill/link/{vendor_id}",
    "EU": "https://layla.amazon.com/api/skill/link/{vendor_id}",
    "FE": "https://alexa.amazon.co.jp/api/skill/link/{vendor_id}",
}
#: Client authentication schemes (accountLinking.json `accessTokenScheme`).
HTTP_BASIC = authorization.HTTP_BASIC
REQUEST_BODY_CREDENTIALS = authorization.REQUEST_BODY_CREDENTIALS
#: Grant types (accountLinking.json `type`).
AUTH_CODE = "AUTH_CODE"
IMPLICIT = "IMPLICIT"
#: Fallback lifetime when the token response has no expires_in (accountLinking.json).
DEFAULT_TOKEN_EXPIRATION = 3600


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
def _authenticated(config: LinkingConfig, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form with the client's credentials (the scheme code shared with `alexa-linkcheck server`)."""
    try:
        headers, form = authorization.client_authentication(config.scheme, config.client_id, config.client_secret, form)
    except ValueError as error:
        raise LinkingError(str(error)) from None
    return {"Accept": "application/json", **headers}, form


def _token_call(config: LinkingConfig, form: dict[str, str], http: requests.Session | None) -> TokenSet:
    headers, form = _authenticated(config, form)
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
# The page walk and the form heuristics are linkcheck's (`linkcheck.authorization`,
# `linkcheck.forms`), shared with `alexa-linkcheck server`.
@dataclasses.dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _ParsedPage:
    forms: list[_Form]
    errors: list[str]


def _parse(html: str) -> _ParsedPage:
    """Forms (with the values a browser would send) and inline error texts of a page."""
    page = parse_page(html)
    return _ParsedPage([_Form(f.action, f.method, f.base_data()) for f in page.forms], page.errors)


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
    walk = authorization.walk_authorization(
        http, authorization_request_url(config, state), redirect_uri=config.redirect_uri,
        username=username, password=password, timeout=config.timeout)
    if walk.location is not None:
        if _safe(walk.location) != config.redirect_uri:
            raise LinkingError(f"redirected to {_safe(walk.location)} instead of {config.redirect_uri}")
        return _finish(config, walk.location, state, http)
    response, page = walk.response, walk.page
    inline = "; ".join(page.errors) if page else ""
    if walk.failure == authorization.UNREACHABLE:
        where = _safe(response.url) if response is not None else _safe(config.authorization_url)
        raise LinkingError(f"authorization server unreachable at {where}: {walk.exception.__class__.__name__}")
    if walk.failure == authorization.HTTP_STATUS and response is not None:
        raise LinkingError(f"authorization server answered {response.status_code} at {_safe(response.url)}")
    if walk.failure == authorization.LOGIN_AGAIN:
        raise LinkingError(f"login rejected for {username}: {inline or 'the login form came back'}")
    if walk.failure == authorization.CONSENT_AGAIN:
        raise LinkingError("the consent form came back after allowing")
    if walk.failure == authorization.NO_FORM and response is not None:
        raise LinkingError(f"no login or consent form at {_safe(response.url)} (HTTP {response.status_code})"
                           + (f": {inline}" if inline else ""))
    raise LinkingError(f"no redirect to {config.redirect_uri} after {authorization.MAX_STEPS} pages")


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
    headers, form = _authenticated(config, {"token": token, "token_type_hint": token_type_hint})
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
