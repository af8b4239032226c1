"""Suite 4: racing token requests over real HTTP against gunicorn (2 workers x 4 threads).

What the service does (docs/service.md): a refresh token used again within the grace window
issues a *sibling*; the first sibling that is used revokes the others (presenting a revoked one
later ends the whole link, RFC 9700 section 4.14.2), so at most one chain
survives. A code used a second time is refused (invalid_grant) and every token issued from it
is revoked (RFC 6749 section 4.1.2), so a race on one code leaves no working link.
"""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from .relsvc_harness import SOAK, exchange, link_code, linked_tokens, me, refresh

RACERS = 50
ROUNDS = 5 if SOAK else 1


def _race(calls) -> list[requests.Response]:
    """Run the calls at once: every thread waits at a barrier, then sends."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=60)
        with requests.Session() as session:
            return call(session)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_fifty_racing_refreshes_answer_200_and_leave_exactly_one_working_chain(service, seeded, figures):
    for round_number in range(ROUNDS):
        registered = seeded.basic if round_number % 2 == 0 else seeded.post
        tokens = linked_tokens(service.url, registered)
        answers = _race([lambda s: refresh(service.url, registered, tokens["refresh_token"], s)] * RACERS)
        statuses = [a.status_code for a in answers]
        assert statuses == [200] * RACERS, [a.text for a in answers if a.status_code != 200][:3]
        siblings = [a.json() for a in answers]
        assert len({s["refresh_token"] for s in siblings}) == RACERS

        # Alexa keeps one answer (any of them): that chain goes on, the user stays linked
        kept = random.Random(round_number).randrange(RACERS)
        continued = refresh(service.url, registered, siblings[kept]["refresh_token"])
        assert continued.status_code == 200, continued.text
        survivor = continued.json()
        assert me(service.url, survivor["access_token"]).status_code == 200
        after = refresh(service.url, registered, survivor["refresh_token"])
        assert after.status_code == 200
        assert me(service.url, after.json()["access_token"]).json()["email"] == seeded.email

        # the other siblings are dead: one presented later (only a thief can hold one) is
        # refused and ends the whole link, RFC 9700 section 4.14.2 (issue 11, finding 3)
        loser = refresh(service.url, registered, siblings[(kept + 1) % RACERS]["refresh_token"])
        assert loser.status_code == 400 and loser.json()["error"] == "invalid_grant"
        assert refresh(service.url, registered, after.json()["refresh_token"]).status_code == 400
        assert me(service.url, after.json()["access_token"]).status_code == 401
    figures.append(f"token races ({service.database.kind}): {ROUNDS} round(s) of {RACERS} racing refreshes, all 200, one chain survived each")


def test_fifty_racing_exchanges_of_one_code_let_exactly_one_win_and_the_replays_revoke_it(service, seeded, figures):
    for round_number in range(ROUNDS):
        registered = seeded.post if round_number % 2 == 0 else seeded.basic
        code = link_code(service.url, registered)
        answers = _race([lambda s: exchange(service.url, registered, code, s)] * RACERS)
        statuses = sorted(a.status_code for a in answers)
        assert statuses.count(200) == 1, statuses
        assert statuses.count(400) == RACERS - 1, statuses
        assert {a.json()["error"] for a in answers if a.status_code == 400} == {"invalid_grant"}

        # the replays came after the winner (requests are serialized), so its tokens are revoked
        winner = next(a.json() for a in answers if a.status_code == 200)
        assert me(service.url, winner["access_token"]).status_code == 401
        dead = refresh(service.url, registered, winner["refresh_token"])
        assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"

        # and linking again works at once
        assert me(service.url, linked_tokens(service.url, registered)["access_token"]).status_code == 200
    figures.append(f"code races ({service.database.kind}): {ROUNDS} round(s) of {RACERS} racing exchanges, one winner, revoked by the replays")


def test_racing_first_uses_of_fifty_siblings_answer_once_and_then_end_the_link(service, seeded, figures):
    """Siblings used at once: exactly one use is answered; the others are presentations of
    revoked tokens, which end the whole link (RFC 9700 section 4.14.2; issue 11, finding 3)."""
    registered = seeded.basic
    tokens = linked_tokens(service.url, registered)
    siblings = [a.json() for a in _race([lambda s: refresh(service.url, registered, tokens["refresh_token"], s)] * RACERS)]
    assert len({s["refresh_token"] for s in siblings}) == RACERS
    answers = _race([lambda s, t=t["refresh_token"]: refresh(service.url, registered, t, s) for t in siblings])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [400] * (RACERS - 1), statuses
    survivor = next(a.json() for a in answers if a.status_code == 200)
    # no token of the link works any more: nobody keeps a chain a thief might hold
    assert sum(me(service.url, s["access_token"]).status_code == 200 for s in siblings) == 0
    assert me(service.url, survivor["access_token"]).status_code == 401
    assert refresh(service.url, registered, survivor["refresh_token"]).status_code == 400
    figures.append(f"sibling races ({service.database.kind}): {RACERS} siblings used at once, one answered, then the link ended")


def test_revocation_racing_refreshes_leaves_no_working_token_of_the_link(service, seeded, figures):
    """RFC 7009: once the revocation is answered, nothing of the link works, even tokens a racing refresh issued."""
    registered = seeded.basic
    rounds = 10 if SOAK else 4
    issued_total = 0
    for _ in range(rounds):
        tokens = linked_tokens(service.url, registered)

        def revoke(session):
            return session.post(service.url + "/oauth/revoke", data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
                                auth=(registered.client_id, registered.secret), timeout=60)

        calls = [lambda s: refresh(service.url, registered, tokens["refresh_token"], s)] * 24
        calls.insert(12, revoke)
        answers = _race(calls)
        assert answers[12].status_code == 200
        issued = [a.json() for i, a in enumerate(answers) if i != 12 and a.status_code == 200]
        assert all(a.status_code in (200, 400) for a in answers)
        issued_total += len(issued)
        alive = [t for t in [tokens, *issued] if me(service.url, t["access_token"]).status_code == 200]
        assert alive == [], f"{len(alive)} access tokens still work after the link was revoked"
        assert all(refresh(service.url, registered, t["refresh_token"]).status_code == 400 for t in issued)
    figures.append(f"revocation races ({service.database.kind}): {rounds} rounds of 24 refreshes + 1 revocation; {issued_total} racing tokens, none survived")


def test_code_replay_racing_refreshes_leaves_no_working_token_of_the_link(service, seeded, figures):
    """A replayed code revokes everything issued from it, including tokens of refreshes racing the replay."""
    registered = seeded.post
    rounds = 10 if SOAK else 4
    issued_total = 0
    for _ in range(rounds):
        code = link_code(service.url, registered)
        first = exchange(service.url, registered, code)
        assert first.status_code == 200
        tokens = first.json()
        calls = [lambda s: refresh(service.url, registered, tokens["refresh_token"], s)] * 24
        calls.insert(12, lambda s: exchange(service.url, registered, code, s))
        answers = _race(calls)
        assert answers[12].status_code == 400 and answers[12].json()["error"] == "invalid_grant"
        assert all(a.status_code in (200, 400) for a in answers)
        issued = [a.json() for i, a in enumerate(answers) if i != 12 and a.status_code == 200]
        issued_total += len(issued)
        alive = [t for t in [tokens, *issued] if me(service.url, t["access_token"]).status_code == 200]
        assert alive == [], f"{len(alive)} access tokens still work after the code was replayed"
    figures.append(f"replay races ({service.database.kind}): {rounds} rounds of 24 refreshes + 1 code replay; {issued_total} racing tokens, none survived")
