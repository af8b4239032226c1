"""Certificate chain URL rules, download, validation and cache, built on ``cryptography``."""
from __future__ import annotations

import datetime
import posixpath
import ssl
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit

import requests
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from ._constants import (
    CERT_CHAIN_DOMAIN,
    CERT_CHAIN_URL_HOSTNAME,
    CERT_CHAIN_URL_PATH_PREFIX,
    CERT_CHAIN_URL_PORT,
    CERT_CHAIN_URL_SCHEME,
    DEFAULT_CERT_CACHE_SIZE,
    DEFAULT_CERT_FETCH_TIMEOUT_SECONDS,
    DEFAULT_FETCH_FAILURE_CACHE_SECONDS,
    DEFAULT_MAX_CONCURRENT_CERT_FETCHES,
    MAX_CERT_CHAIN_BYTES,
    MAX_FETCH_FAILURE_CACHE_ENTRIES,
    SYSTEM_CA_BUNDLE,
)
from ._errors import CertificateFetchFailed, CertificateInvalid, CertificateUrlInvalid

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    """The current time, timezone-aware UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


def validate_cert_chain_url(url: str) -> str:
    """Check ``url`` against Amazon's rules and return its normalised path."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise CertificateUrlInvalid("certificate URL does not parse") from exc
    if parts.scheme.lower() != CERT_CHAIN_URL_SCHEME:
        raise CertificateUrlInvalid("certificate URL must use https")
    if parts.username is not None or parts.password is not None:
        raise CertificateUrlInvalid("certificate URL must not carry user information")
    if (parts.hostname or "").lower() != CERT_CHAIN_URL_HOSTNAME:
        raise CertificateUrlInvalid(f"certificate URL host must be {CERT_CHAIN_URL_HOSTNAME}")
    if port is not None and port != CERT_CHAIN_URL_PORT:
        raise CertificateUrlInvalid(f"certificate URL port must be {CERT_CHAIN_URL_PORT}")
    # Normalise percent-escapes and dot segments the way a server would before comparing.
    raw_path = unquote(parts.path)
    path = posixpath.normpath(raw_path) if raw_path else "/"
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if raw_path.endswith("/") and not path.endswith("/"):
        path += "/"
    if not path.startswith(CERT_CHAIN_URL_PATH_PREFIX):
        raise CertificateUrlInvalid(
            f"certificate URL path must start with {CERT_CHAIN_URL_PATH_PREFIX}"
        )
    return path


def load_trust_store(
    extra_anchor_files: Sequence[str | Path] = (), *, bundle: str | Path | None = None
) -> Store:
    """The system trust store (or ``bundle``) plus explicitly configured extra anchors."""
    certs: list[x509.Certificate] = []
    certs.extend(_load_pem_file(Path(bundle) if bundle else system_trust_bundle_path()))
    for extra in extra_anchor_files:
        loaded = _load_pem_file(Path(extra))
        if not loaded:
            raise ValueError(f"no certificate in trust anchor file {extra}")
        certs.extend(loaded)
    return Store(certs)


def system_trust_bundle_path(candidates: Sequence[str | Path] | None = None) -> Path:
    """The operating system's CA bundle, or certifi's when the system has none.

    Default candidates: OpenSSL's default CA file (``ssl.get_default_verify_paths()``,
    which honours ``SSL_CERT_FILE``), then Debian's ``/etc/ssl/certs/ca-certificates.crt``.
    """
    if candidates is None:
        paths = ssl.get_default_verify_paths()
        candidates = [p for p in (paths.cafile, paths.openssl_cafile) if p]
        candidates.append(SYSTEM_CA_BUNDLE)
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file() and path.stat().st_size > 0:
            return path
    import certifi  # comes with requests

    return Path(certifi.where())


def _load_pem_file(path: Path) -> list[x509.Certificate]:
    with warnings.catch_warnings():
        # certifi still ships a root with a non-positive serial number; it parses fine.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_pem_x509_certificates(path.read_bytes())


class HttpChainFetcher:
    """Downloads a PEM chain with a total deadline and a size cap, never following redirects.

    ``url_override`` (test configuration only) replaces scheme, host and port of the
    already-validated URL, so a local server can serve a throw-away chain.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_CERT_FETCH_TIMEOUT_SECONDS,
        max_bytes: int = MAX_CERT_CHAIN_BYTES,
        url_override: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.url_override = url_override.rstrip("/") if url_override else None

    def target_url(self, url: str) -> str:
        """The URL actually downloaded for the validated certificate chain ``url``."""
        if self.url_override is None:
            return url
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.url_override}{parts.path}{query}"

    def __call__(self, url: str) -> bytes:
        """Download ``url`` (after any override) or raise CertificateFetchFailed."""
        deadline = time.monotonic() + self.timeout
        try:
            with requests.get(
                self.target_url(url),
                headers={"Accept-Encoding": "identity"},
                timeout=(self.timeout, self.timeout),
                stream=True,
                allow_redirects=False,
            ) as response:
                if response.status_code != 200:
                    raise CertificateFetchFailed(
                        f"certificate chain download answered HTTP {response.status_code}"
                    )
                return self._read_body(response, deadline)
        except requests.Timeout as exc:
            raise CertificateFetchFailed("certificate chain download timed out") from exc
        except requests.RequestException as exc:
            raise CertificateFetchFailed("certificate chain could not be downloaded") from exc


    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        # read1 returns whatever one socket read brings, so a server trickling bytes cannot
        # stretch the download past the deadline (read(n) would wait for all n bytes).
        body = bytearray()
        while True:
            if time.monotonic() > deadline:
                raise CertificateFetchFailed("certificate chain download timed out")
            chunk = response.raw.read1(4096)
            if not chunk:
                return bytes(body)
            body.extend(chunk)
            if len(body) > self.max_bytes:
                raise CertificateFetchFailed("certificate chain is too large")


@dataclass(frozen=True)
class _CacheEntry:
    signing_cert: x509.Certificate
    expires_at: datetime.datetime


class CertificateChainValidator:
    """Fetches, validates and caches signing certificates by chain URL.

    The cache is an LRU of ``cache_size`` entries, each kept until the signing
    certificate's notAfter; it is safe to share between threads. Download failures are
    remembered per URL for ``failure_ttl`` seconds (at most ``MAX_FETCH_FAILURE_CACHE_ENTRIES``
    URLs), and at most ``max_concurrent_fetches`` downloads run at once: further requests
    needing a download are refused as CertificateFetchFailed instead of waiting.
    """

    def __init__(
        self,
        *,
        store: Store,
        fetcher: Callable[[str], bytes],
        cache_size: int = DEFAULT_CERT_CACHE_SIZE,
        clock: Clock = utc_now,
        failure_ttl: float = DEFAULT_FETCH_FAILURE_CACHE_SECONDS,
        max_concurrent_fetches: int = DEFAULT_MAX_CONCURRENT_CERT_FETCHES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        if max_concurrent_fetches < 1:
            raise ValueError("max_concurrent_fetches must be at least 1")
        self._store = store
        self._fetcher = fetcher
        self._cache_size = cache_size
        self._clock = clock
        self._cache: OrderedDict[str, _CacheEntry] = OrderedDict()
        self._lock = threading.Lock()
        self._failure_ttl = failure_ttl
        self._failures: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._monotonic = monotonic
        self._fetch_slots = threading.BoundedSemaphore(max_concurrent_fetches)

    def signing_certificate(self, url: str) -> x509.Certificate:
        """The validated signing certificate behind ``url`` (cached when possible)."""
        now = self._clock()
        cached = self._cached(url, now)  # only URLs that passed the rules below are cached
        if cached is not None:
            return cached
        validate_cert_chain_url(url)
        chain = self._parse(self._fetch(url))
        signing_cert = self._validate(chain, now)
        with self._lock:
            self._cache[url] = _CacheEntry(signing_cert, signing_cert.not_valid_after_utc)
            self._cache.move_to_end(url)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return signing_cert

    def _fetch(self, url: str) -> bytes:
        """Download ``url`` unless it failed recently or too many downloads are running."""
        with self._lock:
            failure = self._failures.get(url)
            if failure is not None:
                if self._monotonic() < failure[0]:
                    raise CertificateFetchFailed(f"{failure[1]} (failed recently, not retried yet)")
                del self._failures[url]
        if not self._fetch_slots.acquire(blocking=False):
            raise CertificateFetchFailed("too many certificate chain downloads in progress")
        try:
            return self._fetcher(url)
        except CertificateFetchFailed as exc:
            if self._failure_ttl > 0:
                with self._lock:
                    self._failures[url] = (self._monotonic() + self._failure_ttl, str(exc))
                    self._failures.move_to_end(url)
                    while len(self._failures) > MAX_FETCH_FAILURE_CACHE_ENTRIES:
                        self._failures.popitem(last=False)
            raise
        finally:
            self._fetch_slots.release()

    def _cached(self, url: str, now: datetime.datetime) -> x509.Certificate | None:
        with self._lock:
            entry = self._cache.get(url)
            if entry is None:
                return None
            if now > entry.expires_at:
                del self._cache[url]
                return None
            self._cache.move_to_end(url)
            return entry.signing_cert

    @staticmethod
    def _parse(data: bytes) -> list[x509.Certificate]:
        try:
            chain = x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise CertificateInvalid("certificate chain is not PEM") from exc
        return chain

    def _validate(self, chain: list[x509.Certificate], now: datetime.datetime) -> x509.Certificate:
        signing_cert, intermediates = chain[0], chain[1:]
        if now < signing_cert.not_valid_before_utc:
            raise CertificateInvalid("signing certificate is not valid yet")
        if now > signing_cert.not_valid_after_utc:
            raise CertificateInvalid("signing certificate has expired")
        try:
            san = signing_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            names = san.value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if CERT_CHAIN_DOMAIN not in [name.lower() for name in names]:
            raise CertificateInvalid(f"signing certificate lacks SAN {CERT_CHAIN_DOMAIN}")
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(DNSName(CERT_CHAIN_DOMAIN))
        )
        try:
            verifier.verify(signing_cert, intermediates)
        except VerificationError as exc:
            raise CertificateInvalid("certificate chain does not lead to a trusted root") from exc
        return signing_cert
