"""The quote check of a graph: each quote (the ``[checks] quotes`` query's rows) against its source's archived text
(``kgbuild.quotes`` reads the texts, from the sources folders only)."""

from __future__ import annotations

from kgbuild.checks.base import GraphContext, worst_severity
from kgbuild.findings import Finding
from kgbuild.quotes import (
    QUOTE_COLUMNS,
    RULE_NOT_IN_SOURCE,
    RULE_TEXT_MISSING,
    RULE_TEXT_OUTSIDE,
    RULE_TEXT_UNUSABLE,
    QuoteProblem,
    check_quotes,
)
from kgbuild.sparql import load_select


class QuoteCheck:
    """Quotes not found in their source's archived text. ``problems``: those of the last run (the report graph
    records their nodes and quotes)."""

    id = "quotes"
    title = "quotes against their sources' archived texts"
    rules = (RULE_NOT_IN_SOURCE, RULE_TEXT_MISSING, RULE_TEXT_OUTSIDE, RULE_TEXT_UNUSABLE)
    reads = "the rows of the [checks] quotes query, and the archived source texts in the sources folders"
    severity = worst_severity(rules)

    def __init__(self) -> None:
        self.problems: tuple[QuoteProblem, ...] = ()

    def run(self, context: GraphContext) -> list[Finding]:
        project = context.project
        self.problems = ()
        if project.quotes_query is not None:
            query = load_select(project.quotes_query, file=project.rel(project.quotes_query), required=QUOTE_COLUMNS)
            self.problems = check_quotes(context.select(query.text, query.file), root=project.root,
                                         sources=project.sources_dirs, names=context.names, locator=context.locator,
                                         context=context.neighbourhood)
        return [problem.finding for problem in self.problems]
