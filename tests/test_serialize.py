from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from kgbuild.canon import canonical_graph, to_ox
from kgbuild.rdfio import parse_turtle
from kgbuild.serialize import graph_turtle, nquads, ntriples, turtle
from kgbuild.sources import _canonical_store

EX = "https://example.org/x#"
TEXT = f"""@prefix ex: <{EX}> .
ex:b ex:p [ ex:q "two" ; ex:r [ ex:s 2 ] ] .
ex:a ex:p [ ex:q "one" ] , [ ex:q "one" ] .
ex:a ex:label "caf\u00e9 \\"quoted\\"\\nline"@en .
"""
DATA = "https://example.org/graph/data"


def _canonical_quads() -> list[ox.Quad]:
    """The text's triples with canonical blank nodes, as the build's store holds them (default graph)."""
    store = _canonical_store({DATA: (parse_turtle(TEXT, file="t.ttl"),)})
    return list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _rdflib(data: bytes, format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data.decode("utf-8"), format=format)


def test_same_text_parsed_twice_gives_identical_ntriples():
    # the parser invents new random blank-node ids on every parse
    assert ntriples(_canonical_quads()) == ntriples(_canonical_quads())


def test_ntriples_are_sorted_and_complete():
    data = ntriples(_canonical_quads())
    lines = data.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == 9
    expected = rdflib.Graph().parse(data=TEXT, format="turtle")
    assert isomorphic(_rdflib(data, "nt"), expected)


def test_canonical_graph_relabels_blank_nodes_deterministically():
    first, second = rdflib.Graph(), rdflib.Graph()
    for graph in (first, second):
        node = BNode()  # a different random id each time
        graph.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
        graph.add((node, URIRef(EX + "q"), Literal("v")))
    assert set(canonical_graph(first)) == set(canonical_graph(second))


def test_nquads_put_each_part_in_its_named_graph():
    data = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(DATA)) for q in _canonical_quads()]
    small = [ox.Quad(ox.NamedNode(EX + "o"), ox.NamedNode(EX + "p"), ox.Literal(1),
                     ox.NamedNode("https://example.org/graph/ontology"))]
    text = nquads(small, data).decode("utf-8").splitlines()
    assert text == sorted(text)
    assert sum(line.endswith(f"<{DATA}> .") for line in text) == 9
    assert text.count(
        f'<{EX}o> <{EX}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <https://example.org/graph/ontology> .'
    ) == 1


def test_turtle_uses_only_the_given_prefixes_and_round_trips():
    triples = ntriples(_canonical_quads())
    data = turtle(triples, prefixes=[("ex", EX), ("unused", "https://example.org/unused#")])
    text = data.decode("utf-8")
    header = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert sorted(header) == [f"@prefix ex: <{EX}> .", "@prefix unused: <https://example.org/unused#> ."]
    assert "ns1:" not in text and "ex:a ex:label" in text
    assert isomorphic(_rdflib(data, "turtle"), _rdflib(triples, "nt"))
    assert turtle(triples, prefixes=[("ex", EX)]) == turtle(ntriples(_canonical_quads()), prefixes=[("ex", EX)])


def test_graph_turtle_of_a_small_rdflib_graph():
    graph = rdflib.Graph()
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("v")))
    text = graph_turtle(graph, prefixes=[("ex", EX)]).decode("utf-8")
    assert "@prefix ex: <https://example.org/x#> ." in text and "ex:a ex:p \"v\" ." in text
    assert to_ox(Literal("v")) == ox.Literal("v")
