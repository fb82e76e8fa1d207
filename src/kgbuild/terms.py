"""Naming RDF terms for people: prefixed names, short literal forms, labels."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.term import Node

# A conservative PN_LOCAL: names that need no escaping in Turtle or SPARQL.
_LOCAL = re.compile(r"^(?:[A-Za-z0-9_]|[A-Za-z0-9_][A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


def local_name(iri: str) -> str:
    """The part of an IRI after the last ``#`` or ``/`` (the IRI itself if none)."""
    for separator in ("#", "/"):
        head, sep, tail = iri.rstrip("#/").rpartition(separator)
        if sep and tail:
            return tail
    return iri


class Names:
    """Shortens terms with a fixed set of prefixes (never invents prefixes)."""

    def __init__(self, prefixes: Iterable[tuple[str, str]]) -> None:
        pairs = sorted(set(prefixes), key=lambda pair: (-len(pair[1]), pair[0]))
        self._prefixes = tuple(pairs)

    def curie(self, iri: str) -> str | None:
        """``prefix:local`` for the IRI, or None if no prefix fits."""
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return None

    def iri(self, iri: str) -> str:
        """A prefixed name if possible, else ``<iri>``."""
        return self.curie(iri) or f"<{iri}>"

    def short(self, term: Node) -> str:
        """A short, Turtle-like, deterministic form of any term."""
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            return "[]"
        return str(term)

    def literal(self, literal: Literal) -> str:
        text = (
            str(literal)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        quoted = f'"{text}"'
        if literal.language:
            return f"{quoted}@{literal.language}"
        if literal.datatype is not None and literal.datatype != XSD.string:
            return f"{quoted}^^{self.iri(str(literal.datatype))}"
        return quoted


def label(graph: Graph, node: Node) -> str | None:
    """skos:prefLabel, else rdfs:label (English or untagged preferred), else None."""
    for predicate in (SKOS.prefLabel, RDFS.label):
        values = [value for value in graph.objects(node, predicate) if isinstance(value, Literal)]
        if values:
            return str(min(values, key=_label_rank))
    return None


def _label_rank(value: Literal) -> tuple[int, str, str]:
    language = (value.language or "").lower()
    rank = 0 if language in ("en", "") else 1 if language.startswith("en-") else 2
    return (rank, language, str(value))


def describe(graph: Graph, node: Node, names: Names) -> str | None:
    """A human label for a node; for a blank node, where it hangs (``ppd:x ppd:p []``)."""
    if isinstance(node, BNode):
        owners = sorted(
            (names.short(subject), names.short(predicate))
            for subject, predicate in graph.subject_predicates(node)
            if not isinstance(subject, BNode)
        )
        if owners:
            subject, predicate = owners[0]
            return f"{subject} {predicate} []"
        root = owner(graph, node)
        return None if root is None else f"[] nested in {names.short(root)}"
    return label(graph, node)


def owner(graph: Graph, node: Node) -> URIRef | None:
    """For a blank node, the (first, sorted) IRI whose value it is, following nested blank nodes."""
    seen: set[Node] = set()
    current = node
    while isinstance(current, BNode) and current not in seen:
        seen.add(current)
        subjects = sorted(graph.subjects(object=current), key=lambda t: (isinstance(t, BNode), str(t)))
        if not subjects:
            return None
        current = subjects[0]
    return current if isinstance(current, URIRef) else None
