"""Small reads of a pyoxigraph store that the contribution's checks share: is an IRI a subject, the IRIs of a
namespace given a type, a label, the rows of a configured SELECT (which may not call SERVICE)."""

from __future__ import annotations

import pyoxigraph as ox

from kgbuild.checks.vocabulary import RDF_TYPE, RDFS, SKOS
from kgbuild.errors import InputError

LABELS = (SKOS + "prefLabel", RDFS + "label")


def is_subject(store: ox.Store, iri: str) -> bool:
    return next(iter(store.quads_for_pattern(ox.NamedNode(iri), None, None)), None) is not None


def mentions(store: ox.Store, iri: str) -> bool:
    """True when the store holds ``iri`` as a subject or an object."""
    node = ox.NamedNode(iri)
    return (next(iter(store.quads_for_pattern(node, None, None)), None) is not None
            or next(iter(store.quads_for_pattern(None, None, node)), None) is not None)


def described(store: ox.Store, namespace: str) -> list[str]:
    found = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None)
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace)}
    return sorted(found)


def select_rows(store: ox.Store, query: str, file: str) -> list[dict]:
    from kgbuild.federation import refuse_service

    refuse_service(query, file=file, hint="a configured query may not call SERVICE")
    try:
        solutions = store.query(query)
    except SyntaxError as exc:
        raise InputError(f"SPARQL error: {exc}", file=file) from exc
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{name: solution[name] for name in names} for solution in solutions]  # type: ignore[union-attr]


def store_label(store: ox.Store, iri: str) -> str | None:
    for predicate in LABELS:
        for quad in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
    return None
