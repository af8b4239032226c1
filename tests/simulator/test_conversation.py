"""A conversation with a real ASK SDK skill: sessions, linking, expiry, refresh, dead tokens."""
from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Callable

import pytest

from alexa_linkcheck.simulator import Conversation, LinkingError, TargetError
from alexa_linkcheck.simulator.clock import SimulatorClock
from alexa_linkcheck.simulator.linking import REQUEST_BODY_CREDENTIALS

from .conftest import VENDOR_ID, recorded_events
from .oauth_server import OAuthState

MakeConversation = Callable[..., Conversation]


def test_session_attributes_carry_over_between_turns(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    launch = c.say("open test taxi")
    assert launch.reply.speech == "Welcome to Test Taxi."
    assert launch.reply.reprompt == "What now?"
    assert c.say("count").reply.speech == "Turn 2, new session False."
    assert c.say("count again").reply.speech == "Turn 3, new session False."
    assert c.turns[-1].request["session"]["attributes"] == {"turns": 2}


def test_should_end_session_makes_the_next_utterance_open_a_new_session(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    first = c.say("count")
    stop = c.say("stop")
    assert stop.reply.speech == "Goodbye." and stop.session_ended
    again = c.say("count")
    assert again.reply.speech == "Turn 1, new session True."
    assert again.request["session"]["sessionId"] != first.request["session"]["sessionId"]


def test_unlinked_order_answers_link_account_card(make_conversation: MakeConversation) -> None:
    turn = make_conversation().say("order a ride to the airport")
    assert turn.reply.card_type == "LinkAccount"
    assert "link your account" in turn.reply.speech
    assert "accessToken" not in turn.request["context"]["System"]["user"]


def test_linking_sends_alexas_authorization_parameters_and_stops_at_redirect(
        make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    make_conversation().link()
    query = oauth_state.authorize_queries[0]
    assert set(query) == {"client_id", "response_type", "scope", "state", "redirect_uri"}
    assert query["client_id"] == "alexa-skill"
    assert query["response_type"] == "code"
    assert query["scope"] == "profile rides:read rides:write"
    assert query["redirect_uri"] == f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"
    assert len(query["state"]) >= 16
    exchange = oauth_state.token_requests[0]
    assert exchange["form"]["grant_type"] == "authorization_code"
    assert exchange["form"]["redirect_uri"] == query["redirect_uri"]
    assert exchange["authorization"].startswith("Basic ")
    assert "client_secret" not in exchange["form"]


def test_after_linking_the_skill_gets_the_token_and_the_linked_event(
        make_conversation: MakeConversation, events_file: Path) -> None:
    c = make_conversation()
    c.link()
    token = c.account.tokens.access_token
    assert recorded_events(events_file) == [{"type": "SkillAccountLinked", "accessToken": token}]
    turn = c.say("order a ride to terminal one")
    assert turn.reply.speech == "Robin, a ride to terminal one (AIRPORT) is on its way."
    assert turn.request["context"]["System"]["user"]["accessToken"] == token
    assert turn.request["session"]["user"]["accessToken"] == token


def test_request_body_credentials_scheme_puts_client_secret_in_the_form(
        make_conversation: MakeConversation, linking_config, oauth_state: OAuthState) -> None:
    oauth_state.scheme = REQUEST_BODY_CREDENTIALS
    c = make_conversation(linking_config=dataclasses.replace(linking_config, scheme=REQUEST_BODY_CREDENTIALS))
    c.link()
    exchange = oauth_state.token_requests[0]
    assert exchange["authorization"] == ""
    assert exchange["form"]["client_id"] == "alexa-skill"
    assert exchange["form"]["client_secret"] == oauth_state.client_secret
    assert c.say("order a ride to the airport").reply.card_type == "Simple"


def test_wrong_password_fails_linking_with_the_pages_error(make_conversation: MakeConversation) -> None:
    c = make_conversation(credentials=("rider@example.com", "wrong"))
    with pytest.raises(LinkingError, match="login rejected for rider@example.com: Wrong email or password"):
        c.link()
    assert c.account is None


def test_wrong_client_secret_fails_the_code_exchange_with_invalid_client(
        make_conversation: MakeConversation, linking_config) -> None:
    c = make_conversation(linking_config=dataclasses.replace(linking_config, client_secret="nope"))
    with pytest.raises(LinkingError, match="401 invalid_client"):
        c.link()


def test_expired_access_token_is_refreshed_with_the_same_scheme_before_the_request(
        make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    c = make_conversation()
    c.link()
    first = c.account.tokens
    c.advance(3599)
    assert c.say("order a ride to the airport").request["context"]["System"]["user"]["accessToken"] == first.access_token
    assert len(oauth_state.token_requests) == 1
    c.advance(1)
    turn = c.say("order a ride to the airport")
    refresh_call = oauth_state.token_requests[1]
    assert refresh_call["form"] == {"grant_type": "refresh_token", "refresh_token": first.refresh_token}
    assert refresh_call["authorization"] == "Basic " + base64.b64encode(b"alexa-skill:s3cret-client").decode()
    assert c.account.tokens.access_token != first.access_token
    assert turn.request["context"]["System"]["user"]["accessToken"] == c.account.tokens.access_token
    assert "on its way" in turn.reply.speech
    assert c.refreshes == 1


def test_failed_refresh_keeps_sending_the_dead_token_and_skill_asks_to_relink(
        make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    c = make_conversation()
    notes: list[str] = []
    c.note = notes.append
    c.link()
    dead = c.account.tokens.access_token
    oauth_state.revoke_all()
    c.advance(3600)
    turn = c.say("order a ride to the airport")
    assert turn.request["context"]["System"]["user"]["accessToken"] == dead
    assert turn.reply.card_type == "LinkAccount"
    assert "expired" in turn.reply.speech
    assert c.account.refresh_failed == "invalid_grant"
    assert any("refresh failed (invalid_grant)" in note for note in notes)
    c.say("order a ride to the airport")
    assert len(oauth_state.token_requests) == 2  # no retry storm after invalid_grant


def test_relinking_after_a_dead_token_works_again(make_conversation: MakeConversation, oauth_state: OAuthState) -> None:
    c = make_conversation()
    c.link()
    oauth_state.revoke_all()
    c.advance(3600)
    assert c.say("order a ride to the airport").reply.card_type == "LinkAccount"
    c.link()
    assert "on its way" in c.say("order a ride to the airport").reply.speech


def test_skill_disabled_event_forgets_the_tokens(make_conversation: MakeConversation, events_file: Path) -> None:
    c = make_conversation()
    c.link()
    c.event_skill_disabled()
    assert recorded_events(events_file)[-1] == {"type": "SkillDisabled"}
    assert c.account is None
    assert c.say("order a ride to the airport").reply.card_type == "LinkAccount"


def test_end_session_sends_user_initiated_session_ended_request(
        make_conversation: MakeConversation, events_file: Path) -> None:
    c = make_conversation()
    c.say("open test taxi")
    c.end_session()
    assert recorded_events(events_file) == [{"type": "SessionEndedRequest", "reason": "USER_INITIATED"}]
    assert c.say("count").reply.speech == "Turn 1, new session True."


def test_switching_locale_uses_that_locales_model_and_request_locale(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.set_locale("de-DE")
    turn = c.say("öffne test taxi")
    assert turn.request["request"]["locale"] == "de-DE"
    assert turn.reply.speech.startswith("Willkommen bei Testtaxi.")


def test_request_timestamp_follows_the_simulator_clock(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.advance(86400)
    stamp = c.say("count").request["request"]["timestamp"]
    assert stamp == c.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stamp > c.clock.wall().strftime("%Y-%m-%dT%H:%M:%SZ")


def test_skill_that_raises_is_reported_and_gets_a_session_ended_error(
        make_conversation: MakeConversation, events_file: Path) -> None:
    c = make_conversation()
    c.say("open test taxi")
    with pytest.raises(TargetError, match="lambda_handler raised RuntimeError\\('boom'\\)"):
        c.say("crash")
    assert recorded_events(events_file) == [{"type": "SessionEndedRequest", "reason": "ERROR"}]
    assert c.session is None


def test_code_folder_without_lambda_function_is_a_clear_error(tmp_path: Path) -> None:
    from alexa_linkcheck.simulator import LambdaTarget

    with pytest.raises(TargetError, match="no lambda_function.py in"):
        LambdaTarget(tmp_path)


def test_skill_whose_import_fails_is_reported_with_the_cause(tmp_path: Path) -> None:
    from alexa_linkcheck.simulator import LambdaTarget

    (tmp_path / "lambda_function.py").write_text("import os\nSETTING = int(os.environ['NOT_SET_ANYWHERE_42'])\n")
    with pytest.raises(TargetError, match="importing .*lambda_function.py failed: KeyError\\('NOT_SET_ANYWHERE_42'\\)"):
        LambdaTarget(tmp_path)


def test_lambda_target_sets_the_skills_environment_before_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alexa_linkcheck.simulator import LambdaTarget

    monkeypatch.delenv("SIM_TEST_GREETING", raising=False)
    (tmp_path / "lambda_function.py").write_text(
        "from __future__ import annotations\nimport dataclasses, os\nGREETING = os.environ['SIM_TEST_GREETING']\n"
        "@dataclasses.dataclass\nclass Answer:\n    text: str\n"
        "def lambda_handler(event, context):\n"
        "    return {'version': '1.0', 'response': {'outputSpeech': {'type': 'PlainText', 'text': Answer(GREETING).text},"
        " 'shouldEndSession': context.get_remaining_time_in_millis() > 0}}\n")
    monkeypatch.setenv("SIM_TEST_GREETING", "placeholder")  # restored by monkeypatch after the test
    target = LambdaTarget(tmp_path, environ={"SIM_TEST_GREETING": "Hallo"})
    answer = target.invoke({"request": {"type": "LaunchRequest"}})
    assert answer["response"]["outputSpeech"]["text"] == "Hallo"
    assert answer["response"]["shouldEndSession"] is True


def test_answer_to_elicit_slot_fills_that_slot_of_the_same_intent(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.link()
    ask = c.say("order a ride")
    assert ask.reply.speech == "Where to? (STARTED)"
    assert ask.request["request"]["dialogState"] == "STARTED"
    answer = c.say("to the train station")
    assert answer.request["request"]["intent"]["name"] == "OrderRideIntent"
    assert answer.request["request"]["dialogState"] == "IN_PROGRESS"
    assert answer.reply.speech == "Robin, a ride to the train station (STATION) is on its way."


def test_exact_built_in_phrase_wins_over_an_elicited_slot(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.say("order a ride")
    stop = c.say("stop")
    assert stop.request["request"]["intent"]["name"] == "AMAZON.StopIntent"
    assert stop.reply.speech == "Goodbye."


def test_without_elicitation_a_bare_slot_value_goes_to_fallback(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.say("open test taxi")
    assert c.say("to the train station").request["request"]["intent"]["name"] == "AMAZON.FallbackIntent"


def test_silence_plays_the_reprompt_once_then_ends_with_exceeded_max_reprompts(
        make_conversation: MakeConversation, events_file: Path) -> None:
    c = make_conversation()
    c.say("open test taxi")
    reprompt = c.silence()
    assert reprompt is not None and reprompt.reply.speech == "What now?"
    assert recorded_events(events_file) == []
    ended = c.silence()
    assert ended is not None and ended.request["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert recorded_events(events_file) == [{"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"}]
    assert c.silence() is None


def test_unset_should_end_session_ends_the_session_on_a_voice_only_device(make_conversation: MakeConversation) -> None:
    c = make_conversation()
    c.say("open test taxi")
    home = c.say("go home")
    assert "shouldEndSession" not in home.response["response"]
    assert home.session_ended
    assert c.say("count").reply.speech == "Turn 1, new session True."


def test_unset_should_end_session_keeps_the_session_on_a_device_with_a_screen(make_conversation: MakeConversation) -> None:
    from alexa_linkcheck.simulator import Identity

    c = make_conversation(identity=Identity(supported_interfaces={"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}))
    c.say("open test taxi")
    assert not c.say("go home").session_ended
    assert c.say("count").reply.speech == "Turn 2, new session False."


def test_advance_expires_a_skill_cache_built_on_the_simulator_clock() -> None:
    from account_linking import Profile, ProfileCache

    clock = SimulatorClock()
    cache = ProfileCache(ttl=300, clock=clock.monotonic)
    cache.put("access-token", Profile(user_id="u1"))
    clock.advance(299)
    assert cache.get("access-token") == Profile(user_id="u1")
    clock.advance(2)
    assert cache.get("access-token") is None
