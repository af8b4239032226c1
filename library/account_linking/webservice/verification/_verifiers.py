"""Verifiers with the shape of ask-sdk-webservice-support's ``AbstractVerifier``.

One deviation from the SDK: ``serialized_request_env`` is the raw body as ``bytes``, so the
signature is checked over exactly the bytes Alexa sent.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
from abc import ABC, abstractmethod
from typing import Any, Mapping

from ask_sdk_model.request_envelope import RequestEnvelope
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256

from ._certificates import CertificateChainValidator, Clock, utc_now
from ._constants import (
    MAX_NORMAL_REQUEST_TOLERANCE_SECONDS,
    MAX_SKILL_EVENT_TOLERANCE_SECONDS,
    SIGNATURE_CERT_CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
    SKILL_EVENT_PREFIX,
)
from ._errors import (
    CertificateInvalid,
    MissingHeader,
    SignatureInvalid,
    SkillIdMismatch,
    TimestampInvalid,
)


#: The body is hashed in pieces of this size, under the 2048 bytes from which hashlib (and
#: cryptography) let go of the GIL while hashing: see :func:`signature_matches`.
_HASH_PIECE = 1024


def _sha256_holding_the_gil(data: bytes) -> bytes:
    digest = hashlib.sha256()
    view = memoryview(data).cast("B")
    for start in range(0, len(view), _HASH_PIECE):
        digest.update(view[start:start + _HASH_PIECE])
    return digest.digest()


def signature_matches(public_key: rsa.RSAPublicKey, signature: bytes, body: bytes) -> bool:
    """Whether ``signature`` is the RSA PKCS#1 v1.5 SHA-256 signature of ``body`` by ``public_key``.

    The check ``public_key.verify(signature, body, PKCS1v15(), SHA256())`` makes, without
    letting go of the GIL: OpenSSL recovers the signed digest (checking the padding and that
    the DigestInfo names SHA-256, as ``verify`` does) and it is compared with the body's
    SHA-256. cryptography (since 47) releases the GIL around ``verify``; for a check of about
    20 us that costs a threaded host more than it saves, since the request must then wait to
    get the GIL back, up to ``sys.getswitchinterval()`` (5 ms) while another request thread is
    busy (docs/webservice.md, "Threads"). Like any Python code, the check can still be switched
    out when another thread has waited a whole switch interval, which is rare for 20 us.
    """
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise TypeError("signature_matches needs an RSA public key")
    try:
        recovered = public_key.recover_data_from_signature(bytes(signature), padding.PKCS1v15(), SHA256())
    except InvalidSignature:
        return False
    return hmac.compare_digest(recovered, _sha256_holding_the_gil(body))


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)  # Alexa's own spelling first: one lookup
    if value is not None:
        return str(value)
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


class AbstractVerifier(ABC):
    """A check run on every request before the skill sees it (SDK interface shape)."""

    @abstractmethod
    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        """Return silently when the request passes, raise VerificationException otherwise."""


class RequestVerifier(AbstractVerifier):
    """Checks the certificate chain and the Signature-256 signature of the raw body."""

    def __init__(self, validator: CertificateChainValidator) -> None:
        self._validator = validator

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        """Raise unless the body is signed by a valid Alexa signing certificate."""
        cert_url = _header(headers, SIGNATURE_CERT_CHAIN_URL_HEADER)
        signature_b64 = _header(headers, SIGNATURE_HEADER)
        if not cert_url:
            raise MissingHeader(f"missing {SIGNATURE_CERT_CHAIN_URL_HEADER} header")
        if not signature_b64:
            raise MissingHeader(f"missing {SIGNATURE_HEADER} header")
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureInvalid(f"{SIGNATURE_HEADER} is not base64") from exc
        signing_cert = self._validator.signing_certificate(cert_url)
        public_key = signing_cert.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise CertificateInvalid("signing certificate key is not RSA")
        if not signature_matches(public_key, signature, serialized_request_env):
            raise SignatureInvalid("signature does not match the request body")


class TimestampVerifier(AbstractVerifier):
    """Checks request.timestamp is within 150 s of now (3600 s for skill events), either way.

    The timestamp is judged by its value, however it was written (ISO 8601 or epoch
    milliseconds, read by :func:`account_linking.safety.read_event`); one that could not
    be read counts as missing.
    """

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        """Raise unless the request timestamp is fresh enough."""
        request = deserialized_request_env.request
        timestamp = getattr(request, "timestamp", None) if request is not None else None
        if not isinstance(timestamp, datetime.datetime):
            raise TimestampInvalid("request timestamp is missing or unreadable")
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=datetime.timezone.utc)
        distance = abs((self._clock() - timestamp).total_seconds())
        request_type = str(getattr(request, "object_type", "") or "")
        tolerance = (
            MAX_SKILL_EVENT_TOLERANCE_SECONDS
            if request_type.startswith(SKILL_EVENT_PREFIX)
            else MAX_NORMAL_REQUEST_TOLERANCE_SECONDS
        )
        if distance > tolerance:
            raise TimestampInvalid(f"request timestamp is more than {tolerance} s from now")


class SkillIdVerifier(AbstractVerifier):
    """Checks the request is addressed to this skill's id."""

    def __init__(self, skill_id: str) -> None:
        self._skill_id = skill_id

    def verify(
        self,
        headers: Mapping[str, Any],
        serialized_request_env: bytes,
        deserialized_request_env: RequestEnvelope,
    ) -> None:
        """Raise unless context.System.application (or session.application) names this skill."""
        application_id = None
        context = deserialized_request_env.context
        if context is not None and context.system is not None and context.system.application:
            application_id = context.system.application.application_id
        session = deserialized_request_env.session
        if application_id is None and session is not None and session.application is not None:
            application_id = session.application.application_id
        if application_id != self._skill_id:
            raise SkillIdMismatch("request is for another skill")
