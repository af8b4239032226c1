"""A raw-socket HTTP server on 127.0.0.1 that shows faults http.server cannot.

Each path answers with a *fault* (default ``ok``): a healthy Ride Hailer answer, a reset
mid-body, a stall, a slow trickle (of the body, or of the
status line and headers), a healthy answer after ``slow_delay`` (``slow``), a 5xx, HTML, JSON of the wrong shape, or a 401 with or
without a Bearer challenge. ``refuse()`` closes the listening socket so that connections
are refused; ``resume()`` listens again on the same port.
"""
from __future__ import annotations

import collections
import gzip
import json
import socket
import struct
import threading
from typing import Callable

#: Faults a path can be told to show.
FAULTS = (
    "ok", "reset", "stall", "trickle", "503", "html", "wrong_shape", "401_proxy", "401_invalid_token",
    "403_insufficient_scope", "ok_chunked", "ok_gzip", "slow",
    "trickle_head",
)
PROFILE = {"id": "user-1", "name": "Ada", "email": "ada@example.com"}
SCOPES = "profile rides:read rides:write"
#: Length of the trickled body: valid JSON, so waiting long enough would succeed.
TRICKLE_BODY_BYTES = 200


LWA_PROFILE = {"user_id": "amzn1.account.ADA", "name": "Ada", "email": "ada@example.com"}
#: Path of the Login with Amazon profile API played by this server.
LWA_PATH = "/user/profile"
RIDE = {"id": "ride-1", "status": "accepted", "destination": "the airport",
        "eta_minutes": 6, "fare": {"amount": 18.0, "currency": "USD"}}


def _ok_body(method: str, path: str) -> tuple[int, dict[str, object]]:
    if path == "/api/v1/me":
        return 200, PROFILE
    if path == LWA_PATH:
        return 200, LWA_PROFILE
    if path == "/api/v1/rides" and method == "POST":
        return 201, RIDE
    if path == "/api/v1/fares/estimate":
        return 200, {"destination": "the airport", "amount": 23.5, "currency": "EUR", "eta_minutes": 4}
    if path == "/api/v1/rides/current" and method == "GET":
        return 200, RIDE
    if path == "/api/v1/rides/current/cancel" and method == "POST":
        return 200, dict(RIDE, status="cancelled")
    return 404, {"error": "not_found"}


def _head(status: int, reason: str, headers: dict[str, str], length: int) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {length}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class FaultServer:
    """Serves each connection in its own daemon thread; one request per connection."""

    def __init__(self, trickle_interval: float = 0.2, slow_delay: float = 0.3) -> None:
        self.faults: dict[str, str] = {}
        #: Seconds the ``slow`` fault waits before its healthy answer.
        self.slow_delay = slow_delay
        #: Called with (method, path) as each request arrives, before it is answered.
        self.on_request: Callable[[str, str], None] | None = None
        self.calls: collections.Counter[str] = collections.Counter()
        self.trickle_interval = trickle_interval
        #: Scope named by the ``403_insufficient_scope`` challenge.
        self.insufficient_scope = "rides:write"
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._held: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(32)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed by refuse() or close()
            with self._lock:
                self._held.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def refuse(self) -> None:
        """Stop listening: new connections are refused."""
        if self._listener is not None:
            try:  # shutdown wakes the thread blocked in accept(); close alone does not
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None

    def resume(self) -> None:
        """Listen again on the same port."""
        if self._listener is None:
            self._listen()

    def fault(self, fault: str, path: str = "*") -> None:
        """Make ``path`` (or every path) show ``fault``."""
        assert fault in FAULTS, fault
        self.faults[path] = fault

    def close(self) -> None:
        self.stopped.set()
        self.refuse()
        with self._lock:
            for conn in self._held:
                try:
                    conn.close()
                except OSError:
                    pass

    def _read_request(self, conn: socket.socket) -> tuple[str, str]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return method, target.split("?", 1)[0]

    def _serve(self, conn: socket.socket) -> None:
        try:
            method, path = self._read_request(conn)
            with self._lock:
                self.calls[path] += 1
            if self.on_request is not None:
                self.on_request(method, path)
            fault = self.faults.get(path, self.faults.get("*", "ok"))
            if fault == "stall":
                return  # never answer; close() releases the connection
            if fault == "slow":
                if self.stopped.wait(self.slow_delay):
                    return
                fault = "ok"
            self._answer(conn, fault, method, path)
        except OSError:
            pass
        try:
            conn.close()
        except OSError:
            pass

    def _json(self, conn: socket.socket, status: int, reason: str, body: object,
              headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        conn.sendall(_head(status, reason, {"Content-Type": "application/json", **(headers or {})}, len(raw)) + raw)

    def _answer(self, conn: socket.socket, fault: str, method: str, path: str) -> None:
        status, body = _ok_body(method, path)
        handlers: dict[str, Callable[[], None]] = {
            "ok": lambda: self._json(conn, status, "OK", body, {"X-OAuth-Scopes": SCOPES}),
            "503": lambda: self._json(conn, 503, "Service Unavailable", {"error": "server_error"}),
            "wrong_shape": lambda: self._json(conn, 200, "OK", {"data": [body]}, {"X-OAuth-Scopes": SCOPES}),
            "401_invalid_token": lambda: self._json(
                conn, 401, "Unauthorized", {"error": "invalid_token"},
                {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="revoked"'}),
            "403_insufficient_scope": lambda: self._json(
                conn, 403, "Forbidden", {"error": "insufficient_scope"},
                {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{self.insufficient_scope}"'}),
        }
        if fault in handlers:
            handlers[fault]()
        elif fault in ("html", "401_proxy"):
            html = b"<html><body><h1>Please sign in to the proxy</h1></body></html>"
            code, reason = (200, "OK") if fault == "html" else (401, "Unauthorized")
            conn.sendall(_head(code, reason, {"Content-Type": "text/html"}, len(html)) + html)
        elif fault == "ok_chunked":  # healthy, as a proxy might re-frame it
            raw = json.dumps(body).encode()
            head = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                    f"X-OAuth-Scopes: {SCOPES}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (raw[:7], raw[7:]))
            conn.sendall(head.encode() + chunks + b"0\r\n\r\n")
        elif fault == "ok_gzip":  # healthy, compressed
            raw = gzip.compress(json.dumps(body).encode())
            conn.sendall(_head(status, "OK", {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                              "X-OAuth-Scopes": SCOPES}, len(raw)) + raw)
        elif fault == "reset":
            raw = json.dumps(body).encode()
            conn.sendall(_head(status, "OK", {"Content-Type": "application/json"}, len(raw) + 100) + raw[:5])
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif fault == "trickle_head":  # status line and headers a byte at a time, then the body
            raw = json.dumps(body).encode()
            head = _head(status, "OK", {"Content-Type": "application/json", "X-OAuth-Scopes": SCOPES}, len(raw))
            for byte in head:
                if self.stopped.wait(self.trickle_interval):
                    return
                conn.sendall(bytes([byte]))
            conn.sendall(raw)
        elif fault == "trickle":
            raw = json.dumps(body).encode()
            raw += b" " * (TRICKLE_BODY_BYTES - len(raw))
            conn.sendall(_head(status, "OK", {"Content-Type": "application/json", "X-OAuth-Scopes": SCOPES}, len(raw)))
            for byte in raw:
                if self.stopped.wait(self.trickle_interval):
                    return
                conn.sendall(bytes([byte]))

