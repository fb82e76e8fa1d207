"""All checks of a project: the quote check, SHACL validation, the word-overlap check of stated facts and the
query catalogue check, as one Report."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kgbuild.backends.convert import from_ox
from kgbuild.canon import sorted_graph
from kgbuild.errors import InputError
from kgbuild.findings import Finding, Report
from kgbuild.locate import Locator, SourceText
from kgbuild.project import Project
from kgbuild.quotes import QUOTE_COLUMNS, QuoteProblem, check_quotes
from kgbuild.rdfio import parse_turtle
from kgbuild.sources import Sources, load_sources
from kgbuild.sparql import load_select, select_store_terms
from kgbuild.validation import engine_outcome, run_shacl

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


def run_checks(project: Project, sources: Sources, *, remember: bool = False,
               engine: str = "kgbuild") -> CheckOutcome:
    """Quote check (if configured) plus SHACL validation of ontology ∪ data, both on the sources' store,
    plus the query catalogue check (``remember``: keep its parser verdicts, see ``check_catalogue``).

    SHACL runs on kgbuild's engine (kgbuild.shacl), tested to give the same
    results as pyshacl; findings are named from the triples around them.
    ``engine="pyshacl"`` runs pyshacl (the reference) instead, on an rdflib
    copy of the graph, for cross-checking: the same findings, more slowly.
    """
    if engine not in SHACL_ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (known: {', '.join(SHACL_ENGINES)})")
    names = sources.names()
    locator = sources.locator()
    problems: tuple[QuoteProblem, ...] = ()
    if project.quotes_query is not None:
        query = load_select(
            project.quotes_query, file=project.rel(project.quotes_query), required=QUOTE_COLUMNS
        )
        problems = check_quotes(
            select_store_terms(sources.store, query), root=project.root, sources=project.sources_dirs, names=names,
            locator=locator, context=sources.neighbourhood,
        )
    if engine == "pyshacl":
        shacl = run_shacl(data_graph=sources.graph, shapes_graph=sources.shapes, names=names, locator=locator,
                          shapes_file=project.rel(project.shapes_dir))
    else:
        shacl = _engine_shacl(project, sources, names=names, locator=locator)
    from kgbuild.queries.catalogue import check_catalogue

    catalogue = check_catalogue(project, remember=remember)
    languages = language_tag_findings(sources, names=names, locator=locator)
    overlap: list[Finding] = []
    if project.stated_facts_query is not None:
        query = load_select(project.stated_facts_query, file=project.rel(project.stated_facts_query),
                            required=STATED_FACT_COLUMNS)
        overlap = stated_fact_findings(select_store_terms(sources.store, query), names=names, locator=locator,
                                       context=sources.neighbourhood)
    report = Report.of([*(problem.finding for problem in problems), *shacl.findings, *overlap, *catalogue,
                        *languages])

    def results_graph() -> Graph:
        graph = shacl.results_graph
        _add_quote_problems(graph, problems, conforms=report.conforms)
        return graph

    return CheckOutcome(report=report, make_graph=results_graph)


def _engine_shacl(project: Project, sources: Sources, *, names, locator: Locator):
    from kgbuild.federation import refuse_service_in_shapes
    from kgbuild.shacl import ShapesProgram

    try:
        results = ShapesProgram(sources.shapes, refuse_service=refuse_service_in_shapes).validate(
            sources.store, written=sources.written)
    except InputError as exc:
        raise InputError(f"SHACL shapes unusable: {exc.message}", file=project.rel(project.shapes_dir)) from None
    context = sources.neighbourhood([node for result in results for node in (result.focus, result.value)])
    return engine_outcome(results, data_graph=context, shapes_graph=sources.shapes, names=names, locator=locator)


def language_tag_findings(sources: Sources, *, names, locator: Locator) -> list[Finding]:
    """The contribution check's ``unregistered-language`` rule on the project itself (warnings)."""
    return language_tag_findings_of(sources.store.query, context=sources.neighbourhood,  # type: ignore[arg-type]
                                    names=names, locator=locator)


def language_tag_findings_of(select: Callable[[str], Iterable[Any]], *, context: Callable[[list[Node]], Graph],
                             names, locator: Locator) -> list[Finding]:
    """``unregistered-language`` warnings from the rows ``select`` gives for two queries (the embedded store's,
    or an endpoint's): one for the distinct language tags of the graph; the literals of a tag are asked for
    only when the tag is wrong. ``context(nodes)``: a graph naming the literals' subjects."""
    from kgbuild.contribution import RULES, language_tag_problem
    from kgbuild.terms import describe

    rule = "unregistered-language"
    tags = [row["lang"].value for row in select(
        'SELECT DISTINCT (LANG(?o) AS ?lang) WHERE { ?s ?p ?o FILTER (LANG(?o) != "") }')]
    problems = {tag: problem for tag in sorted(tags) if (problem := language_tag_problem(tag)) is not None}
    if not problems:
        return []
    values = " ".join(str(ox.Literal(tag)) for tag in problems)  # a term, escaped: the tag may be anything
    rows = [(row["s"], row["p"], row["o"]) for row in select(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?lang {{ {values} }} ?s ?p ?o FILTER (LANG(?o) = ?lang) }}")]
    graph = context([from_ox(s) for s, _, _ in rows])
    findings = []
    for s, p, o in rows:
        message, suggestion = problems[o.language]
        where = locator.text(o.value) or (locator.subject(s.value) if isinstance(s, ox.NamedNode) else None)
        findings.append(Finding(
            severity=RULES[rule][0], rule=rule, message=message,
            focus=s.value if isinstance(s, ox.NamedNode) else None,
            focus_label=describe(graph, from_ox(s), names),
            path=names.iri(p.value), value=names.short(from_ox(o)),
            file=where.file if where else None, line=where.line if where else None,
            hint=f"Write the literal as \"...\"@{suggestion}." if suggestion else
            "Use a language tag from the IANA language subtag registry (BCP 47), e.g. @en, @be, @ru, @uk.",
        ))
    return findings


# --- the word-overlap check of stated facts --------------------------------------------------------------

STATED_FACT_COLUMNS = ("node", "quote", "path", "value", "text")
RULE_NO_SHARED_WORD = "quote-shares-no-word-with-value"
# dropped before comparing: too common to show that a passage names a value
STOP_WORDS = frozenset("the and of for with from into in on to at by as an is it".split())
PREFIX = 5  # two words match when they share their first min(len, PREFIX) characters (Belarus/Belarusian)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
_ACRONYM = re.compile(r"(?<!\w)\w(?:\.\w(?!\w))+\.?")  # U.S. / U.S / e.g.: single letters joined by dots
_THOUSANDS = re.compile(r"(?<=\d)[,.\u202f\u00a0](?=\d{3}(?!\d))")  # 1,257 -> 1257
_WORD = re.compile(r"\w+")


def words(text: str) -> frozenset[str]:
    """The words of ``text`` for the overlap check: case-folded, dotted acronyms and thousands joined
    ("U.S." -> "us", "1,257" -> "1257"), one-letter words and stop words dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    while _THOUSANDS.search(text):
        text = _THOUSANDS.sub("", text)
    return frozenset(w for w in _WORD.findall(text) if len(w) > 1 and w not in STOP_WORDS)


def words_match(a: str, b: str) -> bool:
    n = min(len(a), len(b), PREFIX)
    return a[:n] == b[:n]


def shares_a_word(quote: str, texts: Iterable[str]) -> bool | None:
    """Whether the quote shares a word with one of the texts; None when no text has a word to compare."""
    quoted = words(quote)
    compared = False
    for text in texts:
        for word in words(text):
            compared = True
            if any(words_match(word, other) for other in quoted):
                return True
    return False if compared else None


def stated_fact_findings(
    rows: Iterable[Mapping[str, object]],
    *,
    names,
    locator: Locator,
    context: Callable[[list], Graph],
) -> list[Finding]:
    """Warnings for stated facts whose quote shares no word with any text of the value.

    ``rows``: the stated-facts query's rows (?node ?quote ?path ?value ?text), one per text of a value;
    the texts of one (node, quote, path, value) are compared together.
    """
    from kgbuild.terms import describe

    texts: dict[tuple, list[str]] = {}
    for row in rows:
        node, quote, path, value, text = (row.get(c) for c in STATED_FACT_COLUMNS)
        if node is None or quote is None or path is None or value is None or text is None:
            continue
        texts.setdefault((node, quote, path, value), []).append(_lexical(text))
    missing = [key for key, found in texts.items() if shares_a_word(_lexical(key[1]), found) is False]
    if not missing:
        return []
    graph = context([_rdflib_term(node) for node, *_ in missing])
    findings = []
    for node, quote, path, value in sorted(missing, key=lambda k: tuple(str(t) for t in k)):
        focus, quoted, shown = _rdflib_term(node), _lexical(quote), names.short(_rdflib_term(value))
        subject = locator.subject(str(focus)) if isinstance(focus, URIRef) else None
        where = locator.text(quoted, after=subject) or subject  # the quote under its node, where it is written
        alternatives = " / ".join(sorted(set(texts[(node, quote, path, value)])))
        findings.append(Finding(
            severity="warning", rule=RULE_NO_SHARED_WORD,
            message=(f"The passage \"{quoted}\" is said to state {names.iri(_lexical(path))} {shown}, but shares no "
                     f"word with it ({alternatives})."),
            focus=str(focus) if isinstance(focus, URIRef) else None,
            focus_label=describe(graph, focus, names),
            path=names.iri(_lexical(path)), value=shown,
            file=where.file if where else None, line=where.line if where else None,
            hint="Check that this passage states the fact, and cite the passage that names the value; if it names "
                 "it in other words, add that word to the value's SKOS labels.",
        ))
    return findings


def _lexical(term: object) -> str:
    """The lexical form or IRI of an rdflib or pyoxigraph term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, (URIRef, Literal, BNode)) else str(term)


def _rdflib_term(term: object):
    return term if isinstance(term, (URIRef, Literal, BNode)) else from_ox(term)


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
        (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)) for quad in snippet.triples
    ]
    graph = sorted_graph([*sources.ontology, *snippet_triples])
    locator = Locator((SourceText(file="<data>", text=turtle, prefixes=snippet.prefixes),))
    shacl = run_shacl(data_graph=graph, shapes_graph=sources.shapes, names=sources.names(), locator=locator)
    return Report.of(shacl.findings)
