"""skill.json: the skill's APIs, locales, endpoints and (smart home) permissions."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from alexa_linkcheck import constants as C
from alexa_linkcheck.project.context import Findings, Project, jp, lst, obj, one_of, shown


def check(project: Project, out: Findings) -> None:
    """Read skill.json into ``project`` (apis, locales) and check it."""
    file = project.skill_json
    if file is None:
        return
    data = out.load_json(file, "skill-json", C.DOC_MANIFEST)
    if data is None:
        return
    manifest = data.get("manifest") if isinstance(data, dict) else None
    if not isinstance(manifest, dict):
        out.add("error", "skill-json.manifest", file, jp("manifest"),
                "skill.json has no manifest object.", 'Wrap it as {"manifest": {...}}.',
                C.DOC_MANIFEST)
        return
    project.manifest = manifest
    apis = obj(manifest.get("apis"))
    project.apis = {a for a in apis if a in C.SKILL_APIS}
    if not project.apis:
        out.add("error", "skill-json.no-api", file, jp("manifest", "apis"),
                f"manifest.apis declares none of {sorted(C.SKILL_APIS)}: the skill has no "
                "interface Alexa can call.",
                'Add the API the skill implements, e.g. "custom": {} or "smartHome": {...}.',
                C.DOC_MANIFEST)
    if project.is_custom:
        _check_custom_endpoint(project, out, file, obj(apis.get("custom")))
    for api in sorted(project.apis & C.LAMBDA_ONLY_APIS):
        _check_lambda_endpoints(project, out, file, api)
    if "smartHome" in project.apis:
        _check_smart_home(project, out, file)
    _check_placeholder_endpoints(project, out, file)
    _check_locales(project, out, file)


def _check_locales(project: Project, out: Findings, file: Path) -> None:
    """Each locale: name, summary, description; custom skills: 1-3 example phrases."""
    pub = project.manifest.get("publishingInformation")
    locales = pub.get("locales") if isinstance(pub, dict) else None
    if not isinstance(locales, dict) or not locales:
        out.add("error", "skill-json.locales", file,
                jp("manifest", "publishingInformation", "locales"),
                "No locales in manifest.publishingInformation.",
                'Add at least one locale, e.g. "en-US": {"name", "summary", '
                '"description", "examplePhrases"}.', C.DOC_MANIFEST)
        return
    project.locales = list(locales)
    for locale, info in locales.items():
        base = ("manifest", "publishingInformation", "locales", locale)
        info = info if isinstance(info, dict) else {}
        for key in ("name", "summary", "description"):
            if not isinstance(info.get(key), str) or not info[key].strip():
                out.add("error", f"skill-json.locale-{key}", file, jp(*base, key),
                        f"Locale {locale} has no {key}.",
                        f"Add a {key} in the locale's language.", C.DOC_MANIFEST)
        if not project.is_custom:
            continue  # example phrases are a custom-skill (voice invocation) requirement
        phrases = info.get("examplePhrases")
        if not isinstance(phrases, list) or not phrases:
            out.add("error", "skill-json.example-phrases", file, jp(*base, "examplePhrases"),
                    f"Locale {locale} has no examplePhrases.",
                    'Add 1 to 3 phrases, the first like "Alexa, open <invocation name>".',
                    C.DOC_MANIFEST)
        elif len(phrases) > C.MAX_EXAMPLE_PHRASES:
            out.add("error", "skill-json.example-phrases", file, jp(*base, "examplePhrases"),
                    f"Locale {locale} has {len(phrases)} examplePhrases; at most "
                    f"{C.MAX_EXAMPLE_PHRASES} are allowed.", "Keep the best three.",
                    C.DOC_MANIFEST)


def _check_custom_endpoint(project: Project, out: Findings, file: Path,
                           custom: dict[str, Any]) -> None:
    """A custom skill's endpoint (default and regional): HTTPS needs a certificate type."""
    base: tuple[str, ...] = ("manifest", "apis", "custom")
    endpoints: list[tuple[tuple[str, ...], Any]] = [(base, custom.get("endpoint"))]
    for region, entry in obj(custom.get("regions")).items():
        endpoints.append(((*base, "regions", region), obj(entry).get("endpoint")))
    if not any(isinstance(e, dict) for _, e in endpoints) and not project.deploys_code:
        out.add("warning", "skill-json.endpoint-missing", file, jp(*base, "endpoint"),
                "No endpoint, and no deployer that would set one: Alexa has nowhere to send "
                "requests until one is set in the console.",
                'Add "endpoint": {"uri": "https://...", "sslCertificateType": "Trusted"} '
                "(or a Lambda ARN), or a skillInfrastructure deployer.", C.DOC_MANIFEST)
    for path, endpoint in endpoints:
        if not isinstance(endpoint, dict):
            continue
        uri = endpoint.get("uri")
        if isinstance(uri, str) and uri.lower().startswith("http://"):
            out.add("error", "skill-json.endpoint-http", file, jp(*path, "endpoint", "uri"),
                    "The endpoint is plain http; Alexa only calls HTTPS endpoints.",
                    "Serve the skill over HTTPS on port 443.", C.DOC_MANIFEST)
        if isinstance(uri, str) and uri.lower().startswith("https://"):
            kind = endpoint.get("sslCertificateType")
            if not one_of(kind, C.SSL_CERTIFICATE_TYPES):
                out.add("error", "skill-json.ssl-certificate-type", file,
                        jp(*path, "endpoint", "sslCertificateType"),
                        f"sslCertificateType is {shown(kind)} for an HTTPS endpoint.",
                        f"Use one of {sorted(C.SSL_CERTIFICATE_TYPES)} (Trusted for "
                        "certification).", C.DOC_MANIFEST)


def _check_lambda_endpoints(project: Project, out: Findings, file: Path, api: str) -> None:
    """Smart home, video and music skills: a Lambda endpoint, default or one per region."""
    section = obj(obj(project.manifest.get("apis")).get(api))
    name = C.SKILL_APIS[api]
    code = f"skill-json.{name.replace(' ', '-')}-endpoint"
    base: tuple[str, ...] = ("manifest", "apis", api)
    endpoints: list[tuple[tuple[str, ...], Any]] = [(base, section.get("endpoint"))]
    for region, entry in obj(section.get("regions")).items():
        endpoints.append(((*base, "regions", region), obj(entry).get("endpoint")))
    present = [(p, e) for p, e in endpoints if isinstance(obj(e).get("uri"), str)
               and obj(e)["uri"].strip()]
    if not present and not project.deploys_code:
        out.add("error", code, file, jp(*base, "endpoint"),
                f"The {name} API has no endpoint, neither a default one nor one per "
                f"region ({', '.join(C.ENDPOINT_REGIONS)}), and no deployer sets one: Alexa "
                "cannot deliver any directive, and the skill cannot be enabled.",
                'Add "endpoint": {"uri": "arn:aws:lambda:..."} (or "regions": {"NA": '
                '{"endpoint": {"uri": ...}}, ...}).', C.DOC_MANIFEST)
    for path, endpoint in present:
        uri = obj(endpoint)["uri"]
        if not uri.startswith("arn:aws:lambda:") and not _is_placeholder(uri):
            out.add("error", code, file, jp(*path, "endpoint", "uri"),
                    f"The {name} endpoint {uri!r} is not a Lambda ARN: {name} skills "
                    "are hosted on AWS Lambda only.",
                    "Use the function's ARN, arn:aws:lambda:<region>:<account>:function:<name>.",
                    C.DOC_MANIFEST)


def _check_smart_home(project: Project, out: Findings, file: Path) -> None:
    """Smart home: the events permission if and only if the code handles AcceptGrant."""
    permissions = [obj(p).get("name") for p in lst(project.manifest.get("permissions"))]
    has_permission = C.EVENTS_PERMISSION in permissions
    handles = project.code.handles_accept_grant
    if not project.code_folders:
        return  # no code to compare with (deployed from elsewhere)
    if has_permission and not handles:
        out.add("error", "skill-json.accept-grant-unhandled", file,
                jp("manifest", "permissions"),
                f"The manifest asks for {C.EVENTS_PERMISSION}, so Alexa sends "
                "Alexa.Authorization.AcceptGrant right after each user links, but no code "
                "folder mentions AcceptGrant: the directive fails and linking fails with it.",
                "Handle Alexa.Authorization / AcceptGrant (exchange the grant code at LWA, "
                "answer AcceptGrant.Response), or drop the permission if the skill sends no "
                "events.", C.DOC_SMART_HOME)
    if handles and not has_permission:
        out.add("warning", "skill-json.events-permission-missing", file,
                jp("manifest", "permissions"),
                "The code handles Alexa.Authorization.AcceptGrant, but the manifest does not "
                f"ask for {C.EVENTS_PERMISSION}: Alexa never sends AcceptGrant, so the skill "
                "gets no Alexa tokens and cannot send ChangeReports or other events.",
                f'Add "permissions": [{{"name": "{C.EVENTS_PERMISSION}"}}].',
                C.DOC_SMART_HOME)


def _is_placeholder(uri: str) -> bool:
    """True when ``uri`` is on a documentation domain (RFC 2606)."""
    host = _url_host(uri)
    return any(host == d or host.endswith("." + d) for d in C.EXAMPLE_DOMAINS)


def _url_host(url: str) -> str:
    """The lower-case host of ``url``, or "" when it has none."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _check_placeholder_endpoints(project: Project, out: Findings, file: Path) -> None:
    """Endpoints still naming example.com/.org/.net that `ask deploy` will not replace.

    The ASK CLI (2.30, skill-infrastructure-controller) writes the deployer's endpoint into
    ``apis.<domain>.endpoint`` on every deploy, and into ``events.endpoint`` only when
    ``userConfig.skillEvents`` is set; anything else is sent to Amazon as written.
    """
    manifest = project.manifest
    sections = (
        (("manifest", "apis", "custom"), obj(obj(manifest.get("apis")).get("custom")),
         project.deploys_code,
         "replace the host with your web service's, e.g. https://skill.your-domain/alexa"),
        (("manifest", "events"), obj(manifest.get("events")),
         project.deploys_code and project.deploys_skill_events,
         "set userConfig.skillEvents in ask-resources.json so `ask deploy` points it at "
         "the Lambda, or replace the host with your web service's .../alexa URL"),
    )
    for base, section, rewritten, fix in sections:
        if rewritten:
            continue
        endpoints = [(base, section.get("endpoint"))]
        for region, entry in obj(section.get("regions")).items():
            endpoints.append(((*base, "regions", region), obj(entry).get("endpoint")))
        for path, endpoint in endpoints:
            uri = obj(endpoint).get("uri")
            if isinstance(uri, str) and _is_placeholder(uri):
                out.add("warning", "skill-json.endpoint-placeholder", file,
                        jp(*path, "endpoint", "uri"),
                        f"The endpoint host {_url_host(uri)} is a documentation placeholder "
                        "(RFC 2606) and `ask deploy` will not replace it: Alexa would "
                        "send requests there.", fix[0].upper() + fix[1:] + ".",
                        C.DOC_MANIFEST + "; " + C.DOC_ASK_RESOURCES)


def example_phrases(project: Project, locale: str) -> list[Any] | None:
    """The example phrases of ``locale`` in the manifest, if it lists them."""
    info = obj(obj(obj(project.manifest.get("publishingInformation")).get("locales"))
               .get(locale))
    phrases = info.get("examplePhrases")
    return phrases if isinstance(phrases, list) else None
