"""A throw-away PKI that signs Alexa-like requests: root, intermediate, signing certificate.

Used by the web-host tests, `make demo` / `make run` and anyone hosting a skill locally:
serve ``chain_pem`` from a local server, point the host's ALEXA_CERT_FETCH_URL_OVERRIDE at
it, trust the root's ``pem`` through ALEXA_EXTRA_TRUST_ANCHORS_FILE, and sign bodies with
``sign`` (or give ``key_pem`` to ``alexa-linkcheck simulate --sign-key``).
"""
from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALEXA_SAN = "echo-api.amazon.com"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Throw-away Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@dataclass(frozen=True)
class Authority:
    """A certificate authority that can issue certificates."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        """The CA certificate as PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class SigningIdentity:
    """A signing certificate, its key and the PEM chain Alexa would publish."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain_pem: bytes

    def sign(self, body: bytes) -> str:
        """Base64 RSA PKCS#1 v1.5 SHA-256 signature of ``body`` (the Signature-256 value)."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    @property
    def key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (for `alexa-linkcheck simulate --sign-key`)."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign_sha1(self, body: bytes) -> str:
        """Base64 SHA-1 signature of ``body`` (the legacy Signature header value)."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA1())
        return base64.b64encode(signature).decode("ascii")


def make_root(common_name: str = "Test Root CA") -> Authority:
    """A self-signed root CA valid from yesterday for ten years."""
    key = _key()
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def make_intermediate(parent: Authority, common_name: str = "Test Intermediate CA") -> Authority:
    """An intermediate CA issued by ``parent``."""
    key = _key()
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(parent.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_aki(parent), critical=False)
        .sign(parent.key, hashes.SHA256())
    )
    return Authority(key, cert)


def make_signing_identity(
    issuer: Authority,
    *,
    chain_extra: tuple[Authority, ...] = (),
    dns_names: tuple[str, ...] = (ALEXA_SAN,),
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> SigningIdentity:
    """An Alexa-like signing certificate issued by ``issuer``; chain = leaf + issuer + extra."""
    key = key or _key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_names[0] if dns_names else "no-san.example"))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_after or now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(_aki(issuer), critical=False)
    )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]),
            critical=False,
        )
    cert = builder.sign(issuer.key, hashes.SHA256())
    chain = b"".join(
        c.public_bytes(serialization.Encoding.PEM)
        for c in (cert, issuer.cert, *(a.cert for a in chain_extra))
    )
    return SigningIdentity(key, cert, chain)


def make_alexa_like_chain() -> tuple[Authority, SigningIdentity]:
    """Root, intermediate and signing certificate; returns the root and the signing identity."""
    root = make_root()
    return root, make_signing_identity(make_intermediate(root))


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )


def _aki(issuer: Authority) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
