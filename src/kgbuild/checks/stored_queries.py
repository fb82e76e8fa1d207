"""The check of the project's stored-query catalogue (``queries/``): every query parses, its parameters are used,
the competency questions are answered. The check itself is ``kgbuild.queries.catalogue.check_catalogue``."""

from __future__ import annotations

from kgbuild.checks.base import GraphContext, worst_severity
from kgbuild.findings import Finding


class QueryCatalogueCheck:
    """``check_catalogue`` as a Check; ``remember``: keep its parser verdicts beside the store (the build)."""

    id = "query-catalogue"
    title = "the stored queries of queries/ and the competency questions they answer"
    rules = ("query-header", "query-syntax", "query-duplicate-name", "query-parameter-unused",
             "query-parameter-not-projected", "query-parameter-not-in-outer-group", "question-without-query",
             "query-answers-unknown-question", "question-list-unreadable", "query-calls-service")
    reads = "the project's query files and its [catalogue] questions file (not the graph)"
    severity = worst_severity(rules)

    def __init__(self, *, remember: bool = False) -> None:
        self.remember = remember

    def run(self, context: GraphContext) -> list[Finding]:
        from kgbuild.queries.catalogue import check_catalogue

        return list(check_catalogue(context.project, remember=self.remember))
