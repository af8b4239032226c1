"""`alexa-linkcheck simulate-smarthome` plays the My Lights story against a running device cloud."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devstack.servers import free_port
from devstack.smarthome import MESSAGING_CLIENT_ID, MY_LIGHTS, MyLightsStack

ROOT = Path(__file__).resolve().parents[2]


def _simulate(stack: MyLightsStack, lwa_port: int, gateway_port: int, *steps: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "alexa_linkcheck", "simulate-smarthome", "--project", str(MY_LIGHTS),
               "--env", f"MY_LIGHTS_API_URL={stack.cloud_url}",
               "--authorization-url", stack.cloud_url + "/oauth/authorize",
               "--token-url", stack.cloud_url + "/oauth/token", "--revocation-url", stack.cloud_url + "/oauth/revoke",
               "--vendor-id", stack.vendor_id, "--username", stack.email,
               "--messaging-client-id", MESSAGING_CLIENT_ID, "--skill-name", "My Lights",
               "--lwa-port", str(lwa_port), "--gateway-port", str(gateway_port)]
    for step in steps:
        command += ["--step", step]
    environ = {**os.environ, "LINKCHECK_PASSWORD": stack.password, "LINKCHECK_CLIENT_SECRET": stack.client_secret,
               "LINKCHECK_MESSAGING_SECRET": stack.messaging_secret}
    return subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False)


def _stack(lwa_port: int, gateway_port: int) -> MyLightsStack:
    return MyLightsStack(background_sender=True, extra_config={
        "LWA_TOKEN_URL": f"http://127.0.0.1:{lwa_port}/auth/o2/token",
        "ALEXA_EVENT_GATEWAY_URL": f"http://127.0.0.1:{gateway_port}/v3/events"})


def test_simulate_smarthome_links_grants_discovers_controls_and_sees_revocation() -> None:
    lwa_port, gateway_port = free_port(), free_port()
    with _stack(lwa_port, gateway_port) as stack:
        result = _simulate(stack, lwa_port, gateway_port,
                           "link => Alexa.Authorization.AcceptGrant.Response",
                           "discover => Alexa.Discovery.Discover.Response",
                           "say turn on the kitchen light => Alexa.Response",
                           "say dim the kitchen light to 30 percent => Alexa.Response",
                           "expire", "say is the kitchen light on => Alexa.StateReport",
                           "revoke", "say turn on the kitchen light => INVALID_AUTHORIZATION_CREDENTIAL")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "simulation passed: 8 steps" in result.stdout
    assert "[alexa app] My Lights needs you to link your account again" in result.stdout
    assert "refreshed the access token at the token URL" in result.stdout


def test_simulate_smarthome_fails_with_the_step_when_an_expectation_does_not_hold() -> None:
    lwa_port, gateway_port = free_port(), free_port()
    with _stack(lwa_port, gateway_port) as stack:
        result = _simulate(stack, lwa_port, gateway_port, "link", "discover",
                           "say turn on the kitchen light => INVALID_AUTHORIZATION_CREDENTIAL")
    assert result.returncode == 1
    assert "FAILED: step 3 (say turn on the kitchen light): expected INVALID_AUTHORIZATION_CREDENTIAL, got Alexa.Response" in result.stdout


class _SkillForgettingTheCorrelationToken:
    """A smart home skill that answers without echoing correlationToken (what Alexa discards)."""

    def invoke(self, envelope: dict) -> dict:
        header = envelope["directive"]["header"]
        return {"event": {"header": {"namespace": "Alexa", "name": "Response", "payloadVersion": "3",
                                     "messageId": header["messageId"] + "-answer"},
                          "endpoint": envelope["directive"].get("endpoint"), "payload": {}}}


def test_simulator_refuses_an_answer_that_does_not_echo_the_correlation_token() -> None:
    import pytest

    from alexa_linkcheck.simulator.errors import SimulatorError
    from alexa_linkcheck.simulator.linking import LinkingConfig, TokenSet
    from alexa_linkcheck.simulator.smarthome import SmartHomeSimulator

    config = LinkingConfig("http://127.0.0.1:9/a", "http://127.0.0.1:9/t", "c", "s", "V")
    alexa = SmartHomeSimulator(_SkillForgettingTheCorrelationToken(), config, "u", "p", lwa=None,  # type: ignore[arg-type]
                               gateway=None, emit=lambda line: None)  # type: ignore[arg-type]
    alexa.tokens = TokenSet("token")
    alexa.devices = {"kitchen light": "kitchen-light"}
    with pytest.raises(SimulatorError, match="correlationToken not echoed"):
        alexa.say("turn on the kitchen light")
