"""The web host as gunicorn serves it in figure 4: `webservice.create_app()` from the environment.

Only difference from production wiring: the per-request "verification is OFF" warning is
silenced, so the unverified variant does not pay for a log line the verified one never writes
(the in-process variant does the same).

``floor()`` is figure 4's third host, not a way to run a skill: the unverified host plus the
one check no verifier can skip (the RSA signature of the body under the chain's signing
certificate, read from ``BENCH_SIGNING_CHAIN``), made the way the host makes it
(``signature_matches``: it does not let go of the GIL), nothing else: no certificate rules, no cache, no
timestamp. It shows what the one check costs on its own.
"""
from __future__ import annotations

import base64
import logging
import os
from typing import Any, Mapping

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from account_linking.webservice.verification import signature_matches


def create() -> Any:
    """The Flask app of the web host (settings from the environment)."""
    from webservice import create_app

    logging.getLogger("account_linking.webservice").setLevel(logging.ERROR)
    return create_app()


class OneRsaCheck:
    """The signature check alone: Signature-256 over the raw body, PKCS#1 v1.5 with SHA-256."""

    def __init__(self, chain_pem: bytes) -> None:
        key = x509.load_pem_x509_certificates(chain_pem)[0].public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("the signing certificate's key is not RSA")
        self.public_key = key

    def verify(self, headers: Mapping[str, Any], serialized_request_env: bytes, deserialized_request_env: Any) -> None:
        signature = base64.b64decode(headers["Signature-256"])
        if not signature_matches(self.public_key, signature, serialized_request_env):
            raise ValueError("the signature does not match the body")


def floor() -> Any:
    """The unverified host (``WEBSERVICE_VERIFY_REQUESTS=false``) plus only :class:`OneRsaCheck`."""
    app = create()
    with open(os.environ["BENCH_SIGNING_CHAIN"], "rb") as chain:
        check = OneRsaCheck(chain.read())
    # Bench only: the host builds its verifiers from settings and offers no way to swap them.
    app.extensions["alexa_webservice"]._verifiers = [check]
    return app
