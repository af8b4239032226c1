"""A real HTTP resource server on 127.0.0.1 that tests and bench tell how to answer.

It plays both the Ride Hailer API (ARCHITECTURE.md contract) and the Login with Amazon
profile API (``/user/profile``), counts calls per path, and records what it received.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

#: Outcomes a test can ask for.
MODES = ("ok", "400", "401_json", "403_forbidden", "redirect", "401", "401_bare", "403", "500", "malformed", "wrong_shape", "stall")

RIDE_HAILER_PROFILE = {"id": "user-1", "name": "Ada", "email": "ada@example.com"}
LWA_PROFILE = {"user_id": "amzn1.account.ADA", "name": "Ada", "email": "ada@example.com"}
LWA_PATH = "/user/profile"


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    client_port: int = 0


@dataclass
class State:
    """What the server answers and what it has seen."""

    modes: dict[str, str] = field(default_factory=dict)
    scopes_header: Optional[str] = "profile rides:read rides:write"
    missing_scope: str = "rides:write"
    lwa_profile: dict[str, Any] = field(default_factory=lambda: dict(LWA_PROFILE))
    ride: Optional[dict[str, Any]] = None
    ride_eta: Optional[int] = 6
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    stall_seconds: float = 5.0
    #: Stalled requests answered so far (after release or stall_seconds).
    stalls_answered: int = 0


class ResourceServer:
    """ThreadingHTTPServer in a daemon thread; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.state = State()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _send(self, status: int, body: Any, headers: Optional[dict[str, str]] = None) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with state.lock:
                    state.seen.append(Seen(method, parts.path, parts.query, dict(self.headers), body, self.client_address[1]))
                mode = state.modes.get(parts.path, state.modes.get("*", "ok"))
                if mode == "stall":
                    state.release.wait(state.stall_seconds)
                    with state.lock:
                        state.stalls_answered += 1
                    self._send(200, {"too": "late"})
                    return
                if mode == "401":
                    self._send(401, {"error": "invalid_token"},
                               {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'})
                    return
                if mode == "401_json":  # LWA style: OAuth error body, no challenge header
                    self._send(401, {"error": "invalid_token", "error_description": "The token is expired"})
                    return
                if mode == "403_forbidden":
                    self._send(403, {"error": "forbidden"})
                    return
                if mode == "redirect":
                    self._send(302, b"", {"Location": "https://login.example.com/"})
                    return
                if mode == "401_bare":
                    self._send(401, b"<html>proxy login required</html>")
                    return
                if mode == "403":
                    self._send(403, {"error": "insufficient_scope"},
                               {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{state.missing_scope}"'})
                    return
                if mode == "400":
                    self._send(400, {"error": "invalid_request", "error_description": "unknown destination"})
                    return
                if mode == "500":
                    self._send(500, {"error": "server_error"})
                    return
                if mode == "malformed":
                    self._send(200, b"{not json")
                    return
                if mode == "wrong_shape":
                    self._send(200, ["a", "list"])
                    return
                self._ok(method, parts.path, parse_qs(parts.query), body)

            def _ok(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
                if path == "/api/v1/me":
                    headers = {"X-OAuth-Scopes": state.scopes_header} if state.scopes_header is not None else {}
                    self._send(200, RIDE_HAILER_PROFILE, headers)
                elif path == LWA_PATH:
                    self._send(200, state.lwa_profile)
                elif path == "/api/v1/fares/estimate":
                    destination = query.get("destination", [""])[0]
                    self._send(200, {"destination": destination, "amount": 23.5, "currency": "EUR", "eta_minutes": 4})
                elif path == "/api/v1/rides" and method == "POST":
                    destination = json.loads(body or b"{}").get("destination", "")
                    if not destination:
                        self._send(400, {"error": "invalid_request", "error_description": "destination is required"})
                        return
                    state.ride = {"id": "ride-1", "status": "accepted", "destination": destination,
                                  "eta_minutes": state.ride_eta, "fare": {"amount": 18.0, "currency": "USD"},
                                  "created_at": "2026-11-22T00:00:00Z"}
                    self._send(201, state.ride)
                elif path == "/api/v1/rides/current" and method == "GET":
                    if state.ride is None:
                        self._send(404, {"error": "no_active_ride"})
                    else:
                        self._send(200, state.ride)
                elif path == "/api/v1/rides/current/cancel" and method == "POST":
                    if state.ride is not None and state.ride.get("status") == "picked_up":
                        self._send(409, {"error": "ride_in_progress",
                                         "error_description": "The rider has been picked up."})
                    elif state.ride is None:
                        self._send(404, {"error": "no_active_ride"})
                    else:
                        cancelled = dict(state.ride, status="cancelled")
                        state.ride = None
                        self._send(200, cancelled)
                else:
                    self._send(404, {"error": "not_found"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> ResourceServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.state.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, mode: str, path: str = "*") -> None:
        """Make ``path`` (or every path) answer with ``mode``."""
        assert mode in MODES, mode
        self.state.modes[path] = mode

    def calls(self, path: str) -> int:
        """How many requests reached ``path``."""
        with self.state.lock:
            return sum(1 for seen in self.state.seen if seen.path == path)
