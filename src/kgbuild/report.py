"""Rendering a Report as text (for people) or JSON (for programs).

JSON schema (stable)::

    {
      "conforms": bool,                      # no finding at all (SHACL's sh:conforms); exit status and
                                             # publishing follow --fail-on instead (counts tell which)
      "counts": {"violation": int, "warning": int, "info": int},
      "findings": [                          # sorted: severity, rule, file, line, ...
        {"severity": "violation" | "warning" | "info",
         "rule": str, "message": str,
         "focus": str | null,               # IRI of the focus node (null: blank node)
         "focus_label": str | null,
         "path": str | null,                # prefixed name / property path
         "value": str | null,               # Turtle-like short form
         "shape": str | null,               # SHACL shape (prefixed name), null for other checks
         "file": str | null, "line": int | null, "column": int | null,
         "hint": str | null}                 # how to fix it, when the check knows
      ]
    }
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from kgbuild.findings import SEVERITIES, Finding, Report, severity_rank

MAX_VALUE = 100


def render_text(report: Report, *, show: str = "info", fail_on: str | None = None) -> str:
    """One line per finding (``file:line: SEVERITY rule — focus — path — value — message``) and a summary.

    Findings less severe than ``show`` are only counted, in a line that says
    how many were left out. ``fail_on``: the summary also says whether the
    findings pass that ``--fail-on`` level (see ``summary_line``).
    """
    limit = severity_rank(show)
    shown = [f for f in report.findings if severity_rank(f.severity) <= limit]
    lines = [render_finding(finding) for finding in shown]
    hidden = len(report.findings) - len(shown)
    if hidden:
        lines.append(f"({hidden} findings less severe than {show} not shown: --show info lists them)")
    lines.append(summary_line(report, fail_on=fail_on))
    return "\n".join(lines) + "\n"


def render_finding(finding: Finding) -> str:
    parts = [f"{finding.severity.upper()} {finding.rule}"]
    focus = " ".join(
        part
        for part in (finding.focus_label, f"<{finding.focus}>" if finding.focus else None)
        if part
    )
    if focus:
        parts.append(focus)
    if finding.path:
        parts.append(finding.path)
    if finding.value:
        parts.append(_clip(finding.value))
    parts.append(finding.message)
    where = ""
    if finding.file:
        position = [finding.file] + [str(n) for n in (finding.line, finding.column) if n] if finding.line else [finding.file]
        where = ":".join(position) + ": "
    return where + " — ".join(parts)


def render_grouped(report: Report, *, files: Sequence[str], show: str = "info", style=None,
                   fail_on: str | None = None) -> str:
    """Findings grouped by file (in the order ``files`` gives, then any other), each with its hint, a
    count per file and a summary line (``fail_on`` as in ``render_text``). ``style(text, severity)`` may colour
    the severity words."""
    limit = severity_rank(show)
    paint = style or (lambda text, _severity: text)
    groups: dict[str | None, list[Finding]] = {file: [] for file in files}
    for finding in report.findings:
        groups.setdefault(finding.file, []).append(finding)
    lines: list[str] = []
    hidden = 0
    for file, findings in groups.items():
        lines.append(file if file is not None else "(not in a file)")
        for finding in sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.sort_key())):
            if severity_rank(finding.severity) > limit:
                hidden += 1
                continue
            text = render_finding(finding)
            label = f"{finding.severity.upper()} {finding.rule}"
            text = text.replace(label, paint(finding.severity.upper(), finding.severity) + f" {finding.rule}", 1)
            lines.append("  " + text)
            if finding.hint:
                lines.append(f"      hint: {finding.hint}")
        counts = Report.of(findings).counts
        lines.append("  " + ("no findings" if not findings else _tally(counts)))
    if hidden:
        lines.append(f"({hidden} findings less severe than {show} not shown: --show info lists them)")
    lines.append(summary_line(report, fail_on=fail_on))
    return "\n".join(lines) + "\n"


def _tally(counts: dict[str, int]) -> str:
    words = {"violation": "violations", "warning": "warnings", "info": "info"}
    return ", ".join(f"{counts[s]} {words[s] if counts[s] != 1 or s == 'info' else s}" for s in SEVERITIES)


def summary_line(report: Report, *, fail_on: str | None = None) -> str:
    """The counts and SHACL's verdict: the graph *conforms* only when there is no finding at all.

    With ``fail_on`` (the ``--fail-on`` level that decides the exit status),
    a graph that does not conform also says whether it passes that level,
    e.g. ``0 violations, 6 warnings, 21 info — does not conform (warnings and
    info only: passes --fail-on violation)``.
    """
    tally = _tally(report.counts)
    if report.conforms:
        return f"{tally} — conforms"
    if fail_on is None:
        return f"{tally} — does not conform"
    if report.fails(fail_on):
        return f"{tally} — does not conform (fails --fail-on {fail_on})"
    words = {"violation": "violations", "warning": "warnings", "info": "info"}
    present = [words[severity] for severity in SEVERITIES if report.counts[severity]]
    return f"{tally} — does not conform ({' and '.join(present)} only: passes --fail-on {fail_on})"


def render_json(report: Report) -> str:
    return to_json(report.to_dict())


def to_json(data: object) -> str:
    """Deterministic JSON text (2-space indent, UTF-8 characters kept, trailing newline)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"
