"""PostgreSQL: a revocation that races a refresh leaves no working token behind.

On PostgreSQL requests run side by side, so a refresh can have claimed its token and be
about to store the new one while a revocation of the same link runs. The revocation must
wait for that refresh and then revoke the token it issued too; otherwise the new token keeps
working after the user (or the client) ended the link.

The test makes the race happen every time instead of by chance: it holds a row lock on the
user's account row in its own connection, which makes the refresh stop exactly between
claiming its token and storing the new one (storing checks the user row). It starts the
revocation while the refresh is stopped there, lets the refresh go, and then tries the token
the refresh issued. SQLite runs one write transaction at a time, so it cannot show the race;
the test runs where TEST_DATABASE_URL names a PostgreSQL (as CI does).
"""
from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from .conftest import BACKENDS, Registered, bearer, in_thread, linked_tokens, refresh, token_request

#: Only guards against a hung test; no assertion depends on how long anything takes.
GUARD_SECONDS = 60

pytestmark = pytest.mark.parametrize("database", [b for b in BACKENDS if b == "postgresql"], indirect=True)


def _connect(app: Any) -> Any:
    import psycopg

    schema = app.config["DATABASE_SCHEMA"]
    return psycopg.connect(app.config["DATABASE_URL"], options=f"-csearch_path={schema}")


def _waiting_backends(watcher: Any, pattern: str) -> int:
    """How many other sessions wait on a lock while running a statement that matches ``pattern``."""
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
        (pattern,),
    ).fetchone()
    return int(row[0])


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GUARD_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def _revoke(client: Any, registered: Registered, token: str) -> Any:
    return token_request(client, registered, {"token": token, "token_type_hint": "refresh_token"},
                         path="/oauth/revoke")


def test_a_revocation_racing_a_refresh_also_revokes_the_token_that_refresh_issued(app, client, alexa_clients, user):
    registered: Registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    holder, watcher = _connect(app), _connect(app)
    watcher.autocommit = True
    try:
        holder.execute("SELECT id FROM users WHERE id = %s FOR UPDATE", (user,))
        refreshing, refreshed = in_thread(lambda: refresh(app.test_client(), registered, tokens["refresh_token"]))
        _until(lambda: _waiting_backends(watcher, "INSERT INTO tokens%") == 1,
               "the refresh claimed its token and waits to store the new one")
        revoking, revoked = in_thread(lambda: _revoke(app.test_client(), registered, tokens["refresh_token"]))
        _until(lambda: _waiting_backends(watcher, "%") == 2, "the revocation waits for the refresh")
        holder.rollback()  # the refresh goes on, then the revocation
        refreshing.join(GUARD_SECONDS)
        revoking.join(GUARD_SECONDS)
    finally:
        holder.close()
        watcher.close()
    assert refreshed[0].status_code == 200, refreshed[0].get_data(as_text=True)
    assert revoked[0].status_code == 200, revoked[0].get_data(as_text=True)
    issued = refreshed[0].get_json()
    # the link is gone: neither the token issued during the revocation nor its refresh token works
    assert client.get("/api/v1/me", headers=bearer(issued["access_token"])).status_code == 401
    again = refresh(client, registered, issued["refresh_token"])
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"

