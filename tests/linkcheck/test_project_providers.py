"""Provider pitfalls in accountLinking.json: each found when present, none on a correct config.

Every finding cites the provider's own documentation page (providers.py).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from alexa_linkcheck import providers
from alexa_linkcheck.__main__ import main

if TYPE_CHECKING:
    from conftest import ProjectCopy

AL = "skill-package/accountLinking.json"


def linking(authorization_url: str, token_url: str, scopes: list[str],
            scheme: str = "HTTP_BASIC") -> dict[str, Any]:
    return {"type": "AUTH_CODE", "authorizationUrl": authorization_url,
            "accessTokenUrl": token_url, "clientId": "alexa-skill",
            "accessTokenScheme": scheme, "scopes": scopes, "domains": [],
            "defaultTokenExpirationInSeconds": 3600, "skipOnEnablement": True}


LWA = ("https://www.amazon.com/ap/oa", "https://api.amazon.com/auth/o2/token")
AUTH0 = ("https://ride.us.auth0.com/authorize?audience=https%3A%2F%2Fapi.ride.io",
         "https://ride.us.auth0.com/oauth/token")
COGNITO = ("https://ride.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
           "https://ride.auth.eu-west-1.amazoncognito.com/oauth2/token")
OKTA = ("https://ride.okta.com/oauth2/default/v1/authorize",
        "https://ride.okta.com/oauth2/default/v1/token")
ENTRA = ("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
         "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
GOOGLE = ("https://accounts.google.com/o/oauth2/v2/auth?access_type=offline&prompt=consent",
          "https://oauth2.googleapis.com/token")
KEYCLOAK = ("https://sso.ride.io/realms/ride/protocol/openid-connect/auth",
            "https://sso.ride.io/realms/ride/protocol/openid-connect/token")
GITHUB = ("https://github.com/login/oauth/authorize",
          "https://github.com/login/oauth/access_token")

def implicit(authorization_url: str, scopes: list[str]) -> dict[str, Any]:
    return {"type": "IMPLICIT", "authorizationUrl": authorization_url,
            "clientId": "alexa-skill", "scopes": scopes, "domains": [],
            "skipOnEnablement": True}


# id, a correct configuration, the warnings it still gets (documented, not configurable here)
CORRECT = [
    ("lwa", linking(*LWA, ["profile", "postal_code"]), []),
    ("auth0", linking(*AUTH0, ["openid", "rides:read", "offline_access"]), []),
    ("cognito", linking(*COGNITO, ["openid", "profile"]),
     ["provider.cognito.refresh-lifetime"]),
    ("okta", linking(*OKTA, ["openid", "rides", "offline_access"]), []),
    ("entra", linking(*ENTRA, ["api://ride/rides.read", "offline_access"]), []),
    ("entra-v1", linking(
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize",
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token",
        ["rides.read"]), []),
    ("google", linking(*GOOGLE, ["https://www.googleapis.com/auth/calendar.readonly"]), []),
    ("keycloak", linking(*KEYCLOAK, ["openid", "offline_access"]), []),
    ("github", linking(*GITHUB, ["read:user"], "REQUEST_BODY_CREDENTIALS"),
     ["provider.github.token-format"]),
    # Implicit grants have no refresh token: the refresh pitfalls do not apply.
    ("google-implicit", implicit("https://accounts.google.com/o/oauth2/v2/auth", ["openid"]),
     []),
    ("cognito-implicit", implicit(COGNITO[0], ["openid"]), []),
    ("okta-implicit", implicit(OKTA[0], ["openid"]), []),
]

# id, a configuration with one pitfall, (level, code, field)
BROKEN = [
    ("lwa-unknown-scope", linking(*LWA, ["profile", "email"]),
     ("error", "provider.lwa.scope", "scopes")),
    ("lwa-no-scope", linking(*LWA, []), ("error", "provider.lwa.scope", "scopes")),
    ("auth0-no-offline-access", linking(*AUTH0, ["openid", "rides:read"]),
     ("error", "provider.auth0.offline-access", "scopes")),
    ("auth0-no-audience", linking("https://ride.us.auth0.com/authorize", AUTH0[1],
                                  ["openid", "offline_access"]),
     ("warning", "provider.auth0.audience", "authorizationUrl")),
    ("okta-no-offline-access", linking(*OKTA, ["openid", "rides"]),
     ("error", "provider.okta.offline-access", "scopes")),
    ("entra-no-offline-access", linking(*ENTRA, ["api://ride/rides.read"]),
     ("error", "provider.entra.offline-access", "scopes")),
    ("google-no-access-type", linking("https://accounts.google.com/o/oauth2/v2/auth"
                                      "?prompt=consent", GOOGLE[1], ["openid"]),
     ("error", "provider.google.access-type", "authorizationUrl")),
    ("google-no-prompt-consent", linking("https://accounts.google.com/o/oauth2/v2/auth"
                                         "?access_type=offline", GOOGLE[1], ["openid"]),
     ("warning", "provider.google.prompt-consent", "authorizationUrl")),
    ("keycloak-no-offline-access", linking(*KEYCLOAK, ["openid"]),
     ("error", "provider.keycloak.offline-access", "scopes")),
]


def run(project: ProjectCopy, capsys: pytest.CaptureFixture[str],
        payload: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    project.write(AL, {"accountLinkingRequest": payload})
    status = main(["project", str(project.root), "--json"])
    return status, json.loads(capsys.readouterr().out)["findings"]


@pytest.mark.parametrize("payload,warnings", [pytest.param(c[1], c[2], id=c[0])
                                              for c in CORRECT])
def test_correct_provider_configuration_gets_no_error(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str], payload: dict[str, Any],
        warnings: list[str]) -> None:
    status, found = run(project, capsys, payload)
    assert status == 0
    assert [(f["level"], f["code"]) for f in found] == [("warning", w) for w in warnings]


@pytest.mark.parametrize("payload,expected", [pytest.param(c[1], c[2], id=c[0])
                                              for c in BROKEN])
def test_provider_pitfall_is_reported_once_citing_the_provider_documentation(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str], payload: dict[str, Any],
        expected: tuple[str, str, str]) -> None:
    status, found = run(project, capsys, payload)
    level, code, field = expected
    assert [(f["level"], f["code"], f["path"]) for f in found] == [
        (level, code, f"$.accountLinkingRequest.{field}")]
    assert status == (1 if level == "error" else 0)
    assert found[0]["source"].startswith("https://")
    provider = providers.identify(payload["authorizationUrl"])
    assert provider is not None and found[0]["source"] in provider.docs.values()
    assert provider.name in found[0]["message"]


@pytest.mark.parametrize("url,key", [
    (LWA[0], "lwa"), (LWA[1], "lwa"), (AUTH0[1], "auth0"), (COGNITO[0], "cognito"),
    (OKTA[1], "okta"), (ENTRA[0], "entra"), (GOOGLE[0], "google"),
    ("https://www.googleapis.com/oauth2/v4/token", "google"), (KEYCLOAK[1], "keycloak"),
    ("https://id.ride.io/auth/realms/ride/protocol/openid-connect/auth", "keycloak"),
    (GITHUB[1], "github")])
def test_provider_is_recognised_from_its_authorization_or_token_url(url: str, key: str) -> None:
    provider = providers.identify(url)
    assert provider is not None and provider.key == key


@pytest.mark.parametrize("url", [
    "https://auth.ride-hailer.io/oauth/authorize", "https://github.com/ride/oauth",
    "https://evil-auth0.com.attacker.io/authorize", "https://www.amazon.com/gp/help",
    "not a url", "https://[::1/x"])
def test_unknown_or_lookalike_urls_are_no_provider(url: str) -> None:
    assert providers.identify(url) is None


def test_every_provider_documents_its_pages_as_https_urls() -> None:
    assert {p.key for p in providers.PROVIDERS} == {
        "lwa", "auth0", "cognito", "okta", "entra", "google", "keycloak", "github"}
    for provider in providers.PROVIDERS:
        assert provider.docs and all(u.startswith("https://") for u in provider.docs.values())
