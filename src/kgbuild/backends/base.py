"""What kgbuild needs from a store: the ``Dataset`` protocol.

Every command that reads a graph — ``query``, ``validate``, the build's checks, the contribution check — asks
its store through these methods, whichever store it is: the embedded pyoxigraph store (``EmbeddedDataset``), an
rdflib graph (``GraphDataset``) or a SPARQL 1.1 endpoint (``kgbuild.backends.remote.EndpointDataset``).

Answers are ``Rows`` of pyoxigraph terms (kgbuild.queries.results), the same for the same data on every store.
Parameters are RDF terms bound by the store (``bindings``), never pasted into the query text: the embedded store
takes them as pyoxigraph substitutions, rdflib as ``initBindings``, an endpoint as a VALUES block at the start of
the query's outer group written by ``kgbuild.sparqltext.values_block`` — the one writer of VALUES from terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from kgbuild.queries.results import Rows, Term

__all__ = ["ANY_TRIPLE", "Dataset"]

ANY_TRIPLE = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
"""The query ``is_empty`` asks: one triple of the default graph, if there is one (cheap on every store)."""


@runtime_checkable
class Dataset(Protocol):
    """A SPARQL dataset kgbuild reads; every failure is a ``kgbuild.errors.KgbuildError``."""

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, file: str | None = None) -> Rows:
        """All rows of the SELECT ``query`` over the default graph, ``bindings`` (variable name without ``?`` ->
        term) bound as RDF terms. ``file`` names the query text in messages (``QueryError`` for a syntax error
        or a query that is not a SELECT, ``ServiceRefusedError`` for SERVICE on a local store)."""
        ...

    def is_empty(self) -> bool:
        """Whether the default graph holds no triple at all (one ``LIMIT 1`` query)."""
        ...
