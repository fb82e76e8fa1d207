"""The one place RDF terms change model.

Inside kgbuild an RDF term is a pyoxigraph term (``NamedNode``, ``BlankNode``, ``Literal``): the embedded store's
own form, which costs nothing to read from it, validates IRIs and language tags when made, and writes itself as
N-Triples / SPARQL text (``str(term)``). rdflib is needed at the edges only — parsing the shapes for pyshacl and
the SHACL engine, serialising, graphs built for reports — and its terms are made here and read back here.

    from_ox(term, *, label_prefix="") -> rdflib Node   (pyoxigraph -> rdflib)
    to_ox(node) -> pyoxigraph term                       (rdflib -> pyoxigraph)

Lexical forms stay as written both ways (no normalisation of ``"01"^^xsd:integer``); a plain rdflib literal and
``xsd:string`` are the same term (RDF 1.1), so an ``xsd:string`` literal becomes rdflib's plain form, which is
what rdflib's parser makes of ``"text"`` and what its engine matches.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kgbuild.queries.results import XSD_STRING, Term

__all__ = ["from_ox", "to_ox"]


def from_ox(term: Term, *, label_prefix: str = "") -> Node:
    """The rdflib term for a pyoxigraph term; ``label_prefix`` is put before blank-node labels."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(label_prefix + term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox(node: Node) -> Term:
    """The pyoxigraph term for an rdflib term (a literal's lexical form as written)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is None or str(node.datatype) == XSD_STRING:
            return ox.Literal(str(node))
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    raise TypeError(f"not an RDF term: {node!r}")
