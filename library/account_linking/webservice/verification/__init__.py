"""Alexa request verification for skills hosted as a web service, built on ``cryptography``.

Mirrors the public shape of ask-sdk-webservice-support 1.3.3 (``AbstractVerifier``,
``RequestVerifier``, ``TimestampVerifier``, ``WebserviceSkillHandler``), whose verifier
module cannot be imported on OpenSSL 3.0.10+ (see docs/webservice.md). Framework-free:
only ``webservice.py`` imports it; the Lambda entry point never does.
"""
from __future__ import annotations

from ._certificates import (
    CertificateChainValidator,
    HttpChainFetcher,
    load_trust_store,
    system_trust_bundle_path,
    utc_now,
    validate_cert_chain_url,
)
from ._errors import (
    CertificateFetchFailed,
    CertificateInvalid,
    CertificateUrlInvalid,
    ConfigurationError,
    MissingHeader,
    SignatureInvalid,
    SkillIdMismatch,
    TimestampInvalid,
    VerificationException,
)
from ._handler import InvalidRequestBody, WebserviceSkillHandler
from ._settings import DEVELOPMENT, PRODUCTION, HostSettings
from ._verifiers import (
    AbstractVerifier,
    RequestVerifier,
    SkillIdVerifier,
    TimestampVerifier,
    signature_matches,
)

__all__ = [
    "AbstractVerifier",
    "CertificateChainValidator",
    "CertificateFetchFailed",
    "CertificateInvalid",
    "CertificateUrlInvalid",
    "ConfigurationError",
    "DEVELOPMENT",
    "HostSettings",
    "HttpChainFetcher",
    "InvalidRequestBody",
    "MissingHeader",
    "PRODUCTION",
    "RequestVerifier",
    "SignatureInvalid",
    "SkillIdMismatch",
    "SkillIdVerifier",
    "TimestampInvalid",
    "TimestampVerifier",
    "VerificationException",
    "WebserviceSkillHandler",
    "load_trust_store",
    "signature_matches",
    "system_trust_bundle_path",
    "utc_now",
    "validate_cert_chain_url",
]
