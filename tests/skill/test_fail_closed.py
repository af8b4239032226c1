"""Fail closed: a handler that declares a link need never runs without its check.

Every way of registering a handler is tried: on the builder from
``AccountLinking.skill_builder()`` each one is checked; on a builder that never met the
linking object the handler refuses to run (the user hears the skill's apology, the
error names the fix), and declaring in the wrong order raises at once.
"""
from __future__ import annotations

import logging

import pytest
import requests
from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder, SkillBuilder
from ask_sdk_core.utils.predicate import is_intent_name
from ask_sdk_runtime.dispatch_components.request_components import GenericRequestHandlerChain

from account_linking import AccountLinking, link_optional, profile_of, requires_link
from ride_hailer.profile_client import RideHailerProfileClient
from account_linking.errors import LinkingNotInstalled
from account_linking.messages import DEFAULT_APOLOGIES
from account_linking.safety import SafeSkillBuilder

from .conftest import card_type, load_envelope, speech

#: What each test's handlers did: a handler body that ran appends its name.
RAN: list[str] = []


@pytest.fixture(autouse=True)
def _clear_ran():
    RAN.clear()
    yield
    RAN.clear()


@requires_link("profile")
class AccountInfoIntentHandler(AbstractRequestHandler):
    """Says the linked user's name: needs a link with scope profile."""

    def can_handle(self, handler_input):
        return is_intent_name("AccountInfoIntent")(handler_input)

    def handle(self, handler_input):
        RAN.append("AccountInfoIntentHandler")
        profile = profile_of(handler_input)
        return handler_input.response_builder.speak(f"you are {profile.name}").response


@requires_link("profile")
def account_info(handler_input):
    """The same, as a handler function."""
    RAN.append("account_info")
    return handler_input.response_builder.speak(f"you are {profile_of(handler_input).name}").response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """The hello-world sample's catch-all: a plain apology; remembers what it caught."""

    def __init__(self):
        self.caught: list[Exception] = []

    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        self.caught.append(exception)
        return handler_input.response_builder.speak("Sorry, I had trouble doing what you asked.").response


@pytest.fixture
def linking(server):
    with requests.Session() as session:
        yield AccountLinking(RideHailerProfileClient(session, server.url, 0.5), time_budget=0.5)


def _run(builder, name):
    return builder.lambda_handler()(load_envelope(name), None)


def _assert_checked(builder, server):
    """Unlinked: LinkAccount card, body never ran; linked: the body ran with the profile."""
    unlinked = _run(builder, "account_info.unlinked")
    assert card_type(unlinked) == "LinkAccount"
    assert "link your account" in speech(unlinked)
    assert RAN == []
    linked = _run(builder, "account_info.linked")
    assert speech(linked) == "you are Ada"
    assert len(RAN) == 1
    assert server.calls("/api/v1/me") == 1


# --- the builder from AccountLinking.skill_builder(): every door is checked ---

def test_linked_builder_add_request_handler_checks_a_declared_class(linking, server):
    builder = linking.skill_builder()
    builder.add_request_handler(AccountInfoIntentHandler())
    _assert_checked(builder, server)


def test_linked_builder_request_handler_decorator_checks_a_declared_function(linking, server):
    builder = linking.skill_builder()

    @builder.request_handler(can_handle_func=is_intent_name("AccountInfoIntent"))
    @requires_link("profile")
    def who_am_i(handler_input):
        RAN.append("who_am_i")
        return handler_input.response_builder.speak(f"you are {profile_of(handler_input).name}").response

    _assert_checked(builder, server)


def test_linked_builder_add_request_handlers_checks_each_handler(linking, server):
    builder = linking.skill_builder()
    builder.runtime_configuration_builder.add_request_handlers([AccountInfoIntentHandler()])
    _assert_checked(builder, server)


def test_linked_builder_checks_a_chain_appended_by_hand(linking, server):
    builder = linking.skill_builder()
    builder.runtime_configuration_builder.request_handler_chains.append(
        GenericRequestHandlerChain(request_handler=AccountInfoIntentHandler())
    )
    _assert_checked(builder, server)


class PublicHelloHandler(AbstractRequestHandler):
    """Declares no link need; claims only HelloIntent."""

    def can_handle(self, handler_input):
        return is_intent_name("HelloIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("hello").response


def test_linked_builder_checks_a_chain_inserted_by_hand_before_the_registered_ones(linking, server):
    builder = linking.skill_builder()
    builder.add_request_handler(PublicHelloHandler())
    builder.add_request_handler(PublicHelloHandler())
    builder.runtime_configuration_builder.request_handler_chains.insert(
        0, GenericRequestHandlerChain(request_handler=AccountInfoIntentHandler())
    )
    _assert_checked(builder, server)


def test_linked_builder_checks_a_chain_replaced_by_hand(linking, server):
    builder = linking.skill_builder()
    builder.add_request_handler(PublicHelloHandler())
    builder.add_request_handler(PublicHelloHandler())
    builder.runtime_configuration_builder.request_handler_chains[1] = GenericRequestHandlerChain(
        request_handler=AccountInfoIntentHandler()
    )
    _assert_checked(builder, server)


def test_linked_builder_checks_the_missing_scope_of_a_declared_function(linking, server):
    server.state.scopes_header = "rides:read"
    builder = linking.skill_builder()
    builder.request_handler(can_handle_func=is_intent_name("AccountInfoIntent"))(account_info)
    answer = _run(builder, "account_info.linked")
    assert card_type(answer) == "LinkAccount"
    assert "read your profile" in speech(answer)
    assert RAN == []


def test_link_optional_function_gets_the_profile_when_linked_and_none_when_not(linking, server):
    builder = linking.skill_builder()

    @builder.request_handler(can_handle_func=lambda handler_input: True)
    @link_optional
    def greet(handler_input):
        profile = profile_of(handler_input)
        return handler_input.response_builder.speak(f"hello {profile.name if profile else 'stranger'}").response

    assert speech(_run(builder, "launch.linked")) == "hello Ada"
    assert speech(_run(builder, "launch.unlinked")) == "hello stranger"


def test_link_decorator_above_request_handler_raises_saying_to_put_it_below(linking):
    builder = linking.skill_builder()
    with pytest.raises(TypeError, match="Put it below"):
        @requires_link("profile")
        @builder.request_handler(can_handle_func=is_intent_name("AccountInfoIntent"))
        def who_am_i(handler_input):
            RAN.append("who_am_i")
            return handler_input.response_builder.response


def test_requires_link_without_parentheses_raises_saying_how_to_write_it():
    with pytest.raises(TypeError, match="with parentheses"):
        @requires_link
        class Handler(AbstractRequestHandler):
            def can_handle(self, handler_input):
                return True

            def handle(self, handler_input):
                return handler_input.response_builder.response


# --- builders that never met the linking object: the handler refuses to run ---

def test_plain_builder_add_request_handler_never_runs_the_declared_handler(server, caplog):
    """The issue's door: today unlinked users got an AttributeError from inside handle()."""
    builder = CustomSkillBuilder()
    builder.add_request_handler(AccountInfoIntentHandler())
    catch_all = CatchAllExceptionHandler()
    builder.add_exception_handler(catch_all)
    for name in ("account_info.unlinked", "account_info.linked"):
        answer = _run(builder, name)
        assert speech(answer) == "Sorry, I had trouble doing what you asked."
    assert RAN == []
    assert server.state.seen == []
    assert all(isinstance(exc, LinkingNotInstalled) for exc in catch_all.caught)
    message = str(catch_all.caught[0])
    assert "AccountInfoIntentHandler" in message and "@requires_link('profile')" in message
    assert "AccountLinking.skill_builder()" in message


def test_plain_skill_builder_request_handler_decorator_never_runs_the_declared_function(server):
    builder = SkillBuilder()
    builder.request_handler(can_handle_func=is_intent_name("AccountInfoIntent"))(account_info)
    catch_all = CatchAllExceptionHandler()
    builder.add_exception_handler(catch_all)
    answer = _run(builder, "account_info.linked")
    assert speech(answer) == "Sorry, I had trouble doing what you asked."
    assert RAN == []
    assert "account_info" in str(catch_all.caught[0])


def test_plain_builder_add_request_handlers_never_runs_the_declared_handler(server):
    builder = CustomSkillBuilder()
    builder.runtime_configuration_builder.add_request_handlers([AccountInfoIntentHandler()])
    catch_all = CatchAllExceptionHandler()
    builder.add_exception_handler(catch_all)
    _run(builder, "account_info.unlinked")
    assert RAN == []
    assert isinstance(catch_all.caught[0], LinkingNotInstalled)


def test_plain_safe_skill_builder_answers_the_apology_and_logs_how_to_register(server, caplog):
    builder = SafeSkillBuilder()
    builder.add_request_handler(AccountInfoIntentHandler())
    with caplog.at_level(logging.ERROR, logger="account_linking.safety"):
        answer = _run(builder, "account_info.linked")
    assert speech(answer) == DEFAULT_APOLOGIES["en-US"]
    assert RAN == []
    assert "AccountLinking.skill_builder()" in caplog.text


def test_handler_of_a_linked_builder_reused_on_a_plain_builder_still_refuses(linking, server):
    handler = AccountInfoIntentHandler()
    linked = linking.skill_builder()
    linked.add_request_handler(handler)
    assert speech(_run(linked, "account_info.linked")) == "you are Ada"
    plain = CustomSkillBuilder()
    plain.add_request_handler(handler)
    plain.add_exception_handler(CatchAllExceptionHandler())
    assert speech(_run(plain, "account_info.linked")) == "Sorry, I had trouble doing what you asked."
    assert RAN == ["AccountInfoIntentHandler"]


def test_subclass_calling_the_declared_handle_is_guarded_too(server):
    class LoudAccountInfoIntentHandler(AccountInfoIntentHandler):
        def handle(self, handler_input):
            return super().handle(handler_input)

    builder = CustomSkillBuilder()
    builder.add_request_handler(LoudAccountInfoIntentHandler())
    builder.add_exception_handler(CatchAllExceptionHandler())
    _run(builder, "account_info.linked")
    assert RAN == []
