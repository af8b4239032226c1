"""`make run`: the service and the skill's web host on fixed ports until Ctrl-C, state kept between runs.

The state folder (default instance/devstack, git-ignored) holds the SQLite database, the
service's secret key, `credentials.env` (the demo user's password and the Alexa client
secret, mode 0600, for `source`), the throw-away signing identity and the server logs.
"""
from __future__ import annotations

import secrets
import shlex
import socket
import sys
import time
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, urlencode

from .database import DEMO_SKILL_ID, DemoAccounts, initialise_database
from .demo import simulate_command
from .errors import DevStackError, StateError
from .stack import ROOT, DevStack, StackConfig, write_private

DEFAULT_STATE_DIR = ROOT / "instance" / "devstack"
CREDENTIALS_FILE = "credentials.env"
SECRET_KEY_FILE = "service-secret-key"
DATABASE_FILE = "ride_hailer.sqlite"


def _read_credentials(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            values[key] = shlex.split(value)[0] if value else ""
    return values


def prepare_state(state_dir: Path) -> tuple[str, str, DemoAccounts]:
    """Database URL, service secret key and accounts; a new database when none is complete."""
    state_dir.mkdir(parents=True, exist_ok=True)
    database = state_dir / DATABASE_FILE
    credentials = state_dir / CREDENTIALS_FILE
    key_file = state_dir / SECRET_KEY_FILE
    database_url = f"sqlite:///{database}"
    if database.exists() and credentials.exists() and key_file.exists():
        values = _read_credentials(credentials)
        try:
            accounts = DemoAccounts(values["LINKCHECK_USERNAME"], values["LINKCHECK_PASSWORD"], values["LINKCHECK_CLIENT_ID"],
                                    values["LINKCHECK_CLIENT_SECRET"], values["LINKCHECK_VENDOR_ID"], values["LINKCHECK_SCHEME"])
        except KeyError as error:
            raise StateError(f"{credentials} lacks {error.args[0]}; delete {state_dir} to start afresh") from None
        return database_url, key_file.read_text(encoding="utf-8").strip(), accounts
    for stale in (database, credentials, key_file):
        stale.unlink(missing_ok=True)
    secret_key = secrets.token_hex(32)
    write_private(key_file, secret_key + "\n")
    accounts = initialise_database(database_url, secret_key, secrets.token_urlsafe(18), state_dir / "init-db.log")
    lines = [
        "# make run: local demo credentials (throw-away; never commit). Use: source this file",
        f"export LINKCHECK_USERNAME={shlex.quote(accounts.email)}",
        f"export LINKCHECK_PASSWORD={shlex.quote(accounts.password)}",
        f"export LINKCHECK_CLIENT_ID={shlex.quote(accounts.client_id)}",
        f"export LINKCHECK_CLIENT_SECRET={shlex.quote(accounts.client_secret)}",
        f"export LINKCHECK_VENDOR_ID={shlex.quote(accounts.vendor_id)}",
        f"export LINKCHECK_SCHEME={shlex.quote(accounts.scheme)}",
        f"export SKILL_ID={shlex.quote(DEMO_SKILL_ID)}",
    ]
    write_private(credentials, "\n".join(lines) + "\n")
    return database_url, secret_key, accounts


#: The scopes of the Ride Hailer skill's accountLinking.json.
SCOPES = "profile rides:read rides:write"


def check_port_free(port: int, what: str, option: str) -> None:
    """Raise DevStackError when something already listens on 127.0.0.1:``port``."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise DevStackError(
                f"port {port} on 127.0.0.1 is taken by another process, so {what} cannot start there; "
                f"stop that process or pick another port: make run {option}={port + 1}") from None


def authorization_url(service_url: str, accounts: DemoAccounts) -> str:
    """The URL the Alexa app opens to link (North America redirect URL, fresh state)."""
    query = urlencode({
        "client_id": accounts.client_id,
        "redirect_uri": f"https://pitangui.amazon.com/api/skill/link/{accounts.vendor_id}",
        "response_type": "code",
        "scope": SCOPES,
        "state": secrets.token_urlsafe(12),
    }, quote_via=quote)  # spaces as %20, as the Alexa app sends them
    return f"{service_url}/oauth/authorize?{query}"


def server_probe_command(service_url: str, accounts: DemoAccounts) -> str:
    """The `alexa-linkcheck server` line that probes the running service as Alexa would."""
    return " ".join([
        ".venv/bin/alexa-linkcheck", "server",
        "--authorization-url", f"{service_url}/oauth/authorize",
        "--token-url", f"{service_url}/oauth/token",
        "--client-id", shlex.quote(accounts.client_id), "--scheme", accounts.scheme,
        "--scope", shlex.quote(SCOPES), "--username", shlex.quote(accounts.email),
        "--vendor-id", shlex.quote(accounts.vendor_id),
    ])


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run_stack(state_dir: Path | None, service_port: int, skill_port: int, out: TextIO | None = None) -> int:
    """Start both servers, print how to use them, wait for Ctrl-C; return the exit status."""
    out = out or sys.stdout
    state_dir = (state_dir or DEFAULT_STATE_DIR).resolve()
    stack: DevStack | None = None
    try:
        check_port_free(service_port, "the Ride Hailer service", "SERVICE_PORT")
        check_port_free(skill_port, "the skill's web host", "SKILL_PORT")
        database_url, secret_key, accounts = prepare_state(state_dir)
        stack = DevStack(StackConfig(state_dir=state_dir, database_url=database_url, service_secret_key=secret_key,
                                     skill_id=DEMO_SKILL_ID, service_port=service_port, skill_port=skill_port)).start()
        command = simulate_command(stack, accounts, None)
        command[:3] = [".venv/bin/alexa-linkcheck"]
        shown = " ".join(shlex.quote(part if not part.startswith(str(ROOT)) else _relative(Path(part)))
                         for part in command)
        credentials = _relative(state_dir / CREDENTIALS_FILE)
        outbox_option = "" if state_dir == DEFAULT_STATE_DIR.resolve() else f" --state-dir {shlex.quote(_relative(state_dir))}"
        out.write(
            f"Ride Hailer service:  {stack.service_url}\n"
            f"skill web host:       {stack.skill_url}  (RIDE_HAILER_API_URL={stack.service_url}, signed requests only)\n"
            f"demo user:            {accounts.email}\n"
            f"Alexa client:         client id {accounts.client_id}, {accounts.scheme}, vendor id {accounts.vendor_id}, "
            f"skill id {DEMO_SKILL_ID}\n"
            f"password and client secret: {credentials} (source it)\n"
            f"logs:                 {', '.join(_relative(p) for p in stack.log_paths())}\n\n"
            f"Talk to the skill (type utterances; :link, :advance 3600, :revoke, :tokens, :help):\n"
            f"  source {credentials}\n  {shown}\n\n"
            f"The login page as the Alexa app opens it (sign in as {accounts.email}; after Allow the browser\n"
            f"goes to pitangui.amazon.com with the code, which fails offline: the code is in the address bar):\n"
            f"  {authorization_url(stack.service_url, accounts)}\n\n"
            f"Probe the authorization server the way Alexa calls it:\n"
            f"  source {credentials}\n  {server_probe_command(stack.service_url, accounts)}\n\n"
            f"Mail the service would send (password resets; no SMTP here):\n"
            f"  .venv/bin/python -m devstack outbox{outbox_option}\n\n"
            "Ctrl-C stops both servers.\n")
        out.flush()
        while stack.service is not None and stack.skill is not None and stack.service.alive() and stack.skill.alive():
            time.sleep(0.5)
        out.write(f"make run: a server exited; logs: {', '.join(str(p) for p in stack.log_paths())}\n")
        return 1
    except DevStackError as error:
        out.write(f"make run: FAILED: {error}\n")
        return 1
    except KeyboardInterrupt:
        out.write("\nmake run: stopping\n")
        return 0
    finally:
        if stack is not None:
            stack.stop()


def show_outbox(state_dir: Path | None, out: TextIO | None = None) -> int:
    """Print the mail queued in the `make run` database (the service's `show-outbox`)."""
    import os
    import subprocess

    out = out or sys.stdout
    state_dir = (state_dir or DEFAULT_STATE_DIR).resolve()
    database = state_dir / DATABASE_FILE
    key_file = state_dir / SECRET_KEY_FILE
    if not database.exists() or not key_file.exists():
        out.write(f"no `make run` state in {_relative(state_dir)}: start `make run` first\n")
        return 1
    env = {**os.environ, "RIDE_HAILER_DATABASE_URL": f"sqlite:///{database}",
           "RIDE_HAILER_SECRET_KEY": key_file.read_text(encoding="utf-8").strip(),
           # Mail is printed as queued; the issuer only shapes links made when mail is queued.
           "RIDE_HAILER_ISSUER": os.environ.get("RIDE_HAILER_ISSUER", "http://127.0.0.1")}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "ride_hailer_service", "show-outbox"],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    out.write(done.stdout)
    if done.returncode != 0:
        out.write(done.stderr)
    return done.returncode
