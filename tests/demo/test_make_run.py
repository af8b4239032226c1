"""`make run`: both servers up until Ctrl-C, usable with the printed `alexa-linkcheck simulate` line."""
from __future__ import annotations

import datetime
import json

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import requests

from devstack.database import DEMO_SKILL_ID
from devstack.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
#: Generous bound so a hang fails the test instead of blocking the suite.
START_TIMEOUT = 120


class RunningStack:
    """`python -m devstack run` in a subprocess, with what it printed up to 'Ctrl-C stops'."""

    def __init__(self, state_dir: Path, service_port: int, skill_port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "run", "--state-dir", str(state_dir),
             "--service-port", str(service_port), "--skill-port", str(skill_port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._watchdog = threading.Timer(START_TIMEOUT, self.process.kill)
        self._watchdog.start()
        lines = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C stops"):
                break
        self.banner = "".join(lines)

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C: the exit status and the rest of the output."""
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=START_TIMEOUT)
        self._watchdog.cancel()
        return self.process.returncode, rest

    def simulate_command(self) -> list[str]:
        line = next(line for line in self.banner.splitlines() if "alexa-linkcheck simulate" in line)
        return shlex.split(line)


def credentials(state_dir: Path) -> dict[str, str]:
    values = {}
    for line in (state_dir / "credentials.env").read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            values[key] = shlex.split(value)[0]
    return values


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_make_run_serves_both_until_ctrl_c_and_the_printed_simulate_line_links_and_orders(tmp_path: Path) -> None:
    service_port, skill_port = free_port(), free_port()
    stack = RunningStack(tmp_path / "state", service_port, skill_port)
    try:
        assert f"http://127.0.0.1:{service_port}" in stack.banner, stack.banner
        assert f"http://127.0.0.1:{skill_port}/alexa" in stack.banner
        assert "credentials.env" in stack.banner
        secrets = credentials(tmp_path / "state")
        assert secrets["LINKCHECK_CLIENT_SECRET"] not in stack.banner
        assert secrets["LINKCHECK_PASSWORD"] not in stack.banner
        assert (tmp_path / "state" / "credentials.env").stat().st_mode & 0o077 == 0
        metadata = requests.get(f"http://127.0.0.1:{service_port}/.well-known/oauth-authorization-server", timeout=10)
        assert metadata.json()["token_endpoint"].endswith("/oauth/token")
        envelope = json.loads((ROOT / "tests" / "webservice" / "fixtures" / "launch_request.json").read_text())
        # Fresh and for this skill, so the refusal is about the missing signature (checked last).
        envelope["request"]["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for holder in (envelope["session"], envelope["context"]["System"]):
            holder["application"]["applicationId"] = DEMO_SKILL_ID
        launch = json.dumps(envelope).encode()
        unsigned = requests.post(f"http://127.0.0.1:{skill_port}/alexa", data=launch,
                                 headers={"Content-Type": "application/json"}, timeout=10)
        assert unsigned.status_code == 400
        assert unsigned.json()["error"] == "missing_signature_header"

        command = stack.simulate_command()
        assert command[0] == ".venv/bin/alexa-linkcheck"
        played = subprocess.run(
            [sys.executable, "-m", "alexa_linkcheck", *command[1:]], cwd=ROOT, env={**os.environ, **secrets},
            input="order a ride to the airport\n:link\norder a ride to the airport\n:quit\n",
            capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
        assert played.returncode == 0, played.stdout + played.stderr
        assert "[card] LinkAccount" in played.stdout
        assert "account linked for rider@example.com" in played.stdout
        assert "Your ride to the airport is booked" in played.stdout

        # The printed authorization URL opens the login page (not "Cannot continue").
        url = next(line.strip() for line in stack.banner.splitlines()
                   if line.strip().startswith(f"http://127.0.0.1:{service_port}/oauth/authorize?"))
        page = requests.get(url, timeout=10)
        assert page.status_code == 200, page.text[:500]
        assert 'name="password"' in page.text and "Cannot continue" not in page.text

        # The printed outbox command works without any other setting.
        outbox = subprocess.run([sys.executable, "-m", "devstack", "outbox", "--state-dir", str(tmp_path / "state")],
                                cwd=ROOT, capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
        assert outbox.returncode == 0, outbox.stdout + outbox.stderr
        assert f".venv/bin/python -m devstack outbox --state-dir {tmp_path / 'state'}" in stack.banner

        # The printed probe line passes against the running service.
        probe_line = next(line for line in stack.banner.splitlines() if "alexa-linkcheck server" in line)
        probe = shlex.split(probe_line)
        assert probe[0] == ".venv/bin/alexa-linkcheck" and "--vendor-id" in probe
        probed = subprocess.run([sys.executable, "-m", "alexa_linkcheck", *probe[1:]], cwd=ROOT,
                                env={**os.environ, **secrets}, capture_output=True, text=True,
                                timeout=START_TIMEOUT, check=False)
        assert probed.returncode == 0, probed.stdout + probed.stderr
    finally:
        status, rest = stack.interrupt()
    assert status == 0, rest
    assert "make run: stopping" in rest
    assert not listening(service_port) and not listening(skill_port)


def test_make_run_keeps_its_database_and_credentials_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = RunningStack(state, free_port(), free_port())
    assert first.interrupt()[0] == 0
    before = (state / "credentials.env").read_text()
    second = RunningStack(state, free_port(), free_port())
    try:
        assert "Ctrl-C stops" in second.banner, second.banner
        assert (state / "credentials.env").read_text() == before
    finally:
        assert second.interrupt()[0] == 0


def test_make_run_on_a_busy_port_exits_1_naming_the_port_and_the_make_option(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "devstack", "run", "--state-dir", str(tmp_path / "state"),
             "--service-port", str(port), "--skill-port", str(free_port())],
            cwd=ROOT, capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"make run: FAILED: port {port} on 127.0.0.1 is taken by another process" in result.stdout
    assert f"SERVICE_PORT={port + 1}" in result.stdout


def test_make_run_never_prints_the_ready_banner_when_another_http_server_holds_its_port(tmp_path: Path) -> None:
    import http.server

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        port = other.server_address[1]
        result = subprocess.run(
            [sys.executable, "-m", "devstack", "run", "--state-dir", str(tmp_path / "state"),
             "--service-port", str(free_port()), "--skill-port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
    finally:
        other.shutdown()
        other.server_close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Ctrl-C stops" not in result.stdout
    assert f"port {port} on 127.0.0.1 is taken by another process, so the skill's web host cannot start" in result.stdout
