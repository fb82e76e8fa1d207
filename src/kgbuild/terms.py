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


def describe(graph: Graph, node: Node, names: Names, *, owners: dict | None = None) -> str | None:
    """A human label for a node; for a blank node, where it hangs (``ppd:x ppd:p []``).

    ``owners``: a memo for ``owner`` shared by many calls on the same graph.
    """
    if isinstance(node, BNode):
        holders = sorted(
            (names.short(subject), names.short(predicate))
            for subject, predicate in graph.subject_predicates(node)
            if not isinstance(subject, BNode)
        )
        if holders:
            subject, predicate = holders[0]
            return f"{subject} {predicate} []"
        root = owner(graph, node, owners=owners)
        return None if root is None else f"[] nested in {names.short(root)}"
    return label(graph, node)


def owner(graph: Graph, node: Node, *, owners: dict | None = None) -> URIRef | None:
    """For a blank node, the (first, sorted) IRI whose value it is, following nested blank nodes.

    Iterative; with ``owners`` (a dict kept between calls on the same graph) every blank node walked is
    remembered, so that many calls walk each nesting level once in all.
    """
    memo = {} if owners is None else owners
    path: list[Node] = []
    on_path: set[Node] = set()
    current = node
    found: URIRef | None
    while True:
        if not isinstance(current, BNode):
            found = current if isinstance(current, URIRef) else None
            break
        if current in memo:
            found = memo[current]
            break
        if current in on_path:  # a cycle of blank nodes
            found = None
            break
        path.append(current)
        on_path.add(current)
        subjects = sorted(graph.subjects(object=current), key=lambda t: (isinstance(t, BNode), str(t)))
        if not subjects:
            found = None
            break
        current = subjects[0]
    for walked in path:
        memo[walked] = found
    return found
