"""Account linking as the Alexa app and the Alexa service do it.

`link_account` plays the Alexa app (authorization URL, login form, consent form, stop at
the Alexa redirect URL without fetching it) and the Alexa service (code exchange at the
access token URL); `refresh` is the service's refresh call. Both return a `TokenSet`.
All of it goes through the OAuth client ``alexa-linkcheck server`` uses
(`alexa_linkcheck.oauth_client`), and token answers are read under the same rule
(`alexa_linkcheck.token_answer`). `trace_link` streams the steps of a link (URL, status,
what was found; secrets masked) for the console's ``:link``.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets
import urllib.parse
from pathlib import Path
from typing import Callable, Iterator, Mapping

import requests

from .. import authorization
from .. import constants as C
from ..forms import parse_page
from ..oauth_client import OAuthClient
from ..token_answer import TokenAnswer, first_failure
from ..trace import Trace, TraceStep
from .errors import LinkingError, TokenEndpointError

#: Alexa redirect URLs by region (ALEXA-FACTS.md, "Authorization URI").
REDIRECT_URL_TEMPLATES: Mapping[str, str] = C.REDIRECT_URL_TEMPLATES
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


def oauth_client(config: LinkingConfig, trace: Trace | None = None) -> OAuthClient:
    """The shared OAuth client for this skill's account linking."""
    if config.scheme not in (HTTP_BASIC, REQUEST_BODY_CREDENTIALS):
        raise LinkingError(f"unknown accessTokenScheme {config.scheme!r}")
    return OAuthClient(authorization_url=config.authorization_url, token_url=config.token_url,
                       client_id=config.client_id, client_secret=config.client_secret,
                       scheme=config.scheme, scopes=config.scopes, grant=config.grant_type,
                       timeout=config.timeout, trace=trace)


def tokens_from(answer: TokenAnswer, *, need_refresh_token: bool = False) -> TokenSet:
    """The tokens Alexa stores from a token answer, or the error Alexa would see."""
    if answer.error:
        raise LinkingError(f"token URL unreachable: {answer.error.split(':')[0]}")
    if answer.status != 200 or answer.oauth_error is not None:
        if answer.oauth_error is not None:
            raise TokenEndpointError(answer.oauth_error, str(answer.fields.get("error_description", "")),
                                     answer.status or 0)
        raise TokenEndpointError("invalid_response", f"not a JSON token response (content type "
                                 f"{answer.content_type or None})", answer.status or 0)
    problem = first_failure(answer, need_refresh_token=need_refresh_token)
    if problem is not None:
        raise TokenEndpointError("invalid_response", problem, answer.status)
    scope = answer.fields.get("scope")
    return TokenSet(access_token=str(answer.access_token), token_type=str(answer.fields.get("token_type")),
                    expires_in=answer.expires_in, refresh_token=answer.refresh_token,
                    scope=scope if isinstance(scope, str) else None)


def _token_call(config: LinkingConfig, form: dict[str, str], http: requests.Session | None,
                trace: Trace | None = None) -> TokenSet:
    return tokens_from(oauth_client(config, trace).token(form))


def exchange_code(config: LinkingConfig, code: str, http: requests.Session | None = None,
                  trace: Trace | None = None) -> TokenSet:
    """The Alexa service's authorization-code exchange."""
    return _token_call(config, {"grant_type": "authorization_code", "code": code, "redirect_uri": config.redirect_uri},
                       http, trace)


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
    return oauth_client(config).authorization_request_url(config.redirect_uri, state)


def link_account(
    config: LinkingConfig, username: str, password: str, *, http: requests.Session | None = None,
    locale: str = "en-US", on_step: Callable[[TraceStep], None] | None = None,
) -> TokenSet:
    """Run the whole linking flow for one user and return the tokens Alexa would store.

    The pages are requested with `Accept-Language: <locale>`, as the Alexa app sends it.
    ``on_step`` sees each request and answer as it happens (secrets masked): `TraceStep.line()`
    prints one.
    """
    trace = Trace(on_step)
    client = oauth_client(config, trace)
    if http is not None:  # the caller's hooks see the token calls too (the Alexa service's side)
        client.token_hooks = list(http.hooks.get("response", []))
    http = http or client.session(locale, traced=False)
    http.headers["Accept-Language"] = locale
    trace.attach(http, "Alexa app")
    walk, state = client.sign_in(config.redirect_uri, username, password, session=http)
    if walk.location is not None:
        if _safe(walk.location) != config.redirect_uri:
            raise LinkingError(f"redirected to {_safe(walk.location)} instead of {config.redirect_uri}")
        return _finish(config, walk.location, state, client)
    response, page = walk.response, walk.page
    inline = "; ".join(page.errors) if page else ""
    if walk.failure == authorization.UNREACHABLE:
        where = _safe(response.url) if response is not None else _safe(config.authorization_url)
        raise LinkingError(f"authorization server unreachable at {where}: {walk.exception.__class__.__name__}")
    if walk.failure == authorization.HTTP_STATUS and response is not None:
        raise LinkingError(f"authorization server answered {response.status_code} at {_safe(response.url)}")
    if walk.failure == authorization.LOGIN_AGAIN:
        raise LinkingError(f"login rejected for {username}: {inline or 'the login form came back'}")
    if walk.failure == authorization.BAD_LOCATION:
        raise LinkingError("authorization server redirected to a malformed URL"
                           + (f" after {_safe(response.url)}" if response is not None else ""))
    if walk.failure == authorization.CONSENT_AGAIN:
        raise LinkingError("the consent form came back after allowing")
    if walk.failure == authorization.NO_FORM and response is not None:
        raise LinkingError(f"no login or consent form at {_safe(response.url)} (HTTP {response.status_code})"
                           + (f": {inline}" if inline else "")
                           + (f"; buttons: {', '.join(repr(b) for b in walk.buttons)}" if walk.buttons else ""))
    raise LinkingError(f"no redirect to {config.redirect_uri} after {authorization.MAX_STEPS} pages")


def trace_link(config: LinkingConfig, username: str, password: str, *, locale: str = "en-US",
               ) -> Iterator[TraceStep | TokenSet | LinkingError]:
    """The steps of one link as they happen, then the `TokenSet` (or the `LinkingError`).

    For the console's ``:link``: ``for item in trace_link(...)`` prints ``item.line()`` for
    each `TraceStep`; the last item is the outcome. Secrets, codes and tokens are masked.
    """
    import queue
    import threading

    items: queue.Queue[TraceStep | TokenSet | LinkingError] = queue.Queue()

    def run() -> None:
        try:
            items.put(link_account(config, username, password, locale=locale, on_step=items.put))
        except LinkingError as error:
            items.put(error)

    threading.Thread(target=run, daemon=True).start()
    while True:
        item = items.get()
        yield item
        if not isinstance(item, TraceStep):
            return


def _safe(url: str) -> str:
    """A URL without its query (which may carry codes or tokens) for messages."""
    return url.split("?")[0].split("#")[0]


def _finish(config: LinkingConfig, location: str, state: str, client: OAuthClient) -> TokenSet:
    parts = urllib.parse.urlsplit(location)
    query = dict(urllib.parse.parse_qsl(parts.fragment if config.grant_type == IMPLICIT else parts.query))
    if "error" in query:
        raise LinkingError(f"authorization server redirected with error {query['error']}: {query.get('error_description', '')}")
    if query.get("state") != state:
        raise LinkingError("state in the redirect does not match the state Alexa sent")
    if config.grant_type == IMPLICIT:
        if "access_token" not in query:
            raise LinkingError("implicit grant redirect lacks access_token in the fragment")
        fragment = TokenAnswer(200, "application/json", "", fields=dict(query), encoding="json")
        return TokenSet(query["access_token"], query.get("token_type", "Bearer"), fragment.expires_in)
    if "code" not in query:
        raise LinkingError("redirect to the Alexa redirect URL lacks code")
    return tokens_from(client.exchange_code(query["code"], config.redirect_uri))


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
