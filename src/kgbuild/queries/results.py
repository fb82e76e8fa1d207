"""Query results as plain values, the same whichever engine produced them.

Every backend (the embedded Oxigraph store, rdflib, a remote SPARQL
endpoint) returns a ``Rows``; renderers and tests work on ``Rows`` only, so
nothing downstream depends on an engine's term classes. This module imports
nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Term:
    """One RDF term of a result row.

    ``kind`` is ``"uri"``, ``"literal"`` or ``"bnode"`` (the names of the
    SPARQL 1.1 JSON results format). For literals ``datatype`` is the full
    datatype IRI (``xsd:string`` for plain strings, ``rdf:langString`` with
    ``lang`` set for language-tagged ones); for other kinds both are None.
    Blank-node ``value``s are engine-local labels: compare them only within
    one result.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("uri", "literal", "bnode"):
            raise ValueError(f"unknown term kind {self.kind!r}")
        if self.kind == "literal" and self.datatype is None:
            object.__setattr__(self, "datatype", RDF_LANG_STRING if self.lang else XSD_STRING)
        if self.lang is not None:
            object.__setattr__(self, "lang", self.lang.lower())

    @classmethod
    def iri(cls, value: str) -> Term:
        return cls("uri", value)

    @classmethod
    def literal(cls, value: str, *, datatype: str | None = None, lang: str | None = None) -> Term:
        return cls("literal", value, datatype, lang)

    def n3(self) -> str:
        """The term in N-Triples / SPARQL syntax (``<iri>``, ``"text"^^<dt>``, ``"text"@en``, ``_:b0``)."""
        if self.kind == "uri":
            return f"<{_escape_iri(self.value)}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = '"' + _escape_string(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != XSD_STRING:
            return f"{text}^^<{_escape_iri(self.datatype)}>"
        return text


@dataclass(frozen=True)
class Rows:
    """The answer to a SELECT query: variable names (without ``?``) and rows.

    A row holds one ``Term`` or None (unbound) per variable, in the order of
    ``variables``; rows keep the order the engine returned them in.
    """

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def dicts(self) -> list[dict[str, Term | None]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def column(self, name: str) -> list[Term | None]:
        index = self.variables.index(name)
        return [row[index] for row in self.rows]


_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape_string(text: str) -> str:
    return "".join(_STRING_ESCAPES.get(char, char) for char in text)


def _escape_iri(iri: str) -> str:
    """Escape the characters N-Triples forbids inside ``<...>`` as \\uXXXX."""
    return "".join(
        f"\\u{ord(char):04X}" if char in '<>"{}|^`\\' or ord(char) <= 0x20 else char for char in iri
    )
