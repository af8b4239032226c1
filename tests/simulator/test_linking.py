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


def test_string_expires_in_is_read_as_seconds_as_linkcheck_server_reads_it(
        make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    oauth_state.expires_in = "3600"  # type: ignore[assignment]  # as Login with Amazon's examples show it
    c = make_conversation()
    c.link()
    assert c.account.tokens.expires_in == 3600


def test_trace_link_streams_each_step_with_secrets_masked_then_the_tokens(
        linking_config: LinkingConfig, oauth_state: OAuthState) -> None:
    from alexa_linkcheck.simulator.linking import TokenSet, trace_link
    from alexa_linkcheck.trace import TraceStep

    items = list(trace_link(linking_config, "rider@example.com", "correct horse"))
    steps, outcome = items[:-1], items[-1]
    assert isinstance(outcome, TokenSet) and all(isinstance(s, TraceStep) for s in steps)
    lines = [s.line() for s in steps]
    assert [s.source for s in steps][-1] == "Alexa service"
    assert any("login form" in line for line in lines)
    assert any("Location: https://pitangui.amazon.com/api/skill/link/" in line and "code=***" in line
               for line in lines)
    text = "\n".join(lines)
    assert "correct horse" not in text and "json answer: access_token" in text
    for secret in (outcome.access_token, outcome.refresh_token, linking_config.client_secret):
        assert secret and secret not in text


def test_trace_link_ends_with_the_linking_error_when_the_password_is_wrong(
        linking_config: LinkingConfig) -> None:
    from alexa_linkcheck.simulator.linking import trace_link

    items = list(trace_link(linking_config, "rider@example.com", "wrong"))
    assert isinstance(items[-1], LinkingError)
    assert "login rejected" in str(items[-1])
    assert "the login form again" in items[-2].line()


def test_link_report_draws_the_simulated_link_and_names_where_it_broke(
        linking_config: LinkingConfig, tmp_path) -> None:
    from alexa_linkcheck.html_report import write_link_report
    from alexa_linkcheck.simulator.linking import trace_link

    items = list(trace_link(linking_config, "rider@example.com", "wrong"))
    report = tmp_path / "link.html"
    write_link_report(report, items[:-1], items[-1])
    html = report.read_text(encoding="utf-8")
    assert "FAILED" in html and "login rejected for rider@example.com" in html
    assert html.count('data-step="') == len(items) - 1
    assert 'href="#step-%d"' % items[-2].index in html
    assert "wrong" not in html.replace("wrong-", "")  # the password is masked
