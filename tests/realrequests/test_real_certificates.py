"""Amazon's real echo-api.amazon.com chains (2020-2023) validate inside their window, not outside.

Validated against the system CA bundle (Debian's, with Amazon Root CA 1), downloaded from a
real HTTP server on 127.0.0.1 at the URL Alexa names, with the validator's clock set.
"""
from __future__ import annotations

import datetime
from typing import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256

from account_linking.webservice.verification import (
    CertificateChainValidator,
    CertificateInvalid,
    HttpChainFetcher,
    load_trust_store,
    signature_matches,
)
from devstack.servers import ChainServer

from .conftest import CERTS

CHAINS = sorted(p.name for p in CERTS.iterdir())
ALEXA_URL = "https://s3.amazonaws.com/echo.api/{name}"


@pytest.fixture(scope="module")
def real_chain_server() -> Iterator[ChainServer]:
    server = ChainServer()
    for name in CHAINS:
        server.routes[f"/echo.api/{name}"] = (CERTS / name).read_bytes()
    yield server
    server.close()


def leaf(name: str) -> x509.Certificate:
    return x509.load_pem_x509_certificates((CERTS / name).read_bytes())[0]


def validator_at(moment: datetime.datetime, server: ChainServer) -> CertificateChainValidator:
    return CertificateChainValidator(
        store=load_trust_store(),
        fetcher=HttpChainFetcher(timeout=5.0, max_bytes=65536, url_override=server.url),
        clock=lambda: moment,
    )


def test_there_are_five_real_chains() -> None:
    assert CHAINS == ["echo-api-cert-10.cer", "echo-api-cert-11.cer", "echo-api-cert-12.cer",
                      "echo-api-cert-8.pem", "echo-api-cert-9.pem"]


@pytest.mark.parametrize("name", CHAINS)
def test_real_chain_validates_with_a_clock_inside_its_validity(
    name: str, real_chain_server: ChainServer
) -> None:
    cert = leaf(name)
    middle = cert.not_valid_before_utc + (cert.not_valid_after_utc - cert.not_valid_before_utc) / 2
    signing = validator_at(middle, real_chain_server).signing_certificate(ALEXA_URL.format(name=name))
    assert signing == cert
    names = signing.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "echo-api.amazon.com" in names.get_values_for_type(x509.DNSName)


@pytest.mark.parametrize("name", CHAINS)
def test_real_chain_is_refused_a_day_after_it_expired(name: str, real_chain_server: ChainServer) -> None:
    moment = leaf(name).not_valid_after_utc + datetime.timedelta(days=1)
    with pytest.raises(CertificateInvalid, match="expired"):
        validator_at(moment, real_chain_server).signing_certificate(ALEXA_URL.format(name=name))


@pytest.mark.parametrize("name", CHAINS)
def test_real_chain_is_refused_a_day_before_it_was_valid(name: str, real_chain_server: ChainServer) -> None:
    moment = leaf(name).not_valid_before_utc - datetime.timedelta(days=1)
    with pytest.raises(CertificateInvalid, match="not valid yet"):
        validator_at(moment, real_chain_server).signing_certificate(ALEXA_URL.format(name=name))


@pytest.mark.parametrize("name", CHAINS)
def test_host_signature_check_accepts_the_signatures_amazon_s_cas_made_on_the_real_chain(name: str) -> None:
    """Every certificate of a real chain is signed sha256WithRSAEncryption (PKCS#1 v1.5,
    SHA-256) by the next one's key, the same scheme as Signature-256, made by Amazon's and
    Starfield's CAs, not by this project: the host's check accepts each, as cryptography's
    verify does, and refuses it over other bytes."""
    chain = x509.load_pem_x509_certificates((CERTS / name).read_bytes())
    assert len(chain) >= 2
    for child, parent in zip(chain, chain[1:]):
        key = parent.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        assert child.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSA_WITH_SHA256
        key.verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), SHA256())
        assert signature_matches(key, child.signature, child.tbs_certificate_bytes)
        assert not signature_matches(key, child.signature, child.tbs_certificate_bytes + b"\0")
