"""The checks of ``kgbuild build`` and ``kgbuild validate`` on a project: the quote check, SHACL validation, the
query catalogue check, the language-tag check and the word-overlap check of stated facts (each a ``Check`` of
this package), run by ``kgbuild.checks.base.run_all`` as one Report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kgbuild.backends.convert import from_ox
from kgbuild.canon import sorted_graph
from kgbuild.checks.base import Check, GraphContext, run_all
from kgbuild.checks.language import LanguageTagCheck
from kgbuild.checks.quotes import QuoteCheck
from kgbuild.checks.shapes import PyshaclCheck, ShaclCheck
from kgbuild.checks.stated_facts import StatedFactsCheck
from kgbuild.checks.stored_queries import QueryCatalogueCheck
from kgbuild.findings import Report
from kgbuild.locate import Locator, SourceText
from kgbuild.project import Project
from kgbuild.quotes import QuoteProblem
from kgbuild.rdfio import parse_turtle
from kgbuild.sources import Sources, load_sources
from kgbuild.sparql import SelectQuery, select_store_terms
from kgbuild.validation import run_shacl

CHECK_IRI = "urn:kgbuild:check:"  # sh:sourceConstraintComponent of non-SHACL findings in the report graph
_SEVERITY_IRIS = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}


@dataclass(frozen=True)
class CheckOutcome:
    report: Report
    make_graph: Callable[[], Graph] = field(repr=False, compare=False)

    @cached_property
    def results_graph(self) -> Graph:
        """The SHACL validation report graph, including the non-SHACL findings (made when first asked)."""
        return self.make_graph()


SHACL_ENGINES = ("kgbuild", "pyshacl")


def store_context(project: Project, sources: Sources) -> GraphContext:
    """The context of the checks on the project's parsed sources (their store, with files and lines)."""
    def select(text: str, file: str):
        return select_store_terms(sources.store, SelectQuery(file=file, text=text, prepared=None))

    return GraphContext(project=project, select=select, dataset=sources.store, neighbourhood=sources.neighbourhood,
                        names=sources.names(), locator=sources.locator(), written=sources.written)


def run_checks(project: Project, sources: Sources, *, remember: bool = False,
               engine: str = "kgbuild") -> CheckOutcome:
    """The build's checks on the sources' store, as one Report and the report graph: quotes, SHACL (on
    ``engine``), the query catalogue (``remember``: see ``QueryCatalogueCheck``), language tags, stated facts.

    SHACL runs on kgbuild's engine (kgbuild.shacl), tested to give the same
    results as pyshacl; findings are named from the triples around them.
    ``engine="pyshacl"`` runs pyshacl (the reference) instead, on an rdflib
    copy of the graph, for cross-checking: the same findings, more slowly.
    """
    if engine not in SHACL_ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (known: {', '.join(SHACL_ENGINES)})")
    quotes = QuoteCheck()
    shacl = PyshaclCheck(sources.graph, sources.shapes) if engine == "pyshacl" else ShaclCheck(sources.shapes)
    checks: tuple[Check[GraphContext], ...] = (
        quotes, shacl, QueryCatalogueCheck(remember=remember), LanguageTagCheck(), StatedFactsCheck())
    report = Report.of(run_all(checks, store_context(project, sources)))

    def results_graph() -> Graph:
        assert shacl.outcome is not None  # run above
        graph = shacl.outcome.results_graph
        _add_quote_problems(graph, quotes.problems, conforms=report.conforms)
        return graph

    return CheckOutcome(report=report, make_graph=results_graph)


def _add_quote_problems(graph: Graph, problems: tuple[QuoteProblem, ...], *, conforms: bool) -> None:
    """Record quote-check findings as sh:ValidationResult and make sh:conforms agree with the Report (true only
    when there is no finding at all, of any severity)."""
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    report_node = reports[0] if reports else BNode()
    graph.add((report_node, RDF.type, SH.ValidationReport))
    graph.set((report_node, SH.conforms, Literal(conforms, datatype=XSD.boolean)))
    for problem in problems:
        finding = problem.finding
        result = BNode()
        graph.add((report_node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, _SEVERITY_IRIS[finding.severity]))
        graph.add((result, SH.sourceConstraintComponent, URIRef(CHECK_IRI + finding.rule)))
        graph.add((result, SH.resultMessage, Literal(finding.message)))
        graph.add((result, SH.focusNode, problem.node))
        graph.add((result, SH.value, problem.quote))


def validate(project: Project, *, engine: str = "kgbuild") -> Report:
    """Parse the project and run every check; write nothing. ``engine``: see ``run_checks``."""
    return run_checks(project, load_sources(project), engine=engine).report


def validate_data(project: Project, *, turtle: str) -> Report:
    """SHACL-validate ``turtle`` together with the project's ontology against the project's shapes.

    For testing shapes on small examples: the project's data files and the
    quote check are not used. Findings point at lines of ``<data>``.
    """
    sources = load_sources(project)
    snippet = parse_turtle(turtle, file="<data>")
    snippet_triples = [  # parser blank-node ids are random, so cannot clash with canonical ones
        (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)) for quad in snippet.triples  # type: ignore[arg-type]
    ]
    graph = sorted_graph([*sources.ontology, *snippet_triples])
    locator = Locator((SourceText(file="<data>", text=turtle, prefixes=snippet.prefixes),))
    shacl = run_shacl(data_graph=graph, shapes_graph=sources.shapes, names=sources.names(), locator=locator)
    return Report.of(shacl.findings)
