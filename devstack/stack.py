"""The development stack: the Ride Hailer service and the skill's web host as real server processes.

Both run under gunicorn on 127.0.0.1, each in its own process group with its output in a
log file. The web host runs in its documented development configuration: it trusts a
throw-away root (ALEXA_EXTRA_TRUST_ANCHORS_FILE) and downloads the signing chain from a
small HTTP server of this process (ALEXA_CERT_FETCH_URL_OVERRIDE), so requests signed with
the throw-away key pass the same verification as Alexa's.
"""
from __future__ import annotations

import dataclasses
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Mapping

import requests

from alexa_linkcheck.simulator.signing import make_alexa_like_chain

from .errors import ServerStartError

#: The project root (ask-resources.json, lambda/, skill-package/).
ROOT = Path(__file__).resolve().parent.parent
#: Where Alexa publishes signing chains (docs/webservice.md, "chain URL" rule); the host
#: downloads ``https://s3.amazonaws.com/echo.api/<name>`` from the override URL instead.
CHAIN_URL_BASE = "https://s3.amazonaws.com"
CHAIN_PATH = "/echo.api/devstack-signing.pem"
#: Settings from the caller's shell that must not leak into the stack's servers (their own
#: values are set explicitly; a PROFILE_PROVIDER=lwa left in a shell would change the story).
ISOLATED_PREFIXES = ("RIDE_HAILER_", "WEBSERVICE_", "ALEXA_", "LINKCHECK_")
ISOLATED_SETTINGS = frozenset({"SKILL_ID", "PROFILE_PROVIDER", "LWA_PROFILE_URL", "LINKING_CACHE_TTL",
                               "RESOURCE_TIMEOUT"})
#: Seconds a server gets to answer its first request, and to stop after SIGTERM.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environ() -> dict[str, str]:
    """This process's environment without the settings the stack sets itself."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(ISOLATED_PREFIXES) and key not in ISOLATED_SETTINGS}


def write_private(path: Path, data: bytes | str) -> Path:
    """Write a file only the owner can read (keys, secrets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@dataclasses.dataclass(frozen=True)
class SigningFiles:
    """A throw-away Alexa-like signing identity written to disk."""

    root_pem: Path
    chain_pem: bytes
    key_pem: Path
    cert_url: str

    @classmethod
    def create(cls, folder: Path) -> "SigningFiles":
        """Make a root, an intermediate and an Alexa-like signing certificate in ``folder``."""
        root, identity = make_alexa_like_chain()
        folder.mkdir(parents=True, exist_ok=True)
        root_path = folder / "root.pem"
        root_path.write_bytes(root.pem)
        key_path = write_private(folder / "signing-key.pem", identity.key_pem)
        return cls(root_path, identity.chain_pem, key_path, CHAIN_URL_BASE + CHAIN_PATH)


class ChainServer:
    """Serves the signing chain at CHAIN_PATH on 127.0.0.1 from a thread of this process."""

    def __init__(self, chain_pem: bytes) -> None:
        body = chain_pem

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path != CHAIN_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet: the transcript is what the user reads."""

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="chain-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=STOP_TIMEOUT)


class ServerProcess:
    """A gunicorn server in its own process group, output to a log file."""

    def __init__(self, name: str, app: str, port: int, *, chdir: Path, environ: Mapping[str, str],
                 log_path: Path, ready_path: str) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._ready_path = ready_path
        self._log: IO[bytes] = open(log_path, "ab")  # noqa: SIM115 (closed in stop)
        command = [
            sys.executable, "-m", "gunicorn", "--chdir", str(chdir), "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", "4", "--graceful-timeout", "3", "--log-level", "warning", app,
        ]
        self._process = subprocess.Popen(
            command, env=dict(environ), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Return when the server answers HTTP; raise ServerStartError naming the log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerStartError(f"{self.name} exited with status {self._process.returncode}; log: {self.log_path}")
            try:
                requests.get(self.url + self._ready_path, timeout=1.0, allow_redirects=False)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise ServerStartError(f"{self.name} did not answer on {self.url} within {timeout:.0f} s; log: {self.log_path}")

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self._process.poll() is None

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers; close the log."""
        try:
            if self._process.poll() is None:
                _signal_group(self._process.pid, signal.SIGTERM)
                try:
                    self._process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _signal_group(self._process.pid, signal.SIGKILL)
                    self._process.wait(timeout=STOP_TIMEOUT)
        finally:
            self._log.close()


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)  # start_new_session: the group id is the server's pid
    except ProcessLookupError:
        pass


@dataclasses.dataclass(frozen=True)
class StackConfig:
    """Where and how the two servers run."""

    state_dir: Path
    database_url: str
    service_secret_key: str
    skill_id: str
    service_port: int = 0
    skill_port: int = 0
    #: extra environment for the skill's web host (e.g. LINKING_CACHE_TTL); empty keeps its defaults
    skill_environ: Mapping[str, str] = dataclasses.field(default_factory=dict)


class DevStack:
    """Starts the chain server, the service and the web host; stops all of them on exit."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.signing: SigningFiles | None = None
        self.service: ServerProcess | None = None
        self.skill: ServerProcess | None = None
        self._chain: ChainServer | None = None

    @property
    def skill_url(self) -> str:
        """The web host's Alexa endpoint."""
        assert self.skill is not None
        return self.skill.url + "/alexa"

    @property
    def service_url(self) -> str:
        """The service's base URL (authorization server and resource API)."""
        assert self.service is not None
        return self.service.url

    def log_paths(self) -> list[Path]:
        """Log files of the servers started so far."""
        return [server.log_path for server in (self.service, self.skill) if server is not None]

    def start(self) -> "DevStack":
        """Start everything and wait until both servers answer (stops what started on failure)."""
        config = self.config
        try:
            self.signing = SigningFiles.create(config.state_dir / "pki")
            self._chain = ChainServer(self.signing.chain_pem)
            base_env = clean_environ()
            service_port = config.service_port or free_port()
            service_env = {
                **base_env,
                "RIDE_HAILER_DATABASE_URL": config.database_url,
                "RIDE_HAILER_SECRET_KEY": config.service_secret_key,
                "RIDE_HAILER_ISSUER": f"http://127.0.0.1:{service_port}",
            }
            self.service = ServerProcess(
                "the Ride Hailer service", "ride_hailer_service:create_app()", service_port,
                chdir=ROOT, environ=service_env, log_path=config.state_dir / "service.log",
                ready_path="/.well-known/oauth-authorization-server")
            skill_env = {
                **base_env,
                "RIDE_HAILER_API_URL": self.service.url,
                "SKILL_ID": config.skill_id,
                "WEBSERVICE_ENV": "development",
                "WEBSERVICE_VERIFY_REQUESTS": "true",
                "ALEXA_CERT_FETCH_URL_OVERRIDE": self._chain.url,
                "ALEXA_EXTRA_TRUST_ANCHORS_FILE": str(self.signing.root_pem),
                **config.skill_environ,
            }
            self.skill = ServerProcess(
                "the skill's web host", "webservice:create_app()", config.skill_port or free_port(),
                chdir=ROOT / "webhost", environ=skill_env, log_path=config.state_dir / "skill.log",
                ready_path="/alexa")
            self.service.wait_ready()
            self.skill.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop whatever runs, web host first."""
        for server in (self.skill, self.service):
            if server is not None:
                server.stop()
        if self._chain is not None:
            self._chain.close()
            self._chain = None

    def __enter__(self) -> "DevStack":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
