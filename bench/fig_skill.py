"""Figures 1 and 2: per-request cost of the linked skill, cache hit and cache miss."""
from __future__ import annotations

import itertools
from typing import Any

import requests

from bench.common import (
    Row,
    interleaved_batches,
    interleaved_samples,
    paired as paired_rounds,
    ratio_row,
    scaled,
    summary_us,
)
from bench.skills import bare_handler, envelope, linked_handler, speech

#: Figure 1 target: the linked request costs at most 10 % more than the bare one.
CACHE_HIT_TARGET = 1.05


class NewConnectionSession(requests.Session):
    """A Session that drops its connections after every request: a new TCP connection per call."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        try:
            return super().request(*args, **kwargs)
        finally:
            self.close()


def cache_hit(api_url: str) -> list[Row]:
    """Figure 1: the real lambda_handler (cache warm) vs a bare skill with the same handlers."""
    linked = linked_handler(api_url, cache_ttl=3600)
    bare = bare_handler(api_url)
    event = envelope()
    first_linked, first_bare = linked(event, None), bare(event, None)  # warms the cache
    if speech(first_linked) != speech(first_bare):
        raise RuntimeError(f"the skills answer differently: {speech(first_linked)!r} vs {speech(first_bare)!r}")
    per_call = interleaved_batches(
        {"linked": lambda: linked(event, None), "bare": lambda: bare(event, None)},
        rounds=scaled(80, 3),
        batch=scaled(100, 20),
    )
    linked_us = summary_us(per_call["linked"])
    bare_us = summary_us(per_call["bare"])
    # Verdict on the median of round-by-round ratios, the rule every judged ratio follows
    # (figure 4 too); the ratio of the best batches is reported beside it.
    best = min(per_call["linked"]) / min(per_call["bare"])
    paired, low, high = paired_rounds(per_call["linked"], per_call["bare"])
    return [
        Row("1 cache hit", "linked lambda_handler, per request (median of batches)", linked_us["p50_us"], "us"),
        Row("1 cache hit", "bare ASK SDK skill, per request (median of batches)", bare_us["p50_us"], "us"),
        ratio_row("1 cache hit", "linked / bare (median of paired batches)", paired, f"<= {CACHE_HIT_TARGET}",
                  paired <= CACHE_HIT_TARGET, (low, high), linked=linked_us, bare=bare_us,
                  best_batches_ratio=round(best, 3)),
        Row("1 cache hit", "linked / bare (best batches)", round(best, 3), "x"),
    ]


def cache_miss(api_url: str) -> list[Row]:
    """Figure 2: cache off, real HTTP to 127.0.0.1; pooled Session vs a new connection per call."""
    pooled = linked_handler(api_url, cache_ttl=0)
    fresh_conn = linked_handler(api_url, cache_ttl=0, session=NewConnectionSession())
    counter = itertools.count()

    def unique_event() -> dict[str, Any]:
        return envelope(f"bench-token-{next(counter)}")

    for handler in (pooled, fresh_conn):
        answer = handler(unique_event(), None)
        if "Ada" not in speech(answer):
            raise RuntimeError(f"the linked skill did not answer with the profile: {speech(answer)!r}")
    samples = interleaved_samples(
        {"pooled": lambda: pooled(unique_event(), None), "new_connection": lambda: fresh_conn(unique_event(), None)},
        count=scaled(1500, 30),
    )
    pooled_us = summary_us(samples["pooled"])
    fresh_us = summary_us(samples["new_connection"])
    return [
        Row("2 cache miss", "pooled requests.Session p50", pooled_us["p50_us"], "us", details=pooled_us),
        Row("2 cache miss", "pooled requests.Session p99", pooled_us["p99_us"], "us"),
        Row("2 cache miss", "new connection per call p50", fresh_us["p50_us"], "us", details=fresh_us),
        Row("2 cache miss", "new connection per call p99", fresh_us["p99_us"], "us"),
        Row("2 cache miss", "new connection / pooled (p50)", round(fresh_us["p50_us"] / pooled_us["p50_us"], 3), "x"),
    ]


def run() -> list[Row]:
    """Figures 1 and 2 against one resource server on 127.0.0.1."""
    from devstack.resource_server import ResourceServer

    server = ResourceServer().start()
    try:
        return cache_hit(server.url) + cache_miss(server.url)
    finally:
        server.stop()
