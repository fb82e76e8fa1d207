"""Blank-node canonicalisation (terms change model in kgbuild.backends.convert).

Blank nodes are relabelled with W3C RDF Dataset Canonicalization (RDFC-1.0,
as implemented by pyoxigraph), so the same input gives the same labels in
every process. Everything kgbuild writes or reports is derived from
canonicalised graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from kgbuild.backends.convert import from_ox, to_ox


def canonical_graphs(named: Mapping[str, Iterable[ox.Quad]], *, label_prefix: str = "") -> dict[str, Graph]:
    """Canonicalise several graphs together (blank-node labels unique across them).

    ``named`` maps a graph IRI to its triples (graph names of the quads are
    ignored). Returns one rdflib Graph per key, with canonical blank nodes
    labelled ``<label_prefix>c14n<N>`` (a prefix keeps graphs canonicalised
    separately from sharing labels).
    """
    dataset = ox.Dataset()
    for name, quads in named.items():
        graph_name = ox.NamedNode(name)
        for quad in quads:
            dataset.add(ox.Quad(quad.subject, quad.predicate, quad.object, graph_name))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    triples: dict[str, list[tuple[Node, Node, Node]]] = {name: [] for name in named}
    for quad in dataset:
        triples[quad.graph_name.value].append(
            (
                from_ox(quad.subject, label_prefix=label_prefix),
                from_ox(quad.predicate),
                from_ox(quad.object, label_prefix=label_prefix),
            )
        )
    return {name: sorted_graph(found) for name, found in triples.items()}


def sorted_graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    """A new graph with the triples inserted in sorted order.

    rdflib's in-memory store keeps its indexes in insertion-ordered dicts, so
    a deterministic insertion order makes query evaluation order (e.g. of
    GROUP_CONCAT) the same in every process.
    """
    graph = Graph(bind_namespaces="none")
    for triple in sorted(set(triples), key=_triple_key):
        graph.add(triple)
    return graph


def _triple_key(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def canonical_graph(graph: Graph) -> Graph:
    """A copy of an rdflib graph with canonical blank-node labels (prefix bindings kept)."""
    name = "urn:x-kgbuild:graph"
    quads = (
        ox.Quad(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    result = canonical_graphs({name: quads})[name]
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, namespace, override=True, replace=True)
    return result
