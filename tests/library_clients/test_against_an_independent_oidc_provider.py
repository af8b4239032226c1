"""The OIDC userinfo client is not tuned to our server: it works with oidc-provider-mock from PyPI.

oidc-provider-mock (pinned in requirements.txt) is an OpenID Connect provider written by
others; it runs here on a werkzeug server thread on localhost. Its issuer is
``http://localhost:<port>``, it keeps users and tokens in memory, and any client id works.
"""
from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from account_linking import LinkRejected, OidcUserinfoClient, ResourceUnavailable

from .conftest import TIMEOUT

with warnings.catch_warnings():  # it imports Authlib's deprecated authlib.jose
    warnings.simplefilter("ignore")
    from oidc_provider_mock import run_server_in_thread

REDIRECT_URI = "http://127.0.0.1/callback"

#: The provider uses Authlib APIs that Authlib deprecates; that is its business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Provider:
    """A running oidc-provider-mock and what a skill needs from it."""

    def __init__(self, port: int) -> None:
        self.issuer = f"http://localhost:{port}"
        self.http = requests.Session()

    def add_user(self, sub: str, **claims: Any) -> None:
        assert self.http.put(f"{self.issuer}/users/{sub}", json=claims).status_code == 204

    def access_token(self, sub: str, scope: str = "openid profile email") -> str:
        """Link ``sub`` the way Alexa does: authorization request, consent, code exchange."""
        query = {"client_id": "alexa-skill", "redirect_uri": REDIRECT_URI, "response_type": "code",
                 "scope": scope, "state": "alexa-state"}
        consent = self.http.post(f"{self.issuer}/oauth2/authorize", params=query, data={"sub": sub}, allow_redirects=False)
        assert consent.status_code == 302, consent.text
        code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
        answer = self.http.post(f"{self.issuer}/oauth2/token", auth=("alexa-skill", "secret"),
                                data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def revoke_tokens_of(self, sub: str) -> None:
        assert self.http.post(f"{self.issuer}/users/{sub}/revoke-tokens").status_code == 204


def running(**options: Any) -> Iterator[Provider]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with run_server_in_thread(**options) as server:
        provider = Provider(server.server_port)
        yield provider
        provider.http.close()


@pytest.fixture
def oidc_provider() -> Iterator[Provider]:
    yield from running()


def test_the_oidc_client_gets_the_linked_user_from_an_independent_provider(oidc_provider, session):
    oidc_provider.add_user("ada", name="Ada Lovelace", email="ada@example.com")
    token = oidc_provider.access_token("ada")
    profile = OidcUserinfoClient(session, oidc_provider.issuer, TIMEOUT).fetch_profile(token)
    assert (profile.user_id, profile.name, profile.email) == ("ada", "Ada Lovelace", "ada@example.com")
    assert profile.scopes is None  # this provider's userinfo has no scope claim: unknown


def test_claims_outside_the_granted_scopes_stay_hidden(oidc_provider, session):
    oidc_provider.add_user("bob", name="Bob", email="bob@example.com")
    profile = OidcUserinfoClient(session, oidc_provider.issuer, TIMEOUT).fetch_profile(
        oidc_provider.access_token("bob", scope="openid"))
    assert profile.user_id == "bob" and profile.name is None and profile.email is None


def test_a_made_up_token_is_not_trusted_by_the_independent_provider(oidc_provider, session):
    client = OidcUserinfoClient(session, oidc_provider.issuer, TIMEOUT)
    # never a profile; this provider answers unknown tokens with 400 access_denied (not
    # RFC 6750's 401 invalid_token), which the library reads as "cannot tell": an apology
    with pytest.raises(ResourceUnavailable):
        client.fetch_profile("made-up-token")


def test_a_revoked_token_at_the_independent_provider_gives_no_profile(oidc_provider, session):
    oidc_provider.add_user("cy", name="Cy")
    token = oidc_provider.access_token("cy")
    client = OidcUserinfoClient(session, oidc_provider.issuer, TIMEOUT)
    assert client.fetch_profile(token).user_id == "cy"
    oidc_provider.revoke_tokens_of("cy")
    with pytest.raises(ResourceUnavailable):  # its 400 access_denied, as above
        client.fetch_profile(token)


def test_an_expired_token_at_the_independent_provider_is_a_rejected_link(session):
    for provider in running(access_token_max_age=timedelta(seconds=-1)):
        provider.add_user("dee", name="Dee")
        token = provider.access_token("dee")
        with pytest.raises(LinkRejected):  # 401 invalid_token with a Bearer challenge
            OidcUserinfoClient(session, provider.issuer, TIMEOUT).fetch_profile(token)
