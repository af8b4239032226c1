"""Figure 4: requests per second through POST /alexa, verification on (chain cached) vs off."""
from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path
from typing import Any

from bench.common import Row, interleaved_batches, paired_ratio, ratio_row, scaled, setup_paths

#: Target: full verification keeps at least 85 % of the unverified throughput.
VERIFIED_TARGET = 0.85
CHAIN_PATH = "/echo.api/echo-api-cert-bench.pem"
CERT_URL = "https://s3.amazonaws.com" + CHAIN_PATH


def run() -> list[Row]:
    """Two hosts of the same Ride Hailer skill (Flask test client), same envelope."""
    setup_paths()
    from alexa_test_pki import make_intermediate, make_root, make_signing_identity
    from resource_server import ResourceServer
    from webservice import create_app
    from webservice_support import ChainServer, iso

    from bench.skills import envelope
    from ride_hailer.settings import SkillSettings
    from ride_hailer.skill import build_skill_builder

    root = make_root("Bench Root CA")
    identity = make_signing_identity(make_intermediate(root, "Bench Intermediate CA"))
    resources = ResourceServer().start()
    chains = ChainServer()
    chains.routes[CHAIN_PATH] = identity.chain_pem
    with tempfile.TemporaryDirectory() as folder:
        anchors = Path(folder) / "root.pem"
        anchors.write_bytes(root.pem)
        try:
            settings = SkillSettings(ride_hailer_api_url=resources.url, linking_cache_ttl=3600)
            verified = create_app(build_skill_builder(settings), environ={}, config={
                "WEBSERVICE_ENV": "development",
                "ALEXA_CERT_FETCH_URL_OVERRIDE": chains.base_url,
                "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(anchors),
            }).test_client()
            unverified = create_app(build_skill_builder(settings), environ={}, config={
                "WEBSERVICE_ENV": "development",
                "WEBSERVICE_VERIFY_REQUESTS": "false",
            }).test_client()
            data = envelope()
            data["request"]["timestamp"] = iso(datetime.datetime.now(datetime.timezone.utc))
            body = json.dumps(data, separators=(",", ":")).encode()
            signed = {
                "Content-Type": "application/json; charset=utf-8",
                "SignatureCertChainUrl": CERT_URL,
                "Signature-256": identity.sign(body),
            }
            plain = {"Content-Type": "application/json; charset=utf-8"}

            def post(client: Any, headers: dict[str, str]) -> None:
                answer = client.post("/alexa", data=body, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"POST /alexa answered {answer.status_code}: {answer.get_data(as_text=True)}")

            import logging

            logging.getLogger("webservice").setLevel(logging.ERROR)  # the per-request "verification off" warning
            post(verified, signed)
            post(unverified, plain)
            if chains.hits[CHAIN_PATH] != 1:
                raise RuntimeError("the chain was not downloaded exactly once")
            per_call = interleaved_batches(
                {"verified": lambda: post(verified, signed), "unverified": lambda: post(unverified, plain)},
                rounds=scaled(60, 2),
                batch=scaled(50, 10),
            )
            if chains.hits[CHAIN_PATH] != 1:
                raise RuntimeError("the chain cache missed during the run")
        finally:
            resources.stop()
            chains.close()
    import statistics

    rps = {name: 1 / statistics.median(values) for name, values in per_call.items()}
    # Verdict on the best batch of each (noise on a shared machine only ever adds time, as
    # timeit's docs argue); the median of round-by-round ratios is kept in the details.
    ratio = min(per_call["unverified"]) / min(per_call["verified"])
    paired = paired_ratio(per_call["unverified"], per_call["verified"])
    return [
        Row("4 web host", "POST /alexa, verification on (chain cached)", round(rps["verified"]), "req/s"),
        Row("4 web host", "POST /alexa, verification off", round(rps["unverified"]), "req/s"),
        ratio_row("4 web host", "verified / unverified throughput (best batches)", ratio, f">= {VERIFIED_TARGET}",
                  ratio >= VERIFIED_TARGET, client="Flask test client, one thread",
                  paired_median_ratio=round(paired, 3)),
        Row("4 web host", "verified / unverified (median of paired rounds)", round(paired, 3), "x"),
    ]
