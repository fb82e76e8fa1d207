"""Running stored queries: the library entry point behind ``kgbuild query``.

    run_query(project, ref, *, params={}, engine="oxigraph", endpoint=None, graph=None, timeout=30.0,
              allow_service=False) -> Rows
    load_catalogue(project) -> Catalogue

Nothing here imports rdflib, pyshacl or httpx unless the rdflib
engine or an endpoint is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgbuild.engines import ENGINES
from kgbuild.errors import ParameterError, QueryError
from kgbuild.project import Project
from kgbuild.queries.catalogue import Catalogue, StoredQuery, load_catalogue, resolve
from kgbuild.queries.params import bind
from kgbuild.queries.results import Rows
from kgbuild.sparqltext import query_form

__all__ = ["ENGINES", "Catalogue", "load_catalogue", "run_query", "run_stored"]


def run_query(
    project: Project,
    ref: str,
    *,
    params: Mapping[str, str] | None = None,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    graph: str | None = None,
    timeout: float = 30.0,
    allow_service: bool = False,
) -> Rows:
    """Run the stored query ``ref`` (a name, or a path to a ``.rq`` file) and return its rows.

    ``params`` are raw strings, typed by the query's header; ``engine`` is
    ``oxigraph`` (the embedded store) or ``rdflib``; with ``endpoint`` the
    query goes to that SPARQL 1.1 endpoint instead (``timeout`` seconds), on its
    graph ``graph`` (sent as ``default-graph-uri``), else on its default graph;
    a graph that holds no triples is an EmptyGraphError, not an empty answer.
    ``[store]`` of kgbuild.toml is the CLI's business (kgbuild.selection): here
    only ``endpoint`` sends the query away.
    A query that calls SERVICE is refused on the local engines unless
    ``allow_service`` (they would send requests to the endpoints it names);
    an ``endpoint`` evaluates it as that endpoint does.

    Raises UnknownQueryError (no such query, with close names), QueryError
    (not a SELECT, syntax; ServiceRefusedError for SERVICE), ParameterError (missing, unknown or ill-typed
    parameter; unknown engine), StaleStoreError (the embedded store is
    missing or older than the inputs), EndpointError (EmptyGraphError).
    """
    query = resolve(project, ref)
    return run_stored(project, query, params=params or {}, engine=engine, endpoint=endpoint, graph=graph,
                      timeout=timeout, allow_service=allow_service)


def run_stored(
    project: Project,
    query: StoredQuery,
    *,
    params: Mapping[str, str],
    engine: str = "oxigraph",
    endpoint: str | None = None,
    graph: str | None = None,
    timeout: float = 30.0,
    allow_service: bool = False,
) -> Rows:
    """Run an already resolved stored query (see ``run_query``)."""
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    bindings = bind(query, params)
    try:
        form = query_form(query.text)
    except QueryError as error:
        raise QueryError(error.message, file=query.file, line=error.line) from error
    if form is not None and form != "SELECT":
        what = "a SPARQL update" if form == "UPDATE" else f"an {form} query" if form == "ASK" else f"a {form} query"
        raise QueryError(f"only SELECT queries can be run; this is {what}", file=query.file)
    if graph is not None and endpoint is None:
        raise ParameterError("a graph is read from an endpoint: the embedded store holds one graph")
    if endpoint is not None:
        from kgbuild.backends.remote import EndpointDataset
        from kgbuild.selection import Target, require_triples

        dataset = EndpointDataset(endpoint, graph=graph, timeout=timeout)
        require_triples(Target(endpoint=endpoint, graph=graph), timeout=timeout)
        return dataset.select(query.text, bindings=bindings, file=query.file)
    if engine == "oxigraph":
        from kgbuild.engines import select_embedded

        return select_embedded(project, query.text, bindings=bindings, file=query.file, allow_service=allow_service)
    from kgbuild.engines import select_rdflib

    return select_rdflib(project, query.text, bindings=bindings, file=query.file, allow_service=allow_service)
