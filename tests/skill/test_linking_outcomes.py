"""Every linking outcome, in every locale, for both resource-server clients."""
from __future__ import annotations

import pytest

from .conftest import LINKED_TOKEN, LOCALES, PROVIDERS, card_type, load_envelope, profile_path, speech

# What the user must hear, per locale: (not linked, rejected, missing scope, unavailable).
EXPECTED = {
    "en-US": ("link your", "expired", "permission", "can't reach"),
    "en-GB": ("link your", "expired", "permission", "can't reach"),
    "de-DE": ("verknüpfen", "abgelaufen", "Berechtigung", "nicht erreichen"),
}


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("locale", LOCALES)
def test_unlinked_account_info_answers_link_account_card(make_skill, server, provider, locale):
    skill = make_skill(provider)
    response = skill(load_envelope("account_info.unlinked", locale))
    assert card_type(response) == "LinkAccount"
    assert EXPECTED[locale][0] in speech(response)
    assert server.calls(profile_path(provider)) == 0


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("locale", LOCALES)
def test_expired_token_answers_link_account_card_asking_to_relink(make_skill, server, provider, locale):
    server.answer("401", profile_path(provider))
    response = make_skill(provider)(load_envelope("account_info.linked", locale))
    assert card_type(response) == "LinkAccount"
    assert EXPECTED[locale][1] in speech(response)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("locale", LOCALES)
def test_insufficient_scope_answers_link_account_card_naming_the_permission(make_skill, server, provider, locale):
    server.state.missing_scope = "profile"
    server.answer("403", profile_path(provider))
    response = make_skill(provider)(load_envelope("account_info.linked", locale))
    assert card_type(response) == "LinkAccount"
    text = speech(response)
    assert EXPECTED[locale][2] in text
    assert ("Profil" if locale == "de-DE" else "profile") in text


@pytest.mark.parametrize("mode", ["500", "malformed", "wrong_shape", "stall", "401_bare"])
@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("locale", LOCALES)
def test_resource_server_failure_answers_apology_without_card(make_skill, server, provider, locale, mode):
    server.answer(mode, profile_path(provider))
    skill = make_skill(provider)
    response = skill(load_envelope("account_info.linked", locale))
    assert card_type(response) is None
    text = speech(response)
    assert EXPECTED[locale][3] in text
    assert "Traceback" not in text and "Error" not in text
    # nothing cached: the next request asks the resource server again
    skill(load_envelope("account_info.linked", locale))
    assert server.calls(profile_path(provider)) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("locale", LOCALES)
def test_linked_account_info_tells_the_verified_name_and_email(make_skill, server, provider, locale):
    response = make_skill(provider)(load_envelope("account_info.linked", locale))
    assert card_type(response) is None
    assert "Ada" in speech(response) and "ada@example.com" in speech(response)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_token_is_sent_only_in_the_authorization_header(make_skill, server, provider):
    make_skill(provider)(load_envelope("account_info.linked"))
    [seen] = server.state.seen
    assert seen.headers["Authorization"] == f"Bearer {LINKED_TOKEN}"
    assert LINKED_TOKEN not in seen.query and LINKED_TOKEN not in seen.path


def test_request_without_session_reads_the_token_from_context(make_skill, server):
    response = make_skill()(load_envelope("account_info.no_session.linked"))
    assert "Ada" in speech(response)
    assert server.calls("/api/v1/me") == 1


def test_unsupported_locale_falls_back_to_english(make_skill, server):
    # Ride Hailer speaks en-US, en-GB, de-DE, fr-FR, es-ES and ja-JP; Italian is not one of them.
    response = make_skill()(load_envelope("account_info.unlinked", "it-IT"))
    assert card_type(response) == "LinkAccount"
    assert "link your" in speech(response)


def test_austrian_german_gets_german_speech(make_skill, server):
    response = make_skill()(load_envelope("account_info.unlinked", "de-AT"))
    assert "verknüpfen" in speech(response)


def test_token_without_scope_header_scope_listed_answers_missing_scope_card(make_skill, server):
    server.state.scopes_header = "profile rides:read"
    response = make_skill()(load_envelope("order_ride.linked"))
    assert card_type(response) == "LinkAccount"
    assert "order and cancel rides" in speech(response)
    assert server.calls("/api/v1/rides") == 0


def test_lwa_profile_without_name_answers_missing_profile_scope(make_skill, server):
    server.state.lwa_profile = {"user_id": "amzn1.account.ADA"}
    response = make_skill("lwa")(load_envelope("account_info.linked"))
    assert card_type(response) == "LinkAccount"
    assert "read your profile" in speech(response)


@pytest.mark.parametrize("mode", ["ok", "401", "403", "500", "malformed", "stall", "401_bare"])
def test_access_token_never_appears_in_logs(make_skill, server, caplog, mode):
    import logging

    caplog.set_level(logging.DEBUG)
    server.answer(mode, "/api/v1/me")
    make_skill()(load_envelope("account_info.linked", token="Atza|very-secret-token-value"))
    assert server.calls("/api/v1/me") == 1
    assert "very-secret-token-value" not in caplog.text


def test_insufficient_scope_without_scope_name_still_answers_a_sentence(make_skill, server):
    server.state.missing_scope = ""
    server.answer("403", "/api/v1/fares/estimate")
    response = make_skill()(load_envelope("fare_estimate.unlinked"))
    assert card_type(response) == "LinkAccount"
    assert "I need permission to do what you asked." in speech(response)


def test_token_only_in_session_user_is_used_as_fallback(make_skill, server):
    envelope = load_envelope("account_info.linked")
    del envelope["context"]["System"]["user"]["accessToken"]
    response = make_skill()(envelope)
    assert "Ada" in speech(response)
    assert server.state.seen[0].headers["Authorization"] == f"Bearer {LINKED_TOKEN}"


def test_context_token_wins_over_session_token(make_skill, server):
    envelope = load_envelope("account_info.linked")
    envelope["session"]["user"]["accessToken"] = "stale-session-token"
    make_skill()(envelope)
    assert server.state.seen[0].headers["Authorization"] == f"Bearer {LINKED_TOKEN}"
