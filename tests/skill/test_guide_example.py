"""docs/guide.md section 2, run as written (the LWA profile URL pointed at a local server)."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from .conftest import card_type, load_envelope, speech
from devstack.resource_server import LWA_PATH

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"
#: What the guide's example takes from Amazon's hello-world sample (not shown in the guide).
HELLO_WORLD = textwrap.dedent('''
    from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
    from ask_sdk_core.utils import is_intent_name, is_request_type

    class LaunchRequestHandler(AbstractRequestHandler):
        def can_handle(self, handler_input):
            return is_request_type("LaunchRequest")(handler_input)

        def handle(self, handler_input):
            return handler_input.response_builder.speak("Welcome, you can say Hello or Help.").response

    class CatchAllExceptionHandler(AbstractExceptionHandler):
        def can_handle(self, handler_input, exception):
            return True

        def handle(self, handler_input, exception):
            return handler_input.response_builder.speak("Sorry, I had trouble doing what you asked.").response
''')


def _section_2_code() -> str:
    text = GUIDE.read_text()
    section = text[text.index("## 2. The object and the builder"):text.index("## 3.")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return code


@pytest.fixture
def guide_skill(server):
    code = _section_2_code()
    client = "LwaProfileClient(session, timeout=3.0)"
    assert client in code
    code = code.replace(client, f"LwaProfileClient(session, timeout=3.0, profile_url={server.url + LWA_PATH!r})")
    namespace: dict = {}
    exec(compile(HELLO_WORLD + code, str(GUIDE), "exec"), namespace)  # noqa: S102 - our own docs
    yield lambda event: namespace["lambda_handler"](event, None)
    namespace["session"].close()


def _who_am_i(linked: bool) -> dict:
    envelope = load_envelope("account_info.linked" if linked else "account_info.unlinked")
    envelope["request"]["intent"]["name"] = "WhoAmIIntent"
    return envelope


def test_guide_example_answers_a_linked_user_by_name(guide_skill, server):
    assert speech(guide_skill(_who_am_i(linked=True))) == "You are Ada."
    assert server.calls(LWA_PATH) == 1


def test_guide_example_sends_an_unlinked_user_a_link_account_card(guide_skill, server):
    answer = guide_skill(_who_am_i(linked=False))
    assert card_type(answer) == "LinkAccount"
    assert server.state.seen == []


def test_guide_example_greets_without_a_lookup(guide_skill, server):
    assert speech(guide_skill(load_envelope("launch.linked"))) == "Welcome, you can say Hello or Help."
    assert server.state.seen == []
