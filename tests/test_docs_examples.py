"""Docs cannot drift: the commands and console examples of README.md and docs/ against the real code.

Every shell command in a fenced ``sh``/``bash``/``console`` block of the documents below is
checked against what it names: a make target must exist; an ``alexa-linkcheck``, ``flask
--app ride_hailer_service``, ``python -m devstack`` or ``python -m bench`` command must exist
with every option it passes (read from the command's own ``--help``); a pytest path, a
``--chdir`` folder and a ``--lambda``/``--project`` folder must exist. Commands of other
programs (``source``, ``export``, ``cd``, ``pip``, ``ask``, ...) are not ours to check.

``console`` blocks also show output: each one has a runner below that runs the command
against the real code and every output line shown (other than ``...``) must appear in what
the command prints, after ports, timings and temporary paths are normalised. A console
example without a runner fails, so a new example cannot be added unchecked.
"""
from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "library" / "README.md", ROOT / "tool" / "README.md",
                    *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*/README.md")])
SHELLS = ("sh", "bash", "console", "shell")
FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Command:
    """One command line of a document (continuations joined), with the output shown after it."""

    document: str
    line: int
    language: str
    text: str
    output: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.text}"


def _blocks(path: Path) -> Iterator[tuple[str, int, list[str]]]:
    language, start, lines = None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = FENCE.match(line.strip())
        if match and language is None:
            language, start, lines = match.group(1), number + 1, []
        elif line.strip() == "```" and language is not None:
            yield language, start, lines
            language = None
        elif language is not None:
            lines.append(line)


def commands() -> list[Command]:
    """Every command of every shell block of the documents."""
    found = []
    for path in DOCUMENTS:
        if not path.exists():
            continue
        name = path.relative_to(ROOT).as_posix()
        for language, start, lines in _blocks(path):
            if language not in SHELLS:
                continue
            index = 0
            while index < len(lines):
                raw = lines[index]
                number = start + index
                index += 1
                if language == "console":
                    if not raw.startswith("$ "):
                        continue
                    raw = raw[2:]
                text = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
                while text.endswith("\\") and index < len(lines):
                    text = text[:-1] + " " + lines[index].strip().split(" #", 1)[0]
                    index += 1
                if not text.strip() or text.lstrip().startswith(("#", "you>", "alexa>", "...")):
                    continue
                output: list[str] = []
                if language == "console":
                    while index < len(lines) and not lines[index].startswith("$ "):
                        output.append(lines[index])
                        index += 1
                found.append(Command(name, number, language, text.strip(), tuple(output)))
    return found


def _words(text: str) -> list[str]:
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):  # VAR=value prefixes
        words.pop(0)
    return words


@functools.lru_cache(maxsize=None)
def _help(*program: str) -> str:
    done = subprocess.run([sys.executable, *program, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "FLASK_DEBUG": "1"})
    return done.stdout + done.stderr


@functools.lru_cache(maxsize=None)
def _make_targets() -> frozenset[str]:
    text = (ROOT / "Makefile").read_text()
    return frozenset(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", text, flags=re.M))


def _options(words: list[str]) -> list[str]:
    return [w.split("=", 1)[0] for w in words if w.startswith("--") and len(w) > 2]


def _check_options(program: tuple[str, ...], words: list[str]) -> list[str]:
    text = _help(*program)
    return [f"{' '.join(program[-2:])} has no option {option}" for option in _options(words)
            if not re.search(re.escape(option) + r"(?![\w-])", text)]


def check(command: Command) -> list[str]:
    """What in ``command`` does not match the code (empty when all is well, or not ours)."""
    words = _words(command.text)
    if not words:
        return []
    program, rest = words[0], words[1:]
    problems: list[str] = []
    if program == "make":
        for target in [w for w in rest if not w.startswith("-") and "=" not in w]:
            if target not in _make_targets():
                problems.append(f"the Makefile has no target {target!r}")
        return problems
    if program.endswith("alexa-linkcheck") or (program.endswith("python") and rest[:2] == ["-m", "alexa_linkcheck"]):
        rest = rest[2:] if not program.endswith("alexa-linkcheck") else rest
        if not rest or rest[0] in ("--help", "-h", "--version"):
            return []
        sub = rest[0]
        if f" {sub}" not in _help("-m", "alexa_linkcheck") and sub not in _help("-m", "alexa_linkcheck"):
            return [f"alexa-linkcheck has no command {sub!r}"]
        problems += _check_options(("-m", "alexa_linkcheck", sub), rest[1:])
        for flag in ("--lambda", "--project", "--skill-package"):
            if flag in rest:
                value = rest[rest.index(flag) + 1]
                if not value.startswith(("$", "<", "/tmp", "instance")) and not (ROOT / value).exists():
                    problems.append(f"{flag} {value} does not exist")
        return problems
    if program.endswith("flask") and rest[:2] == ["--app", "ride_hailer_service"]:
        sub = [w for w in rest[2:] if not w.startswith("-")][:1]
        if not sub:
            return []
        if sub[0] not in _help("-m", "flask", "--app", "ride_hailer_service"):
            return [f"flask --app ride_hailer_service has no command {sub[0]!r}"]
        return _check_options(("-m", "flask", "--app", "ride_hailer_service", sub[0]), rest[3:])
    if program.endswith("python") and rest[:1] == ["-m"] and len(rest) > 1:
        module, args = rest[1], rest[2:]
        if module == "devstack" and args and not args[0].startswith("-"):
            if args[0] not in _help("-m", "devstack"):
                return [f"python -m devstack has no command {args[0]!r}"]
            return _check_options(("-m", "devstack", args[0]), args[1:])
        if module == "bench":
            from bench.run import FIGURES

            return [f"bench has no figure {a!r}" for a in args if not a.startswith("-") and a not in FIGURES]
        if module == "pytest":
            return [f"no test path {a}" for a in args
                    if not a.startswith("-") and "/" in a and not (ROOT / a.split("::")[0]).exists()]
        return []
    if program.endswith("gunicorn") and "--chdir" in rest:
        folder = rest[rest.index("--chdir") + 1]
        app = [w for w in rest if ":" in w and "(" in w]
        if not (ROOT / folder).is_dir():
            return [f"gunicorn --chdir {folder}: no such folder"]
        if app:
            module = app[0].split(":")[0]
            if not (ROOT / folder / (module.replace(".", "/") + ".py")).exists() and \
                    not (ROOT / (module.replace(".", "/") + ".py")).exists() and \
                    not (ROOT / module.replace(".", "/") / "__init__.py").exists():
                return [f"gunicorn app module {module} not found from {folder}"]
    return problems


ALL = commands()


@pytest.mark.parametrize("command", ALL, ids=[f"{c.document}:{c.line}" for c in ALL])
def test_every_documented_command_names_what_exists(command: Command) -> None:
    assert check(command) == [], str(command)


def test_the_documents_show_commands_at_all() -> None:
    # a parser that silently finds nothing would make the test above vacuous
    assert len(ALL) > 30
    assert any(c.text.startswith("make demo") for c in ALL)


# --- console examples: run, and compare the output lines they show -----------------------

def _normalise(line: str) -> str:
    line = re.sub(r"\d+\.\d+s\b", "<t>", line)
    line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", line)
    line = re.sub(r"/tmp/\S+", "<tmp>", line)
    return " ".join(line.split())


Runner = Callable[[Command, Path], str]
RUNNERS: list[tuple[re.Pattern[str], Runner]] = []


def runner(pattern: str) -> Callable[[Runner], Runner]:
    def register(function: Runner) -> Runner:
        RUNNERS.append((re.compile(pattern), function))
        return function
    return register


@runner(r"^export ")
def _environment(command: Command, tmp: Path) -> str:
    return ""  # sets secrets for the next command of the block; shows no output


@runner(r"^alexa-linkcheck project \.\./broken-copy$")
def _broken_copy(command: Command, tmp: Path) -> str:
    """README: a copy of this project with the three defects the text names."""
    import json

    copy = tmp / "broken-copy"
    for part in ("ask-resources.json", "skill-package", "lambda"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (copy).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy / part)
    (copy / "lambda" / "requirements.txt").unlink()
    linking_file = copy / "skill-package" / "accountLinking.json"
    linking = json.loads(linking_file.read_text())
    request = linking["accountLinkingRequest"]
    request["accessTokenUrl"] = request["accessTokenUrl"].replace("https://rides.example.com/", "https://rides.example.com:8443/", 1) \
        if "rides.example.com/" in request["accessTokenUrl"] else request["accessTokenUrl"].replace("/oauth", ":8443/oauth", 1)
    request["clientSecret"] = "s3cr3t-value-that-must-not-be-here"
    linking_file.write_text(json.dumps(linking, indent=2))
    work = tmp / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-m", "alexa_linkcheck", "project", "../broken-copy"], cwd=work,
                          capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def _runner_for(command: Command) -> Runner | None:
    for pattern, function in RUNNERS:
        if pattern.search(command.text):
            return function
    return None


CONSOLE = [c for c in ALL if c.language == "console"]


@pytest.mark.parametrize("command", CONSOLE, ids=[f"{c.document}:{c.line}" for c in CONSOLE])
def test_console_example_prints_what_the_document_shows(command: Command, tmp_path: Path) -> None:
    run = _runner_for(command)
    assert run is not None, f"{command}: no runner in tests/test_docs_examples.py checks this example"
    printed = run(command, tmp_path)
    actual = [_normalise(line) for line in printed.splitlines()]
    for shown in command.output:
        if not shown.strip() or shown.strip() == "..." or shown.strip().endswith(": ..."):
            continue
        expected = _normalise(shown.split(" ...")[0]) if " ..." in shown else _normalise(shown)
        assert any(line.startswith(expected) or expected in line for line in actual), \
            f"{command}\nshown: {shown}\nprinted:\n{printed}"


@runner(r"^make run$")
def _make_run(command: Command, tmp: Path) -> str:
    """docs/demo.md: the banner of `make run` (free ports, a temporary state folder)."""
    import signal

    from devstack.servers import free_port

    state = tmp / "state"
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "run", "--state-dir", str(state),
         "--service-port", str(free_port()), "--skill-port", str(free_port())],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith(("Ctrl-C stops", "make run: FAILED")):
                break
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    # the documents show the default state folder and a fixed state parameter
    banner = "".join(lines).replace(str(state.resolve()), "instance/devstack").replace(str(state), "instance/devstack")
    return re.sub(r"state=[\w-]+", "state=Fp5PrgEZhLCBLDny", banner)


@runner(r"^alexa-linkcheck server --authorization-url http://127\.0\.0\.1:5000/")
def _server_probe(command: Command, tmp: Path) -> str:
    """README: the probe of the Ride Hailer service (a real one on a free port, SQLite)."""
    import threading

    from werkzeug.serving import make_server

    from ride_hailer_service import create_app
    from ride_hailer_service.admin import create_alexa_client, create_user

    password = "documented password 1"
    app = create_app({"TESTING": True, "SECRET_KEY": "docs-test", "DATABASE_URL": f"sqlite:///{tmp / 's.sqlite'}"})
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
        create_user("rider@example.com", password, "Rider")
        _, secret = create_alexa_client("M2AF8PLXUZ1ABC", "HTTP_BASIC", client_id="alexa-skill")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        words = _words(command.text.replace("127.0.0.1:5000", f"127.0.0.1:{server.server_port}"))
        words = [str(tmp / w) if w.endswith(".html") else w for w in words]
        done = subprocess.run([sys.executable, "-m", "alexa_linkcheck", *words[1:]], cwd=tmp, capture_output=True,
                              text=True, timeout=300,
                              env={**os.environ, "LINKCHECK_CLIENT_SECRET": secret, "LINKCHECK_PASSWORD": password})
    finally:
        server.shutdown()
        thread.join(timeout=10)
    return done.stdout
