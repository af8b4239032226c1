"""Suite 6: mixed traffic from a second process against gunicorn'd service and web host.

A load-generator process (relsvc_loadgen.py) mixes token refreshes, GET /api/v1/me and signed
skill requests to the web host's POST /alexa (which calls the service) for a bounded time:
10 s in make test, 60 s in make soak (RELIABILITY_LOAD_SECONDS overrides). Zero errors are
allowed; p50/p99 are printed in pytest's terminal summary (no timed assertion).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alexa_linkcheck.simulator.signing import make_intermediate, make_root, make_signing_identity
from cryptography.hazmat.primitives import serialization

from devstack.servers import ChainServer

from .relsvc_harness import REPO, SOAK, ServiceProcess, linked_tokens

SECONDS = float(os.environ.get("RELIABILITY_LOAD_SECONDS", "60" if SOAK else "10"))
LINKS = 6
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000load"
CERT_PATH = "/echo.api/echo-api-cert-load.pem"


def test_mixed_load_from_a_second_process_has_zero_errors(service, seeded, tmp_path: Path, figures):
    root = make_root()
    identity = make_signing_identity(make_intermediate(root))
    chains = ChainServer()
    chains.routes[CERT_PATH] = identity.chain_pem
    anchors = tmp_path / "root.pem"
    anchors.write_bytes(root.pem)
    host = ServiceProcess(service.database, tmp_path / "webhost.log", app="webservice:create_app()", chdir=REPO / "webhost", ready_path="/alexa", extra_env={
        "WEBSERVICE_ENV": "development",
        "ALEXA_CERT_FETCH_URL_OVERRIDE": chains.url,
        "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(anchors),
        "RIDE_HAILER_API_URL": service.url,
        "SKILL_ID": SKILL_ID,
        "LINKING_CACHE_TTL": "0",
    })
    try:
        host.start()
        links = [linked_tokens(service.url, seeded.basic) for _ in range(LINKS)]
        config = {
            "service_url": service.url,
            "host_url": host.url,
            "duration": SECONDS,
            "client": {"client_id": seeded.basic.client_id, "secret": seeded.basic.secret},
            "email": seeded.email,
            "links": [{"access_token": t["access_token"], "refresh_token": t["refresh_token"]} for t in links],
            "skill_id": SKILL_ID,
            "cert_url": "https://s3.amazonaws.com" + CERT_PATH,
            "signing_key_pem": identity.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode(),
            "expect_account_info": "You're linked as Load Rider",
            "expect_no_ride": "You don't have an active ride right now.",
        }
        config_path = tmp_path / "load.json"
        config_path.write_text(json.dumps(config))
        os.chmod(config_path, 0o600)
        generator = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("relsvc_loadgen.py")), str(config_path)],
            capture_output=True, text=True, timeout=SECONDS + 120, cwd=REPO,
        )
        assert generator.returncode == 0, generator.stderr[-3000:]
        report = json.loads(generator.stdout)
    finally:
        host.stop()
        chains.close()
    assert report["errors"] == [], report["errors"][:10]
    kinds = report["kinds"]
    assert all(kinds[kind]["count"] > 0 for kind in ("refresh", "me", "skill_account_info", "skill_ride_status"))
    assert "Traceback" not in host.log(), host.log()[-3000:]
    figures.append(
        f"mixed load ({service.database.kind}): {report['requests']} requests in {report['seconds']:.1f} s from a second process, 0 errors"
        f" ({report['requests'] / report['seconds']:.0f} req/s)"
    )
    for kind, numbers in kinds.items():
        figures.append(f"  {kind:<18} n={numbers['count']:<6} p50 {numbers['p50_ms']:7.1f} ms  p99 {numbers['p99_ms']:7.1f} ms")
