"""Figure 5: token endpoint under gunicorn on 127.0.0.1 with 16 concurrent clients.

Refresh grant (each client follows its own rotation chain) and code exchange (codes
bulk-loaded beforehand), alternating in short phases; SQLite always, PostgreSQL when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set. The 16 client threads run in this process,
on the same 2 cores as the server: the figures include that competition.
"""
from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

import requests

from bench.common import ROOT, Row, percentile, scaled, setup_paths

#: Alexa gives the token endpoint 4.5 s (ALEXA-FACTS.md); "far below" = a tenth of it.
ALEXA_TOKEN_DEADLINE_S = 4.5
P99_TARGET_S = ALEXA_TOKEN_DEADLINE_S / 10
CLIENTS = 16
CPUS = os.cpu_count() or 1
#: gunicorn's documented starting point: (2 x cores) + 1 sync workers.
WORKERS = 2 * CPUS + 1
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """The service under gunicorn on 127.0.0.1 (started here, stopped by its own pid)."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **environ, "RIDE_HAILER_ISSUER": self.url}
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "ride_hailer_service:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if requests.get(self.url + "/.well-known/oauth-authorization-server", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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


def bench_backend(database: Any, label: str) -> list[Row]:
    """Refresh and code-exchange phases against one database."""
    from bench.service_db import REDIRECT_URI, code, refresh_token

    phase_seconds = scaled(8, 1)
    database.load_tokens("t5", CLIENTS)
    codes_needed = scaled(30_000, 2_000)
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

    server = Gunicorn(database.environ)
    results: dict[str, dict[str, Any]] = {"refresh": {"lat": [], "errors": 0, "time": 0.0},
                                          "code": {"lat": [], "errors": 0, "time": 0.0}}
    try:
        url_holder["url"] = server.url
        load(refresh, 0.5 if phase_seconds > 1 else 0.2)  # warm the workers
        for _ in range(2):
            for name, work in (("refresh", refresh), ("code", exchange)):
                lat, errors, elapsed = load(work, phase_seconds / 2)
                results[name]["lat"].extend(lat)
                results[name]["errors"] += errors
                results[name]["time"] += elapsed
    finally:
        server.stop()
    rows = []
    for name, title in (("refresh", "refresh grant"), ("code", "code exchange")):
        lat = results[name]["lat"]
        rps = len(lat) / results[name]["time"]
        p99 = percentile(lat, 99)
        details = {"p50_ms": round(percentile(lat, 50) * 1000, 1), "p99_ms": round(p99 * 1000, 1),
                   "requests": len(lat), "errors": results[name]["errors"], "workers": WORKERS,
                   "clients": CLIENTS}
        rows += [
            Row(f"5 token {label}", f"{title}: throughput ({WORKERS} sync workers)", round(rps, 1), "req/s", details=details),
            Row(f"5 token {label}", f"{title}: throughput per CPU core", round(rps / CPUS, 1), "req/s"),
            Row(f"5 token {label}", f"{title}: p50", details["p50_ms"], "ms"),
            Row(f"5 token {label}", f"{title}: p99 (errors: {results[name]['errors']})", details["p99_ms"], "ms",
                f"<= {P99_TARGET_S * 1000:.0f}", p99 <= P99_TARGET_S and results[name]["errors"] == 0),
        ]
    return rows


def run() -> list[Row]:
    """SQLite, then PostgreSQL when configured."""
    setup_paths()
    from bench.service_db import postgres_database, postgres_url, sqlite_database

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += bench_backend(sqlite_database(folder, "token"), "sqlite")
    url: Optional[str] = postgres_url()
    if url:
        database = postgres_database(url)
        try:
            rows += bench_backend(database, "postgres")
        finally:
            database.drop()
    return rows
