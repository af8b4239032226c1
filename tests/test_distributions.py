"""The two wheels users install: honest metadata, no build warnings of our own, install alone."""
from __future__ import annotations

import email
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    out = tmp_path_factory.mktemp("dist")
    built = {}
    for folder in ("library", "tool"):
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out), f"./{folder}"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        wheel = next(path for path in out.glob("*.whl") if path not in {w for w, _ in built.values()})
        built[folder] = (wheel, done.stdout + done.stderr)
    return built


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_building_the_wheels_prints_no_deprecation_warning_of_our_own(wheels) -> None:
    for folder, (_, log) in wheels.items():
        ours = [line for line in log.splitlines() if "Deprecat" in line and "pyproject" in line.lower()]
        assert ours == [], (folder, ours)
        assert "SetuptoolsDeprecationWarning" not in log, folder


def test_library_wheel_declares_its_runtime_dependencies_and_the_webservice_extra(wheels) -> None:
    metadata = _metadata(wheels["library"][0])
    assert metadata["Name"] == "alexa-account-linking"
    assert metadata["Requires-Python"] == ">=3.11"
    requires = metadata.get_all("Requires-Dist")
    assert any(r.startswith("urllib3>=2") for r in requires), requires
    assert any(r.startswith("ask-sdk-core>=") for r in requires)
    assert any(r.startswith("requests>=") for r in requires)
    assert any(r.startswith("flask>=") or r.startswith("Flask>=") for r in requires if "webservice" in r)
    assert not any("flask" in r.lower() for r in requires if "extra ==" not in r), requires
    assert "webservice" in metadata.get_all("Provides-Extra")


def test_tool_wheel_carries_its_command_and_dialog_files(wheels) -> None:
    wheel = wheels["tool"][0]
    assert _metadata(wheel)["Name"] == "alexa-linkcheck"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "alexa-linkcheck = alexa_linkcheck.__main__:main" in entry_points
    assert any(n.endswith(".dialog") for n in names)


def test_library_wheel_installs_alone_and_imports_without_flask_sqlalchemy_or_authlib(wheels, tmp_path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-t", str(target), str(wheels["library"][0])], check=True, timeout=300, capture_output=True)
    code = ("import sys, json, account_linking; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"flask", "sqlalchemy", "authlib", "werkzeug", "cryptography"}, loaded
