"""The embedded pyoxigraph store (what ``kgbuild build`` writes) as a ``Dataset``.

Bindings are pyoxigraph ``substitutions`` and the terms come back as the store has them: nothing is converted.
This module imports neither rdflib nor an HTTP client (``kgbuild query`` starts with it); rdflib's parser is
asked only on the error path, for the position of a syntax error Oxigraph reports at the end of the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kgbuild.backends.base import ANY_TRIPLE
from kgbuild.errors import QueryError
from kgbuild.queries.results import Rows, Term
from kgbuild.sparqltext import inject_values

__all__ = ["EmbeddedDataset", "rdflib_syntax_error", "syntax_position"]


class EmbeddedDataset:
    """A pyoxigraph ``Store`` as a ``Dataset``.

    ``allow_service``: let a query call SERVICE (else ``ServiceRefusedError``: the store would send the requests).
    ``hidden``: the IRI of a named graph that only queries naming it (as ``<IRI>``) see — the shapes graph the
    SHACL engine puts in the store for ``$shapesGraph``, which no other query's ``GRAPH ?g`` may find.
    """

    def __init__(self, store: ox.Store, *, allow_service: bool = False, hidden: str | None = None) -> None:
        self.store = store
        self.allow_service = allow_service
        self.hidden = hidden
        self._visible = None if hidden is None else [g for g in store.named_graphs() if g != ox.NamedNode(hidden)]

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, file: str | None = None) -> Rows:
        from kgbuild.federation import refuse_service

        refuse_service(query, file=file, allowed=self.allow_service)
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): term for name, term in (bindings or {}).items()}
        named = self._visible if self.hidden is not None and f"<{self.hidden}>" not in query else None
        solutions = None
        try:
            try:
                try:
                    solutions = self.store.query(query, substitutions=substitutions, named_graphs=named)
                except RuntimeError as exc:
                    if not substitutions or _PROJECTION not in str(exc):
                        raise
                    # pyoxigraph substitutes projected variables only; a binding of another variable goes in as
                    # the VALUES block an endpoint gets (the same meaning for a variable of the outer group)
                    solutions = self.store.query(inject_values(query, bindings or {}), named_graphs=named)
            except SyntaxError as exc:
                raise located_syntax_error(query, str(exc), file=file) from exc
            except (RuntimeError, ValueError, OSError) as exc:
                raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
            if not isinstance(solutions, ox.QuerySolutions):
                raise QueryError("only SELECT queries can be run", file=file)
            variables = tuple(variable.value for variable in solutions.variables)
            try:
                rows = tuple(tuple(solution[name] for name in variables) for solution in solutions)
            except (RuntimeError, ValueError, OSError) as exc:  # e.g. a SERVICE endpoint failing mid-answer
                raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
            return Rows(variables=variables, rows=rows)  # type: ignore[arg-type]
        finally:
            # a pyoxigraph result may only be freed on the thread that made it (the SHACL engine's workers run
            # queries): no frame keeps it, lest an exception or a kept traceback carry it to another thread
            solutions = None

    def is_empty(self) -> bool:
        return not self.select(ANY_TRIPLE).rows


_PROJECTION = "in its SELECT projection"  # pyoxigraph 0.5: "The SPARQL query does not contains variable ?x in its ..."


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def syntax_position(message: str) -> tuple[int | None, int | None, str]:
    """(line, column, rest) from an Oxigraph parser message such as 'error at 2:1: expected OPTIONAL'."""
    match = re.match(r"^error at (\d+):(\d+):\s*(.*)$", message, re.S)
    if match is None:
        return None, None, message
    return int(match.group(1)), int(match.group(2)), match.group(3)


def located_syntax_error(query: str, oxigraph_message: str, *, file: str | None) -> QueryError:
    """A QueryError at the line and column of the offending token.

    Oxigraph's parser often reports the end of the query as the error
    position, so on this error path (only) rdflib's parser is asked where
    the error is; Oxigraph's own message is used if rdflib accepts the text.
    """
    located = rdflib_syntax_error(query)
    if located is None:
        line, column, message = syntax_position(oxigraph_message)
    else:
        line, column, message = located
    return QueryError(f"SPARQL syntax error: {message}", file=file, line=line, column=column)


def rdflib_syntax_error(query: str) -> tuple[int | None, int | None, str] | None:
    """(line, column, message) of rdflib's SPARQL parser's complaint about ``query``, or None if it parses."""
    try:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql.parser import parseQuery
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return None
    try:
        parseQuery(query)
    except ParseBaseException as exc:
        message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", str(exc)).strip().splitlines()[0]
        return exc.lineno, exc.col, message
    except Exception:  # rdflib's own errors carry no position
        return None
    return None
