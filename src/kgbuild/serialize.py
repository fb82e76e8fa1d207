"""Deterministic serialisations: sorted N-Triples / N-Quads, stable Turtle.

Input graphs must already have canonical blank-node labels (see canon.py);
then the same graph always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph

from kgbuild.canon import to_ox


def ntriples(graph: Graph) -> bytes:
    """Canonical N-Triples, lines sorted."""
    triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]
    return _sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


def nquads(parts: Sequence[tuple[str, Graph]]) -> bytes:
    """Canonical N-Quads, each graph's triples in the named graph given with it; lines sorted."""
    quads = [
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(name))  # type: ignore[arg-type]
        for name, graph in parts
        for s, p, o in graph
    ]
    return _sorted_lines(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def turtle(graph: Graph, *, prefixes: Iterable[tuple[str, str]]) -> bytes:
    """Turtle with exactly the given prefixes bound (rdflib's serializer sorts subjects and predicates)."""
    output = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(prefixes):
        output.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        output.add(triple)
    return output.serialize(format="turtle", encoding="utf-8")


def _sorted_lines(data: bytes | None) -> bytes:
    lines = sorted(line for line in (data or b"").split(b"\n") if line)
    return b"".join(line + b"\n" for line in lines)
