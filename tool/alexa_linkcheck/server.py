"""``alexa-linkcheck server``: a live probe of an OAuth 2.0 authorization server, as Alexa calls it.

The probe plays the Alexa app (authorization request, login and consent forms, the redirect
back) and the Alexa service (code exchange, refreshes), then tries what Alexa never does but
an attacker would (wrong secret, replayed code, unregistered redirect URIs).
"""
from __future__ import annotations

import ipaddress
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, quote, urljoin, urlsplit, urlunsplit

import requests

from alexa_linkcheck import authorization
from alexa_linkcheck import constants as C
from alexa_linkcheck.errors import UsageError
from alexa_linkcheck.forms import POPUP_CALLS, Page, parse_page
from alexa_linkcheck.oauth_client import OAuthClient, pkce_challenge
from alexa_linkcheck.report import CheckResult, Status
from alexa_linkcheck.token_answer import SHORT_EXPIRES_IN, TokenAnswer, judge
from alexa_linkcheck.trace import Trace

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
    #: caption of the consent page's allow button, when guessing is not enough
    consent_button: str | None = None
    #: seconds to wait before the last refresh (None: past a short expires_in; 0: never)
    refresh_after: float | None = None

    @property
    def regional_redirects(self) -> dict[str, str]:
        """Alexa's redirect URL of each region for this vendor (empty for other redirect URLs)."""
        vendor = vendor_of(self.redirect_url)
        if vendor is None:
            return {}
        return {region: template.format(vendor_id=vendor)
                for region, template in C.REDIRECT_URL_TEMPLATES.items()}

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
            file = file if isinstance(file, dict) else {}
        grant = args.grant or file.get("type") or "AUTH_CODE"
        scheme = args.scheme or file.get("accessTokenScheme") or "HTTP_BASIC"
        if grant not in C.GRANTS or scheme not in C.SCHEMES:
            raise UsageError(f"grant must be one of {C.GRANTS} and scheme one of {C.SCHEMES}")
        scopes = tuple(s for arg in args.scope for s in arg.split()) or tuple(
            str(s) for s in (file.get("scopes") or ()))
        authorization_url = args.authorization_url or file.get("authorizationUrl")
        token_url = args.token_url or file.get("accessTokenUrl")
        refuse_placeholders(args.from_file, (
            ("authorizationUrl", "--authorization-url", None if args.authorization_url
             else authorization_url),
            ("accessTokenUrl", "--token-url", None if args.token_url else token_url)))
        client_id = args.client_id or file.get("clientId")
        secret = args.client_secret or environ.get(args.client_secret_env) or None
        username = args.username or environ.get("LINKCHECK_USERNAME")
        password = args.password or environ.get(args.password_env)
        if args.redirect_url:
            redirect = args.redirect_url
        elif args.vendor_id:
            redirect = C.REDIRECT_URL_TEMPLATES["NA"].format(vendor_id=args.vendor_id)
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
        for flag, url in (("--authorization-url", authorization_url), ("--token-url", token_url),
                          ("--redirect-url", redirect)):
            if url is not None:
                check_url(flag, str(url))
        refresh_after = getattr(args, "refresh_after", None)
        if refresh_after is not None and refresh_after < 0:
            raise UsageError("--refresh-after must be 0 (never wait) or a number of seconds")
        return cls(str(authorization_url), token_url, str(client_id), secret, scheme, scopes,
                   grant, str(username), str(password), redirect, args.token_deadline,
                   args.timeout, not args.insecure, args.pkce,
                   getattr(args, "consent_button", None), refresh_after)


def check_url(flag: str, url: str) -> None:
    """Refuse a URL no HTTP client can call (a usage error: exit 2, no traceback)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise UsageError(f"{flag} {url!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(
            c.isspace() for c in url):
        raise UsageError(f"{flag} {url!r} is not an http(s) URL with a host "
                         "(e.g. https://auth.example.org/oauth/authorize)")


def is_placeholder_host(host: str) -> bool:
    """True for hosts reserved for documentation and tests (RFC 2606, RFC 6761)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in C.PLACEHOLDER_DOMAINS) or \
        host.rpartition(".")[2] in C.PLACEHOLDER_TLDS


def refuse_placeholders(path: Path | None,
                        urls: tuple[tuple[str, str, Any], ...]) -> None:
    """``--from``: never probe the placeholder URLs a sample accountLinking.json holds."""
    if path is None:
        return
    found = [(key, flag, str(url)) for key, flag, url in urls
             if isinstance(url, str) and is_placeholder_host(urlsplit(url).hostname or "")]
    if found:
        raise UsageError(
            f"{path} holds placeholder URLs ({', '.join(f'{k} {u}' for k, _, u in found)}): "
            "not probed. Pass the real server with " + " and ".join(
                f"{flag} URL" for _, flag, _ in found))


def vendor_of(redirect_url: str) -> str | None:
    """The vendor id of an Alexa redirect URL (None for any other URL)."""
    for template in C.REDIRECT_URL_TEMPLATES.values():
        prefix = template.split("{vendor_id}")[0]
        if redirect_url.startswith(prefix) and "/" not in redirect_url[len(prefix):] \
                and len(redirect_url) > len(prefix):
            return redirect_url[len(prefix):]
    return None


def region_of(redirect_url: str) -> str | None:
    """NA, EU or FE for an Alexa redirect URL."""
    vendor = vendor_of(redirect_url)
    return next((r for r, t in C.REDIRECT_URL_TEMPLATES.items()
                 if vendor and t.format(vendor_id=vendor) == redirect_url), None)


@dataclass
class Outcome:
    """Where one authorization request ended."""

    location: str | None = None
    error: str | None = None
    login_page: requests.Response | None = None
    steps: list[str] = field(default_factory=list)
    answered: bool = True
    walk: authorization.Walk | None = None


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

    def __init__(self, config: ProbeConfig, trace: Trace | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.c = config
        self.results: list[CheckResult] = []
        self.trace = trace or Trace()
        self.mask = self.trace.mask
        self.verifier = secrets.token_urlsafe(48)
        self.mask.add(config.client_secret, config.password, self.verifier)
        self.client = OAuthClient(
            authorization_url=config.authorization_url, token_url=config.token_url,
            client_id=config.client_id, client_secret=config.client_secret,
            scheme=config.scheme, scopes=config.scopes, grant=config.grant,
            timeout=config.timeout, verify_tls=config.verify_tls,
            consent_button=config.consent_button, trace=self.trace)
        self.progress = progress or (lambda text: None)
        #: expires_in of the code exchange's answer, as the token-answer rule reads it
        self.expires_in: int | None = None
        #: pop-up calls already reported on the login page (not reported twice)
        self.login_popups: list[str] = []

    # -- plumbing ---------------------------------------------------------------------
    def record(self, name: str, status: Status, reason: str, seconds: float = 0.0) -> None:
        """Add one result, with secrets masked in the reason, at the latest step of the trace."""
        self.results.append(CheckResult(name, status, round(seconds, 3), self.mask(reason),
                                        self.trace.last_index))

    def skip(self, names: list[str], reason: str) -> None:
        """Record dependent checks that cannot run."""
        for name in names:
            self.record(name, "skip", reason)

    def session(self, accept_language: str = "en-US") -> requests.Session:
        """A cookie-keeping, traced session like the Alexa app's web view."""
        return self.client.session(accept_language)

    # -- the flows --------------------------------------------------------------------
    def challenge(self) -> str | None:
        """The PKCE code challenge Alexa sends when PKCE is on for the skill."""
        return pkce_challenge(self.verifier) if self.c.pkce else None

    def authorization_request_url(self, redirect_uri: str, state: str) -> str:
        """The authorization URI with Alexa's query parameters (scopes space-delimited)."""
        return self.client.authorization_request_url(redirect_uri, state, self.challenge())

    def drive(self, redirect_uri: str, state: str, password: str | None = None) -> Outcome:
        """Sign in through the login (and consent) forms, following redirects by hand."""
        walk, _ = self.client.sign_in(redirect_uri, self.c.username,
                                      self.c.password if password is None else password,
                                      state=state, code_challenge=self.challenge())
        out = Outcome(location=walk.location, login_page=walk.login_page, steps=walk.steps,
                      walk=walk)
        resp, page = walk.response, walk.page
        said = _snippet("; ".join(page.errors), 200) if page and page.errors else ""
        text = said or (_snippet(" ".join(page.text)) if page else "")
        if walk.failure == authorization.HTTP_STATUS and resp is not None:
            out.error = (f"HTTP {resp.status_code} from {urlsplit(resp.url).path}: "
                         f"{said or _snippet(_visible_text(resp))}")
        elif walk.failure == authorization.LOGIN_AGAIN:
            out.error = "the login form came back after signing in (credentials refused?)" + (
                f"; the page says: {said}" if said else f": {text}")
        elif walk.failure in (authorization.NO_FORM, authorization.CONSENT_AGAIN):
            hint = (f"; its buttons: {', '.join(repr(b) for b in walk.buttons)}: name the "
                    "allow button with --consent-button TEXT") if walk.buttons else ""
            if self.c.consent_button and walk.failure == authorization.NO_FORM:
                hint = f"; no button labelled {self.c.consent_button!r}" + hint
            out.error = ("the consent form came back after allowing: " if walk.failure ==
                         authorization.CONSENT_AGAIN else
                         "no login form, consent form or redirect on the page: ") + text + hint
        elif walk.failure == authorization.BAD_LOCATION:
            out.error = ("the server redirects to a malformed URL (after "
                         f"{urlsplit(resp.url).path if resp is not None else 'the first request'}"
                         "): no browser can follow it")
        elif walk.failure == authorization.TOO_MANY_STEPS:
            out.error = f"gave up after {MAX_STEPS} pages and redirects"
        elif walk.failure == authorization.UNREACHABLE:
            out.error = f"{type(walk.exception).__name__}: {walk.exception}"
            out.answered = False
        return out

    def token_request(self, data: dict[str, str], secret: str | None = None,
                      raw_basic: bool = False) -> TokenAnswer:
        """POST to the token URL with the configured client authentication scheme."""
        return self.client.token(data, secret=secret, raw_basic=raw_basic)

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
        signed_in = out.location is not None
        self.check_wrong_password(signed_in)
        self.check_regions(signed_in)
        if self.c.grant == "AUTH_CODE":
            self.check_code_redirect_binding(signed_in)
        if not signed_in:
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
        hits = self.login_popups = self.popups(resp, page)
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
        s = self.session(OTHER_LANGUAGE)
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
        self.trace.note(f"the login page asked for in {OTHER_LANGUAGE}")
        self.trace.flush()
        seconds = time.monotonic() - started
        if parse_page(other.text).text != parse_page(english.text).text:
            self.record("localized-page", "pass", f"Accept-Language {OTHER_LANGUAGE} gives "
                        "another text", seconds)
        else:
            self.record("localized-page", "warn", f"Accept-Language {OTHER_LANGUAGE} gives the "
                        "same text as en-US: the page ignores the Alexa app's language (fine "
                        "if the skill has English locales only)", seconds)

    def popups(self, resp: requests.Response, page: Page) -> list[str]:
        """The pop-up and message-box calls of a page (inline, on* attributes, own scripts)."""
        code = "\n".join(page.scripts + page.event_handlers + self.same_origin_scripts(
            resp.url, page))
        return sorted({m.group(0).rstrip("( ") for m in POPUP_CALLS.finditer(code)})

    def same_origin_scripts(self, page_url: str, page: Page) -> list[str]:
        """Source of up to five scripts the login page loads from its own origin."""
        origin = urlsplit(page_url)[:2]
        out = []
        for src in page.script_srcs[:5]:
            url = urljoin(page_url, src)
            if urlsplit(url)[:2] != origin:
                continue
            try:
                with self.session() as s:
                    out.append(s.get(url, timeout=self.c.timeout).text)
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
        fields = ["code-exchange", "token-json", "token-cache-control", "access-token",
                  "token-type", "expires-in", "refresh-token", "token-deadline"]
        later = ["refresh", "refresh-rotated", "refresh-retry", "refresh-after-expiry",
                 "wrong-secret", "code-replay"]
        if code is None:
            self.skip(fields + later, "no authorization code")
            return
        answer = self.token_request(self.code_grant(code))
        if answer.status != 200:
            self.record("code-exchange", "fail", self.explain_refusal(answer, code),
                        answer.seconds)
            self.skip(fields[1:] + later, "code exchange failed")
            return
        self.record("code-exchange", "pass", f"HTTP 200 with {self.c.scheme}", answer.seconds)
        self.check_token_answer(answer)
        self.expires_in = answer.expires_in
        first = answer.refresh_token
        latest: str | None = None
        if not first:
            self.skip(["refresh", "refresh-rotated", "refresh-retry", "refresh-after-expiry"],
                      "no refresh token in the code exchange's answer")
        elif (second := self.check_refresh("refresh", first)) is None:
            self.skip(["refresh-rotated", "refresh-retry", "refresh-after-expiry"],
                      "first refresh failed")
        elif (third := self.check_refresh("refresh-rotated", second)) is None:
            self.skip(["refresh-retry", "refresh-after-expiry"], "second refresh failed")
            latest = second
        else:
            latest = self.check_refresh_retry(second, third)
            latest = self.check_refresh_after_expiry(latest)
        self.check_wrong_secret(latest)
        self.check_code_replay(code)

    def explain_refusal(self, answer: TokenAnswer, code: str) -> str:
        """Why a code exchange was refused; tells undecoded Basic credentials from wrong ones.

        RFC 6749 2.3.1: client id and secret are form-urlencoded before Basic encoding, and
        Alexa sends them so. A server that does not decode them refuses every secret with
        characters that change under encoding (``+ / = % :`` and spaces, ...).
        """
        text = _describe(answer)
        if answer.oauth_error != "invalid_client" and answer.status != 401:
            return text
        if self.c.scheme != "HTTP_BASIC":
            return f"{text}: the server refused the client id or secret sent in the body"
        changes = [v for v in (self.c.client_id, self.c.client_secret or "")
                   if quote(v, safe="") != v]
        if not changes:
            return (f"{text}: the client id or secret is wrong (they have no characters that "
                    "form-urlencoding changes, so this is not an encoding problem)")
        raw = self.token_request(self.code_grant(code), raw_basic=True)
        if raw.status == 200 and raw.access_token:
            return (f"{text}: the server does not URL-decode HTTP Basic credentials (RFC 6749 "
                    "2.3.1). Alexa form-urlencodes client id and secret before Basic encoding; "
                    "this server only accepted them unencoded, so every code exchange from "
                    "Alexa fails. Decode them on the server, or use a secret of letters, "
                    "digits and - . _ ~ only")
        return (f"{text}: the client id or secret is wrong (refused both form-urlencoded, as "
                "RFC 6749 2.3.1 and Alexa send them, and unencoded)")

    def code_grant(self, code: str, redirect_uri: str | None = None) -> dict[str, str]:
        """The form Alexa posts to exchange a code (with the PKCE verifier when enabled)."""
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri or self.c.redirect_url}
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
        if answer.status == 200 and answer.access_token:
            self.record("refresh-retry", "pass", "the previous refresh token still works until "
                        "its successor is used: a lost answer does not unlink the user",
                        answer.seconds)
            return answer.refresh_token or latest
        after = self.token_request({"grant_type": "refresh_token", "refresh_token": latest})
        if not (after.status == 200 and after.access_token):
            self.record("refresh-retry", "fail", f"reusing the previous refresh token "
                        f"({_describe(answer)}) also revoked the latest one ({_describe(after)}): "
                        "one lost refresh answer or two racing refreshes kill the whole chain "
                        "and unlink the user. Give a grace period for the previous refresh "
                        "token, or do not rotate", answer.seconds)
            return latest
        self.record("refresh-retry", "warn", f"the previous refresh token is refused at once "
                    f"({_describe(answer)}): if Alexa loses a refresh answer or two refreshes "
                    "race, the user is unlinked (ALEXA-FACTS: Access token URI, field note)",
                    answer.seconds)
        return after.refresh_token or latest

    def check_refresh_after_expiry(self, latest: str) -> str:
        """Wait past a short expires_in (or ``--refresh-after``) and refresh again.

        Refresh tokens that die with the access token, or after a few minutes, are the most
        common cause of unlinked users: a user who does not speak to the skill for that long
        is unlinked. A refresh at once cannot see it.
        """
        wait = self.c.refresh_after
        if wait == 0:
            self.record("refresh-after-expiry", "skip", "--refresh-after 0: not waited")
            return latest
        if wait is None:
            if self.expires_in is None or self.expires_in > SHORT_EXPIRES_IN:
                self.record("refresh-after-expiry", "skip", f"expires_in "
                            f"{self.expires_in if self.expires_in is not None else 'absent'}: "
                            f"not waited (only expires_in <= {SHORT_EXPIRES_IN} s is waited "
                            "past by default; --refresh-after SECONDS waits longer)")
                return latest
            wait = self.expires_in + 2
        self.progress(f"waiting {wait:g} s before refreshing again (--refresh-after)")
        time.sleep(wait)
        answer = self.token_request({"grant_type": "refresh_token", "refresh_token": latest})
        if answer.status == 200 and answer.access_token:
            self.record("refresh-after-expiry", "pass", f"the refresh token still worked "
                        f"{wait:g} s later", answer.seconds)
            return answer.refresh_token or latest
        self.record("refresh-after-expiry", "fail", f"after {wait:g} s the refresh token was "
                    f"refused ({_describe(answer)}): a user who does not speak to the skill "
                    f"for {wait:g} s is unlinked. Give refresh tokens a lifetime of weeks or "
                    "months (or none), not minutes", answer.seconds)
        return latest

    def check_token_answer(self, answer: TokenAnswer) -> None:
        """Every field under the shared token-answer rule; Cache-Control; the deadline."""
        verdicts = judge(answer)
        self.record(verdicts[0].check, verdicts[0].verdict, verdicts[0].reason)
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
        if len(verdicts) == 1:
            self.skip(["access-token", "token-type", "expires-in", "refresh-token"],
                      "the token answer could not be read (neither JSON nor form-encoded)")
        for v in verdicts[1:]:
            self.record(v.check, v.verdict, v.reason)
        if answer.seconds <= self.c.token_deadline:
            self.record("token-deadline", "pass", f"answered within {self.c.token_deadline}s",
                        answer.seconds)
        else:
            self.record("token-deadline", "fail", f"took {answer.seconds:.2f}s; Alexa gives "
                        f"up after {self.c.token_deadline}s", answer.seconds)

    def check_refresh(self, name: str, refresh: str) -> str | None:
        """One refresh with the configured scheme; returns the refresh token to use next."""
        answer = self.token_request({"grant_type": "refresh_token", "refresh_token": refresh})
        if answer.status != 200 or not answer.access_token:
            self.record(name, "fail", _describe(answer), answer.seconds)
            return None
        if answer.seconds > self.c.token_deadline:
            self.record(name, "fail", f"took {answer.seconds:.2f}s; Alexa gives up after "
                        f"{self.c.token_deadline}s", answer.seconds)
            return None
        new = answer.refresh_token
        rotated = bool(new) and new != refresh
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

    def check_wrong_password(self, signed_in: bool) -> None:
        """A wrong password: the login page again with the error inline, no alert(), no link."""
        if not signed_in:
            self.record("wrong-password-page", "skip", "sign-in failed: a refusal could not be "
                        "told from the failed sign-in")
            return
        wrong = self.c.password + "-linkcheck-wrong"
        self.mask.add(wrong)
        started = time.monotonic()
        out = self.drive(self.c.redirect_url, secrets.token_urlsafe(24), password=wrong)
        seconds = time.monotonic() - started
        walk = out.walk
        if out.location is not None:
            self.record("wrong-password-page", "fail", "a wrong password was accepted: the "
                        "server redirected with a code", seconds)
            return
        if walk is None or walk.response is None or not out.answered:
            self.record("wrong-password-page", "skip", f"no answer: {out.error}", seconds)
            return
        page = walk.page or parse_page(walk.response.text)
        hits = [h for h in self.popups(walk.response, page) if h not in self.login_popups]
        if hits:
            self.record("wrong-password-page", "fail", f"after a wrong password the page calls "
                        f"{', '.join(hits)}; the Alexa app forbids pop-ups and JavaScript "
                        "message boxes: show the error inline", seconds)
        elif page.errors:
            self.record("wrong-password-page", "pass", "the error is shown inline: "
                        + _snippet("; ".join(page.errors), 120), seconds)
        else:
            self.record("wrong-password-page", "warn", "after a wrong password no inline error "
                        "message was found (an element with class or role error/alert/invalid): "
                        "tell the user what went wrong on the page", seconds)

    def check_regions(self, signed_in: bool) -> None:
        """Sign in through the other regions' Alexa redirect URLs, as users there do."""
        regions = self.c.regional_redirects
        main = region_of(self.c.redirect_url)
        for region, redirect in regions.items():
            if region == main:
                continue
            name = f"region-{region.lower()}"
            users = C.REGION_USERS[region]
            if not signed_in:
                self.record(name, "skip", "sign-in failed")
                continue
            started = time.monotonic()
            state = secrets.token_urlsafe(24)
            out = self.drive(redirect, state)
            seconds = time.monotonic() - started
            location = out.location or ""
            target = urlunsplit(urlsplit(location)._replace(query="", fragment=""))
            query = dict(parse_qs(urlsplit(location).query))
            code = query.get("code", [""])[0]
            self.mask.add(code)
            if out.location is None or target != redirect:
                self.record(name, "fail", f"{users} cannot link: the server does not sign in "
                            f"through {redirect} ("
                            + (out.error or f"redirected to {target}") + "). Register all "
                            "three Alexa redirect URLs (the Alexa console lists them)", seconds)
                continue
            if self.c.grant != "AUTH_CODE":
                self.record(name, "pass", f"signed in through {redirect}", seconds)
                continue
            if not code:
                self.record(name, "fail", f"{users} cannot link: no code in the redirect to "
                            f"{redirect}", seconds)
                continue
            answer = self.token_request(self.code_grant(code, redirect))
            if answer.status == 200 and answer.access_token:
                self.record(name, "pass", f"signed in through {redirect} and exchanged the "
                            "code", seconds + answer.seconds)
            else:
                self.record(name, "fail", f"{users} cannot link: the code issued for {redirect} "
                            f"was refused at the token URL ({_describe(answer)})",
                            seconds + answer.seconds)

    def check_code_redirect_binding(self, signed_in: bool) -> None:
        """A code issued for one redirect_uri is refused with another (RFC 6749 4.1.3)."""
        if not signed_in:
            self.record("code-redirect-binding", "skip", "sign-in failed")
            return
        others = [u for u in self.c.regional_redirects.values() if u != self.c.redirect_url]
        other = others[0] if others else unregistered_redirects(self.c.redirect_url)[
            "unregistered-redirect-vendor"]
        out = self.drive(self.c.redirect_url, secrets.token_urlsafe(24))
        code = parse_qs(urlsplit(out.location or "").query).get("code", [""])[0]
        if out.location is not None and not out.location.startswith(self.c.redirect_url):
            self.record("code-redirect-binding", "skip", "the server redirected elsewhere "
                        "(see redirect-target)")
            return
        if not code:
            self.record("code-redirect-binding", "skip", "no second code: "
                        + (out.error or "no code in the redirect"))
            return
        self.mask.add(code)
        answer = self.token_request(self.code_grant(code, other))
        if answer.status == 200:
            self.record("code-redirect-binding", "fail", f"a code issued for "
                        f"{self.c.redirect_url} was redeemed with redirect_uri {other}: RFC 6749 "
                        "4.1.3 binds a code to its redirect_uri (a stolen code can be redeemed "
                        "elsewhere)", answer.seconds)
        elif answer.status == 400:
            # RFC 6749 5.2 names invalid_grant; oauthlib answers invalid_request. Either way
            # the code is refused, which is all that matters here.
            self.record("code-redirect-binding", "pass", f"refused with redirect_uri {other}: "
                        f"{_describe(answer)}", answer.seconds)
        else:
            self.record("code-redirect-binding", "warn", f"refused with redirect_uri {other}, "
                        f"but as {_describe(answer)}; RFC 6749 5.2 wants 400 invalid_grant",
                        answer.seconds)

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
    if answer.oauth_error is not None:
        return f"HTTP {answer.status} error={answer.oauth_error} " \
               f"{_snippet(str(answer.fields.get('error_description', '')), 100)}".rstrip()
    return f"HTTP {answer.status} {answer.content_type}: {_snippet(answer.text, 100)}"


def run_probe(config: ProbeConfig, trace: Trace | None = None,
              progress: Callable[[str], None] | None = None) -> list[CheckResult]:
    """Run every server check and return the results (``trace`` receives every step)."""
    return Probe(config, trace, progress).run()
