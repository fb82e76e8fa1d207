from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from kgbuild.backends.convert import to_ox
from kgbuild.canon import canonical_graph
from kgbuild.rdfio import parse_turtle
from kgbuild.serialize import graph_turtle, turtle
from kgbuild.sources import _canonical_store

EX = "https://example.org/x#"
TEXT = f"""@prefix ex: <{EX}> .
ex:b ex:p [ ex:q "two" ; ex:r [ ex:s 2 ] ] .
ex:a ex:p [ ex:q "one" ] , [ ex:q "one" ] .
ex:a ex:label "caf\u00e9 \\"quoted\\"\\nline"@en .
"""
DATA = "https://example.org/graph/data"


def _ntriples() -> bytes:
    """The text's sorted N-Triples with canonical blank nodes, as a build publishes them."""
    store = _canonical_store((), (parse_turtle(TEXT, file="t.ttl"),), ontology_iri=DATA + "/o")
    return b"".join(sorted(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).splitlines(True)))


def _rdflib(data: bytes, format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data.decode("utf-8"), format=format)


def test_canonical_graph_relabels_blank_nodes_deterministically():
    first, second = rdflib.Graph(), rdflib.Graph()
    for graph in (first, second):
        node = BNode()  # a different random id each time
        graph.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
        graph.add((node, URIRef(EX + "q"), Literal("v")))
    assert set(canonical_graph(first)) == set(canonical_graph(second))


def test_turtle_uses_only_the_given_prefixes_and_round_trips():
    triples = _ntriples()
    data = turtle(triples, prefixes=[("ex", EX), ("unused", "https://example.org/unused#")])
    text = data.decode("utf-8")
    header = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert sorted(header) == [f"@prefix ex: <{EX}> .", "@prefix unused: <https://example.org/unused#> ."]
    assert "ns1:" not in text and "ex:a ex:label" in text
    assert isomorphic(_rdflib(data, "turtle"), _rdflib(triples, "nt"))
    assert turtle(triples, prefixes=[("ex", EX)]) == turtle(_ntriples(), prefixes=[("ex", EX)])


def test_graph_turtle_of_a_small_rdflib_graph():
    graph = rdflib.Graph()
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("v")))
    text = graph_turtle(graph, prefixes=[("ex", EX)]).decode("utf-8")
    assert "@prefix ex: <https://example.org/x#> ." in text and "ex:a ex:p \"v\" ." in text
    assert to_ox(Literal("v")) == ox.Literal("v")
