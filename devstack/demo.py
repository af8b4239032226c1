"""`make demo`: a fresh stack in a temp folder, the scripted dialog through `alexa-linkcheck simulate`, then stop.

Exit status: the simulator's (0 every step happened as the dialog says, 1 a step or an
expectation failed, 2 a bad dialog file), or 1 when the stack could not start.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from alexa_linkcheck.simulator.errors import SimulatorError
from alexa_linkcheck.simulator.script import load_script

from .database import DEMO_SKILL_ID, DemoAccounts, initialise_database
from .errors import DevStackError
from .stack import ROOT, DevStack, StackConfig

#: The story of issue 6 (docs/demo.md walks through it).
DEFAULT_DIALOG = ROOT / "tool" / "alexa_linkcheck" / "simulator" / "dialogs" / "ride_hailer_demo.dialog"
EXIT_STACK_FAILED = 1
#: The simulator's status for a bad dialog file (docs/simulator.md).
EXIT_BAD_DIALOG = 2


def simulate_command(stack: DevStack, accounts: DemoAccounts, dialog: Path | None) -> list[str]:
    """The `alexa-linkcheck simulate` command line that plays Alexa against the stack."""
    assert stack.signing is not None
    command = [sys.executable, "-m", "alexa_linkcheck", "simulate"]
    if dialog is not None:
        command.append(str(dialog))
    return command + [
        "--project", str(ROOT),
        "--url", stack.skill_url,
        "--sign-key", str(stack.signing.key_pem),
        "--cert-url", stack.signing.cert_url,
        "--skill-id", DEMO_SKILL_ID,
        "--vendor-id", accounts.vendor_id,
        "--client-id", accounts.client_id,
        "--scheme", accounts.scheme,
        "--authorization-url", stack.service_url + "/oauth/authorize",
        "--token-url", stack.service_url + "/oauth/token",
        "--revocation-url", stack.service_url + "/oauth/revoke",
        "--username", accounts.email,
    ]


def simulator_environ(accounts: DemoAccounts) -> dict[str, str]:
    """The simulator's environment: the secrets travel only here, never on the command line."""
    return {**os.environ, "LINKCHECK_CLIENT_SECRET": accounts.client_secret,
            "LINKCHECK_PASSWORD": accounts.password, "PYTHONUNBUFFERED": "1"}


def _play(command: list[str], environ: dict[str, str], out: TextIO) -> int:
    with subprocess.Popen(command, env=environ, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8") as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                out.write(line)
                out.flush()
        except BaseException:  # Ctrl-C or SIGTERM: do not wait for the rest of the dialog
            process.kill()
            raise
        return process.wait()


def run_demo(dialog: Path = DEFAULT_DIALOG, out: TextIO | None = None, *, keep: bool = False) -> int:
    """Run the whole demo; return its exit status."""
    out = out or sys.stdout
    try:
        load_script(dialog)  # a bad line is reported before any server starts
    except SimulatorError as error:
        out.write(f"make demo: bad dialog {dialog}: {error}\n")
        return EXIT_BAD_DIALOG
    state_dir = Path(tempfile.mkdtemp(prefix="ride-hailer-demo-"))
    status = EXIT_STACK_FAILED
    stack: DevStack | None = None
    try:
        def say(line: str) -> None:
            out.write(line + "\n")
            out.flush()

        say(f"make demo: a fresh stack in {state_dir}")
        database_url = f"sqlite:///{state_dir / 'ride_hailer.sqlite'}"
        service_key = secrets.token_hex(32)
        accounts = initialise_database(database_url, service_key, secrets.token_urlsafe(18),
                                       state_dir / "init-db.log")
        say(f"  database: SQLite, migrated; user {accounts.email}, Alexa client {accounts.client_id!r} "
            f"({accounts.scheme}, vendor id {accounts.vendor_id})")
        stack = DevStack(StackConfig(
            state_dir=state_dir, database_url=database_url, service_secret_key=service_key, skill_id=DEMO_SKILL_ID)).start()
        say(f"  Ride Hailer service (gunicorn): {stack.service_url}")
        say(f"  skill web host (gunicorn, verifying signatures against a throw-away root): {stack.skill_url}")
        say(f"  alexa-linkcheck simulate plays Alexa with signed requests; dialog: {_shown(dialog)}")
        say("")
        status = _play(simulate_command(stack, accounts, dialog), simulator_environ(accounts), out)
        say("")
        if status == 0:
            say("make demo: every step happened as the dialog says.")
        else:
            say(f"make demo: FAILED (simulator exit status {status}); the line starting FAILED names the step.")
    except DevStackError as error:
        out.write(f"make demo: FAILED: {error}\n")
    except KeyboardInterrupt:
        out.write("\nmake demo: interrupted\n")
        status = 130
    finally:
        if stack is not None:
            stack.stop()
        if status == 0 and not keep:
            shutil.rmtree(state_dir, ignore_errors=True)
        else:
            logs = ", ".join(str(path) for path in (stack.log_paths() if stack else []))
            out.write(f"make demo: servers stopped; kept {state_dir}" + (f" (server logs: {logs})" if logs else "") + "\n")
        out.flush()
    return status


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
