"""On Lambda the API URL is required and must be https; off Lambda nothing is required."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ride_hailer.settings import SettingsError, SkillSettings

ON_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "ride-hailer-skill"}
REPO = Path(__file__).resolve().parents[2]


def test_missing_api_url_on_lambda_is_an_error_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="RIDE_HAILER_API_URL"):
        SkillSettings.from_env(ON_LAMBDA)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RIDE_HAILER_API_URL", "http://rides.example.com"),
     ("LWA_PROFILE_URL", "http://api.amazon.com/user/profile")],
)
def test_plain_http_to_a_remote_host_on_lambda_is_an_error_naming_the_variable(
    variable: str, value: str
) -> None:
    env = {**ON_LAMBDA, "RIDE_HAILER_API_URL": "https://rides.example.com", variable: value}
    with pytest.raises(SettingsError, match=f"{variable} must use https"):
        SkillSettings.from_env(env)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:5000", "http://127.8.0.1", "http://localhost:5000", "http://[::1]:80"]
)
def test_plain_http_to_a_loopback_host_on_lambda_is_accepted(url: str) -> None:
    settings = SkillSettings.from_env(dict(ON_LAMBDA, RIDE_HAILER_API_URL=url))
    assert settings.ride_hailer_api_url == url


def test_https_api_url_on_lambda_is_accepted() -> None:
    settings = SkillSettings.from_env(dict(ON_LAMBDA, RIDE_HAILER_API_URL="https://rides.example.com/"))
    assert settings.ride_hailer_api_url == "https://rides.example.com"


def _import_lambda_function(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import lambda_function; print(callable(lambda_function.lambda_handler))"],
        cwd=REPO / "lambda", env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True, text=True, timeout=120,
    )


def test_lambda_function_imports_with_no_environment_at_all_off_lambda() -> None:
    result = _import_lambda_function({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_lambda_function_import_on_lambda_without_api_url_fails_naming_the_variable() -> None:
    result = _import_lambda_function(dict(ON_LAMBDA))
    assert result.returncode != 0
    assert "SettingsError" in result.stderr and "RIDE_HAILER_API_URL" in result.stderr
