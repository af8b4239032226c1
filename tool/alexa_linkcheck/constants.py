"""Protocol constants: what Alexa, the ASK CLI and SMAPI expect, each with its source."""
from __future__ import annotations

import re

# --- documents cited in findings -------------------------------------------------------
#: Amazon, "Account Linking Concepts for Alexa Skills" (seed document).
DOC_CONCEPTS = "Account Linking Concepts for Alexa Skills"
#: Amazon, "Configure Implicit Grant" (seed document).
DOC_IMPLICIT = "Configure Implicit Grant"
#: Amazon, "Configure an Authorization Code Grant" / "Access token URI requirements".
DOC_AUTH_CODE = "Configure an Authorization Code Grant (Access token URI requirements)"
#: Amazon, "Account Linking Schemas" / SMAPI "update-account-linking-info".
DOC_SMAPI = "SMAPI AccountLinkingRequest (ask-smapi-model ask_smapi_model.v1.skill.account_linking)"
#: ASK CLI v2, "ask-resources.json" reference and its lambda-deployer Python build.
DOC_ASK_RESOURCES = "ASK CLI v2 ask-resources.json reference (ALEXA-FACTS: ask-resources.json)"
#: Amazon, "Skill Manifest Schema".
DOC_MANIFEST = "Skill Manifest Schema (skill.json)"
#: Amazon, "Interaction Model Schema" and "Standard Built-in Intents".
DOC_MODEL = "Interaction Model Schema; Standard Built-in Intents"
#: Amazon, "Let Users Enable Your Skill without Account Linking".
DOC_SKIP = "Let Users Enable Your Skill without Account Linking"
#: Amazon, "Requirements for account linking" / authorization URI requirements.
DOC_AUTH_URI = "Configure Implicit Grant: Authorization URI Requirements; ALEXA-FACTS: Authorization URI"
#: ask-cli source: the code builders (lib/builtins/build-flows/*) and deployer names.
DOC_ASK_BUILD = ("ask-cli lib/builtins/build-flows/ (custom, java-mvn, nodejs-npm, python-pip, "
                 "zip-only); ALEXA-FACTS: ask-resources.json")
#: ASK CLI v2 README: upgrading a v1 project.
DOC_ASK_UPGRADE = "ASK CLI v2: `ask util upgrade-project` (migrating from ASK CLI v1)"
#: Amazon, "Steps to Build a Smart Home Skill" / "Send Events to the Alexa Event Gateway"
#: (Alexa.Authorization AcceptGrant) and ALEXA-FACTS "Smart home".
DOC_SMART_HOME = ("Smart Home Skill API: Alexa.Authorization AcceptGrant; Send Events to the "
                  "Alexa Event Gateway (ALEXA-FACTS: Smart home)")
#: RFC 6749, The OAuth 2.0 Authorization Framework.
DOC_RFC6749 = "RFC 6749 (OAuth 2.0) sections 4.1, 5.1, 5.2, 10.6"

# --- ask-resources.json (ASK CLI v2) ---------------------------------------------------
#: The only askcliResourcesVersion the ASK CLI v2 writes and reads.
ASK_RESOURCES_VERSIONS = frozenset({"2020-03-31"})
#: Deployers shipped with ASK CLI v2 (ask-cli lib/utils/constants.js DEPLOYER_TYPE).
LAMBDA_DEPLOYER = "@ask-cli/lambda-deployer"
CFN_DEPLOYER = "@ask-cli/cfn-deployer"
#: Alexa-hosted skills: Alexa builds and hosts the code; no runtime or handler in userConfig.
HOSTED_DEPLOYER = "@ask-cli/hosted-skill-deployer"
KNOWN_DEPLOYERS = frozenset({LAMBDA_DEPLOYER, CFN_DEPLOYER, HOSTED_DEPLOYER})
#: Deployers whose userConfig names the Lambda runtime and handler.
AWS_DEPLOYERS = frozenset({LAMBDA_DEPLOYER, CFN_DEPLOYER})
#: The ASK CLI's code build picks the first flow whose file is in the code folder
#: (ask-cli lib/builtins/build-flows/: custom, java-mvn, nodejs-npm, python-pip, else
#: zip-only). Gradle is not among them.
CUSTOM_BUILD_FILES = ("build.sh", "build.ps1")
#: runtime prefix -> (the file the ASK CLI build needs in the code folder, its tool).
BUILD_FILES = {"python": ("requirements.txt", "pip"), "nodejs": ("package.json", "npm"),
               "java": ("pom.xml", "Maven")}
#: Files that tell a code folder's language when userConfig names no runtime.
RUNTIME_MARKERS = (("python", ("requirements.txt", "lambda_function.py", "*.py")),
                   ("nodejs", ("package.json", "index.js", "index.mjs", "*.js")),
                   ("java", ("pom.xml", "build.gradle", "build.gradle.kts")))

# --- ASK CLI v1 (deprecated) -------------------------------------------------------------
#: A v1 project keeps its deploy settings in .ask/config and skill.json, models/ at the root.
ASK_V1_CONFIG = ".ask/config"
#: The ASK CLI v2 command that converts a v1 project (ask-cli README, "Upgrade project").
ASK_UPGRADE_COMMAND = "ask util upgrade-project"

# --- skill.json ------------------------------------------------------------------------
#: manifest.apis keys and what linkcheck calls them (Skill Manifest Schema: "apis").
SKILL_APIS = {"custom": "custom", "smartHome": "smart home", "householdList": "household list",
              "video": "video", "music": "music", "flashBriefing": "flash briefing",
              "knowledge": "knowledge", "alexaForBusiness": "Alexa for Business",
              "demandResponse": "demand response", "healthcare": "healthcare"}
#: APIs that may use IMPLICIT grants: custom skills only (seed "Configure Implicit Grant";
#: ALEXA-FACTS: smart home skills need AUTH_CODE).
IMPLICIT_APIS = frozenset({"custom"})
#: APIs whose endpoint must be an AWS Lambda ARN (pre-built models: no web service hosting).
LAMBDA_ONLY_APIS = frozenset({"smartHome", "video", "music"})
#: Permission a smart home skill needs to receive Alexa.Authorization.AcceptGrant and send
#: events to the event gateway ("Send Events to the Alexa Event Gateway").
EVENTS_PERMISSION = "alexa::async_event:write"
#: Text in code that handles AcceptGrant (the directive's name).
ACCEPT_GRANT = "AcceptGrant"
#: Regions of per-region endpoints (Skill Manifest Schema: regions).
ENDPOINT_REGIONS = ("NA", "EU", "FE")
#: Values of manifest.apis.custom.endpoint.sslCertificateType (Skill Manifest Schema).
SSL_CERTIFICATE_TYPES = frozenset({"Trusted", "Wildcard", "SelfSigned"})
#: At most three example phrases per locale (Skill Manifest Schema).
MAX_EXAMPLE_PHRASES = 3
#: The wake word an example phrase starts with, by script (en/de/fr/es/it/pt: "Alexa";
#: ja-JP: "アレクサ"; hi-IN: "एलेक्सा").
WAKE_WORDS = ("alexa", "アレクサ", "एलेक्सा")
#: Launch phrases an example phrase may use after the wake word (Invocation Name guidelines).
LAUNCH_WORDS = ("open", "ask", "launch", "start", "tell", "begin", "talk to", "use", "load", "play")

# --- interaction model -----------------------------------------------------------------
#: Built-in intents every custom skill must define (Standard Built-in Intents). Not
#: AMAZON.NavigateHomeIntent: the model builds without it, and Alexa handles "go home" on
#: devices with a screen itself.
REQUIRED_BUILTINS = ("AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent")
#: Built-in intents recommended for every custom skill.
RECOMMENDED_BUILTINS = ("AMAZON.FallbackIntent",)

# --- accountLinking.json (SMAPI) -------------------------------------------------------
#: Top-level key ``ask smapi update-account-linking-info`` expects (ALEXA-FACTS).
ACCOUNT_LINKING_WRAPPER = "accountLinkingRequest"
#: Limits of the account linking configuration (Configure Implicit Grant).
MAX_SCOPES = 15
MAX_DOMAINS = 30
#: defaultTokenExpirationInSeconds bounds that linkcheck warns outside of (its judgement).
MIN_SANE_TOKEN_SECONDS = 300
MAX_SANE_TOKEN_SECONDS = 86_400
#: Words in a JSON key (lower case, without _ and -) whose string value must never be
#: in an uploaded file; keys ending in "token" count too (accessToken, refresh_token).
#: Domains reserved for documentation (RFC 2606 section 3); an endpoint on them (or a
#: subdomain) is a placeholder left in.
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
SECRET_KEY_WORDS = ("secret", "password", "passwd", "privatekey", "apikey")

# --- the Alexa side of the OAuth flows (ALEXA-FACTS: Authorization URI, Access token URI) ---
#: Alexa redirect URL for North America; the vendor id ends it.
PITANGUI_REDIRECT = "https://pitangui.amazon.com/api/skill/link/{vendor_id}"
#: Alexa's three redirect URLs by region (North America, Europe, Far East).
REDIRECT_URLS = {"NA": PITANGUI_REDIRECT,
                 "EU": "https://layla.amazon.com/api/skill/link/{vendor_id}",
                 "FE": "https://alexa.amazon.co.jp/api/skill/link/{vendor_id}"}
#: Alexa gives the token server 4.5 s to answer.
TOKEN_DEADLINE_SECONDS = 4.5
#: Token endpoint client authentication schemes (AccessTokenSchemeType).
SCHEMES = ("HTTP_BASIC", "REQUEST_BODY_CREDENTIALS")
#: Grant types Alexa uses (AccountLinkingType).
GRANTS = ("AUTH_CODE", "IMPLICIT")

# --- secret-looking values in any text file under the skill package ---
#: (what, pattern) of values that are secrets wherever they appear. Sources: Login with
#: Amazon token formats ("Atza|" access, "Atzr|" refresh tokens; client secrets
#: "amzn1.oa2-cs.v1."), AWS access key ids (IAM "Understanding unique ID prefixes":
#: AKIA long-term, ASIA temporary), PEM private keys (RFC 7468).
SECRET_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a PEM private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a Login with Amazon access or refresh token (Atza|/Atzr|)",
     re.compile(r"Atz[ar]\|[A-Za-z0-9_\-]{16,}")),
    ("a Login with Amazon client secret (amzn1.oa2-cs.v1.)",
     re.compile(r"amzn1\.oa2-cs\.v1\.[0-9a-fA-F]{16,}")),
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("an AWS secret access key",
     re.compile(r"aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+=]{40}",
                re.IGNORECASE)),
)
#: (what, pattern) of ``name = value`` / ``name: value`` lines naming a secret with a
#: value of 8+ characters (YAML, .env, INI, Markdown, ...).
SECRET_ASSIGNMENT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a client secret, password or API key assignment", re.compile(
        r"(?:client[_\-]?secret|password|passwd|api[_\-]?key|private[_\-]?key)"
        r"[\"']?\s*[:=]\s*[\"']?[^\s\"'<>{}]{8,}", re.IGNORECASE)),
)

# --- Alexa's redirect URLs by region (ALEXA-FACTS: Authorization URI; used by server and simulate) ---
#: Region name -> Alexa redirect URL; the vendor id ends it. Register all three, match exactly.
REDIRECT_URL_TEMPLATES = {
    "NA": "https://pitangui.amazon.com/api/skill/link/{vendor_id}",
    "EU": "https://layla.amazon.com/api/skill/link/{vendor_id}",
    "FE": "https://alexa.amazon.co.jp/api/skill/link/{vendor_id}",
}
#: Who signs in through each region's redirect URL (for messages).
REGION_USERS = {"NA": "users in North America", "EU": "users in Europe",
                "FE": "users in the Far East (Japan)"}
#: Hosts of the Alexa redirect URLs; never fetched.
ALEXA_REDIRECT_HOSTS = frozenset(t.split("/")[2] for t in REDIRECT_URL_TEMPLATES.values())
#: Hosts reserved for documentation and tests (RFC 2606, RFC 6761): an authorization or token
#: URL on them is a placeholder; ``server --from`` refuses to probe it.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_TLDS = ("example", "invalid", "test", "localhost")
