"""account_linking.deadline: one time budget shared by every resource call of a request."""
from __future__ import annotations

import pytest
import requests
from ask_sdk_core.dispatch_components.request_components import (
    AbstractRequestHandler,
    AbstractRequestInterceptor,
)

from account_linking import AccountLinking, LwaProfileClient, call_resource_server, deadline_of, profile_of, requires_link
from account_linking.cache import ProfileCache
from ride_hailer.profile_client import RideHailerProfileClient
from account_linking.deadline import Deadline, call_timeout
from account_linking.errors import ResourceUnavailable
from account_linking.http import send
from account_linking.messages import DEFAULT_MESSAGES
from account_linking.resolver import ProfileResolver

from .conftest import card_type, load_envelope, speech
from devstack.resource_server import LWA_PATH


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_deadline_counts_down_on_its_clock_and_stops_at_zero():
    clock = FakeClock()
    deadline = Deadline(2.0, clock)
    assert deadline.remaining() == 2.0 and not deadline.expired()
    clock.now += 1.5
    assert deadline.remaining() == 0.5
    clock.now += 1.0
    assert deadline.remaining() == 0.0 and deadline.expired()


def test_call_timeout_is_the_per_call_timeout_shortened_to_what_is_left():
    clock = FakeClock()
    deadline = Deadline(2.0, clock)
    assert call_timeout(3.0, None) == 3.0  # no request budget: the client's own timeout
    assert call_timeout(3.0, deadline) == 2.0
    assert call_timeout(0.5, deadline) == 0.5
    clock.now += 5
    assert call_timeout(3.0, deadline) == 0.0


def test_send_with_no_time_left_fails_at_once_without_connecting(server):
    with requests.Session() as session, pytest.raises(ResourceUnavailable, match="no time left"):
        send(session, "GET", server.url + "/api/v1/fares/estimate", timeout=0.0)
    assert server.state.seen == []


@pytest.mark.parametrize("provider", ["ride_hailer", "lwa"])
def test_profile_lookup_with_a_spent_deadline_is_unavailable_and_never_sent(server, provider):
    clock = FakeClock()
    spent = Deadline(0.5, clock)
    clock.now += 0.5
    with requests.Session() as session:
        client = (
            RideHailerProfileClient(session, server.url, 0.5)
            if provider == "ride_hailer"
            else LwaProfileClient(session, 0.5, server.url + LWA_PATH)
        )
        resolver = ProfileResolver(client, ProfileCache(ttl=60))
        with pytest.raises(ResourceUnavailable):
            resolver.resolve("tok", spent)
        assert server.state.seen == []
        # With time left the same resolver answers (the failure was not cached).
        assert resolver.resolve("tok", Deadline(0.5, clock)).user_id


class _SlowWork(AbstractRequestInterceptor):
    """Stands for the skill's own slow work before the link check (moves the clock)."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds

    def process(self, handler_input):
        self.clock.now += self.seconds


@requires_link("profile")
class _OwnApiHandler(AbstractRequestHandler):
    """Another skill's handler calling its own API within the request's deadline."""

    def __init__(self, session: requests.Session, url: str) -> None:
        self.session = session
        self.url = url

    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        response = call_resource_server(
            self.session, "GET", self.url, deadline=deadline_of(handler_input), timeout=5.0,
        )
        name = profile_of(handler_input).name
        return handler_input.response_builder.speak(f"{name}: {response.status_code}").response


def _generic_skill(server, session, clock, slow_work: float):
    linking = AccountLinking(RideHailerProfileClient(session, server.url, 5.0), time_budget=0.5, clock=clock)
    builder = linking.skill_builder()  # its DeadlineInterceptor runs first
    builder.add_global_request_interceptor(_SlowWork(clock, slow_work))
    builder.add_request_handler(_OwnApiHandler(session, server.url + "/api/v1/fares/estimate?destination=x"))
    handler = builder.lambda_handler()
    return lambda event: handler(event, None)


def test_any_skill_shares_the_request_budget_between_link_check_and_its_own_api(server):
    clock = FakeClock()
    with requests.Session() as session:
        skill = _generic_skill(server, session, clock, slow_work=0.1)
        answer = skill(load_envelope("account_info.linked"))
    assert speech(answer) == "Ada: 200"
    assert server.calls("/api/v1/me") == 1 and server.calls("/api/v1/fares/estimate") == 1


def test_budget_spent_before_the_link_check_answers_apology_without_card_or_call(server):
    clock = FakeClock()
    with requests.Session() as session:
        skill = _generic_skill(server, session, clock, slow_work=0.5)
        answer = skill(load_envelope("account_info.linked"))
    assert speech(answer) == DEFAULT_MESSAGES["en-US"].unavailable
    assert card_type(answer) is None
    assert server.state.seen == []


def test_interceptor_gives_each_request_a_fresh_deadline(server):
    clock = FakeClock()
    with requests.Session() as session:
        skill = _generic_skill(server, session, clock, slow_work=0.2)
        for _ in range(3):  # 3 x 0.2 s would overrun one 0.5 s budget
            assert speech(skill(load_envelope("account_info.linked"))) == "Ada: 200"


@pytest.fixture
def trickler():
    """A server that sends a 200 head at once, then its 212-byte body a byte every 50 ms.

    Yields ``(url, stop)``: setting ``stop`` ends every answer still trickling.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    stop = threading.Event()

    class Trickler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b'{"id": "' + b"x" * 200 + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:  # a byte every 50 ms: each read is in time, the whole is not
                if stop.wait(0.05):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/slow", stop
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()


def test_send_cuts_off_a_trickled_body_even_on_a_session_without_the_deadline_adapter(trickler):
    """The call's watchdog bounds the body on any session (here: a plain requests.Session)."""
    url, _ = trickler
    with requests.Session() as session, pytest.raises(ResourceUnavailable, match="body not complete"):
        send(session, "GET", url, timeout=0.3)


def test_a_short_call_is_cut_off_at_its_own_deadline_while_a_longer_one_runs(trickler):
    """Calls share one watchdog thread: a later call with less time is not kept to an earlier one's deadline."""
    import threading
    import time

    url, stop = trickler
    outcomes: list[str] = []

    def long_call() -> None:
        with requests.Session() as session:
            try:
                send(session, "GET", url, timeout=6.0)
                outcomes.append("answered")
            except ResourceUnavailable as exc:
                outcomes.append(str(exc))

    long = threading.Thread(target=long_call)
    long.start()
    try:
        time.sleep(0.1)  # the long call is waiting on its body, its watchdog armed for 6 s
        started = time.monotonic()
        with requests.Session() as session, pytest.raises(ResourceUnavailable, match="body not complete"):
            send(session, "GET", url, timeout=0.3)
        assert time.monotonic() - started < 3.0, "the short call waited for the long call's deadline"
        assert outcomes == []  # the long call is still running
    finally:
        stop.set()  # the long call's answer ends early
        long.join(10)


def test_calls_do_not_start_a_thread_each(server, monkeypatch):
    """Twenty profile lookups start at most one thread (the shared watchdog), not one per call."""
    import threading

    started: list[str] = []
    original_start = threading.Thread.start

    def counting_start(self):
        started.append(self.name)
        original_start(self)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    with requests.Session() as session:
        for _ in range(20):
            assert send(session, "GET", server.url + "/api/v1/fares/estimate", timeout=2.0).status_code < 500
    assert len(started) <= 1, started
