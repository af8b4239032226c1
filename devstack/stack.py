"""The development stack: the Ride Hailer service and the skill's web host as real server processes.

Both run under gunicorn on 127.0.0.1, each in its own process group with its output in a
log file. The web host runs in its documented development configuration: it trusts a
throw-away root (ALEXA_EXTRA_TRUST_ANCHORS_FILE) and downloads the signing chain from a
small HTTP server of this process (ALEXA_CERT_FETCH_URL_OVERRIDE), so requests signed with
the throw-away key pass the same verification as Alexa's.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from types import TracebackType
from typing import Mapping

from alexa_linkcheck.simulator.signing import make_alexa_like_chain

from .servers import ROOT, ChainServer, GunicornServer, free_port

__all__ = ["ROOT", "DevStack", "SigningFiles", "StackConfig", "clean_environ", "free_port", "write_private"]

#: Where Alexa publishes signing chains (docs/webservice.md, "chain URL" rule); the host
#: downloads ``https://s3.amazonaws.com/echo.api/<name>`` from the override URL instead.
CHAIN_URL_BASE = "https://s3.amazonaws.com"
CHAIN_PATH = "/echo.api/devstack-signing.pem"
#: Settings from the caller's shell that must not leak into the stack's servers (their own
#: values are set explicitly; a PROFILE_PROVIDER=lwa left in a shell would change the story).
ISOLATED_PREFIXES = ("RIDE_HAILER_", "WEBSERVICE_", "ALEXA_", "LINKCHECK_")
ISOLATED_SETTINGS = frozenset({"SKILL_ID", "PROFILE_PROVIDER", "LWA_PROFILE_URL", "LINKING_CACHE_TTL",
                               "RESOURCE_TIMEOUT"})


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
        self.service: GunicornServer | None = None
        self.skill: GunicornServer | None = None
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
        return [server.log_path for server in (self.service, self.skill)
                if server is not None and server.log_path is not None]

    def start(self) -> "DevStack":
        """Start everything and wait until both servers answer (stops what started on failure)."""
        config = self.config
        try:
            self.signing = SigningFiles.create(config.state_dir / "pki")
            self._chain = ChainServer({CHAIN_PATH: self.signing.chain_pem})
            base_env = clean_environ()
            service_port = config.service_port or free_port()
            service_env = {
                **base_env,
                "RIDE_HAILER_DATABASE_URL": config.database_url,
                "RIDE_HAILER_SECRET_KEY": config.service_secret_key,
                "RIDE_HAILER_ISSUER": f"http://127.0.0.1:{service_port}",
            }
            self.service = GunicornServer(
                "ride_hailer_service:create_app()", name="the Ride Hailer service", port=service_port,
                chdir=ROOT, environ=service_env, log_path=config.state_dir / "service.log",
                ready_path="/.well-known/oauth-authorization-server").spawn()
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
            self.skill = GunicornServer(
                "webservice:create_app()", name="the skill's web host", port=config.skill_port or free_port(),
                chdir=ROOT / "webhost", environ=skill_env, log_path=config.state_dir / "skill.log",
                ready_path="/alexa").spawn()
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
