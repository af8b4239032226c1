"""Hello Linked World: Amazon's hello-world skill, plus account linking with Login with Amazon.

Everything about linking is the three marked lines: the AccountLinking object, its skill
builder, and @requires_link on the handler that needs to know who the user is.
"""
import logging
import os

import requests
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.utils import is_intent_name, is_request_type

from account_linking import AccountLinking, LwaProfileClient, profile_of, requires_link

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class LaunchRequestHandler(AbstractRequestHandler):
    """Greets the user; works without a link."""

    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        speak_output = "Welcome! Say hello, or ask me who you are."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class HelloWorldIntentHandler(AbstractRequestHandler):
    """Says hello; works without a link."""

    def can_handle(self, handler_input):
        return is_intent_name("HelloWorldIntent")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello World!").response


@requires_link("profile")  # linking: unlinked users get a LinkAccount card instead
class WhoAmIIntentHandler(AbstractRequestHandler):
    """Tells the user their name, from their linked Amazon account."""

    def can_handle(self, handler_input):
        return is_intent_name("WhoAmIIntent")(handler_input)

    def handle(self, handler_input):
        profile = profile_of(handler_input)
        return handler_input.response_builder.speak(f"You are {profile.name}.").response


class HelpIntentHandler(AbstractRequestHandler):
    """Explains what to say."""

    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input):
        speak_output = "You can say hello to me, or ask who am I. How can I help?"
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


class CancelOrStopIntentHandler(AbstractRequestHandler):
    """Says goodbye."""

    def can_handle(self, handler_input):
        return (is_intent_name("AMAZON.CancelIntent")(handler_input)
                or is_intent_name("AMAZON.StopIntent")(handler_input))

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Goodbye!").response


class FallbackIntentHandler(AbstractRequestHandler):
    """Answers what the skill did not understand."""

    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input):
        speech = "Hmm, I'm not sure. You can say hello, or ask who am I."
        return handler_input.response_builder.speak(speech).ask(speech).response


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Cleans up when the session ends."""

    def can_handle(self, handler_input):
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Answers anything else that went wrong."""

    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        logger.error(exception, exc_info=True)
        speak_output = "Sorry, I had trouble doing what you asked. Please try again."
        return handler_input.response_builder.speak(speak_output).ask(speak_output).response


# linking: who a token belongs to, asked of Login with Amazon (cached 5 minutes by token digest)
linking = AccountLinking(
    LwaProfileClient(requests.Session(), timeout=3.0,
                     profile_url=os.environ.get("LWA_PROFILE_URL", "https://api.amazon.com/user/profile")),
)
sb = linking.skill_builder()  # linking: checks every handler that declares @requires_link

sb.add_request_handler(LaunchRequestHandler())
sb.add_request_handler(HelloWorldIntentHandler())
sb.add_request_handler(WhoAmIIntentHandler())
sb.add_request_handler(HelpIntentHandler())
sb.add_request_handler(CancelOrStopIntentHandler())
sb.add_request_handler(FallbackIntentHandler())
sb.add_request_handler(SessionEndedRequestHandler())
sb.add_exception_handler(CatchAllExceptionHandler())

lambda_handler = sb.lambda_handler()
