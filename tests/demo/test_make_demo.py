"""`make demo` as a test: the same orchestrator, real gunicorn servers, the real dialog."""
from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Generous bound: the demo takes seconds; this only turns a hang into a failure.
DEMO_TIMEOUT = 300


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devstack", "demo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=DEMO_TIMEOUT, check=False)


def listening(url: str) -> bool:
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, int(port))) == 0


def server_urls(transcript: str) -> list[str]:
    return re.findall(r"(http://127\.0\.0\.1:\d+)", transcript.split("alexa-linkcheck simulate plays")[0])


def kept_folder(transcript: str) -> Path:
    match = re.search(r"kept (\S+)", transcript)
    assert match, transcript
    return Path(match.group(1))


def test_make_demo_plays_every_story_step_then_stops_its_servers_and_exits_0() -> None:
    result = run_demo()
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    steps = out.split("--- step ")
    # 1. unlinked launch
    assert "alexa> Welcome to Ride Hailer" in steps[1]
    # 2. a fare estimate works unlinked
    assert re.search(r"alexa> A ride to the airport costs about [\d.]+ dollars", steps[2])
    # 3. order unlinked -> LinkAccount card
    assert "[card] LinkAccount: open the Alexa app to link" in steps[3]
    assert "link your Ride Hailer account first" in steps[3]
    # 4. linking through the real login page, then the SkillAccountLinked event
    assert "account linked for rider@example.com" in steps[4]
    assert "(event: SkillAccountLinked)" in steps[4]
    # 5. booked with ETA and fare
    assert re.search(r"alexa> Your ride to the airport is booked\. A driver will be with you in about \d+ minutes?; "
                     r"the fare is [\d.]+ dollars\.", steps[5])
    # 6. ride status, as it is on the service's real clock: seconds after the order the service
    #    is still finding a driver, or (on a slow machine, after 20 s) a driver is on the way
    assert re.search(r"alexa> (I'm still finding a driver for your ride to the airport|"
                     r"A driver is on the way for your ride to the airport)", steps[6]), steps[6]
    # 7. an hour later: refreshed, still works
    assert "clock advanced 3600 s" in steps[7]
    assert "access token expired: refreshed at the token URL" in steps[8]
    assert re.search(r"alexa> (I'm still finding a driver for your ride to the airport|"
                     r"A driver is on the way for your ride to the airport)", steps[8]), steps[8]
    # 8. revoked on the service: refresh fails, expired wording with the card
    assert "refresh token revoked at the authorization server" in steps[9]
    assert "refresh failed (invalid_grant)" in steps[11]
    assert "alexa> Your Ride Hailer link has expired" in steps[11]
    assert "[card] LinkAccount" in steps[11]
    # 9. relink, cancel
    assert "account linked for rider@example.com" in steps[12]
    assert "alexa> Your ride to the airport is cancelled." in steps[13]
    assert "script passed: 14 steps, 25 expectations" in out
    assert "make demo: every step happened as the dialog says." in out
    # the servers it started are gone, and so is its temp folder
    urls = server_urls(out)
    assert len(urls) == 2, out
    assert not any(listening(url) for url in urls)
    folder = re.search(r"a fresh stack in (\S+)", out)
    assert folder and not Path(folder.group(1)).exists()


def test_make_demo_with_a_failing_expectation_exits_1_and_names_the_step(tmp_path: Path) -> None:
    dialog = tmp_path / "wrong.dialog"
    dialog.write_text("say open ride hailer\n  expect speech contains welcome\n"
                      "say how much is a ride to the airport\n  expect speech contains bananas\n"
                      "say stop\n", encoding="utf-8")
    result = run_demo("--dialog", str(dialog))
    out = result.stdout
    try:
        assert result.returncode == 1, out + result.stderr
        assert ("FAILED: step 2 (line 3: say how much is a ride to the airport): "
                "expected speech contains bananas (line 4), but Alexa said 'A ride to the airport costs") in out
        assert "--- step 3" not in out
        assert "make demo: FAILED (simulator exit status 1)" in out
        assert "service.log" in out and "skill.log" in out
        assert not any(listening(url) for url in server_urls(out))
    finally:
        shutil.rmtree(kept_folder(out), ignore_errors=True)


def test_make_demo_with_a_bad_dialog_line_exits_2_naming_the_line_before_starting_servers(tmp_path: Path) -> None:
    dialog = tmp_path / "bad.dialog"
    dialog.write_text("say open ride hailer\n  expect speech sounds welcoming\n", encoding="utf-8")
    result = run_demo("--dialog", str(dialog))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "line 2: use 'expect speech contains <text>'" in result.stdout
    assert "fresh stack" not in result.stdout  # refused before starting anything


def test_make_demo_interrupted_by_ctrl_c_stops_its_servers_and_keeps_the_logs(tmp_path: Path) -> None:
    dialog = tmp_path / "long.dialog"
    dialog.write_text("say open ride hailer\n" * 500, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "devstack", "demo", "--dialog", str(dialog)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    seen = ""
    for line in process.stdout:
        seen += line
        if line.startswith("--- step 2:"):  # servers up, the simulator talking to them
            break
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=DEMO_TIMEOUT)
    out = seen + rest
    try:
        assert process.returncode == 130, out
        assert "make demo: interrupted" in out
        assert "script passed" not in out
        urls = server_urls(out)
        assert len(urls) == 2 and not any(listening(url) for url in urls)
        assert (kept_folder(out) / "service.log").exists()
    finally:
        shutil.rmtree(kept_folder(out), ignore_errors=True)
