"""The command line: --version, --json for every outcome, exit statuses, no tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from typing import TYPE_CHECKING
from pathlib import Path

import pytest

from alexa_linkcheck.__main__ import main

if TYPE_CHECKING:
    from conftest import ProjectCopy

GOOD_PROJECT = Path(__file__).parent / "fixtures" / "good_project"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m alexa_linkcheck ARGS`` in a child process."""
    return subprocess.run([sys.executable, "-m", "alexa_linkcheck", *args],
                          capture_output=True, text=True, timeout=60)


def test_version_prints_the_installed_distribution_version() -> None:
    done = cli("--version")
    assert (done.returncode, done.stdout.strip()) == (
        0, f"alexa-linkcheck {version('alexa-linkcheck')}")


@pytest.mark.parametrize("argv", [
    ["project", "--json", "--no-such-option"],
    ["project", "--json", "--profile"],
    ["server", "--json", "--scheme", "DIGEST"],
    ["server", "--json", "--authorization-url", "https://a.example/x"],
    ["--json"],
])
def test_usage_error_with_json_is_json_on_stdout_and_exit_2(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["ok"], report["error"], err) == (False, "usage", "")
    assert report["message"]


def test_usage_error_without_json_is_one_line_on_stderr_without_traceback() -> None:
    done = cli("project", "--no-such-option")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("alexa-linkcheck: error: unrecognized arguments")
    assert done.stderr.endswith("(see `alexa-linkcheck --help`)\n")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_bad_option_value_names_the_subcommand_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "--timeout", "abc"]) == 2
    assert capsys.readouterr().err == ("alexa-linkcheck: error: argument --timeout: invalid "
                                       "float value: 'abc' (see `alexa-linkcheck server "
                                       "--help`)\n")


def test_not_a_project_exits_2_with_json_naming_the_layouts_looked_for(
        tmp_path: Path) -> None:
    done = cli("project", str(tmp_path), "--json")
    report = json.loads(done.stdout)
    assert (done.returncode, report["command"], report["error"]) == (2, "project", "usage")
    assert "ask-resources.json" in report["message"] and "skill-package" in report["message"]
    assert "Traceback" not in done.stderr


def test_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["project", str(tmp_path / "nope"), "--json"]) == 2
    assert "is not a folder" in json.loads(capsys.readouterr().out)["message"]


def test_project_json_says_which_layout_it_recognised(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["project", str(GOOD_PROJECT), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layout"] == ("ASK CLI v2 project; custom skill; python; "
                                "@ask-cli/lambda-deployer")
    assert report["skill"] == {
        "layout": "ask-cli-v2", "apis": ["custom"], "deployer": "@ask-cli/lambda-deployer",
        "code_folders": [{"path": "lambda", "regions": ["default"], "runtime": "python"}],
        "locales": ["en-US", "de-DE"]}


def test_reader_closing_the_pipe_early_gets_no_traceback(project: "ProjectCopy",
                                                         tmp_path: Path) -> None:
    # 3000 findings (~1 MB of text) cannot fit a pipe buffer: the reader leaves first.
    project.write("skill-package/notes.md", "password = hunter2hunter2\n" * 3000)
    with (tmp_path / "stderr").open("w+") as err:
        child = subprocess.Popen([sys.executable, "-m", "alexa_linkcheck", "project",
                                  str(project.root)], stdout=subprocess.PIPE, stderr=err)
        assert child.stdout is not None
        child.stdout.read(100)
        child.stdout.close()
        assert child.wait(timeout=60) == 1
        err.seek(0)
        assert err.read() == ""
