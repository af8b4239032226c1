"""The system trust store (certifi as fallback), and refusals logged at WARNING."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import certifi
import pytest

from account_linking.webservice import (
    CertificateChainValidator,
    CertificateInvalid,
    load_trust_store,
    system_trust_bundle_path,
)
from webservice_support import CERT_URL, Host, Pki, body_of, envelope, signed_headers


def test_trust_bundle_is_the_first_system_bundle_present(tmp_path: Path) -> None:
    system = tmp_path / "ca-certificates.crt"
    system.write_bytes(certifi.contents().encode())
    missing = tmp_path / "absent.pem"
    assert system_trust_bundle_path([missing, system]) == system


def test_trust_bundle_falls_back_to_certifi_without_a_system_bundle(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    assert system_trust_bundle_path([tmp_path / "absent.pem", empty]) == Path(certifi.where())


def test_default_trust_bundle_is_openssl_default_ca_file_when_present() -> None:
    import ssl

    cafile = ssl.get_default_verify_paths().cafile
    expected = Path(cafile) if cafile else Path("/etc/ssl/certs/ca-certificates.crt")
    if not expected.is_file():
        expected = Path(certifi.where())
    assert system_trust_bundle_path() == expected


def test_trust_store_from_a_bundle_without_the_root_refuses_the_chain(
    pki: Pki, tmp_path: Path
) -> None:
    bundle = tmp_path / "only-untrusted-root.pem"
    bundle.write_bytes(pki.untrusted_root.pem)
    validator = CertificateChainValidator(
        store=load_trust_store(bundle=bundle), fetcher=lambda url: pki.alexa.chain_pem
    )
    with pytest.raises(CertificateInvalid, match="trusted root"):
        validator.signing_certificate(CERT_URL)
    trusting = CertificateChainValidator(
        store=load_trust_store(bundle=pki.anchors_file), fetcher=lambda url: pki.alexa.chain_pem
    )
    assert trusting.signing_certificate(CERT_URL) == pki.alexa.cert


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"{not json", "application/json", "invalid_request"),
        (None, "text/plain", "invalid_request"),
        (None, "application/json", "invalid_signature"),
    ],
)
def test_every_refusal_of_post_alexa_is_logged_at_warning_with_its_reason(
    make_host: Callable[..., Host], pki: Pki, caplog: pytest.LogCaptureFixture,
    body: bytes | None, content_type: str, reason: str,
) -> None:
    host = make_host()
    good = body_of(envelope())
    headers = signed_headers(pki.alexa, good)
    headers["Content-Type"] = content_type
    sent = body if body is not None else good.replace(b"TESTUSER", b"OTHERUSER")
    with caplog.at_level(logging.INFO, logger="account_linking.webservice"):
        response = host.post(sent, headers)
    assert response.get_json()["error"] == reason
    refusals = [r for r in caplog.records if r.getMessage().startswith("refused Alexa request")]
    assert [r.levelno for r in refusals] == [logging.WARNING]
    assert reason in refusals[0].getMessage()
