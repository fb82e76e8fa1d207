"""Loading the built graph into a running triple store, safely.

The graph (the sorted N-Triples file of the last conforming build) goes to
the store in chunks over the SPARQL 1.1 Graph Store HTTP Protocol (a POST of
N-Triples per chunk), or as ``INSERT DATA`` updates where the store has no
Graph Store endpoint. Either way it lands first in a fresh **staging graph**
(``urn:kgbuild:staging:<uuid>``); only when the staging graph holds exactly
the triples sent does one SPARQL Update put it in place:

- replace: ``MOVE <staging> TO <target>`` — readers see the old graph or the
  new one, never a mix, and a failure before it leaves the target as it was;
- append: ``ADD <staging> TO <target>``, then a check that every staging
  triple is in the target.

The staging graph is dropped afterwards, and on any failure (best effort: if
the store is gone, the message names the graph left behind).

A chunk never splits the triples of a blank node (triples sharing blank
nodes are sent together), because a store gives each request's blank nodes
fresh identities. Transient failures — connection reset, HTTP 502/503/504,
a refused connection after the store has answered once — are retried a
bounded number of times with exponential backoff; resending a chunk is safe
because the staging count check catches anything sent twice.

``direct`` is the exception, for a first load into an empty target: the
chunks go straight into it (as fast as a plain upload; readers see it fill
up), and on failure the target is cleared back to empty.

Against Oxigraph (recognised by its ``Server`` header) chunks are sent with
its ``no_transaction`` flag, which uses its bulk loader: a chunk only ever
goes to a graph that is thrown away if anything fails, so the per-request
transaction buys nothing.

Against Virtuoso (its ``Server`` header) data sent as SPARQL Update is
**skolemised**: Virtuoso refuses blank nodes in ``INSERT DATA`` ("SP031: Blank
node ... is not allowed in a constant clause"), so each blank node ``_:label``
of the file becomes the IRI
``<scheme://authority/.well-known/genid/kgbuild/DIGEST/label>`` (the target
graph's scheme and authority; ``urn:kgbuild:genid:DIGEST:label`` for a graph
IRI that is not http(s) or the default graph), DIGEST the first 16 hex digits
of the SHA-256 of the file's triples: the same build always gives the same
IRIs, another build other ones (RDF 1.1 Concepts, 3.5 "Replacing Blank Nodes
with IRIs"). Its SPARQL compiler also refuses an update of more than about
1000 triples, so chunks are at most ``VIRTUOSO_UPDATE_CHUNK`` triples there.
Through its Graph Store endpoint (``--graph-store .../sparql-graph-crud``)
blank nodes stay blank and chunks keep their size.

Every request goes through the one SPARQL-protocol client
(kgbuild.backends.client): credentials come from the environment as for
``kgbuild query --endpoint`` (HTTP Digest where the store asks for it, as
Virtuoso's ``/sparql-auth`` and ``/sparql-graph-crud-auth`` do) and never
appear in messages; the client also does the retries.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from kgbuild.errors import EndpointError, KgbuildError, ParameterError, WriteRefusedError
from kgbuild.project import Project

STAGING_PREFIX = "urn:kgbuild:staging:"
DEFAULT_CHUNK = 100_000  # triples per request
TRANSIENT_STATUS = frozenset({502, 503, 504})
VIRTUOSO_UPDATE_CHUNK = 1000  # triples per INSERT DATA: Virtuoso 7 refuses "more than 10000 lines" of SQL from ~1500

Progress = Callable[[int, int], None]  # (triples sent so far, triples in all)


class LoadError(EndpointError):
    """The load failed part-way; the message says what state the store was left in."""


@dataclass(frozen=True)
class Endpoints:
    """The three URLs a load talks to."""

    query: str
    update: str
    graph_store: str | None  # None: send the data as SPARQL Update INSERT DATA

    @classmethod
    def derive(cls, query: str, *, update: str | None = None, graph_store: str | None = None,
               use_graph_store: bool = True) -> Endpoints:
        """Endpoints from the query URL; a URL ending in ``/query`` (Oxigraph, Fuseki) gives its
        siblings ``/update`` and ``/store`` unless others are given. Otherwise updates go to
        the query URL (Virtuoso, GraphDB-style single endpoints) and data as INSERT DATA
        unless a Graph Store URL is given."""
        parts = urlsplit(query)
        sibling = parts.path.endswith("/query")

        def beside(name: str) -> str:
            return urlunsplit((parts.scheme, parts.netloc, parts.path[: -len("query")] + name, parts.query, ""))

        if update is None:
            update = beside("update") if sibling else query
        if graph_store is None and use_graph_store and sibling:
            graph_store = beside("store")
        return cls(query=query, update=update, graph_store=graph_store if use_graph_store else None)


@dataclass(frozen=True)
class LoadResult:
    target: str | None  # the graph IRI, None for the default graph
    mode: str  # "replace", "append" or "direct"
    protocol: str  # "graph-store" or "update"
    sent: int  # triples sent
    before: int  # triples in the target before
    after: int  # triples in the target after
    chunks: int
    retries: int
    seconds: float

    @property
    def target_label(self) -> str:
        return "the default graph" if self.target is None else f"<{self.target}>"

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "mode": self.mode,
            "protocol": self.protocol,
            "sent": self.sent,
            "before": self.before,
            "after": self.after,
            "chunks": self.chunks,
            "retries": self.retries,
            "seconds": round(self.seconds, 3),
        }


def load_built(project: Project, endpoints: Endpoints, **options) -> LoadResult:
    """Load the last conforming build's graph (checked by the store manifest); options as ``load_file``."""
    from kgbuild.workspace.versions import built_file

    return load_file(built_file(project, "graph.nt"), endpoints, **options)


def check_graph_iri(graph: str) -> str:
    """``graph`` if it is an absolute IRI a store will take as a graph name (else ParameterError)."""
    import pyoxigraph

    problem = None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", graph):
        problem = "it is not an absolute IRI (no scheme such as https:)"
    elif re.search(r"[\s<>\"{}|\\^`]", graph):
        problem = "it contains spaces or characters an IRI cannot hold"
    elif graph.startswith(STAGING_PREFIX):
        problem = "kgbuild uses that namespace for its staging graphs"
    else:
        try:
            pyoxigraph.NamedNode(graph)
        except ValueError as exc:
            problem = str(exc)
    if problem:
        raise ParameterError(f"invalid graph IRI {graph!r}: {problem}")
    return graph


def load_file(
    path: Path,
    endpoints: Endpoints,
    *,
    graph: str | None = None,
    replace: bool | None = None,
    direct: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    timeout: float = 300.0,
    retries: int = 4,
    backoff: float = 0.5,
    bulk: bool | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load the N-Triples file ``path`` into ``graph`` (None: the default graph) of the store at ``endpoints``.

    ``replace=True`` swaps the target's contents for the file's in one MOVE;
    ``False`` adds the triples (ADD); ``None`` (default) replaces an empty
    target and refuses (ParameterError) to guess for one that holds triples.
    ``direct=True`` skips the staging graph for a first load into an *empty*
    target: chunks go straight into it (as fast as a plain upload, but
    readers see it fill up), and on failure it is cleared back to empty.

    ``chunk_size`` triples per request (blank-node groups kept whole),
    ``timeout`` seconds per request, ``retries`` further attempts of a
    request after a transient failure, waiting ``backoff`` × 2^n seconds.
    ``bulk``: send chunks with Oxigraph's ``no_transaction`` flag (its bulk
    loader) — safe because a chunk is only ever written to a graph that is
    discarded on failure; None (default) uses it when the server says it is
    Oxigraph. ``progress(sent, total)`` is called after every chunk.

    Raises ParameterError for bad options, EndpointError when the store
    cannot be reached or refuses, LoadError when the load fails part-way
    (the target is then as it was; the message says whether the staging
    graph could be removed).
    """
    from kgbuild.backends.client import check_url

    if graph is not None:
        check_graph_iri(graph)
    if chunk_size < 1:
        raise ParameterError(f"the chunk size must be at least 1 triple, not {chunk_size}")
    if retries < 0:
        raise ParameterError(f"retries must be 0 or more, not {retries}")
    if direct and replace is False:
        raise ParameterError("a direct load is into an empty graph: it cannot append")
    for url in (endpoints.query, endpoints.update, endpoints.graph_store):
        if url is not None:
            check_url(url)
    started = time.monotonic()
    session = _Session(endpoints, timeout=timeout, retries=retries, backoff=backoff)
    lines = _read_lines(path)
    total = len(lines)
    before = session.count(graph)  # also the first contact: an unreachable store fails here, before anything is sent
    if graph is None and session.is_virtuoso():
        raise ParameterError("Virtuoso keeps no triples outside named graphs (its default graph is the union of "
                             "all of them, its own too): name the graph to load with --graph IRI")
    if direct and before:
        raise ParameterError(f"a direct load needs an empty target, and {_label(graph)} holds {before} triples: "
                             "load through a staging graph (without --direct)")
    if replace is None:
        if before:
            raise ParameterError(
                f"{_label(graph)} already holds {before} triples: choose to replace them (--replace) "
                "or to add to them (--append)"
            )
        replace = True
    session.bulk = bool(endpoints.graph_store) and (session.is_oxigraph() if bulk is None else bulk)
    if not endpoints.graph_store and session.is_virtuoso():
        session.skolem = skolem_prefix(lines, graph)
        chunk_size = min(chunk_size, VIRTUOSO_UPDATE_CHUNK)
    if direct:
        chunks = _direct(session, lines, graph, chunk_size, progress)
    else:
        chunks = _staged(session, lines, graph, replace, chunk_size, progress)
    after = session.count(graph)
    if replace and after != total:
        raise LoadError(f"{_label(graph)} holds {after} triples after the load, {total} were sent "
                        "(another client writing at the same time?)")
    if not replace and not (max(before, total) <= after <= before + total):
        raise LoadError(f"{_label(graph)} holds {after} triples after adding {total} to {before}")
    return LoadResult(
        target=graph,
        mode="direct" if direct else "replace" if replace else "append",
        protocol="graph-store" if endpoints.graph_store else "update",
        sent=total,
        before=before,
        after=after,
        chunks=chunks,
        retries=session.retried,
        seconds=time.monotonic() - started,
    )


def _send_chunks(session: _Session, lines: list[bytes], graph: str | None, size: int,
                 progress: Progress | None) -> int:
    sent = chunks = 0
    for chunk in _chunks(lines, size):
        session.insert(graph, chunk)
        sent += len(chunk)
        chunks += 1
        if progress is not None:
            progress(sent, len(lines))
    return chunks


def _staged(session: _Session, lines: list[bytes], graph: str | None, replace: bool, size: int,
            progress: Progress | None) -> int:
    """Chunks into a fresh staging graph, checked, then one MOVE or ADD; the staging graph dropped."""
    total = len(lines)
    staging = f"{STAGING_PREFIX}{uuid.uuid4()}"
    target = "DEFAULT" if graph is None else f"<{graph}>"
    try:
        chunks = _send_chunks(session, lines, staging, size, progress)
        staged = session.count(staging)
        if staged != total:
            raise LoadError(
                f"the staging graph holds {staged} triples after sending {total}; nothing was changed in "
                f"{_label(graph)}"
            )
        if total == 0:
            if replace:
                session.update(f"CLEAR SILENT {'DEFAULT' if graph is None else f'GRAPH <{graph}>'}")
        elif replace:
            session.update(f"MOVE <{staging}> TO {target}")
        else:
            session.update(f"ADD <{staging}> TO {target}")
            missing = session.missing(staging, graph)
            if missing:
                raise LoadError(f"{missing} triples sent are not in {_label(graph)} after ADD")
    except KgbuildError as exc:
        if _refused(exc) and not session.wrote:
            raise LoadError(_nothing_written(exc, graph)) from None  # no staging graph to drop
        raise LoadError(_failed(exc, session, staging, graph)) from None
    cleanup = _drop(session, staging)
    if cleanup:
        raise LoadError(f"loaded, but {cleanup}")
    return chunks


def _direct(session: _Session, lines: list[bytes], graph: str | None, size: int, progress: Progress | None) -> int:
    """Chunks straight into the empty target; on any failure, the target is cleared back to empty."""
    total = len(lines)
    try:
        chunks = _send_chunks(session, lines, graph, size, progress)
        loaded = session.count(graph)
        if loaded != total:
            raise LoadError(f"{_label(graph)} holds {loaded} triples after sending {total}")
    except KgbuildError as exc:
        if _refused(exc) and not session.wrote:
            raise LoadError(_nothing_written(exc, graph)) from None  # nothing to empty again
        message = str(exc) if isinstance(exc, LoadError) else f"load failed: {exc}"
        clear = f"CLEAR SILENT {'DEFAULT' if graph is None else f'GRAPH <{graph}>'}"
        try:
            session.update(clear, retry=True)
        except KgbuildError:
            raise LoadError(f"{message}; {_label(graph)} may hold part of the graph and could not be "
                            f"emptied: run `{clear}` on the store") from None
        raise LoadError(f"{message}; {_label(graph)} was emptied again, as it was") from None
    return chunks


def _label(graph: str | None) -> str:
    return "the default graph" if graph is None else f"<{graph}>"


def _refused(exc: KgbuildError) -> bool:
    """Whether the store answered the request with a refusal (HTTP 4xx), so it wrote nothing of it."""
    return isinstance(exc, WriteRefusedError) or (
        isinstance(exc, EndpointError) and not isinstance(exc, LoadError)
        and re.search(r"\(HTTP 4\d\d\b", exc.message) is not None
    )


def skolem_prefix(lines: Sequence[bytes], graph: str | None) -> str:
    """The IRI prefix the blank nodes of ``lines`` get when skolemised for ``graph`` (see the module docstring)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.rstrip() + b"\n")
    short = digest.hexdigest()[:16]
    parts = urlsplit(graph) if graph is not None else None
    if parts is not None and parts.scheme.lower() in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/.well-known/genid/kgbuild/{short}/"
    return f"urn:kgbuild:genid:{short}:"


def skolemise(lines: Sequence[bytes], prefix: str) -> list[bytes]:
    """The N-Triples ``lines`` with every blank node ``_:label`` (subject or object) written as ``<prefix label>``."""
    def iri(match: re.Match) -> bytes:
        label = quote(match.group(2).decode("utf-8"), safe="-._~")
        return match.group(1) + b"<" + prefix.encode("utf-8") + label.encode("ascii") + b">" + match.group(3)

    return [_OBJECT_SKOLEM.sub(iri, _SUBJECT_SKOLEM.sub(iri, line, count=1), count=1) for line in lines]


_COMPUTED_LITERAL = re.compile(
    rb'^(.*) ("(?:[^"\\]|\\.)*")\^\^<(http://www\.w3\.org/2001/XMLSchema#(?:duration|yearMonthDuration))> \.\s*$'
)


def virtuoso_insert(graph: str | None, lines: Sequence[bytes]) -> str:
    """One SPARQL Update adding the (blank-node-free) N-Triples ``lines`` to ``graph`` on Virtuoso.

    ``INSERT DATA`` for all but literals of xsd:duration and xsd:yearMonthDuration, which Virtuoso 7
    refuses in a constant clause (SR553 "can not be created from SQL value of type DOUBLE
    PRECISION"); those triples follow in an ``INSERT ... WHERE`` that makes each literal with STRDT.
    """
    plain: list[str] = []
    template: list[str] = []
    binds: list[str] = []
    for line in lines:
        match = _COMPUTED_LITERAL.match(line)
        if match is None:
            plain.append(line.decode("utf-8"))
            continue
        variable = f"?v{len(binds)}"
        template.append(f"{match.group(1).decode('utf-8')} {variable} .")
        binds.append(f"BIND(STRDT({match.group(2).decode('utf-8')}, <{match.group(3).decode('ascii')}>) AS {variable})")

    def into(triples: list[str]) -> str:
        block = "\n".join(triples)
        return block if graph is None else f"GRAPH <{graph}> {{\n{block}\n}}"

    operations = []
    if plain or not template:
        operations.append(f"INSERT DATA {{\n{into(plain)} }}")
    if template:
        operations.append(f"INSERT {{\n{into(template)} }}\nWHERE {{ {' '.join(binds)} }}")
    return " ;\n".join(operations)


def _nothing_written(exc: KgbuildError, graph: str | None) -> str:
    """The store refused the first write: the load stops there, with nothing written."""
    return f"load failed: {exc}; nothing was written, {_label(graph)} is unchanged"


def _failed(exc: KgbuildError, session: _Session, staging: str, graph: str | None) -> str:
    message = str(exc)
    if not isinstance(exc, LoadError):
        message = f"load failed: {message}; {_label(graph)} is unchanged"
    cleanup = _drop(session, staging)
    return message + (f"; {cleanup}" if cleanup else "; the staging graph was removed")


def _drop(session: _Session, staging: str) -> str:
    """Drop the staging graph; '' when done, else what was left behind and how to remove it."""
    try:
        session.update(f"DROP SILENT GRAPH <{staging}>", retry=True)
    except KgbuildError:
        return f"the staging graph <{staging}> could not be removed: run `DROP GRAPH <{staging}>` on the store"
    return ""


def _read_lines(path: Path) -> list[bytes]:
    from kgbuild.errors import InputError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return [line for line in data.split(b"\n") if line.strip() and not line.lstrip().startswith(b"#")]


_SUBJECT_BNODE = re.compile(rb"^_:(\S+) ")
_OBJECT_BNODE = re.compile(rb" _:(\S+) \.\s*$")
_SUBJECT_SKOLEM = re.compile(rb"^(\s*)_:(\S+)( )")
_OBJECT_SKOLEM = re.compile(rb"( )_:(\S+)( \.\s*$)")


def _chunks(lines: Sequence[bytes], size: int) -> Iterator[list[bytes]]:
    """Lists of about ``size`` lines; all lines linked through shared blank nodes are in the same list."""
    parent: dict[bytes, bytes] = {}

    def find(label: bytes) -> bytes:
        root = label
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[label] != root:
            parent[label], label = root, parent[label]
        return root

    plain: list[bytes] = []
    linked: list[tuple[bytes, bytes]] = []  # (a blank node of the line, line)
    for line in lines:
        subject = _SUBJECT_BNODE.match(line)
        obj = _OBJECT_BNODE.search(line)
        if subject is None and obj is None:
            plain.append(line)
            continue
        labels = [match.group(1) for match in (subject, obj) if match is not None]
        first = find(labels[0])
        for other in labels[1:]:
            root = find(other)
            if root != first:
                parent[root] = first
        linked.append((labels[0], line))
    groups: dict[bytes, list[bytes]] = {}
    for label, line in linked:
        groups.setdefault(find(label), []).append(line)
    chunk: list[bytes] = []
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    for line in plain:
        if len(chunk) >= size:
            yield chunk
            chunk = []
        chunk.append(line)
    if chunk:
        yield chunk


class _Session:
    """The requests of one load: one SPARQL-protocol client (credentials, retries, messages) and what it did."""

    def __init__(self, endpoints: Endpoints, *, timeout: float, retries: int, backoff: float) -> None:
        from kgbuild.backends.client import SparqlClient

        self.endpoints = endpoints
        self.client = SparqlClient(endpoints.query, update_endpoint=endpoints.update,
                                   graph_store=endpoints.graph_store, timeout=timeout, retries=retries,
                                   backoff=backoff)
        self.bulk = False
        self.skolem: str | None = None  # the IRI prefix blank nodes get in SPARQL Update (Virtuoso), or None
        self.wrote = False  # whether the store has accepted a write (a chunk or an update) of this load

    @property
    def retried(self) -> int:
        return self.client.retried

    # --- the operations ---------------------------------------------------------------------

    def count(self, graph: str | None) -> int:
        pattern = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return self._number(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")

    def missing(self, staging: str, graph: str | None) -> int:
        target = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        return self._number(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ {target} }} }}"
        )

    def insert(self, graph: str | None, lines: list[bytes]) -> None:
        """Add the lines to ``graph`` (None: the default graph) in one request (retried if transient: a chunk
        only ever goes to a graph whose count is checked, so one sent twice is caught)."""
        body = b"\n".join(lines) + b"\n"
        if self.endpoints.graph_store:
            self.client.graph_post(graph, body, content_type="application/n-triples", retry=True,
                                   flags=("no_transaction",) if self.bulk else ())
        elif self.skolem is not None:
            self.client.update(virtuoso_insert(graph, skolemise(lines, self.skolem)), retry=True)
        else:
            block = body.decode("utf-8") if graph is None else f"GRAPH <{graph}> {{\n{body.decode('utf-8')}}}"
            self.client.update(f"INSERT DATA {{\n{block} }}", retry=True)
        self.wrote = True

    def update(self, text: str, *, retry: bool = False) -> None:
        """One SPARQL Update request; retried only if asked (it must be idempotent)."""
        self.client.update(text, retry=retry)
        self.wrote = True

    def is_oxigraph(self) -> bool:
        """Whether the Graph Store endpoint's server calls itself Oxigraph (its ``Server`` header)."""
        return self.client.server().lower().startswith("oxigraph/")

    def is_virtuoso(self) -> bool:
        """Whether the store's server calls itself Virtuoso (its ``Server`` header)."""
        return self.client.server().lower().startswith("virtuoso/")

    # --- plumbing -----------------------------------------------------------------------------

    def _number(self, query: str) -> int:
        from kgbuild.backends.client import SPARQL_JSON, display_url
        from kgbuild.backends.remote import parse_json_results

        answer = self.client.query(query, accept=SPARQL_JSON)
        url = display_url(self.endpoints.query)
        rows = parse_json_results(answer.body, endpoint=url, content_type=answer.content_type)
        cell = rows.rows[0][0] if rows.rows and rows.variables else None
        if cell is not None and cell.value.isdigit():
            return int(cell.value)
        raise EndpointError(f"{url}: the store answered a COUNT query without a number")
