"""Settings of the web-service host, read from the environment, with the production guard."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ._certificates import (
    CertificateChainValidator,
    Clock,
    HttpChainFetcher,
    load_trust_store,
    utc_now,
)
from ._constants import (
    DEFAULT_CERT_CACHE_SIZE,
    DEFAULT_CERT_FETCH_TIMEOUT_SECONDS,
    MAX_CERT_CHAIN_BYTES,
)
from ._errors import ConfigurationError
from ._verifiers import AbstractVerifier, RequestVerifier, SkillIdVerifier, TimestampVerifier

#: Environment modes of the host; anything but ``development`` is production.
PRODUCTION = "production"
DEVELOPMENT = "development"

#: Default cap on request bodies (Alexa envelopes are a few KiB; local choice).
DEFAULT_MAX_BODY_BYTES = 128 * 1024

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(mapping: Mapping[str, object], name: str, default: bool) -> bool:
    raw = mapping.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def _number(mapping: Mapping[str, object], name: str, default: float, *, integer: bool) -> float:
    raw = mapping.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw)) if integer else float(str(raw))
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, not {raw!r}") from exc
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, not {raw!r}")
    return value


def _text(mapping: Mapping[str, object], name: str) -> str | None:
    raw = mapping.get(name)
    return str(raw).strip() or None if raw is not None else None


@dataclass(frozen=True)
class HostSettings:
    """How the web-service host verifies requests.

    ``cert_fetch_url_override`` and ``extra_trust_anchors_file`` exist for tests and the
    local Alexa simulator only; like switching verification off, they need
    ``WEBSERVICE_ENV=development``.
    """

    env: str = PRODUCTION
    verify_requests: bool = True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    cert_fetch_timeout: float = DEFAULT_CERT_FETCH_TIMEOUT_SECONDS
    cert_cache_size: int = DEFAULT_CERT_CACHE_SIZE
    cert_fetch_url_override: str | None = None
    extra_trust_anchors_file: str | None = None
    skill_id: str | None = None

    @property
    def development(self) -> bool:
        """True only for the explicit development mode."""
        return self.env == DEVELOPMENT

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> HostSettings:
        """Read settings from environment-style names; refuse unsafe production settings."""
        env = (_text(mapping, "WEBSERVICE_ENV") or PRODUCTION).lower()
        if env not in (PRODUCTION, DEVELOPMENT):
            raise ConfigurationError(
                f"WEBSERVICE_ENV must be {PRODUCTION} or {DEVELOPMENT}, not {env!r}"
            )
        settings = cls(
            env=env,
            verify_requests=_bool(mapping, "WEBSERVICE_VERIFY_REQUESTS", True),
            max_body_bytes=int(
                _number(mapping, "WEBSERVICE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, integer=True)
            ),
            cert_fetch_timeout=_number(
                mapping, "ALEXA_CERT_FETCH_TIMEOUT", DEFAULT_CERT_FETCH_TIMEOUT_SECONDS,
                integer=False,
            ),
            cert_cache_size=int(
                _number(mapping, "ALEXA_CERT_CACHE_SIZE", DEFAULT_CERT_CACHE_SIZE, integer=True)
            ),
            cert_fetch_url_override=_text(mapping, "ALEXA_CERT_FETCH_URL_OVERRIDE"),
            extra_trust_anchors_file=_text(mapping, "ALEXA_EXTRA_TRUST_ANCHORS_FILE"),
            skill_id=_text(mapping, "SKILL_ID"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that weaken verification outside development mode."""
        if self.development:
            return
        if not self.verify_requests:
            raise ConfigurationError(
                "WEBSERVICE_VERIFY_REQUESTS=false is refused in production: Alexa requests "
                "must be verified (set WEBSERVICE_ENV=development for local work)"
            )
        for name, value in (
            ("ALEXA_CERT_FETCH_URL_OVERRIDE", self.cert_fetch_url_override),
            ("ALEXA_EXTRA_TRUST_ANCHORS_FILE", self.extra_trust_anchors_file),
        ):
            if value:
                raise ConfigurationError(
                    f"{name} is for tests only and is refused in production "
                    "(set WEBSERVICE_ENV=development)"
                )

    def build_verifiers(self, *, clock: Clock = utc_now) -> list[AbstractVerifier]:
        """The verifiers these settings ask for: timestamp, skill id, then signature."""
        verifiers: list[AbstractVerifier] = []
        signature_verifier: RequestVerifier | None = None
        if self.verify_requests:
            anchors = [self.extra_trust_anchors_file] if self.extra_trust_anchors_file else []
            try:
                store = load_trust_store(anchors)
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"ALEXA_EXTRA_TRUST_ANCHORS_FILE={self.extra_trust_anchors_file!r} does not "
                    f"hold PEM certificates ({exc})"
                ) from exc
            validator = CertificateChainValidator(
                store=store,
                fetcher=HttpChainFetcher(
                    timeout=self.cert_fetch_timeout,
                    max_bytes=MAX_CERT_CHAIN_BYTES,
                    url_override=self.cert_fetch_url_override,
                ),
                cache_size=self.cert_cache_size,
                clock=clock,
            )
            signature_verifier = RequestVerifier(validator)
            # The cheap checks first: a stale or foreign request never triggers a download.
            verifiers.append(TimestampVerifier(clock))
        if self.skill_id:
            verifiers.append(SkillIdVerifier(self.skill_id))
        if signature_verifier is not None:
            verifiers.append(signature_verifier)
        return verifiers
