"""Suite 5: SIGKILL the service mid-load, restart it on the same database, nothing is lost.

Threads exchange codes and refresh their own links against gunicorn; the whole process group
is killed with SIGKILL while requests are in flight; a new gunicorn starts on the same
database. Every token a client received before the kill must still work, the rows must be
whole (no token without its family, no code spent without its tokens), and the service
answers normally.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import text

from .relsvc_harness import SOAK, ServiceProcess, exchange, link_code, linked_tokens, me, refresh

WORKERS = 6
CODES = 24
ROUNDS = 3 if SOAK else 1


@dataclass
class Client:
    """What one Alexa-like client holds: its links (latest refresh token) and every access token it got."""

    links: list[str] = field(default_factory=list)
    access_tokens: list[str] = field(default_factory=list)
    answers: int = 0
    refused: list[str] = field(default_factory=list)


def _drive(url: str, registered, codes: list[str], lock: threading.Lock, holder: Client, stop: threading.Event, seed: int) -> None:
    chooser = random.Random(seed)
    with requests.Session() as session:
        while not stop.is_set():
            with lock:
                code = codes.pop() if codes and chooser.random() < 0.4 else None
            try:
                if code is not None or not holder.links:
                    if code is None:
                        return
                    answer = exchange(url, registered, code, session)
                    index = None
                else:
                    index = chooser.randrange(len(holder.links))
                    answer = refresh(url, registered, holder.links[index], session)
            except requests.RequestException:
                return  # the server is gone
            if answer.status_code != 200:
                holder.refused.append(f"{answer.status_code} {answer.text[:200]}")
                continue
            tokens = answer.json()
            holder.answers += 1
            holder.access_tokens.append(tokens["access_token"])
            if index is None:
                holder.links.append(tokens["refresh_token"])
            else:
                holder.links[index] = tokens["refresh_token"]


def _integrity_problems(service: ServiceProcess) -> list[str]:
    """Half-written state: tokens without a family or parent, codes spent without tokens or tokens from unspent codes."""
    from ride_hailer_service.models import db

    queries = {
        "token without family": "SELECT id FROM tokens WHERE family_id IS NULL",
        "token whose family root is missing": "SELECT t.id FROM tokens t LEFT JOIN tokens r ON r.id = t.family_id AND r.family_id = r.id WHERE r.id IS NULL",
        "token whose parent is missing or in another family": "SELECT t.id FROM tokens t LEFT JOIN tokens p ON p.id = t.parent_id AND p.family_id = t.family_id WHERE t.parent_id IS NOT NULL AND p.id IS NULL",
        "token from an unspent code": "SELECT t.id FROM tokens t JOIN authorization_codes c ON c.id = t.authorization_code_id WHERE c.used_at IS NULL",
        "spent code without tokens": "SELECT c.id FROM authorization_codes c WHERE c.used_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.authorization_code_id = c.id)",
        "rotated token without a child": "SELECT t.id FROM tokens t WHERE t.rotated_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tokens c WHERE c.parent_id = t.id)",
    }
    app = service.database.app()
    problems = []
    with app.app_context():
        for name, sql in queries.items():
            ids = db.session.execute(text(sql)).scalars().all()
            if ids:
                problems.append(f"{name}: {ids[:10]}")
        if db.engine.dialect.name == "sqlite":
            check = db.session.execute(text("PRAGMA integrity_check")).scalar_one()
            if check != "ok":
                problems.append(f"sqlite integrity_check: {check}")
        db.engine.dispose()
    return problems


def test_sigkill_mid_load_then_restart_keeps_every_issued_token_working_and_no_half_written_rows(database, seeded, tmp_path: Path, figures):
    service = ServiceProcess(database, tmp_path / "gunicorn.log").start()
    try:
        for round_number in range(ROUNDS):
            registered = seeded.basic if round_number % 2 == 0 else seeded.post
            codes = [link_code(service.url, registered) for _ in range(CODES)]
            holders = [Client() for _ in range(WORKERS)]
            for holder in holders:  # every client starts with one link
                tokens = linked_tokens(service.url, registered)
                holder.links.append(tokens["refresh_token"])
                holder.access_tokens.append(tokens["access_token"])
            lock, stop = threading.Lock(), threading.Event()
            threads = [
                threading.Thread(target=_drive, args=(service.url, registered, codes, lock, holder, stop, round_number * 100 + i))
                for i, holder in enumerate(holders)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while sum(h.answers for h in holders) < 40 and time.monotonic() < deadline:
                time.sleep(0.05)
            service.kill()  # mid-load: the threads still have requests in flight
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            assert not any(thread.is_alive() for thread in threads)
            refused = [r for h in holders for r in h.refused]
            assert refused == [], refused[:5]
            answered = sum(h.answers for h in holders)
            assert answered >= 40

            assert _integrity_problems(service) == []
            service.start()  # same database, same port

            access_tokens = [t for h in holders for t in h.access_tokens]
            statuses = [me(service.url, token).status_code for token in access_tokens]
            assert statuses == [200] * len(access_tokens)
            links = [r for h in holders for r in h.links]
            continued = [refresh(service.url, registered, link) for link in links]
            assert [a.status_code for a in continued] == [200] * len(links), [a.text for a in continued if a.status_code != 200][:3]
            assert all(me(service.url, a.json()["access_token"]).status_code == 200 for a in continued)
            # and the service answers normally: a new link works end to end
            fresh = linked_tokens(service.url, seeded.post)
            assert me(service.url, fresh["access_token"]).json()["email"] == seeded.email
            assert _integrity_problems(service) == []
            figures.append(
                f"crash/restart ({database.kind}) round {round_number + 1}: SIGKILL after {answered} token answers; "
                f"{len(access_tokens)} access tokens and {len(links)} links all still work"
            )
    finally:
        service.stop()
    log = service.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-4000:]
