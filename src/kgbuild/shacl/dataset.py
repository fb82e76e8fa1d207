"""Where the engine's queries run: any ``Dataset``, a SPARQL SELECT runner.

The engine only ever sends SELECT queries and reads their rows, so the store is a parameter: the embedded
pyoxigraph store (``OxigraphDataset``, what ``ShapesProgram.validate`` makes of an ``ox.Store``) or anything else
that answers SELECT queries with pyoxigraph terms — kgbuild's SPARQL 1.1 protocol client
(``kgbuild.remote.EndpointDataset``) is the other.
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
    """The embedded store as a ``Dataset``."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def solutions(self, query: str) -> tuple[list[str], Sequence[Solution]]:
        result = None
        try:
            result = self.store.query(query)
            return [variable.value for variable in result.variables], list(result)  # type: ignore[union-attr, arg-type]
        except (SyntaxError, OSError, ValueError) as exc:
            raise InputError(f"SHACL engine query failed: {exc}\n{query}") from exc
        finally:
            # a pyoxigraph result may only be freed on the thread that made it (workers run this): no
            # frame keeps it, lest an exception or a kept traceback carry the frame to another thread
            result = None
