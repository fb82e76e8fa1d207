"""Which store and graph a command reads: the command line over kgbuild.toml's ``[store]``.

    choose(project, *, endpoint=None, graph=None, local=False) -> Target | None
    require_triples(target, *, timeout) -> None

The rules (README, "A project's own store"):

- ``--endpoint URL`` names a store; then nothing of ``[store]`` applies (its graph and URLs belong to the store it
  names, not to this one): the graph is ``--graph IRI``, else the endpoint's default graph.
- without ``--endpoint``, ``[store] endpoint`` (if set) is the store, with ``--graph IRI``, else ``[store] graph``,
  else the default graph.
- ``--local`` ignores ``[store]``: the embedded store (or the project's files); it contradicts ``--endpoint`` and
  ``--graph``.
- ``--graph`` with no endpoint from either is a usage error: the embedded store holds one graph (the union of the
  project's files), there is nothing to select.

A graph is sent as the SPARQL 1.1 Protocol's ``default-graph-uri`` (kgbuild.backends.remote), so queries written for the
default graph — the stored queries, the shapes — read it unchanged.

Before a command reads a remote graph, ``require_triples`` asks whether it holds anything (one ``LIMIT 1`` query):
a query on an empty graph would answer "0" or nothing, and a validation "conforms" — a wrong graph or a graph
never loaded, silently. It is an ``EmptyGraphError`` (exit 2) instead. The embedded store is never asked: this
module imports nothing until a remote store is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from kgbuild.errors import EndpointError, ParameterError
from kgbuild.project import Project

__all__ = ["EmptyGraphError", "Target", "choose", "require_triples"]


class EmptyGraphError(EndpointError):
    """The graph a command was asked to read holds no triples (a graph never loaded, or the wrong one)."""


@dataclass(frozen=True)
class Target:
    """A remote SPARQL store and the graph of it to read (None: its default graph)."""

    endpoint: str
    graph: str | None = None
    configured: bool = False  # True: the endpoint comes from [store] of kgbuild.toml
    update_endpoint: str | None = None  # [store] update-endpoint, when the endpoint is [store]'s
    graph_store: str | None = None  # [store] graph-store, when the endpoint is [store]'s

    def describe(self) -> str:
        """``the graph <IRI> at URL`` or ``the default graph of URL`` (without user info)."""
        from kgbuild.backends.remote import display_url

        url = display_url(self.endpoint)
        return f"the graph <{self.graph}> at {url}" if self.graph is not None else f"the default graph of {url}"


def choose(project: Project, *, endpoint: str | None = None, graph: str | None = None,
           local: bool = False) -> Target | None:
    """The remote store and graph the options and ``project.remote`` name, or None for the embedded store.

    Raises ParameterError for ``local`` with ``endpoint`` or ``graph``, for ``graph`` with no endpoint from the
    options or the configuration, and for a graph that is not an absolute IRI.
    """
    if local:
        given = [option for option, value in (("--endpoint", endpoint), ("--graph", graph)) if value is not None]
        if given:
            raise ParameterError(f"--local reads the embedded store; it does not go with {' or '.join(given)}")
        return None
    if graph is not None:
        from kgbuild.load import check_graph_iri

        check_graph_iri(graph)
    if endpoint is not None:
        return Target(endpoint=endpoint, graph=graph)
    remote = project.remote
    if remote is None:
        if graph is not None:
            raise ParameterError("--graph names a graph of a SPARQL endpoint: give --endpoint URL, or name the "
                                 "store in kgbuild.toml ([store] endpoint); the embedded store holds one graph")
        return None
    return Target(endpoint=remote.endpoint, graph=graph if graph is not None else remote.graph, configured=True,
                  update_endpoint=remote.update_endpoint, graph_store=remote.graph_store)


def require_triples(target: Target, *, timeout: float) -> None:
    """Nothing if the target's graph holds a triple; else EmptyGraphError naming graph and endpoint.

    One request (``SELECT ... LIMIT 1`` with the graph as ``default-graph-uri``); EndpointError as for any query.
    """
    from kgbuild.backends.remote import EndpointDataset

    if not EndpointDataset(target.endpoint, graph=target.graph, timeout=timeout).is_empty():
        return
    if target.graph is not None:
        hint = "check the IRI, or load the graph there (kgbuild load --graph IRI)"
    else:
        hint = "if the data is in a named graph, name it with --graph IRI"
        if target.configured:
            hint += " or [store] graph in kgbuild.toml"
    raise EmptyGraphError(f"{target.describe()} holds no triples: {hint}")
