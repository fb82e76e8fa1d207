"""The Check protocol, the context the graph checks read, and the one runner every pipeline calls.

A check has an ``id``, a ``title``, a ``severity`` (the worst its findings can have), the catalogued ``rules`` it
reports (``kgbuild.checks.rules``; empty for SHACL, whose rule ids are the project's shape names), what it
``reads`` (said in ``kgbuild validate --list-rules``), and ``run(context) -> list[Finding]``: findings are values;
failures (an unusable query file, an unreachable endpoint) are exceptions from ``kgbuild.errors``.
``run_all`` runs checks one after the other and holds each to its catalogued rules and severities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from kgbuild.checks.rules import RULES
from kgbuild.findings import SEVERITIES, Finding, severity_rank
from kgbuild.locate import Locator
from kgbuild.project import Project
from kgbuild.terms import Names

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kgbuild.backends.base import Dataset
    from kgbuild.shacl import WrittenLiterals

C = TypeVar("C", contravariant=True)
Ctx = TypeVar("Ctx")

# the rows of a SELECT on the checked graph: (query text, the file it came from, shown in errors) -> rows of terms
Select = Callable[[str, str], Iterable[Mapping[str, Any]]]


class Check(Protocol[C]):
    """One check over a context of type C."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def rules(self) -> tuple[str, ...]: ...

    @property
    def reads(self) -> str: ...

    @property
    def severity(self) -> str: ...

    def run(self, context: C) -> list[Finding]: ...


def worst_severity(rules: Iterable[str]) -> str:
    """The most severe severity of the catalogued ``rules`` (``violation`` for none: SHACL shapes may say any)."""
    ranks = [severity_rank(RULES[rule].severity) for rule in rules]
    return SEVERITIES[min(ranks)] if ranks else SEVERITIES[0]


@dataclass(frozen=True)
class GraphContext:
    """What the checks of a whole graph read: the project (its configured queries, shapes, source texts), the graph
    as rows of SELECT queries, as the dataset kgbuild's SHACL engine runs on (an ``ox.Store`` or an
    ``EndpointDataset``), and the triples around given nodes (to name them); ``names`` and ``locator`` name terms and
    find the file:line they are written at (an endpoint's graph has no files: an empty locator)."""

    project: Project
    select: Select
    dataset: ox.Store | Dataset
    neighbourhood: Callable[[list[Any]], Any]
    names: Names
    locator: Locator
    written: WrittenLiterals | None = None  # the literals as written, where the store keeps another form


class CheckError(AssertionError):
    """A check reported a finding its catalogue entry does not allow: a programming error, never the user's."""


def run_all(checks: Sequence[Check[Ctx]], context: Ctx) -> list[Finding]:
    """Every check's findings on ``context``, in the order of ``checks``; a finding whose rule the check has not
    catalogued, or whose severity differs from the catalogue's, is a CheckError."""
    findings: list[Finding] = []
    for check in checks:
        found = check.run(context)
        if check.rules:
            for finding in found:
                if finding.rule not in check.rules or RULES[finding.rule].severity != finding.severity:
                    raise CheckError(f"check {check.id} reported {finding.severity} {finding.rule!r}, not one of its "
                                     f"catalogued rules {', '.join(check.rules)}")
        findings.extend(found)
    return findings
