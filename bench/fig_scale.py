"""Figure 6: refresh latency with 1 000 vs 1 000 000 stored tokens (SQLite), same run.

Both databases are bulk-loaded straight into the tokens table (digests precomputed, one
transaction); refreshes then alternate between the two, each following its own rotation
chain from a token in the middle of the table. In-process (Flask test client) so the
figure is the database lookup's share, not HTTP. PostgreSQL is not loaded with 1 M rows:
that load alone would take a good part of the ten-minute budget on this machine.
"""
from __future__ import annotations

import tempfile
import time
from typing import Any

from bench.common import Row, interleaved_samples, paired, ratio_row, scaled, setup_paths, summary_us

#: Target: a thousandfold bigger table costs at most 20 % more per refresh.
SCALE_TARGET = 1.2


def _refresher(database: Any, start_index: int) -> Any:
    from bench.service_db import refresh_token

    app = database.app()
    client = app.test_client()
    state = {"token": refresh_token("t6", start_index)}
    headers = {"Authorization": database.basic_auth}

    def refresh() -> None:
        answer = client.post("/oauth/token", headers=headers,
                             data={"grant_type": "refresh_token", "refresh_token": state["token"]})
        if answer.status_code != 200:
            raise RuntimeError(f"refresh answered {answer.status_code}: {answer.get_data(as_text=True)}")
        state["token"] = answer.get_json()["refresh_token"]

    return refresh


def run() -> list[Row]:
    """Load both databases, then interleave refreshes."""
    setup_paths()
    from bench.service_db import sqlite_database

    small_count, large_count = 1_000, scaled(1_000_000, 20_000)
    with tempfile.TemporaryDirectory() as folder:
        small = sqlite_database(folder, "small")
        large = sqlite_database(folder, "large")
        small.load_tokens("t6", small_count)
        began = time.perf_counter()
        large.load_tokens("t6", large_count)
        load_seconds = time.perf_counter() - began
        variants = {
            "small": _refresher(small, small_count // 2),
            "large": _refresher(large, large_count // 2),
        }
        for refresh in variants.values():
            refresh()
        samples = interleaved_samples(variants, count=scaled(600, 20))
    small_us, large_us = summary_us(samples["small"]), summary_us(samples["large"])
    ratio, low, high = paired(samples["large"], samples["small"])
    return [
        Row("6 scale", f"refresh p50, {small_count:,} tokens (SQLite)", small_us["p50_us"], "us", details=small_us),
        Row("6 scale", f"refresh p50, {large_count:,} tokens (SQLite)", large_us["p50_us"], "us", details=large_us),
        ratio_row("6 scale", f"{large_count:,} / {small_count:,} tokens (paired median)", ratio, f"<= {SCALE_TARGET}",
                  ratio <= SCALE_TARGET, (low, high), p50_ratio=round(large_us["p50_us"] / small_us["p50_us"], 3),
                  p99_ratio=round(large_us["p99_us"] / small_us["p99_us"], 3)),
        Row("6 scale", f"bulk load of {large_count:,} tokens", round(load_seconds, 1), "s"),
    ]
