"""kgbuild.queries.results: the one row type (Rows) holds the one term model (pyoxigraph terms)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import kgbuild
from kgbuild.queries.results import XSD, Rows, iri, literal


def test_the_public_term_type_is_pyoxigraphs():
    for term in (ox.NamedNode("urn:x"), ox.BlankNode("b0"), ox.Literal("x")):
        assert isinstance(term, kgbuild.Term)
    assert not isinstance("urn:x", kgbuild.Term)


def test_constructors_make_pyoxigraph_terms():
    assert iri("urn:x") == ox.NamedNode("urn:x")
    assert literal("x") == ox.Literal("x")
    assert literal("x", lang="EN") == ox.Literal("x", language="en")
    assert literal("31", datatype=XSD + "integer") == ox.Literal("31", datatype=ox.NamedNode(XSD + "integer"))


@pytest.mark.parametrize("make", [lambda: iri("not an iri"), lambda: literal("x", lang="not a tag")])
def test_constructors_refuse_what_is_no_term(make):
    with pytest.raises(ValueError):
        make()


def test_rows_by_name_and_column():
    rows = Rows(variables=("a", "b"), rows=((iri("urn:a"), None), (iri("urn:c"), literal("d"))))
    assert rows.dicts() == [{"a": iri("urn:a"), "b": None}, {"a": iri("urn:c"), "b": literal("d")}]
    assert rows.column("b") == [None, literal("d")]
