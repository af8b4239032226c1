"""The skipOnEnablement check sees decorators and registration, the library's API included."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from alexa_linkcheck.__main__ import main

if TYPE_CHECKING:
    from conftest import ProjectCopy

AL = "skill-package/accountLinking.json"
SKIP = ("warning", "account-linking.skip-on-enablement")

HEADER = '''from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_intent_name
from account_linking import link_optional, requires_link

sb = SkillBuilder()
'''


def findings(project: ProjectCopy, capsys: pytest.CaptureFixture[str], code: str,
             skip: bool) -> list[tuple[str, str]]:
    """Replace the fixture's handler code and return (level, code) of every finding."""
    (project.root / "lambda" / "handlers.py").unlink(missing_ok=True)
    project.write("lambda/lambda_function.py", HEADER + code +
                  "\nlambda_handler = sb.lambda_handler()\n")
    project.edit(AL, lambda d: d["accountLinkingRequest"].update(skipOnEnablement=skip))
    main(["project", str(project.root), "--json"])
    report = json.loads(capsys.readouterr().out)
    return [(f["level"], f["code"]) for f in report["findings"]]


CLASSES = '''
@requires_link("rides:write")
class OrderRideIntentHandler(AbstractRequestHandler):
    """Orders a ride (the decorator alone says it needs the link)."""

    def can_handle(self, handler_input):
        return is_intent_name("OrderRideIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("On its way.").response


class FareEstimateIntentHandler(AbstractRequestHandler):
    """Estimates a fare without a link."""

    def can_handle(self, handler_input):
        return is_intent_name("FareEstimateIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("About twenty dollars.").response


sb.add_request_handler(OrderRideIntentHandler())
sb.add_request_handler(FareEstimateIntentHandler())
'''


def test_class_protected_only_by_requires_link_decorator_counts_as_needing_link(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    # One handler needs the link (decorator), one works unlinked: skipOnEnablement true fits.
    assert findings(project, capsys, CLASSES, skip=True) == []
    # Both behind @requires_link: true no longer fits.
    both = CLASSES.replace('class FareEstimateIntentHandler',
                           '@requires_link("rides:read")\nclass FareEstimateIntentHandler')
    assert findings(project, capsys, both, skip=True) == [SKIP]


def test_link_optional_decorator_counts_as_working_unlinked_despite_token_words(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    code = CLASSES.replace('class FareEstimateIntentHandler',
                           '@link_optional\nclass FareEstimateIntentHandler').replace(
        'speak("About twenty dollars.")', 'speak(str(handler_input.request_envelope.context'
                                          '.system.user.access_token))')
    assert findings(project, capsys, code, skip=True) == []
    assert findings(project, capsys, code, skip=False) == [SKIP]


def test_function_handlers_registered_with_the_sdk_decorator_are_seen(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    code = '''
@sb.request_handler(can_handle_func=is_intent_name("OrderRideIntent"))
@requires_link("rides:write")
def order_ride(handler_input):
    return handler_input.response_builder.speak("On its way.").response


@sb.request_handler(can_handle_func=lambda i: is_intent_name("FareEstimateIntent")(i))
def fare_estimate(handler_input):
    return handler_input.response_builder.speak("About twenty dollars.").response
'''
    assert findings(project, capsys, code, skip=True) == []
    assert findings(project, capsys, code, skip=False) == [SKIP]
    protected = code.replace("def fare_estimate", '@requires_link("rides:read")\n'
                                                  'def fare_estimate')
    assert findings(project, capsys, protected, skip=True) == [SKIP]


def test_library_object_api_decorators_on_functions_are_seen(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    # An AccountLinking object whose methods decorate and register handlers.
    code = '''
from account_linking import AccountLinking

linking = AccountLinking(sb)


@linking.request_handler(can_handle_func=is_intent_name("OrderRideIntent"))
@linking.requires_link("rides:write")
def order_ride(handler_input):
    return handler_input.response_builder.speak("On its way.").response


@linking.request_handler(can_handle_func=is_intent_name("FareEstimateIntent"))
@linking.requires_link("rides:read")
def fare_estimate(handler_input):
    return handler_input.response_builder.speak("About twenty dollars.").response
'''
    assert findings(project, capsys, code, skip=True) == [SKIP]
    assert findings(project, capsys, code, skip=False) == []


def test_link_requirement_class_attribute_is_a_declaration(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    code = CLASSES.replace('@requires_link("rides:write")\n', '').replace(
        '"""Orders a ride (the decorator alone says it needs the link)."""',
        '"""Orders a ride."""\n\n    link_requirement = LinkRequirement(LinkMode.REQUIRED)')
    code = code.replace('class FareEstimateIntentHandler(AbstractRequestHandler):\n'
                        '    """Estimates a fare without a link."""',
                        'class FareEstimateIntentHandler(AbstractRequestHandler):\n'
                        '    """Estimates a fare without a link."""\n\n'
                        '    link_requirement = LinkRequirement(LinkMode.REQUIRED)')
    assert findings(project, capsys, code, skip=True) == [SKIP]


def test_handler_class_that_is_never_registered_is_ignored(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    # FareEstimate works unlinked but is never registered: only OrderRide counts, and it
    # needs the link, so skipOnEnablement true is inconsistent.
    code = CLASSES.replace("sb.add_request_handler(FareEstimateIntentHandler())\n", "")
    assert findings(project, capsys, code, skip=True) == [SKIP]
