"""Running stored queries: the library entry point behind ``kgbuild query``."""

from __future__ import annotations

from collections.abc import Mapping

from kgbuild.catalogue import StoredQuery, resolve
from kgbuild.errors import ParameterError
from kgbuild.params import bind
from kgbuild.project import Project
from kgbuild.results import Rows


def run_query(
    project: Project,
    ref: str,
    *,
    params: Mapping[str, str] | None = None,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    timeout: float = 30.0,
) -> Rows:
    """Run the stored query ``ref`` (a name, or a path to a ``.rq`` file) and return its rows.

    ``params`` are raw strings, typed by the query's header; ``engine`` is
    ``oxigraph`` (the embedded store) or ``rdflib``; with ``endpoint`` the
    query goes to that SPARQL 1.1 endpoint instead.
    """
    query = resolve(project, ref)
    return run_stored(project, query, params=params or {}, engine=engine, endpoint=endpoint, timeout=timeout)


def run_stored(
    project: Project,
    query: StoredQuery,
    *,
    params: Mapping[str, str],
    engine: str = "oxigraph",
    endpoint: str | None = None,
    timeout: float = 30.0,
) -> Rows:
    bindings = bind(query, params)
    if endpoint is not None:
        from kgbuild.remote import select_remote

        return select_remote(endpoint, query.text, bindings=bindings, timeout=timeout)
    if engine == "oxigraph":
        from kgbuild.engines import select_embedded

        return select_embedded(project, query.text, bindings=bindings, file=query.file)
    if engine == "rdflib":
        from kgbuild.engines import select_rdflib

        return select_rdflib(project, query.text, bindings=bindings, file=query.file)
    raise ParameterError(f"unknown engine {engine!r} (known: oxigraph, rdflib)")
