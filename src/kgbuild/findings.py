"""Findings (results of checking the graph) and the Report that collects them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

SEVERITIES: tuple[str, ...] = ("violation", "warning", "info")  # most severe first


def severity_rank(severity: str) -> int:
    """0 for violation, 1 for warning, 2 for info."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise ValueError(f"unknown severity {severity!r} (known: {', '.join(SEVERITIES)})") from None


@dataclass(frozen=True)
class Finding:
    """One problem found in the graph.

    ``rule`` is a stable id (e.g. the SHACL shape's local name or
    ``quote-not-in-source``); ``focus`` the IRI of the node concerned (None
    for blank nodes, which ``focus_label`` then describes); ``path`` and
    ``value`` are short Turtle-like forms; ``file``/``line``/``column``
    point at where the focus node (or offending literal, or syntax error)
    is written, when found; ``hint`` says how to fix it, when known.
    """

    severity: str
    rule: str
    message: str
    focus: str | None = None
    focus_label: str | None = None
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None  # how to fix it, when the check knows

    def __post_init__(self) -> None:
        severity_rank(self.severity)

    def sort_key(self) -> tuple:
        return (
            severity_rank(self.severity),
            self.rule,
            self.file or "\uffff",
            self.line or 0,
            self.column or 0,
            self.focus or "",
            self.focus_label or "",
            self.path or "",
            self.value or "",
            self.message,
        )

    def to_dict(self) -> dict[str, str | int | None]:
        # every field is a str, int or None: no deep copy needed (asdict's was most of the JSON output's time)
        return {name: getattr(self, name) for name in FINDING_FIELDS}


FINDING_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Finding))


@dataclass(frozen=True)
class Report:
    """All findings of one check run, sorted deterministically (duplicates removed)."""

    findings: tuple[Finding, ...] = ()

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Report:
        return cls(tuple(sorted(set(findings), key=Finding.sort_key)))

    @property
    def counts(self) -> dict[str, int]:
        counts = {severity: 0 for severity in SEVERITIES}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    @property
    def conforms(self) -> bool:
        """True when there is no finding at all, of any severity: SHACL's ``sh:conforms`` (SHACL 3.6.1.1).

        Whether findings *fail* a run (exit status, publishing the graph) is a separate policy: ``fails``.
        """
        return not self.findings

    @property
    def worst(self) -> str | None:
        """The most severe severity present, or None when there are no findings."""
        present = {finding.severity for finding in self.findings}
        return next((severity for severity in SEVERITIES if severity in present), None)

    def fails(self, threshold: str) -> bool:
        """True when some finding is at least as severe as ``threshold`` (the ``--fail-on`` policy)."""
        limit = severity_rank(threshold)
        return any(severity_rank(finding.severity) <= limit for finding in self.findings)

    def to_dict(self) -> dict:
        """The JSON form: ``{"conforms", "counts", "findings": [Finding fields...]}`` (``conforms``: no finding)."""
        return {
            "conforms": self.conforms,
            "counts": self.counts,
            "findings": [finding.to_dict() for finding in self.findings],
        }
