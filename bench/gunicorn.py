"""gunicorn on 127.0.0.1 as a subprocess (started here, stopped by its own pid)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

import requests

from bench.common import ROOT

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """``gunicorn <worker args> <app>`` on a free port; ready once ``ready_path`` answers."""

    def __init__(self, app: str, worker_args: Sequence[str], environ: Mapping[str, str],
                 ready_path: str, *, any_status: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.worker_args = list(worker_args)
        env = {**os.environ, **environ}
        # stderr to a file, not a pipe nobody reads: a chatty server would block on a full pipe.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [GUNICORN, *self.worker_args, "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.tail()}")
            try:
                answer = requests.get(self.url + ready_path, timeout=1)
                if any_status or answer.ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL after 20 s."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def tail(self) -> str:
        """The last 2 000 characters the server wrote to stderr."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]
