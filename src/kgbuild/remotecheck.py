"""``kgbuild validate --endpoint URL``: the project's SHACL shapes run on the graph a SPARQL 1.1 store holds.

Nothing is downloaded: kgbuild's engine sends each shape's queries to the endpoint (``kgbuild.backends.remote.EndpointDataset``)
and reads back only the failing rows; then one more query fetches the triples around the IRIs those rows name (their
labels), to name them in the findings as the local validation does.

What differs from ``kgbuild validate`` on the project:

- the SHACL shapes and the quote check run (the quotes query is sent to the endpoint, its rows — one per quote,
  not the graph — are compared with the project's archived source texts); so do the word-overlap check of stated
  facts and the language-tag check (their queries sent to the endpoint). The query catalogue check is not run: it
  is about the project's queries/, not about the store.
- findings carry no file and line (the store's triples were not read from a file of the project).
- blank nodes cannot be named in a SPARQL query, so a finding about a blank node is not named after the IRI it
  hangs from (its label is the store's).
- literals are judged as the store keeps them (Oxigraph stores "01"^^xsd:integer as "1"): the local validation
  judges them as written in the files.
- the items a shape's message lists with GROUP_CONCAT may come in another order (SPARQL leaves it to the store;
  the embedded store follows insertion order).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from kgbuild.backends.convert import from_ox
from kgbuild.backends.remote import EndpointDataset
from kgbuild.checks.base import GraphContext, run_all
from kgbuild.checks.language import LanguageTagCheck
from kgbuild.checks.quotes import QuoteCheck
from kgbuild.checks.shapes import ShaclCheck
from kgbuild.checks.stated_facts import StatedFactsCheck
from kgbuild.errors import EndpointError
from kgbuild.findings import Report
from kgbuild.locate import Locator
from kgbuild.project import Project
from kgbuild.rdfio import read_text
from kgbuild.sources import BASE_PREFIXES, load_shapes, merge_prefixes
from kgbuild.sparqltext import values_column
from kgbuild.terms import Names

SKIPPED = ("the query catalogue check",)


def validate_endpoint(project: Project, *, endpoint: str, graph: str | None = None, timeout: float = 30.0) -> Report:
    """The findings of the project's checks (quotes, SHACL, stated facts, language tags; not the query catalogue)
    on the graph ``graph`` (else the default graph) of the endpoint.

    Raises EndpointError (unreachable, refused, timed out, malformed answer; EmptyGraphError when the graph holds
    no triples: nothing would be checked), InputError (unusable shapes or files).
    """
    from kgbuild.selection import Target, require_triples

    dataset = EndpointDataset(endpoint, graph=graph, timeout=timeout)
    shapes, shapes_prefixes = load_shapes(project)
    require_triples(Target(endpoint=endpoint, graph=graph), timeout=timeout)
    names = Names(merge_prefixes(BASE_PREFIXES, *declared_prefixes(project)) + shapes_prefixes)
    context = GraphContext(project=project, select=lambda text, file: dataset.select(text).dicts(), dataset=dataset,
                           neighbourhood=lambda nodes: neighbourhood(dataset, nodes), names=names, locator=Locator(()))
    checks = (QuoteCheck(), ShaclCheck(shapes), StatedFactsCheck(), LanguageTagCheck())
    return Report.of(run_all(checks, context))


_PREFIX = re.compile(r"^[ \t]*(?:@prefix|(?i:prefix))[ \t]+([A-Za-z][\w.-]*)?:[ \t]*<([^>\s]*)>", re.MULTILINE)


def declared_prefixes(project: Project) -> list[tuple[tuple[str, str], ...]]:
    """The prefixes each ontology and data file declares (as the local validation names terms with them), read
    from the declarations at the start of a line: the files' triples are not parsed."""
    declared = []
    for path in (*project.ontology_files(), *project.data_files()):
        text = read_text(path, file=project.rel(path))
        declared.append(tuple(sorted({(m.group(1) or "", m.group(2)) for m in _PREFIX.finditer(text)})))
    return declared


def neighbourhood(dataset: EndpointDataset, nodes: list[Node | None] | list[Node]) -> Graph:
    """The triples about the IRIs among ``nodes`` and pointing at them, fetched in one query (a graph to name them)."""
    result = Graph(bind_namespaces="none")
    iris = sorted({str(node) for node in nodes if isinstance(node, URIRef)})
    for start in range(0, len(iris), 500):
        values = values_column("n", [_named(iri) for iri in iris[start:start + 500]])
        query = "SELECT ?s ?p ?o WHERE { " + values + " { ?n ?p ?o BIND(?n AS ?s) } UNION { ?s ?p ?n BIND(?n AS ?o) } }"
        for row in dataset.select(query).dicts():
            result.add((from_ox(row["s"]), from_ox(row["p"]), from_ox(row["o"])))  # type: ignore[arg-type]
    return result


def _named(iri: str) -> ox.NamedNode:
    """An IRI as a term of the query (pyoxigraph checks and writes it), never pasted text: the IRIs come from the
    store's answers. One pyoxigraph cannot write cannot be named in a query: an EndpointError."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise EndpointError(f"the store answered with an IRI a query cannot name ({exc}): {iri[:80]!r}") from None
