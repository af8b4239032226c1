"""Small OAuth 2.0 authorization servers for linkcheck's tests: real HTTP on 127.0.0.1.

One server class with switches; each switch turns one conformant behaviour into a defect
that real servers have shown (see ALEXA-FACTS: Access token URI, Authorization URI).
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

CLIENT_ID = "alexa-skill"
CLIENT_SECRET = "test-client-secret-5f2c"
USER_EMAIL = "rider@example.com"
USER_PASSWORD = "correct horse battery"
VENDOR_ID = "M2AAAAAAAAAAAA"
REDIRECT_URL = f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}"
REGISTERED_REDIRECTS = (
    REDIRECT_URL,
    f"https://layla.amazon.com/api/skill/link/{VENDOR_ID}",
    f"https://alexa.amazon.co.jp/api/skill/link/{VENDOR_ID}",
)


@dataclass
class Behaviour:
    """Switches; all defaults are conformant."""

    form_encoded_token: bool = False
    string_expires_in: bool = False
    echo_state: bool = True
    refresh_basic_only: bool = False
    open_redirect: bool = False
    issue_refresh_token: bool = True
    alert_in_page: bool = False
    token_delay: float = 0.0
    accept_wrong_secret: bool = False
    accept_replayed_code: bool = False
    frame_protection: bool = True
    viewport: bool = True
    strict_rotation: bool = False
    require_pkce: bool = False
    user_field: str = "email"
    input_submit_consent: bool = False
    www_authenticate: bool = True
    localized: bool = True
    redirect_override: str | None = None
    #: Cache-Control: no-store on token answers (RFC 6749 5.1).
    token_cache_control: bool = True
    #: Referrer-Policy header of the login and consent pages (None: no header).
    referrer_policy: str | None = "no-referrer"
    #: How redirect_uri is compared with the registered ones: "exact" (conformant),
    #: "prefix" (startswith a registered URI), "scheme-insensitive" (ignores http/https),
    #: "origin-prefix" (starts with a registered origin string and ends with its path).
    redirect_match: str = "exact"
    #: the redirect URIs registered for the client (all three Alexa regions by default)
    registered: tuple[str, ...] = REGISTERED_REDIRECTS
    #: the token endpoint does not compare redirect_uri with the code's (RFC 6749 4.1.3)
    ignore_code_redirect: bool = False
    #: expires_in of token answers, and how long refresh tokens live (None: forever)
    expires_in: int = 3600
    refresh_ttl: float | None = None
    #: the client secret the server expects; Basic credentials taken without URL-decoding
    client_secret: str = CLIENT_SECRET
    basic_undecoded: bool = False
    #: a wrong password's page: error inline (class "error"), and/or an alert() box
    error_inline: bool = True
    alert_on_wrong_password: bool = False
    #: login in two steps: e-mail first, then the password on a second page
    two_step_login: bool = False
    #: the consent page: "buttons" (Deny/Allow), "checkbox" (a checkbox and Submit),
    #: "link-account" (one button), "french" (Refuser/Autoriser), "ambiguous" (two buttons
    #: whose captions say nothing: "Option A"/"Option B", the second one allows)
    consent_style: str = "buttons"


@dataclass
class State:
    """What the server remembers: browser sessions, codes, tokens."""

    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: refresh token -> the refresh token it replaced (revoked once the new one is used).
    refresh_tokens: dict[str, str | None] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    #: refresh token -> time.monotonic() when it was issued
    refresh_born: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


LOGIN_PAGE = """<!doctype html><html><head><title>Sign in</title>{viewport}{script}</head>
<body><h1>{heading}</h1><p>Use your Taxi Tester account.</p>{error}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{csrf}">
{user_input}
{password_input}
<button type="submit">{button}</button></form></body></html>"""
USER_INPUT = ('<input type="email" name="{user_field}" autocapitalize="off" autocorrect="off"'
              ' value="{value}">')
HIDDEN_USER = '<input type="hidden" name="{user_field}" value="{value}"><p>{value}</p>'
PASSWORD_INPUT = '<input type="password" name="password">'


CONSENT_PAGE = """<!doctype html><html><head><meta name="viewport" content="width=device-width">
</head><body><p>Allow the Alexa skill to order rides?</p>
<form method="post" action="/consent"><input type="hidden" name="csrf_token" value="{csrf}">
{buttons}</form></body></html>"""
BUTTONS = """<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>"""
INPUT_BUTTONS = """<input type="submit" name="cancel" value="No thanks">
<input type="submit" name="approve" value="Approve">"""
CONSENT_BUTTONS = {
    "buttons": BUTTONS,
    # Authlib's example server: one checkbox and a plain Submit button.
    "checkbox": """<label><input type="checkbox" name="confirm"> Consent?</label>
<button>Submit</button>""",
    "link-account": """<button type="submit" name="decision" value="allow">Link account</button>
<a href="/cancel">Not now</a>""",
    "french": """<button type="submit" name="decision" value="deny">Refuser</button>
<button type="submit" name="decision" value="allow">Autoriser</button>""",
    "ambiguous": """<button type="submit" name="choice" value="a">Option A</button>
<button type="submit" name="choice" value="b">Option B</button>""",
}


def _registered(uri: str, how: str, redirects: tuple[str, ...] = REGISTERED_REDIRECTS) -> bool:
    """Whether ``uri`` passes the server's redirect URI comparison ``how``."""
    for registered in redirects:
        parts = urlsplit(registered)
        if how == "exact" and uri == registered:
            return True
        if how == "prefix" and uri.startswith(registered):
            return True
        if how == "scheme-insensitive" and uri.partition("://")[2] == registered.partition(
                "://")[2]:
            return True
        if how == "origin-prefix" and uri.startswith(f"{parts.scheme}://{parts.netloc}") \
                and uri.endswith(parts.path):
            return True
    return False


def _s256(verifier: str) -> str:
    """The PKCE S256 code challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OAuthTestServer:
    """An authorization server on 127.0.0.1 in a thread; ``behaviour`` picks its defects."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.state = State()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def authorization_url(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def start(self) -> "OAuthTestServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(_Handler):
            owner = server

        return Handler


class _Handler(BaseHTTPRequestHandler):
    """Routes: /authorize, /login, /consent, /token."""

    owner: OAuthTestServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""

    # -- helpers --------------------------------------------------------------------
    @property
    def b(self) -> Behaviour:
        return self.owner.behaviour

    @property
    def st(self) -> State:
        return self.owner.state

    def send(self, status: int, body: str, ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, location: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def session(self) -> tuple[str, dict[str, Any], dict[str, str]]:
        cookie = self.headers.get("Cookie", "")
        sid = next((c.split("=", 1)[1] for c in cookie.split("; ") if c.startswith("sid=")), "")
        with self.st.lock:
            if sid not in self.st.sessions:
                sid = secrets.token_urlsafe(16)
                self.st.sessions[sid] = {"csrf": secrets.token_urlsafe(16)}
                return sid, self.st.sessions[sid], {"Set-Cookie": f"sid={sid}; Path=/; HttpOnly"}
            return sid, self.st.sessions[sid], {}

    def form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def page_headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = dict(extra)
        if self.b.frame_protection:
            headers["X-Frame-Options"] = "DENY"
        if self.b.referrer_policy:
            headers["Referrer-Policy"] = self.b.referrer_policy
        return headers

    def login_page(self, sess: dict[str, Any], headers: dict[str, str], error: str = "") -> None:
        email = sess.get("email")
        if self.b.two_step_login and not email:
            user_input, password_input, button = USER_INPUT, "", "Next"
        elif self.b.two_step_login:
            user_input, password_input, button = HIDDEN_USER, PASSWORD_INPUT, "Sign in"
        else:
            user_input, password_input, button = USER_INPUT, PASSWORD_INPUT, "Sign in"
        shown = ""
        if error and self.b.error_inline:
            shown = f'<p class="error" role="alert">{html.escape(error)}</p>'
        elif error:
            shown = f"<p>{html.escape(error)}</p>"
        script = '<script>alert("Welcome!")</script>' if self.b.alert_in_page else ""
        if error and self.b.alert_on_wrong_password:
            script += f'<script>alert({json.dumps(error)})</script>'
        self.send(200, LOGIN_PAGE.format(
            csrf=sess["csrf"], error=shown, button=button,
            user_input=user_input.format(user_field=self.b.user_field,
                                         value=html.escape(email or "")),
            password_input=password_input,
            heading="Bei Taxi Tester anmelden" if self.b.localized and self.headers.get(
                "Accept-Language", "").startswith("de") else "Sign in to Taxi Tester",
            viewport='<meta name="viewport" content="width=device-width, initial-scale=1">'
            if self.b.viewport else "", script=script),
            headers=self.page_headers(headers))

    # -- routes ---------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path == "/authorize":
            self.authorize({k: v[0] for k, v in parse_qs(parts.query).items()})
        elif parts.path == "/consent":
            self.do_consent_page()
        else:
            self.send(404, "not found")

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/login":
            self.login()
        elif path == "/consent":
            self.consent()
        elif path == "/token":
            self.token()
        else:
            self.send(404, "not found")

    def authorize(self, q: dict[str, str]) -> None:
        if q.get("client_id") != CLIENT_ID:
            self.send(400, "<p>Unknown client.</p>")
            return
        if not _registered(q.get("redirect_uri", ""), self.b.redirect_match, self.b.registered) \
                and not self.b.open_redirect:
            self.send(400, "<p>This redirect URI is not registered.</p>")
            return
        if self.b.require_pkce and (not q.get("code_challenge")
                                    or q.get("code_challenge_method") != "S256"):
            self.send(400, "<p>PKCE is required.</p>")
            return
        if q.get("response_type") not in ("code", "token"):
            self.send(400, "<p>Unsupported response type.</p>")
            return
        _, sess, headers = self.session()
        sess["request"] = q
        sess.pop("email", None)
        self.login_page(sess, headers)

    def login(self) -> None:
        data = self.form()
        _, sess, headers = self.session()
        if data.get("csrf_token") != sess["csrf"] or "request" not in sess:
            self.send(400, "<p>The form expired. Start again.</p>")
            return
        if self.b.two_step_login and "password" not in data:
            if data.get(self.b.user_field) != USER_EMAIL:
                self.login_page(sess, headers, "No account with this e-mail address.")
                return
            sess["email"] = USER_EMAIL
            self.login_page(sess, headers)
            return
        if data.get(self.b.user_field) != USER_EMAIL or data.get("password") != USER_PASSWORD:
            sess.pop("email", None)
            self.login_page(sess, headers, "Wrong e-mail address or password.")
            return
        sess["user"] = USER_EMAIL
        self.redirect("/consent", headers)

    def do_consent_page(self) -> None:
        _, sess, headers = self.session()
        buttons = INPUT_BUTTONS if self.b.input_submit_consent else CONSENT_BUTTONS[
            self.b.consent_style]
        self.send(200, CONSENT_PAGE.format(csrf=sess["csrf"], buttons=buttons),
                  headers=self.page_headers(headers))

    def consent(self) -> None:
        data = self.form()
        _, sess, _ = self.session()
        if data.get("csrf_token") != sess["csrf"] or "user" not in sess:
            self.send(400, "<p>The form expired. Start again.</p>")
            return
        if "approve" in data:
            data["decision"] = "allow"
        elif "cancel" in data:
            data["decision"] = "deny"
        elif "choice" in data:
            data["decision"] = "allow" if data["choice"] == "b" else "deny"
        elif self.b.consent_style == "checkbox":
            data["decision"] = "allow" if data.get("confirm") else "deny"
        if "decision" not in data:
            self.do_consent_page()
            return
        req = sess.pop("request")
        redirect = self.b.redirect_override or req["redirect_uri"]
        params: dict[str, str] = {}
        if data["decision"] != "allow":
            params["error"] = "access_denied"
        elif req["response_type"] == "code":
            code = secrets.token_urlsafe(24)
            with self.st.lock:
                self.st.codes[code] = {"redirect_uri": redirect, "used": False,
                                       "challenge": req.get("code_challenge")}
                self.st.issued.append(code)
            params["code"] = code
        if self.b.echo_state:
            params["state"] = req.get("state", "")
        if req["response_type"] == "token" and data["decision"] == "allow":
            token = self.new_token()
            self.redirect(f"{redirect}#" + urlencode(
                {"access_token": token, "token_type": "Bearer", "expires_in": 3600, **params}))
            return
        self.redirect(f"{redirect}?{urlencode(params)}")

    # -- token endpoint -------------------------------------------------------------
    def new_token(self) -> str:
        token = secrets.token_urlsafe(32)
        with self.st.lock:
            self.st.issued.append(token)
        return token

    def oauth_error(self, status: int, error: str) -> None:
        headers = ({"WWW-Authenticate": 'Basic realm="token"'}
                   if status == 401 and self.b.www_authenticate else {})
        self.send(status, json.dumps({"error": error}), "application/json", headers)

    def token(self) -> None:
        if self.b.token_delay:
            time.sleep(self.b.token_delay)
        data = self.form()
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            if not self.b.basic_undecoded:
                cid, secret = unquote(cid), unquote(secret)
        else:
            cid, secret = data.get("client_id", ""), data.get("client_secret", "")
            if data.get("grant_type") == "refresh_token" and self.b.refresh_basic_only:
                self.oauth_error(401, "invalid_client")
                return
        if cid != CLIENT_ID or (secret != self.b.client_secret and not self.b.accept_wrong_secret):
            self.oauth_error(401, "invalid_client")
            return
        grant = data.get("grant_type")
        with self.st.lock:
            if grant == "authorization_code":
                entry = self.st.codes.get(data.get("code", ""))
                if entry is None or (entry["redirect_uri"] != data.get("redirect_uri")
                                     and not self.b.ignore_code_redirect) or (
                        entry["used"] and not self.b.accept_replayed_code) or (
                        entry["challenge"] and entry["challenge"] != _s256(
                            data.get("code_verifier", ""))):
                    ok = False
                else:
                    entry["used"] = ok = True
                parent = None
            elif grant == "refresh_token":
                parent = data.get("refresh_token", "")
                ok = parent in self.st.refresh_tokens and (
                    self.b.refresh_ttl is None
                    or time.monotonic() - self.st.refresh_born[parent] < self.b.refresh_ttl)
                if ok:
                    # Using a refresh token revokes the one it replaced (grace until then).
                    self.st.refresh_tokens.pop(self.st.refresh_tokens[parent] or "", None)
                    if self.b.strict_rotation:
                        self.st.refresh_tokens.pop(parent)
            else:
                self.oauth_error(400, "unsupported_grant_type")
                return
        if not ok:
            self.oauth_error(400, "invalid_grant")
            return
        expires: Any = self.b.expires_in
        answer: dict[str, Any] = {"access_token": self.new_token(), "token_type": "Bearer",
                                  "expires_in": str(expires) if self.b.string_expires_in
                                  else expires}
        if self.b.issue_refresh_token:
            refresh = self.new_token()
            with self.st.lock:
                self.st.refresh_tokens[refresh] = parent
                self.st.refresh_born[refresh] = time.monotonic()
            answer["refresh_token"] = refresh
        headers = {"Cache-Control": "no-store"} if self.b.token_cache_control else {}
        if self.b.form_encoded_token:
            self.send(200, urlencode(answer), "application/x-www-form-urlencoded", headers)
        else:
            self.send(200, json.dumps(answer), "application/json;charset=UTF-8", headers)
