"""Send one request to a resource server within the request's time budget; map its answer.

Shared by every client that sends an access token to a resource server, so that a 401,
403 or 5xx means the same thing to the user whichever API answered. A skill's own API
client uses :func:`call_resource_server`; profile clients use :func:`send` and
:func:`raise_for_token_status` directly.

The time budget is one :class:`~account_linking.deadline.Deadline` per call (what is left
of the request's budget, capped by the client's own timeout). :func:`send` sends nothing
once it is spent, and otherwise runs the call under one
:class:`~account_linking.transport.CallWatchdog`, which ends it at that deadline however
slowly the server answers (the one place the budget is enforced; urllib3's timeouts stay
as a second line for the connect).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Collection, Mapping, Optional, TypeVar

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

from .deadline import Deadline
from .errors import LinkRejected, MissingScope, ResourceUnavailable
from .transport import CallWatchdog

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
#: Most bytes asked of the socket per body read.
_READ_CHUNK = 65536

_AUTH_PARAM = r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*"((?:[^"\\]|\\.)*)"'


class ResourceResponse(requests.Response):
    """A resource server's answer with its whole body already read (within the deadline).

    A ``requests.Response`` (``status_code``, ``headers``, ``json()``, ``text``) whose
    ``content`` is the body :func:`send` read; the connection is back in the pool.
    """

    def __init__(self, status_code: int, headers: Mapping[str, str], body: bytes, url: str) -> None:
        super().__init__()
        self.status_code = status_code
        self.headers = CaseInsensitiveDict(headers)
        self.url = url
        self.encoding = requests.utils.get_encoding_from_headers(self.headers)
        self._body = body

    @property
    def content(self) -> bytes:
        """The body, read in full by :func:`send`."""
        return self._body

    def parse_json(self, parse: Callable[[Any], T]) -> T:
        """The JSON body shaped by ``parse``; anything malformed -> ResourceUnavailable.

        ``parse`` raises KeyError, TypeError or ValueError for a body of the wrong shape.
        """
        return parse_json(self, parse)


def bearer_challenge(headers: Mapping[str, str]) -> Optional[dict[str, str]]:
    """The parameters of a ``WWW-Authenticate: Bearer ...`` header, or None if absent."""
    value = headers.get(WWW_AUTHENTICATE, "") or ""
    if not value.strip().lower().startswith(BEARER.lower()):
        return None
    return {name.lower(): param for name, param in re.findall(_AUTH_PARAM, value)}


def _json_error(response: requests.Response) -> Optional[str]:
    """The ``error`` member of a JSON error body (LWA style), if there is one."""
    try:
        body = json.loads(response.content)
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
    - 5xx -> ResourceUnavailable.

    Every other status is the caller's to judge (which ones its API answers).
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
    if status >= 500:
        raise ResourceUnavailable(f"resource server answered HTTP {status}")


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float | Deadline,
    token: Optional[str] = None,
    json_body: Optional[Mapping[str, Any]] = None,
    form: Optional[Mapping[str, str]] = None,
    params: Optional[Mapping[str, str]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> ResourceResponse:
    """Send one request and read its body, all within ``timeout`` in total.

    ``timeout`` is this call's :class:`Deadline`, or the seconds it may take (usually
    ``call_timeout(per_call, deadline)``). With no time left it raises
    ResourceUnavailable at once, without connecting. ``headers`` are added to the
    request; the token only ever goes in Authorization. No redirects are followed.

    requests' own timeout bounds each socket read, so a server trickling a byte at a
    time could hold the call for minutes: the call's watchdog shuts its socket down at the
    deadline instead (the head too when the session has a DeadlineAdapter). Network
    failures, timeouts and oversized bodies become ResourceUnavailable.
    """
    deadline = timeout if isinstance(timeout, Deadline) else Deadline(timeout)
    limit = deadline.remaining()
    if limit <= 0:
        raise ResourceUnavailable("no time left in the request's budget; not sent")
    sent_headers = {**(headers or {})}
    sent_headers.update(bearer_headers(token) if token is not None else {"Accept": "application/json"})
    with CallWatchdog(deadline) as watchdog:
        try:
            raw_response = session.request(
                method,
                url,
                headers=sent_headers,
                json=json_body,
                data=form,  # application/x-www-form-urlencoded body (RFC 7662 introspection)
                params=params,
                # The second line behind the watchdog: bounds the connect, and each read.
                # requests' stubs omit it, but requests/adapters.py passes a urllib3 Timeout on.
                timeout=urllib3.Timeout(connect=limit, read=limit, total=limit),  # type: ignore[arg-type]
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            if isinstance(exc, requests.Timeout) or watchdog.fired:
                raise ResourceUnavailable(f"no answer within {limit:g} s") from exc
            raise ResourceUnavailable(f"request failed: {type(exc).__name__}") from exc
        try:
            body = _read_body(raw_response, watchdog)
        except BaseException:
            raw_response.close()  # drop the connection: it is in an unknown state
            raise
    if watchdog.fired:  # cut off just after the last byte: the socket is shut down
        raw_response.close()
    else:
        raw_response.raw.release_conn()
    return ResourceResponse(raw_response.status_code, raw_response.headers, body, raw_response.url)


def _read_body(response: requests.Response, watchdog: CallWatchdog) -> bytes:
    """The whole body, or ResourceUnavailable once the watchdog cuts the call off."""
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        watchdog.watch(sock)  # the body is covered even without a DeadlineAdapter
    late = f"body not complete within {watchdog.deadline.budget:g} s"
    body = bytearray()
    while True:
        if watchdog.fired:
            raise ResourceUnavailable(late)
        try:
            chunk = raw.read1(_READ_CHUNK, decode_content=True)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if watchdog.fired:
                raise ResourceUnavailable(late) from exc
            raise ResourceUnavailable(f"reading the body failed: {type(exc).__name__}") from exc
        if not chunk:
            if watchdog.fired:  # the end came from the shutdown, not from the server
                raise ResourceUnavailable(late)
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


def call_resource_server(
    session: requests.Session,
    method: str,
    url: str,
    *,
    deadline: Optional[Deadline],
    timeout: float,
    expect: Collection[int] = (200,),
    token: Optional[str] = None,
    required_scope: Optional[str] = None,
    json: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, str]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> ResourceResponse:
    """Call a resource server within the request's time budget; return an expected answer.

    For a skill's own API client. The call gets ``timeout`` seconds, shortened to what is
    left of ``deadline`` (``deadline_of(handler_input)``; None: the whole ``timeout``);
    with nothing left it is not sent. ``token`` goes in ``Authorization: Bearer``.
    The answer is mapped like a link check: 401 -> LinkRejected (the user hears "relink"
    and the token leaves the cache), 403 ``insufficient_scope`` -> MissingScope (naming
    ``required_scope`` unless the server names one), and a failure to answer, a 5xx or
    any status not in ``expect`` -> ResourceUnavailable (an apology). Statuses in
    ``expect`` are returned for the caller to read (``response.parse_json(shape)``).
    """
    response = send(
        session, method, url,
        timeout=Deadline.for_call(timeout, deadline), token=token,
        json_body=json, params=params, headers=headers,
    )
    raise_for_token_status(response, required_scope=required_scope)
    if response.status_code not in expect:
        raise ResourceUnavailable(f"{method} {_path(url)} answered HTTP {response.status_code}")
    return response


def _path(url: str) -> str:
    """The URL without query (for error messages: queries may carry user input)."""
    return url.split("?", 1)[0]
