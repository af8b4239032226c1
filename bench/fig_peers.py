"""Figure 8: our token endpoint side by side with two peers a company might run instead.

Peers (bench/peers/): a minimal Authlib server in the shape of Authlib's own example, and
django-oauth-toolkit set up for Alexa (rotation with a 120 s grace period, plain client
secret, BEGIN IMMEDIATE on SQLite, persistent connections on PostgreSQL). All three run at
once under the same gunicorn setup (sync workers, 2 x cores + 1) on the same database
engine, each on its own database, loaded with the same refresh chains and codes. The same
16 client threads drive one server at a time: per round, each server gets a refresh phase
(every client follows its own rotation chain) and a code-exchange phase, servers in rotated
order. The verdict uses the one rule of `make bench`: the median over rounds of the paired
per-round ratio (ours / best peer), with the spread (lowest..highest round) printed.
What ours does that the peers do not: digests only, family revocation on reuse, a refresh
race that cannot leave two live chains (the Authlib-style peer has no row lock: two
refreshes of one token can both succeed).
"""
from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import threading
from typing import Any, Callable, Optional

import requests

from bench.common import Row, paired, percentile, ratio_row, scaled, setup_paths
from bench.fig_token import CLIENTS, CPUS, SYNC, WORKERS, load
from devstack.servers import GunicornServer, ok_answer

#: Goal of issue 16: our throughput at least the best peer's, our p99 at most theirs.
THROUGHPUT_GOAL = 1.0


class Server:
    """One server under test: how to start it and how to authenticate to it."""

    def __init__(self, key: str, title: str, app: str, environ: dict[str, str], basic_auth: str,
                 ready_path: str) -> None:
        self.key, self.title, self.app = key, title, app
        self.environ, self.basic_auth, self.ready_path = environ, basic_auth, ready_path
        self.process: Optional[GunicornServer] = None


def _servers(backend: str, folder: str, postgres: Optional[str], tokens: int, codes: int) -> tuple[list[Server], list[Any]]:
    """Our service and the two peers on fresh databases of ``backend``, all loaded alike."""
    from bench.peers.loading import peer_database
    from bench.service_db import postgres_database, sqlite_database

    cleanup: list[Any] = []
    ours_db = sqlite_database(folder, "ours") if backend == "sqlite" else postgres_database(postgres or "")
    cleanup.append(ours_db)
    ours_db.load_tokens("t8", tokens)
    ours_db.load_codes("c8", codes)
    servers = [Server("ours", "Ride Hailer service", "bench.token_app:queued()", ours_db.environ,
                      ours_db.basic_auth, "/.well-known/oauth-authorization-server")]
    for kind, title in (("authlib", "Authlib example-style server"), ("dot", "django-oauth-toolkit")):
        peer = peer_database(kind, backend, folder, postgres)
        cleanup.append(peer)
        peer.load("t8", tokens, "c8", codes)
        servers.append(Server(kind, title, peer.app, peer.environ, peer.basic_auth, "/ready"))
    return servers, cleanup


def bench_backend(backend: str, postgres: Optional[str] = None) -> list[Row]:
    """Every server on one database engine; rows with per-server figures and our ratios."""
    from bench.service_db import REDIRECT_URI, code, refresh_token

    phase = scaled(4, 1) / 2
    rounds = scaled(4, 1)
    codes_needed = scaled(8_000, 400)
    with tempfile.TemporaryDirectory() as folder:
        servers, cleanup = _servers(backend, folder, postgres, CLIENTS, codes_needed)
        chains = {s.key: {i: refresh_token("t8", i + 1) for i in range(CLIENTS)} for s in servers}
        counters = {s.key: itertools.count(1) for s in servers}
        lock = threading.Lock()
        target: dict[str, Server] = {}

        def refresh(session: requests.Session, index: int) -> None:
            server = target["server"]
            answer = session.post(server.process.url + "/oauth/token", timeout=30,  # type: ignore[union-attr]
                                  headers={"Authorization": server.basic_auth},
                                  data={"grant_type": "refresh_token", "refresh_token": chains[server.key][index]})
            if answer.status_code != 200:
                raise RuntimeError(answer.text[:200])
            chains[server.key][index] = answer.json()["refresh_token"]

        def exchange(session: requests.Session, index: int) -> None:
            server = target["server"]
            with lock:
                number = next(counters[server.key])
            if number > codes_needed:
                raise RuntimeError("out of codes")
            answer = session.post(server.process.url + "/oauth/token", timeout=30,  # type: ignore[union-attr]
                                  headers={"Authorization": server.basic_auth},
                                  data={"grant_type": "authorization_code", "code": code("c8", number),
                                        "redirect_uri": REDIRECT_URI})
            if answer.status_code != 200:
                raise RuntimeError(answer.text[:200])

        work: dict[str, Callable[[requests.Session, int], None]] = {"refresh": refresh, "code": exchange}
        per_round: dict[str, dict[str, list[float]]] = {s.key: {"refresh": [], "code": []} for s in servers}
        latencies: dict[str, dict[str, list[float]]] = {s.key: {"refresh": [], "code": []} for s in servers}
        round_p99: dict[str, dict[str, list[float]]] = {s.key: {"refresh": [], "code": []} for s in servers}
        errors: dict[str, dict[str, int]] = {s.key: {"refresh": 0, "code": 0} for s in servers}
        try:
            for server in servers:
                server.process = GunicornServer(server.app, worker_args=SYNC, environ={**os.environ, **server.environ},
                                                ready_path=server.ready_path, ready=ok_answer).start()
            for server in servers:  # warm every worker once
                target["server"] = server
                load(refresh, 0.3)
            for index in range(rounds):
                order = servers[index % len(servers):] + servers[:index % len(servers)]
                for server in order:
                    target["server"] = server
                    for name, call in work.items():
                        lat, failed, elapsed = load(call, phase)
                        per_round[server.key][name].append(len(lat) / elapsed)
                        latencies[server.key][name].extend(lat)
                        round_p99[server.key][name].append(percentile(lat, 99))
                        errors[server.key][name] += failed
        finally:
            for server in servers:
                if server.process is not None:
                    server.process.stop()
            for database in cleanup:
                database.drop()

    figure = f"8 peers {backend}"
    rows: list[Row] = []
    for server in servers:
        for name in work:
            lat = latencies[server.key][name]
            rows.append(Row(figure, f"{server.title}: {name} throughput", round(statistics.median(per_round[server.key][name]), 1),
                            "req/s", details={"per_round": [round(x, 1) for x in per_round[server.key][name]],
                                              "errors": errors[server.key][name], "gunicorn": " ".join(SYNC)}))
            rows.append(Row(figure, f"{server.title}: {name} p50 / p99 (errors {errors[server.key][name]})",
                            round(percentile(lat, 99) * 1000, 1), "ms p99",
                            details={"p50_ms": round(percentile(lat, 50) * 1000, 1), "requests": len(lat)}))
    for name in work:
        peers = [s for s in servers if s.key != "ours"]
        best = max(peers, key=lambda s: statistics.median(per_round[s.key][name]))
        ratios = [o / p for o, p in zip(per_round["ours"][name], per_round[best.key][name])]
        ratio = statistics.median(ratios)
        ours_p99 = percentile(latencies["ours"][name], 99)
        best_p99 = percentile(latencies[best.key][name], 99)
        p99_ratio, p99_low, p99_high = paired(round_p99["ours"][name], round_p99[best.key][name])
        clean = errors["ours"][name] == 0
        rows.append(ratio_row(figure, f"{name}: ours / best peer ({best.title}) req/s", ratio,
                              f">= {THROUGHPUT_GOAL:.2f}", ratio >= THROUGHPUT_GOAL and clean,
                              (min(ratios), max(ratios)), rounds=len(ratios), workers=WORKERS, cpus=CPUS))
        rows.append(ratio_row(figure, f"{name}: ours / best peer p99 (per round)", p99_ratio, "<= 1.00",
                              p99_ratio <= 1.0 and clean, (p99_low, p99_high),
                              ours_p99_ms=round(ours_p99 * 1000, 1), peer_p99_ms=round(best_p99 * 1000, 1)))
    return rows


def run() -> list[Row]:
    """SQLite, then PostgreSQL when configured."""
    setup_paths()
    from bench.service_db import postgres_url

    rows = bench_backend("sqlite")
    url = postgres_url()
    if url:
        rows += bench_backend("postgresql", url)
    return rows
