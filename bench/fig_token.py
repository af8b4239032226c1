"""Figure 5: token endpoint under gunicorn on 127.0.0.1 with 16 concurrent clients.

Refresh grant (each client follows its own rotation chain) and code exchange (codes
bulk-loaded beforehand), alternating in short phases; SQLite always, PostgreSQL when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set. The 16 client threads run in this process,
on the same 2 cores as the server: the figures include that competition.
"""
from __future__ import annotations

import itertools
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import requests

from bench.common import Row, percentile, scaled, setup_paths
from devstack.servers import GunicornServer, ok_answer

#: Alexa gives the token endpoint 4.5 s (ALEXA-FACTS.md); "far below" = a tenth of it.
ALEXA_TOKEN_DEADLINE_S = 4.5
P99_TARGET_S = ALEXA_TOKEN_DEADLINE_S / 10
CLIENTS = 16
CPUS = os.cpu_count() or 1
#: gunicorn's documented starting point: (2 x cores) + 1 sync workers.
WORKERS = 2 * CPUS + 1
SYNC = ("--workers", str(WORKERS))
#: One process, 16 threads: every transaction of the service waits in that one process.
GTHREAD = ("--worker-class", "gthread", "--workers", "1", "--threads", str(CLIENTS))


@dataclass(frozen=True)
class Variant:
    """One server setup: gunicorn worker arguments and the app factory."""

    key: str
    title: str
    args: tuple[str, ...]
    app: str = "bench.token_app:queued()"
    #: False for a reference ("before") variant: reported, not judged against the target
    judged: bool = True


#: SQLite: the service as shipped (writers queue on a lock file) under sync workers and
#: under one gthread worker, and the service before the write queue (busy-handler polling).
SQLITE_VARIANTS = (
    Variant("sync", f"sync x{WORKERS}, queued", SYNC),
    Variant("gthread", f"gthread 1x{CLIENTS}, queued", GTHREAD),
    Variant("polling", f"sync x{WORKERS}, polling (before)", SYNC, "bench.token_app:polling()", judged=False),
)
POSTGRES_VARIANTS = (Variant("sync", f"sync x{WORKERS}", SYNC),)


def load(work: Callable[[requests.Session, int], None], seconds: float) -> tuple[list[float], int, float]:
    """Run ``work`` in CLIENTS threads for ``seconds``: (latencies, errors, elapsed)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(index: int) -> None:
        session = requests.Session()
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                work(session, index)
            except Exception:  # counted, reported
                failed += 1
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - begin


def bench_backend(database: Any, label: str, variants: tuple[Variant, ...]) -> list[Row]:
    """Refresh and code-exchange phases against one database, server variants interleaved.

    Every variant's server runs at once on the same database; only one is loaded at a time
    (phases alternate between them, order flipped each round), and all follow the same
    refresh chains and draw from the same codes.
    """
    from bench.service_db import REDIRECT_URI, code, refresh_token

    phase_seconds = scaled(8, 1)
    rounds = 2
    database.load_tokens("t5", CLIENTS)
    codes_needed = scaled(12_000, 1_000) * len(variants)
    database.load_codes("c5", codes_needed)
    current = {i: refresh_token("t5", i + 1) for i in range(CLIENTS)}
    codes = itertools.count(1)
    code_lock = threading.Lock()
    headers = {"Authorization": database.basic_auth}
    url_holder: dict[str, str] = {}

    def refresh(session: requests.Session, index: int) -> None:
        answer = session.post(url_holder["url"] + "/oauth/token", headers=headers, timeout=30,
                              data={"grant_type": "refresh_token", "refresh_token": current[index]})
        if answer.status_code != 200:
            raise RuntimeError(answer.text)
        current[index] = answer.json()["refresh_token"]

    def exchange(session: requests.Session, index: int) -> None:
        with code_lock:
            number = next(codes)
        if number > codes_needed:
            raise RuntimeError("out of codes")
        answer = session.post(url_holder["url"] + "/oauth/token", headers=headers, timeout=30,
                              data={"grant_type": "authorization_code", "code": code("c5", number),
                                    "redirect_uri": REDIRECT_URI})
        if answer.status_code != 200:
            raise RuntimeError(answer.text)

    servers: dict[str, GunicornServer] = {}
    results = {v.key: {"refresh": {"lat": [], "errors": 0, "time": 0.0},
                       "code": {"lat": [], "errors": 0, "time": 0.0}} for v in variants}
    try:
        for variant in variants:
            servers[variant.key] = GunicornServer(
                variant.app, worker_args=variant.args, environ={**os.environ, **database.environ},
                ready_path="/.well-known/oauth-authorization-server", ready=ok_answer).start()
        for variant in variants:  # warm the workers
            url_holder["url"] = servers[variant.key].url
            load(refresh, 0.5 if phase_seconds > 1 else 0.2)
        for index in range(rounds):
            for variant in (variants if index % 2 == 0 else tuple(reversed(variants))):
                url_holder["url"] = servers[variant.key].url
                for name, work in (("refresh", refresh), ("code", exchange)):
                    lat, errors, elapsed = load(work, phase_seconds / 2)
                    slot: dict[str, Any] = results[variant.key][name]
                    slot["lat"].extend(lat)
                    slot["errors"] += errors
                    slot["time"] += elapsed
    finally:
        for server in servers.values():
            server.stop()
    rows = []
    for variant in variants:
        for name, title in (("refresh", "refresh"), ("code", "code exchange")):
            slot = results[variant.key][name]
            lat = slot["lat"]
            rps = len(lat) / slot["time"]
            p99 = percentile(lat, 99)
            details = {"server": variant.title, "gunicorn": " ".join(variant.args), "app": variant.app,
                       "p50_ms": round(percentile(lat, 50) * 1000, 1), "p99_ms": round(p99 * 1000, 1),
                       "requests": len(lat), "errors": slot["errors"], "clients": CLIENTS,
                       "req_per_s_per_core": round(rps / CPUS, 1)}
            figure = f"5 token {label}"
            rows += [
                Row(figure, f"{variant.title}: {title} throughput", round(rps, 1), "req/s", details=details),
                Row(figure, f"{variant.title}: {title} p50", details["p50_ms"], "ms"),
                Row(figure, f"{variant.title}: {title} p99 (errors {slot['errors']})", details["p99_ms"], "ms",
                    f"<= {P99_TARGET_S * 1000:.0f}" if variant.judged else "",
                    (p99 <= P99_TARGET_S and slot["errors"] == 0) if variant.judged else None, details),
            ]
    return rows


def run() -> list[Row]:
    """SQLite, then PostgreSQL when configured."""
    setup_paths()
    from bench.service_db import postgres_database, postgres_url, sqlite_database

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += bench_backend(sqlite_database(folder, "token"), "sqlite", SQLITE_VARIANTS)
    url: Optional[str] = postgres_url()
    if url:
        database = postgres_database(url)
        try:
            rows += bench_backend(database, "postgres", POSTGRES_VARIANTS)
        finally:
            database.drop()
    return rows
