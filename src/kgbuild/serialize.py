"""Deterministic serialisations: sorted lines, Turtle in the order of sorted N-Triples.

Input must already have canonical blank-node labels (see canon.py and
sources.py, which dumps the sorted N-Triples and N-Quads); then the same graph
always gives the same bytes. Everything is written by pyoxigraph's
serialisers; Python only sorts lines.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


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


def sorted_lines(lines: list[bytes]) -> bytes:
    """The non-empty ones of ``lines``, sorted, each ending in a newline. Sorts ``lines`` in place (no
    second list of a million lines)."""
    lines.sort()
    return b"".join(line + b"\n" for line in lines if line)
