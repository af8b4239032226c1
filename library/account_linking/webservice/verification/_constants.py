"""Protocol constants of Alexa request verification, each with its source document."""
from __future__ import annotations

#: Header naming the URL of the signing certificate chain.
#: Source: developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html
#: ("Verify that the request was sent by Alexa").
SIGNATURE_CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"

#: Header carrying the base64 RSA PKCS#1 v1.5 SHA-256 signature of the raw body (same page).
SIGNATURE_HEADER = "Signature-256"

#: The older SHA-1 signature header; never accepted on its own (same page, deprecated).
LEGACY_SIGNATURE_HEADER = "Signature"

#: Scheme the certificate chain URL must use, compared case-insensitively (same page).
CERT_CHAIN_URL_SCHEME = "https"

#: Host the certificate chain URL must name, compared case-insensitively (same page).
CERT_CHAIN_URL_HOSTNAME = "s3.amazonaws.com"

#: Prefix the normalised path of the certificate chain URL must start with, case-sensitive
#: (same page).
CERT_CHAIN_URL_PATH_PREFIX = "/echo.api/"

#: The only port allowed when the certificate chain URL names one (same page).
CERT_CHAIN_URL_PORT = 443

#: DNS name the signing certificate's Subject Alternative Names must contain (same page).
CERT_CHAIN_DOMAIN = "echo-api.amazon.com"

#: Largest tolerated distance, in seconds, between request.timestamp and now (same page,
#: "Check the request timestamp").
MAX_NORMAL_REQUEST_TOLERANCE_SECONDS = 150

#: Tolerance for skill events, which Alexa may deliver up to an hour late.
#: Source: developer.amazon.com/docs/smapi/skill-events-in-alexa-skills.html
#: ("Delivery of events to the skill").
MAX_SKILL_EVENT_TOLERANCE_SECONDS = 3600

#: Request types that get the skill-event tolerance: every AlexaSkillEvent.* type
#: (same page; ask-sdk-webservice-support lists SkillEnabled, SkillDisabled,
#: SkillPermissionChanged, SkillPermissionAccepted, SkillAccountLinked).
SKILL_EVENT_PREFIX = "AlexaSkillEvent."

#: Largest certificate chain the host will download, in bytes (Amazon's chain is ~5 KiB;
#: local choice, not from Amazon).
MAX_CERT_CHAIN_BYTES = 64 * 1024

#: Default seconds for the whole certificate chain download (local choice; Alexa waits at
#: most 8 s for the whole answer, ALEXA-FACTS.md).
DEFAULT_CERT_FETCH_TIMEOUT_SECONDS = 2.0

#: Default number of certificate chains kept in the cache (local choice).
DEFAULT_CERT_CACHE_SIZE = 16

#: Seconds a failed chain download is remembered per URL before it is tried again, so a
#: flood of requests naming one unreachable URL causes one download (local choice).
DEFAULT_FETCH_FAILURE_CACHE_SECONDS = 60.0

#: Most URLs whose download failure is remembered at once (oldest forgotten first; local
#: choice).
MAX_FETCH_FAILURE_CACHE_ENTRIES = 256

#: Most chain downloads running at once; a request needing another is refused with
#: certificate_fetch_failed rather than queued (local choice).
DEFAULT_MAX_CONCURRENT_CERT_FETCHES = 4

#: The system CA bundle on Debian/Ubuntu (ca-certificates package), tried after OpenSSL's
#: default CA file; Amazon asks for "a trusted root CA" (host-a-custom-skill-as-a-web-service).
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
