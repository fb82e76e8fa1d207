"""The canonical in-memory store of a build, and the sorted dumps it publishes (graph.nt, graph.nq)."""

from __future__ import annotations

import rdflib
from rdflib import Graph
from rdflib.compare import isomorphic

from kgbuild.rdfio import parse_turtle
from kgbuild.sources import Sources, _canonical_store

EX = "https://example.org/x#"
ONTOLOGY_IRI = "https://example.org/graph/ontology"
DATA_IRI = "https://example.org/graph/data"
DATA = f"""@prefix ex: <{EX}> .
ex:b ex:p [ ex:q "two" ; ex:r [ ex:s 2 ] ] .
ex:a ex:p [ ex:q "one" ] , [ ex:q "one" ] .
ex:a ex:label "caf\u00e9 \\"quoted\\"\\nline"@en , "x"@en-gb , "x"@en .
ex:Thing ex:note "stated in the ontology and again in the data" .
"""
ONTOLOGY = f"""@prefix ex: <{EX}> .
ex:Thing ex:note "stated in the ontology and again in the data" .
ex:Thing ex:comment "only in the ontology" ; ex:seeAlso [ ex:q "ontology blank node" ] .
"""


def sources(data: str = DATA, ontology: str = ONTOLOGY) -> Sources:
    store = _canonical_store(
        (parse_turtle(ontology, file="o.ttl"),), (parse_turtle(data, file="d.ttl"),),
        ontology_iri=ONTOLOGY_IRI,
    )
    return Sources(store=store, ontology_iri=ONTOLOGY_IRI, data_iri=DATA_IRI, shapes=Graph(),
                   prefixes=(), shapes_prefixes=(), texts=())


def parsed(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def test_same_text_loaded_twice_gives_identical_bytes_and_store_order():
    # the parser invents new random blank-node ids on every parse; canonicalisation removes them
    first, second = sources(), sources()
    assert first.dumps() == second.dumps()
    assert list(first.store) == list(second.store)  # insertion order: GROUP_CONCAT in messages follows it


def test_union_ntriples_are_sorted_complete_and_hold_each_triple_once():
    union, _ = sources().dumps()
    lines = union.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(set(lines)) == 15  # 12 data triples + 4 ontology triples, one of them in both
    expected = parsed(DATA) + parsed(ONTOLOGY)
    assert isomorphic(rdflib.Graph().parse(data=union, format="nt"), expected)


def test_nquads_put_each_part_in_its_graph_and_a_shared_triple_in_both():
    _, quads = sources().dumps()
    lines = quads.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    in_data = [line for line in lines if line.endswith(f"<{DATA_IRI}> .")]
    in_ontology = [line for line in lines if line.endswith(f"<{ONTOLOGY_IRI}> .")]
    assert len(in_data) == 12 and len(in_ontology) == 4 and len(lines) == 16
    shared = f'<{EX}Thing> <{EX}note> "stated in the ontology and again in the data"'
    assert f"{shared} <{DATA_IRI}> ." in lines and f"{shared} <{ONTOLOGY_IRI}> ." in lines
    assert not any("only in the ontology" in line for line in in_data)
    for part, text in ((in_data, DATA), (in_ontology, ONTOLOGY)):
        triples = "".join(line.rsplit(" <", 1)[0] + " .\n" for line in part)
        assert isomorphic(rdflib.Graph().parse(data=triples, format="nt"), parsed(text))


def test_counts_and_quads_of_each_part_agree_with_the_dumps():
    found = sources()
    assert (found.count(), found.count(ONTOLOGY_IRI), found.count(DATA_IRI)) == (15, 4, 12)
    assert len(list(found.quads(DATA_IRI))) == 12 and len(list(found.quads(ONTOLOGY_IRI))) == 4
    assert isomorphic(found.data, parsed(DATA))
    assert isomorphic(found.ontology, parsed(ONTOLOGY))


def test_without_blank_nodes_or_ontology():
    found = sources(data=f'<{EX}a> <{EX}p> "v" .\n', ontology="")
    union, quads = found.dumps()
    assert union == f'<{EX}a> <{EX}p> "v" .\n'.encode()
    assert quads == f'<{EX}a> <{EX}p> "v" <{DATA_IRI}> .\n'.encode()
    empty = sources(data="", ontology="")
    assert empty.dumps() == (b"", b"") and empty.count(DATA_IRI) == 0
