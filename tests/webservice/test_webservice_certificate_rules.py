"""Certificate URL rules and the default trust store, checked directly."""
from __future__ import annotations

import pytest

from account_linking.webservice import (
    CertificateChainValidator,
    CertificateInvalid,
    CertificateUrlInvalid,
    load_trust_store,
    validate_cert_chain_url,
)
from webservice_support import CERT_URL, Pki


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", "/echo.api/echo-api-cert.pem"),
        ("https://S3.AmazonAWS.com:443/echo.api/x.pem", "/echo.api/x.pem"),
        ("https://s3.amazonaws.com/echo.api/./x.pem", "/echo.api/x.pem"),
        ("https://s3.amazonaws.com//echo.api/x.pem", "/echo.api/x.pem"),
    ],
)
def test_amazon_chain_urls_pass_with_their_normalised_path(url: str, path: str) -> None:
    assert validate_cert_chain_url(url) == path


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api",
        "https://s3.amazonaws.com/echo.apix/x.pem",
        "https://s3.amazonaws.com/x/echo.api/x.pem",
        "https://s3.amazonaws.com/echo.api/../../etc/x.pem",
        "https://s3.amazonaws.com/echo.api%2f..%2fx.pem",
        "https://s3.amazonaws.com:0/echo.api/x.pem",
        "https://s3.amazonaws.com:not-a-port/echo.api/x.pem",
        "ftp://s3.amazonaws.com/echo.api/x.pem",
        "",
    ],
)
def test_other_chain_urls_are_refused(url: str) -> None:
    with pytest.raises(CertificateUrlInvalid):
        validate_cert_chain_url(url)


def test_default_trust_store_does_not_trust_the_test_root(pki: Pki) -> None:
    validator = CertificateChainValidator(
        store=load_trust_store(), fetcher=lambda url: pki.alexa.chain_pem
    )
    with pytest.raises(CertificateInvalid, match="trusted root"):
        validator.signing_certificate(CERT_URL)


def test_extra_trust_anchor_makes_the_test_chain_valid(pki: Pki) -> None:
    validator = CertificateChainValidator(
        store=load_trust_store([pki.anchors_file]), fetcher=lambda url: pki.alexa.chain_pem
    )
    assert validator.signing_certificate(CERT_URL) == pki.alexa.cert
