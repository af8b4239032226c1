"""A small real ASK SDK skill the simulator tests talk to (copied into a tmp code folder).

It needs a link for OrderRideIntent (checked against the test resource server at
$TEST_API_URL), echoes slot values, counts turns in a session attribute and records
skill events in $TEST_EVENTS_FILE.
"""
import json
import os
import urllib.request
import urllib.error

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import get_account_linking_access_token, is_intent_name, is_request_type
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.ui import LinkAccountCard, SimpleCard


def _record(kind, payload):
    with open(os.environ["TEST_EVENTS_FILE"], "a") as handle:
        handle.write(json.dumps({"type": kind, **payload}) + "\n")


def _me(token):
    request = urllib.request.Request(os.environ["TEST_API_URL"] + "/api/me", headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError:
        return None


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        attributes = handler_input.attributes_manager.session_attributes
        attributes["turns"] = attributes.get("turns", 0) + 1
        locale = handler_input.request_envelope.request.locale
        speech = "Willkommen bei Testtaxi." if locale.startswith("de") else "Welcome to Test Taxi."
        return handler_input.response_builder.speak(speech).ask("What now?").response


class CountIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("CountIntent")(handler_input)

    def handle(self, handler_input):
        attributes = handler_input.attributes_manager.session_attributes
        attributes["turns"] = attributes.get("turns", 0) + 1
        new = handler_input.request_envelope.session.new
        return handler_input.response_builder.speak(f"Turn {attributes['turns']}, new session {new}.").ask("More?").response


class OrderRideIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("OrderRideIntent")(handler_input)

    def handle(self, handler_input):
        token = get_account_linking_access_token(handler_input)
        builder = handler_input.response_builder
        request = handler_input.request_envelope.request
        if not request.intent.slots["destination"].value:
            return (builder.speak(f"Where to? ({request.dialog_state.value})").ask("Where to?")
                    .add_directive(ElicitSlotDirective(slot_to_elicit="destination", updated_intent=request.intent)).response)
        if not token:
            return builder.speak("Please link your account in the Alexa app.").set_card(LinkAccountCard()).set_should_end_session(True).response
        me = _me(token)
        if me is None:
            return builder.speak("Your link has expired. Please relink in the Alexa app.").set_card(LinkAccountCard()).set_should_end_session(True).response
        slot = handler_input.request_envelope.request.intent.slots["destination"]
        resolved = "unresolved"
        if slot.resolutions and slot.resolutions.resolutions_per_authority:
            authority = slot.resolutions.resolutions_per_authority[0]
            if authority.values:
                resolved = authority.values[0].value.id
        return (builder.speak(f"{me['name']}, a ride to {slot.value} ({resolved}) is on its way.")
                .set_card(SimpleCard("Ride", f"to {slot.value}")).set_should_end_session(True).response)


class CrashIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("CrashIntent")(handler_input)

    def handle(self, handler_input):
        raise RuntimeError("boom")


class FallbackIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Sorry, I did not get that.").ask("Try again?").response


class StopIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.StopIntent")(handler_input) or is_intent_name("AMAZON.CancelIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Goodbye.").set_should_end_session(True).response


class HelpIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("You can order a ride.").ask("What now?").response


class NavigateHomeIntentHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Home.").response  # shouldEndSession left unset


class SessionEndedRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        _record("SessionEndedRequest", {"reason": handler_input.request_envelope.request.reason.value})
        return handler_input.response_builder.response


class AccountLinkedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("AlexaSkillEvent.SkillAccountLinked")(handler_input)

    def handle(self, handler_input):
        _record("SkillAccountLinked", {"accessToken": handler_input.request_envelope.request.body.access_token})
        return handler_input.response_builder.response


class SkillDisabledHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input):
        _record("SkillDisabled", {})
        return handler_input.response_builder.response


sb = SkillBuilder()
for handler in (LaunchRequestHandler(), CountIntentHandler(), OrderRideIntentHandler(), FallbackIntentHandler(), CrashIntentHandler(), NavigateHomeIntentHandler(),
                StopIntentHandler(), HelpIntentHandler(), SessionEndedRequestHandler(), AccountLinkedHandler(),
                SkillDisabledHandler()):
    sb.add_request_handler(handler)
lambda_handler = sb.lambda_handler()
