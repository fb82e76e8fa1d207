"""Deterministic serialisations: sorted N-Triples / N-Quads, Turtle in that order.

Input must already have canonical blank-node labels (see canon.py and
sources.py); then the same graph always gives the same bytes. Everything is
written by pyoxigraph's serialisers; Python only sorts lines.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


def ntriples(quads: Iterable[ox.Quad]) -> bytes:
    """Canonical N-Triples of the quads' triples (graph names ignored), lines sorted."""
    triples = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return _sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


def nquads(*graphs: Iterable[ox.Quad]) -> bytes:
    """Canonical N-Quads of quads (each in its own graph), lines sorted."""
    return _sorted_lines(b"".join(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"" for quads in graphs))


def turtle(ntriples_bytes: bytes, *, prefixes: Iterable[tuple[str, str]]) -> bytes:
    """Turtle of sorted N-Triples, in their order (a subject's triples grouped), with exactly ``prefixes``."""
    triples = ox.parse(ntriples_bytes, format=ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(sorted(prefixes))) or b""


def graph_turtle(graph, *, prefixes: Iterable[tuple[str, str]]) -> bytes:
    """Turtle of a (small) rdflib graph with exactly the given prefixes; rdflib sorts subjects and predicates."""
    from rdflib import Graph

    output = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(prefixes):
        output.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        output.add(triple)
    return output.serialize(format="turtle", encoding="utf-8")


def _sorted_lines(data: bytes | None) -> bytes:
    lines = sorted(line for line in (data or b"").split(b"\n") if line)
    return b"".join(line + b"\n" for line in lines)
