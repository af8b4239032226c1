"""Well-known authorization servers: how to recognise them and their documented pitfalls.

One module for ``project`` (accountLinking.json) and, later, ``server`` runs. Each pitfall
names the provider's own documentation page it rests on (URLs as found 2026-12); nothing
here is a guess about a provider's behaviour.

Recognition uses the authorization and access token URLs only (custom domains in front of
a provider cannot be recognised and get no provider checks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal
from urllib.parse import parse_qs, urlsplit

Level = Literal["error", "warning"]

OFFLINE_ACCESS = "offline_access"


@dataclass(frozen=True)
class Pitfall:
    """One documented way a provider's configuration breaks (or weakens) Alexa linking."""

    level: Level
    code: str
    #: The accountLinking.json field the pitfall is about (scopes, authorizationUrl, ...).
    field: str
    message: str
    fix: str
    #: The provider's documentation page the pitfall rests on.
    source: str


@dataclass(frozen=True)
class LinkingSettings:
    """The parts of an account linking configuration the provider checks read."""

    authorization_url: str = ""
    access_token_url: str = ""
    scopes: tuple[str, ...] = ()
    grant: str = "AUTH_CODE"
    scheme: str | None = None


@dataclass(frozen=True)
class Provider:
    """One authorization server product and where its documentation is."""

    key: str
    name: str
    #: True when ``host`` and ``path`` of a URL belong to this provider.
    matches: Callable[[str, str], bool]
    docs: dict[str, str] = field(default_factory=dict)
    #: Refresh tokens are rotated (a used refresh token stops working, at once or after a
    #: grace period) always or when the operator switches it on; see docs["rotation"].
    rotation: str = ""


def _host_in(host: str, *suffixes: str) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


LOGIN_WITH_AMAZON = Provider(
    "lwa", "Login with Amazon",
    lambda host, path: (
        (_host_in(host, "amazon.com", "amazon.co.uk", "amazon.co.jp", "amazon.de")
         and (path.startswith("/ap/oa") or path.startswith("/auth/o2/token")))),
    docs={"scopes": "https://developer.amazon.com/docs/login-with-amazon/customer-profile.html"},
)
#: The scopes Login with Amazon's customer profile defines (docs["scopes"]).
LWA_SCOPES = frozenset({"profile", "profile:user_id", "postal_code"})

AUTH0 = Provider(
    "auth0", "Auth0",
    lambda host, path: _host_in(host, "auth0.com") and (
        path.startswith("/authorize") or path.startswith("/oauth/token")),
    docs={"refresh": "https://auth0.com/docs/secure/tokens/refresh-tokens/get-refresh-tokens",
          "rotation": "https://auth0.com/docs/secure/tokens/refresh-tokens/"
                      "refresh-token-rotation"},
    rotation="optional; reuse of a rotated refresh token outside the reuse interval revokes "
             "the whole token family",
)

COGNITO = Provider(
    "cognito", "Amazon Cognito",
    lambda host, path: _host_in(host, "amazoncognito.com") and path.startswith("/oauth2/"),
    docs={"refresh": "https://docs.aws.amazon.com/cognito/latest/developerguide/"
                     "amazon-cognito-user-pools-using-the-refresh-token.html",
          "token": "https://docs.aws.amazon.com/cognito/latest/developerguide/"
                   "token-endpoint.html"},
    rotation="optional; the old refresh token stays valid for RetryGracePeriodSeconds (0-60)",
)
#: Cognito app clients' default refresh token lifetime (docs["refresh"]).
COGNITO_DEFAULT_REFRESH_DAYS = 30

OKTA = Provider(
    "okta", "Okta",
    lambda host, path: _host_in(host, "okta.com", "oktapreview.com", "okta-emea.com")
    and path.startswith("/oauth2/"),
    docs={"refresh": "https://developer.okta.com/docs/guides/refresh-tokens/main/"},
    rotation="optional; a rotated refresh token works for a grace period (default 30 s)",
)

ENTRA_ID = Provider(
    "entra", "Microsoft Entra ID",
    lambda host, path: _host_in(host, "login.microsoftonline.com", "login.microsoftonline.us",
                                "login.partner.microsoftonline.cn")
    and "/oauth2/" in path,
    docs={"scopes": "https://learn.microsoft.com/entra/identity-platform/scopes-oidc"},
)

GOOGLE = Provider(
    "google", "Google",
    lambda host, path: (host == "accounts.google.com" and path.startswith("/o/oauth2"))
    or host == "oauth2.googleapis.com"
    or (host == "www.googleapis.com" and path.startswith("/oauth2/")),
    docs={"offline": "https://developers.google.com/identity/protocols/oauth2/web-server"
                     "#offline"},
)

_KEYCLOAK_PATH = re.compile(r"(^|/)realms/[^/]+/protocol/openid-connect/(auth|token)")
KEYCLOAK = Provider(
    "keycloak", "Keycloak",
    lambda host, path: bool(_KEYCLOAK_PATH.search(path)),
    docs={"offline": "https://www.keycloak.org/docs/latest/server_admin/#_offline-access"},
    rotation="optional (Revoke Refresh Token): each refresh token, offline ones included, "
             "can then be used once",
)

GITHUB = Provider(
    "github", "GitHub",
    lambda host, path: host == "github.com" and path.startswith("/login/oauth/"),
    docs={"token": "https://docs.github.com/apps/oauth-apps/building-oauth-apps/"
                   "authorizing-oauth-apps",
          "refresh": "https://docs.github.com/en/apps/creating-github-apps/"
                     "authenticating-with-a-github-app/refreshing-user-access-tokens"},
    rotation="always for GitHub Apps with expiring user tokens: a used refresh token and its "
             "access token stop working at once",
)

PROVIDERS: tuple[Provider, ...] = (LOGIN_WITH_AMAZON, AUTH0, COGNITO, OKTA, ENTRA_ID, GOOGLE,
                                   KEYCLOAK, GITHUB)


def identify(url: str) -> Provider | None:
    """The provider serving ``url`` (an authorization or access token URL), if known."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    for provider in PROVIDERS:
        if provider.matches(host, parts.path or "/"):
            return provider
    return None


def _query(url: str) -> dict[str, list[str]]:
    try:
        return parse_qs(urlsplit(url).query)
    except ValueError:
        return {}


def _needs_offline_access(provider: Provider, doc: str, why: str
                          ) -> Callable[[LinkingSettings], Iterable[Pitfall]]:
    def check(s: LinkingSettings) -> Iterable[Pitfall]:
        if s.grant == "AUTH_CODE" and OFFLINE_ACCESS not in s.scopes:
            yield Pitfall(
                "error", f"provider.{provider.key}.offline-access", "scopes",
                f"{provider.name} {why} without the {OFFLINE_ACCESS} scope: Alexa cannot "
                "refresh the access token and the user is unlinked when it expires.",
                f'Add "{OFFLINE_ACCESS}" to scopes (and allow it for the client).', doc)
    return check


def _lwa(s: LinkingSettings) -> Iterable[Pitfall]:
    doc = LOGIN_WITH_AMAZON.docs["scopes"]
    unknown = sorted(set(s.scopes) - LWA_SCOPES)
    if unknown:
        yield Pitfall(
            "error", "provider.lwa.scope", "scopes",
            f"Login with Amazon defines only the scopes {sorted(LWA_SCOPES)}; it refuses "
            f"{unknown}, so the sign-in page shows an error and no user can link.",
            f"Use only {sorted(LWA_SCOPES)}.", doc)
    elif not s.scopes:
        yield Pitfall(
            "error", "provider.lwa.scope", "scopes",
            "No scopes: Login with Amazon needs at least one of "
            f"{sorted(LWA_SCOPES)} in the authorization request.",
            'Add e.g. "profile" (or "profile:user_id" when the user id is enough).', doc)


def _auth0(s: LinkingSettings) -> Iterable[Pitfall]:
    yield from _needs_offline_access(
        AUTH0, AUTH0.docs["refresh"], "issues refresh tokens only when asked")(s)
    if s.authorization_url and "audience" not in _query(s.authorization_url):
        yield Pitfall(
            "warning", "provider.auth0.audience", "authorizationUrl",
            "The Auth0 authorization URL names no audience: Auth0 then issues an access token "
            "for its own /userinfo only, which your API cannot validate as its own, and the "
            "refresh token is not bound to your API (whose \"Allow Offline Access\" setting "
            "governs refresh tokens).",
            "Append ?audience=<your API identifier> to authorizationUrl (Alexa keeps the query "
            "and adds its own parameters).", AUTH0.docs["refresh"])


def _cognito(s: LinkingSettings) -> Iterable[Pitfall]:
    if s.grant != "AUTH_CODE":
        return  # implicit grants have no refresh token to expire
    yield Pitfall(
        "warning", "provider.cognito.refresh-lifetime", "accessTokenUrl",
        f"Amazon Cognito refresh tokens expire {COGNITO_DEFAULT_REFRESH_DAYS} days after sign-in "
        "unless the app client sets a longer lifetime; when Alexa's refresh token expires the "
        "user is unlinked and must link again.",
        "Set the app client's refresh token expiration as long as your policy allows (up to "
        "10 years).", COGNITO.docs["refresh"])


def _google(s: LinkingSettings) -> Iterable[Pitfall]:
    if s.grant != "AUTH_CODE":
        return  # implicit grants get no refresh token whatever the URL says
    doc = GOOGLE.docs["offline"]
    query = _query(s.authorization_url)
    if "offline" not in query.get("access_type", []):
        yield Pitfall(
            "error", "provider.google.access-type", "authorizationUrl",
            "The Google authorization URL lacks access_type=offline: Google returns no refresh "
            "token, so the user is unlinked when the first access token expires (one hour).",
            "Append ?access_type=offline&prompt=consent to authorizationUrl.", doc)
    if "consent" not in " ".join(query.get("prompt", [])).split():
        yield Pitfall(
            "warning", "provider.google.prompt-consent", "authorizationUrl",
            "The Google authorization URL lacks prompt=consent: Google returns a refresh token "
            "only the first time a user consents, so a user who links again (after disabling "
            "the skill, or on a second device) gets none and is unlinked an hour later.",
            "Append prompt=consent to authorizationUrl.", doc)


def _entra(s: LinkingSettings) -> Iterable[Pitfall]:
    if "/v2.0/" in urlsplit(s.authorization_url).path or "/v2.0/" in urlsplit(
            s.access_token_url).path:
        yield from _needs_offline_access(
            ENTRA_ID, ENTRA_ID.docs["scopes"],
            "(v2.0 endpoints) issues refresh tokens only when asked")(s)


def _keycloak(s: LinkingSettings) -> Iterable[Pitfall]:
    if s.grant == "AUTH_CODE" and OFFLINE_ACCESS not in s.scopes:
        yield Pitfall(
            "error", "provider.keycloak.offline-access", "scopes",
            "Without the offline_access scope Keycloak issues a refresh token bound to the "
            "browser's SSO session, which ends after SSO Session Idle (30 minutes by default) "
            "or at logout: Alexa's next refresh fails and the user is unlinked.",
            'Add "offline_access" to scopes (the client needs the offline_access client scope '
            "and the user the offline_access role).", KEYCLOAK.docs["offline"])


def _github(s: LinkingSettings) -> Iterable[Pitfall]:
    # Rotation of GitHub App user tokens (GITHUB.rotation) cannot be seen in the file: it is
    # for `server` runs, which see whether a refresh returns a new refresh token.
    if s.grant != "AUTH_CODE":
        return  # implicit grants never call the token endpoint
    yield Pitfall(
        "warning", "provider.github.token-format", "accessTokenUrl",
        "GitHub's token endpoint answers application/x-www-form-urlencoded unless the request "
        "says Accept: application/json, and Alexa reads only JSON token answers.",
        "Run `alexa-linkcheck server` against it (check token-json); if the answer is form "
        "encoded, put a small token proxy in front that answers JSON.", GITHUB.docs["token"])


_CHECKS: dict[str, Callable[[LinkingSettings], Iterable[Pitfall]]] = {
    "lwa": _lwa,
    "auth0": _auth0,
    "cognito": _cognito,
    "okta": _needs_offline_access(OKTA, OKTA.docs["refresh"],
                                  "issues refresh tokens only when asked"),
    "entra": _entra,
    "google": _google,
    "keycloak": _keycloak,
    "github": _github,
}


def pitfalls(settings: LinkingSettings) -> tuple[Provider | None, list[Pitfall]]:
    """The provider behind the settings' URLs and the pitfalls its configuration falls into."""
    provider = identify(settings.authorization_url) or identify(settings.access_token_url)
    if provider is None:
        return None, []
    return provider, list(_CHECKS[provider.key](settings))
