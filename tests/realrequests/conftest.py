"""Fixtures: the 77 real envelopes from ../shared, the Ride Hailer skill on both hosts.

The envelopes are read where they lie (never copied into the repository): CI has
``shared/`` beside the clone, this machine at /work/shared.
"""
from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
import requests
from alexa_linkcheck.simulator.signing import Authority, SigningIdentity, make_signing_identity
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from account_linking.safety import read_timestamp
from ride_hailer.settings import SkillSettings
from ride_hailer.skill import build_skill_builder
from devstack.resource_server import ResourceServer
from devstack.servers import ChainServer
from webservice import create_app

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """``shared/`` beside the repository (CI), else /work/shared (this machine)."""
    beside = REPO.parent / "shared"
    return beside if (beside / "real-alexa").is_dir() else Path("/work/shared")


REAL = shared_dir() / "real-alexa"
REQUESTS = REAL / "requests"
CERTS = REAL / "certs"
REQUEST_FILES = sorted(p.name for p in REQUESTS.glob("*.json"))
CERT_PATH = "/echo.api/echo-api-cert-test.pem"
CERT_URL = "https://s3.amazonaws.com" + CERT_PATH


def load(name: str) -> dict[str, Any]:
    """The envelope ``name`` as Alexa (or the capturing project) sent it."""
    data: dict[str, Any] = json.loads((REQUESTS / name).read_text(encoding="utf-8"))
    return data


def raw(name: str) -> bytes:
    """The file's bytes, exactly."""
    return (REQUESTS / name).read_bytes()


def file_timestamp(data: dict[str, Any]) -> Optional[datetime.datetime]:
    """The envelope's own timestamp, if it has a readable one."""
    request = data.get("request")
    return read_timestamp(request.get("timestamp")) if isinstance(request, dict) else None


def _authority(name: str, issuer: Optional[Authority], path_length: int | None) -> Authority:
    """A CA valid from 2010 to 2040, so envelopes from 2015 to 2021 verify at their own time."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signer = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2010, 1, 1, tzinfo=datetime.timezone.utc))
        .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    return Authority(key, builder.sign(signer, hashes.SHA256()))


@dataclass
class LongPki:
    root: Authority
    alexa: SigningIdentity
    anchors_file: Path


@pytest.fixture(scope="session")
def long_pki(tmp_path_factory: pytest.TempPathFactory) -> LongPki:
    root = _authority("Real Requests Test Root CA", None, None)
    intermediate = _authority("Real Requests Test Intermediate CA", root, 0)
    alexa = make_signing_identity(
        intermediate,
        not_before=datetime.datetime(2010, 1, 2, tzinfo=datetime.timezone.utc),
        not_after=datetime.datetime(2039, 1, 1, tzinfo=datetime.timezone.utc),
    )
    anchors = tmp_path_factory.mktemp("realreq-anchors") / "root.pem"
    anchors.write_bytes(root.pem)
    return LongPki(root=root, alexa=alexa, anchors_file=anchors)


@pytest.fixture(scope="session")
def chain_server(long_pki: LongPki) -> Iterator[ChainServer]:
    server = ChainServer()
    server.routes[CERT_PATH] = long_pki.alexa.chain_pem
    yield server
    server.close()


@pytest.fixture(scope="session")
def resource_server() -> Iterator[ResourceServer]:
    server = ResourceServer().start()
    yield server
    server.stop()


Handler = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def lambda_skill(resource_server: ResourceServer) -> Iterator[Callable[..., Handler]]:
    """The Ride Hailer skill's Lambda handler against the local resource server."""
    sessions: list[requests.Session] = []

    def make(skill_id: Optional[str] = None) -> Handler:
        session = requests.Session()
        sessions.append(session)
        settings = SkillSettings(ride_hailer_api_url=resource_server.url, skill_id=skill_id,
                                 resource_timeout=2.0)
        handler = build_skill_builder(settings, session=session).lambda_handler()
        return lambda event: handler(event, None)  # type: ignore[no-any-return]

    yield make
    for session in sessions:
        session.close()


@dataclass
class WebHost:
    """The Ride Hailer web host verifying with the long-lived test PKI at a fixed clock."""

    client: Any
    alexa: SigningIdentity

    def post(self, body: bytes, *, sign: bool = True) -> Any:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if sign:
            headers["SignatureCertChainUrl"] = CERT_URL
            headers["Signature-256"] = self.alexa.sign(body)
        return self.client.post("/alexa", data=body, headers=headers)


@pytest.fixture
def web_host(long_pki: LongPki, chain_server: ChainServer,
             resource_server: ResourceServer) -> Callable[..., WebHost]:
    """``web_host(at=moment, skill_id=None)``: the host whose clock reads ``at``."""

    def make(at: datetime.datetime, skill_id: Optional[str] = None) -> WebHost:
        environ = {"RIDE_HAILER_API_URL": resource_server.url, "RESOURCE_TIMEOUT": "2"}
        if skill_id:
            environ["SKILL_ID"] = skill_id
        app = create_app(config={
            "WEBSERVICE_ENV": "development",
            "ALEXA_CERT_FETCH_URL_OVERRIDE": chain_server.url,
            "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(long_pki.anchors_file),
            "ALEXA_CLOCK": lambda: at,
        }, environ=environ)
        return WebHost(client=app.test_client(), alexa=long_pki.alexa)

    return make


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog
