"""The runner: every figure in order, the table, bench/results.json."""
from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Sequence

from bench.common import ROOT, Row, quick

#: Figure modules in run order (name on the command line -> module).
FIGURES = {
    "skill": "bench.fig_skill",          # figures 1 and 2
    "cold": "bench.fig_cold_start",      # figure 3
    "webservice": "bench.fig_webservice",  # figure 4
    "token": "bench.fig_token",          # figure 5
    "scale": "bench.fig_scale",          # figure 6
    "login": "bench.fig_login",          # figure 7
    "peers": "bench.fig_peers",          # figure 8: token endpoint vs peer servers
    "jwt": "bench.fig_jwt",              # figure 9: local JWT check vs HTTP profile lookup
}
RESULTS = ROOT / "bench" / "results.json"


def machine() -> dict[str, Any]:
    """Where the figures come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "quick": quick(),
    }


def _fmt(value: float) -> str:
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"


def table(rows: Sequence[Row]) -> str:
    """The rows as a fixed-width table."""
    lines = [f"{'figure':<16} {'metric':<58} {'measured':>12} {'unit':<6} {'goal':<9} {'spread':<13} verdict"]
    lines.append("-" * len(lines[0]))
    for row in rows:
        verdict = "" if row.ok is None else ("ok" if row.ok else "MISS")
        spread = "" if row.spread is None else f"{row.spread[0]:.2f}..{row.spread[1]:.2f}"
        lines.append(
            f"{row.figure[:16]:<16} {row.metric[:58]:<58} {_fmt(row.measured):>12} {row.unit:<6} {row.target:<9} "
            f"{spread:<13} {verdict}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """Run the chosen figures (all by default); 1 when one could not run at all."""
    if any(arg in ("-h", "--help") for arg in argv):
        print(f"usage: python -m bench [FIGURE ...]\nfigures: {', '.join(FIGURES)} (all by default)\n"
              "BENCH_QUICK=1: a short smoke run; BENCH_DATABASE_URL: add PostgreSQL; "
              "BENCH_RESULTS: where the JSON goes (bench/results.json)")
        return 0
    chosen = list(argv) or list(FIGURES)
    unknown = [name for name in chosen if name not in FIGURES]
    if unknown:
        print(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    for name in chosen:
        start = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(FIGURES[name])
            rows.extend(module.run())
        except Exception:  # a broken figure must not hide the others
            errors[name] = traceback.format_exc()
            print(errors[name], file=sys.stderr)
        timings[name] = round(time.perf_counter() - start, 1)
        print(f"[bench] {name} took {timings[name]} s", file=sys.stderr, flush=True)
    print(table(rows))
    result = {
        "machine": machine(),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": timings,
        "rows": [row.as_dict() for row in rows],
        "misses": [f"{row.figure}: {row.metric}" for row in rows if row.ok is False],
        "errors": errors,
    }
    out = Path(os.environ.get("BENCH_RESULTS", str(RESULTS)))
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nmachine: {result['machine']}\nwrote {out}")
    return 1 if errors else 0
