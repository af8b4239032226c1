"""Racing requests over real HTTP: no lost links, no double use, no "database is locked"."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from .conftest import NA_REDIRECT, link, linked_tokens


def _refresh(live_server, registered, refresh_token):
    return requests.post(
        live_server.url + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(registered.client_id, registered.secret),
        timeout=30,
    )


def test_racing_refreshes_all_succeed_and_exactly_one_chain_survives(live_server, client, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    tokens = linked_tokens(client, registered)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: _refresh(live_server, registered, tokens["refresh_token"]), range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    siblings = [a.json()["refresh_token"] for a in answers]
    assert len(set(siblings)) == 6
    # Alexa keeps whichever answer arrived last; that chain continues
    kept = _refresh(live_server, registered, siblings[-1])
    assert kept.status_code == 200
    again = _refresh(live_server, registered, kept.json()["refresh_token"])
    assert again.status_code == 200
    # the losing siblings are dead; one presented later (only a thief can hold one, Alexa
    # kept the winner) ends the whole link, RFC 9700 section 4.14.2 (issue 11, finding 3)
    assert [_refresh(live_server, registered, s).status_code for s in siblings[:-1]] == [400] * 5
    assert _refresh(live_server, registered, again.json()["refresh_token"]).status_code == 400


def test_racing_code_exchanges_never_leave_two_working_links(live_server, client, alexa_clients, user):
    registered = alexa_clients["REQUEST_BODY_CREDENTIALS"]
    code = link(client, registered.client_id)["code"][0]

    def exchange(_):
        return requests.post(
            live_server.url + "/oauth/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": NA_REDIRECT,
                  "client_id": registered.client_id, "client_secret": registered.secret},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(exchange, range(4)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) <= 1 and all(s in (200, 400) for s in statuses)
    working = [
        a for a in answers if a.status_code == 200
        and requests.get(live_server.url + "/api/v1/me", headers={"Authorization": "Bearer " + a.json()["access_token"]}, timeout=10).status_code == 200
    ]
    # the replays revoked whatever the first exchange issued
    assert working == []
