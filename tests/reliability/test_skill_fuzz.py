"""Bad input to the skill never breaks it (issue 8, suite 1: hypothesis).

Envelopes start from the real fixtures (tests/skill/fixtures/) and are mutated: fields
deleted at random paths, values replaced with wrong types, huge or odd text, unknown
request types, intents and slots, odd locales, missing session/context/System/user, odd
access tokens. The Lambda handler always answers a valid response and never raises;
``POST /alexa`` (verification on, requests signed with the test PKI) never answers 500.
"""
from __future__ import annotations

import copy
import datetime
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterator
from xml.etree import ElementTree

import pytest
import requests
from hypothesis import event, given
from hypothesis import strategies as st

from ride_hailer.settings import SkillSettings
from ride_hailer.skill import build_skill_builder
from tests.skill.conftest import FIXTURES, LINKED_TOKEN
from devstack.resource_server import LWA_PATH, ResourceServer

sys.path.insert(0, str(Path(__file__).parents[1] / "webservice"))
from alexa_linkcheck.simulator.signing import make_intermediate, make_root, make_signing_identity  # noqa: E402
from devstack.servers import ChainServer  # noqa: E402
from webservice_support import body_of, iso, signed_headers  # noqa: E402

from webservice import create_app  # noqa: E402

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))
BASES = {name: json.loads((FIXTURES / f"{name}.json").read_text()) for name in FIXTURE_NAMES}
#: Request types that must be answered with speech; every other type may (events must) be
#: answered without it: SessionEndedRequest, events, CanFulfillIntentRequest, types the model
#: does not know (issue 13, docs/skill.md "Every request gets an answer").
SPOKEN_TYPES = ("LaunchRequest", "IntentRequest")
#: Longest outputSpeech Alexa accepts (ALEXA-FACTS.md / ASK response reference: 8000 characters).
MAX_SPEECH_CHARS = 8000
#: What no answer may ever say: signs of a leaked traceback or internals.
LEAKS = ("Traceback", "Exception", 'File "', ".py", "site-packages", "NoneType", "object has no")

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8", max_codepoint=0x9F), max_size=20),  # control chars
    st.sampled_from([
        "x" * 100_000,                              # huge
        "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # RTL
        "\U0001F695" * 30 + "\U0001F468\u200d\U0001F469\u200d\U0001F467",  # emoji, ZWJ
        "a\x00b", "\x00", " ", "", "<speak>&amp;</speak>", "' OR 1=1 --", "\ufeff\u200b",
        "Z\u0351\u0352\u0357a\u0300\u0301lgo",     # combining marks
    ]),
)
WRONG_TYPES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    ODD_TEXT,
)
REQUEST_TYPES = st.sampled_from([
    "Unknown", "", "LaunchRequest", "IntentRequest", "SessionEndedRequest",
    "AlexaSkillEvent.SkillAccountLinked", "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.Unknown", "Display.ElementSelected", "CanFulfillIntentRequest",
    "Connections.Response", "System.ExceptionEncountered", "Dialog.API.Invoked",
])
INTENTS = st.sampled_from([
    "NoSuchIntent", "", "OrderRideIntent", "RideStatusIntent", "CancelRideIntent",
    "AccountInfoIntent", "FareEstimateIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.FallbackIntent", "AMAZON.YesIntent",
])
LOCALES = st.one_of(st.sampled_from(["", "xx-YY", "de", "DE-de", "en", "de-AT", "fr-FR", "en_US"]),
                    st.none(), ODD_TEXT)
TOKENS = st.one_of(st.sampled_from([LINKED_TOKEN, "", " ", "Bearer x", "a\nb", "t" * 100_000]),
                   WRONG_TYPES)
SLOTS = st.one_of(
    st.dictionaries(st.sampled_from(["destination", "nosuchslot", ""]),
                    st.one_of(st.fixed_dictionaries({"name": st.text(max_size=10), "value": WRONG_TYPES}),
                              WRONG_TYPES), max_size=3),
    WRONG_TYPES,
)
DELETABLE = [
    ("session",), ("context",), ("context", "System"), ("context", "System", "user"),
    ("session", "user"), ("context", "System", "application"), ("session", "application"),
    ("request", "intent"), ("request", "locale"), ("request", "type"), ("version",),
]
TARGETED = [
    (("request", "type"), REQUEST_TYPES),
    (("request", "intent", "name"), INTENTS),
    (("request", "intent", "slots"), SLOTS),
    (("request", "intent", "slots", "destination", "value"), ODD_TEXT),
    (("request", "locale"), LOCALES),
    (("context", "System", "user", "accessToken"), TOKENS),
    (("session", "user", "accessToken"), TOKENS),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    for key, value in items:
        found.append(prefix + (key,))
        found.extend(_paths(value, prefix + (key,)))
    return found


def _set(envelope: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = envelope
    for key in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(key, {})
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return
    if isinstance(node, dict):
        node[path[-1]] = value
    elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
        node[path[-1]] = value


def _delete(envelope: dict[str, Any], path: tuple[Any, ...]) -> None:
    node: Any = envelope
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture envelope with one to four mutations."""
    envelope = copy.deepcopy(BASES[draw(st.sampled_from(FIXTURE_NAMES))])
    envelope["request"]["timestamp"] = iso(datetime.datetime.now(datetime.timezone.utc))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["delete_any", "replace_any", "delete_known", "targeted"]))
        if kind == "targeted":
            path, values = draw(st.sampled_from(TARGETED))
            _set(envelope, path, draw(values))
        elif kind == "delete_known":
            _delete(envelope, draw(st.sampled_from(DELETABLE)))
        else:
            paths = [p for p in _paths(envelope) if p != ("request", "timestamp")]
            if not paths:
                continue
            path = draw(st.sampled_from(paths))
            if kind == "delete_any":
                _delete(envelope, path) if isinstance(path[-1], str) else _set(envelope, path, None)
            else:
                _set(envelope, path, draw(WRONG_TYPES))
    return envelope


def _request_type(envelope: dict[str, Any]) -> str:
    request = envelope.get("request")
    value = request.get("type") if isinstance(request, dict) else None
    return value if isinstance(value, str) else ""


def assert_valid_answer(envelope: dict[str, Any], answer: Any) -> None:
    """A response envelope Alexa accepts, with SSML speech where speech belongs, no leaks."""
    assert isinstance(answer, dict)
    assert answer.get("version") == "1.0"
    response = answer.get("response")
    assert isinstance(response, dict)
    speech = response.get("outputSpeech")
    if speech is None:
        assert _request_type(envelope) not in SPOKEN_TYPES
    else:
        assert speech["type"] == "SSML"
        ssml = speech["ssml"]
        assert ssml.startswith("<speak>") and ssml.endswith("</speak>") and len(ssml) > 15
        assert len(ssml) <= MAX_SPEECH_CHARS
        ElementTree.fromstring(ssml)  # well-formed XML, or Alexa refuses the response
    text = json.dumps(answer)
    for leak in LEAKS:
        assert leak not in text


@pytest.fixture(scope="module")
def resource_server() -> Iterator[ResourceServer]:
    server = ResourceServer().start()
    yield server
    server.stop()


def _settings(url: str) -> SkillSettings:
    return SkillSettings(ride_hailer_api_url=url, skill_id=SKILL_ID, resource_timeout=0.5)


@pytest.fixture(scope="module")
def lambda_handler(resource_server: ResourceServer) -> Iterator[Callable[[Any, Any], Any]]:
    session = requests.Session()
    yield build_skill_builder(_settings(resource_server.url), session=session).lambda_handler()
    session.close()


@pytest.fixture(scope="module")
def lwa_lambda_handler(resource_server: ResourceServer) -> Iterator[Callable[[Any, Any], Any]]:
    session = requests.Session()
    settings = SkillSettings(ride_hailer_api_url=resource_server.url, profile_provider="lwa",
                             lwa_profile_url=resource_server.url + LWA_PATH, resource_timeout=0.5)
    yield build_skill_builder(settings, session=session).lambda_handler()
    session.close()


@given(envelope=envelopes())
def test_lambda_handler_with_lwa_profiles_answers_any_mutated_envelope_with_a_valid_response(
    lwa_lambda_handler: Callable[[Any, Any], Any], envelope: dict[str, Any]
) -> None:
    assert_valid_answer(envelope, lwa_lambda_handler(envelope, None))


@given(envelope=envelopes())
def test_lambda_handler_answers_any_mutated_envelope_with_a_valid_response(
    lambda_handler: Callable[[Any, Any], Any], envelope: dict[str, Any]
) -> None:
    assert_valid_answer(envelope, lambda_handler(envelope, None))


@given(event=st.one_of(WRONG_TYPES, st.dictionaries(st.text(max_size=8), WRONG_TYPES, max_size=4),
                       st.fixed_dictionaries({"version": st.just("1.0"), "request": WRONG_TYPES})))
def test_lambda_handler_answers_an_event_that_is_no_envelope_with_an_apology(
    lambda_handler: Callable[[Any, Any], Any], event: Any
) -> None:
    answer = lambda_handler(event, None)
    assert_valid_answer({}, answer)
    assert "outputSpeech" in answer["response"]


@pytest.fixture(scope="module")
def signed_host(resource_server: ResourceServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = make_root()
    identity = make_signing_identity(make_intermediate(root))
    anchors = tmp_path_factory.mktemp("anchors") / "root.pem"
    anchors.write_bytes(root.pem)
    chains = ChainServer()
    chains.routes["/echo.api/echo-api-cert-test.pem"] = identity.chain_pem
    app = create_app(
        config={
            "WEBSERVICE_ENV": "development",
            "ALEXA_CERT_FETCH_URL_OVERRIDE": chains.url,
            "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(anchors),
        },
        environ={"RIDE_HAILER_API_URL": resource_server.url, "SKILL_ID": SKILL_ID,
                 "RESOURCE_TIMEOUT": "0.5"},
    )
    client = app.test_client()

    def post(envelope: Any) -> Any:
        body = body_of(envelope)
        return client.post("/alexa", data=body, headers=signed_headers(identity, body))

    yield post
    chains.close()


@given(envelope=envelopes())
def test_web_host_never_answers_500_for_a_signed_mutated_envelope(
    signed_host: Callable[[Any], Any], envelope: dict[str, Any]
) -> None:
    response = signed_host(envelope)
    event(f"HTTP {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code in (200, 400, 413), response.get_data(as_text=True)[:300]
    assert response.is_json
    if response.status_code == 200:
        assert_valid_answer(envelope, response.get_json())
    else:
        error = response.get_json()
        assert isinstance(error.get("error"), str) and isinstance(error.get("error_description"), str)
        for leak in LEAKS:
            assert leak not in response.get_data(as_text=True)


def test_web_host_refuses_envelope_without_context_for_a_skill_with_an_id_as_400(
    resource_server: ResourceServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A plain SDK skill with a skill id raises AttributeError on an envelope without
    # ``context`` (ask_sdk_core CustomSkill.invoke); the host checks the skill id itself
    # first, so the skill is never invoked and the answer is a 400, never a 500.
    from ask_sdk_core.skill_builder import CustomSkillBuilder
    from webservice_support import BareSkill

    builder: CustomSkillBuilder = BareSkill().builder()
    builder.skill_id = SKILL_ID  # type: ignore[assignment]
    root = make_root()
    identity = make_signing_identity(make_intermediate(root))
    anchors = tmp_path_factory.mktemp("anchors") / "root.pem"
    anchors.write_bytes(root.pem)
    chains = ChainServer()
    chains.routes["/echo.api/echo-api-cert-test.pem"] = identity.chain_pem
    try:
        app = create_app(builder, config={
            "WEBSERVICE_ENV": "development",
            "ALEXA_CERT_FETCH_URL_OVERRIDE": chains.url,
            "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(anchors),
        }, environ={})
        envelope = copy.deepcopy(BASES["launch.unlinked"])
        envelope["request"]["timestamp"] = iso(datetime.datetime.now(datetime.timezone.utc))
        del envelope["context"]
        body = body_of(envelope)
        response = app.test_client().post("/alexa", data=body, headers=signed_headers(identity, body))
    finally:
        chains.close()

    assert response.status_code == 400
    assert response.get_json()["error"] == "skill_id_mismatch"


#: Destinations no speech may carry verbatim: XML-invalid control characters, huge text.
ODD_DESTINATIONS = ["a\x00b", "x\x1fy\x7f", "\ufffe\uffff", "d" * 100_000, "\x0b\x0c", "a" * 300,
                    "a\ud800b", "Bahnhof\x85\x9f"]


@pytest.mark.parametrize("fixture", ["order_ride.linked", "fare_estimate.linked"])
@pytest.mark.parametrize("destination", ODD_DESTINATIONS, ids=lambda d: repr(d[:12]))
def test_odd_destination_is_answered_with_well_formed_ssml_within_alexa_limits(
    lambda_handler: Callable[[Any, Any], Any], resource_server: ResourceServer,
    fixture: str, destination: str,
) -> None:
    envelope = copy.deepcopy(BASES[fixture])
    envelope["request"]["intent"]["slots"]["destination"]["value"] = destination
    answer = lambda_handler(envelope, None)
    assert_valid_answer(envelope, answer)
    sent = [seen for seen in resource_server.state.seen if seen.path != "/api/v1/me"]
    assert all(len(seen.body) + len(seen.query) < 2000 for seen in sent)  # never a huge destination
