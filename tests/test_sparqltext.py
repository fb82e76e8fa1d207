"""kgbuild.sparqltext's VALUES writers: the one place a query gets RDF terms as text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgbuild.errors import ParameterError
from kgbuild.queries.results import XSD, iri, literal
from kgbuild.sparqltext import values_column

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
