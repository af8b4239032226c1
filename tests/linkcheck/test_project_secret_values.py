"""`alexa-linkcheck project` finds secret-looking values in every text file of the skill package."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from alexa_linkcheck.__main__ import main

if TYPE_CHECKING:
    from conftest import ProjectCopy

LWA_TOKEN = "Atza|IwEBIPlx3bA9kLq2VZ-exampleexampleexample"
REFRESH = "Atzr|IwEBIHq7Yw0c-refreshrefreshrefresh"
LWA_SECRET = "amzn1.oa2-cs.v1." + "3f" * 32
AWS_KEY_ID = "AKIA" + "Q3EXAMPLE7K2LMNOP"[:16]
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PLAIN_SECRET = "s3cr3t-value-9f1"

CASES = [
    ("notes.md", f"# Notes\n\nTest token: {LWA_TOKEN}\n", 3),
    ("assets/refresh.txt", f"{REFRESH}\n", 1),
    ("config/lwa.yaml", f"client:\n  id: x\n  secret_value: {LWA_SECRET}\n", 3),
    ("deploy.env", f"REGION=us-east-1\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\n", 2),
    ("deploy.ini", f"[default]\naws_secret_access_key = {AWS_SECRET}\n", 2),
    (".env", f"CLIENT_SECRET={PLAIN_SECRET}\n", 1),
    ("keys/signing.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n",
     1),
    ("extra.json", json.dumps({"example": {"note": LWA_TOKEN}}, indent=2), 3),
]


def _findings(project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> tuple[int, list, str]:
    status = main(["project", str(project.root), "--json"])
    out = capsys.readouterr().out
    found = [(f["level"], f["file"], f["path"]) for f in json.loads(out)["findings"]
             if f["code"] == "secret-in-skill-package"]
    return status, found, out


@pytest.mark.parametrize("rel,text,line", CASES, ids=[c[0] for c in CASES])
def test_secret_value_in_any_text_file_is_an_error_at_its_line_without_printing_it(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str], rel: str, text: str,
        line: int) -> None:
    project.write(f"skill-package/{rel}", text)
    status, found, out = _findings(project, capsys)
    assert status == 1
    assert found == [("error", f"skill-package/{rel}", f"line {line}")]
    for value in (LWA_TOKEN, REFRESH, LWA_SECRET, AWS_KEY_ID, AWS_SECRET, PLAIN_SECRET, "MIIB"):
        assert value not in out


def test_words_about_secrets_without_values_are_not_reported(
        project: ProjectCopy, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("skill-package/README.md",
                  "Enter your password on the Ride Hailer page.\n"
                  "client_secret: <from the environment>\n"
                  "The access token starts with Atza| and is never stored here.\n")
    status, found, _ = _findings(project, capsys)
    assert (status, found) == (0, [])
