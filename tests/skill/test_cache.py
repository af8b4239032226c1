"""The profile cache: hits skip HTTP, failures are never cached, TTL, bounds, threads."""
from __future__ import annotations

import threading

import pytest

from account_linking import Profile
from account_linking.cache import ProfileCache, token_digest

from .conftest import PROVIDERS, load_envelope, profile_path, speech


class Clock:
    """An injectable clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("provider", PROVIDERS)
def test_second_request_with_same_token_makes_no_second_http_call(make_skill, server, provider):
    skill = make_skill(provider)
    skill(load_envelope("account_info.linked"))
    response = skill(load_envelope("account_info.linked"))
    assert "Ada" in speech(response)
    assert server.calls(profile_path(provider)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rejected_token_is_asked_again_on_the_next_request(make_skill, server, provider):
    server.answer("401", profile_path(provider))
    skill = make_skill(provider)
    skill(load_envelope("account_info.linked"))
    server.answer("ok", profile_path(provider))
    response = skill(load_envelope("account_info.linked"))
    assert "Ada" in speech(response)
    assert server.calls(profile_path(provider)) == 2


def test_missing_scope_is_not_cached(make_skill, server):
    server.state.missing_scope = "profile"
    server.answer("403", "/api/v1/me")
    skill = make_skill()
    skill(load_envelope("account_info.linked"))
    skill(load_envelope("account_info.linked"))
    assert server.calls("/api/v1/me") == 2


def test_different_tokens_are_looked_up_separately(make_skill, server):
    skill = make_skill()
    skill(load_envelope("account_info.linked", token="token-a"))
    skill(load_envelope("account_info.linked", token="token-b"))
    assert server.calls("/api/v1/me") == 2


def test_zero_ttl_disables_the_cache(make_skill, server):
    skill = make_skill(linking_cache_ttl=0)
    skill(load_envelope("account_info.linked"))
    skill(load_envelope("account_info.linked"))
    assert server.calls("/api/v1/me") == 2


def test_cached_profile_expires_after_the_ttl():
    clock = Clock()
    cache = ProfileCache(ttl=60, clock=clock)
    cache.put("tok", Profile(user_id="u"))
    clock.now += 59.9
    assert cache.get("tok") == Profile(user_id="u")
    clock.now += 0.1
    assert cache.get("tok") is None
    assert len(cache) == 0


def test_cache_keys_are_token_digests_never_raw_tokens():
    cache = ProfileCache(ttl=60)
    cache.put("Atza|secret-token", Profile(user_id="u"))
    assert cache.keys() == [token_digest("Atza|secret-token")]
    assert all("secret" not in key for key in cache.keys())


def test_cache_evicts_least_recently_used_beyond_max_entries():
    cache = ProfileCache(ttl=60, max_entries=2)
    cache.put("a", Profile(user_id="a"))
    cache.put("b", Profile(user_id="b"))
    cache.get("a")  # a is now the most recent
    cache.put("c", Profile(user_id="c"))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    assert len(cache) == 2


def test_cache_stays_consistent_under_concurrent_use():
    cache = ProfileCache(ttl=60, max_entries=50)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(worker: int) -> None:
        try:
            start.wait()
            for i in range(2000):
                token = f"t{(worker * 7 + i) % 120}"
                cache.put(token, Profile(user_id=token))
                found = cache.get(token)
                assert found is None or found.user_id == token
                if i % 50 == 0:
                    cache.forget(token)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 50


def test_concurrent_skill_requests_share_one_cache(make_skill, server):
    skill = make_skill()
    skill(load_envelope("account_info.linked"))
    answers: list[str] = []

    def ask() -> None:
        answers.append(speech(skill(load_envelope("account_info.linked"))))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and all("Ada" in answer for answer in answers)
    assert server.calls("/api/v1/me") == 1


def test_forget_owner_drops_every_token_of_that_alexa_user_and_no_other():
    cache = ProfileCache(ttl=60)
    cache.put("a1", Profile(user_id="u"), owner="alexa-user-1")
    cache.put("a2", Profile(user_id="u"), owner="alexa-user-1")
    cache.put("b1", Profile(user_id="v"), owner="alexa-user-2")
    cache.put("c1", Profile(user_id="w"))
    assert cache.forget_owner("alexa-user-1") == 2
    assert cache.get("a1") is None and cache.get("a2") is None
    assert cache.get("b1") is not None and cache.get("c1") is not None
    assert cache.forget_owner("alexa-user-1") == 0


def test_owner_index_forgets_entries_that_expired_or_were_evicted():
    clock = Clock()
    cache = ProfileCache(ttl=60, max_entries=1, clock=clock)
    cache.put("a", Profile(user_id="a"), owner="alexa-user-1")
    cache.put("b", Profile(user_id="b"), owner="alexa-user-2")  # evicts a
    assert cache.forget_owner("alexa-user-1") == 0
    clock.now += 60
    assert cache.get("b") is None  # expired
    assert cache.forget_owner("alexa-user-2") == 0
    assert len(cache) == 0


def test_a_token_cached_again_for_another_alexa_user_moves_to_that_user():
    cache = ProfileCache(ttl=60)
    cache.put("tok", Profile(user_id="u"), owner="alexa-user-1")
    cache.put("tok", Profile(user_id="u"), owner="alexa-user-2")
    assert cache.forget_owner("alexa-user-1") == 0
    assert cache.forget_owner("alexa-user-2") == 1
