"""The one place a call's time budget is enforced: a watchdog that ends the call at its deadline.

requests' (and urllib3's) timeouts bound each socket read, so a server sending its status
line, headers or body a byte at a time can hold a call for as long as it likes.
:func:`account_linking.http.send` therefore arms one :class:`CallWatchdog` per call with the
call's :class:`~account_linking.deadline.Deadline`: when the deadline passes, the watchdog
shuts down the socket the call is using, which wakes any blocked read, and the call fails
as out of time. The socket is handed to the watchdog

- by the connections of a :class:`DeadlineAdapter` (mounted on the session with
  :func:`mount_deadline_adapter`) when they wait for the response head, so a trickled head
  is cut off too;
- by :func:`~account_linking.http.send` once the head is in, so the body is covered on any
  session.

urllib3's own timeouts (connect, and each read, from ``Timeout(total=...)``) stay as a
second line: they bound the connect, which no socket exists for yet.
"""
from __future__ import annotations

import heapq
import itertools
import math
import os
import socket
import threading
import time
from types import TracebackType
from typing import Any, Optional

import requests
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import HTTPResponse

from .deadline import Deadline

#: The watchdog of the call running in each thread (a call runs in one thread, start to end).
_ACTIVE = threading.local()


def _shutdown(sock: socket.socket) -> None:
    try:  # the plain socket's shutdown wakes a blocked recv (TLS or not)
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _WatchdogThread:
    """One daemon thread that fires every armed CallWatchdog at its due time.

    A ``threading.Timer`` per call cost about 130 us to start and cancel, a tenth of a
    cache miss against a nearby resource server, and left a thread finishing after each
    call. Here arming and disarming take the lock for a heap push or pop; the thread sleeps
    until the earliest due time, and a disarmed watchdog is dropped from the heap without
    waking it. A child process (fork) starts its own thread on first use.
    """

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, CallWatchdog]] = []
        self._sequence = itertools.count()
        self._wake_at = math.inf  # when the waiting thread wakes (inf: only when notified)
        self._thread: Optional[threading.Thread] = None

    def arm(self, watchdog: CallWatchdog, due: float) -> None:
        """Fire ``watchdog`` at ``due`` (time.monotonic()) unless it is disarmed first."""
        with self._cond:
            if self._thread is None:
                thread = threading.Thread(target=self._run, args=(self._cond,),
                                          name="account-linking-watchdog", daemon=True)
                thread.start()  # may raise (no threads left): then nothing is armed
                self._thread = thread
            heapq.heappush(self._heap, (due, next(self._sequence), watchdog))
            if due < self._wake_at:
                self._cond.notify()

    def disarm(self, watchdog: CallWatchdog) -> None:
        """``watchdog`` no longer fires; drop finished entries from the top of the heap."""
        with self._cond:
            watchdog._armed = False
            heap = self._heap
            while heap and not heap[0][2]._armed:
                heapq.heappop(heap)

    def _run(self, cond: threading.Condition) -> None:
        with cond:
            while cond is self._cond:  # a forked child replaces the condition: stop
                heap = self._heap
                while heap and not heap[0][2]._armed:
                    heapq.heappop(heap)
                now = time.monotonic()
                if heap and heap[0][0] <= now:
                    watchdog = heapq.heappop(heap)[2]
                    watchdog._armed = False
                    watchdog._fire()
                    continue
                self._wake_at = heap[0][0] if heap else math.inf
                cond.wait(None if not heap else self._wake_at - now)


_WATCHDOGS = _WatchdogThread()


class CallWatchdog:
    """Shuts down the call's socket when its deadline passes; a context manager per call.

    While active (``with CallWatchdog(deadline):``) it is the calling thread's current
    watchdog, which a DeadlineAdapter's connections hand their socket to. One shared thread
    keeps the time for every call (:class:`_WatchdogThread`).
    """

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self._lock = threading.Lock()
        self._sock: Optional[socket.socket] = None
        self._fired = False
        self._armed = False  # guarded by the watchdog thread's lock
        self._outer: Optional[CallWatchdog] = None  # the watchdog active before this one

    @property
    def fired(self) -> bool:
        """Whether the deadline passed while the call was running."""
        with self._lock:
            return self._fired

    def watch(self, sock: socket.socket) -> None:
        """The call now uses ``sock``: shut it down at the deadline (at once if it has passed)."""
        with self._lock:
            self._sock = sock
            fired = self._fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self._fired = True
            sock = self._sock
        if sock is not None:
            _shutdown(sock)

    def __enter__(self) -> CallWatchdog:
        self._armed = True
        _WATCHDOGS.arm(self, time.monotonic() + self.deadline.remaining())
        self._outer = active_watchdog()
        _ACTIVE.watchdog = self
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        _WATCHDOGS.disarm(self)
        _ACTIVE.watchdog = self._outer
        self._outer = None


def active_watchdog() -> Optional[CallWatchdog]:
    """The watchdog of the call running in this thread, if any."""
    watchdog: Optional[CallWatchdog] = getattr(_ACTIVE, "watchdog", None)
    return watchdog


def _watched_head(connection: HTTPConnection, get_response: Any) -> HTTPResponse:
    """``get_response()`` with the connection's socket watched; TimeoutError once cut off."""
    watchdog = active_watchdog()
    if watchdog is None or connection.sock is None:
        return get_response()  # type: ignore[no-any-return]
    watchdog.watch(connection.sock)
    try:
        response = get_response()
    except Exception as exc:
        if watchdog.fired:
            raise TimeoutError(f"response head not complete within {watchdog.deadline.budget:g} s") from exc
        raise
    if watchdog.fired:
        response.close()
        raise TimeoutError(f"response head not complete within {watchdog.deadline.budget:g} s")
    return response  # type: ignore[no-any-return]


class _WatchedHTTPConnection(HTTPConnection):
    """HTTP connection that hands its socket to the call's watchdog while reading the head."""

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        return _watched_head(self, super().getresponse)


class _WatchedHTTPSConnection(HTTPSConnection):
    """HTTPS connection that hands its socket to the call's watchdog while reading the head."""

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        return _watched_head(self, super().getresponse)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """HTTPAdapter whose connections let the call's watchdog cut off a trickled head (no proxies)."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPConnectionPool,
            "https": _WatchedHTTPSConnectionPool,
        }


def mount_deadline_adapter(session: requests.Session) -> requests.Session:
    """Mount a DeadlineAdapter on ``session`` for http:// and https://; return the session."""
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
