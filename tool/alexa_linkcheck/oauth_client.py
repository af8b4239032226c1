"""The one OAuth 2.0 client of ``server`` and ``simulate``: Alexa's side of account linking.

`OAuthClient` builds the authorization request Alexa sends, walks the authorization pages
as the Alexa app (`authorization.walk_authorization`), and makes the Alexa service's token
calls (code exchange, refresh) with the skill's client authentication; every answer is read
under one rule (`token_answer`) and every request lands in its `Trace` with secrets masked.
``server`` judges what it sees; ``simulate`` links an account with it.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from alexa_linkcheck import authorization
from alexa_linkcheck.token_answer import TokenAnswer, read_token_answer
from alexa_linkcheck.trace import (
    ALEXA_APP,
    ALEXA_SERVICE,
    AUTHORIZATION_SERVER,
    Trace,
    is_secret_name,
)

#: The User-Agent the page walk sends.
USER_AGENT = "alexa-linkcheck (plays the Alexa app)"


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a verifier (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthClient:
    """Alexa's calls to one authorization server, for one skill's client registration."""

    def __init__(self, *, authorization_url: str, token_url: str | None, client_id: str,
                 client_secret: str | None, scheme: str = authorization.HTTP_BASIC,
                 scopes: tuple[str, ...] = (), grant: str = "AUTH_CODE", timeout: float = 15.0,
                 verify_tls: bool = True, consent_button: str | None = None,
                 trace: Trace | None = None) -> None:
        self.authorization_url = authorization_url
        self.token_url = token_url
        #: extra `requests` response hooks for the token calls (the simulator's :link trace)
        self.token_hooks: list[Any] = []
        self.client_id = client_id
        self.client_secret = client_secret
        self.scheme = scheme
        self.scopes = scopes
        self.grant = grant
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.consent_button = consent_button
        self.trace = trace if trace is not None else Trace()
        self.trace.mask.add(client_secret)

    # -- the Alexa app ----------------------------------------------------------------
    def authorization_request_url(self, redirect_uri: str, state: str,
                                  code_challenge: str | None = None) -> str:
        """The authorization URL with Alexa's query parameters appended (its own query kept)."""
        params = [("client_id", self.client_id),
                  ("response_type", "token" if self.grant == "IMPLICIT" else "code"),
                  ("state", state), ("redirect_uri", redirect_uri)]
        if self.scopes:
            params.append(("scope", " ".join(self.scopes)))
        if code_challenge:
            params += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
        separator = "&" if urlsplit(self.authorization_url).query else "?"
        return self.authorization_url + separator + urlencode(params, quote_via=quote)

    def session(self, accept_language: str = "en-US", traced: bool = True) -> requests.Session:
        """A cookie-keeping session like the Alexa app's web view."""
        s = requests.Session()
        s.verify = self.verify_tls
        s.headers["User-Agent"] = USER_AGENT
        s.headers["Accept-Language"] = accept_language
        if traced:
            self.trace.attach(s, ALEXA_APP)
        return s

    def sign_in(self, redirect_uri: str, username: str, password: str, *, state: str | None = None,
                code_challenge: str | None = None, session: requests.Session | None = None,
                ) -> tuple[authorization.Walk, str]:
        """Walk the pages from the authorization request to the redirect; the walk and state."""
        state = state or secrets.token_urlsafe(24)
        self.trace.mask.add(password)
        walk = authorization.walk_authorization(
            session or self.session(), self.authorization_request_url(redirect_uri, state,
                                                                      code_challenge),
            redirect_uri=redirect_uri, username=username, password=password,
            timeout=self.timeout, consent_button=self.consent_button, trace=self.trace)
        if walk.failure == authorization.UNREACHABLE:
            self.trace.add(ALEXA_APP, AUTHORIZATION_SERVER, "GET", self.authorization_url, None,
                           answer=f"{type(walk.exception).__name__}")
        self.trace.flush()
        return walk, state

    # -- the Alexa service --------------------------------------------------------------
    def token(self, form: dict[str, str], *, secret: str | None = None,
              raw_basic: bool = False) -> TokenAnswer:
        """POST ``form`` to the token URL with the skill's client authentication.

        ``raw_basic`` sends Basic credentials without the form-urlencoding RFC 6749 2.3.1
        asks for (only for the diagnosis of servers that do not decode them).
        """
        secret = self.client_secret if secret is None else secret
        self.trace.mask.add(secret, form.get("code"), form.get("refresh_token"),
                            form.get("code_verifier"))
        headers, data = authorization.client_authentication(self.scheme, self.client_id, secret,
                                                            form)
        if raw_basic and self.scheme == authorization.HTTP_BASIC:
            pair = f"{self.client_id}:{secret or ''}".encode()
            headers = {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        headers = {"Accept": "application/json", **headers}
        started = time.monotonic()
        http = self.trace.attach(requests.Session(), ALEXA_SERVICE)
        http.hooks["response"].extend(self.token_hooks)
        try:
            resp = http.post(str(self.token_url), data=data, headers=headers,
                             timeout=self.timeout, verify=self.verify_tls, allow_redirects=False)
        except (requests.RequestException, ValueError) as exc:  # ValueError: bad Location
            self.trace.add(ALEXA_SERVICE, AUTHORIZATION_SERVER, "POST", str(self.token_url),
                           None, answer=type(exc).__name__)
            self.trace.flush()
            return TokenAnswer(None, "", "", time.monotonic() - started,
                               error=f"{type(exc).__name__}: {exc}")
        finally:
            http.close()
        answer = read_token_answer(resp.status_code, resp.headers.get("Content-Type", ""),
                                   resp.text, seconds=time.monotonic() - started,
                                   www_authenticate=resp.headers.get("WWW-Authenticate", ""),
                                   cache_control=resp.headers.get("Cache-Control", ""))
        self.trace.mask.add(*(v for k, v in answer.fields.items()
                              if is_secret_name(k) and isinstance(v, str)))
        if answer.status == 200:
            self.trace.note(_fields_found(answer))
        self.trace.flush()
        return answer

    def exchange_code(self, code: str, redirect_uri: str, verifier: str | None = None,
                      **kwargs: Any) -> TokenAnswer:
        """The code exchange Alexa makes right after the redirect."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier:
            form["code_verifier"] = verifier
        return self.token(form, **kwargs)

    def refresh(self, refresh_token: str, **kwargs: Any) -> TokenAnswer:
        """The refresh Alexa makes when the access token has expired."""
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token},
                          **kwargs)


def _fields_found(answer: TokenAnswer) -> str:
    """The members of a token answer, values masked: what Alexa would store."""
    names = [k for k in ("access_token", "token_type", "expires_in", "refresh_token", "scope")
             if k in answer.fields]
    shown = [f"{k}={answer.fields[k]!r}" if k in ("token_type", "expires_in", "scope") else k
             for k in names]
    return f"{answer.encoding or 'unreadable'} answer: " + ", ".join(shown)
