"""The benchmark runner works (quick mode): it prints the table and writes results.json.

No timing is asserted: benchmarks are not tests (see docs/bench.md).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_run_prints_the_table_and_writes_every_figure_to_results_json(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {**os.environ, "BENCH_QUICK": "1", "BENCH_RESULTS": str(results)}
    done = subprocess.run(
        [sys.executable, "-m", "bench"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "figure" in done.stdout and "verdict" in done.stdout
    data = json.loads(results.read_text())
    assert set(data) >= {"machine", "generated_at", "seconds", "rows", "misses", "errors"}
    assert data["errors"] == {}
    assert data["machine"]["quick"] is True and data["machine"]["nproc"] >= 1
    figures = {row["figure"].split()[0] for row in data["rows"]}
    assert figures == {"1", "2", "3", "4", "5", "6", "7", "8", "9"}
    # Figure 8 puts our token endpoint beside both peers, each with a ratio verdict and its spread.
    peers = " ".join(row["metric"] for row in data["rows"] if row["figure"].startswith("8"))
    assert "Authlib example-style server" in peers and "django-oauth-toolkit" in peers
    # Figure 4 puts the one RSA check alone (the floor) beside its verdict, and on a machine
    # with two or more CPUs the servers run on a CPU of their own, away from the load.
    web = {row["metric"]: row for row in data["rows"] if row["figure"].startswith("4")}
    assert "HTTP the one RSA check alone / unverified (the floor)" in web
    # ... and the host's signature check beside cryptography's verify() with another thread busy.
    assert {"signature check, another thread busy: verify()",
            "signature check, another thread busy: the host's"} <= set(web)
    placement = web["HTTP verified / unverified (paired median of rounds)"]["details"]["placement"]
    if len(os.sched_getaffinity(0)) >= 2:
        assert placement.startswith("servers on CPU ") and "clients on CPU " in placement
    judged = [row for row in data["rows"] if row["unit"] == "x" and row["target"]]
    assert judged and all(row["spread"] is not None for row in judged)
    for row in data["rows"]:
        assert set(row) >= {"figure", "metric", "measured", "unit", "target", "ok"}
        assert row["metric"] in done.stdout or row["metric"][:58] in done.stdout
    targeted = [row for row in data["rows"] if row["target"]]
    assert all(isinstance(row["ok"], bool) for row in targeted)
