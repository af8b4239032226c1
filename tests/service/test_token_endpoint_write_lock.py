"""On SQLite the token endpoint takes the write lock only for its write (issue 16's profile:
78 % of a request's time was spent queueing for a lock taken at the first query).

The test holds the database's write lock itself (the flock beside the SQLite file that every
writing transaction queues on) and watches what a token request does meanwhile: a request
that only reads (client authentication that fails, an unknown refresh token) is answered at
once; a refresh that rotates a token waits for the lock, then succeeds once it is free.

Because the credential is read before the lock, two requests can both read it unused before
either writes. The write then claims it with a compare-and-set: the tests below make two
requests read the same refresh token (or code) while the lock is held, release it, and check
that exactly one claims it and the other is judged on a fresh read (a grace sibling for a
refresh; a replay that ends the link for a code).
"""
from __future__ import annotations

import fcntl
import os
from typing import Any, Callable

import pytest

from ride_hailer_service.db import SQLITE_WRITE_LOCK_SUFFIX

from .conftest import Registered, exchange, in_thread, link, linked_tokens, refresh, token_request

#: Only a guard against a hung test; no assertion depends on how long anything takes.
GUARD_SECONDS = 60
#: How long the test lets requests run into the held lock before it releases it.
SETTLE_SECONDS = 1.0

#: The write lock file is SQLite's: PostgreSQL serializes a refresh with row locks instead
#: (its races are in test_concurrency.py and tests/reliability_service/).
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _write_lock_path(app: Any) -> str:
    url = app.config["DATABASE_URL"]
    assert url.startswith("sqlite:///"), url
    return url.removeprefix("sqlite:///") + SQLITE_WRITE_LOCK_SUFFIX


class HeldWriteLock:
    """The database's write lock, held by the test until released."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def test_a_wrong_client_secret_is_refused_without_waiting_for_the_write_lock(app, client, alexa_clients, user):
    registered: Registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    lock = HeldWriteLock(_write_lock_path(app))
    try:
        thread, result = in_thread(lambda: token_request(
            app.test_client(), registered, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            secret="not-the-secret"))
        thread.join(GUARD_SECONDS)
        assert not thread.is_alive(), "a request that only reads waited for the write lock"
        assert result[0].status_code == 401 and result[0].get_json()["error"] == "invalid_client"
    finally:
        lock.release()


def test_an_unknown_refresh_token_is_refused_without_waiting_for_the_write_lock(app, client, alexa_clients, user):
    registered: Registered = alexa_clients["HTTP_BASIC"]
    linked_tokens(client, registered)
    lock = HeldWriteLock(_write_lock_path(app))
    try:
        thread, result = in_thread(lambda: refresh(app.test_client(), registered, "no-such-refresh-token"))
        thread.join(GUARD_SECONDS)
        assert not thread.is_alive(), "a request that only reads waited for the write lock"
        assert result[0].status_code == 400 and result[0].get_json()["error"] == "invalid_grant"
    finally:
        lock.release()


def test_a_rotating_refresh_waits_for_the_write_lock_then_succeeds(app, client, alexa_clients, user):
    registered: Registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    lock = HeldWriteLock(_write_lock_path(app))
    released = False
    try:
        thread, result = in_thread(lambda: refresh(app.test_client(), registered, tokens["refresh_token"]))
        thread.join(1.0)
        assert thread.is_alive() and result == [], "the rotation did not wait for the write lock"
        lock.release()
        released = True
        thread.join(GUARD_SECONDS)
        assert result[0].status_code == 200 and result[0].get_json()["refresh_token"] != tokens["refresh_token"]
    finally:
        if not released:
            lock.release()


def _both_after_the_lock_is_released(app: Any, first: Callable[[Any], Any], second: Callable[[Any], Any]) -> list[Any]:
    """Start both requests while the test holds the write lock, then release it; both answers."""
    lock = HeldWriteLock(_write_lock_path(app))
    released = False
    try:
        threads = [in_thread(lambda call=call: call(app.test_client())) for call in (first, second)]
        threads[0][0].join(SETTLE_SECONDS)
        assert all(thread.is_alive() for thread, _ in threads), "a write did not wait for the write lock"
        lock.release()
        released = True
        for thread, _ in threads:
            thread.join(GUARD_SECONDS)
        return [result[0] for _, result in threads]
    finally:
        if not released:
            lock.release()


def test_two_refreshes_that_read_the_same_token_give_one_chain_and_one_grace_sibling(app, client, alexa_clients, user):
    registered: Registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    answers = _both_after_the_lock_is_released(
        app,
        lambda c: refresh(c, registered, tokens["refresh_token"]),
        lambda c: refresh(c, registered, tokens["refresh_token"]),
    )
    assert [a.status_code for a in answers] == [200, 200], [a.get_data(as_text=True) for a in answers]
    first, second = (a.get_json()["refresh_token"] for a in answers)
    assert first != second != tokens["refresh_token"]
    # Alexa keeps whichever answer reached it: its chain continues.
    assert refresh(client, registered, second).status_code == 200


def test_two_exchanges_that_read_the_same_code_give_one_token_and_end_the_link(app, client, alexa_clients, user):
    registered: Registered = alexa_clients["HTTP_BASIC"]
    code = link(client, registered.client_id)["code"][0]
    answers = _both_after_the_lock_is_released(
        app, lambda c: exchange(c, registered, code), lambda c: exchange(c, registered, code)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 400], [a.get_data(as_text=True) for a in answers]
    winner = next(a for a in answers if a.status_code == 200).get_json()
    loser = next(a for a in answers if a.status_code == 400).get_json()
    assert loser["error"] == "invalid_grant"
    # RFC 6749 4.1.2: a code used twice revokes what it issued.
    again = refresh(client, registered, winner["refresh_token"])
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
