"""A threaded host (gunicorn gthread, Flask's server) checks the signature without handing the GIL away.

cryptography (since 47) releases the GIL around ``RSAPublicKey.verify``. For a check of about
20 us that costs a threaded host more than it saves: once another request thread holds the
GIL, the verifying request waits to get it back, up to ``sys.getswitchinterval()`` (5 ms).
The host's check never lets go of the GIL itself. Each probe below makes a thread that wants
the GIL ready before the check starts, with a switch interval of 30 s (so it is never owed
a turn), and asks whether it ran before the check returned: it can only have if the check
let go. The last tests hold the check to ``verify``'s answers, crafted encodings included.
"""
from __future__ import annotations

import base64
import hashlib
import sys
import threading
import time
from typing import Any, Callable

import pytest
from cryptography.exceptions import InvalidSignature
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
            # ... and spins (pure Python, the GIL is not released) while it wakes and asks for
            # it: 2 ms is ample on an idle machine; on a loaded one a late waiter would make
            # a check look as if it kept the GIL, which the control test below would catch.
            settle = time.perf_counter() + 0.002
            while time.perf_counter() < settle:
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


def test_the_waiting_thread_does_run_when_a_check_lets_go_of_the_gil() -> None:
    """The probe above can fail: a check that lets go of the GIL for 5 ms is caught.

    (cryptography's ``verify`` is caught too on an idle machine, 13 to 20 of 20, but only
    when a CPU is free for the waiting thread in the 100 us it lets go: not something to
    assert on a loaded CI machine. ``make bench``, figure 4, shows it.)
    """
    assert _a_thread_ran_during(lambda: time.sleep(0.005)) > 0


def _verify_accepts(key: rsa.RSAPublicKey, signature: bytes, body: bytes) -> bool:
    try:
        key.verify(signature, body, padding.PKCS1v15(), SHA256())
    except InvalidSignature:
        return False
    return True


def test_signature_matches_agrees_with_cryptography_verify(pki: Pki) -> None:
    body = body_of(envelope())
    good = base64.b64decode(pki.alexa.sign(body))
    key = pki.alexa.cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    cases = [(good, body), (good, body + b" "), (good, b""), (good[:-1], body), (b"\0" + good, body),
             (base64.b64decode(pki.alexa.sign_sha1(body)), body)]
    assert [signature_matches(key, s, b) for s, b in cases] == [_verify_accepts(key, s, b) for s, b in cases]
    assert [signature_matches(key, s, b) for s, b in cases] == [True] + [False] * 5


# DER DigestInfo prefixes (RFC 8017 9.2 note 1), and one without SHA-256's NULL parameter.
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
SHA256_INFO_NO_NULL = bytes.fromhex("302f300b0609608648016503040201" "0420")
SHA512_INFO = bytes.fromhex("3051300d060960864801650304020305000440")
SHA1_INFO = bytes.fromhex("3021300906052b0e03021a05000414")

BODY = b'{"version":"1.0","request":{"type":"LaunchRequest"}}'
ENCODINGS: dict[str, Callable[[int], bytes]] = {
    # name: the encoded message EM for a modulus of ``size`` bytes, signed with the raw RSA operation
    "pkcs1-v1.5-sha256": lambda size: _em(size, SHA256_INFO + hashlib.sha256(BODY).digest()),
    "no-null-parameter": lambda size: _em(size, SHA256_INFO_NO_NULL + hashlib.sha256(BODY).digest()),
    "sha512-digest-info": lambda size: _em(size, SHA512_INFO + hashlib.sha512(BODY).digest()),
    "sha1-digest-info": lambda size: _em(size, SHA1_INFO + hashlib.sha1(BODY).digest()),
    "bare-digest": lambda size: _em(size, hashlib.sha256(BODY).digest()),
    "block-type-2": lambda size: _em(size, SHA256_INFO + hashlib.sha256(BODY).digest(), block_type=2, fill=0x5A),
    "zero-in-padding": lambda size: _em(size, SHA256_INFO + hashlib.sha256(BODY).digest(), zero_at=5),
    "byte-after-digest": lambda size: _em(size, SHA256_INFO + hashlib.sha256(BODY).digest() + b"\0"),
    "padding-too-short": lambda size: _em(size, b"\x11" * (size - 3 - 7 - 51) + SHA256_INFO
                                          + hashlib.sha256(BODY).digest()),
    "other-body": lambda size: _em(size, SHA256_INFO + hashlib.sha256(BODY + b" ").digest()),
}


def _em(size: int, t: bytes, *, block_type: int = 1, fill: int = 0xFF, zero_at: int | None = None) -> bytes:
    padding_string = bytearray([fill]) * (size - len(t) - 3)
    if zero_at is not None:
        padding_string[zero_at] = 0
    return b"\0" + bytes([block_type]) + bytes(padding_string) + b"\0" + t


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_signature_matches_accepts_and_refuses_crafted_encodings_as_verify_does(pki: Pki, name: str) -> None:
    numbers = pki.alexa.key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    signature = pow(int.from_bytes(ENCODINGS[name](size), "big"), d, n).to_bytes(size, "big")
    key = pki.alexa.cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert signature_matches(key, signature, BODY) is _verify_accepts(key, signature, BODY)
    assert signature_matches(key, signature, BODY) is (name == "pkcs1-v1.5-sha256")


def test_signature_matches_says_so_when_the_key_is_not_rsa() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(TypeError, match="RSA public key"):
        signature_matches(key, b"\0" * 64, BODY)
