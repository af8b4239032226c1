"""Suite 7: brute force and account enumeration against gunicorn over real HTTP.

Failed sign-ins are throttled per account and per client address (rows in the database, so
the limit holds across gunicorn workers). Addresses differ by binding the client socket to
127.0.0.2, 127.0.0.3, ... (all loopback). The window is configured short
(RIDE_HAILER_LOGIN_THROTTLE_WINDOW) so "accepted again after the window" runs in seconds.
"""
from __future__ import annotations

import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import event

from ride_hailer_service.accounts import PASSWORDS_EXTENSION
from ride_hailer_service.models import db
from ride_hailer_service.security import PasswordHashing

from .relsvc_harness import SOAK, ServiceProcess, authorize_url, csrf_token

WRONG_CREDENTIALS = "The email or password is not correct. Use your Ride Hailer account, not your Amazon account."
THROTTLED = "Too many failed sign-ins. Wait a few minutes and try again."
RECOVERY_ANSWER = "If a Ride Hailer account uses this email"
WINDOW = 4
PER_ACCOUNT = 5
PER_ADDRESS = 8


class SourceAddressAdapter(HTTPAdapter):
    """Send from a chosen loopback address (one 'client address' per attacker)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser(address: str = "127.0.0.1") -> requests.Session:
    """A cookie-keeping session whose connections come from the address."""
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(address))
    return session


def sign_in(service: ServiceProcess, client_id: str, email: str, password: str, address: str = "127.0.0.1") -> requests.Response:
    """Load the login page in a fresh browser and submit it."""
    with browser(address) as session:
        url = authorize_url(service.url, client_id, state="same-state-for-comparisons")
        page = session.get(url, timeout=30)
        assert page.status_code == 200
        return session.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30)


def _inline_error(answer: requests.Response) -> str:
    match = re.search(r'<p class="error" id="password-error">([^<]*)</p>', answer.text)
    return match.group(1) if match else ""


@pytest.fixture
def throttled_service(database, seeded, tmp_path: Path) -> Iterator[ServiceProcess]:
    """gunicorn with a short throttle window and small limits."""
    server = ServiceProcess(database, tmp_path / "gunicorn.log", extra_env={
        "RIDE_HAILER_LOGIN_THROTTLE_WINDOW": str(WINDOW),
        "RIDE_HAILER_LOGIN_THROTTLE_PER_ACCOUNT": str(PER_ACCOUNT),
        "RIDE_HAILER_LOGIN_THROTTLE_PER_ADDRESS": str(PER_ADDRESS),
    }).start()
    yield server
    server.stop()
    assert "Traceback" not in server.log()


def test_bad_logins_from_many_addresses_throttle_the_account_then_the_window_lets_the_owner_in(throttled_service, seeded):
    service, client_id = throttled_service, seeded.basic.client_id
    for n in range(PER_ACCOUNT):  # one attacker per address, one guess each
        answer = sign_in(service, client_id, seeded.email, f"guess {n}", address=f"127.0.0.{10 + n}")
        assert answer.status_code == 200 and _inline_error(answer) == WRONG_CREDENTIALS
    started = time.monotonic()
    # the owner, from an address that never failed, with the right password: refused inline
    blocked = sign_in(service, client_id, seeded.email, seeded.password, address="127.0.0.40")
    assert blocked.status_code == 200 and "Location" not in blocked.headers
    assert _inline_error(blocked) == THROTTLED
    time.sleep(max(0.0, WINDOW + 0.5 - (time.monotonic() - started)))
    accepted = sign_in(service, client_id, seeded.email, seeded.password, address="127.0.0.40")
    assert accepted.status_code == 302 and "/oauth/authorize?" in accepted.headers["Location"]


RACING_GUESSES = 16


def test_simultaneous_wrong_passwords_get_at_most_the_limit_checked_then_the_owner_is_throttled(database, seeded, tmp_path: Path, figures):
    """16 wrong passwords for one account at once (16 addresses, gunicorn 2 x 4): the throttle is atomic.

    An answer with the wrong-credentials message had its password checked; a throttled one
    did not. A long window so a slow burst on the shared cores cannot outlive it.
    """
    service = ServiceProcess(database, tmp_path / "race.log", extra_env={
        "RIDE_HAILER_LOGIN_THROTTLE_WINDOW": "600",
        "RIDE_HAILER_LOGIN_THROTTLE_PER_ACCOUNT": str(PER_ACCOUNT),
        "RIDE_HAILER_LOGIN_THROTTLE_PER_ADDRESS": str(PER_ADDRESS),
    }).start()
    try:
        url = authorize_url(service.url, seeded.basic.client_id, state="race")
        barrier = threading.Barrier(RACING_GUESSES)
        answers: list[requests.Response | BaseException] = [RuntimeError("no answer")] * RACING_GUESSES

        def guess(n: int) -> None:
            try:
                with browser(f"127.0.5.{n + 1}") as session:
                    page = session.get(url, timeout=30)
                    data = {"email": seeded.email, "password": f"racing guess {n}", "csrf_token": csrf_token(page.text)}
                    barrier.wait(timeout=60)
                    answers[n] = session.post(url, data=data, allow_redirects=False, timeout=60)
            except BaseException as error:  # reported below
                answers[n] = error

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(RACING_GUESSES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        responses = [answer for answer in answers if isinstance(answer, requests.Response)]
        assert len(responses) == RACING_GUESSES, [a for a in answers if not isinstance(a, requests.Response)]
        assert all(answer.status_code == 200 and "Location" not in answer.headers for answer in responses)
        messages = [_inline_error(answer) for answer in responses]
        checked, throttled = messages.count(WRONG_CREDENTIALS), messages.count(THROTTLED)
        figures.append(f"racing guesses ({database.kind}): {RACING_GUESSES} at once, {checked} checked, {throttled} throttled (limit {PER_ACCOUNT})")
        assert checked + throttled == RACING_GUESSES
        assert checked <= PER_ACCOUNT
        # Attempts in flight count against each other, so a burst may get fewer than the
        # limit checked (never more). The rule: exactly PER_ACCOUNT failures lock the account.
        for n in range(PER_ACCOUNT - checked):
            answer = sign_in(service, seeded.basic.client_id, seeded.email, f"late guess {n}", address=f"127.0.6.{n + 1}")
            assert _inline_error(answer) == WRONG_CREDENTIALS
        extra = sign_in(service, seeded.basic.client_id, seeded.email, "one guess too many", address="127.0.6.100")
        assert _inline_error(extra) == THROTTLED
        owner = sign_in(service, seeded.basic.client_id, seeded.email, seeded.password, address="127.0.5.200")
        assert owner.status_code == 200 and _inline_error(owner) == THROTTLED
    finally:
        service.stop()
    assert "Traceback" not in service.log() and "database is locked" not in service.log()


def test_bad_logins_from_one_address_throttle_that_address_only(throttled_service, seeded):
    service, client_id = throttled_service, seeded.basic.client_id
    for n in range(PER_ADDRESS):  # a different unknown account each time: no account reaches its limit
        answer = sign_in(service, client_id, f"victim{n}@example.com", "password1", address="127.0.0.2")
        assert _inline_error(answer) == WRONG_CREDENTIALS
    blocked = sign_in(service, client_id, seeded.email, seeded.password, address="127.0.0.2")
    assert blocked.status_code == 200 and _inline_error(blocked) == THROTTLED
    elsewhere = sign_in(service, client_id, seeded.email, seeded.password, address="127.0.0.3")
    assert elsewhere.status_code == 302
    time.sleep(WINDOW + 0.5)
    assert sign_in(service, client_id, seeded.email, seeded.password, address="127.0.0.2").status_code == 302


def _normalised(answer: requests.Response, email: str) -> str:
    """The page without what legitimately differs: the CSRF token and the echoed email."""
    text = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', 'name="csrf_token"', answer.text)
    return text.replace(email, "<email>")


def test_login_answers_are_identical_for_unknown_and_known_emails_including_the_throttle(throttled_service, seeded):
    service, client_id = throttled_service, seeded.basic.client_id
    unknown_email = "nobody.here@example.com"
    for n in range(PER_ACCOUNT + 1):  # the last try of each is throttled: unknown accounts are throttled too
        known = sign_in(service, client_id, seeded.email, f"wrong {n}", address=f"127.0.1.{n + 1}")
        unknown = sign_in(service, client_id, unknown_email, f"wrong {n}", address=f"127.0.2.{n + 1}")
        assert known.status_code == unknown.status_code == 200
        assert _inline_error(known) == _inline_error(unknown) == (THROTTLED if n == PER_ACCOUNT else WRONG_CREDENTIALS)
        assert _normalised(known, seeded.email) == _normalised(unknown, unknown_email)
        assert sorted(known.headers) == sorted(unknown.headers)


def _recover(service: ServiceProcess, email: str, address: str) -> requests.Response:
    with browser(address) as session:
        page = session.get(service.url + "/account/recover", timeout=30)
        assert page.status_code == 200
        return session.post(service.url + "/account/recover", data={"email": email, "csrf_token": csrf_token(page.text)}, allow_redirects=False, timeout=30)


def test_recovery_answers_are_identical_for_unknown_and_known_emails(throttled_service, seeded):
    known = _recover(throttled_service, seeded.email, "127.0.3.1")
    unknown = _recover(throttled_service, "nobody.here@example.com", "127.0.3.2")
    assert known.status_code == unknown.status_code == 200
    assert RECOVERY_ANSWER in known.text
    assert _normalised(known, seeded.email) == _normalised(unknown, "nobody.here@example.com")
    assert sorted(known.headers) == sorted(unknown.headers)


TIMING_TRIES = 30 if SOAK else 12


@dataclass
class CountingHasher(PasswordHashing):
    """The real argon2 hashing, counting its calls."""

    calls: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        super().__init__()

    def verify(self, password_hash: str | None, password: str) -> bool:
        self.calls["verify"] += 1
        return super().verify(password_hash, password)

    def hash(self, password: str) -> str:
        self.calls["hash"] += 1
        return super().hash(password)


@dataclass
class RequestWork:
    """What one request did: password hasher calls and the SQL statements it sent."""

    calls: Counter[str]
    statements: list[str]


def _work_of(app: Any, hasher: CountingHasher, send: Callable[[], None]) -> RequestWork:
    """Run one request in process and record its hasher calls and SQL."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    hasher.calls.clear()
    event.listen(engine, "before_cursor_execute", record)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return RequestWork(Counter(hasher.calls), statements)


def _in_process(database: Any, **config: Any) -> tuple[Any, CountingHasher]:
    app = database.app(**config)
    hasher = CountingHasher()
    app.extensions[PASSWORDS_EXTENSION] = hasher
    return app, hasher


def test_login_with_unknown_email_does_the_same_argon2_verify_and_sql_as_with_known_email(database, seeded, tmp_path: Path, figures):
    """Mechanism: one verify (the dummy hash) and the same statements; the timing is printed, not asserted."""
    app, hasher = _in_process(
        database, LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS=100000, LOGIN_THROTTLE_PER_ACCOUNT=100000, LOGIN_THROTTLE_PER_ADDRESS=100000
    )
    url = authorize_url("", seeded.basic.client_id, state="same-state")
    client = app.test_client()

    def attempt(email: str) -> None:
        page = client.get(url)
        answer = client.post(url, data={"email": email, "password": "not it", "csrf_token": csrf_token(page.get_data(as_text=True))})
        assert WRONG_CREDENTIALS in answer.get_data(as_text=True)

    attempt(seeded.email)  # warm-up
    known = _work_of(app, hasher, lambda: attempt(seeded.email))
    unknown = _work_of(app, hasher, lambda: attempt("nobody.here@example.com"))
    assert known.calls == unknown.calls == Counter(verify=1)
    assert unknown.statements == known.statements
    with app.app_context():
        db.engine.dispose()
    _print_login_timing(database, seeded, tmp_path, figures)


def test_recovery_for_unknown_email_does_the_known_email_work_minus_the_two_inserts(database, seeded, tmp_path: Path, figures):
    """Mechanism: no password hashing on either path; same SQL except INSERT password_resets and outbox_mail."""
    app, hasher = _in_process(database, RECOVERY_THROTTLE_PER_ADDRESS=100000)
    client = app.test_client()

    def attempt(email: str) -> None:
        page = client.get("/account/recover")
        answer = client.post("/account/recover", data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))})
        assert RECOVERY_ANSWER in answer.get_data(as_text=True)

    attempt(seeded.email)  # warm-up
    known = _work_of(app, hasher, lambda: attempt(seeded.email))
    unknown = _work_of(app, hasher, lambda: attempt("nobody.here@example.com"))
    assert known.calls == unknown.calls == Counter()
    inserts = [s for s in known.statements if re.match(r"INSERT INTO (password_resets|outbox_mail)\b", s)]
    assert len(inserts) == 2
    assert unknown.statements == [s for s in known.statements if s not in inserts]
    with app.app_context():
        db.engine.dispose()
    _print_recovery_timing(database, seeded, tmp_path, figures)


def _median_seconds(call, tries: int) -> float:
    durations = []
    for _ in range(tries):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def _print_login_timing(database, seeded, tmp_path: Path, figures) -> None:
    """The measured login timing ratio, as a figure (wall clock on shared cores is not asserted)."""
    service = ServiceProcess(database, tmp_path / "timing.log", workers=1, threads=1, extra_env={
        "RIDE_HAILER_LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS": "100000",
        "RIDE_HAILER_LOGIN_THROTTLE_PER_ACCOUNT": "100000", "RIDE_HAILER_LOGIN_THROTTLE_PER_ADDRESS": "100000",
    }).start()
    try:
        url = authorize_url(service.url, seeded.basic.client_id)
        with requests.Session() as session:
            token = csrf_token(session.get(url, timeout=30).text)

            def attempt(email: str) -> None:
                answer = session.post(url, data={"email": email, "password": "not it", "csrf_token": token}, timeout=30)
                assert _inline_error(answer) == WRONG_CREDENTIALS

            attempt(seeded.email)  # warm-up
            known, unknown = [], []
            for _ in range(TIMING_TRIES):  # interleaved so load on the shared cores hits both alike
                known.append(_median_seconds(lambda: attempt(seeded.email), 1))
                unknown.append(_median_seconds(lambda: attempt("nobody.here@example.com"), 1))
    finally:
        service.stop()
    ratio = statistics.median(unknown) / statistics.median(known)
    figures.append(
        f"login timing ({database.kind}): median known {statistics.median(known) * 1000:.1f} ms, "
        f"unknown {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f} over {TIMING_TRIES} tries each"
    )


def _print_recovery_timing(database, seeded, tmp_path: Path, figures) -> None:
    """The measured recovery timing ratio, as a figure (not asserted)."""
    service = ServiceProcess(database, tmp_path / "timing.log", workers=1, threads=1, extra_env={
        "RIDE_HAILER_RECOVERY_THROTTLE_PER_ADDRESS": "100000",
    }).start()
    try:
        with requests.Session() as session:
            token = csrf_token(session.get(service.url + "/account/recover", timeout=30).text)

            def attempt(email: str) -> None:
                answer = session.post(service.url + "/account/recover", data={"email": email, "csrf_token": token}, timeout=30)
                assert RECOVERY_ANSWER in answer.text

            attempt(seeded.email)  # warm-up
            known, unknown = [], []
            for _ in range(TIMING_TRIES):
                known.append(_median_seconds(lambda: attempt(seeded.email), 1))
                unknown.append(_median_seconds(lambda: attempt("nobody.here@example.com"), 1))
    finally:
        service.stop()
    ratio = statistics.median(unknown) / statistics.median(known)
    figures.append(
        f"recovery timing ({database.kind}): median known {statistics.median(known) * 1000:.1f} ms, "
        f"unknown {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f} over {TIMING_TRIES} tries each"
    )
