"""``--html FILE``: one self-contained page that shows where a link broke.

Failures (then warnings) come first, each with its fix and a link to the step it judged;
below, the linking flow drawn as a sequence between the Alexa app, the authorization
server, the Alexa service and the skill, with every request and answer of the run in order
(secrets already masked by the `Trace`) and each check shown at its step. No scripts, no
external files: it opens from disk, in a mail attachment or a CI artifact.
"""
from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path
from typing import Iterable, Sequence

from alexa_linkcheck.report import CheckResult
from alexa_linkcheck.trace import ACTORS, TraceStep

#: How to fix each failing check, in one sentence (the reason says what was seen).
FIXES = {
    "https-authorization-url": "Serve the authorization URL over HTTPS on port 443 with a "
                               "certificate from a trusted authority.",
    "https-token-url": "Serve the token URL over HTTPS on port 443 with a trusted certificate.",
    "no-popups": "Show messages inline on the page; remove alert(), confirm(), prompt() and "
                 "window.open().",
    "sign-in": "Make the login and consent pages usable by a person with the test account; if "
               "the allow button is not found, name it with --consent-button.",
    "redirect-target": "Redirect to exactly the redirect_uri Alexa sent.",
    "state-echo": "Return the state parameter unchanged in the redirect.",
    "authorization-code": "Redirect with ?code=...&state=... after the user allows.",
    "implicit-token": "Redirect with #access_token=...&token_type=Bearer&state=....",
    "code-exchange": "Accept the code with the skill's client credentials, sent as "
                     "accessTokenScheme says (Basic credentials form-urlencoded, RFC 6749 "
                     "2.3.1).",
    "token-json": "Answer the token URL with Content-Type: application/json and a JSON object.",
    "token-cache-control": "Send Cache-Control: no-store on every answer carrying tokens.",
    "access-token": "Put the access token in access_token.",
    "token-type": "Send token_type Bearer.",
    "expires-in": "Send expires_in as a positive JSON integer (seconds).",
    "refresh-token": "Issue a refresh token with every code exchange.",
    "token-deadline": "Answer the token URL within 4.5 s.",
    "refresh": "Accept refresh_token grants with the same client authentication as the code "
               "exchange.",
    "refresh-rotated": "Accept the rotated refresh token your last answer returned.",
    "refresh-after-expiry": "Keep refresh tokens valid for weeks or months, not minutes, and "
                            "not tied to the login session.",
    "wrong-secret": "Refuse wrong client secrets with 401 invalid_client.",
    "code-replay": "Make authorization codes single use (400 invalid_grant on reuse).",
    "wrong-password-page": "Show a wrong password's error inline, without alert().",
    "region-na": "Register https://pitangui.amazon.com/api/skill/link/<vendor id>.",
    "region-eu": "Register https://layla.amazon.com/api/skill/link/<vendor id>.",
    "region-fe": "Register https://alexa.amazon.co.jp/api/skill/link/<vendor id>.",
    "code-redirect-binding": "Store the redirect_uri with each code and refuse the exchange "
                             "when it differs (RFC 6749 4.1.3).",
    "link": "Read the step where the flow stopped: the request, the answer and what was found.",
}
UNREGISTERED_FIX = ("Compare redirect_uri with the registered Alexa redirect URLs exactly "
                    "(whole string), and refuse anything else without redirecting.")

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{padding:16px 20px;background:#232f3e;color:#fff}
header h1{font-size:18px;margin:0 0 4px}
.verdict-fail{color:#ffb3b3}.verdict-ok{color:#b6f2c3}
main{padding:12px 20px;max-width:1200px}
h2{font-size:16px;margin:18px 0 8px}
.finding{border-left:5px solid;padding:6px 10px;margin:6px 0;background:#fafafa}
.finding.fail{border-color:#c62828}.finding.warn{border-color:#ef8f00}
.finding .fix{color:#1b5e20}
.seq{position:relative;display:grid;grid-template-columns:repeat(4,1fr);row-gap:4px;
 background:linear-gradient(90deg,transparent calc(12.5% - 1px),#ccd calc(12.5% - 1px),
 #ccd calc(12.5% + 1px),transparent calc(12.5% + 1px),transparent calc(37.5% - 1px),
 #ccd calc(37.5% - 1px),#ccd calc(37.5% + 1px),transparent calc(37.5% + 1px),
 transparent calc(62.5% - 1px),#ccd calc(62.5% - 1px),#ccd calc(62.5% + 1px),
 transparent calc(62.5% + 1px),transparent calc(87.5% - 1px),#ccd calc(87.5% - 1px),
 #ccd calc(87.5% + 1px),transparent calc(87.5% + 1px))}
.actor{text-align:center;font-weight:600;background:#eef2f7;border:1px solid #99a;
 border-radius:6px;margin:0 6px 8px;padding:6px 2px}
.step{grid-column:1/5;display:grid;grid-template-columns:repeat(4,1fr);scroll-margin-top:8px}
.arrow{position:relative;margin:0 12.5%;border-top:2px solid #445;padding-top:3px;
 font-size:13px;overflow-wrap:anywhere;background:rgba(255,255,255,.85)}
.arrow.right::after,.arrow.left::after{content:"";position:absolute;top:-7px;
 border:6px solid transparent}
.arrow.right::after{right:-2px;border-left:10px solid #445}
.arrow.left::after{left:-2px;border-right:10px solid #445}
.arrow.dashed{border-top-style:dashed}
.status{font-weight:700}.s2{color:#1b5e20}.s3{color:#0d47a1}.s4,.s5,.sx{color:#b71c1c}
.found{color:#455}
.checks{grid-column:1/5;margin:0 12.5% 6px;display:flex;flex-wrap:wrap;gap:4px}
.check{font-size:12px;border-radius:10px;padding:1px 8px;border:1px solid}
.check.pass{background:#e8f5e9;border-color:#7cb342}
.check.warn{background:#fff3e0;border-color:#ef8f00}
.check.fail{background:#ffebee;border-color:#c62828;font-weight:700}
.check.skip{background:#f2f2f2;border-color:#aaa;color:#555}
.step:target .arrow{background:#fff8c4}
"""


def _column(actor: str) -> int:
    return ACTORS.index(actor) + 1 if actor in ACTORS else 2


def _check_badges(checks: Iterable[CheckResult]) -> str:
    return "".join(f'<span class="check {escape(c.status)}" title="{escape(c.reason)}">'
                   f'{escape(c.status.upper())} {escape(c.name)}</span>' for c in checks)


def _arrow(step: TraceStep) -> str:
    first, last = sorted((_column(step.source), _column(step.target)))
    direction = "right" if _column(step.target) >= _column(step.source) else "left"
    status = step.status if step.status is not None else "no answer"
    css = f"s{str(status)[0]}" if step.status is not None else "sx"
    parts = [f"<b>{step.index}.</b> {escape(step.method)} {escape(step.url)}",
             f'<span class="status {css}">&rarr; {escape(str(status))}</span>']
    if step.answer:
        parts.append(f"<small>{escape(step.answer)}</small>")
    if step.sent:
        parts.append(f"<br><small>sent: {escape(step.sent)}</small>")
    if step.found:
        parts.append(f'<br><span class="found">{escape("; ".join(step.found))}</span>')
    return (f'<div class="arrow {direction}" style="grid-column:{first}/{last + 1}">'
            + " ".join(parts) + "</div>")


def render_html(title: str, results: Sequence[CheckResult], steps: Sequence[TraceStep],
                closing: str | None = None) -> str:
    """The report as one HTML document."""
    counts = Counter(r.status for r in results)
    failed = counts["fail"] > 0
    by_step: dict[int, list[CheckResult]] = {}
    for r in results:
        by_step.setdefault(r.step, []).append(r)
    out = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
           f"<header><h1>{escape(title)}</h1><div class=\"verdict-"
           f"{'fail' if failed else 'ok'}\" id=verdict>{'FAILED' if failed else 'OK'}: "
           f"{counts['pass']} passed, {counts['warn']} warning(s), {counts['fail']} failed, "
           f"{counts['skip']} skipped</div></header><main>"]
    for status, heading in (("fail", "Failures"), ("warn", "Warnings")):
        found = [r for r in results if r.status == status]
        if not found:
            continue
        out.append(f'<section id="{status}s"><h2>{heading} ({len(found)})</h2>')
        for r in found:
            fix = FIXES.get(r.name) or (UNREGISTERED_FIX if r.name.startswith("unregistered-")
                                        else "")
            where = (f' <a href="#step-{r.step}">at step {r.step}</a>' if r.step else
                     " before the first request")
            out.append(f'<div class="finding {status}" data-check="{escape(r.name)}">'
                       f"<b>{escape(r.name)}</b>{where}<br>{escape(r.reason)}"
                       + (f'<br><span class="fix">fix: {escape(fix)}</span>'
                          if fix and status == "fail" else "") + "</div>")
        out.append("</section>")
    out.append('<h2>The linking flow</h2><div class="seq" id="sequence">')
    out.extend(f'<div class="actor">{escape(a)}</div>' for a in ACTORS)
    if by_step.get(0):
        out.append('<div class="step" id="step-0"><div class="found" style="grid-column:1/5;'
                   'margin:0 12.5%">before the first request</div></div>')
        out.append(f'<div class="checks">{_check_badges(by_step[0])}</div>')
    for step in steps:
        out.append(f'<div class="step" id="step-{step.index}" data-step="{step.index}">'
                   f"{_arrow(step)}</div>")
        if by_step.get(step.index):
            out.append(f'<div class="checks">{_check_badges(by_step[step.index])}</div>')
    if closing:
        out.append('<div class="step"><div class="arrow right dashed" style="grid-column:3/5">'
                   f"{escape(closing)}</div></div>")
    out.append("</div></main></body></html>")
    return "\n".join(out)


def write_html_report(path: Path, title: str, results: Sequence[CheckResult],
                      steps: Sequence[TraceStep]) -> None:
    """Write the report; the closing arrow shows what the skill receives when linking works."""
    linked = any(r.name in ("code-exchange", "implicit-token") and r.status == "pass"
                 for r in results)
    closing = ("then: Alexa sends the access token to the skill in every request "
               "(context.System.user.accessToken)" if linked else
               "the skill never receives a token: the user sees \"unable to link\"")
    Path(path).write_text(render_html(title, results, steps, closing), encoding="utf-8")


def write_link_report(path: Path, steps: Sequence[TraceStep], outcome: object) -> None:
    """The same page for one ``simulate`` link (``linking.trace_link``): its steps and outcome.

    ``outcome`` is the `TokenSet` or the `LinkingError` `trace_link` ended with; the check
    ``link`` sits at the last step.
    """
    failed = isinstance(outcome, Exception)
    last = steps[-1].index if steps else 0
    result = CheckResult("link", "fail" if failed else "pass", 0.0,
                         str(outcome) if failed else "linked: Alexa stores the tokens", last)
    closing = ("the skill never receives a token: the user sees \"unable to link\"" if failed
               else "then: Alexa sends the access token to the skill in every request "
                    "(context.System.user.accessToken)")
    Path(path).write_text(render_html("alexa-linkcheck simulate: link", [result], steps,
                                      closing), encoding="utf-8")
