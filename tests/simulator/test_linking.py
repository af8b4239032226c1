"""The linking flow's edges: implicit grant, state checks, revocation, login page parsing."""
from __future__ import annotations

import dataclasses
from typing import Callable

import pytest

from alexa_linkcheck.simulator import Conversation, LinkingConfig, LinkingError, link_account
from alexa_linkcheck.simulator.linking import IMPLICIT, _parse, authorization_request_url

from .oauth_server import OAuthState

MakeConversation = Callable[..., Conversation]


def test_implicit_grant_reads_the_token_from_the_fragment_and_never_refreshes(
        make_conversation: MakeConversation, linking_config: LinkingConfig, oauth_state: OAuthState) -> None:
    c = make_conversation(linking_config=dataclasses.replace(linking_config, grant_type=IMPLICIT))
    c.link()
    assert oauth_state.authorize_queries[0]["response_type"] == "token"
    assert c.account.tokens.refresh_token is None
    assert oauth_state.token_requests == []
    token = c.account.tokens.access_token
    c.advance(7200)  # defaultTokenExpirationInSeconds passed: nothing to refresh with
    turn = c.say("order a ride to the airport")
    assert turn.request["context"]["System"]["user"]["accessToken"] == token
    assert "on its way" in turn.reply.speech


def test_redirect_with_a_different_state_is_refused(
        make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    oauth_state.tamper_state = True
    c = make_conversation()
    with pytest.raises(LinkingError, match="state in the redirect does not match"):
        c.link()
    assert oauth_state.token_requests == []


def test_unknown_redirect_uri_is_reported_with_the_status(
        linking_config: LinkingConfig) -> None:
    config = dataclasses.replace(linking_config, vendor_id="OTHER")
    with pytest.raises(LinkingError, match="authorization server answered 400 at http://127.0.0.1:\\d+/oauth/authorize$"):
        link_account(config, "rider@example.com", "correct horse")


def test_revoked_refresh_token_makes_the_next_refresh_fail(
        make_conversation: MakeConversation, oauth_server, oauth_state: OAuthState) -> None:
    c = make_conversation(revocation_url=oauth_server.url + "/oauth/revoke")
    c.link()
    c.revoke_on_server()
    c.advance(3600)
    assert c.say("order a ride to the airport").reply.card_type == "Simple"  # old access token still valid on the server
    assert c.account.refresh_failed == "invalid_grant"


def test_revoke_without_revocation_url_is_a_clear_error(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.link()
    with pytest.raises(LinkingError, match="no revocation URL configured"):
        c.revoke_on_server()


def test_authorization_url_keeps_existing_query_and_encodes_scope_spaces(linking_config: LinkingConfig) -> None:
    config = dataclasses.replace(linking_config, authorization_url="https://auth.example.com/authorize?tenant=a b")
    url = authorization_request_url(config, "xyz")
    assert url.startswith("https://auth.example.com/authorize?tenant=a b&client_id=alexa-skill&")
    assert "scope=profile%20rides%3Aread%20rides%3Awrite" in url


def test_login_page_parser_finds_hidden_fields_and_inline_errors_around_void_elements() -> None:
    page = _parse('<div class="flash error">Wrong <br>password.<img src=x></div><p>Forgot it?</p>'
                  '<form method="POST" action="/login?next=%2Fx"><input type="hidden" name="csrf_token" value="t1">'
                  '<input name="email" class="is-invalid"><input type="password" name="password">'
                  '<input type="checkbox" name="remember" value="y" checked><button>Sign in</button></form>')
    assert page.errors == ["Wrong password."]
    form = page.forms[0]
    assert form.method == "post" and form.action == "/login?next=%2Fx"
    assert form.fields == {"csrf_token": "t1", "email": "", "password": "", "remember": "y"}


def test_token_set_repr_hides_the_tokens(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.link()
    shown = repr(c.account.tokens)
    assert c.account.tokens.access_token not in shown
    assert c.account.tokens.refresh_token not in shown


def test_login_pages_are_requested_in_the_device_language(
        make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    c = make_conversation(locale="de-DE")
    c.link()
    assert oauth_state.accept_languages == ["de-DE"]
