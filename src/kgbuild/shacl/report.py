"""The engine's results as values, and the SHACL validation report graph made of them when one is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node


@dataclass(frozen=True)
class Result:
    """One validation result, in SHACL's terms (rdflib terms; blank nodes as stored)."""

    shape: Node  # sh:sourceShape (a node of the shapes graph)
    component: str  # a SHACL component's local name without "ConstraintComponent" ("MinCount"), or the IRI of a
    # SPARQL-based constraint component the shapes graph declares
    severity: URIRef  # sh:Violation, sh:Warning, sh:Info
    focus: Node
    path: Node | None  # sh:resultPath (a node of the shapes graph, or an IRI from a SPARQL ?path)
    value: Node | None
    messages: tuple[Literal, ...]
    constraint: Node | None = None  # sh:sourceConstraint (SPARQL-based constraints)

    @property
    def component_iri(self) -> URIRef:
        """Its sh:sourceConstraintComponent."""
        if ":" in self.component:  # a SPARQL-based constraint component's IRI
            return URIRef(self.component)
        return SH[f"{'SPARQL' if self.component == 'Sparql' else self.component}ConstraintComponent"]


def report_graph(results: Iterable[Result], *,
                 messages: Callable[[Result], Iterable[Literal]] | None = None) -> Graph:
    """A pyshacl-style ``sh:ValidationReport`` of ``results``: one ``sh:ValidationResult`` each, with
    ``messages(result)`` as its ``sh:resultMessage`` (default: the result's own messages). Paths are the shapes
    graph's nodes; their triples are not copied."""
    graph = Graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    conforms = True
    for result in results:
        conforms = False  # any result, even sh:Info (SHACL 3.6.1.1)
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.sourceShape, result.shape))
        graph.add((node, SH.focusNode, result.focus))
        graph.add((node, SH.resultSeverity, result.severity))
        graph.add((node, SH.sourceConstraintComponent, result.component_iri))
        if result.path is not None:
            graph.add((node, SH.resultPath, result.path))
        if result.value is not None:
            graph.add((node, SH.value, result.value))
        if result.constraint is not None:
            graph.add((node, SH.sourceConstraint, result.constraint))
        for message in (result.messages if messages is None else messages(result)):
            graph.add((node, SH.resultMessage, message))
    graph.add((report, SH.conforms, Literal(conforms)))
    return graph
