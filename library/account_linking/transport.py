"""A requests transport adapter whose response headers cannot outlast the call's deadline.

requests' (and urllib3's) read timeout bounds each socket read, so a server sending its
status line and headers a byte at a time can hold a call for as long as it likes. Mounted
on a session (:func:`mount_deadline_adapter`), :class:`DeadlineAdapter` makes every
connection start a watchdog timer when it waits for the response head: if the head is not
complete when the read timeout (with ``urllib3.Timeout(total=...)``: the time left before
the call's deadline) runs out, the socket is shut down and the call fails as a read
timeout. :func:`account_linking.http.send` then streams the body against the same deadline.
"""
from __future__ import annotations

import socket
import threading
from typing import Any, Callable

import requests
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import HTTPResponse


def _head_within_timeout(
    connection: HTTPConnection, get_response: Callable[[], HTTPResponse]
) -> HTTPResponse:
    """``get_response()``, or TimeoutError once ``connection.timeout`` seconds pass."""
    limit = connection.timeout
    sock = connection.sock
    if not isinstance(limit, (int, float)) or limit <= 0 or sock is None:
        return get_response()
    expired = threading.Event()

    def abandon() -> None:
        expired.set()
        try:  # the plain socket's shutdown wakes a blocked recv (TLS or not)
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass

    timer = threading.Timer(limit, abandon)
    timer.daemon = True
    timer.start()
    try:
        response = get_response()
    except Exception as exc:
        if expired.is_set():
            raise TimeoutError(f"response head not complete within {limit:g} s") from exc
        raise
    finally:
        timer.cancel()
    if expired.is_set():
        response.close()
        raise TimeoutError(f"response head not complete within {limit:g} s")
    return response


class _WatchedHTTPConnection(HTTPConnection):
    """HTTP connection whose response head is read against its timeout as a whole."""

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        return _head_within_timeout(self, super().getresponse)


class _WatchedHTTPSConnection(HTTPSConnection):
    """HTTPS connection whose response head is read against its timeout as a whole."""

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        return _head_within_timeout(self, super().getresponse)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """HTTPAdapter whose connections bound the response head by the read timeout (no proxies)."""

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
