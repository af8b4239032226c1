"""`alexa-linkcheck simulate`: command line wiring for the Alexa simulator (no logic here)."""
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
from .interactive import run_interactive
from .linking import LinkingConfig, client_secret_from_env
from .model import lambda_code_path, skill_package_path
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

#: Exit codes.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the simulator's options to a parser."""
    parser.add_argument("script", nargs="?", type=Path,
                        help="dialog script to run (scripted mode); without it, read utterances from stdin")
    parser.add_argument("--project", type=Path, default=Path("."), help="ASK CLI project folder (ask-resources.json); default .")
    parser.add_argument("--skill-package", type=Path, help="skill package folder (default: from ask-resources.json)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lambda", dest="code", type=Path, help="Lambda code folder with lambda_function.py (default: from ask-resources.json)")
    where.add_argument("--url", help="skill hosted as a web service: POST envelopes to this URL")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="environment for the Lambda target (repeatable)")
    parser.add_argument("--sign-key", type=Path, help="PEM private key to sign web-service requests with")
    parser.add_argument("--cert-url", help="SignatureCertChainUrl to send with signed requests")
    parser.add_argument("--timestamps", choices=(conv.SIMULATED, conv.WALL),
                        help="request timestamps from the simulator clock or the wall clock (default: wall for --url)")
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--screen", action="store_true",
                        help="play a device with a screen (APL): an unset shouldEndSession keeps the session open")
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID") or PLACEHOLDER_SKILL_ID)
    parser.add_argument("--from", "--account-linking", dest="account_linking", type=Path,
                        help="accountLinking.json (default: the skill package's)")
    parser.add_argument("--authorization-url", help="override the authorization URL (e.g. a local server)")
    parser.add_argument("--token-url", help="override the access token URL")
    parser.add_argument("--client-id", help="override clientId")
    parser.add_argument("--revocation-url", help="RFC 7009 revocation endpoint for the `revoke` step / :revoke")
    parser.add_argument("--scheme", choices=("HTTP_BASIC", "REQUEST_BODY_CREDENTIALS"), help="override accessTokenScheme")
    parser.add_argument("--client-secret-env", default=DEFAULT_CLIENT_SECRET_ENV, metavar="NAME",
                        help=f"environment variable holding the client secret (default {DEFAULT_CLIENT_SECRET_ENV})")
    parser.add_argument("--vendor-id", default=os.environ.get("LINKCHECK_VENDOR_ID") or DEFAULT_VENDOR_ID)
    parser.add_argument("--region", choices=("NA", "EU", "FE"), default="NA", help="which Alexa redirect URL to use")
    parser.add_argument("--username", "--user", dest="user", default=os.environ.get("LINKCHECK_USERNAME"),
                        help="test user's email for the login form (default env LINKCHECK_USERNAME)")
    parser.add_argument("--password-env", default=DEFAULT_PASSWORD_ENV, metavar="NAME",
                        help=f"environment variable holding the test user's password (default {DEFAULT_PASSWORD_ENV})")
    parser.add_argument("--hook", action="append", default=[], metavar="NAME=MODULE:FUNCTION",
                        help="script hook: `hook NAME` calls FUNCTION(conversation)")
    parser.add_argument("--show-json", action="store_true", help="print each request and response envelope (tokens masked)")
    parser.set_defaults(handler=main_from_args, run=main_from_args)
    return parser


def add_subparser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> argparse.ArgumentParser:
    """Register `simulate` on a parent CLI (tool/alexa_linkcheck/__main__.py dispatches `args.run(args)`)."""
    parser = subparsers.add_parser("simulate", help="play the Alexa app, the Alexa service and a device against a skill",
                                   description=__doc__)
    return configure_parser(parser)


def _linking_config(args: argparse.Namespace, skill_package: Path) -> LinkingConfig | None:
    path = args.account_linking or skill_package / "accountLinking.json"
    secret = client_secret_from_env(args.client_secret_env)
    if Path(path).exists():
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


def _target(args: argparse.Namespace) -> SkillTarget:
    if args.url:
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
    return LambdaTarget(args.code or lambda_code_path(args.project), environ=environ)


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
        identity=Identity(skill_id=args.skill_id, supported_interfaces=SCREEN_DEVICE_INTERFACES if args.screen else {}), linking_config=_linking_config(args, skill_package),
        credentials=credentials, timestamps=timestamps, note=note, revocation_url=args.revocation_url,
    )


def main_from_args(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run interactive or scripted mode; return the exit code."""
    out = stdout or sys.stdout
    transcript = Transcript(out, show_json=args.show_json)
    try:
        steps = load_script(args.script) if args.script else None
        hooks = _hooks(args.hook)
        conversation = build_conversation(args, transcript.note)
    except SimulatorError as error:
        sys.stderr.write(f"alexa-linkcheck simulate: error: {error}\n")
        return EXIT_USAGE
    if steps is None:
        return run_interactive(conversation, transcript, stdin or sys.stdin)
    outcome = ScriptRunner(conversation, transcript, hooks).run(steps)
    return EXIT_OK if outcome.passed else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m alexa_linkcheck.simulator`."""
    parser = configure_parser(argparse.ArgumentParser(prog="alexa-linkcheck simulate", description=__doc__))
    args = parser.parse_args(argv)
    return main_from_args(args)
