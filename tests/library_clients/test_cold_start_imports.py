"""The JWT client costs nothing at cold start: importing the skill or the library never loads it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Modules only the JWT client needs (PyJWT and its crypto library).
JWT_ONLY = ("account_linking.jwt_access", "jwt", "cryptography")


def loaded_after(statement: str) -> list[str]:
    """Top-level and account_linking modules loaded by ``statement`` in a fresh interpreter."""
    code = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(ROOT / 'lambda')!r}, {str(ROOT / 'library')!r}]\n"
        f"{statement}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "RIDE_HAILER_API_URL": "https://ride-hailer.example.com"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("statement", ["import lambda_function", "import account_linking"])
def test_importing_the_skill_or_the_library_does_not_import_the_jwt_client_or_its_crypto(statement):
    modules = loaded_after(statement)
    assert "account_linking.clients" in modules  # the import did happen
    assert [name for name in modules if name.split(".")[0] in ("jwt", "cryptography") or name in JWT_ONLY] == []


def test_importing_the_jwt_client_brings_pyjwt_only_then():
    modules = loaded_after("import account_linking.jwt_access")
    assert "jwt" in modules and "account_linking.jwt_access" in modules
