"""What the user hears with each new client kind in a skill: expired and forged -> relink card, down -> apology."""
from __future__ import annotations

import time
from typing import Any

import pytest
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder

from account_linking import (
    IntrospectionClient,
    LinkingExceptionHandler,
    OidcUserinfoClient,
    ProfileCache,
    ProfileResolver,
    add_linked_handler,
    profile_of,
    requires_link,
)
from account_linking.jwt_access import JwtAccessTokenClient

from .conftest import TIMEOUT, SigningKey, access_claims, publish_discovery
from .provider_server import Reply

EXPIRED_SPEECH = "Your account link has expired"
APOLOGY_SPEECH = "Sorry, I can't reach your account right now"


@requires_link("profile")
class WhoAmIHandler(AbstractRequestHandler):
    """Says the linked user's id."""

    def can_handle(self, handler_input: Any) -> bool:
        return True

    def handle(self, handler_input: Any) -> Any:
        return handler_input.response_builder.speak(f"You are {profile_of(handler_input).user_id}.").response


def envelope(token: str) -> dict[str, Any]:
    user = {"userId": "amzn1.ask.account.TESTUSER", "accessToken": token}
    app = {"applicationId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"}
    return {
        "version": "1.0",
        "session": {"new": False, "sessionId": "amzn1.echo-api.session.1", "application": app, "user": user, "attributes": {}},
        "context": {"System": {"application": app, "user": user, "device": {"deviceId": "d", "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": "IntentRequest", "requestId": "amzn1.echo-api.request.1", "timestamp": "2026-12-05T00:00:00Z",
                    "locale": "en-US", "intent": {"name": "AccountInfoIntent", "confirmationStatus": "NONE"}},
    }


def ask(client: Any, token: str) -> tuple[str, bool]:
    """The skill's speech and whether it sent a LinkAccount card."""
    resolver = ProfileResolver(client, ProfileCache(ttl=60))
    builder = CustomSkillBuilder()
    add_linked_handler(builder, WhoAmIHandler(), resolver)
    builder.add_exception_handler(LinkingExceptionHandler(resolver))
    out = builder.lambda_handler()(envelope(token), None)["response"]
    card = out.get("card")
    return out["outputSpeech"]["ssml"], card is not None and card["type"] == "LinkAccount"


@pytest.fixture
def jwt_issuer(provider, signing_key):
    publish_discovery(provider)
    provider.answer("/jwks", Reply(200, {"keys": [signing_key.jwk]}))
    return provider.url


def jwt_client(session, issuer):
    return JwtAccessTokenClient(session, issuer, TIMEOUT, audience="https://api.example.com")


def test_jwt_valid_token_reaches_the_handler(session, jwt_issuer, signing_key):
    speech, card = ask(jwt_client(session, jwt_issuer), signing_key.sign(access_claims(jwt_issuer)))
    assert "You are user-1." in speech and not card


def test_jwt_expired_token_answers_link_expired_with_a_card(session, jwt_issuer, signing_key):
    token = signing_key.sign(access_claims(jwt_issuer, exp=int(time.time()) - 120))
    speech, card = ask(jwt_client(session, jwt_issuer), token)
    assert EXPIRED_SPEECH in speech and card


@pytest.mark.parametrize("forgery", ["other-key", "wrong-issuer"])
def test_jwt_forged_token_is_never_trusted_and_answers_link_expired_with_a_card(session, jwt_issuer, forgery):
    if forgery == "other-key":
        token = SigningKey("key-1").sign(access_claims(jwt_issuer))
    else:
        token = SigningKey("key-1").sign(access_claims("https://evil.example.com"))
    speech, card = ask(jwt_client(session, jwt_issuer), token)
    assert EXPIRED_SPEECH in speech and card and "user-1" not in speech


def test_jwt_with_the_jwks_unreachable_answers_an_apology_without_a_card(provider, session, jwt_issuer, signing_key):
    provider.answer("/jwks", Reply(503, b"down"))
    speech, card = ask(jwt_client(session, jwt_issuer), signing_key.sign(access_claims(jwt_issuer)))
    assert APOLOGY_SPEECH in speech and not card


@pytest.mark.parametrize(
    ("userinfo", "expected", "expect_card"),
    [
        (Reply(200, {"sub": "oidc-user"}), "You are oidc-user.", False),
        (Reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}), EXPIRED_SPEECH, True),
        (Reply(502, b"bad gateway"), APOLOGY_SPEECH, False),
    ],
    ids=["ok", "revoked", "down"],
)
def test_oidc_userinfo_outcomes_in_the_skill(provider, session, userinfo, expected, expect_card):
    publish_discovery(provider)
    provider.answer("/userinfo", userinfo)
    speech, card = ask(OidcUserinfoClient(session, provider.url, TIMEOUT), "tok")
    assert expected in speech and card is expect_card


@pytest.mark.parametrize(
    ("answer", "expected", "expect_card"),
    [
        (Reply(200, {"active": True, "sub": "intro-user", "scope": "profile"}), "You are intro-user.", False),
        (Reply(200, {"active": True, "sub": "intro-user", "scope": "rides:read"}), "permission", True),
        (Reply(200, {"active": False}), EXPIRED_SPEECH, True),
        (Reply(401, {"error": "invalid_client"}), APOLOGY_SPEECH, False),
    ],
    ids=["ok", "wrong-scope", "revoked", "skill-credentials-wrong"],
)
def test_introspection_outcomes_in_the_skill(provider, session, answer, expected, expect_card):
    provider.answer("/introspect", answer)
    client = IntrospectionClient(session, provider.url + "/introspect", "skill", "secret", TIMEOUT)
    speech, card = ask(client, "tok")
    assert expected in speech and card is expect_card


def test_jwt_without_the_needed_scope_asks_for_the_permission_with_a_card(session, jwt_issuer, signing_key):
    speech, card = ask(jwt_client(session, jwt_issuer), signing_key.sign(access_claims(jwt_issuer, scope="rides:read")))
    assert "permission" in speech and card


def test_jwt_without_any_scope_claim_leaves_the_decision_to_the_api(session, jwt_issuer, signing_key):
    speech, card = ask(jwt_client(session, jwt_issuer), signing_key.sign(access_claims(jwt_issuer, scope=None)))
    assert "You are user-1." in speech and not card


def test_oidc_userinfo_scope_claim_without_the_needed_scope_asks_for_the_permission(provider, session):
    publish_discovery(provider)
    provider.answer("/userinfo", Reply(200, {"sub": "oidc-user", "scope": "openid email"}))
    speech, card = ask(OidcUserinfoClient(session, provider.url, TIMEOUT), "tok")
    assert "permission" in speech and card
