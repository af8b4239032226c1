"""Signed requests through POST /alexa: good ones reach the skill, each broken part gets 400."""
from __future__ import annotations

import base64
import datetime
from typing import Any, Callable

import pytest

from alexa_linkcheck.simulator.signing import make_signing_identity
from webservice_support import CERT_URL, SKILL_ID, WELCOME, FakeClock, Host, Pki, body_of, envelope, signed_headers


def _refused(response: Any, host: Host, reason: str) -> None:
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"] == reason
    assert host.skill.calls == 0


def test_valid_signed_request_gets_the_skill_answer(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    body = body_of(envelope())
    response = host.post(body, signed_headers(pki.alexa, body))
    assert response.status_code == 200
    assert WELCOME in response.get_json()["response"]["outputSpeech"]["ssml"]
    assert host.skill.launch.calls == 1


def test_tampered_body_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    tampered = body.replace(b"TESTUSER", b"OTHERUSER")
    _refused(host.post(tampered, headers), host, "invalid_signature")


def test_signature_by_another_key_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    body = body_of(envelope())
    impostor = make_signing_identity(pki.intermediate)
    headers = signed_headers(pki.alexa, body)
    headers["Signature-256"] = impostor.sign(body)
    _refused(host.post(body, headers), host, "invalid_signature")


def test_signature_that_is_not_base64_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    headers["Signature-256"] = "not base64 at all!"
    _refused(host.post(body, headers), host, "invalid_signature")


def test_request_with_only_the_sha1_signature_header_is_refused(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": CERT_URL,
        "Signature": pki.alexa.sign_sha1(body),
    }
    _refused(host.post(body, headers), host, "missing_signature_header")


@pytest.mark.parametrize("missing", ["SignatureCertChainUrl", "Signature-256"])
def test_request_missing_a_signature_header_is_refused(
    make_host: Callable[..., Host], pki: Pki, missing: str
) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    del headers[missing]
    _refused(host.post(body, headers), host, "missing_signature_header")


def _host_serving(make_host: Callable[..., Host], chain_server: Any, chain: bytes) -> Host:
    chain_server.routes["/echo.api/echo-api-cert-test.pem"] = chain
    return make_host()


@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("expired", "signing certificate has expired"),
        ("not_yet_valid", "signing certificate is not valid yet"),
        ("no_san", "signing certificate lacks SAN echo-api.amazon.com"),
        ("other_san", "signing certificate lacks SAN echo-api.amazon.com"),
        ("untrusted_root", "certificate chain does not lead to a trusted root"),
    ],
)
def test_unusable_signing_certificate_is_refused(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any, case: str, description: str
) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    identity = {
        "expired": lambda: make_signing_identity(
            pki.intermediate, not_before=now - 30 * day, not_after=now - day
        ),
        "not_yet_valid": lambda: make_signing_identity(
            pki.intermediate, not_before=now + day, not_after=now + 30 * day
        ),
        "no_san": lambda: make_signing_identity(pki.intermediate, dns_names=()),
        "other_san": lambda: make_signing_identity(
            pki.intermediate, dns_names=("echo-api.amazon.com.evil.example",)
        ),
        "untrusted_root": lambda: make_signing_identity(pki.untrusted_root),
    }[case]()
    host = _host_serving(make_host, chain_server, identity.chain_pem)
    body = body_of(envelope())
    response = host.post(body, signed_headers(identity, body))
    _refused(response, host, "invalid_certificate")
    assert response.get_json()["error_description"] == description


def test_chain_missing_its_intermediate_is_refused(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    leaf_only = pki.alexa.chain_pem.split(b"-----END CERTIFICATE-----")[0] + (
        b"-----END CERTIFICATE-----\n"
    )
    host = _host_serving(make_host, chain_server, leaf_only)
    body = body_of(envelope())
    response = host.post(body, signed_headers(pki.alexa, body))
    _refused(response, host, "invalid_certificate")


def test_chain_that_is_not_pem_is_refused(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any
) -> None:
    host = _host_serving(make_host, chain_server, b"<html>not a certificate</html>")
    body = body_of(envelope())
    _refused(host.post(body, signed_headers(pki.alexa, body)), host, "invalid_certificate")


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://notamazon.com/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert-test.pem",
        "https://evil-s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/echo.api/../echo-api-cert-test.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/echo-api-cert-test.pem",
        "https://s3.amazonaws.com:8443/echo.api/echo-api-cert-test.pem",
        "https://user:pass@s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert-test.pem",
        "s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
    ],
)
def test_bad_certificate_url_is_refused_without_a_download(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any, url: str
) -> None:
    host = make_host()
    body = body_of(envelope())
    _refused(host.post(body, signed_headers(pki.alexa, body, url)), host, "invalid_certificate_url")
    assert sum(chain_server.hits.values()) == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-test.pem",
    ],
)
def test_amazon_certificate_url_variants_are_accepted(
    make_host: Callable[..., Host], pki: Pki, chain_server: Any, url: str
) -> None:
    chain_server.routes["/echo.api/../echo.api/echo-api-cert-test.pem"] = pki.alexa.chain_pem
    host = make_host()
    body = body_of(envelope())
    response = host.post(body, signed_headers(pki.alexa, body, url))
    assert response.status_code == 200
    assert host.skill.launch.calls == 1


@pytest.mark.parametrize("offset_seconds", [-151, 151, -3600, 7200])
def test_request_timestamp_outside_150_seconds_is_refused(
    make_host: Callable[..., Host], pki: Pki, offset_seconds: int
) -> None:
    # A whole-second clock: Alexa timestamps have no fraction, so +151 s must stay 151 s.
    clock = FakeClock()
    clock.now = clock.now.replace(microsecond=0)
    host = make_host(ALEXA_CLOCK=clock)
    moment = clock.now + datetime.timedelta(seconds=offset_seconds)
    body = body_of(envelope(timestamp=moment))
    _refused(host.post(body, signed_headers(pki.alexa, body)), host, "invalid_timestamp")


@pytest.mark.parametrize("offset_seconds", [-140, 140])
def test_request_timestamp_within_150_seconds_is_accepted(
    make_host: Callable[..., Host], pki: Pki, offset_seconds: int
) -> None:
    host = make_host()
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        seconds=offset_seconds
    )
    body = body_of(envelope(timestamp=moment))
    assert host.post(body, signed_headers(pki.alexa, body)).status_code == 200
    assert host.skill.launch.calls == 1


def test_skill_event_3000_seconds_old_is_accepted(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=3000)
    body = body_of(envelope("skill_account_linked_event", timestamp=moment))
    assert host.post(body, signed_headers(pki.alexa, body)).status_code == 200
    assert host.skill.event.calls == 1


def test_skill_event_4000_seconds_old_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=4000)
    body = body_of(envelope("skill_account_linked_event", timestamp=moment))
    _refused(host.post(body, signed_headers(pki.alexa, body)), host, "invalid_timestamp")


def test_launch_request_3000_seconds_old_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=3000)
    body = body_of(envelope(timestamp=moment))
    _refused(host.post(body, signed_headers(pki.alexa, body)), host, "invalid_timestamp")


def test_request_for_another_skill_is_refused_when_skill_id_is_set(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    host = make_host(SKILL_ID=SKILL_ID)
    body = body_of(envelope(skill_id="amzn1.ask.skill.someone-else"))
    _refused(host.post(body, signed_headers(pki.alexa, body)), host, "skill_id_mismatch")


def test_request_for_this_skill_is_accepted_when_skill_id_is_set(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    host = make_host(SKILL_ID=SKILL_ID)
    body = body_of(envelope())
    assert host.post(body, signed_headers(pki.alexa, body)).status_code == 200
    assert host.skill.launch.calls == 1


def test_refusal_is_logged_with_its_reason(
    make_host: Callable[..., Host], pki: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    with caplog.at_level("WARNING", logger="account_linking.webservice"):
        host.post(body + b" ", headers)
    assert any("invalid_signature" in record.getMessage() for record in caplog.records)


def test_request_with_both_signature_headers_is_checked_on_signature_256(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    headers["Signature"] = pki.alexa.sign_sha1(body)
    assert host.post(body, headers).status_code == 200
    headers["Signature-256"] = pki.alexa.sign(body + b" ")
    response = host.post(body, headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_signature"
    assert host.skill.launch.calls == 1


def test_sha1_signature_sent_as_signature_256_is_refused(make_host: Callable[..., Host], pki: Pki) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    headers["Signature-256"] = pki.alexa.sign_sha1(body)  # right key and body, SHA-1 DigestInfo
    _refused(host.post(body, headers), host, "invalid_signature")


@pytest.mark.parametrize("mangle", [
    pytest.param(lambda raw: raw[:-1], id="one-byte-short"),
    pytest.param(lambda raw: raw + b"\0", id="one-byte-long"),
    pytest.param(lambda raw: b"\0" * len(raw), id="zeros"),
    pytest.param(lambda raw: b"\xff" * len(raw), id="above-the-modulus"),
])
def test_signature_of_the_wrong_shape_is_refused(
    make_host: Callable[..., Host], pki: Pki, mangle: Callable[[bytes], bytes]
) -> None:
    host = make_host()
    body = body_of(envelope())
    headers = signed_headers(pki.alexa, body)
    headers["Signature-256"] = base64.b64encode(mangle(base64.b64decode(headers["Signature-256"]))).decode()
    _refused(host.post(body, headers), host, "invalid_signature")
