"""Load generator of suite 6, run as a separate process: `python relsvc_loadgen.py CONFIG.json`.

Threads, each holding one link, mix token refreshes, GET /api/v1/me and signed skill requests
to the web host (AccountInfoIntent, RideStatusIntent) for a bounded time, then print one JSON
object: counts, errors and latency percentiles per kind. Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import base64
import datetime
import json
import random
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

KINDS = ("refresh", "me", "skill_account_info", "skill_ride_status")
WEIGHTS = (2, 4, 2, 2)


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if not host.startswith("127."):
        raise SystemExit(f"refusing to load a non-loopback address: {url}")
    return url


class Worker:
    """One Alexa-like client with one link."""

    def __init__(self, config: dict[str, Any], link: dict[str, str], seed: int) -> None:
        self.config = config
        self.access_token = link["access_token"]
        self.refresh_token = link["refresh_token"]
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.key = serialization.load_pem_private_key(config["signing_key_pem"].encode(), password=None)
        self.samples: list[tuple[str, float]] = []
        self.errors: list[str] = []

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            kind = self.random.choices(KINDS, WEIGHTS)[0]
            started = time.perf_counter()
            try:
                problem = getattr(self, kind)()
            except requests.RequestException as error:
                problem = f"{type(error).__name__}: {error}"
            elapsed = time.perf_counter() - started
            self.samples.append((kind, elapsed))
            if problem:
                self.errors.append(f"{kind}: {problem}")

    def refresh(self) -> str | None:
        client = self.config["client"]
        answer = self.session.post(
            self.config["service_url"] + "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": self.refresh_token},
            auth=(client["client_id"], client["secret"]), timeout=30,
        )
        if answer.status_code != 200:
            return f"{answer.status_code} {answer.text[:200]}"
        tokens = answer.json()
        self.access_token, self.refresh_token = tokens["access_token"], tokens["refresh_token"]
        return None

    def me(self) -> str | None:
        answer = self.session.get(
            self.config["service_url"] + "/api/v1/me", headers={"Authorization": f"Bearer {self.access_token}"}, timeout=30
        )
        if answer.status_code != 200 or answer.json().get("email") != self.config["email"]:
            return f"{answer.status_code} {answer.text[:200]}"
        return None

    def skill_account_info(self) -> str | None:
        return self._skill("AccountInfoIntent", self.config["expect_account_info"])

    def skill_ride_status(self) -> str | None:
        return self._skill("RideStatusIntent", self.config["expect_no_ride"])

    def _skill(self, intent: str, expected: str) -> str | None:
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        user = {"userId": "amzn1.ask.account.LOAD", "accessToken": self.access_token}
        application = {"applicationId": self.config["skill_id"]}
        envelope = {
            "version": "1.0",
            "session": {"new": True, "sessionId": "amzn1.echo-api.session." + uuid.uuid4().hex, "application": application, "user": user},
            "context": {"System": {"application": application, "user": user, "device": {"deviceId": "amzn1.ask.device.LOAD", "supportedInterfaces": {}}, "apiEndpoint": "https://api.amazonalexa.com"}},
            "request": {"type": "IntentRequest", "requestId": "amzn1.echo-api.request." + uuid.uuid4().hex, "timestamp": now, "locale": "en-US", "intent": {"name": intent, "confirmationStatus": "NONE", "slots": {}}},
        }
        body = json.dumps(envelope, separators=(",", ":")).encode()
        signature = base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()  # type: ignore[union-attr,call-arg]
        answer = self.session.post(
            self.config["host_url"] + "/alexa", data=body, timeout=30,
            headers={"Content-Type": "application/json; charset=utf-8", "SignatureCertChainUrl": self.config["cert_url"], "Signature-256": signature},
        )
        if answer.status_code != 200:
            return f"{answer.status_code} {answer.text[:200]}"
        speech = answer.json().get("response", {}).get("outputSpeech", {}).get("ssml", "")
        if expected not in speech:
            return f"unexpected speech {speech[:200]!r}"
        return None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))]


def main(path: str) -> int:
    with open(path, encoding="utf-8") as source:
        config = json.load(source)
    _loopback(config["service_url"])
    _loopback(config["host_url"])
    workers = [Worker(config, link, n) for n, link in enumerate(config["links"])]
    deadline = time.monotonic() + float(config["duration"])
    started = time.monotonic()
    threads = [threading.Thread(target=w.run, args=(deadline,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    samples = [s for w in workers for s in w.samples]
    report: dict[str, Any] = {"seconds": elapsed, "requests": len(samples), "errors": [e for w in workers for e in w.errors], "kinds": {}}
    for kind in (*KINDS, "all"):
        times = [t for k, t in samples if kind in (k, "all")]
        report["kinds"][kind] = {"count": len(times), "p50_ms": percentile(times, 0.5) * 1000, "p99_ms": percentile(times, 0.99) * 1000}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
