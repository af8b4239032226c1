"""accountLinking.json against the SMAPI model, Alexa's requirements and the provider's pitfalls."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ask_smapi_model.v1.skill.account_linking.access_token_scheme_type import (
    AccessTokenSchemeType,
)
from ask_smapi_model.v1.skill.account_linking.account_linking_platform_authorization_url import (  # noqa: E501
    AccountLinkingPlatformAuthorizationUrl,
)
from ask_smapi_model.v1.skill.account_linking.account_linking_request_payload import (
    AccountLinkingRequestPayload,
)
from ask_smapi_model.v1.skill.account_linking.account_linking_type import AccountLinkingType
from ask_smapi_model.v1.skill.account_linking.platform_type import PlatformType
from ask_smapi_model.v1.skill.account_linking.voice_forward_account_linking_status import (
    VoiceForwardAccountLinkingStatus,
)

from alexa_linkcheck import constants as C
from alexa_linkcheck import providers
from alexa_linkcheck.project.context import Findings, Project, jp, one_of, shown


def check(project: Project, out: Findings) -> None:
    """Find accountLinking.json (first existing candidate) and check it."""
    files = [f for f in project.account_linking_files if f.exists()]
    if not files:
        _missing(project, out)
        return
    file = files[0]
    data = out.load_json(file, "account-linking", C.DOC_SMAPI)
    if data is None:
        return
    if not isinstance(data, dict) or C.ACCOUNT_LINKING_WRAPPER not in data:
        out.add("error", "account-linking.wrapper", file, jp(C.ACCOUNT_LINKING_WRAPPER),
                "The accountLinkingRequest wrapper is missing: `ask smapi "
                "update-account-linking-info --account-linking-request file:...` "
                "rejects the bare payload.",
                'Wrap the fields as {"accountLinkingRequest": {...}}.', C.DOC_SMAPI)
        if isinstance(data, dict) and "type" in data:
            _check_payload(project, out, file, data, ())
        return
    for key in sorted(set(data) - {C.ACCOUNT_LINKING_WRAPPER}):
        out.add("error", "account-linking.unknown-field", file, jp(key),
                f"Unknown top-level field {key!r} beside the wrapper.", "Remove it.",
                C.DOC_SMAPI)
    payload = data[C.ACCOUNT_LINKING_WRAPPER]
    if not isinstance(payload, dict):
        out.add("error", "account-linking.wrapper", file, jp(C.ACCOUNT_LINKING_WRAPPER),
                "accountLinkingRequest is not an object.", "Put the fields inside it.",
                C.DOC_SMAPI)
        return
    _check_payload(project, out, file, payload, (C.ACCOUNT_LINKING_WRAPPER,))


def _missing(project: Project, out: Findings) -> None:
    """No accountLinking.json: worth a word only when the skill clearly links accounts."""
    if not project.account_linking_files:
        return
    file = project.account_linking_files[0]
    linking_only = sorted(project.apis & {"smartHome", "video"})
    if linking_only:
        why = (f"{C.SKILL_APIS[linking_only[0]]} skills cannot be enabled without account "
               "linking")
    elif project.code.mentions_linking:
        why = "the handler code uses account linking"
    else:
        return
    out.add("warning", "account-linking.missing", file, "$",
            f"There is no accountLinking.json although {why}, so the configuration lives only "
            "in the developer console where nothing checks or versions it.",
            f"Keep the configuration (without clientSecret) in {out.rel(file)} and apply it "
            "with `ask smapi update-account-linking-info`.", C.DOC_SMAPI)


def _check_payload(project: Project, out: Findings, file: Path, p: dict[str, Any],
                   base: tuple[str, ...]) -> None:
    """Every field of the AccountLinkingRequestPayload."""
    known = set(AccountLinkingRequestPayload.attribute_map.values())
    for key in sorted(set(p) - known):
        out.add("error", "account-linking.unknown-field", file, jp(*base, key),
                f"{key!r} is not a field of AccountLinkingRequestPayload.",
                f"Remove it or fix its spelling; fields are {sorted(known)}.", C.DOC_SMAPI)
    enums = {"type": AccountLinkingType, "accessTokenScheme": AccessTokenSchemeType,
             "voiceForwardAccountLinking": VoiceForwardAccountLinkingStatus}
    for key, enum in enums.items():
        if key in p and not one_of(p[key], {e.value for e in enum}):
            out.add("error", "account-linking.enum", file, jp(*base, key),
                    f"{key} is {shown(p[key])}; {enum.__name__} allows "
                    f"{[e.value for e in enum]}.", "Use one of the allowed values.",
                    C.DOC_SMAPI)
    for key, typ in (("clientId", str), ("authorizationUrl", str), ("accessTokenUrl", str),
                     ("reciprocalAccessTokenUrl", str), ("skipOnEnablement", bool)):
        if key in p and not isinstance(p[key], typ):
            out.add("error", "account-linking.type", file, jp(*base, key),
                    f"{key} must be a {typ.__name__}, not {type(p[key]).__name__}.",
                    f"Give {key} as a JSON {'boolean' if typ is bool else 'string'}.",
                    C.DOC_SMAPI)
    for key in ("scopes", "domains", "redirectUrls"):
        if key in p and (not isinstance(p[key], list)
                         or not all(isinstance(v, str) for v in p[key])):
            out.add("error", "account-linking.type", file, jp(*base, key),
                    f"{key} must be a list of strings.", f'Give {key} as ["...", ...].',
                    C.DOC_SMAPI)
    kind = p.get("type")
    if "type" not in p:
        out.add("error", "account-linking.type-missing", file, jp(*base, "type"),
                "type is missing.", 'Set "type": "AUTH_CODE".', C.DOC_SMAPI)
    if not p.get("authorizationUrl"):
        out.add("error", "account-linking.required", file, jp(*base, "authorizationUrl"),
                "authorizationUrl is missing.", "Give the login page URL of the "
                "authorization server.", C.DOC_CONCEPTS)
    if kind == "AUTH_CODE":
        for key in ("accessTokenUrl", "clientId", "accessTokenScheme"):
            if not p.get(key):
                out.add("error", "account-linking.required", file, jp(*base, key),
                        f"AUTH_CODE needs {key}: Alexa exchanges the code at the access "
                        "token URI with these.", f"Set {key}.", C.DOC_AUTH_CODE)
    if kind == "IMPLICIT":
        _check_implicit(project, out, file, p, base)
    for key in ("authorizationUrl", "accessTokenUrl", "reciprocalAccessTokenUrl"):
        if isinstance(p.get(key), str) and p[key]:
            _check_url(out, file, jp(*base, key), key, p[key])
    platforms = p.get("authorizationUrlsByPlatform")
    if platforms is not None:
        _check_platforms(out, file, base, platforms)
    if isinstance(p.get("scopes"), list) and len(p["scopes"]) > C.MAX_SCOPES:
        out.add("error", "account-linking.too-many-scopes", file, jp(*base, "scopes"),
                f"{len(p['scopes'])} scopes; at most {C.MAX_SCOPES} are allowed.",
                "Merge scopes on the server side.", C.DOC_IMPLICIT)
    if isinstance(p.get("domains"), list) and len(p["domains"]) > C.MAX_DOMAINS:
        out.add("error", "account-linking.too-many-domains", file, jp(*base, "domains"),
                f"{len(p['domains'])} domains; at most {C.MAX_DOMAINS} are allowed.",
                "Serve the login page's assets from fewer domains.", C.DOC_IMPLICIT)
    # clientSecret is reported by the secrets check with the other secrets.
    _check_expiration(out, file, base, p)
    _check_provider(out, file, base, p)
    _check_skip_on_enablement(project, out, file, base, p)


def _check_implicit(project: Project, out: Findings, file: Path, p: dict[str, Any],
                    base: tuple[str, ...]) -> None:
    """IMPLICIT: custom skills only; clientId needed; no access token URI."""
    others = sorted(project.apis - C.IMPLICIT_APIS)
    if others:
        names = ", ".join(C.SKILL_APIS.get(a, a) for a in others)
        out.add("error", "account-linking.implicit-custom-only", file, jp(*base, "type"),
                f"IMPLICIT is only for custom skills; this manifest declares {names} "
                f"({others}), which need AUTH_CODE: users cannot link.",
                'Use "type": "AUTH_CODE" with an access token URL.', C.DOC_IMPLICIT)
    if not p.get("clientId"):
        out.add("error", "account-linking.required", file, jp(*base, "clientId"),
                "clientId is missing; Alexa passes it as client_id.", "Set clientId.",
                C.DOC_IMPLICIT)
    if p.get("accessTokenUrl"):
        out.add("warning", "account-linking.implicit-token-url", file,
                jp(*base, "accessTokenUrl"),
                "IMPLICIT grants never call the access token URI; it is ignored.",
                "Remove accessTokenUrl, or switch to AUTH_CODE (recommended: it "
                "supports refresh tokens).", C.DOC_IMPLICIT)


def _check_url(out: Findings, file: Path, path: str, key: str, url: str) -> None:
    """HTTPS on port 443."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        out.add("error", "account-linking.url", file, path, f"{key} {url!r} is not a URL.",
                "Give a full https:// URL.", C.DOC_AUTH_URI)
        return
    if parts.scheme != "https" or not parts.hostname:
        out.add("error", "account-linking.https", file, path,
                f"{key} {url!r} is not an https URL; Alexa only calls HTTPS.",
                "Serve it over HTTPS with a certificate from a trusted CA.", C.DOC_AUTH_URI)
    elif port not in (None, 443):
        out.add("error", "account-linking.port", file, path,
                f"{key} uses port {port}; Alexa only calls port 443.",
                "Serve it on the default HTTPS port 443.", C.DOC_AUTH_URI)


def _check_platforms(out: Findings, file: Path, base: tuple[str, ...], platforms: Any) -> None:
    """authorizationUrlsByPlatform entries: known platform and HTTPS URL."""
    key = "authorizationUrlsByPlatform"
    if not isinstance(platforms, list):
        out.add("error", "account-linking.type", file, jp(*base, key),
                f"{key} must be a list.", 'Use [{"platformType": "iOS", '
                '"platformAuthorizationUrl": "https://..."}].', C.DOC_SMAPI)
        return
    fields = set(AccountLinkingPlatformAuthorizationUrl.attribute_map.values())
    for n, entry in enumerate(platforms):
        if not isinstance(entry, dict):
            continue
        for extra in sorted(set(entry) - fields):
            out.add("error", "account-linking.unknown-field", file, jp(*base, key, n, extra),
                    f"{extra!r} is not a field of AccountLinkingPlatformAuthorizationUrl.",
                    f"Use only {sorted(fields)}.", C.DOC_SMAPI)
        if not one_of(entry.get("platformType"), {e.value for e in PlatformType}):
            out.add("error", "account-linking.enum", file, jp(*base, key, n, "platformType"),
                    f"platformType is {shown(entry.get('platformType'))}; PlatformType "
                    f"allows {[e.value for e in PlatformType]}.", "Use iOS or Android.",
                    C.DOC_SMAPI)
        url = entry.get("platformAuthorizationUrl")
        if isinstance(url, str):
            _check_url(out, file, jp(*base, key, n, "platformAuthorizationUrl"),
                       "platformAuthorizationUrl", url)


def _check_expiration(out: Findings, file: Path, base: tuple[str, ...],
                      p: dict[str, Any]) -> None:
    """defaultTokenExpirationInSeconds: positive int within sane bounds."""
    key = "defaultTokenExpirationInSeconds"
    if key not in p:
        return
    value = p[key]
    path = jp(*base, key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        out.add("error", "account-linking.token-expiration", file, path,
                f"{key} is {shown(value)}; it must be a positive integer.",
                "Give the access token lifetime in seconds, e.g. 3600.", C.DOC_SMAPI)
    elif value < C.MIN_SANE_TOKEN_SECONDS:
        out.add("warning", "account-linking.token-expiration", file, path,
                f"{key} is {value}s: when the server omits expires_in, Alexa refreshes "
                "nearly every request, and each failed refresh unlinks the user.",
                "Match the server's real access token lifetime (typically 3600).",
                C.DOC_AUTH_CODE)
    elif value > C.MAX_SANE_TOKEN_SECONDS:
        out.add("warning", "account-linking.token-expiration", file, path,
                f"{key} is {value}s (over a day): when the server omits expires_in, "
                "Alexa keeps sending an access token that expired long ago.",
                "Match the server's real access token lifetime, and send expires_in.",
                C.DOC_AUTH_CODE)


def _check_provider(out: Findings, file: Path, base: tuple[str, ...],
                    p: dict[str, Any]) -> None:
    """The documented pitfalls of the provider the URLs point at (see providers.py)."""
    def text(key: str) -> str:
        return p[key] if isinstance(p.get(key), str) else ""

    scopes = tuple(s for s in p.get("scopes") or [] if isinstance(s, str)) \
        if isinstance(p.get("scopes"), list) else ()
    settings = providers.LinkingSettings(
        authorization_url=text("authorizationUrl"), access_token_url=text("accessTokenUrl"),
        scopes=scopes, grant=text("type") or "AUTH_CODE",
        scheme=text("accessTokenScheme") or None)
    provider, found = providers.pitfalls(settings)
    for pit in found:
        out.add(pit.level, pit.code, file, jp(*base, pit.field),
                f"{pit.message} (provider recognised from the URLs: {provider.name})"
                if provider else pit.message, pit.fix, pit.source)


def _check_skip_on_enablement(project: Project, out: Findings, file: Path,
                              base: tuple[str, ...], p: dict[str, Any]) -> None:
    """skipOnEnablement agrees with the registered handlers of custom intents."""
    skip = p.get("skipOnEnablement")
    handlers = [h for h in project.code.handlers if h.registered
                and any(not i.startswith("AMAZON.") for i in h.intents)]
    if not isinstance(skip, bool) or not handlers:
        return
    unlinked = [h for h in handlers if not h.needs_link]
    path = jp(*base, "skipOnEnablement")
    if skip and not unlinked:
        out.add("warning", "account-linking.skip-on-enablement", file, path,
                "skipOnEnablement is true but every custom intent handler needs a linked "
                "account: users who skip linking get nothing but LinkAccount cards.",
                "Set skipOnEnablement to false, or make some intents useful unlinked.",
                C.DOC_SKIP)
    if not skip and unlinked:
        names = ", ".join(sorted(h.name for h in unlinked))
        out.add("warning", "account-linking.skip-on-enablement", file, path,
                f"skipOnEnablement is false although handlers work unlinked ({names}): "
                "users must link before they can try anything.",
                "Set skipOnEnablement to true to let users enable the skill first.",
                C.DOC_SKIP)
