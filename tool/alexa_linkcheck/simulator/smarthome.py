"""The simulator for smart home skills: plays the Alexa app, Alexa and LWA against a smart home Lambda.

:class:`SmartHomeSimulator` drives a skill through its ``(event, context)`` handler
(:class:`~alexa_linkcheck.simulator.targets.LambdaTarget`) with v3 directives:

- ``link``: the Alexa app's account linking (real login and consent pages, code exchange at
  the skill's token URL), then ``Alexa.Authorization.AcceptGrant`` with a code from the
  local LWA stand-in, which the skill's service exchanges at that stand-in;
- ``discover``: ``Alexa.Discovery.Discover``; devices are then known by their friendly names;
- ``say``: "turn on|off the <device>", "dim|set|brighten the <device> to <n> percent",
  "is the <device> on" (ReportState) become controller directives;
- ``expire``: Alexa's copy of the access token expires, so the next directive first
  refreshes it at the token URL (as Alexa does); ``revoke`` revokes the link at the
  authorization server (the user removed access), after which Alexa keeps sending a dead
  token: the skill must answer INVALID_AUTHORIZATION_CREDENTIAL, and the Alexa app shows
  its relink notice;
- ``wait_for_event``: the local event gateway (which checks the bearer token of every
  event) has received a ChangeReport / AddOrUpdateReport.

Every step prints transcript lines and returns what happened, for the caller's expectations.
"""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

from .amazon_side import EventGatewayStandIn, LwaStandIn, ReceivedEvent
from .errors import LinkingError, SimulatorError, TokenEndpointError
from .linking import LinkingConfig, TokenSet, link_account, refresh, revoke

#: What the Alexa app shows after a credential ErrorResponse (the user must relink).
RELINK_NOTICE = "[alexa app] {skill} needs you to link your account again: open the Alexa app, Skills, {skill}, Link account"
#: Credential errors that make Alexa ask the user to relink.
CREDENTIAL_ERRORS = ("INVALID_AUTHORIZATION_CREDENTIAL", "EXPIRED_AUTHORIZATION_CREDENTIAL")

_POWER = re.compile(r"^(?:alexa,?\s+)?turn (on|off) (?:the )?(.+?)$", re.I)
_BRIGHTNESS = re.compile(r"^(?:alexa,?\s+)?(?:dim|set|brighten) (?:the )?(.+?) to (\d{1,3}) ?(?:%|percent)$", re.I)
_STATE = re.compile(r"^(?:alexa,?\s+)?is (?:the )?(.+?) on\??$", re.I)


class Target(Protocol):
    def invoke(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class Outcome:
    """What one step produced: the answer's namespace + name, the error type if any."""

    step: str
    name: str = ""
    error: Optional[str] = None
    answer: dict[str, Any] = field(default_factory=dict, repr=False)


def _directive(namespace: str, name: str, payload: dict[str, Any], endpoint: Optional[dict[str, Any]] = None,
               correlation: bool = True) -> dict[str, Any]:
    header = {"namespace": namespace, "name": name, "payloadVersion": "3", "messageId": str(uuid.uuid4())}
    if correlation:
        header["correlationToken"] = uuid.uuid4().hex
    directive: dict[str, Any] = {"header": header, "payload": payload}
    if endpoint is not None:
        directive["endpoint"] = endpoint
    return {"directive": directive}


def _scope(token: Optional[str]) -> dict[str, Any]:
    return {"type": "BearerToken", "token": token or ""}


class SmartHomeSimulator:
    """Alexa for one user of one smart home skill."""

    def __init__(self, target: Target, linking: LinkingConfig, username: str, password: str, *,
                 lwa: LwaStandIn, gateway: EventGatewayStandIn, revocation_url: Optional[str] = None,
                 skill_name: str = "the skill", emit: Callable[[str], None] = print) -> None:
        self.target = target
        self.linking = linking
        self.username = username
        self._password = password
        self.lwa = lwa
        self.gateway = gateway
        self.revocation_url = revocation_url
        self.skill_name = skill_name
        self.emit = emit
        self.tokens: Optional[TokenSet] = None
        self._expired = False
        #: friendly name (lower case) -> endpointId, from the last discovery
        self.devices: dict[str, str] = {}

    # -- the Alexa app ----------------------------------------------------------------------
    def link(self) -> Outcome:
        """Link the account, then send AcceptGrant with a fresh LWA code."""
        self.tokens = link_account(self.linking, self.username, self._password)
        self._expired = False
        self.emit(f"[alexa] account linked for {self.username}; access token expires in {self.tokens.expires_in} s")
        code = self.lwa.issue_grant_code(self.username)
        event = _directive("Alexa.Authorization", "AcceptGrant", {
            "grant": {"type": "OAuth2.AuthorizationCode", "code": code},
            "grantee": _scope(self.tokens.access_token)}, correlation=False)
        outcome = self._send("link", event)
        if outcome.error is None:
            self.emit("[alexa] AcceptGrant answered AcceptGrant.Response: the skill's service holds Alexa tokens "
                      f"(LWA token URL called: {', '.join(self.lwa.calls) or 'no'})")
        return outcome

    def revoke(self) -> None:
        """The user removes the skill's access at the authorization server (whole link revoked)."""
        if self.tokens is None or not self.tokens.refresh_token or not self.revocation_url:
            raise SimulatorError("revoke needs a linked account with a refresh token and a revocation URL")
        revoke(self.linking, self.revocation_url, self.tokens.refresh_token)
        self.emit("[alexa] link revoked at the authorization server")

    def expire(self) -> None:
        """Alexa's copy of the access token expires (the next directive refreshes it first)."""
        self._expired = True
        self.emit("[alexa] access token expired (Alexa refreshes before the next directive)")

    # -- Alexa --------------------------------------------------------------------------------
    def _token(self) -> Optional[str]:
        if self.tokens is None:
            return None
        if self._expired and self.tokens.refresh_token:
            try:
                self.tokens = refresh(self.linking, self.tokens.refresh_token)
                self.emit("[alexa] refreshed the access token at the token URL")
                self._expired = False
            except TokenEndpointError as error:
                self.emit(f"[alexa] refresh failed ({error.error}); Alexa keeps sending the dead token")
        return self.tokens.access_token

    def discover(self) -> Outcome:
        """``Alexa.Discovery.Discover``; remembers the devices by friendly name."""
        outcome = self._send("discover", _directive("Alexa.Discovery", "Discover", {"scope": _scope(self._token())},
                                                    correlation=False))
        if outcome.error is None:
            endpoints = outcome.answer["event"]["payload"].get("endpoints", [])
            self.devices = {str(e["friendlyName"]).lower(): str(e["endpointId"]) for e in endpoints}
            self.emit(f"[alexa] discovered: {', '.join(str(e['friendlyName']) for e in endpoints) or 'nothing'}")
        return outcome

    def say(self, utterance: str) -> Outcome:
        """One smart home utterance as the directive Alexa would send."""
        text = utterance.strip().rstrip(".")
        if match := _POWER.match(text):
            device, namespace, name, payload = match.group(2), "Alexa.PowerController", f"Turn{match.group(1).title()}", {}
        elif match := _BRIGHTNESS.match(text):
            device, namespace, name = match.group(1), "Alexa.BrightnessController", "SetBrightness"
            payload = {"brightness": int(match.group(2))}
        elif match := _STATE.match(text):
            device, namespace, name, payload = match.group(1), "Alexa", "ReportState", {}
        else:
            raise SimulatorError(f"not a smart home utterance the simulator knows: {utterance!r}")
        endpoint_id = self.devices.get(device.lower())
        if endpoint_id is None:
            self.emit(f"alexa> I couldn't find a device named {device}.")
            return Outcome(f"say {utterance}", error="UNKNOWN_DEVICE")
        endpoint = {"scope": _scope(self._token()), "endpointId": endpoint_id, "cookie": {}}
        return self._send(f"say {utterance}", _directive(namespace, name, payload, endpoint))

    def _send(self, step: str, event: dict[str, Any]) -> Outcome:
        header = event["directive"]["header"]
        self.emit(f"[directive] {header['namespace']}.{header['name']}")
        answer = self.target.invoke(event)
        answered = answer.get("event", {}) if isinstance(answer, dict) else {}
        name = f"{answered.get('header', {}).get('namespace', '?')}.{answered.get('header', {}).get('name', '?')}"
        self._check_answer(event, answered)
        error = None
        if name.endswith(".ErrorResponse"):
            error = str(answered.get("payload", {}).get("type", ""))
            self.emit(f"[event] {name} {error}: {answered.get('payload', {}).get('message', '')}")
            if error in CREDENTIAL_ERRORS:
                self.emit("alexa> " + f"{self.skill_name} needs you to link your account again in the Alexa app.")
                self.emit(RELINK_NOTICE.format(skill=self.skill_name))
            else:
                self.emit("alexa> Sorry, the device isn't responding right now.")
        else:
            states = {p["name"]: p["value"] for p in answer.get("context", {}).get("properties", [])}
            shown = ", ".join(f"{k}={v}" for k, v in states.items() if k != "connectivity")
            self.emit(f"[event] {name}" + (f" ({shown})" if shown else ""))
            if header["name"] == "ReportState":
                power = "on" if states.get("powerState") == "ON" else "off"
                self.emit(f"alexa> It's {power}" + (f", at {states['brightness']} percent." if power == "on"
                                                    and "brightness" in states else "."))
            elif header["namespace"] not in ("Alexa.Authorization", "Alexa.Discovery"):
                self.emit("alexa> OK")
        return Outcome(step, name, error, answer)

    def _check_answer(self, sent: dict[str, Any], answered: dict[str, Any]) -> None:
        """Alexa refuses answers that break the v3 rules: say so in the transcript."""
        header, sent_header = answered.get("header", {}), sent["directive"]["header"]
        problems = []
        if header.get("payloadVersion") != "3":
            problems.append("payloadVersion is not 3")
        if header.get("messageId") in (None, sent_header["messageId"]):
            problems.append("no new messageId")
        if "correlationToken" in sent_header and header.get("correlationToken") != sent_header["correlationToken"]:
            problems.append("correlationToken not echoed")
        endpoint = sent["directive"].get("endpoint")
        if endpoint is not None and answered.get("endpoint", {}).get("endpointId") != endpoint["endpointId"]:
            problems.append("endpoint not echoed")
        if problems:
            raise SimulatorError("the skill's answer breaks the Smart Home API: " + "; ".join(problems))

    # -- the event gateway ------------------------------------------------------------------
    def wait_for_event(self, name: str, already: int = 0, timeout: float = 30.0) -> Optional[ReceivedEvent]:
        """Wait until the gateway accepted event number ``already + 1`` named ``name``; print it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            accepted = [e for e in self.gateway.accepted() if e.name == name]
            if len(accepted) > already:
                event = accepted[already]
                self.emit(f"[event gateway] {event.namespace}.{event.name} accepted (202, bearer token of {event.user})")
                return event
            time.sleep(0.05)
        refused = [f"{e.name} {e.status}" for e in self.gateway.received if e.status != 202]
        self.emit(f"[event gateway] no {name} accepted" + (f" (refused: {', '.join(refused)})" if refused else ""))
        return None


__all__ = ["CREDENTIAL_ERRORS", "LinkingError", "Outcome", "RELINK_NOTICE", "SmartHomeSimulator"]


# -- `alexa-linkcheck simulate-smarthome` ------------------------------------------------------
#: Environment variables holding the secrets (argv is visible to other users).
MESSAGING_SECRET_ENV = "LINKCHECK_MESSAGING_SECRET"
STEP_HELP = ('repeatable, in order: "link", "discover", "say turn on the kitchen light", "expire", "revoke", '
             '"wait ChangeReport"; "=> NAME" after a step expects that answer (e.g. "Alexa.Response") '
             'or error type (e.g. "INVALID_AUTHORIZATION_CREDENTIAL")')


def add_subparser(subparsers: Any) -> Any:
    """Register ``simulate-smarthome`` on the tool's CLI."""
    parser = subparsers.add_parser(
        "simulate-smarthome", help="play Alexa, the Alexa app and LWA against a smart home Lambda",
        description="Starts an LWA token URL stand-in and an event gateway stand-in on 127.0.0.1 (point your "
                    "device cloud's LWA_TOKEN_URL and ALEXA_EVENT_GATEWAY_URL at them), then plays the steps "
                    "against the project's Lambda, in-process.")
    parser.add_argument("--project", type=Path, required=True, help="ASK CLI v2 project (skill-package/, lambda/)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="the Lambda's settings")
    parser.add_argument("--authorization-url", help="override the authorization URL of accountLinking.json (e.g. a local device cloud)")
    parser.add_argument("--token-url", help="override the access token URL of accountLinking.json")
    parser.add_argument("--revocation-url", help="RFC 7009 revocation endpoint for the revoke step")
    parser.add_argument("--vendor-id", required=True, help="the vendor id in Alexa's redirect URL")
    parser.add_argument("--username", required=True, help="the test user's email for the login form")
    parser.add_argument("--password-env", default="LINKCHECK_PASSWORD",
                        help="environment variable holding the test user's password (default LINKCHECK_PASSWORD)")
    parser.add_argument("--client-secret-env", default="LINKCHECK_CLIENT_SECRET",
                        help="environment variable holding the skill's client secret (default LINKCHECK_CLIENT_SECRET)")
    parser.add_argument("--messaging-client-id", required=True, help="the skill's Alexa Skill Messaging client id")
    parser.add_argument("--messaging-secret-env", default=MESSAGING_SECRET_ENV,
                        help=f"environment variable holding the messaging client secret (default {MESSAGING_SECRET_ENV})")
    parser.add_argument("--lwa-port", type=int, default=0,
                        help="port of the local Login with Amazon stand-in (default 0: a free port)")
    parser.add_argument("--gateway-port", type=int, default=0,
                        help="port of the local event gateway stand-in (default 0: a free port)")
    parser.add_argument("--skill-name", default="the skill",
                        help="the skill's name in the Alexa app's notices (default 'the skill')")
    parser.add_argument("--step", action="append", default=[], help=STEP_HELP)
    parser.set_defaults(run=run_cli)
    return parser


def _play(alexa: SmartHomeSimulator, step: str) -> Optional[str]:
    """Play one step; the answer's name or error type (None for steps without an answer)."""
    verb, _, rest = step.partition(" ")
    if verb == "link":
        outcome = alexa.link()
    elif verb == "discover":
        outcome = alexa.discover()
    elif verb == "say":
        outcome = alexa.say(rest)
    elif verb == "expire":
        alexa.expire()
        return None
    elif verb == "revoke":
        alexa.revoke()
        return None
    elif verb == "wait":
        event = alexa.wait_for_event(rest.strip())
        return None if event is None else f"{event.namespace}.{event.name}"
    else:
        raise SimulatorError(f"unknown step {step!r}")
    return outcome.error or outcome.name


def run_cli(args: Any) -> int:
    """Play the steps; exit 1 when an expectation fails or a step cannot be played, 2 for bad arguments."""
    try:
        return _run(args)
    except SimulatorError as error:
        print(f"FAILED: {error}")
        return 1


def _run(args: Any) -> int:
    import os

    from .linking import client_secret_from_env
    from .targets import LambdaTarget

    password = os.environ.get(args.password_env, "")
    messaging_secret = os.environ.get(args.messaging_secret_env, "")
    if not password or not messaging_secret:
        raise SimulatorError(f"${args.password_env} and ${args.messaging_secret_env} must be set")
    environ = dict(item.split("=", 1) for item in args.env if "=" in item)
    project = Path(args.project)
    linking = LinkingConfig.from_account_linking_file(
        project / "skill-package" / "accountLinking.json", vendor_id=args.vendor_id,
        client_secret=client_secret_from_env(args.client_secret_env),
        authorization_url=args.authorization_url, token_url=args.token_url)
    lwa = LwaStandIn(args.messaging_client_id, messaging_secret, port=args.lwa_port).start()
    gateway = EventGatewayStandIn(lwa, port=args.gateway_port).start()
    try:
        print(f"LWA token URL stand-in: {lwa.token_url}")
        print(f"event gateway stand-in: {gateway.url}")
        alexa = SmartHomeSimulator(LambdaTarget(project / "lambda", environ=environ), linking, args.username,
                                   password, lwa=lwa, gateway=gateway, revocation_url=args.revocation_url,
                                   skill_name=args.skill_name)
        for number, spec in enumerate(args.step, 1):
            step, _, expected = (part.strip() for part in spec.partition("=>"))
            print(f"--- step {number}: {step}")
            got = _play(alexa, step)
            if expected and got != expected:
                print(f"FAILED: step {number} ({step}): expected {expected}, got {got}")
                return 1
        print(f"simulation passed: {len(args.step)} steps")
        return 0
    finally:
        gateway.stop()
        lwa.stop()
