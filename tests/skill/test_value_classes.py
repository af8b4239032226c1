"""The library's value classes keep every promise of the frozen dataclasses they replaced.

``account_linking.values.value_class`` defines them without generating code at import (a cold
start cost); a skill that builds, compares, copies or prints a Profile, LinkingMessages or
SkillEvent sees what it saw with ``@dataclass(frozen=True)``.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

import pytest

from account_linking import LinkingMessages, Profile, SkillEvent
from account_linking.requirements import LinkMode, LinkRequirement
from account_linking.values import value_class


def test_profile_is_built_by_keyword_or_position_with_defaults():
    assert Profile("u1", "Ada", email="ada@example.com") == Profile(user_id="u1", name="Ada", email="ada@example.com")
    profile = Profile("u1")
    assert (profile.name, profile.email, profile.scopes, profile.provider) == (None, None, None, "")


def test_building_with_wrong_arguments_raises_type_error_naming_the_argument():
    with pytest.raises(TypeError, match="missing required argument: 'user_id'"):
        Profile()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'nickname'"):
        Profile("u1", nickname="A")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'user_id'"):
        Profile("u1", user_id="u2")  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 5 positional arguments but 6 were given"):
        Profile("u1", "A", "a@example.com", None, "lwa", "extra")  # type: ignore[call-arg]


def test_values_are_frozen():
    profile = Profile("u1", "Ada")
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.name = "Eve"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del profile.name  # type: ignore[misc]
    assert profile.name == "Ada"


def test_equality_and_hash_follow_the_fields():
    a = Profile("u1", "Ada", scopes=frozenset({"profile"}))
    assert a == Profile("u1", "Ada", scopes=frozenset({"profile"}))
    assert a != Profile("u1", "Eve", scopes=frozenset({"profile"}))
    assert hash(a) == hash(Profile("u1", "Ada", scopes=frozenset({"profile"})))
    assert len({a, Profile("u1", "Ada", scopes=frozenset({"profile"}))}) == 1
    assert a != ("u1", "Ada", None, frozenset({"profile"}), "")  # another type is never equal


def test_dataclass_tools_still_work():
    messages = LinkingMessages(not_linked="a", rejected="b", missing_scope="c {permission}", unavailable="d")
    assert dataclasses.is_dataclass(messages)
    assert [f.name for f in dataclasses.fields(LinkingMessages)] == ["not_linked", "rejected", "missing_scope", "unavailable"]
    changed = dataclasses.replace(messages, unavailable="e")
    assert changed.unavailable == "e" and changed.not_linked == "a" and messages.unavailable == "d"
    assert dataclasses.asdict(Profile("u1", "Ada")) == {
        "user_id": "u1", "name": "Ada", "email": None, "scopes": None, "provider": "",
    }
    assert Profile.__match_args__ == ("user_id", "name", "email", "scopes", "provider")


def test_repr_names_the_fields_and_hides_the_access_token():
    assert repr(Profile("u1", "Ada")) == "Profile(user_id='u1', name='Ada', email=None, scopes=None, provider='')"
    event = SkillEvent(type="AlexaSkillEvent.SkillAccountLinked", user_id="amzn1.ask.account.X", access_token="secret-token")
    assert "secret-token" not in repr(event)
    assert "handler_input" not in repr(event)
    assert repr(event).startswith("SkillEvent(type='AlexaSkillEvent.SkillAccountLinked', user_id='amzn1.ask.account.X'")


def test_compare_false_fields_do_not_decide_equality():
    one = SkillEvent(type="t", user_id="u", handler_input=object())  # type: ignore[arg-type]
    other = SkillEvent(type="t", user_id="u", handler_input=object())  # type: ignore[arg-type]
    assert one == other and hash(one) == hash(other)


def test_default_factory_gives_each_value_its_own_default():
    requirement = LinkRequirement(LinkMode.REQUIRED)
    assert requirement.scopes == frozenset()

    @value_class
    class Basket:
        """A value with a mutable default."""

        items: list[str] = dataclasses.field(default_factory=list)
        owner: Optional[str] = None

    first, second = Basket(), Basket()
    first.items.append("apple")
    assert second.items == []


def test_value_class_keeps_a_repr_the_class_writes_and_refuses_its_own_setattr():
    @value_class
    class Secret:
        """Writes its own repr, as AlexaTokens does to hide its tokens."""

        token: str

        def __repr__(self) -> str:
            return "Secret(token=...)"

    assert repr(Secret("t-123")) == "Secret(token=...)"
    assert Secret("t-123") == Secret("t-123")
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__ in class Odd"):
        @value_class
        class Odd:
            """Writes __setattr__: it could not be frozen."""

            x: int

            def __setattr__(self, name: str, value: object) -> None:
                object.__setattr__(self, name, value)


def test_a_class_that_writes_its_own_equality_keeps_it_and_stays_hashable():
    @value_class
    class Place:
        """Equal when the names match, whatever the case."""

        name: str

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Place) and self.name.lower() == other.name.lower()

    assert Place("Airport") == Place("airport")
    assert hash(Place("Airport")) == hash(Place("Airport"))
