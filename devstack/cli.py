"""Command line of the development stack: `python -m devstack demo|run` (wiring only)."""
from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType
from typing import Sequence

from .demo import DEFAULT_DIALOG, run_demo


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run `demo` or `run`; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="start the stack in a temp folder, play the scripted dialog, stop")
    demo.add_argument("--dialog", type=Path, default=DEFAULT_DIALOG, help="dialog file (default: the Ride Hailer story)")
    demo.add_argument("--keep", action="store_true", help="keep the temp folder (database, logs) after a passing run")
    commands.add_parser("demo-smarthome", help="My Lights: link + AcceptGrant, discover, lights, events, revocation")
    run = commands.add_parser("run", help="keep the service and the skill's web host up until Ctrl-C")
    run.add_argument("--service-port", type=int, default=5000, help="port of the Ride Hailer service (default 5000)")
    run.add_argument("--skill-port", type=int, default=5100, help="port of the skill's web host (default 5100)")
    run.add_argument("--state-dir", type=Path, default=None, help="database, secrets and logs (default instance/devstack)")
    outbox = commands.add_parser("outbox", help="print the mail queued by the `make run` service (reset links)")
    outbox.add_argument("--state-dir", type=Path, default=None, help="the state folder of `make run` (default instance/devstack)")
    args = parser.parse_args(argv)
    # SIGTERM (and SIGINT even where a shell started us with it ignored) unwind through the
    # `finally` blocks that stop the servers, like Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.command == "demo-smarthome":
        from .smarthome import run_smarthome_demo

        return run_smarthome_demo()
    if args.command == "demo":
        return run_demo(args.dialog, keep=args.keep)
    if args.command == "outbox":
        from .run import show_outbox

        return show_outbox(args.state_dir)
    from .run import run_stack

    return run_stack(args.state_dir, args.service_port, args.skill_port)
