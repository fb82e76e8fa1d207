"""``kgbuild validate --endpoint URL``: the project's SHACL shapes run on the graph a SPARQL 1.1 store holds.

Nothing is downloaded: kgbuild's engine sends each shape's queries to the endpoint (``kgbuild.remote.EndpointDataset``)
and reads back only the failing rows; then one more query fetches the triples around the IRIs those rows name (their
labels), to name them in the findings as the local validation does.

What differs from ``kgbuild validate`` on the project:

- the SHACL shapes and the quote check run (the quotes query is sent to the endpoint, its rows — one per quote,
  not the graph — are compared with the project's archived source texts). Not run: the query catalogue check (of
  the project's queries/, not of the store) and, not yet, the word-overlap check of stated facts and the
  language-tag check (both run queries, which could be sent to the endpoint the same way).
- findings carry no file and line (the store's triples were not read from a file of the project).
- blank nodes cannot be named in a SPARQL query, so a finding about a blank node is not named after the IRI it
  hangs from (its label is the store's).
- literals are judged as the store keeps them (Oxigraph stores "01"^^xsd:integer as "1"): the local validation
  judges them as written in the files.
- the items a shape's message lists with GROUP_CONCAT may come in another order (SPARQL leaves it to the store;
  the embedded store follows insertion order).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.term import Node

from kgbuild.canon import from_ox
from kgbuild.errors import InputError
from kgbuild.findings import Finding, Report
from kgbuild.locate import Locator
from kgbuild.project import Project
from kgbuild.quotes import QUOTE_COLUMNS, check_quotes
from kgbuild.rdfio import parse_files
from kgbuild.remote import EndpointDataset
from kgbuild.sources import BASE_PREFIXES, load_shapes, merge_prefixes
from kgbuild.sparql import load_select
from kgbuild.terms import Names
from kgbuild.validation import engine_outcome

SKIPPED = ("the stated-facts check", "the language-tag check", "the query catalogue check")


def validate_endpoint(project: Project, *, endpoint: str, graph: str | None = None, timeout: float = 30.0) -> Report:
    """The findings of the project's shapes on the graph ``graph`` (else the default graph) of the endpoint.

    Raises EndpointError (unreachable, refused, timed out, malformed answer), InputError (unusable shapes or files).
    """
    from kgbuild.federation import refuse_service_in_shapes
    from kgbuild.shacl import ShapesProgram

    dataset = EndpointDataset(endpoint, graph=graph, timeout=timeout)
    shapes, shapes_prefixes = load_shapes(project)
    ontology = parse_files(project.ontology_files(), root=project.root)
    names = Names(merge_prefixes(BASE_PREFIXES, *(f.prefixes for f in ontology)) + shapes_prefixes)
    try:
        results = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes).validate(dataset)
    except InputError as exc:
        raise InputError(f"SHACL shapes unusable: {exc.message}", file=project.rel(project.shapes_dir)) from None
    context = neighbourhood(dataset, [node for result in results for node in (result.focus, result.value)])
    outcome = engine_outcome(results, data_graph=context, shapes_graph=shapes, names=names, locator=Locator(()))
    return Report.of([*quote_findings(project, dataset, names=names), *outcome.findings])


def quote_findings(project: Project, dataset: EndpointDataset, *, names: Names) -> list[Finding]:
    """The quote check (``[checks] quotes``) on the store: its query's rows against the archived source texts."""
    if project.quotes_query is None:
        return []
    query = load_select(project.quotes_query, file=project.rel(project.quotes_query), required=QUOTE_COLUMNS)
    rows = dataset.solutions(query.text)[1]
    problems = check_quotes(rows, root=project.root, sources=project.sources_dirs, names=names, locator=Locator(()),
                            context=lambda nodes: neighbourhood(dataset, nodes))
    return [problem.finding for problem in problems]


def neighbourhood(dataset: EndpointDataset, nodes: list[Node | None] | list[Node]) -> Graph:
    """The triples about the IRIs among ``nodes`` and pointing at them, fetched in one query (a graph to name them)."""
    result = Graph(bind_namespaces="none")
    iris = sorted({str(node) for node in nodes if isinstance(node, URIRef)})
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[start:start + 500])
        query = ("SELECT ?s ?p ?o WHERE { VALUES ?n { " + values + " } "
                 "{ ?n ?p ?o BIND(?n AS ?s) } UNION { ?s ?p ?n BIND(?n AS ?o) } }")
        for row in dataset.solutions(query)[1]:
            result.add((from_ox(row["s"]), from_ox(row["p"]), from_ox(row["o"])))  # type: ignore[arg-type]
    return result
