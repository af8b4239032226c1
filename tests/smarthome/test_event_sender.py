"""Proactive events: the device cloud's outbox, the event gateway's answers, and the faults."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import requests
from sqlalchemy import update

from alexa_linkcheck.simulator.linking import TokenSet
from devstack.smarthome import MyLightsStack

from .conftest import KITCHEN, closed_port_url


def _change(stack: MyLightsStack, tokens: TokenSet, cause: str | None = "APP_INTERACTION", **state: Any) -> None:
    body = {**state, **({"cause": cause} if cause else {})}
    response = requests.patch(f"{stack.cloud_url}/api/home/v1/lights/{KITCHEN}", json=body, timeout=5,
                              headers={"Authorization": f"Bearer {tokens.access_token}"})
    assert response.status_code == 200, response.text


def _events(stack: MyLightsStack) -> list[Any]:
    from my_lights_cloud.alexa import pending_events

    with stack.app.app_context():
        return [(e.kind, e.attempts, e.sent_at is not None, e.dropped_at is not None, e.last_error)
                for e in pending_events(include_done=True)]


def _due_now(stack: MyLightsStack) -> None:
    """Let the back-off (or a crashed sender's lease) run out."""
    from my_lights_cloud.models import AlexaEvent
    from ride_hailer_service.models import db

    with stack.app.app_context():
        db.session.execute(update(AlexaEvent).where(AlexaEvent.sent_at.is_(None))
                           .values(next_attempt_at=dt.datetime(2020, 1, 1)))
        db.session.commit()


def _has_grant(stack: MyLightsStack) -> bool:
    from my_lights_cloud.alexa import grant_of

    with stack.app.app_context():
        return grant_of(stack.user_id) is not None


def test_change_outside_alexa_sends_a_change_report_with_the_users_alexa_token(stack: MyLightsStack,
                                                                            granted: TokenSet) -> None:
    _change(stack, granted, power="ON")
    assert stack.deliver_events().sent == 1
    [event] = stack.gateway.received
    assert (event.namespace, event.name, event.status, event.user) == ("Alexa", "ChangeReport", 202, stack.email)
    body = event.body["event"]
    assert body["endpoint"]["endpointId"] == KITCHEN
    assert body["payload"]["change"]["cause"]["type"] == "APP_INTERACTION"
    assert body["payload"]["change"]["properties"][0]["value"] == "ON"


def test_change_made_by_alexa_sends_no_change_report(stack: MyLightsStack, granted: TokenSet) -> None:
    _change(stack, granted, cause="VOICE_INTERACTION", power="ON")
    assert _events(stack) == []


def test_no_events_are_queued_for_a_user_without_alexa_tokens(stack: MyLightsStack, tokens: TokenSet) -> None:
    _change(stack, tokens, power="ON")
    assert _events(stack) == []


def test_a_new_light_sends_an_add_or_update_report(stack: MyLightsStack, granted: TokenSet) -> None:
    response = requests.post(stack.cloud_url + "/api/home/v1/lights", json={"name": "Porch light"}, timeout=5,
                             headers={"Authorization": f"Bearer {granted.access_token}"})
    assert response.status_code == 201
    assert stack.deliver_events().sent == 1
    [event] = stack.gateway.accepted()
    assert (event.namespace, event.name) == ("Alexa.Discovery", "AddOrUpdateReport")
    assert event.body["event"]["payload"]["endpoints"][0]["friendlyName"] == "Porch light"


def test_gateway_refusing_connections_keeps_the_event_and_sends_it_later(stack: MyLightsStack,
                                                                      granted: TokenSet) -> None:
    gateway = stack.app.config["ALEXA_EVENT_GATEWAY_URL"]
    stack.app.config["ALEXA_EVENT_GATEWAY_URL"] = closed_port_url() + "/v3/events"
    _change(stack, granted, power="ON")
    assert stack.deliver_events().retrying == 1
    [(kind, attempts, sent, dropped, error)] = _events(stack)
    assert (attempts, sent, dropped) == (1, False, False) and "not reachable" in error
    stack.app.config["ALEXA_EVENT_GATEWAY_URL"] = gateway
    assert stack.deliver_events().sent == 0  # backing off
    _due_now(stack)
    assert stack.deliver_events().sent == 1
    assert [e.status for e in stack.gateway.received] == [202]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_gateway_5xx_backs_off_then_delivers(stack: MyLightsStack, granted: TokenSet, status: int) -> None:
    stack.gateway.answer_next(status)
    _change(stack, granted, power="ON")
    assert stack.deliver_events().retrying == 1
    _due_now(stack)
    assert stack.deliver_events().sent == 1
    assert [e.status for e in stack.gateway.received] == [status, 202]


def test_gateway_401_refreshes_the_alexa_token_and_retries_once(stack: MyLightsStack, granted: TokenSet) -> None:
    stack.lwa.expire_access_tokens()  # Alexa no longer accepts the stored (not yet due) token
    _change(stack, granted, power="ON")
    assert stack.deliver_events().sent == 1
    assert [e.status for e in stack.gateway.received] == [401, 202]
    assert stack.lwa.calls == ["authorization_code", "refresh_token"]


def test_gateway_401_after_the_refresh_too_retries_later_not_in_a_loop(stack: MyLightsStack,
                                                                     granted: TokenSet) -> None:
    stack.gateway.answer_next(401)
    stack.gateway.answer_next(401)
    _change(stack, granted, power="ON")
    assert stack.deliver_events().retrying == 1
    assert [e.status for e in stack.gateway.received] == [401, 401]


def test_token_about_to_expire_is_refreshed_before_sending(stack: MyLightsStack, granted: TokenSet) -> None:
    from my_lights_cloud.models import AlexaGrant
    from ride_hailer_service.models import db, utcnow

    with stack.app.app_context():
        db.session.execute(update(AlexaGrant).values(expires_at=utcnow() + dt.timedelta(seconds=60)))
        db.session.commit()
    _change(stack, granted, power="ON")
    assert stack.deliver_events().sent == 1
    assert [e.status for e in stack.gateway.received] == [202]
    assert stack.lwa.calls == ["authorization_code", "refresh_token"]


@pytest.mark.parametrize("code", ["SKILL_DISABLED_EXCEPTION", "INSUFFICIENT_PERMISSION_EXCEPTION"])
def test_gateway_403_forgets_the_users_alexa_tokens(stack: MyLightsStack, granted: TokenSet, code: str) -> None:
    stack.gateway.answer_next(403, code)
    _change(stack, granted, power="ON")
    assert stack.deliver_events().dropped == 1
    assert not _has_grant(stack)
    _change(stack, granted, power="OFF")  # no tokens: nothing is queued any more
    assert len(_events(stack)) == 1


def test_refresh_token_refused_by_lwa_forgets_the_tokens_and_drops_the_event(stack: MyLightsStack,
                                                                            granted: TokenSet) -> None:
    stack.lwa.revoke_user(stack.email)
    _change(stack, granted, power="ON")
    report = stack.deliver_events()
    assert report.dropped == 1
    assert not _has_grant(stack)


def test_attempts_are_bounded(stack: MyLightsStack, granted: TokenSet) -> None:
    stack.app.config["EVENT_MAX_ATTEMPTS"] = 2
    stack.gateway.answer_next(500)
    stack.gateway.answer_next(500)
    _change(stack, granted, power="ON")
    stack.deliver_events()
    _due_now(stack)
    assert stack.deliver_events().dropped == 1
    [(kind, attempts, sent, dropped, error)] = _events(stack)
    assert (attempts, sent, dropped) == (2, False, True)


def test_event_claimed_by_a_sender_that_crashed_is_sent_after_a_restart(stack: MyLightsStack,
                                                                       granted: TokenSet) -> None:
    from my_lights_cloud import create_app
    from my_lights_cloud.alexa import _claim_next, deliver_events

    _change(stack, granted, power="ON")
    with stack.app.app_context():
        assert _claim_next(set()) is not None  # claimed, then the process dies
    restarted = create_app(stack.config() | {"SECRET_KEY": stack.app.config["SECRET_KEY"]})
    with restarted.app_context():
        assert deliver_events().sent == 0  # the lease still holds
    _due_now(stack)
    with restarted.app_context():
        assert deliver_events().sent == 1
    assert [e.status for e in stack.gateway.received] == [202]


def test_several_senders_send_each_event_exactly_once(stack: MyLightsStack, granted: TokenSet) -> None:
    for power in ("ON", "OFF") * 4:
        _change(stack, granted, power=power)
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            stack.deliver_events()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(stack.gateway.received) == 8
    ids = [e.body["event"]["header"]["messageId"] for e in stack.gateway.received]
    assert len(set(ids)) == 8
    assert all(sent for (_, _, sent, _, _) in _events(stack))


@pytest.mark.parametrize("body", [{}, {"power": "DIM"}, {"brightness": 101}, {"brightness": "5"},
                                  {"power": "ON", "cause": "MAGIC"}, ["ON"]])
def test_bad_light_changes_answer_400_and_queue_nothing(stack: MyLightsStack, granted: TokenSet, body: Any) -> None:
    response = requests.patch(f"{stack.cloud_url}/api/home/v1/lights/{KITCHEN}", json=body, timeout=5,
                              headers={"Authorization": f"Bearer {granted.access_token}"})
    assert response.status_code == 400
    assert _events(stack) == []


def test_gateway_400_drops_the_event_with_the_reason_and_keeps_the_tokens(stack: MyLightsStack,
                                                                        granted: TokenSet) -> None:
    stack.gateway.answer_next(400, "INVALID_REQUEST_EXCEPTION")
    _change(stack, granted, power="ON")
    assert stack.deliver_events().dropped == 1
    [(kind, attempts, sent, dropped, error)] = _events(stack)
    assert dropped and "INVALID_REQUEST_EXCEPTION" in error
    assert _has_grant(stack)
