"""SkillSettings.from_env: defaults, and a clear error naming each bad variable."""
from __future__ import annotations

import pytest

from ride_hailer.settings import SettingsError, SkillSettings

BASE = {"RIDE_HAILER_API_URL": "https://ride-hailer.example.com/"}


def test_defaults_keep_the_resource_timeout_well_inside_alexas_eight_seconds():
    settings = SkillSettings.from_env(BASE)
    assert settings.ride_hailer_api_url == "https://ride-hailer.example.com"
    assert settings.profile_provider == "ride_hailer"
    assert settings.lwa_profile_url == "https://api.amazon.com/user/profile"
    assert settings.skill_id is None
    assert 0 < settings.resource_timeout <= 4
    assert settings.linking_cache_ttl > 0


def test_every_variable_is_read():
    settings = SkillSettings.from_env(
        dict(BASE, PROFILE_PROVIDER="lwa", LWA_PROFILE_URL="http://127.0.0.1:9/p",
             SKILL_ID="amzn1.ask.skill.x", LINKING_CACHE_TTL="60", RESOURCE_TIMEOUT="2.5")
    )
    assert (settings.profile_provider, settings.lwa_profile_url, settings.skill_id) == (
        "lwa", "http://127.0.0.1:9/p", "amzn1.ask.skill.x")
    assert (settings.linking_cache_ttl, settings.resource_timeout) == (60.0, 2.5)


def test_unset_api_url_defaults_to_the_local_service_with_a_warning(caplog):
    settings = SkillSettings.from_env({})
    assert settings.ride_hailer_api_url == "http://127.0.0.1:5000"
    assert "RIDE_HAILER_API_URL is not set" in caplog.text


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"RIDE_HAILER_API_URL": "ride-hailer.example.com"}, "RIDE_HAILER_API_URL"),
        (dict(BASE, PROFILE_PROVIDER="github"), "PROFILE_PROVIDER"),
        (dict(BASE, LWA_PROFILE_URL="ftp://x"), "LWA_PROFILE_URL"),
        (dict(BASE, RESOURCE_TIMEOUT="fast"), "RESOURCE_TIMEOUT"),
        (dict(BASE, RESOURCE_TIMEOUT="9"), "RESOURCE_TIMEOUT"),
        (dict(BASE, RESOURCE_TIMEOUT="0"), "RESOURCE_TIMEOUT"),
        (dict(BASE, RESOURCE_TIMEOUT="nan"), "RESOURCE_TIMEOUT"),
        (dict(BASE, LINKING_CACHE_TTL="-1"), "LINKING_CACHE_TTL"),
    ],
)
def test_bad_value_raises_an_error_naming_the_variable(env, variable):
    with pytest.raises(SettingsError, match=variable):
        SkillSettings.from_env(env)


def test_resource_timeout_over_six_seconds_is_refused_as_a_per_request_budget():
    # RESOURCE_TIMEOUT is the budget for all resource calls of one request; Alexa waits 8 s.
    assert SkillSettings.from_env(dict(BASE, RESOURCE_TIMEOUT="6")).resource_timeout == 6.0
    with pytest.raises(SettingsError, match=r"RESOURCE_TIMEOUT must be greater than 0 and at most 6 seconds.*one request"):
        SkillSettings.from_env(dict(BASE, RESOURCE_TIMEOUT="6.5"))


@pytest.mark.parametrize("value", ["-1", "inf", "-0"])
def test_resource_timeout_out_of_range_names_the_allowed_range(value):
    with pytest.raises(SettingsError, match=r"greater than 0 and at most 6 seconds"):
        SkillSettings.from_env(dict(BASE, RESOURCE_TIMEOUT=value))
