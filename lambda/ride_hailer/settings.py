"""Skill settings read from the environment (Lambda configuration)."""
from __future__ import annotations

import ipaddress
import logging
import math
import os
from typing import Mapping, Optional
from urllib.parse import urlsplit

from account_linking.clients import DEFAULT_LWA_PROFILE_URL
from account_linking.values import value_class

log = logging.getLogger(__name__)

#: Default Ride Hailer API off Lambda: the service run locally (``make run``). On Lambda
#: RIDE_HAILER_API_URL is required.
DEFAULT_RIDE_HAILER_API_URL = "http://127.0.0.1:5000"
#: Default resource-server timeout: well inside Alexa's 8 s response limit (ALEXA-FACTS.md).
DEFAULT_RESOURCE_TIMEOUT = 3.0
#: Default lifetime of a cached profile lookup, in seconds.
DEFAULT_LINKING_CACHE_TTL = 300.0
#: Upper bound on RESOURCE_TIMEOUT, the budget for all resource calls of one request: Alexa
#: waits at most 8 s for the whole response (ALEXA-FACTS.md); 2 s stay for the skill's own
#: work (cold start, headers trickled within one read, building the answer).
MAX_RESOURCE_TIMEOUT = 6.0
#: Environment variable the Lambda runtime always sets; its presence means "on Lambda".
#: Source: docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html (reserved variables).
LAMBDA_MARKER_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"
#: Accepted PROFILE_PROVIDER values.
PROFILE_PROVIDERS = ("ride_hailer", "lwa")


class SettingsError(ValueError):
    """An environment variable has a value the skill cannot use."""


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(environ: Mapping[str, str], name: str, default: str, *, on_lambda: bool) -> str:
    value = environ.get(name, "").strip()
    if not value:
        if name == "RIDE_HAILER_API_URL":
            if on_lambda:
                raise SettingsError(
                    f"{name} is not set: on Lambda it must name the Ride Hailer API "
                    "(https://...), there is no local service to fall back to"
                )
            log.warning("%s is not set; using %s (local development)", name, default)
        value = default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}")
    if on_lambda and parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise SettingsError(f"{name} must use https on Lambda, got {value!r}")
    return value.rstrip("/")


def _seconds(environ: Mapping[str, str], name: str, default: float, maximum: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value < 0 or value > maximum:
        raise SettingsError(f"{name} must be between 0 and {maximum:g} seconds, got {raw!r}")
    return value


def _resource_timeout(environ: Mapping[str, str]) -> float:
    raw = environ.get("RESOURCE_TIMEOUT", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_RESOURCE_TIMEOUT
    except ValueError:
        raise SettingsError(f"RESOURCE_TIMEOUT must be a number of seconds, got {raw!r}") from None
    if not 0 < value <= MAX_RESOURCE_TIMEOUT:  # also refuses nan
        raise SettingsError(
            f"RESOURCE_TIMEOUT must be greater than 0 and at most {MAX_RESOURCE_TIMEOUT:g} "
            f"seconds, got {raw!r}: it is the budget for all resource-server calls of one "
            "request, and Alexa waits 8 s for the whole answer"
        )
    return value


@value_class
class SkillSettings:
    """Everything the skill reads from its environment."""

    #: Base URL of the Ride Hailer API (RIDE_HAILER_API_URL; off Lambda default the local
    #: service).
    ride_hailer_api_url: str
    #: Who verifies tokens: ``ride_hailer`` (GET /api/v1/me) or ``lwa`` (PROFILE_PROVIDER).
    profile_provider: str = "ride_hailer"
    #: Login with Amazon profile endpoint (LWA_PROFILE_URL).
    lwa_profile_url: str = DEFAULT_LWA_PROFILE_URL
    #: When set, requests for any other skill are rejected (SKILL_ID).
    skill_id: Optional[str] = None
    #: Seconds a verified profile stays cached (LINKING_CACHE_TTL; 0 disables the cache).
    linking_cache_ttl: float = DEFAULT_LINKING_CACHE_TTL
    #: Seconds all resource-server calls of one request may take together (RESOURCE_TIMEOUT).
    resource_timeout: float = DEFAULT_RESOURCE_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SkillSettings:
        """Read the settings; a bad value raises SettingsError naming the variable.

        On Lambda (AWS_LAMBDA_FUNCTION_NAME set) RIDE_HAILER_API_URL is required and URLs
        must use https unless their host is loopback.
        """
        env = os.environ if environ is None else environ
        on_lambda = bool(env.get(LAMBDA_MARKER_VARIABLE, "").strip())
        provider = env.get("PROFILE_PROVIDER", "").strip() or "ride_hailer"
        if provider not in PROFILE_PROVIDERS:
            raise SettingsError(
                f"PROFILE_PROVIDER must be one of {', '.join(PROFILE_PROVIDERS)}, got {provider!r}"
            )
        timeout = _resource_timeout(env)
        return cls(
            ride_hailer_api_url=_url(
                env, "RIDE_HAILER_API_URL", DEFAULT_RIDE_HAILER_API_URL, on_lambda=on_lambda
            ),
            profile_provider=provider,
            lwa_profile_url=_url(
                env, "LWA_PROFILE_URL", DEFAULT_LWA_PROFILE_URL, on_lambda=on_lambda
            ),
            skill_id=env.get("SKILL_ID", "").strip() or None,
            linking_cache_ttl=_seconds(
                env, "LINKING_CACHE_TTL", DEFAULT_LINKING_CACHE_TTL, 24 * 3600.0
            ),
            resource_timeout=timeout,
        )
