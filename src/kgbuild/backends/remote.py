"""Running a SELECT query or an update on a remote SPARQL 1.1 endpoint (through kgbuild.backends.client).

Parameters travel as a VALUES block of serialised terms placed at the start
of the query's outermost group pattern (kgbuild.sparqltext) — the same
meaning as pyoxigraph substitutions and rdflib initBindings for parameters
used in that group (docs/query-catalogue.md).

Requests, credentials (KGBUILD_ENDPOINT_USER + KGBUILD_ENDPOINT_PASSWORD,
or KGBUILD_ENDPOINT_TOKEN; HTTP Digest where the store asks for it),
timeouts and the EndpointError messages are the client's
(``kgbuild.backends.client``): every message starts with the endpoint URL
and never holds a secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pyoxigraph as ox

from kgbuild.backends.client import SPARQL_JSON, SparqlClient, check_timeout, check_url, display_url
from kgbuild.errors import EndpointError, QueryError
from kgbuild.queries.results import RDF_LANG_STRING, Rows, Term, iri, literal
from kgbuild.sparqltext import inject_values, query_form

__all__ = ["EndpointDataset", "display_url", "inject_values", "parse_json_results", "select_remote", "update_remote"]


def select_remote(endpoint: str, query: str, *, bindings: Mapping[str, Term], timeout: float,
                  default_graph: str | None = None) -> Rows:
    """Run the SELECT ``query`` on the SPARQL 1.1 endpoint ``endpoint`` (its query URL) and return its rows.

    ``bindings`` (variable name without ``?`` -> Term) are injected as a
    VALUES block; ``timeout`` (seconds, > 0) bounds connecting, waiting for
    the answer and reading it. Raises ParameterError for an unusable binding
    or timeout, QueryError if the text is not a SELECT query (or has no
    WHERE clause to bind in), EndpointError for everything the endpoint or
    the network does wrong. ``default_graph``: the IRI of the graph the query
    sees as its default graph (sent as the protocol's ``default-graph-uri``).
    One request, not retried.
    """
    check_timeout(timeout)
    url = check_url(endpoint)
    form = query_form(query)
    if form != "SELECT":
        raise QueryError(f"only SELECT queries can run on an endpoint, this is {form or 'not a query'}")
    text = inject_values(query, bindings)
    with SparqlClient(endpoint, timeout=timeout) as client:
        graphs = () if default_graph is None else (default_graph,)
        answer = client.query(text, accept=SPARQL_JSON, default_graphs=graphs)
        try:
            rows = parse_json_results(answer.body, endpoint=url, content_type=answer.content_type)
            _check_complete(rows, answer.row_limit, url)
            return rows
        except EndpointError as exc:
            failure = client.scrub(exc.message)
    raise EndpointError(failure)  # outside the except block: nothing chained that could quote the answer


def _check_complete(rows: Rows, row_cap: str | None, url: str) -> None:
    """Refuse an answer the store says it cut: Virtuoso stops a result at its ResultSetMaxRows (10000 in Debian's
    virtuoso.ini) without an error, and then sends ``X-SPARQL-MaxRows: N``. An answer of N rows with that header
    may be complete (exactly N rows, or LIMIT N) or cut; kgbuild cannot tell, so it does not answer."""
    if row_cap is None or not row_cap.strip().isdigit() or len(rows.rows) < int(row_cap):
        return
    raise EndpointError(f"{url}: the store cut the answer at {int(row_cap)} rows (X-SPARQL-MaxRows), so it may be "
                        "incomplete: raise the store's limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
                        "virtuoso.ini) above the rows this query needs")


def update_remote(endpoint: str, update: str, *, timeout: float) -> None:
    """Send the SPARQL 1.1 Update ``update`` to the update endpoint ``endpoint`` (one request).

    The text goes as the body of a POST (``application/sparql-update``),
    with the same credentials and the same EndpointError messages as
    ``select_remote`` (WriteRefusedError for HTTP 403). No retry: an update
    is not assumed to be idempotent.
    """
    check_timeout(timeout)
    with SparqlClient(update_endpoint=endpoint, timeout=timeout) as client:
        client.update(update)


class EndpointDataset:
    """A SPARQL 1.1 endpoint as a ``kgbuild.backends.base.Dataset``: ``kgbuild query --endpoint``, kgbuild's SHACL
    engine and the remote checks send their queries here.

    Every query is one request (``select_remote``: the same timeout, credentials and ``EndpointError`` messages
    as ``kgbuild query --endpoint``); ``graph`` is the graph the queries see as their default graph (sent as
    ``default-graph-uri``), else the endpoint's default graph. Bindings travel as a VALUES block (the endpoint has
    no other way to take terms); rows come back as pyoxigraph terms, as the embedded store gives them. A query
    that calls SERVICE is the endpoint's to evaluate.
    """

    def __init__(self, endpoint: str, *, graph: str | None = None, timeout: float = 30.0) -> None:
        check_timeout(timeout)
        check_url(endpoint)
        self.endpoint = endpoint
        self.graph = graph
        self.timeout = timeout

    def select(self, query: str, *, bindings: Mapping[str, Term] | None = None, file: str | None = None) -> Rows:
        try:
            return select_remote(self.endpoint, query, bindings=bindings or {}, timeout=self.timeout,
                                 default_graph=self.graph)
        except QueryError as error:
            if file is None or error.file is not None:
                raise
            raise QueryError(error.message, file=file, line=error.line, column=error.column) from None

    def is_empty(self) -> bool:
        from kgbuild.backends.base import ANY_TRIPLE

        return not self.select(ANY_TRIPLE).rows


# --- SPARQL 1.1 Query Results JSON -----------------------------------------------------------


class _Malformed(Exception):
    pass


def parse_json_results(body: bytes, *, endpoint: str, content_type: str = "") -> Rows:
    """SPARQL 1.1 Query Results JSON (a SELECT result) -> Rows; anything else is an EndpointError.

    Accepts the legacy ``typed-literal`` term type. A boolean (ASK) result,
    RDF-star triple terms, unknown term types, bindings of variables not in
    the head, and values of the wrong JSON type are all malformed.
    """
    kind = content_type.split(";", 1)[0].strip().lower() or "no content type"
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        what = "empty" if not body.strip() else f"{kind}, not JSON"
        raise EndpointError(f"{endpoint}: malformed response ({what}): expected SPARQL JSON results") from None
    try:
        return _rows(data)
    except _Malformed as exc:
        raise EndpointError(f"{endpoint}: malformed response: {exc}") from None


def _rows(data: object) -> Rows:
    if not isinstance(data, dict):
        raise _Malformed("the JSON is not an object")
    head = data.get("head")
    if not isinstance(head, dict):
        raise _Malformed('no "head" object')
    if "boolean" in data:
        raise _Malformed("a boolean (ASK) result where SELECT rows were expected")
    variables = head.get("vars")
    if not isinstance(variables, list) or not all(isinstance(name, str) and name for name in variables):
        raise _Malformed('"head.vars" is not a list of variable names')
    if len(set(variables)) != len(variables):
        raise _Malformed('"head.vars" names a variable twice')
    results = data.get("results")
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise _Malformed('no "results.bindings" list')
    known = set(variables)
    rows = []
    for number, binding in enumerate(results["bindings"], start=1):
        if not isinstance(binding, dict):
            raise _Malformed(f"row {number} is not an object")
        unknown = set(binding) - known
        if unknown:
            raise _Malformed(f"row {number} binds {sorted(unknown)[0]!r}, which is not in head.vars")
        rows.append(tuple(_term(binding.get(name), name, number) for name in variables))
    return Rows(variables=tuple(variables), rows=tuple(rows))


def _blank_label(label: str) -> str:
    """A blank node label RDF syntaxes take, the same for the same label: Virtuoso labels its blank nodes
    ``nodeID://b10744``; each character but letters and digits becomes ``_`` and its hex code, ``_``."""
    if re.fullmatch(r"[A-Za-z0-9]+", label):
        return label
    return re.sub(r"[^A-Za-z0-9]", lambda match: f"_{ord(match.group()):x}_", label)


def _term(value: object, name: str, number: int) -> Term | None:
    if value is None:
        return None
    where = f"row {number}, ?{name}"
    if not isinstance(value, dict):
        raise _Malformed(f"{where}: not a term object")
    kind, text = value.get("type"), value.get("value")
    if not isinstance(text, str):
        raise _Malformed(f"{where}: no string value")
    datatype, lang = value.get("datatype"), value.get("xml:lang")
    if kind in ("uri", "bnode"):
        if datatype is not None or lang is not None:
            raise _Malformed(f"{where}: an {kind} with a datatype or language")
        try:
            return ox.BlankNode(_blank_label(text)) if kind == "bnode" else iri(text)
        except ValueError as exc:
            what = "an IRI" if kind == "uri" else "a blank node label"
            raise _Malformed(f"{where}: {text!r} is not {what} ({exc})") from None
    if kind in ("literal", "typed-literal"):
        if datatype is not None and not (isinstance(datatype, str) and datatype):
            raise _Malformed(f"{where}: the datatype is not an IRI")
        if lang is not None and not (isinstance(lang, str) and lang):
            raise _Malformed(f"{where}: xml:lang is not a language tag")
        if kind == "typed-literal" and datatype is None:
            raise _Malformed(f"{where}: a typed-literal without a datatype")
        if lang is not None and datatype not in (None, RDF_LANG_STRING):
            raise _Malformed(f"{where}: a literal with both a language and the datatype {datatype}")
        if datatype == RDF_LANG_STRING and lang is None:
            raise _Malformed(f"{where}: an rdf:langString without xml:lang")
        try:
            return literal(text, datatype=datatype, lang=lang)
        except ValueError as exc:
            raise _Malformed(f"{where}: not an RDF literal ({exc})") from None
    if kind == "triple":
        raise _Malformed(f"{where}: a triple term (RDF-star), which kgbuild results cannot hold")
    raise _Malformed(f"{where}: unknown term type {kind!r}")
