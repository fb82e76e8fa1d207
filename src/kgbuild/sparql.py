"""Loading configured SPARQL SELECT queries (*.rq: the sample, quotes, stated-facts and facts-per-source queries)
and running them on the embedded store."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib.plugins.sparql import prepareQuery

from kgbuild.errors import QueryError
from kgbuild.queries.results import Rows
from kgbuild.rdfio import read_text


@dataclass(frozen=True)
class SelectQuery:
    file: str  # as shown to people
    text: str
    prepared: object  # rdflib.plugins.sparql.sparql.Query


def load_select(path: Path, *, file: str, required: Sequence[str] = ()) -> SelectQuery:
    """Read and parse a SELECT query; it must project every variable in ``required``.

    Raises ``QueryError`` (with line and column for syntax errors; ``ServiceRefusedError`` if it calls
    SERVICE: kgbuild evaluates it locally and sends no requests).
    """
    text = read_text(path, file=file)
    try:
        prepared = prepareQuery(text)
    except Exception as exc:  # rdflib raises pyparsing errors and bare Exceptions
        raise QueryError(
            f"SPARQL error: {_first_line(exc)}",
            file=file,
            line=getattr(exc, "lineno", None),
            column=getattr(exc, "column", None),
        ) from exc
    algebra = prepared.algebra
    if algebra.name != "SelectQuery":
        raise QueryError("must be a SELECT query", file=file)
    from kgbuild.federation import refuse_service

    refuse_service(text, file=file, algebra=algebra, hint="a configured query may not call SERVICE")
    projected = {str(variable) for variable in algebra.get("PV", ())}
    missing = [name for name in required if name not in projected]
    if missing:
        wanted = " ".join(f"?{name}" for name in required)
        raise QueryError(
            f"must select {wanted}; missing {' '.join('?' + m for m in missing)}",
            file=file,
        )
    return SelectQuery(file=file, text=text, prepared=prepared)


def select_store(store, query: SelectQuery) -> Rows:
    """Run the query over the default graph of a pyoxigraph ``store`` (kgbuild.backends.embedded): all its rows."""
    from kgbuild.backends.embedded import EmbeddedDataset

    # load_select refused SERVICE already
    return EmbeddedDataset(store, allow_service=True).select(query.text, file=query.file)


def select_store_terms(store, query: SelectQuery) -> Iterator[dict[str, object]]:
    """Run the query over the default graph of a pyoxigraph ``store``; each row a dict of pyoxigraph terms
    (unbound variables left out), converted by nobody: for callers that look at a few of many rows."""
    return _evaluate(store, query)[1]


def _evaluate(store, query: SelectQuery) -> tuple[tuple[str, ...], Iterator[dict[str, object]]]:
    """The projected variables and the rows (evaluated lazily); errors either way as ``QueryError``."""
    def failed(exc: Exception) -> QueryError:
        return QueryError(f"SPARQL evaluation failed: {_first_line(exc)}", file=query.file)

    try:
        result = store.query(query.text)
    except (SyntaxError, OSError, ValueError) as exc:
        raise failed(exc) from exc
    columns = tuple(variable.value for variable in result.variables)

    def rows() -> Iterator[dict[str, object]]:
        try:
            for solution in result:
                yield {name: term for name in columns if (term := solution[name]) is not None}
        except (OSError, ValueError) as exc:
            raise failed(exc) from exc

    return columns, rows()


_PYPARSING_POSITION = re.compile(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)")


def _first_line(exc: Exception) -> str:
    text = _PYPARSING_POSITION.sub("", str(exc)).strip() or type(exc).__name__
    return text.splitlines()[0]
