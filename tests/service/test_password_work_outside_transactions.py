"""argon2 runs with no transaction and no SQLite write lock held (review finding on stalls).

A hasher injected as the app's password extension checks, while it verifies, that the
request's session has no transaction open, that the SQLite write-queue lock file is free,
and that a refresh and `/api/v1/me` from another thread complete while the verify is still
running (they would wait for it if the login held the lock or a row lock).
"""
from __future__ import annotations

import fcntl
import os
import threading
from urllib.parse import urlencode
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from ride_hailer_service.accounts import PASSWORDS_EXTENSION
from ride_hailer_service.db import SQLITE_WRITE_LOCK_SUFFIX
from ride_hailer_service.models import db
from ride_hailer_service.security import PasswordHashing

from .conftest import EMAIL, PASSWORD, authorize_query, csrf_token, linked_tokens, refresh, sign_in

WRONG_CREDENTIALS = "The email or password is not correct."


def write_lock_is_free(app: Flask) -> bool:
    """True when no connection holds the SQLite write-queue lock (always True elsewhere)."""
    if db.engine.dialect.name != "sqlite":
        return True
    fd = os.open(str(db.engine.url.database) + SQLITE_WRITE_LOCK_SUFFIX, os.O_RDWR | os.O_CREAT, 0o600)
    try:  # flock conflicts between open files even within one process
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@dataclass
class CheckingHasher(PasswordHashing):
    """Real argon2; records the database state seen during each verify."""

    app: Flask | None = None
    during_verify: Any = None  # called inside verify (another thread's requests)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def verify(self, password_hash: str | None, password: str) -> bool:
        assert self.app is not None
        state = {"in_transaction": db.session().in_transaction(), "lock_free": write_lock_is_free(self.app)}
        if self.during_verify is not None:
            state["concurrent"] = self.during_verify()
        self.seen.append(state)
        return super().verify(password_hash, password)

    def hash(self, password: str) -> str:
        assert self.app is not None
        self.seen.append({"hash_in_transaction": db.session().in_transaction(), "lock_free": write_lock_is_free(self.app)})
        return super().hash(password)


def test_login_verifies_the_password_with_no_transaction_or_write_lock_held(app, client, alexa_clients, user):
    hasher = CheckingHasher(app)
    app.extensions[PASSWORDS_EXTENSION] = hasher
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    assert WRONG_CREDENTIALS in sign_in(client, url, password="not it").get_data(as_text=True)
    assert WRONG_CREDENTIALS in sign_in(client, url, email="nobody@example.com").get_data(as_text=True)
    assert sign_in(client, url).status_code == 302
    assert hasher.seen == [{"in_transaction": False, "lock_free": True}] * 3


def test_refresh_and_me_complete_while_a_login_is_verifying_its_password(app, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(app.test_client(), registered)
    other = app.test_client()

    def concurrent_requests() -> list[int]:
        """A refresh and /me from another thread, waited for with a generous bound."""
        statuses: list[int] = []

        def run() -> None:
            rotated = refresh(other, registered, tokens["refresh_token"])
            statuses.append(rotated.status_code)
            access = rotated.get_json()["access_token"] if rotated.status_code == 200 else tokens["access_token"]
            statuses.append(other.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"}).status_code)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=20)  # with the lock held by the verifying login this would hang (30 s busy wait)
        return statuses if not thread.is_alive() else ["still waiting"]  # type: ignore[list-item]

    hasher = CheckingHasher(app, during_verify=concurrent_requests)
    app.extensions[PASSWORDS_EXTENSION] = hasher
    url = authorize_query(registered.client_id)
    assert WRONG_CREDENTIALS in sign_in(app.test_client(), url, email=EMAIL, password="wrong " + PASSWORD).get_data(as_text=True)
    assert [state["concurrent"] for state in hasher.seen] == [[200, 200]]


def test_sign_up_hashes_the_password_with_no_transaction_or_write_lock_held(app, client, alexa_clients):
    hasher = CheckingHasher(app)
    app.extensions[PASSWORDS_EXTENSION] = hasher
    url = authorize_query(alexa_clients["HTTP_BASIC"].client_id)
    signup = "/account/signup?" + urlencode({"next": url})
    page = client.get(signup)
    answer = client.post(signup, data={"name": "New Rider", "email": "new@example.com", "password": "a long password", "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert answer.status_code == 302
    assert hasher.seen == [{"hash_in_transaction": False, "lock_free": True}]
