"""Exceptions of Alexa request verification.

VerificationException            any reason to refuse a request (answered with HTTP 400)
 +- MissingHeader                 a signature header is absent
 +- CertificateUrlInvalid         SignatureCertChainUrl breaks Amazon's URL rules
 +- CertificateFetchFailed        the chain could not be downloaded (timeout, size, status)
 +- CertificateInvalid            the chain does not parse, is out of date, lacks the SAN,
 |                                or does not chain to a trusted root
 +- SignatureInvalid              Signature-256 does not match the raw body
 +- TimestampInvalid              request.timestamp is missing or too far from now
 +- SkillIdMismatch               the request is for another skill
ConfigurationError                the host was configured in a way it refuses to run
"""
from __future__ import annotations

from ask_sdk_runtime.exceptions import AskSdkException


class VerificationException(AskSdkException):
    """A request failed verification; ``reason`` is a short machine-readable code."""

    reason = "verification_failed"


class MissingHeader(VerificationException):
    """A required signature header is absent."""

    reason = "missing_signature_header"


class CertificateUrlInvalid(VerificationException):
    """The certificate chain URL breaks Amazon's URL rules."""

    reason = "invalid_certificate_url"


class CertificateFetchFailed(VerificationException):
    """The certificate chain could not be downloaded."""

    reason = "certificate_fetch_failed"


class CertificateInvalid(VerificationException):
    """The certificate chain is unusable for verifying Alexa requests."""

    reason = "invalid_certificate"


class SignatureInvalid(VerificationException):
    """The request signature does not match the body."""

    reason = "invalid_signature"


class TimestampInvalid(VerificationException):
    """The request timestamp is missing or outside the tolerance."""

    reason = "invalid_timestamp"


class SkillIdMismatch(VerificationException):
    """The request names another skill."""

    reason = "skill_id_mismatch"


class ConfigurationError(ValueError):
    """The web-service host was configured in a way it refuses to run."""
