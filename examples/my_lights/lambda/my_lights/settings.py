"""Settings of the My Lights Lambda, from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

#: Seconds for all device cloud calls of one directive, and its upper bound (Alexa waits 8 s).
DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 6.0


class SettingsError(ValueError):
    """A setting is missing or unusable."""


@dataclass(frozen=True)
class LightsSettings:
    """``MY_LIGHTS_API_URL`` (the device cloud), ``LINKING_CACHE_TTL``, ``RESOURCE_TIMEOUT``."""

    api_url: str
    cache_ttl: float = 300.0
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "LightsSettings":
        env = os.environ if environ is None else environ
        url = env.get("MY_LIGHTS_API_URL", "").strip().rstrip("/")
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise SettingsError("MY_LIGHTS_API_URL must be the device cloud's https URL")
        try:
            ttl = float(env.get("LINKING_CACHE_TTL", "300"))
            timeout = float(env.get("RESOURCE_TIMEOUT", str(DEFAULT_TIMEOUT)))
        except ValueError:
            raise SettingsError("LINKING_CACHE_TTL and RESOURCE_TIMEOUT must be numbers of seconds") from None
        if not 0 < timeout <= MAX_TIMEOUT or ttl < 0:
            raise SettingsError(f"RESOURCE_TIMEOUT must be above 0 and at most {MAX_TIMEOUT}; LINKING_CACHE_TTL >= 0")
        return cls(api_url=url, cache_ttl=ttl, timeout=timeout)
