"""The host imports on this machine's OpenSSL, and the verifier stays framework-free."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "lambda", check=True,
        capture_output=True, text=True,
    ).stdout
    return set(json.loads(out))


def test_webservice_imports_without_certvalidator_or_oscrypto() -> None:
    modules = _modules_after("import webservice")
    assert "alexa_verification" in modules
    assert not {"certvalidator", "oscrypto", "ask_sdk_webservice_support"} & modules


def test_verifier_package_does_not_import_flask() -> None:
    modules = _modules_after("import alexa_verification")
    assert "flask" not in modules
    assert "werkzeug" not in modules


def test_only_webservice_imports_the_verifier_package() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "lambda").rglob("*.py")
        if "alexa_verification" not in path.parts
        and "alexa_verification" in path.read_text(encoding="utf-8")
    ]
    assert importers == ["lambda/webservice.py"]
