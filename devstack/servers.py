"""Local servers shared by tests, bench and the development stack: ports, gunicorn, the chain server.

The one home of this infrastructure (docs/ARCHITECTURE.md): tests, bench and ``devstack``
import it from here; nothing reaches into ``tests/``.

- :func:`free_port`: a port on 127.0.0.1 nobody listens on right now.
- :class:`GunicornServer`: a WSGI app under gunicorn on 127.0.0.1, in its own process
  group, output to a log file, ready once a path answers; started and stopped by its own pid.
- :class:`ChainServer`: serves PEM signing chains by path from a thread of this process
  (what ``ALEXA_CERT_FETCH_URL_OVERRIDE`` points a web host at), counting downloads.
- :class:`StallingServer`: accepts TCP connections and never answers (a server that hangs).
"""
from __future__ import annotations

import collections
import http.server
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Callable, Mapping, Sequence

import requests

from .errors import ServerStartError

#: The project root (ask-resources.json, lambda/, webhost/, ride_hailer_service/).
ROOT = Path(__file__).resolve().parent.parent
#: Seconds a server gets to answer its first request, and to stop after SIGTERM.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
#: gunicorn's worker settings unless a caller gives its own: one sync-thread worker, 4 threads.
DEFAULT_WORKER_ARGS: tuple[str, ...] = ("--workers", "1", "--threads", "4")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def any_answer(status: int) -> bool:
    """Readiness: the server answered HTTP at all (a 404 or 405 still means it is up)."""
    return True


def ok_answer(status: int) -> bool:
    """Readiness: the server answered with a success (2xx or 3xx)."""
    return status < 400


def not_a_server_error(status: int) -> bool:
    """Readiness: the server answered below 500."""
    return status < 500


class GunicornServer:
    """``gunicorn <worker args> <app>`` on 127.0.0.1 in its own process group, output to a log file.

    ``environ`` is the whole environment of the server (callers build it, e.g. from
    ``os.environ`` or a cleaned copy); ``log_path`` None logs to a temporary file.
    """

    def __init__(self, app: str, *, name: str = "gunicorn", port: int = 0, chdir: Path = ROOT,
                 environ: Mapping[str, str] | None = None, worker_args: Sequence[str] = DEFAULT_WORKER_ARGS,
                 extra_args: Sequence[str] = (), log_path: Path | None = None, ready_path: str = "/",
                 ready: Callable[[int], bool] = any_answer) -> None:
        self.app = app
        self.name = name
        self.port = port
        self.chdir = chdir
        self.environ = dict(os.environ if environ is None else environ)
        self.worker_args = list(worker_args)
        self.extra_args = list(extra_args)
        self.log_path = log_path
        self.ready_path = ready_path
        self.ready = ready
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = START_TIMEOUT) -> "GunicornServer":
        """Start gunicorn (on a free port unless one was given) and wait until it is ready."""
        self.spawn()
        self.wait_ready(timeout)
        return self

    def spawn(self) -> "GunicornServer":
        """Start gunicorn without waiting (``wait_ready`` waits)."""
        self.port = self.port or free_port()
        if self.log_path is None:
            self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        else:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        command = [
            sys.executable, "-m", "gunicorn", "--chdir", str(self.chdir), *self.worker_args,
            "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "3", "--log-level", "warning",
            *self.extra_args, self.app,
        ]
        # Output to a file, not a pipe nobody reads: a chatty server would block on a full pipe.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.environ, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Return once ``ready_path`` answers as ``ready`` wants; raise ServerStartError with the log otherwise."""
        assert self.process is not None, "spawn() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"{self.name} exited with status {self.process.returncode}{self._where()}")
            try:
                answer = requests.get(self.url + self.ready_path, timeout=2.0, allow_redirects=False)
                if self.ready(answer.status_code):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerStartError(f"{self.name} did not answer on {self.url} within {timeout:.0f} s{self._where()}")

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (arbiter and workers), as a crash would."""
        assert self.process is not None
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers; close the log."""
        try:
            if self.process is not None and self.process.poll() is None:
                _signal_group(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _signal_group(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=STOP_TIMEOUT)
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None

    def log(self) -> str:
        """What gunicorn and the app wrote so far."""
        if self.log_path is not None:
            return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def _where(self) -> str:
        if self.log_path is not None:
            return f"; log: {self.log_path}"
        return f"; its output:\n{self.log()[-2000:]}"

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)  # start_new_session: the group id is the server's pid
    except ProcessLookupError:
        pass


class ChainServer:
    """A real HTTP server on 127.0.0.1 serving PEM chains by path from a thread, counting downloads.

    ``routes`` maps a path (``/echo.api/<name>.pem``) to the PEM bytes it serves; other
    paths answer 404. ``hits`` counts requests per path.
    """

    def __init__(self, routes: Mapping[str, bytes] | None = None) -> None:
        self.routes: dict[str, bytes] = dict(routes or {})
        self.hits: collections.Counter[str] = collections.Counter()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                outer.hits[self.path] += 1
                body = outer.routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet: tests and the demo transcript are what people read."""

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="chain-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """What ``ALEXA_CERT_FETCH_URL_OVERRIDE`` is set to."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=STOP_TIMEOUT)


class StallingServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (a server that hangs)."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="stalling-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:  # the accept timeout: look at the stop flag again
                continue
            self._held.append(connection)

    def clients_closed(self, wait: float = 10.0) -> bool:
        """True when every held connection was closed by its client (a read reaches EOF)."""
        if not self._held:
            return False
        for connection in list(self._held):
            connection.settimeout(wait)
            try:
                while connection.recv(4096):
                    pass
            except OSError:  # a timeout: the client still holds the connection open
                return False
        return True

    def close(self) -> None:
        """Stop accepting and drop every held connection."""
        self._stopped.set()
        self._thread.join(timeout=STOP_TIMEOUT)
        for connection in self._held:
            connection.close()
        self._listener.close()
