"""Map a resource server's HTTP answers onto the linking exception tree.

Shared by every client that sends an access token to a resource server, so that a 401,
403 or 5xx means the same thing to the user whichever API answered.
"""
from __future__ import annotations

import json
import re
import time
from typing import Any, Callable, Mapping, Optional, TypeVar

import requests
import urllib3

from .errors import LinkRejected, MissingScope, ResourceUnavailable

T = TypeVar("T")

#: Authorization scheme for bearer tokens (RFC 6750 section 2.1).
BEARER = "Bearer"
#: Error code for an expired, revoked or malformed token (RFC 6750 section 3.1).
INVALID_TOKEN = "invalid_token"
#: Error code for a token lacking a required scope (RFC 6750 section 3.1).
INSUFFICIENT_SCOPE = "insufficient_scope"
#: Challenge header of a protected resource (RFC 6750 section 3).
WWW_AUTHENTICATE = "WWW-Authenticate"

#: Largest response body read from a resource server; a larger one is a fault.
MAX_RESPONSE_BYTES = 1024 * 1024

_AUTH_PARAM = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*"((?:[^"\\]|\\.)*)"')


def bearer_challenge(headers: Mapping[str, str]) -> Optional[dict[str, str]]:
    """The parameters of a ``WWW-Authenticate: Bearer ...`` header, or None if absent."""
    value = headers.get(WWW_AUTHENTICATE, "") or ""
    if not value.strip().lower().startswith(BEARER.lower()):
        return None
    return {name.lower(): param for name, param in _AUTH_PARAM.findall(value)}


def _json_error(response: requests.Response) -> Optional[str]:
    """The ``error`` member of a JSON error body (LWA style), if there is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


def bearer_headers(token: str) -> dict[str, str]:
    """Request headers that carry ``token`` (only ever in the Authorization header)."""
    return {"Authorization": f"{BEARER} {token}", "Accept": "application/json"}


def raise_for_token_status(
    response: requests.Response, required_scope: Optional[str] = None
) -> None:
    """Raise the linking exception that a 401, 403 or 5xx answer means; return otherwise.

    - 401 with a ``WWW-Authenticate: Bearer`` challenge, or an ``invalid_token`` JSON
      error body -> LinkRejected. A bare 401 (no Bearer challenge, no OAuth error body)
      comes from something in front of the resource server, such as a proxy or gateway:
      it says nothing about the token, so it is ResourceUnavailable.
    - 403 ``insufficient_scope`` (challenge or JSON body) -> MissingScope, naming the
      scope from the challenge, else ``required_scope``. Any other 403 ->
      ResourceUnavailable.
    - 5xx and other unexpected statuses >= 400 except 400/404 (the caller's business)
      -> ResourceUnavailable.
    """
    status = response.status_code
    if status == 401:
        challenge = bearer_challenge(response.headers)
        if challenge is not None or _json_error(response) == INVALID_TOKEN:
            raise LinkRejected(f"token rejected: {(challenge or {}).get('error', INVALID_TOKEN)}")
        raise ResourceUnavailable("401 without a Bearer challenge (proxy or gateway?)")
    if status == 403:
        challenge = bearer_challenge(response.headers) or {}
        if challenge.get("error") == INSUFFICIENT_SCOPE or _json_error(response) == INSUFFICIENT_SCOPE:
            scope = challenge.get("scope") or required_scope or ""
            raise MissingScope(scope.split()[0] if scope.strip() else "")
        raise ResourceUnavailable("403 without insufficient_scope")
    if status >= 500 or (status >= 400 and status not in (400, 404, 409, 422)):
        raise ResourceUnavailable(f"resource server answered HTTP {status}")


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    token: Optional[str] = None,
    json_body: Optional[Mapping[str, Any]] = None,
    form: Optional[Mapping[str, str]] = None,
    params: Optional[Mapping[str, str]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> requests.Response:
    """Send one request and read its body, all within ``timeout`` seconds in total.

    ``timeout`` is the time this call may take, usually what is left of the request's
    budget (``call_timeout(per_call, deadline)`` from :mod:`account_linking.deadline`);
    with no time left (``timeout <= 0``) it raises ResourceUnavailable at once, without
    connecting. ``headers`` are added to the request; the token only ever goes in
    Authorization.

    requests' own timeout bounds each socket read, so a server trickling a byte at a
    time could hold the call for minutes; the body is therefore streamed against one
    deadline. Network failures, timeouts and oversized bodies become ResourceUnavailable.
    """
    if timeout <= 0:
        raise ResourceUnavailable("no time left in the request's budget; not sent")
    sent_headers = {**(headers or {})}
    sent_headers.update(bearer_headers(token) if token is not None else {"Accept": "application/json"})
    deadline = time.monotonic() + timeout
    try:
        response = session.request(
            method,
            url,
            headers=sent_headers,
            json=json_body,
            data=form,  # application/x-www-form-urlencoded body (RFC 7662 introspection)
            params=params,
            # total: each read's timeout is what is left of ``timeout`` since connecting,
            # so the response head ends by the deadline too (with a DeadlineAdapter even
            # when trickled; see account_linking.transport).
            # requests' stubs omit it, but requests/adapters.py passes a urllib3 Timeout on.
            timeout=urllib3.Timeout(connect=timeout, read=timeout, total=timeout),  # type: ignore[arg-type]
            allow_redirects=False,
            stream=True,
        )
    except requests.Timeout as exc:
        raise ResourceUnavailable(f"no answer within {timeout} s") from exc
    except requests.RequestException as exc:
        raise ResourceUnavailable(f"request failed: {type(exc).__name__}") from exc
    try:
        body = _read_body(response, deadline, timeout)
    except BaseException:
        response.close()  # drop the connection: it is in an unknown state
        raise
    response._content = body  # what response.content/.json() read from now on
    response.raw.release_conn()
    return response


def _read_body(response: requests.Response, deadline: float, timeout: float) -> bytes:
    """The whole body, or ResourceUnavailable once ``deadline`` passes."""
    raw = response.raw
    body = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ResourceUnavailable(f"body not complete within {timeout} s")
        connection = getattr(raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:  # no socket read may outlast the deadline
            sock.settimeout(remaining)
        try:
            chunk = raw.read1(65536, decode_content=True)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ResourceUnavailable(f"reading the body failed: {type(exc).__name__}") from exc
        if not chunk:
            return bytes(body)
        body.extend(chunk)
        if len(body) > MAX_RESPONSE_BYTES:
            raise ResourceUnavailable("response body is too large")


def parse_json(response: requests.Response, parse: Callable[[Any], T]) -> T:
    """Decode a JSON body and shape it with ``parse``; anything malformed -> ResourceUnavailable.

    ``parse`` raises KeyError, TypeError or ValueError for a body of the wrong shape.
    """
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise ResourceUnavailable("resource server answered malformed JSON") from exc
    try:
        return parse(body)
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceUnavailable("resource server answered JSON of the wrong shape") from exc
