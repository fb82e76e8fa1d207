"""kgbuild.sparqltext's VALUES writers: the one place a query gets RDF terms as text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgbuild.errors import ParameterError
from kgbuild.queries.results import XSD, iri, literal
from kgbuild.sparqltext import restrict, values_column, values_table

TERMS = [iri("https://example.org/pardon/pardon-31"), literal("Kyiv"), literal("Мінск", lang="be"),
         literal("31", datatype=XSD + "integer"), literal('"} } DROP ALL #\n')]


def test_values_column_binds_one_row_per_term():
    rows = ox.Store().query(f"SELECT ?n WHERE {{ {values_column('n', TERMS)} }}")
    assert [row["n"] for row in rows] == TERMS


def test_values_column_of_no_terms_binds_nothing():
    assert list(ox.Store().query(f"SELECT ?n WHERE {{ {values_column('n', [])} }}")) == []


@pytest.mark.parametrize(
    "name, terms, message",
    [
        ("n", [ox.BlankNode("b0")], "blank node"),
        ("n } DROP ALL #", [literal("a")], "variable name"),
        ("?n", [literal("a")], "variable name"),
        ("n", ["<urn:pasted>"], "not an RDF term"),
    ],
)
def test_values_column_refuses_what_is_not_a_term_or_a_name(name, terms, message):
    with pytest.raises(ParameterError, match=message):
        values_column(name, terms)


def test_values_table_binds_one_row_per_sequence_with_undef_for_none():
    rows = [(TERMS[0], TERMS[1]), (TERMS[2], None), (TERMS[3], TERMS[4])]
    answer = ox.Store().query(f"SELECT ?a ?b WHERE {{ {values_table(('a', 'b'), rows)} }}")
    assert [(row["a"], row["b"]) for row in answer] == rows


@pytest.mark.parametrize(
    "names, rows, error, message",
    [
        (("a", "b"), [(TERMS[0],)], ValueError, "1 terms for 2 variables"),
        (("a", "b } DROP ALL #"), [(TERMS[0], TERMS[1])], ParameterError, "variable name"),
        (("a",), [(ox.BlankNode("b0"),)], ParameterError, "blank node"),
    ],
)
def test_values_table_refuses_a_short_row_a_bad_name_or_a_blank_node(names, rows, error, message):
    with pytest.raises(error, match=message):
        values_table(names, rows)


def test_restrict_asks_a_query_of_every_node_for_some_of_them():
    store = ox.Store()
    p = ox.NamedNode("urn:p")
    for n in ("a", "b", "c"):
        store.add(ox.Quad(ox.NamedNode(f"urn:{n}"), p, ox.Literal(n)))
    query = "SELECT ?node ?v # a comment with { in it\nWHERE { ?node <urn:p> ?v }"
    restricted = restrict(query, "node", [ox.NamedNode("urn:a"), ox.NamedNode("urn:c")])
    assert sorted(row["v"].value for row in store.query(restricted)) == ["a", "c"]
    assert restricted.startswith("SELECT ?node ?v # a comment with { in it\nWHERE {")
