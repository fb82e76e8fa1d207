"""The quote check: each quote (the ``[checks] quotes`` query's rows) against its source's archived text
(``kgbuild.quotes`` reads the texts, from the sources folders only), on a whole graph (``QuoteCheck``) or on the
quotes of a contribution (``ContributionQuoteCheck``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgbuild.checks.base import GraphContext, worst_severity
from kgbuild.checks.graphreads import select_rows
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
from kgbuild.rdfio import read_text
from kgbuild.shacl import restricting_pays
from kgbuild.sparql import load_select

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution


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


class ContributionQuoteCheck:
    """The quotes of the contribution's nodes (the quotes query, restricted to them), with hints on fixing them."""

    id = "contribution-quotes"
    title = QuoteCheck.title
    rules = QuoteCheck.rules
    reads = QuoteCheck.reads
    severity = QuoteCheck.severity

    def run(self, c: Contribution) -> list[Finding]:
        from kgbuild.quotes import TextCache, quote_problem
        from kgbuild.sparqltext import restrict

        store = c.in_store()
        if c.project.quotes_query is None:
            return []
        text = read_text(c.project.quotes_query, file=c.project.rel(c.project.quotes_query))
        wanted = set(c.subjects)
        if restricting_pays(store, len(wanted)):
            query = restrict(text, "node", map(ox.NamedNode, c.subjects))
        else:  # many nodes: the whole graph's quotes, then only the contribution's (the same rows, sooner)
            query = text
        texts = TextCache(c.project.root, sources=c.project.sources_dirs)
        out = []
        for row in select_rows(store, query, c.project.rel(c.project.quotes_query)):
            node, quote, text_file = row.get("node"), row.get("quote"), row.get("textFile")
            if node is None or quote is None or getattr(node, "value", None) not in wanted:
                continue
            problem = quote_problem(quote.value, None if text_file is None else text_file.value, texts)
            if problem is None:
                continue
            rule, message = problem
            source = c.file_of(node)
            out.append(c.finding(rule, source, node, "", quote, message, _quote_hint(rule, texts.folders())))
        return out


def _quote_hint(rule: str, folders: str) -> str:
    from kgbuild.quotes import MAX_SOURCE_TEXT_BYTES

    if rule == "quote-not-in-source":
        return f"Copy the passage exactly from the source text (archived under {folders})."
    if rule == "source-text-outside-sources":
        return (f"Archive the source's text under {folders} and give its path relative to the project root; "
                "no other file is read.")
    if rule == "source-text-unusable":
        return (f"Archive the source's text as a UTF-8 text file of at most {MAX_SOURCE_TEXT_BYTES:,} bytes "
                f"under {folders}.")
    return f"Archive the source's text under {folders} and give its path in the source's text file property."
