"""`alexa-linkcheck simulate`: the argparse wiring of the Alexa simulator."""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
from pathlib import Path
from typing import Callable, Sequence, TextIO

from . import conversation as conv
from .clock import SimulatorClock
from .envelopes import Identity
from .errors import SimulatorError
from .interactive import EXIT_INTERRUPTED, run_interactive
from .linking import LinkingConfig, client_secret_from_env
from .model import event_subscriptions, lambda_code_path, lambda_handler_name, skill_package_path
from .script import Hook, ScriptRunner, load_script
from .targets import LambdaTarget, RequestSigner, SkillTarget, WebServiceTarget
from .transcript import Transcript

#: Environment variable defaults (documented in docs/simulator.md).
DEFAULT_CLIENT_SECRET_ENV = "LINKCHECK_CLIENT_SECRET"
DEFAULT_PASSWORD_ENV = "LINKCHECK_PASSWORD"
DEFAULT_VENDOR_ID = "M0SIMULATOR"
PLACEHOLDER_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"

#: supportedInterfaces of a device with a screen (an Echo Show).
SCREEN_DEVICE_INTERFACES = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}

#: Exit codes (docs/simulator.md).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DESCRIPTION = """\
Play the Alexa app, the Alexa service and an Echo against a skill, offline: type (or script)
utterances, see what the skill says and shows, link the account through the real login and
consent pages, let tokens expire and refresh. The skill is called in-process through its
Lambda handler (ask-resources.json) or over HTTP (--url). Without a dialog file it is an
interactive console (type :help)."""

EPILOG = """\
examples:
  alexa-linkcheck simulate --project . --user demo@example.com \\
      --authorization-url http://127.0.0.1:5000/oauth/authorize --token-url http://127.0.0.1:5000/oauth/token
  alexa-linkcheck simulate demo.dialog --project . --url http://127.0.0.1:5001/alexa
exit status: 0 every expectation held (or the console ended), 1 an expectation failed or a step
errored, 2 bad options or dialog file, 130 interrupted (Ctrl-C).
docs: docs/simulator.md"""


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the simulator's options to a parser."""
    parser.add_argument("script", nargs="?", type=Path, metavar="DIALOG_FILE",
                        help="dialog file to run (scripted mode); without it, an interactive console reads utterances")
    parser.add_argument("--project", type=Path, default=Path("."), metavar="DIR",
                        help="ASK CLI v2 project folder holding ask-resources.json (default: .)")
    parser.add_argument("--skill-package", type=Path, metavar="DIR",
                        help="skill package folder (default: skillMetadata.src of ask-resources.json)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lambda", dest="code", type=Path, metavar="DIR",
                       help="Lambda code folder (default: code.default.src of ask-resources.json)")
    where.add_argument("--url", metavar="URL", help="skill hosted as a web service: POST envelopes to this URL (default: use the Lambda target)")
    parser.add_argument("--handler", metavar="MODULE.FUNCTION",
                        help="Lambda handler to call (default: skillInfrastructure.userConfig.handler of "
                             "ask-resources.json, else lambda_function.lambda_handler)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="set an environment variable for the Lambda target before its import (repeatable; default: none)")
    parser.add_argument("--sign-key", type=Path, metavar="PEM",
                        help="PEM private key to sign --url requests with, as Alexa signs them (default: unsigned)")
    parser.add_argument("--cert-url", metavar="URL", help="SignatureCertChainUrl to send with signed requests (needed with --sign-key; default: none)")
    parser.add_argument("--timestamps", choices=(conv.SIMULATED, conv.WALL),
                        help="request timestamps from the simulator clock or the wall clock "
                             "(default: wall for --url, simulated for the Lambda target)")
    parser.add_argument("--locale", default="en-US", metavar="CODE", help="device language; an interaction model must exist for it (default: en-US)")
    parser.add_argument("--screen", action="store_true",
                        help="play a device with a screen (APL): an unset shouldEndSession keeps the session open (default: voice only)")
    parser.add_argument("--skill-id", metavar="ID", default=os.environ.get("SKILL_ID") or PLACEHOLDER_SKILL_ID,
                        help="applicationId in every request (default: $SKILL_ID or a placeholder id)")
    parser.add_argument("--from", "--account-linking", dest="account_linking", type=Path, metavar="FILE",
                        help="accountLinking.json to read URLs, client id, scheme and scopes from "
                             "(default: the skill package's accountLinking.json)")
    parser.add_argument("--authorization-url", metavar="URL", help="use this authorization URL, e.g. a local server (default: from the file)")
    parser.add_argument("--token-url", metavar="URL", help="use this access token URL (default: from the file)")
    parser.add_argument("--client-id", metavar="ID", help="use this client id (default: from the file)")
    parser.add_argument("--revocation-url", metavar="URL", help="RFC 7009 revocation endpoint for the `revoke` step and :revoke (default: none)")
    parser.add_argument("--scheme", choices=("HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"),
                        help="client authentication at the token URL (default: accessTokenScheme from the file)")
    parser.add_argument("--client-secret-env", default=DEFAULT_CLIENT_SECRET_ENV, metavar="NAME",
                        help=f"environment variable holding the client secret (default: {DEFAULT_CLIENT_SECRET_ENV})")
    parser.add_argument("--vendor-id", metavar="ID", default=os.environ.get("LINKCHECK_VENDOR_ID") or DEFAULT_VENDOR_ID,
                        help=f"vendor id in the Alexa redirect URL (default: $LINKCHECK_VENDOR_ID or {DEFAULT_VENDOR_ID})")
    parser.add_argument("--region", choices=("NA", "EU", "FE"), default="NA",
                        help="which Alexa redirect URL to use: pitangui, layla or alexa.amazon.co.jp (default: NA)")
    parser.add_argument("--username", "--user", dest="user", metavar="EMAIL", default=os.environ.get("LINKCHECK_USERNAME"),
                        help="test user's email for the login form (default: $LINKCHECK_USERNAME)")
    parser.add_argument("--password-env", default=DEFAULT_PASSWORD_ENV, metavar="NAME",
                        help=f"environment variable holding the test user's password (default: {DEFAULT_PASSWORD_ENV})")
    parser.add_argument("--hook", action="append", default=[], metavar="NAME=MODULE:FUNCTION",
                        help="script hook: the step `hook NAME` calls FUNCTION(conversation) (repeatable; default: none)")
    parser.add_argument("--html", type=Path, metavar="FILE",
                        help="after the run, write the last link as a self-contained HTML report: every "
                             "request and answer of the flow in order, secrets masked (default: none)")
    parser.add_argument("--verbose", action="store_true",
                        help="print the resolved intent and slots of every request and each step of linking (default: off)")
    parser.add_argument("--show-json", action="store_true",
                        help="print each request and response envelope, tokens masked (default: off)")
    parser.set_defaults(handler_function=main_from_args, run=main_from_args)
    return parser


def build_parser(prog: str = "alexa-linkcheck simulate") -> argparse.ArgumentParser:
    """The stand-alone parser of `python -m alexa_linkcheck.simulator`."""
    return configure_parser(argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter))


def add_subparser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> argparse.ArgumentParser:
    """Register `simulate` on a parent CLI (tool/alexa_linkcheck/__main__.py dispatches `args.run(args)`)."""
    parser = subparsers.add_parser("simulate", help="play Alexa against a skill: a console or a dialog file",
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    return configure_parser(parser)


def _linking_config(args: argparse.Namespace, skill_package: Path) -> LinkingConfig | None:
    path = args.account_linking or skill_package / "accountLinking.json"
    secret = client_secret_from_env(args.client_secret_env)
    if Path(path).exists():
        if Path(path).is_dir():
            raise SimulatorError(f"--from {path}: is a folder, not an accountLinking.json file")
        config = LinkingConfig.from_account_linking_file(
            path, vendor_id=args.vendor_id, client_secret=secret, authorization_url=args.authorization_url,
            token_url=args.token_url, region=args.region)
    elif args.authorization_url and args.token_url and args.client_id:
        config = LinkingConfig(args.authorization_url, args.token_url, args.client_id, secret,
                               args.vendor_id, region=args.region)
    else:
        return None
    changes = {key: value for key, value in (("client_id", args.client_id), ("scheme", args.scheme)) if value}
    return dataclasses.replace(config, **changes) if changes else config


def _hooks(specs: Sequence[str]) -> dict[str, Hook]:
    hooks: dict[str, Hook] = {}
    for spec in specs:
        name, _, target = spec.partition("=")
        module_name, _, function = target.partition(":")
        if not name or not module_name or not function:
            raise SimulatorError(f"--hook {spec!r}: use NAME=MODULE:FUNCTION")
        try:
            hooks[name] = getattr(importlib.import_module(module_name), function)
        except (ImportError, AttributeError) as error:
            raise SimulatorError(f"--hook {spec!r}: {error}") from error
    return hooks


def _check_files(args: argparse.Namespace) -> None:
    """Every file or folder named on the command line exists (a clear error instead of a silent default)."""
    named = [("dialog file", args.script, False), ("--project", args.project, True),
             ("--skill-package", args.skill_package, True), ("--lambda", args.code, True),
             ("--from", args.account_linking, False), ("--sign-key", args.sign_key, False)]
    for option, path, folder in named:
        if path is None:
            continue
        if not Path(path).exists():
            raise SimulatorError(f"{option} {path}: no such {'folder' if folder else 'file'}")
        if folder and not Path(path).is_dir():
            raise SimulatorError(f"{option} {path}: not a folder")


def _target(args: argparse.Namespace) -> SkillTarget:
    if args.url:
        if args.handler:
            raise SimulatorError("--handler names a Lambda handler; it does not apply to --url")
        signer = None
        if args.sign_key:
            if not args.cert_url:
                raise SimulatorError("--sign-key needs --cert-url")
            signer = RequestSigner(args.sign_key.read_bytes(), args.cert_url)
        return WebServiceTarget(args.url, signer=signer)
    environ = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SimulatorError(f"--env {item!r}: use KEY=VALUE")
        environ[key] = value
    handler = args.handler or lambda_handler_name(args.project)
    return LambdaTarget(args.code or lambda_code_path(args.project), handler=handler, environ=environ)


def build_conversation(args: argparse.Namespace, note: Callable[[str], None]) -> conv.Conversation:
    """A conversation configured from parsed options."""
    skill_package = args.skill_package or skill_package_path(args.project)
    credentials = None
    if args.user:
        password = os.environ.get(args.password_env)
        if not password:
            raise SimulatorError(f"--user given but ${args.password_env} is empty")
        credentials = (args.user, password)
    timestamps = args.timestamps or (conv.WALL if args.url else conv.SIMULATED)
    return conv.Conversation(
        _target(args), skill_package, locale=args.locale, clock=SimulatorClock(),
        identity=Identity(skill_id=args.skill_id, supported_interfaces=SCREEN_DEVICE_INTERFACES if args.screen else {}),
        linking_config=_linking_config(args, skill_package), credentials=credentials, timestamps=timestamps, note=note,
        revocation_url=args.revocation_url, subscriptions=event_subscriptions(skill_package, args.project),
    )


def _write_html(path: Path, conversation: conv.Conversation, out: TextIO) -> None:
    """The last link of the run as an HTML report (or a note that nothing was linked)."""
    from ..html_report import write_link_report

    if conversation.link_outcome is None:
        out.write(f"[alexa] no link in this run: {path} not written\n")
        return
    try:
        write_link_report(path, conversation.link_trace, conversation.link_outcome)
    except OSError as error:
        out.write(f"[alexa] cannot write {path}: {error}\n")
        return
    out.write(f"[alexa] the link's report: {path}\n")


def main_from_args(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run interactive or scripted mode; return the exit code (Ctrl-C: 130, no traceback)."""
    out = stdout or sys.stdout
    transcript = Transcript(out, show_json=args.show_json, verbose=args.verbose)
    try:
        try:
            _check_files(args)
            steps = load_script(args.script) if args.script else None
            hooks = _hooks(args.hook)
            conversation = build_conversation(args, transcript.note)
        except SimulatorError as error:
            sys.stderr.write(f"alexa-linkcheck simulate: error: {error}\n")
            return EXIT_USAGE
        try:
            if steps is None:
                return run_interactive(conversation, transcript, stdin or sys.stdin)
            outcome = ScriptRunner(conversation, transcript, hooks).run(steps)
            return EXIT_OK if outcome.passed else EXIT_FAILED
        finally:
            if args.html is not None:
                _write_html(args.html, conversation, out)
    except KeyboardInterrupt:
        out.write("\n[alexa] interrupted\n")
        out.flush()
        return EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m alexa_linkcheck.simulator`."""
    args = build_parser().parse_args(argv)
    return main_from_args(args)
