"""The skills the benchmarks compare: the real linked skill and bare ASK SDK baselines."""
from __future__ import annotations

import copy
import json
from typing import Any, Callable

from bench.common import SKILL_FIXTURES, setup_paths

setup_paths()

from ask_sdk_core.handler_input import HandlerInput  # noqa: E402
from ask_sdk_core.skill_builder import CustomSkillBuilder  # noqa: E402
from ask_sdk_model.response import Response  # noqa: E402

#: The envelope every skill figure sends: AccountInfoIntent with an access token.
ENVELOPE_FIXTURE = "account_info.linked.json"


def envelope(token: str | None = None) -> dict[str, Any]:
    """The AccountInfoIntent envelope, optionally with another access token."""
    data: dict[str, Any] = json.loads((SKILL_FIXTURES / ENVELOPE_FIXTURE).read_text())
    if token is not None:
        data["session"]["user"]["accessToken"] = token
        data["context"]["System"]["user"]["accessToken"] = token
    return data


def linked_handler(api_url: str, cache_ttl: float, session: Any = None) -> Callable[..., Any]:
    """The real ``lambda_handler`` of the Ride Hailer skill against ``api_url``."""
    from ride_hailer.settings import SkillSettings
    from ride_hailer.skill import build_skill_builder

    settings = SkillSettings(ride_hailer_api_url=api_url, linking_cache_ttl=cache_ttl)
    return build_skill_builder(settings, session).lambda_handler()


def bare_handler(api_url: str) -> Callable[..., Any]:
    """The same handlers and exception handlers, registered plainly: no linking interceptor.

    AccountInfoIntent is answered by the real handler's ``handle`` with the profile the
    resource server would have returned already in the request attributes.
    """
    import requests
    from account_linking import Profile
    from account_linking.interceptor import PROFILE_ATTRIBUTE
    from account_linking.requirements import CHECKED_ATTRIBUTE, requirement_of
    from devstack.resource_server import RIDE_HAILER_PROFILE
    from ride_hailer import handlers
    from ride_hailer.api import RideHailerApi
    from ride_hailer.skill import request_handlers

    profile = Profile(
        user_id=RIDE_HAILER_PROFILE["id"],
        name=RIDE_HAILER_PROFILE["name"],
        email=RIDE_HAILER_PROFILE["email"],
        scopes=frozenset({"profile", "rides:read", "rides:write"}),
        provider="ride_hailer",
    )

    class BareAccountInfoIntentHandler(handlers.AccountInfoIntentHandler):
        """The real handler, given the profile without any check."""

        def handle(self, handler_input: HandlerInput) -> Response:
            attributes = handler_input.attributes_manager.request_attributes
            attributes[PROFILE_ATTRIBUTE] = profile
            attributes[CHECKED_ATTRIBUTE] = requirement_of(self)  # what the skipped check records
            return super().handle(handler_input)

    session = requests.Session()
    api = RideHailerApi(session, api_url, 3.0)
    # The skill's own handler list, the AccountInfo handler given the profile directly:
    # no linking interceptor anywhere (skill events are the library's, not registered).
    builder = CustomSkillBuilder()
    for handler in request_handlers(api, lwa=False):
        if isinstance(handler, handlers.AccountInfoIntentHandler):
            handler = BareAccountInfoIntentHandler()
        builder.add_request_handler(handler)
    builder.add_exception_handler(handlers.RideRequestRejectedHandler())
    builder.add_exception_handler(handlers.CatchAllExceptionHandler())
    return builder.lambda_handler()


def speech(answer: dict[str, Any]) -> str:
    """The SSML a skill answered."""
    return str(answer["response"]["outputSpeech"]["ssml"])


def fresh(event: dict[str, Any]) -> dict[str, Any]:
    """A copy of the event (the SDK does not mutate it, but Lambda hands a new one each time)."""
    return copy.deepcopy(event)
