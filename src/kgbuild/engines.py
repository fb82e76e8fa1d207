"""Running a SELECT query with typed bindings on a local engine, answering ``Rows``.

- ``oxigraph``: the embedded store written by ``kgbuild build`` (``kgbuild.backends.embedded``);
  imports neither rdflib nor pyshacl.
- ``rdflib``: parses ontology and data afresh and runs rdflib's engine
  (``kgbuild.backends.graph``) — slow, for cross-checking.

Both engines would send a query's SERVICE calls to their endpoints, so a
query that calls SERVICE is refused (``ServiceRefusedError``) unless
``allow_service`` (kgbuild.federation).
"""

from __future__ import annotations

from collections.abc import Mapping

from kgbuild.errors import QueryError
from kgbuild.project import Project
from kgbuild.queries.results import Rows, Term

ENGINES = ("oxigraph", "rdflib")


def select_embedded(project: Project, query: str, *, bindings: Mapping[str, Term], file: str,
                    allow_service: bool = False) -> Rows:
    from kgbuild.backends.embedded import EmbeddedDataset
    from kgbuild.federation import refuse_service
    from kgbuild.workspace.versions import open_store

    refuse_service(query, file=file, allowed=allow_service)  # before opening the store: refused either way
    return EmbeddedDataset(open_store(project), allow_service=allow_service).select(query, bindings=bindings, file=file)


def select_rdflib(project: Project, query: str, *, bindings: Mapping[str, Term], file: str,
                  allow_service: bool = False) -> Rows:
    from rdflib.plugins.sparql import prepareQuery

    from kgbuild.backends.embedded import rdflib_syntax_error
    from kgbuild.backends.graph import GraphDataset
    from kgbuild.federation import refuse_service
    from kgbuild.sources import load_sources

    # syntax and SERVICE first: refused before the project's files are parsed
    located = rdflib_syntax_error(query)
    if located is not None:
        line, column, message = located
        raise QueryError(f"SPARQL syntax error: {message}", file=file, line=line, column=column)
    try:
        algebra = prepareQuery(query).algebra
    except Exception as exc:  # rdflib raises bare exceptions for ill-formed queries
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryError(f"SPARQL error: {detail}", file=file) from exc
    refuse_service(query, file=file, allowed=allow_service, algebra=algebra)
    dataset = GraphDataset(load_sources(project).graph, allow_service=allow_service)
    return dataset.select(query, bindings=bindings, file=file)
