"""Figure 3: cold start of a fresh interpreter answering its first linked request."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import sysconfig
import time

from bench.common import LAMBDA_DIR, Row, paired, ratio_row, scaled, setup_paths

#: Goal (issue 16): the linked skill's cold start costs at most 5 % more than what a developer
#: would write by hand: a bare ASK SDK skill that imports requests and makes one GET to the
#: same resource server.
COLD_START_TARGET = 1.05
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cold_child.py")
SITE_PACKAGES = sysconfig.get_paths()["purelib"]
VARIANTS = ("linked", "example", "bare", "bare_requests", "bare_urllib3", "bare_httpclient")


def _once(variant: str, event: bytes, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-I", "-S", CHILD, variant, str(LAMBDA_DIR), SITE_PACKAGES],
        input=event, capture_output=True, env=env, timeout=60, check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or b"Ada" not in done.stdout:
        raise RuntimeError(f"cold start {variant} failed: {done.stdout!r} {done.stderr[-2000:]!r}")
    return elapsed


def run() -> list[Row]:
    """Median wall time of many interleaved fresh interpreters per variant."""
    setup_paths()
    from devstack.resource_server import ResourceServer

    from bench.skills import envelope

    server = ResourceServer().start()
    try:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RIDE_HAILER_API_URL": server.url,
            "LWA_PROFILE_URL": server.url + "/user/profile",
            "LINKING_CACHE_TTL": "300",
        }
        samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
        count = scaled(15, 2)
        for index in range(count + 1):
            order = VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS))
            for name in order:
                event = json.dumps(envelope(f"cold-token-{name}-{index}")).encode()
                elapsed = _once(name, event, env)
                if index > 0:  # the first round warms the page cache
                    samples[name].append(elapsed)
    finally:
        server.stop()
    ms = {name: round(statistics.median(values) * 1000, 1) for name, values in samples.items()}
    ratio, low, high = paired(samples["linked"], samples["bare_requests"])
    example_ratio, example_low, example_high = paired(samples["example"], samples["bare_requests"])
    rows = [
        Row("3 cold start", "linked: import lambda_function + 1st request", ms["linked"], "ms",
            details={"samples_ms": [round(v * 1000, 1) for v in samples["linked"]]}),
        Row("3 cold start", "bare + one GET with requests (the anchor)", ms["bare_requests"], "ms"),
        ratio_row("3 cold start", "linked / (bare + requests + one GET)", ratio, f"<= {COLD_START_TARGET}",
                  ratio <= COLD_START_TARGET, (low, high), runs_per_variant=count),
        Row("3 cold start", "examples/hello_world: import + 1st request (WhoAmI, LWA profile)", ms["example"], "ms"),
        ratio_row("3 cold start", "example / (bare + requests + one GET)", example_ratio, f"<= {COLD_START_TARGET}",
                  example_ratio <= COLD_START_TARGET, (example_low, example_high), runs_per_variant=count),
        Row("3 cold start", "bare ASK SDK skill, no HTTP", ms["bare"], "ms"),
        Row("3 cold start", "linked / bare (no HTTP at all; informational)", round(ms["linked"] / ms["bare"], 3), "x"),
        Row("3 cold start", "bare + one GET with urllib3", ms["bare_urllib3"], "ms"),
        Row("3 cold start", "bare + one GET with stdlib http.client", ms["bare_httpclient"], "ms"),
        Row("3 cold start", "(bare + http.client) / bare: floor for any HTTP call", round(ms["bare_httpclient"] / ms["bare"], 3), "x"),
        Row("3 cold start", "(bare + urllib3) / bare", round(ms["bare_urllib3"] / ms["bare"], 3), "x"),
        Row("3 cold start", "(bare + requests) / bare", round(ms["bare_requests"] / ms["bare"], 3), "x"),
    ]
    return rows
