"""A threaded host (gunicorn gthread, Flask's server) checks the signature without handing the GIL away.

cryptography (since 47) releases the GIL around ``RSAPublicKey.verify``. For a check of about
20 us that costs a threaded host more than it saves: once another request thread holds the
GIL, the verifying request waits to get it back, up to ``sys.getswitchinterval()`` (5 ms).
The host's check keeps the GIL for its whole length, so no other thread can run in the middle
of it. Each test below makes a thread that wants the GIL ready before the check starts and
asks whether it ran before the check returned: it can only have if the check let go.
"""
from __future__ import annotations

import base64
import sys
import threading
import time
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256

from account_linking.webservice.verification import RequestVerifier, signature_matches
from webservice_support import Host, Pki, body_of, envelope, signed_headers

TRIES = 20


def _a_thread_ran_during(check: Callable[[], Any]) -> int:
    """How many of TRIES checks let a thread that was waiting for the GIL run before they returned."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(30.0)  # the waiting thread never gets the GIL by being owed a turn
    ran_during = 0
    try:
        for _ in range(TRIES):
            gate = threading.Event()
            ran: list[bool] = []

            def wait_then_run(gate: threading.Event = gate, ran: list[bool] = ran) -> None:
                gate.wait()
                ran.append(True)

            waiting = threading.Thread(target=wait_then_run)
            waiting.start()
            gate.set()  # it now wants the GIL back; this thread keeps it ...
            settle = time.perf_counter() + 0.002
            while time.perf_counter() < settle:  # ... (pure Python: the GIL is not released)
                pass
            check()
            ran_during += bool(ran)
            waiting.join()
    finally:
        sys.setswitchinterval(interval)
    return ran_during


def _big_body() -> bytes:
    """A 100 KB LaunchRequest (the host takes up to 128 KiB; real ones run 1 to 4 KB).

    hashlib lets go of the GIL while hashing from 2048 bytes; hashing 100 KB takes long
    enough that a check doing so is caught every time.
    """
    data = envelope()
    data["session"]["attributes"] = {"history": "x" * 100_000}
    body = body_of(data)
    assert len(body) > 100_000
    return body


def test_signature_check_never_hands_the_gil_to_another_request_thread(
    make_host: Callable[..., Host], pki: Pki
) -> None:
    host = make_host()
    body = _big_body()
    headers = signed_headers(pki.alexa, body)
    assert host.post(body, headers).status_code == 200  # signed right; the chain is now cached
    handler = host.app.extensions["alexa_webservice"]
    verifier = next(v for v in handler.verifiers if isinstance(v, RequestVerifier))
    envelope_read = handler.parse(body)
    assert _a_thread_ran_during(lambda: verifier.verify(headers, body, envelope_read)) == 0


def test_the_waiting_thread_does_run_when_a_check_lets_go_of_the_gil(pki: Pki) -> None:
    """The probe above can fail: cryptography's own verify, which lets go, is caught."""
    body = _big_body()
    signature = base64.b64decode(pki.alexa.sign(body))
    key = pki.alexa.cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert _a_thread_ran_during(lambda: key.verify(signature, body, padding.PKCS1v15(), SHA256())) > 0


def test_signature_matches_agrees_with_cryptography_verify(pki: Pki) -> None:
    body = body_of(envelope())
    good = base64.b64decode(pki.alexa.sign(body))
    key = pki.alexa.cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert signature_matches(key, good, body)
    assert not signature_matches(key, good, body + b" ")
    assert not signature_matches(key, base64.b64decode(pki.alexa.sign_sha1(body)), body)
