"""Guards around chain downloads: cheap checks first, failure cache, concurrency cap."""
from __future__ import annotations

import datetime
import threading
from typing import Any, Callable

import pytest

from account_linking.webservice import (
    CertificateChainValidator,
    CertificateFetchFailed,
    load_trust_store,
)
from webservice_support import SKILL_ID, Host, Pki, body_of, envelope, signed_headers

RANDOM_URL = "https://s3.amazonaws.com/echo.api/random-junk-7f3a.pem"


def test_stale_request_naming_a_chain_url_is_refused_without_any_download(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    host = make_host()
    stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
    body = body_of(envelope(timestamp=stale))
    headers = {"Content-Type": "application/json", "SignatureCertChainUrl": RANDOM_URL,
               "Signature-256": "AAAA"}
    response = host.post(body, headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_timestamp"
    assert sum(chain_server.hits.values()) == 0
    assert host.skill.calls == 0


def test_request_for_another_skill_is_refused_without_any_download(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    host = make_host(SKILL_ID=SKILL_ID)
    body = body_of(envelope(skill_id="amzn1.ask.skill.someone-else"))
    response = host.post(body, signed_headers(pki.alexa, body, RANDOM_URL))
    assert response.status_code == 400
    assert response.get_json()["error"] == "skill_id_mismatch"
    assert sum(chain_server.hits.values()) == 0


def test_failing_chain_url_is_downloaded_once_for_two_requests(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    host = make_host()
    reasons = []
    for _ in range(2):
        body = body_of(envelope())
        response = host.post(body, signed_headers(pki.alexa, body, RANDOM_URL))
        assert response.status_code == 400
        reasons.append(response.get_json()["error"])
    assert reasons == ["certificate_fetch_failed", "certificate_fetch_failed"]
    assert chain_server.hits["/echo.api/random-junk-7f3a.pem"] == 1


def test_failing_chain_url_is_tried_again_after_the_failure_expires(
    pki: Pki, chain_server: Any
) -> None:
    now = [0.0]
    calls: list[str] = []

    def fetcher(url: str) -> bytes:
        calls.append(url)
        raise CertificateFetchFailed("certificate chain download answered HTTP 503")

    validator = CertificateChainValidator(
        store=load_trust_store([pki.anchors_file]), fetcher=fetcher,
        failure_ttl=60, monotonic=lambda: now[0],
    )
    for _ in range(2):
        with pytest.raises(CertificateFetchFailed, match="HTTP 503"):
            validator.signing_certificate(RANDOM_URL)
    assert len(calls) == 1
    now[0] = 61.0
    with pytest.raises(CertificateFetchFailed):
        validator.signing_certificate(RANDOM_URL)
    assert len(calls) == 2


def test_download_beyond_the_concurrency_cap_is_refused_not_queued(pki: Pki) -> None:
    entered = threading.Event()
    release = threading.Event()

    def slow_fetcher(url: str) -> bytes:
        entered.set()
        release.wait(30)
        raise CertificateFetchFailed("certificate chain download timed out")

    validator = CertificateChainValidator(
        store=load_trust_store([pki.anchors_file]), fetcher=slow_fetcher,
        max_concurrent_fetches=1,
    )
    first = threading.Thread(
        target=lambda: pytest.raises(CertificateFetchFailed, validator.signing_certificate,
                                     "https://s3.amazonaws.com/echo.api/one.pem"),
        daemon=True,
    )
    first.start()
    assert entered.wait(30), "the first download never started"
    try:
        with pytest.raises(CertificateFetchFailed, match="too many"):
            validator.signing_certificate("https://s3.amazonaws.com/echo.api/two.pem")
    finally:
        release.set()
        first.join(30)
    assert not first.is_alive(), "hung"
