"""The certificate chain cache and the bounded download."""
from __future__ import annotations

import datetime
import threading
import time
from typing import Any, Callable

import pytest

from alexa_linkcheck.simulator.signing import make_signing_identity
from account_linking.webservice import (
    CertificateChainValidator,
    CertificateFetchFailed,
    HttpChainFetcher,
    load_trust_store,
)
from webservice_support import (
    CERT_URL,
    FakeClock,
    Host,
    Pki,
    body_of,
    envelope,
    post_or_fail_as_hung,
    signed_headers,
)

CHAIN_PATH = "/echo.api/echo-api-cert-test.pem"


def test_second_request_uses_the_cached_chain_without_a_download(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    host = make_host()
    for _ in range(3):
        body = body_of(envelope())
        assert host.post(body, signed_headers(pki.alexa, body)).status_code == 200
    assert chain_server.hits[CHAIN_PATH] == 1
    assert host.skill.launch.calls == 3


def test_failed_validation_is_not_cached(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    untrusted = make_signing_identity(pki.untrusted_root)
    chain_server.routes[CHAIN_PATH] = untrusted.chain_pem
    host = make_host()
    body = body_of(envelope())
    assert host.post(body, signed_headers(untrusted, body)).status_code == 400
    chain_server.routes[CHAIN_PATH] = pki.alexa.chain_pem
    body = body_of(envelope())
    assert host.post(body, signed_headers(pki.alexa, body)).status_code == 200
    assert chain_server.hits[CHAIN_PATH] == 2


def test_cache_entry_expires_with_the_signing_certificate(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    clock = FakeClock()
    short_lived = make_signing_identity(
        pki.intermediate, not_after=clock.now + datetime.timedelta(hours=1)
    )
    renewed = make_signing_identity(pki.intermediate)
    chain_server.routes[CHAIN_PATH] = short_lived.chain_pem
    host = make_host(ALEXA_CLOCK=clock)

    body = body_of(envelope(timestamp=clock.now))
    assert host.post(body, signed_headers(short_lived, body)).status_code == 200

    # Amazon rotates the certificate behind the same URL; the cached one still serves.
    chain_server.routes[CHAIN_PATH] = renewed.chain_pem
    clock.now += datetime.timedelta(minutes=59)
    body = body_of(envelope(timestamp=clock.now))
    assert host.post(body, signed_headers(short_lived, body)).status_code == 200
    assert chain_server.hits[CHAIN_PATH] == 1

    # Past the cached certificate's notAfter the chain is downloaded again.
    clock.now += datetime.timedelta(minutes=2)
    body = body_of(envelope(timestamp=clock.now))
    assert host.post(body, signed_headers(renewed, body)).status_code == 200
    assert chain_server.hits[CHAIN_PATH] == 2
    assert host.skill.launch.calls == 3


def test_cache_keeps_only_the_most_recently_used_chains(pki: Pki, chain_server: Any) -> None:
    for name in ("a", "b", "c"):
        chain_server.routes[f"/echo.api/{name}.pem"] = pki.alexa.chain_pem
    validator = CertificateChainValidator(
        store=load_trust_store([pki.anchors_file]),
        fetcher=HttpChainFetcher(url_override=chain_server.url),
        cache_size=2,
    )
    for name in ("a", "b", "a", "c", "a", "b"):
        validator.signing_certificate(f"https://s3.amazonaws.com/echo.api/{name}.pem")
    # a stays hot; b is evicted by c, so b is downloaded twice; c once.
    assert chain_server.hits["/echo.api/a.pem"] == 1
    assert chain_server.hits["/echo.api/b.pem"] == 2
    assert chain_server.hits["/echo.api/c.pem"] == 1


def test_cache_is_safe_under_concurrent_requests(pki: Pki, chain_server: Any) -> None:
    validator = CertificateChainValidator(
        store=load_trust_store([pki.anchors_file]),
        fetcher=HttpChainFetcher(url_override=chain_server.url),
        cache_size=1,
    )
    errors: list[BaseException] = []

    def work(name: str) -> None:
        chain_server.routes[f"/echo.api/{name}.pem"] = pki.alexa.chain_pem
        try:
            for _ in range(10):
                cert = validator.signing_certificate(f"https://s3.amazonaws.com/echo.api/{name}.pem")
                assert cert == pki.alexa.cert
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_stalled_chain_download_is_refused_quickly(
    make_host: Callable[..., Host], pki: Pki, stalling_server: Any
) -> None:
    host = make_host(
        ALEXA_CERT_FETCH_URL_OVERRIDE=stalling_server.url, ALEXA_CERT_FETCH_TIMEOUT="0.5"
    )
    body = body_of(envelope())
    response = post_or_fail_as_hung(host, body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json() == {"error": "certificate_fetch_failed",
                                   "error_description": "certificate chain download timed out"}
    # The server never answered: the host gave up and closed the connection itself.
    assert stalling_server.clients_closed()
    assert host.skill.calls == 0


def test_chain_download_trickling_bytes_is_cut_off_at_the_deadline(
    make_host: Callable[..., Host], pki: Pki, trickling_server: Any
) -> None:
    host = make_host(
        ALEXA_CERT_FETCH_URL_OVERRIDE=trickling_server.base_url, ALEXA_CERT_FETCH_TIMEOUT="1"
    )
    body = body_of(envelope())
    response = post_or_fail_as_hung(host, body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json() == {"error": "certificate_fetch_failed",
                                   "error_description": "certificate chain download timed out"}
    # The 4000-byte body (800 s at this pace) was cut off: the server saw the client leave.
    assert trickling_server.client_gone.wait(30), "the host kept reading"
    assert not trickling_server.finished.is_set()
    assert host.skill.calls == 0


def test_chain_download_answering_404_is_refused(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    chain_server.routes.clear()
    host = make_host()
    body = body_of(envelope())
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "certificate_fetch_failed"


def test_oversized_chain_download_is_refused(pki: Pki, chain_server: Any) -> None:
    chain_server.routes["/echo.api/huge.pem"] = pki.alexa.chain_pem * 40
    fetcher = HttpChainFetcher(url_override=chain_server.url, max_bytes=64 * 1024)
    with pytest.raises(CertificateFetchFailed, match="too large"):
        fetcher("https://s3.amazonaws.com/echo.api/huge.pem")


def test_unreachable_chain_host_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host(ALEXA_CERT_FETCH_URL_OVERRIDE="http://127.0.0.1:9")
    body = body_of(envelope())
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 400
    assert response.get_json()["error"] == "certificate_fetch_failed"


def test_fetch_override_keeps_the_validated_path(chain_server: Any) -> None:
    fetcher = HttpChainFetcher(url_override=chain_server.url + "/")
    assert fetcher.target_url(CERT_URL) == chain_server.url + CHAIN_PATH
