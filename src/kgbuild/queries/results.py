"""Query results as plain values, the same whichever engine produced them.

Every backend (the embedded Oxigraph store, rdflib, a remote SPARQL
endpoint) returns a ``Rows``; renderers and tests work on ``Rows`` only, so
nothing downstream depends on an engine's result classes. The terms are
pyoxigraph's; this module imports nothing heavier (no rdflib).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


Term = ox.NamedNode | ox.BlankNode | ox.Literal
"""One RDF term of a result row: a pyoxigraph term, kgbuild's one term model (kgbuild.backends.convert says why).

Blank-node labels are store-local: compare them only within one result."""


def iri(value: str) -> ox.NamedNode:
    """An IRI term; ValueError if ``value`` is not an absolute IRI."""
    return ox.NamedNode(value)


def literal(value: str, *, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    """A literal: ``xsd:string`` unless ``datatype`` (an IRI) or ``lang`` is given; ValueError for a bad tag or IRI."""
    if lang is not None:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=None if datatype is None else ox.NamedNode(datatype))


@dataclass(frozen=True)
class Rows:
    """The answer to a SELECT query: variable names (without ``?``) and rows.

    A row holds one ``Term`` (a pyoxigraph term) or None (unbound) per variable,
    in the order of ``variables``; rows keep the order the store returned them in.
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def dicts(self) -> list[dict[str, Term | None]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def column(self, name: str) -> list[Term | None]:
        index = self.variables.index(name)
        return [row[index] for row in self.rows]
