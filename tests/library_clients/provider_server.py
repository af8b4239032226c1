"""A real HTTP server on 127.0.0.1 that plays any identity provider a test describes.

Tests give each path an answer (status, JSON or raw body, headers) or a function of the
request; ``stall`` makes a path hold its answer until the test ends. The server records
every request, so tests can count calls and read what the client sent.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional, Union
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        """The urlencoded body as single values."""
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    """What a path answers."""

    status: int = 200
    body: Any = None
    headers: Optional[dict[str, str]] = None


Answer = Union[Reply, Callable[[Request], Reply]]

#: Answer of a stalled path once the test releases it (too late for the client).
STALL = Reply(200, {"too": "late"})


class ProviderServer:
    """ThreadingHTTPServer in a daemon thread; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.stalled: set[str] = set()
        self.seen: list[Request] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(method, path, dict(self.headers), self.rfile.read(length) if length else b"")
                with server.lock:
                    server.seen.append(request)
                if path in server.stalled:
                    server.release.wait(30)
                    reply = STALL
                else:
                    answer = server.routes.get(path, Reply(404, {"error": "not_found"}))
                    reply = answer(request) if callable(answer) else answer
                raw = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (reply.headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> "ProviderServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, path: str, answer: Answer) -> None:
        """Make ``path`` answer with ``answer`` from now on."""
        self.stalled.discard(path)
        self.routes[path] = answer

    def stall(self, path: str) -> None:
        """Make ``path`` hold its answer until the server stops."""
        self.stalled.add(path)

    def calls(self, path: str) -> int:
        """How many requests reached ``path``."""
        with self.lock:
            return sum(1 for request in self.seen if request.path == path)

    def requests_to(self, path: str) -> list[Request]:
        """The requests that reached ``path``, oldest first."""
        with self.lock:
            return [request for request in self.seen if request.path == path]
