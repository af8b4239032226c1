"""Cold start pays only for what a skill uses: importing the skill or the library never loads
the JWT client, and the package's public names load their modules on first use."""
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
    assert statement.split()[-1] in modules  # the import did happen
    assert [name for name in modules if name.split(".")[0] in ("jwt", "cryptography") or name in JWT_ONLY] == []


def test_importing_the_jwt_client_brings_pyjwt_only_then():
    modules = loaded_after("import account_linking.jwt_access")
    assert "jwt" in modules and "account_linking.jwt_access" in modules


#: Modules a skill on a profile endpoint never needs (token introspection, OpenID Connect
#: discovery and userinfo).
UNUSED_BY_A_PROFILE_SKILL = ("account_linking.introspection", "account_linking.oidc", "account_linking.discovery")


def test_importing_the_package_loads_none_of_its_modules_until_a_name_is_used():
    modules = loaded_after("import account_linking")
    assert [name for name in modules if name.startswith("account_linking.")] == []


def test_a_skill_on_a_profile_endpoint_loads_no_introspection_or_openid_code():
    modules = loaded_after("import lambda_function")
    assert "account_linking.linking" in modules
    assert [name for name in UNUSED_BY_A_PROFILE_SKILL if name in modules] == []


def test_a_public_name_loads_its_module_when_used():
    modules = loaded_after("from account_linking import IntrospectionClient")
    assert "account_linking.introspection" in modules
