"""Command line of linkcheck: wiring only (argparse -> checks -> report -> exit status)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn, Sequence, cast

from alexa_linkcheck import constants as C
from alexa_linkcheck.errors import UsageError
from alexa_linkcheck.report import (
    checks_json, project_json, render_checks, render_project, usage_error_json,
)

COMMANDS = ("project", "server", "simulate")


def version() -> str:
    """The installed distribution's version (``alexa-linkcheck``), or "unknown" when not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("alexa-linkcheck")
    except PackageNotFoundError:
        return "unknown (not installed)"


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing and exiting.

    So that ``main`` reports every usage error the same way: plain text on stderr, or JSON on
    stdout under ``--json``, exit status 2, never a traceback. Subcommand parsers inherit it.
    """

    def error(self, message: str) -> NoReturn:
        """Turn argparse's complaint into a one-line UsageError pointing at the help."""
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subcommand per tool: ``project``, ``server``, ``simulate``."""
    parser = ArgumentParser(
        prog="alexa-linkcheck", description="Check Alexa account linking the way Alexa will.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  alexa-linkcheck project .                     check this ASK CLI project's linking setup
  alexa-linkcheck project path/to/skill --json  the same, machine-readable
  export LINKCHECK_CLIENT_SECRET=... LINKCHECK_PASSWORD=...
  alexa-linkcheck server --from skill-package/accountLinking.json \\
      --authorization-url http://127.0.0.1:5000/oauth/authorize \\
      --token-url http://127.0.0.1:5000/oauth/token --username rider@example.com \\
      --vendor-id M2AF8PLXUZ1ABC --html report.html
                                                probe an authorization server as Alexa calls it
  alexa-linkcheck simulate --project .          talk to the skill at a you> prompt (:help inside)
  alexa-linkcheck simulate dialog.txt           play a scripted dialog, exit 1 on a failed step
  alexa-linkcheck simulate-smarthome --help     the same for a smart home Lambda

exit status: 0 all good, 1 errors or failed checks, 2 unusable input (no traceback).
docs: docs/linkcheck.md, docs/simulator.md, docs/smarthome.md; `COMMAND --help` for each command.""")
    parser.add_argument("--version", action="version",
                        version=f"alexa-linkcheck {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    project = sub.add_parser(
        "project", help="static checks of an Alexa skill project (ASK CLI v2 or v1, or a "
                        "bare skill-package/)")
    project.add_argument("path", nargs="?", default=".", help="project root (default .)")
    project.add_argument("--profile", default="default", help="ask-resources.json profile")
    project.add_argument("--json", action="store_true", help="machine-readable output")
    project.set_defaults(run=run_project)

    server = sub.add_parser(
        "server", help="live probe of an OAuth 2.0 authorization server",
        description="Probe an OAuth 2.0 authorization server exactly as Alexa calls it: the "
                    "authorization page with Alexa's parameters (sign-in and consent walked like a "
                    "person), the redirect to each regional Alexa redirect URL, the code exchange "
                    "and refreshes with the skill's client authentication, then the failures "
                    "Alexa users meet. One line per check; exit 1 when a check fails. Secrets come "
                    "from the environment (LINKCHECK_CLIENT_SECRET, LINKCHECK_PASSWORD).",
        epilog="docs: docs/linkcheck.md")
    server.add_argument("--from", dest="from_file", type=Path,
                        help="read URLs, client id, scheme, scopes and grant from an "
                             "accountLinking.json (secret from --client-secret-env)")
    server.add_argument("--authorization-url", help="the authorization URI Alexa opens (or from --from)")
    server.add_argument("--token-url", help="the access token URI Alexa posts to (or from --from)")
    server.add_argument("--client-id", help="the skill's client id at the server (or from --from)")
    server.add_argument("--client-secret", help="prefer --client-secret-env: argv is visible")
    server.add_argument("--client-secret-env", default="LINKCHECK_CLIENT_SECRET",
                        help="environment variable holding the client secret "
                             "(default LINKCHECK_CLIENT_SECRET)")
    server.add_argument("--scheme", choices=C.SCHEMES,
                        help="client authentication at the token URL, as accessTokenScheme "
                             "(default: from --from, else HTTP_BASIC)")
    server.add_argument("--grant", choices=C.GRANTS,
                        help="AUTH_CODE or IMPLICIT (default: from --from, else AUTH_CODE)")
    server.add_argument("--scope", action="append", default=[],
                        help="repeatable, or one space-separated list")
    server.add_argument("--username", help="test user (default env LINKCHECK_USERNAME)")
    server.add_argument("--password", help="prefer env LINKCHECK_PASSWORD")
    server.add_argument("--password-env", default="LINKCHECK_PASSWORD",
                        help="environment variable holding the test user's password "
                             "(default LINKCHECK_PASSWORD)")
    server.add_argument("--redirect-url", help="Alexa redirect URL to send as redirect_uri "
                                               "(default: built from --vendor-id)")
    server.add_argument("--vendor-id", help=f"builds {C.PITANGUI_REDIRECT}")
    server.add_argument("--pkce", action="store_true",
                        help="send code_challenge (S256) and code_verifier, as Alexa does when "
                             "PKCE is switched on for the skill")
    server.add_argument("--token-deadline", type=float, default=C.TOKEN_DEADLINE_SECONDS,
                        help="seconds the token endpoint may take (Alexa: 4.5)")
    server.add_argument("--timeout", type=float, default=15.0,
                        help="seconds before any single HTTP call is abandoned")
    server.add_argument("--insecure", action="store_true",
                        help="do not verify TLS certificates (self-signed test servers)")
    server.add_argument("--consent-button", metavar="TEXT",
                        help="press the button whose caption contains TEXT on the consent page "
                             "(when the allow button cannot be guessed)")
    server.add_argument("--refresh-after", type=float, metavar="SECONDS",
                        help="wait SECONDS before the last refresh (default: past expires_in "
                             "when it is 300 s or less; 0: never wait)")
    server.add_argument("--html", type=Path, metavar="FILE",
                        help="also write a self-contained HTML report: the linking flow as a "
                             "sequence of every request and answer, each check at its step")
    server.add_argument("--json", action="store_true", help="machine-readable output")
    server.set_defaults(run=run_server)

    from alexa_linkcheck.simulator.cli import add_subparser as add_simulate

    add_simulate(cast("argparse._SubParsersAction[argparse.ArgumentParser]", sub))
    from alexa_linkcheck.simulator.smarthome import add_subparser as add_simulate_smarthome

    add_simulate_smarthome(cast("argparse._SubParsersAction[argparse.ArgumentParser]", sub))
    return parser


def run_project(args: argparse.Namespace) -> int:
    """``alexa-linkcheck project``: print findings, exit 1 on any error, 2 on no project."""
    from alexa_linkcheck.project import inspect_project

    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    project, findings = inspect_project(root, args.profile)
    layout = project.describe()
    print(project_json(findings, str(root), layout, project.facts()) if args.json
          else render_project(findings, str(root), layout))
    return 1 if any(f.level == "error" for f in findings) else 0


def run_server(args: argparse.Namespace) -> int:
    """``alexa-linkcheck server``: print one line per check, exit 1 on any failure."""
    from alexa_linkcheck.html_report import write_html_report
    from alexa_linkcheck.server import ProbeConfig, run_probe
    from alexa_linkcheck.trace import Trace

    config = ProbeConfig.from_args(args, os.environ)
    trace = Trace()
    results = run_probe(config, trace, progress=lambda text: print(text, file=sys.stderr))
    target = config.authorization_url
    if args.html is not None:
        try:
            write_html_report(args.html, f"alexa-linkcheck server {target}", results,
                              trace.steps)
        except OSError as exc:
            raise UsageError(f"cannot write {args.html}: {exc}") from None
    print(checks_json(results, target) if args.json else render_checks(results, target))
    return 1 if any(r.status == "fail" for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m alexa_linkcheck`` and the ``alexa-linkcheck`` console script.

    Exit status: 0 no errors or failures, 1 errors (project) or failures (server), 2 the
    command line or its input cannot be used (then ``--json`` prints
    ``{"command", "ok": false, "error": "usage", "message"}`` on stdout).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    want_json = "--json" in argv
    command = next((a for a in argv if a in COMMANDS), None)
    try:
        args = build_parser().parse_args(argv)
        return int(args.run(args))
    except UsageError as exc:
        if want_json:
            print(usage_error_json(command, str(exc)))
        else:
            print(f"alexa-linkcheck: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
