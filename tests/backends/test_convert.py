"""kgbuild.backends.convert: the one place terms change model, pyoxigraph (inside) <-> rdflib (at the edges)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kgbuild.backends.convert import from_ox, to_ox

TERMS = [
    ox.NamedNode("https://example.org/pardon/pardon-31"),
    ox.BlankNode("b0"),
    ox.Literal("Kyiv"),
    ox.Literal("pardon of 31 Ukrainians", language="en"),
    ox.Literal("Мінск", language="be"),
    ox.Literal("31", datatype=ox.NamedNode(str(XSD.integer))),
    ox.Literal("031", datatype=ox.NamedNode(str(XSD.integer))),  # a lexical form the store keeps as written
    ox.Literal("2025-09-13", datatype=ox.NamedNode(str(XSD.date))),
    ox.Literal("1.50", datatype=ox.NamedNode(str(XSD.decimal))),
]


@pytest.mark.parametrize("term", TERMS, ids=str)
def test_a_term_goes_to_rdflib_and_back_unchanged(term):
    assert to_ox(from_ox(term)) == term


def test_lexical_forms_stay_as_written():
    assert str(from_ox(ox.Literal("031", datatype=ox.NamedNode(str(XSD.integer))))) == "031"
    assert str(from_ox(ox.Literal("1.50", datatype=ox.NamedNode(str(XSD.decimal))))) == "1.50"


def test_xsd_string_is_rdflibs_plain_literal_and_back():
    """The same term in RDF 1.1; rdflib's parser makes "text" plain, and its engine matches only that form."""
    assert from_ox(ox.Literal("Kyiv")) == Literal("Kyiv")
    assert from_ox(ox.Literal("Kyiv")).datatype is None
    assert to_ox(Literal("Kyiv", datatype=XSD.string)) == ox.Literal("Kyiv")
    assert to_ox(Literal("Kyiv")) == ox.Literal("Kyiv")


def test_kinds_and_blank_node_prefix():
    assert from_ox(ox.NamedNode("urn:x")) == URIRef("urn:x")
    assert from_ox(ox.BlankNode("b0"), label_prefix="g1") == BNode("g1b0")
    assert to_ox(Literal("x", lang="EN-GB")) == ox.Literal("x", language="en-gb")


@pytest.mark.parametrize("convert, value", [(from_ox, "urn:x"), (to_ox, "urn:x"), (to_ox, ox.NamedNode("urn:x"))])
def test_not_a_term_of_the_model_is_a_type_error(convert, value):
    with pytest.raises(TypeError, match="not an RDF term"):
        convert(value)
