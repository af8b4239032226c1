"""``alexa-linkcheck server``: a live probe of an OAuth 2.0 authorization server, as Alexa calls it.

The probe plays the Alexa app (authorization request, login and consent forms, the redirect
back) and the Alexa service (code exchange, refreshes), then tries what Alexa never does but
an attacker would (wrong secret, replayed code, unregistered redirect URIs).
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit, urlunsplit

import requests

from alexa_linkcheck import authorization
from alexa_linkcheck import constants as C
from alexa_linkcheck.errors import UsageError
from alexa_linkcheck.forms import POPUP_CALLS, Page, parse_page
from alexa_linkcheck.report import CheckResult, Status

#: Hosts of the Alexa redirect URLs (ALEXA-FACTS: Authorization URI); never fetched.
ALEXA_REDIRECT_HOSTS = authorization.ALEXA_REDIRECT_HOSTS
#: Host used for the "another host" unregistered redirect URI (RFC 2606: never resolves).
FOREIGN_REDIRECT_HOST = "linkcheck.invalid"
#: Referrer-Policy values that keep the login page's URL (client_id, state, redirect_uri)
#: from other origins (W3C Referrer Policy, section 3).
SAFE_REFERRER_POLICIES = frozenset({"no-referrer", "same-origin", "origin", "strict-origin",
                                    "strict-origin-when-cross-origin"})
#: ``<meta name="referrer" content="...">`` in a page (HTML Living Standard 4.2.5.3).
META_REFERRER = re.compile(
    r"""<meta\s[^>]*name\s*=\s*["']?referrer["']?[^>]*content\s*=\s*["']([^"']*)["']""",
    re.IGNORECASE)
#: Redirect statuses a browser follows.
REDIRECT_STATUSES = authorization.REDIRECT_STATUSES
#: Second language asked for to see whether the login page follows Accept-Language.
OTHER_LANGUAGE = "de-DE"
#: How many pages and redirects one sign-in may take before linkcheck gives up.
MAX_STEPS = authorization.MAX_STEPS


@dataclass(frozen=True)
class ProbeConfig:
    """Everything the probe needs; secrets are never printed."""

    authorization_url: str
    token_url: str | None
    client_id: str
    client_secret: str | None
    scheme: str
    scopes: tuple[str, ...]
    grant: str
    username: str
    password: str
    redirect_url: str
    token_deadline: float = C.TOKEN_DEADLINE_SECONDS
    timeout: float = 15.0
    verify_tls: bool = True
    pkce: bool = False

    @classmethod
    def from_args(cls, args: Any, environ: Mapping[str, str]) -> "ProbeConfig":
        """Build from parsed arguments, an optional accountLinking.json and the environment."""
        file: dict[str, Any] = {}
        if args.from_file is not None:
            try:
                data = json.loads(Path(args.from_file).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UsageError(f"cannot read {args.from_file}: {exc}") from None
            file = data.get(C.ACCOUNT_LINKING_WRAPPER, data) if isinstance(data, dict) else {}
        grant = args.grant or file.get("type") or "AUTH_CODE"
        scheme = args.scheme or file.get("accessTokenScheme") or "HTTP_BASIC"
        if grant not in C.GRANTS or scheme not in C.SCHEMES:
            raise UsageError(f"grant must be one of {C.GRANTS} and scheme one of {C.SCHEMES}")
        scopes = tuple(s for arg in args.scope for s in arg.split()) or tuple(
            file.get("scopes") or ())
        authorization_url = args.authorization_url or file.get("authorizationUrl")
        token_url = args.token_url or file.get("accessTokenUrl")
        client_id = args.client_id or file.get("clientId")
        secret = args.client_secret or environ.get(args.client_secret_env) or None
        username = args.username or environ.get("LINKCHECK_USERNAME")
        password = args.password or environ.get(args.password_env)
        if args.redirect_url:
            redirect = args.redirect_url
        elif args.vendor_id:
            redirect = C.PITANGUI_REDIRECT.format(vendor_id=args.vendor_id)
        else:
            raise UsageError("give --redirect-url or --vendor-id (the Alexa redirect URL)")
        missing = [name for name, value in (
            ("--authorization-url", authorization_url), ("--client-id", client_id),
            ("--username (or LINKCHECK_USERNAME)", username),
            (f"--password (or {args.password_env})", password)) if not value]
        if grant == "AUTH_CODE":
            if not token_url:
                missing.append("--token-url")
            if not secret:
                missing.append(f"--client-secret (or {args.client_secret_env})")
        if missing:
            raise UsageError("missing " + ", ".join(missing))
        return cls(str(authorization_url), token_url, str(client_id), secret, scheme, scopes,
                   grant, str(username), str(password), redirect, args.token_deadline,
                   args.timeout, not args.insecure, args.pkce)


@dataclass
class Outcome:
    """Where one authorization request ended."""

    location: str | None = None
    error: str | None = None
    login_page: requests.Response | None = None
    steps: list[str] = field(default_factory=list)
    answered: bool = True


@dataclass
class TokenAnswer:
    """One answer of the token endpoint."""

    status: int | None
    seconds: float
    body: dict[str, Any] | None
    content_type: str
    text: str
    error: str | None = None
    www_authenticate: str = ""
    cache_control: str = ""

    @property
    def oauth_error(self) -> str | None:
        """The RFC 6749 ``error`` member of a JSON error answer."""
        return str(self.body.get("error")) if self.body and "error" in self.body else None


class Masker:
    """Replaces every known secret, code and token in text with ``***``."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, *values: Any) -> None:
        """Remember sensitive values (short ones are ignored: they would mask words)."""
        self.values.update(v for v in values if isinstance(v, str) and len(v) >= 4)

    def __call__(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, "***").replace(quote(value, safe=""), "***")
        return text


def is_loopback(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or localhost."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def unregistered_redirects(redirect_url: str) -> dict[str, str]:
    """Redirect URIs the server must refuse, by check name (RFC 6749 3.1.2, 10.6; RFC 6819
    4.2.4: compare the whole registered URI exactly)."""
    parts = urlsplit(redirect_url)
    head, _, last = parts.path.rstrip("/").rpartition("/")
    other_vendor = f"{head}/{last}LINKCHECK" if last else f"{parts.path}LINKCHECK"
    host = parts.hostname or ""
    query = f"{parts.query}&linkcheck=1" if parts.query else "linkcheck=1"
    other_scheme = "http" if parts.scheme == "https" else "https"
    return {
        "unregistered-redirect-vendor": urlunsplit(parts._replace(path=other_vendor)),
        "unregistered-redirect-host": urlunsplit(
            parts._replace(netloc=FOREIGN_REDIRECT_HOST)),
        "unregistered-redirect-trailing-slash": urlunsplit(
            parts._replace(path=parts.path.rstrip("/") + "/")) if not parts.path.endswith("/")
        else urlunsplit(parts._replace(path=parts.path.rstrip("/"))),
        "unregistered-redirect-extra-query": urlunsplit(parts._replace(query=query)),
        "unregistered-redirect-http": urlunsplit(parts._replace(scheme=other_scheme)),
        # Naive prefix checks see the Alexa host; browsers go to the host after the "@".
        "unregistered-redirect-userinfo": urlunsplit(
            parts._replace(netloc=f"{host}@{FOREIGN_REDIRECT_HOST}")),
    }


class Probe:
    """Runs the checks in order and collects one CheckResult per check."""

    def __init__(self, config: ProbeConfig) -> None:
        self.c = config
        self.results: list[CheckResult] = []
        self.mask = Masker()
        self.verifier = secrets.token_urlsafe(48)
        self.mask.add(config.client_secret, config.password, self.verifier)

    # -- plumbing ---------------------------------------------------------------------
    def record(self, name: str, status: Status, reason: str, seconds: float = 0.0) -> None:
        """Add one result, with secrets masked in the reason."""
        self.results.append(CheckResult(name, status, round(seconds, 3), self.mask(reason)))

    def skip(self, names: list[str], reason: str) -> None:
        """Record dependent checks that cannot run."""
        for name in names:
            self.record(name, "skip", reason)

    def session(self) -> requests.Session:
        """A cookie-keeping session like the Alexa app's web view."""
        s = requests.Session()
        s.verify = self.c.verify_tls
        s.headers["User-Agent"] = "linkcheck (plays the Alexa app)"
        s.headers["Accept-Language"] = "en-US"
        return s

    # -- the flows --------------------------------------------------------------------
    def authorization_request_url(self, redirect_uri: str, state: str) -> str:
        """The authorization URI with Alexa's query parameters (scopes space-delimited)."""
        parts = urlsplit(self.c.authorization_url)
        query = parse_qs(parts.query, keep_blank_values=True)
        params = [(k, v) for k, vs in query.items() for v in vs]
        params += [("client_id", self.c.client_id), ("redirect_uri", redirect_uri),
                   ("response_type", "code" if self.c.grant == "AUTH_CODE" else "token"),
                   ("state", state)]
        if self.c.scopes:
            params.append(("scope", " ".join(self.c.scopes)))
        if self.c.pkce:
            digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
            params += [("code_challenge", challenge), ("code_challenge_method", "S256")]
        return urlunsplit(parts._replace(query=urlencode(params, quote_via=quote)))

    def drive(self, redirect_uri: str, state: str) -> Outcome:
        """Sign in through the login (and consent) forms, following redirects by hand."""
        walk = authorization.walk_authorization(
            self.session(), self.authorization_request_url(redirect_uri, state), redirect_uri=redirect_uri,
            username=self.c.username, password=self.c.password or "", timeout=self.c.timeout)
        out = Outcome(location=walk.location, login_page=walk.login_page, steps=walk.steps)
        resp, text = walk.response, " ".join(walk.page.text) if walk.page else ""
        if walk.failure == authorization.HTTP_STATUS and resp is not None:
            out.error = f"HTTP {resp.status_code} from {urlsplit(resp.url).path}: {_snippet(_visible_text(resp))}"
        elif walk.failure == authorization.LOGIN_AGAIN:
            out.error = "the login form came back after signing in (credentials refused?): " + _snippet(text)
        elif walk.failure in (authorization.NO_FORM, authorization.CONSENT_AGAIN):
            out.error = "no login form, consent form or redirect on the page: " + _snippet(text)
        elif walk.failure == authorization.TOO_MANY_STEPS:
            out.error = f"gave up after {MAX_STEPS} pages and redirects"
        elif walk.failure == authorization.UNREACHABLE:
            out.error = f"{type(walk.exception).__name__}: {walk.exception}"
            out.answered = False
        return out

    def token_request(self, data: dict[str, str], secret: str | None = None) -> TokenAnswer:
        """POST to the token URL with the configured client authentication scheme."""
        secret = self.c.client_secret if secret is None else secret
        scheme = self.c.scheme if self.c.scheme == "HTTP_BASIC" else "REQUEST_BODY_CREDENTIALS"
        headers, data = authorization.client_authentication(scheme, self.c.client_id, secret, data)
        started = time.monotonic()
        try:
            resp = requests.post(str(self.c.token_url), data=data, headers=headers,
                                 timeout=self.c.timeout, verify=self.c.verify_tls,
                                 allow_redirects=False)
        except requests.RequestException as exc:
            return TokenAnswer(None, time.monotonic() - started, None, "", "",
                               f"{type(exc).__name__}: {exc}")
        seconds = time.monotonic() - started
        body: dict[str, Any] | None = None
        try:
            parsed = resp.json()
            body = parsed if isinstance(parsed, dict) else None
        except ValueError:
            body = None
        if body:
            self.mask.add(body.get("access_token"), body.get("refresh_token"))
        else:  # form-encoded or other answers still carry tokens that must not be printed
            for key, values in parse_qs(resp.text).items():
                if "token" in key.lower():
                    self.mask.add(*values)
        return TokenAnswer(resp.status_code, seconds, body,
                           resp.headers.get("Content-Type", ""), resp.text,
                           www_authenticate=resp.headers.get("WWW-Authenticate", ""),
                           cache_control=resp.headers.get("Cache-Control", ""))

    # -- checks -----------------------------------------------------------------------
    def run(self) -> list[CheckResult]:
        """Every check, in an order where each one cannot spoil the next."""
        self.check_https()
        state = secrets.token_urlsafe(24)
        started = time.monotonic()
        out = self.drive(self.c.redirect_url, state)
        seconds = time.monotonic() - started
        self.check_login_page(out)
        flow_checks = ["redirect-target", "state-echo",
                       "authorization-code" if self.c.grant == "AUTH_CODE" else "implicit-token"]
        if out.location is None:
            self.record("sign-in", "fail", out.error or "no redirect", seconds)
            self.skip(flow_checks, "sign-in failed")
            code = None
        else:
            self.record("sign-in", "pass", f"signed in and redirected ({len(out.steps)} steps)",
                        seconds)
            code = self.check_redirect(out.location, state)
        if self.c.grant == "AUTH_CODE":
            self.check_tokens(code)
        if out.location is None:
            self.skip(list(unregistered_redirects(self.c.redirect_url)), "sign-in failed: a "
                      "refusal could not be told from the failed sign-in")
        else:
            self.check_unregistered_redirects()
        return self.results

    def check_https(self) -> None:
        """Authorization and token URLs are HTTPS (loopback http only warns)."""
        for name, url in (("https-authorization-url", self.c.authorization_url),
                          ("https-token-url", self.c.token_url)):
            if url is None:
                continue
            if urlsplit(url).scheme == "https":
                self.record(name, "pass", "https")
            elif is_loopback(url):
                self.record(name, "warn", "plain http on a loopback host: fine for a local "
                            "test, Alexa only calls HTTPS")
            else:
                self.record(name, "fail", f"{urlsplit(url).scheme}:// URL; Alexa only calls "
                            "HTTPS (port 443, trusted certificate)")

    def check_login_page(self, out: Outcome) -> None:
        """The login page: no pop-ups or alerts, frame protection, mobile viewport."""
        names = ["no-popups", "frame-protection", "referrer-policy", "mobile-viewport",
                 "localized-page"]
        resp = out.login_page
        if resp is None:
            self.skip(names, "no login page found")
            return
        page = parse_page(resp.text)
        code = "\n".join(page.scripts + page.event_handlers + self.same_origin_scripts(
            resp.url, page))
        hits = sorted({m.group(0).rstrip("( ") for m in POPUP_CALLS.finditer(code)})
        if hits:
            self.record("no-popups", "fail", f"the login page calls {', '.join(hits)}; the "
                        "Alexa app forbids pop-ups and JavaScript message boxes: show errors "
                        "inline")
        else:
            self.record("no-popups", "pass", "no alert/confirm/prompt/window.open")
        xfo = resp.headers.get("X-Frame-Options")
        csp = resp.headers.get("Content-Security-Policy", "")
        if xfo or "frame-ancestors" in csp:
            self.record("frame-protection", "pass",
                        f"X-Frame-Options: {xfo}" if xfo else "CSP frame-ancestors")
        else:
            self.record("frame-protection", "warn", "neither X-Frame-Options nor CSP "
                        "frame-ancestors: the login page can be framed (clickjacking)")
        self.check_referrer_policy(resp)
        if page.viewport and "width" in page.viewport:
            self.record("mobile-viewport", "pass", f"viewport {page.viewport!r}")
        else:
            self.record("mobile-viewport", "warn", "no <meta name=viewport content="
                        "\"width=device-width\">: the page is not mobile friendly in the "
                        "Alexa app")
        self.check_localized_page(resp)

    def check_referrer_policy(self, resp: requests.Response) -> None:
        """The login page keeps its URL (client_id, state, redirect_uri) from other sites."""
        header = resp.headers.get("Referrer-Policy", "")
        meta = META_REFERRER.search(resp.text)
        # The last recognised token wins (W3C Referrer Policy 8.1); a meta tag overrides.
        values = [v.strip().lower() for v in header.split(",") if v.strip()]
        if meta:
            values.append(meta.group(1).strip().lower())
        policy = values[-1] if values else ""
        if policy in SAFE_REFERRER_POLICIES:
            self.record("referrer-policy", "pass", f"Referrer-Policy: {policy}")
        elif policy:
            self.record("referrer-policy", "warn", f"Referrer-Policy {policy} sends the login "
                        "page's full URL (client_id, state, redirect_uri) to other sites; use "
                        "no-referrer or same-origin")
        else:
            self.record("referrer-policy", "warn", "no Referrer-Policy: web views that do not "
                        "default to strict-origin-when-cross-origin send the login page's full "
                        "URL (client_id, state, redirect_uri) to other sites; send "
                        "Referrer-Policy: no-referrer")

    def check_localized_page(self, english: requests.Response) -> None:
        """The login page follows Accept-Language, as the Alexa app sets it."""
        started = time.monotonic()
        s = self.session()
        s.headers["Accept-Language"] = OTHER_LANGUAGE
        url = self.authorization_request_url(self.c.redirect_url, secrets.token_urlsafe(24))
        stop_hosts = ALEXA_REDIRECT_HOSTS | {urlsplit(self.c.redirect_url).hostname or ""}
        try:
            for _ in range(MAX_STEPS):
                other = s.get(url, allow_redirects=False, timeout=self.c.timeout)
                location = other.headers.get("Location")
                if other.status_code not in REDIRECT_STATUSES or not location:
                    break
                url = urljoin(other.url, location)
                if url.startswith(self.c.redirect_url) or urlsplit(url).hostname in stop_hosts:
                    break
        except requests.RequestException as exc:
            self.record("localized-page", "warn", f"{type(exc).__name__}: {exc}",
                        time.monotonic() - started)
            return
        seconds = time.monotonic() - started
        if parse_page(other.text).text != parse_page(english.text).text:
            self.record("localized-page", "pass", f"Accept-Language {OTHER_LANGUAGE} gives "
                        "another text", seconds)
        else:
            self.record("localized-page", "warn", f"Accept-Language {OTHER_LANGUAGE} gives the "
                        "same text as en-US: the page ignores the Alexa app's language (fine "
                        "if the skill has English locales only)", seconds)

    def same_origin_scripts(self, page_url: str, page: Page) -> list[str]:
        """Source of up to five scripts the login page loads from its own origin."""
        origin = urlsplit(page_url)[:2]
        out = []
        for src in page.script_srcs[:5]:
            url = urljoin(page_url, src)
            if urlsplit(url)[:2] != origin:
                continue
            try:
                out.append(requests.get(url, timeout=self.c.timeout,
                                        verify=self.c.verify_tls).text)
            except requests.RequestException:
                continue
        return out

    def check_redirect(self, location: str, state: str) -> str | None:
        """The redirect: target, state, and the code (or the implicit fragment)."""
        parts = urlsplit(location)
        target = urlunsplit(parts._replace(query="", fragment=""))
        if location.startswith(self.c.redirect_url) and target == self.c.redirect_url:
            self.record("redirect-target", "pass", "redirected to the given redirect URL")
        else:
            self.record("redirect-target", "fail", f"redirected to {target}, not to the "
                        f"redirect_uri {self.c.redirect_url}")
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        frag = {k: v[0] for k, v in parse_qs(parts.fragment, keep_blank_values=True).items()}
        self.mask.add(query.get("code"), frag.get("access_token"))
        where = query if self.c.grant == "AUTH_CODE" else frag
        place = "query" if self.c.grant == "AUTH_CODE" else "fragment"
        got = where.get("state")
        if got == state:
            self.record("state-echo", "pass", f"same state in the {place}")
        elif got is None:
            self.record("state-echo", "fail", f"no state in the redirect's {place}; Alexa "
                        "drops a redirect whose state it did not send")
        else:
            self.record("state-echo", "fail", f"state in the {place} differs from the one "
                        "sent")
        if self.c.grant == "AUTH_CODE":
            if query.get("code"):
                self.record("authorization-code", "pass", "code in the query")
                return query["code"]
            if "error" in query:
                self.record("authorization-code", "fail",
                            f"error={query['error']} {query.get('error_description', '')}")
            else:
                self.record("authorization-code", "fail", "no code in the redirect's query")
            return None
        problems = []
        if not frag.get("access_token"):
            problems.append("no access_token")
        if frag.get("token_type", "").lower() != "bearer":
            problems.append(f"token_type is {frag.get('token_type')!r}, not Bearer")
        if problems:
            self.record("implicit-token", "fail", "; ".join(problems) + " in the fragment")
        else:
            self.record("implicit-token", "pass", "access_token and token_type=Bearer in the "
                        "fragment")
        return None

    def check_tokens(self, code: str | None) -> None:
        """Code exchange, token answer fields, deadline, refreshes, wrong secret, replay."""
        fields = ["code-exchange", "token-json", "token-cache-control", "access-token", "token-type", "expires-in",
                  "refresh-token", "token-deadline"]
        later = ["refresh", "refresh-rotated", "refresh-retry", "wrong-secret", "code-replay"]
        if code is None:
            self.skip(fields + later, "no authorization code")
            return
        answer = self.token_request(self.code_grant(code))
        if answer.status != 200:
            self.record("code-exchange", "fail", _describe(answer), answer.seconds)
            self.skip(fields[1:] + later, "code exchange failed")
            return
        self.record("code-exchange", "pass", f"HTTP 200 with {self.c.scheme}", answer.seconds)
        self.check_token_answer(answer)
        first = answer.body.get("refresh_token") if answer.body else None
        latest: str | None = None
        if not (isinstance(first, str) and first):
            self.skip(["refresh", "refresh-rotated", "refresh-retry"], "no refresh token")
        elif (second := self.check_refresh("refresh", first)) is None:
            self.skip(["refresh-rotated", "refresh-retry"], "first refresh failed")
        elif (third := self.check_refresh("refresh-rotated", second)) is None:
            self.skip(["refresh-retry"], "second refresh failed")
            latest = second
        else:
            latest = self.check_refresh_retry(second, third)
        self.check_wrong_secret(latest)
        self.check_code_replay(code)

    def code_grant(self, code: str) -> dict[str, str]:
        """The form Alexa posts to exchange a code (with the PKCE verifier when enabled)."""
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.c.redirect_url}
        if self.c.pkce:
            data["code_verifier"] = self.verifier
        return data

    def check_refresh_retry(self, previous: str, latest: str) -> str:
        """A refresh whose answer was lost: Alexa retries with the refresh token it still has."""
        if previous == latest:
            self.record("refresh-retry", "pass", "refresh tokens are not rotated: a lost answer "
                        "cannot unlink the user")
            return latest
        answer = self.token_request({"grant_type": "refresh_token", "refresh_token": previous})
        body = answer.body or {}
        if answer.status == 200 and body.get("access_token"):
            new = body.get("refresh_token")
            self.record("refresh-retry", "pass", "the previous refresh token still works until "
                        "its successor is used: a lost answer does not unlink the user",
                        answer.seconds)
            return str(new) if isinstance(new, str) and new else latest
        self.record("refresh-retry", "warn", f"the previous refresh token is refused at once "
                    f"({_describe(answer)}): if Alexa loses a refresh answer or two refreshes "
                    "race, the user is unlinked (ALEXA-FACTS: Access token URI, field note)",
                    answer.seconds)
        return latest

    def check_token_answer(self, answer: TokenAnswer) -> None:
        """JSON, access_token, Bearer, integer expires_in, refresh_token, within deadline."""
        ctype = answer.content_type.split(";")[0].strip().lower()
        if answer.body is None or ctype != "application/json":
            self.record("token-json", "fail", f"answer is {ctype or 'untyped'}"
                        f"{' (a JSON object)' if answer.body is not None else ''}; Alexa "
                        "needs Content-Type application/json with a JSON object")
        else:
            self.record("token-json", "pass", "application/json")
        directives = {d.strip().lower() for d in answer.cache_control.split(",")}
        if "no-store" in directives:
            self.record("token-cache-control", "pass", "Cache-Control: no-store")
        else:
            self.record("token-cache-control", "fail",
                        f"Cache-Control is {answer.cache_control!r}, not no-store: RFC 6749 "
                        "5.1 requires no-store on answers carrying tokens, so no proxy or "
                        "cache keeps them" if answer.cache_control else
                        "no Cache-Control header: RFC 6749 5.1 requires Cache-Control: "
                        "no-store on answers carrying tokens, so no proxy or cache keeps them")
        if answer.body is None:
            self.skip(["access-token", "token-type", "expires-in", "refresh-token"],
                      "no JSON token answer")
        else:
            self.check_token_fields(answer.body)
        if answer.seconds <= self.c.token_deadline:
            self.record("token-deadline", "pass", f"answered within {self.c.token_deadline}s",
                        answer.seconds)
        else:
            self.record("token-deadline", "fail", f"took {answer.seconds:.2f}s; Alexa gives "
                        f"up after {self.c.token_deadline}s", answer.seconds)

    def check_token_fields(self, body: dict[str, Any]) -> None:
        """The members of a successful token answer."""
        token = body.get("access_token")
        self.record("access-token", "pass" if isinstance(token, str) and token else "fail",
                    "access_token present" if isinstance(token, str) and token
                    else "no access_token string")
        ttype = body.get("token_type")
        if isinstance(ttype, str) and ttype.lower() == "bearer":
            self.record("token-type", "pass", f"token_type {ttype}")
        else:
            self.record("token-type", "fail", f"token_type is {ttype!r}; Alexa needs Bearer")
        exp = body.get("expires_in")
        if exp is None:
            self.record("expires-in", "warn", "no expires_in: Alexa falls back to "
                        "defaultTokenExpirationInSeconds")
        elif isinstance(exp, bool) or not isinstance(exp, int):
            self.record("expires-in", "fail", f"expires_in is the {type(exp).__name__} "
                        f"{exp!r}; Alexa needs an integer number of seconds")
        elif exp <= 0:
            self.record("expires-in", "fail", f"expires_in is {exp}; must be positive")
        else:
            self.record("expires-in", "pass", f"expires_in {exp}")
        rt = body.get("refresh_token")
        if isinstance(rt, str) and rt:
            self.record("refresh-token", "pass", "refresh_token present")
        else:
            self.record("refresh-token", "fail", "no refresh_token: Alexa cannot renew the "
                        "access token and the user is unlinked when it expires")

    def check_refresh(self, name: str, refresh: str) -> str | None:
        """One refresh with the configured scheme; returns the refresh token to use next."""
        answer = self.token_request({"grant_type": "refresh_token", "refresh_token": refresh})
        body = answer.body or {}
        if answer.status != 200 or not body.get("access_token"):
            self.record(name, "fail", _describe(answer), answer.seconds)
            return None
        if answer.seconds > self.c.token_deadline:
            self.record(name, "fail", f"took {answer.seconds:.2f}s; Alexa gives up after "
                        f"{self.c.token_deadline}s", answer.seconds)
            return None
        new = body.get("refresh_token")
        rotated = isinstance(new, str) and new and new != refresh
        self.record(name, "pass", f"new access token with {self.c.scheme}"
                    + ("; refresh token rotated" if rotated else ""), answer.seconds)
        return str(new) if rotated else refresh

    def check_wrong_secret(self, refresh: str | None) -> None:
        """A wrong client secret gets 401 invalid_client."""
        wrong = (self.c.client_secret or "") + "-linkcheck-wrong"
        self.mask.add(wrong)
        data = ({"grant_type": "refresh_token", "refresh_token": refresh} if refresh else
                {"grant_type": "authorization_code", "code": "linkcheck-invalid-code",
                 "redirect_uri": self.c.redirect_url})
        answer = self.token_request(data, secret=wrong)
        if answer.status == 401 and answer.oauth_error == "invalid_client":
            if answer.www_authenticate or self.c.scheme != "HTTP_BASIC":
                self.record("wrong-secret", "pass", "401 invalid_client", answer.seconds)
            else:
                self.record("wrong-secret", "warn", "401 invalid_client without the "
                            "WWW-Authenticate header RFC 6749 5.2 requires", answer.seconds)
        elif answer.status == 200:
            self.record("wrong-secret", "fail", "a wrong client secret was accepted (HTTP 200)",
                        answer.seconds)
        elif answer.status == 400 and answer.oauth_error == "invalid_client":
            self.record("wrong-secret", "warn", "400 invalid_client; RFC 6749 5.2 wants 401 "
                        "with WWW-Authenticate", answer.seconds)
        else:
            self.record("wrong-secret", "fail", f"expected 401 invalid_client, got "
                        f"{_describe(answer)}", answer.seconds)

    def check_code_replay(self, code: str) -> None:
        """A code used once gets 400 invalid_grant."""
        answer = self.token_request(self.code_grant(code))
        if answer.status == 400 and answer.oauth_error == "invalid_grant":
            self.record("code-replay", "pass", "400 invalid_grant", answer.seconds)
        elif answer.status == 200:
            self.record("code-replay", "fail", "the authorization code was accepted twice "
                        "(RFC 6749 4.1.2: codes are single use)", answer.seconds)
        else:
            self.record("code-replay", "fail", f"expected 400 invalid_grant, got "
                        f"{_describe(answer)}", answer.seconds)

    def check_unregistered_redirects(self) -> None:
        """Unregistered redirect URIs are refused, never redirected to."""
        for name, bad in unregistered_redirects(self.c.redirect_url).items():
            started = time.monotonic()
            out = self.drive(bad, secrets.token_urlsafe(24))
            seconds = time.monotonic() - started
            same_host = urlsplit(bad).hostname == urlsplit(self.c.redirect_url).hostname
            if out.location is not None and (out.location.startswith(bad) or (
                    not same_host and urlsplit(out.location).hostname == urlsplit(
                        bad).hostname)):
                self.mask.add(*(v[0] for v in parse_qs(urlsplit(out.location).query).values()))
                self.record(name, "fail", f"redirected to the unregistered {bad} (open "
                            "redirect: codes and tokens can be stolen)", seconds)
            elif not out.answered:
                self.record(name, "skip", f"no answer: {out.error}", seconds)
            elif out.location is not None:
                self.mask.add(*(v[0] for v in parse_qs(urlsplit(out.location).query).values()))
                target = urlunsplit(urlsplit(out.location)._replace(query="", fragment=""))
                self.record(name, "warn", f"redirected to {target} instead of refusing {bad}",
                            seconds)
            else:
                self.record(name, "pass", f"refused {bad}: {out.error}"[:200], seconds)


def _snippet(text: str, size: int = 160) -> str:
    """Text shortened for one line of output."""
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _visible_text(resp: requests.Response) -> str:
    """The text a user would read on a page (or the raw body when it is not HTML)."""
    if "html" in resp.headers.get("Content-Type", ""):
        return " ".join(parse_page(resp.text).text)
    return resp.text


def _describe(answer: TokenAnswer) -> str:
    """A token answer in a few words (status, OAuth error, timing)."""
    if answer.error:
        return answer.error
    if answer.body and "error" in answer.body:
        return f"HTTP {answer.status} error={answer.body.get('error')} " \
               f"{_snippet(str(answer.body.get('error_description', '')), 100)}".rstrip()
    return f"HTTP {answer.status} {answer.content_type}: {_snippet(answer.text, 100)}"


def run_probe(config: ProbeConfig, probe_factory: Callable[[ProbeConfig], Probe] = Probe,
              ) -> list[CheckResult]:
    """Run every server check and return the results."""
    return probe_factory(config).run()
