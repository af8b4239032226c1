"""Issuer metadata (OpenID Connect Discovery, RFC 8414) and JSON documents, fetched and cached.

Used by the OIDC userinfo client (where is userinfo?) and the JWT client (where are the
issuer's keys?). A document is fetched once per URL and kept for ``ttl`` seconds in a
bounded :class:`DocumentCache` that lives on the client, never in a module global;
failures are never cached.
"""
from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import requests

from .errors import ResourceUnavailable
from .http import parse_json, send

#: OpenID Connect Discovery 1.0 section 4: the provider configuration document.
OPENID_CONFIGURATION = "/.well-known/openid-configuration"
#: RFC 8414 section 3: the authorization server metadata document.
OAUTH_AUTHORIZATION_SERVER = "/.well-known/oauth-authorization-server"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: Any, what: str) -> str:
    """``url`` if it is https (or http to a loopback host); ValueError otherwise.

    A token must never travel in clear text to another machine.
    """
    parts = urlsplit(url) if isinstance(url, str) else None
    if (
        parts is None
        or not parts.hostname
        or parts.fragment
        or not (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)))
    ):
        raise ValueError(f"{what} must be an https URL (http only for loopback): {url!r}")
    return str(url)


def same_issuer(a: str, b: str) -> bool:
    """Whether two issuer identifiers match, ignoring one trailing slash (Auth0 writes one)."""
    return a.rstrip("/") == b.rstrip("/")


class DocumentCache:
    """Bounded least-recently-used cache of JSON documents by URL, each kept ``ttl`` seconds."""

    def __init__(
        self, ttl: float = 3600.0, max_entries: int = 16, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> Optional[dict[str, Any]]:
        """The cached document, or None when absent or expired."""
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            if self._clock() >= entry[0]:
                del self._entries[url]
                return None
            self._entries.move_to_end(url)
            return entry[1]

    def put(self, url: str, document: dict[str, Any]) -> None:
        """Keep ``document`` for ``ttl`` seconds, dropping the least recently used beyond the bound."""
        with self._lock:
            self._entries[url] = (self._clock() + self.ttl, document)
            self._entries.move_to_end(url)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, url: str) -> None:
        """Drop one document (it proved stale)."""
        with self._lock:
            self._entries.pop(url, None)


def fetch_document(session: requests.Session, url: str, timeout: float) -> dict[str, Any]:
    """GET a JSON object without any token; anything but a 200 object -> ResourceUnavailable."""
    response = send(session, "GET", url, timeout=timeout)
    if response.status_code != 200:
        raise ResourceUnavailable(f"{url} answered HTTP {response.status_code}")

    def shape(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise TypeError("not a JSON object")
        return body

    return parse_json(response, shape)


def issuer_metadata(
    session: requests.Session,
    cache: DocumentCache,
    issuer: str,
    timeout: float,
    well_known: str = OPENID_CONFIGURATION,
) -> dict[str, Any]:
    """The issuer's metadata document, from ``cache`` or fetched and checked.

    The document must name the same ``issuer`` (OpenID Connect Discovery section 4.3,
    RFC 8414 section 3.3), else it is not trusted (ResourceUnavailable: a configuration
    fault, never the user's).
    """
    url = issuer.rstrip("/") + well_known
    document = cache.get(url)
    if document is not None:
        return document
    document = fetch_document(session, url, timeout)
    named = document.get("issuer")
    if not isinstance(named, str) or not same_issuer(named, issuer):
        raise ResourceUnavailable(f"{url} names another issuer ({named!r}); not trusted")
    cache.put(url, document)
    return document


def endpoint(document: dict[str, Any], name: str) -> str:
    """A URL member of a metadata document, checked; ResourceUnavailable when missing or unsafe."""
    try:
        return check_url(document.get(name), name)
    except ValueError as exc:
        raise ResourceUnavailable(f"issuer metadata: {exc}") from exc
