from __future__ import annotations

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from kgbuild.canon import canonical_graph, canonical_graphs
from kgbuild.rdfio import parse_turtle
from kgbuild.serialize import nquads, ntriples, turtle

EX = "https://example.org/x#"
TEXT = f"""@prefix ex: <{EX}> .
ex:b ex:p [ ex:q "two" ; ex:r [ ex:s 2 ] ] .
ex:a ex:p [ ex:q "one" ] , [ ex:q "one" ] .
ex:a ex:label "caf\u00e9 \\"quoted\\"\\nline"@en .
"""


def _canonical_from_text() -> rdflib.Graph:
    name = "urn:test"
    return canonical_graphs({name: parse_turtle(TEXT, file="t.ttl").triples})[name]


def test_same_text_parsed_twice_gives_identical_ntriples():
    # the parser invents new random blank-node ids on every parse
    assert ntriples(_canonical_from_text()) == ntriples(_canonical_from_text())


def test_ntriples_are_sorted_and_complete():
    graph = _canonical_from_text()
    lines = ntriples(graph).decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(graph) == 9
    reparsed = rdflib.Graph().parse(data="\n".join(lines), format="nt")
    assert isomorphic(reparsed, graph)


def test_canonical_graph_relabels_blank_nodes_deterministically():
    first, second = rdflib.Graph(), rdflib.Graph()
    for graph in (first, second):
        node = BNode()  # a different random id each time
        graph.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
        graph.add((node, URIRef(EX + "q"), Literal("v")))
    assert set(canonical_graph(first)) == set(canonical_graph(second))


def test_nquads_put_each_part_in_its_named_graph():
    graph = _canonical_from_text()
    small = rdflib.Graph()
    small.add((URIRef(EX + "o"), URIRef(EX + "p"), Literal(1)))
    lines = nquads([("https://example.org/graph/data", graph), ("https://example.org/graph/ontology", small)])
    text = lines.decode("utf-8").splitlines()
    assert text == sorted(text)
    assert sum(line.endswith("<https://example.org/graph/data> .") for line in text) == 9
    assert text.count(
        f'<{EX}o> <{EX}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <https://example.org/graph/ontology> .'
    ) == 1


def test_turtle_uses_only_the_given_prefixes_and_round_trips():
    graph = _canonical_from_text()
    data = turtle(graph, prefixes=[("ex", EX), ("unused", "https://example.org/unused#")]).decode("utf-8")
    assert data.startswith(f"@prefix ex: <{EX}> .\n")
    assert "ns1:" not in data
    assert isomorphic(rdflib.Graph().parse(data=data, format="turtle"), graph)
