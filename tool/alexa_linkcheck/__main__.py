"""Command line of linkcheck: wiring only (argparse -> checks -> report -> exit status)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from alexa_linkcheck import constants as C
from alexa_linkcheck.errors import UsageError
from alexa_linkcheck.report import checks_json, findings_json, render_checks, render_findings


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subcommand per tool: ``project``, ``server``, ``simulate``."""
    parser = argparse.ArgumentParser(
        prog="alexa-linkcheck", description="Check Alexa account linking the way Alexa will.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    project = sub.add_parser("project", help="static checks of an ASK CLI v2 project")
    project.add_argument("path", nargs="?", default=".", help="project root (default .)")
    project.add_argument("--profile", default="default", help="ask-resources.json profile")
    project.add_argument("--json", action="store_true", help="machine-readable output")
    project.set_defaults(run=run_project)

    server = sub.add_parser("server", help="live probe of an OAuth 2.0 authorization server")
    server.add_argument("--from", dest="from_file", type=Path,
                        help="read URLs, client id, scheme, scopes and grant from an "
                             "accountLinking.json (secret from --client-secret-env)")
    server.add_argument("--authorization-url")
    server.add_argument("--token-url")
    server.add_argument("--client-id")
    server.add_argument("--client-secret", help="prefer --client-secret-env: argv is visible")
    server.add_argument("--client-secret-env", default="LINKCHECK_CLIENT_SECRET",
                        help="environment variable holding the client secret "
                             "(default LINKCHECK_CLIENT_SECRET)")
    server.add_argument("--scheme", choices=C.SCHEMES)
    server.add_argument("--grant", choices=C.GRANTS)
    server.add_argument("--scope", action="append", default=[],
                        help="repeatable, or one space-separated list")
    server.add_argument("--username", help="test user (default env LINKCHECK_USERNAME)")
    server.add_argument("--password", help="prefer env LINKCHECK_PASSWORD")
    server.add_argument("--password-env", default="LINKCHECK_PASSWORD")
    server.add_argument("--redirect-url", help="Alexa redirect URL to send as redirect_uri")
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
    server.add_argument("--json", action="store_true", help="machine-readable output")
    server.set_defaults(run=run_server)

    from alexa_linkcheck.simulator.cli import add_subparser as add_simulate

    add_simulate(sub)
    from alexa_linkcheck.simulator.smarthome import add_subparser as add_simulate_smarthome

    add_simulate_smarthome(sub)
    return parser


def run_project(args: argparse.Namespace) -> int:
    """``alexa-linkcheck project``: print findings, exit 1 on any error."""
    from alexa_linkcheck.project import check_project

    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    findings = check_project(root, args.profile)
    print(findings_json(findings, str(root)) if args.json else render_findings(findings,
                                                                               str(root)))
    return 1 if any(f.level == "error" for f in findings) else 0


def run_server(args: argparse.Namespace) -> int:
    """``alexa-linkcheck server``: print one line per check, exit 1 on any failure."""
    import os

    from alexa_linkcheck.server import ProbeConfig, run_probe

    config = ProbeConfig.from_args(args, os.environ)
    results = run_probe(config)
    target = config.authorization_url
    print(checks_json(results, target) if args.json else render_checks(results, target))
    return 1 if any(r.status == "fail" for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m alexa_linkcheck`` and the ``linkcheck`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"linkcheck: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
