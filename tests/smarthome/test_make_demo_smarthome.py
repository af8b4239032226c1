"""`make demo-smarthome` as a test: the same command, real servers on 127.0.0.1, the whole story."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_smarthome_plays_the_story_prints_no_token_and_exits_0() -> None:
    result = subprocess.run([sys.executable, "-m", "devstack", "demo-smarthome"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, check=False)
    transcript = result.stdout
    assert result.returncode == 0, transcript + result.stderr
    assert "Alexa.Authorization.AcceptGrant.Response" in transcript
    assert "Alexa.Discovery.Discover.Response" in transcript
    revoked = transcript.index("link revoked")
    assert "INVALID_AUTHORIZATION_CREDENTIAL" in transcript[revoked:]
    assert "[alexa app] My Lights needs you to link your account again" in transcript[revoked:]
    assert "Alexa.ChangeReport accepted (202" in transcript
    assert "demo passed:" in transcript and "FAILED" not in transcript
    output = transcript + result.stderr  # no Alexa token is ever printed
    assert "Atza|" not in output and "Atzr|" not in output

