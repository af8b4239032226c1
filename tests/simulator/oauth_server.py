"""A tiny real OAuth 2.0 authorization + resource server on 127.0.0.1, for simulator tests.

Login form with a hidden CSRF field, consent form, token endpoint (HTTP_BASIC or
REQUEST_BODY_CREDENTIALS), refresh with rotation, and GET /api/me for the test skill.
"""
from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class OAuthState:
    """Everything the server knows; tests read and change it."""

    client_id: str = "alexa-skill"
    client_secret: str = "s3cret-client"
    scheme: str = "HTTP_BASIC"
    redirect_uri: str = "https://pitangui.amazon.com/api/skill/link/M0TEST"
    users: dict[str, tuple[str, str]] = field(default_factory=lambda: {"rider@example.com": ("correct horse", "Robin")})
    expires_in: int = 3600
    tamper_state: bool = False  #: answer with a different state (a broken or hostile server)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    accept_languages: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def revoke_all(self) -> None:
        """Revoke every access and refresh token (like a password reset)."""
        with self.lock:
            self.access_tokens.clear()
            self.refresh_tokens.clear()


def _page(body: str) -> bytes:
    return f"<!doctype html><html><body>{body}</body></html>".encode()


def make_handler(state: OAuthState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        # helpers ------------------------------------------------------------------------
        def _send(self, status: int, body: bytes = b"", content_type: str = "text/html", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(data).encode(), "application/json", headers)

        def _session(self) -> tuple[str, dict[str, Any]]:
            cookie = self.headers.get("Cookie", "")
            for part in cookie.split(";"):
                key, _, value = part.strip().partition("=")
                if key == "sid" and value in state.sessions:
                    return value, state.sessions[value]
            sid = secrets.token_urlsafe(8)
            state.sessions[sid] = {"csrf": secrets.token_urlsafe(8)}
            return sid, state.sessions[sid]

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length", 0))
            return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

        def _login_page(self, sid: str, session: dict[str, Any], error: str = "") -> None:
            body = (f'<p class="error">{html.escape(error)}</p>' if error else "") + (
                '<form method="post" action="/login">'
                f'<input type="hidden" name="csrf_token" value="{session["csrf"]}">'
                '<input type="email" name="email"><input type="password" name="password">'
                '<button type="submit">Sign in</button></form>')
            self._send(200, _page(body), headers={"Set-Cookie": f"sid={sid}; Path=/"})

        # routes ---------------------------------------------------------------------------
        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            sid, session = self._session()
            if url.path == "/oauth/authorize":
                state.authorize_queries.append(query)
                state.accept_languages.append(self.headers.get("Accept-Language", ""))
                if query.get("client_id") != state.client_id or query.get("redirect_uri") != state.redirect_uri:
                    self._send(400, _page('<p class="error">Unknown client or redirect URI.</p>'))
                    return
                session["authorize"] = query
                self._send(302, headers={"Location": "/login", "Set-Cookie": f"sid={sid}; Path=/"})
            elif url.path == "/login":
                self._login_page(sid, session)
            elif url.path == "/oauth/consent":
                body = ('<p>Test Taxi wants: ' + html.escape(session["authorize"].get("scope", "")) + '</p>'
                        '<form method="post" action="/oauth/consent">'
                        f'<input type="hidden" name="csrf_token" value="{session["csrf"]}">'
                        '<button type="submit" name="decision" value="allow">Allow</button>'
                        '<button type="submit" name="decision" value="deny">Deny</button></form>')
                self._send(200, _page(body))
            elif url.path == "/api/me":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                with state.lock:
                    email = state.access_tokens.get(token)
                if email is None:
                    self._json(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
                else:
                    self._json(200, {"email": email, "name": state.users[email][1]})
            else:
                self._send(404, _page("not found"))

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            form = self._form()
            if url.path == "/oauth/token":
                self._token(form)
                return
            if url.path == "/oauth/revoke":  # RFC 7009; client authentication omitted in this test server
                with state.lock:
                    state.refresh_tokens.pop(form.get("token", ""), None)
                    state.access_tokens.pop(form.get("token", ""), None)
                self._json(200, {})
                return
            sid, session = self._session()
            if form.get("csrf_token") != session["csrf"]:
                self._send(400, _page('<p class="error">CSRF token missing or wrong.</p>'))
                return
            if url.path == "/login":
                user = state.users.get(form.get("email", ""))
                if user is None or user[0] != form.get("password"):
                    self._login_page(sid, session, "Wrong email or password.")
                    return
                session["user"] = form["email"]
                self._send(303, headers={"Location": "/oauth/consent"})
            elif url.path == "/oauth/consent":
                request = session["authorize"]
                if form.get("decision") != "allow":
                    target = request["redirect_uri"] + "?" + urllib.parse.urlencode({"error": "access_denied", "state": request["state"]})
                elif request.get("response_type") == "token":
                    access = secrets.token_urlsafe(16)
                    with state.lock:
                        state.access_tokens[access] = session["user"]
                    target = request["redirect_uri"] + "#" + urllib.parse.urlencode(
                        {"access_token": access, "token_type": "Bearer", "state": request["state"]})
                else:
                    code = secrets.token_urlsafe(16)
                    state.codes[code] = {"user": session["user"], "redirect_uri": request["redirect_uri"]}
                    returned = "tampered" if state.tamper_state else request["state"]
                    target = request["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": returned})
                self._send(302, headers={"Location": target})
            else:
                self._send(404, _page("not found"))

        def _token(self, form: dict[str, str]) -> None:
            authorization = self.headers.get("Authorization", "")
            state.token_requests.append({"form": dict(form), "authorization": authorization})
            if state.scheme == "HTTP_BASIC":
                try:
                    raw = base64.b64decode(authorization.removeprefix("Basic ")).decode()
                    client_id, _, secret = raw.partition(":")
                    client_id, secret = urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
                except (ValueError, UnicodeDecodeError):
                    client_id = secret = ""
            else:
                client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            if client_id != state.client_id or secret != state.client_secret:
                self._json(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="token"'})
                return
            with state.lock:
                if form.get("grant_type") == "authorization_code":
                    grant = state.codes.pop(form.get("code", ""), None)
                    if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                        self._json(400, {"error": "invalid_grant"})
                        return
                    email = grant["user"]
                elif form.get("grant_type") == "refresh_token":
                    email = state.refresh_tokens.pop(form.get("refresh_token", ""), None)
                    if email is None:
                        self._json(400, {"error": "invalid_grant", "error_description": "refresh token revoked"})
                        return
                else:
                    self._json(400, {"error": "unsupported_grant_type"})
                    return
                access, refresh_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
                state.access_tokens[access] = email
                state.refresh_tokens[refresh_token] = email
            self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": state.expires_in,
                             "refresh_token": refresh_token})

    return Handler


class OAuthServer:
    """Runs the handler on 127.0.0.1 in a thread."""

    def __init__(self, state: OAuthState) -> None:
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "OAuthServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
