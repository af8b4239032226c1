"""The host imports on this machine's OpenSSL, and the verifier stays framework-free."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "library" / "account_linking"


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "webhost", check=True,
        capture_output=True, text=True,
    ).stdout
    return set(json.loads(out))


def test_webservice_imports_without_certvalidator_or_oscrypto() -> None:
    modules = _modules_after("import webservice")
    assert "account_linking.webservice.verification" in modules
    assert not {"certvalidator", "oscrypto", "ask_sdk_webservice_support"} & modules


def test_verifier_package_does_not_import_flask() -> None:
    modules = _modules_after("import account_linking.webservice.verification")
    assert "flask" not in modules
    assert "werkzeug" not in modules


def test_only_the_webservice_extra_imports_the_verifier_package() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for path in [*LIBRARY.rglob("*.py"), *(ROOT / "lambda").rglob("*.py")]
        if "webservice" not in path.relative_to(LIBRARY.parent if LIBRARY in path.parents else ROOT).parts
        and "verification" in path.read_text(encoding="utf-8")
    ]
    assert importers == []
