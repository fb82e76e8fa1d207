"""An rdflib ``Graph`` as a ``Dataset``: rdflib's own SPARQL engine, for cross-checking the embedded store and
for graphs made on the fly. Bindings go in as ``initBindings``; terms come out as pyoxigraph terms
(kgbuild.backends.convert), so the rows equal the embedded store's for the same data."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from kgbuild.backends.base import ANY_TRIPLE
from kgbuild.backends.convert import from_ox, to_ox
from kgbuild.backends.embedded import rdflib_syntax_error
from kgbuild.errors import QueryError
from kgbuild.queries.results import Rows, Term

__all__ = ["GraphDataset"]


class GraphDataset:
    """An rdflib graph (its triples are the default graph). ``allow_service`` as for ``EmbeddedDataset``."""

    def __init__(self, graph: Graph, *, allow_service: bool = False) -> None:
        self.graph = graph
        self.allow_service = allow_service

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, file: str | None = None) -> Rows:
        from kgbuild.federation import refuse_service

        located = rdflib_syntax_error(query)
        if located is not None:
            line, column, message = located
            raise QueryError(f"SPARQL syntax error: {message}", file=file, line=line, column=column)
        try:
            prepared = prepareQuery(query)
        except Exception as exc:  # rdflib raises bare exceptions for ill-formed queries
            raise QueryError(f"SPARQL error: {_first_line(exc)}", file=file) from exc
        refuse_service(query, file=file, allowed=self.allow_service, algebra=prepared.algebra)
        init = {name: from_ox(term) for name, term in (bindings or {}).items()}
        try:
            result = self.graph.query(prepared, initBindings=init)  # type: ignore[arg-type]
        except Exception as exc:  # rdflib raises pyparsing and bare exceptions
            raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
        if result.type != "SELECT":
            raise QueryError("only SELECT queries can be run", file=file)
        variables = tuple(str(variable) for variable in result.vars or ())
        try:
            rows = tuple(tuple(None if (node := row[name]) is None else to_ox(node)  # type: ignore[index, call-overload]
                               for name in variables) for row in result)
        except Exception as exc:  # rdflib evaluates lazily; a SERVICE endpoint's failure surfaces here
            raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
        return Rows(variables=variables, rows=rows)

    def is_empty(self) -> bool:
        return not self.select(ANY_TRIPLE).rows


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
