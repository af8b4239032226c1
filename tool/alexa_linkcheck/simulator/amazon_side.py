"""Amazon's side of reciprocal authorization, on 127.0.0.1: an LWA token URL and an event gateway.

:class:`LwaStandIn` answers ``POST /auth/o2/token`` like Login with Amazon does for a
skill's messaging credentials: it issues AcceptGrant codes (``issue_grant_code``), exchanges
them once for an ``Atza|`` access token and ``Atzr|`` refresh token, and refreshes.
:class:`EventGatewayStandIn` answers ``POST /v3/events``: 202 only when the bearer token
is a live access token of the stand-in *and* the same token is in the event's scope;
401 otherwise. Scripted answers (``answer_next``) and ``refuse()`` show faults.
Both keep what they saw for the transcript and for tests. Used by the smart home
simulator, the tests and ``make demo-smarthome``.
"""
from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Self

#: Seconds an Alexa access token from the stand-in lives (LWA: about an hour).
ACCESS_TOKEN_LIFETIME = 3600


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _StandIn:
    """A small HTTP server on 127.0.0.1 in a daemon thread."""

    def __init__(self, port: int = 0) -> None:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet: no tokens in stderr
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = owner.answer(self.path, dict(self.headers), body)
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = _Server(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        raise NotImplementedError


@dataclass
class _Issued:
    user: str
    expires_at: float


class LwaStandIn(_StandIn):
    """LWA's token URL for one skill's messaging credentials (``client_id``/``client_secret``)."""

    def __init__(self, client_id: str, client_secret: str, clock: Callable[[], float] = time.time,
                 port: int = 0) -> None:
        super().__init__(port)
        self.client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._codes: dict[str, str] = {}  # code -> user label
        self._access: dict[str, _Issued] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> user label
        #: grant types seen, in order (for transcripts and tests; no tokens)
        self.calls: list[str] = []

    @property
    def token_url(self) -> str:
        return self.base_url + "/auth/o2/token"

    def issue_grant_code(self, user: str) -> str:
        """A fresh AcceptGrant code for ``user`` (what Alexa puts in payload.grant.code)."""
        code = "ANU" + secrets.token_urlsafe(12)
        with self._lock:
            self._codes[code] = user
        return code

    def is_live(self, access_token: str) -> Optional[str]:
        """The user of a live access token, else None."""
        with self._lock:
            issued = self._access.get(access_token)
            return issued.user if issued is not None and issued.expires_at > self._clock() else None

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (time passed)."""
        with self._lock:
            for issued in self._access.values():
                issued.expires_at = 0

    def revoke_user(self, user: str) -> None:
        """The user disabled the skill: tokens and refresh tokens of ``user`` stop working."""
        with self._lock:
            self._access = {t: i for t, i in self._access.items() if i.user != user}
            self._refresh = {t: u for t, u in self._refresh.items() if u != user}

    def _issue(self, user: str) -> dict[str, Any]:
        access, refresh = "Atza|" + secrets.token_urlsafe(24), "Atzr|" + secrets.token_urlsafe(24)
        self._access[access] = _Issued(user, self._clock() + ACCESS_TOKEN_LIFETIME)
        self._refresh[refresh] = user
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_LIFETIME}

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if urllib.parse.urlsplit(path).path != "/auth/o2/token":
            return 404, {"error": "not_found"}
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        grant_type = form.get("grant_type", "")
        with self._lock:
            self.calls.append(grant_type)
            if form.get("client_id") != self.client_id or not secrets.compare_digest(
                    form.get("client_secret", ""), self._client_secret):
                return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
            if grant_type == "authorization_code":
                user = self._codes.pop(form.get("code", ""), None)
                if user is None:
                    return 400, {"error": "invalid_grant", "error_description": "The code is invalid or used"}
                return 200, self._issue(user)
            if grant_type == "refresh_token":
                user = self._refresh.get(form.get("refresh_token", ""))
                if user is None:
                    return 400, {"error": "invalid_grant", "error_description": "The refresh token is invalid"}
                answer = self._issue(user)
                del self._refresh[answer["refresh_token"]]
                answer["refresh_token"] = form["refresh_token"]  # LWA keeps the refresh token
                return 200, answer
            return 400, {"error": "unsupported_grant_type"}


@dataclass
class ReceivedEvent:
    """One event the gateway received, and what it answered."""

    namespace: str
    name: str
    status: int
    user: Optional[str]
    body: dict[str, Any] = field(repr=False, default_factory=dict)


class EventGatewayStandIn(_StandIn):
    """The regional event gateway: checks the bearer token of every event (via the LWA stand-in)."""

    def __init__(self, lwa: LwaStandIn, port: int = 0) -> None:
        super().__init__(port)
        self._lwa = lwa
        self._scripted: list[tuple[int, Any]] = []
        self._refusing = False
        #: every event received, in order
        self.received: list[ReceivedEvent] = []

    @property
    def url(self) -> str:
        return self.base_url + "/v3/events"

    def answer_next(self, status: int, code: Optional[str] = None) -> None:
        """Answer the next event with ``status`` (and a payload ``code``) whatever its token."""
        body = {"header": {"namespace": "System", "name": "Exception"},
                "payload": {"code": code or "", "description": "scripted"}}
        with self._lock:
            self._scripted.append((status, body))

    def accepted(self) -> list[ReceivedEvent]:
        """The events answered 202."""
        with self._lock:
            return [event for event in self.received if event.status == 202]

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if urllib.parse.urlsplit(path).path != "/v3/events":
            return 404, None
        try:
            event = json.loads(body)
            header = event["event"]["header"]
            namespace, name = str(header["namespace"]), str(header["name"])
        except (ValueError, KeyError, TypeError):
            return 400, {"payload": {"code": "INVALID_REQUEST_EXCEPTION"}}
        authorization = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        token = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
        scope = (event["event"].get("endpoint") or {}).get("scope") or event["event"].get("payload", {}).get("scope") or {}
        user = self._lwa.is_live(token) if token else None
        with self._lock:
            if self._scripted:
                status, answer = self._scripted.pop(0)
            elif user is None or scope.get("token") != token:
                status, answer = 401, {"payload": {"code": "INVALID_ACCESS_TOKEN_EXCEPTION"}}
            else:
                status, answer = 202, None
            self.received.append(ReceivedEvent(namespace, name, status, user, event))
        return status, answer
