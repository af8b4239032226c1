"""Web-service target: envelopes POSTed to a real HTTP host, signed like Alexa signs them."""
from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from alexa_linkcheck.simulator import Conversation, LambdaTarget, RequestSigner, TargetError, WebServiceTarget
from alexa_linkcheck.simulator.cli import main
from alexa_linkcheck.simulator.conversation import WALL

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "echo-api.amazon.com")])
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("echo-api.amazon.com")]), critical=False)
            .sign(key, hashes.SHA256()))


class SkillHost:
    """A real HTTP host that checks the signature with the trusted certificate, then runs the skill."""

    def __init__(self, certificate: x509.Certificate, skill: LambdaTarget) -> None:
        self.certificate = certificate
        self.skill = skill
        self.requests: list[dict[str, Any]] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                host.requests.append({"headers": dict(self.headers), "body": body})
                try:
                    if self.headers.get("SignatureCertChainUrl") != CERT_URL:
                        raise InvalidSignature
                    host.certificate.public_key().verify(  # type: ignore[call-arg, union-attr]
                        base64.b64decode(self.headers.get("Signature-256", "")), body,
                        padding.PKCS1v15(), hashes.SHA256())
                except (InvalidSignature, ValueError):
                    self.send_response(400)
                    self.end_headers()
                    return
                answer = json.dumps(host.skill.invoke(json.loads(body))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/alexa"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def trusted_key() -> rsa.RSAPrivateKey:
    return _key()


@pytest.fixture
def host(trusted_key: rsa.RSAPrivateKey, project: Path, events_file: Path) -> Iterator[SkillHost]:
    server = SkillHost(_certificate(trusted_key), LambdaTarget(project / "lambda"))
    yield server
    server.close()


def test_signed_request_verifies_against_the_certificate_and_the_skill_answers(
        host: SkillHost, trusted_key: rsa.RSAPrivateKey, project: Path) -> None:
    target = WebServiceTarget(host.url, signer=RequestSigner(_pem(trusted_key), CERT_URL))
    c = Conversation(target, project / "skill-package")
    assert c.say("open test taxi").reply.speech == "Welcome to Test Taxi."
    assert c.say("count").reply.speech == "Turn 2, new session False."
    sent = host.requests[-1]
    assert sent["headers"]["SignatureCertChainUrl"] == CERT_URL
    assert json.loads(sent["body"])["request"]["intent"]["name"] == "CountIntent"


def test_request_signed_with_an_untrusted_key_is_rejected_and_reported(host: SkillHost, project: Path) -> None:
    target = WebServiceTarget(host.url, signer=RequestSigner(_pem(_key()), CERT_URL))
    with pytest.raises(TargetError, match="skill endpoint answered HTTP 400"):
        Conversation(target, project / "skill-package").say("open test taxi")


def test_unsigned_request_is_rejected_by_a_verifying_host(host: SkillHost, project: Path) -> None:
    with pytest.raises(TargetError, match="HTTP 400"):
        Conversation(WebServiceTarget(host.url), project / "skill-package").say("open test taxi")
    assert "Signature-256" not in host.requests[-1]["headers"]


def test_wall_clock_timestamps_stay_current_after_the_clock_moves(
        host: SkillHost, trusted_key: rsa.RSAPrivateKey, project: Path) -> None:
    target = WebServiceTarget(host.url, signer=RequestSigner(_pem(trusted_key), CERT_URL))
    c = Conversation(target, project / "skill-package", timestamps=WALL)
    c.advance(7200)
    stamp = dt.datetime.strptime(c.say("count").request["request"]["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    drift = abs((stamp.replace(tzinfo=dt.timezone.utc) - dt.datetime.now(dt.timezone.utc)).total_seconds())
    assert drift < 150  # what a verifying host accepts (ALEXA-FACTS.md)


def test_unreachable_endpoint_is_a_clear_error(project: Path) -> None:
    with pytest.raises(TargetError, match="unreachable"):
        Conversation(WebServiceTarget("http://127.0.0.1:9/alexa", timeout=5), project / "skill-package").say("count")


def test_cli_url_target_signs_with_the_given_key(
        host: SkillHost, trusted_key: rsa.RSAPrivateKey, project: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(_pem(trusted_key))
    script = tmp_path / "s.dialog"
    script.write_text("say open test taxi\n  expect speech contains welcome\n")
    code = main([str(script), "--project", str(project), "--url", host.url,
                 "--sign-key", str(key_file), "--cert-url", CERT_URL])
    assert code == 0, capsys.readouterr().out
