"""Results of both commands and their human and JSON renderings."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Literal

Level = Literal["error", "warning"]
Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Finding:
    """One defect found by ``alexa-linkcheck project`` in one file at one JSON path."""

    level: Level
    code: str
    file: str
    path: str
    message: str
    fix: str
    source: str


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one live check made by ``alexa-linkcheck server``."""

    name: str
    status: Status
    seconds: float
    reason: str
    #: the step of the run's trace this check judged (0: before any request)
    step: int = 0


def render_findings(findings: Iterable[Finding], root: str) -> str:
    """Human output of ``alexa-linkcheck project``: one block per finding, then a summary."""
    findings = list(findings)
    lines = [f"alexa-linkcheck project {root}"]
    for f in findings:
        lines.append(f"{f.level.upper():7} {f.file} {f.path} [{f.code}]")
        lines.append(f"        {f.message}")
        lines.append(f"        fix: {f.fix}")
        lines.append(f"        see: {f.source}")
    counts = Counter(f.level for f in findings)
    lines.append(
        f"{counts['error']} error(s), {counts['warning']} warning(s): "
        + ("FAILED" if counts["error"] else "OK")
    )
    return "\n".join(lines)


def findings_json(findings: Iterable[Finding], root: str) -> str:
    """``--json`` output of ``alexa-linkcheck project``."""
    findings = list(findings)
    counts = Counter(f.level for f in findings)
    return json.dumps(
        {
            "project": root,
            "ok": counts["error"] == 0,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "findings": [asdict(f) for f in findings],
        },
        indent=2,
    )


def render_checks(results: Iterable[CheckResult], target: str) -> str:
    """Human output of ``alexa-linkcheck server``: one line per check, then a summary."""
    results = list(results)
    lines = [f"alexa-linkcheck server {target}"]
    width = max((len(r.name) for r in results), default=10)
    for r in results:
        lines.append(f"{r.status.upper():4} {r.name:<{width}} {r.seconds:6.3f}s  {r.reason}")
    counts = Counter(r.status for r in results)
    verdict = "FAILED" if counts["fail"] else "OK"
    lines.append(
        f"{counts['pass']} passed, {counts['warn']} warning(s), {counts['fail']} failed, "
        f"{counts['skip']} skipped: {verdict}"
    )
    return "\n".join(lines)


def checks_json(results: Iterable[CheckResult], target: str) -> str:
    """``--json`` output of ``alexa-linkcheck server``."""
    results = list(results)
    counts = Counter(r.status for r in results)
    return json.dumps(
        {
            "server": target,
            "ok": counts["fail"] == 0,
            "summary": {s: counts[s] for s in ("pass", "warn", "fail", "skip")},
            "checks": [asdict(r) for r in results],
        },
        indent=2,
    )


# -- project output with the layout, and usage errors (alexa-linkcheck project / CLI) --------
def render_project(findings: Iterable[Finding], root: str, layout: str) -> str:
    """Human output of ``alexa-linkcheck project``: what the project is, then the findings."""
    lines = render_findings(findings, root).split("\n")
    lines.insert(1, f"layout: {layout}")
    return "\n".join(lines)


def project_json(findings: Iterable[Finding], root: str, layout: str,
                 skill: dict[str, Any] | None = None) -> str:
    """``--json`` output of ``alexa-linkcheck project``, with the layout it recognised."""
    data = json.loads(findings_json(findings, root))
    head = {"project": data.pop("project"), "layout": layout}
    if skill is not None:
        head["skill"] = skill
    return json.dumps({**head, **data}, indent=2)


def usage_error_json(command: str | None, message: str) -> str:
    """``--json`` output when the command line or an input cannot be used (exit status 2)."""
    return json.dumps({"command": command, "ok": False, "error": "usage", "message": message},
                      indent=2)
