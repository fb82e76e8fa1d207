"""Where the engine's queries run: any ``Dataset``, a SPARQL SELECT runner.

The engine only ever sends SELECT queries and reads their rows, so the store is a parameter: the embedded
pyoxigraph store (``OxigraphDataset``, what ``ShapesProgram.validate`` makes of an ``ox.Store``) or anything else
that answers SELECT queries with pyoxigraph terms — kgbuild's SPARQL 1.1 protocol client
(``kgbuild.backends.remote.EndpointDataset``) is the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from kgbuild.errors import InputError


@runtime_checkable
class Solution(Protocol):
    """One row: its term (pyoxigraph ``NamedNode``, ``BlankNode`` or ``Literal``) by variable name, None if unbound."""

    def __getitem__(self, name: str, /) -> object: ...


@runtime_checkable
class Dataset(Protocol):
    """Runs a SPARQL 1.1 SELECT query; raises a ``kgbuild.errors.KgbuildError`` when it cannot."""

    def solutions(self, query: str) -> tuple[list[str], Sequence[Solution]]:
        """The query's variable names and all its rows, read at once."""
        ...


class OxigraphDataset:
    """The embedded store as a ``Dataset``.

    ``hidden``: the IRI of a named graph that only queries naming it (as ``<IRI>``) see: the shapes graph, put in
    the store for ``$shapesGraph``, which no other query's ``GRAPH ?g`` may find.
    """

    def __init__(self, store: ox.Store, *, hidden: str | None = None) -> None:
        self.store = store
        self.hidden = hidden
        self.visible = None if hidden is None else [g for g in store.named_graphs() if g != ox.NamedNode(hidden)]

    def solutions(self, query: str) -> tuple[list[str], Sequence[Solution]]:
        result = None
        try:
            named = self.visible if self.hidden is not None and f"<{self.hidden}>" not in query else None
            result = self.store.query(query, named_graphs=named)
            return [variable.value for variable in result.variables], list(result)  # type: ignore[union-attr, arg-type]
        except (SyntaxError, OSError, ValueError) as exc:
            raise InputError(f"SHACL engine query failed: {exc}\n{query}") from exc
        finally:
            # a pyoxigraph result may only be freed on the thread that made it (workers run this): no
            # frame keeps it, lest an exception or a kept traceback carry the frame to another thread
            result = None
