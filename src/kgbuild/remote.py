"""Running a SELECT query on a remote SPARQL 1.1 endpoint (SPARQLWrapper).

Parameters travel as a VALUES block of serialised terms placed at the start
of the query's outermost group pattern — the same meaning as pyoxigraph
substitutions and rdflib initBindings for parameters used in that group
(docs/query-catalogue.md). Credentials come from the environment:
KGBUILD_ENDPOINT_USER + KGBUILD_ENDPOINT_PASSWORD (basic auth) or
KGBUILD_ENDPOINT_TOKEN (bearer token); they never appear in messages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from kgbuild.errors import EndpointError, QueryError
from kgbuild.results import Rows, Term


def select_remote(endpoint: str, query: str, *, bindings: Mapping[str, Term], timeout: float) -> Rows:
    from urllib.error import HTTPError, URLError

    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    text = inject_values(query, bindings) if bindings else query
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setQuery(text)
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setTimeout(int(max(1, round(timeout))))
    user, password = os.environ.get("KGBUILD_ENDPOINT_USER"), os.environ.get("KGBUILD_ENDPOINT_PASSWORD")
    token = os.environ.get("KGBUILD_ENDPOINT_TOKEN")
    if user is not None and password is not None:
        wrapper.setCredentials(user, password)
    elif token:
        wrapper.addCustomHttpHeader("Authorization", f"Bearer {token}")
    try:
        response = wrapper.query().response
        body = response.read()
    except HTTPError as exc:
        raise EndpointError(_http_message(endpoint, exc.code, exc.read())) from None
    except SPARQLWrapperException as exc:
        raise EndpointError(_wrapper_message(endpoint, exc)) from None
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if "timed out" in str(reason):
            raise EndpointError(f"{endpoint}: no answer within {timeout:g} s (timed out)") from None
        raise EndpointError(f"{endpoint}: endpoint unreachable ({reason})") from None
    return parse_json_results(body, endpoint=endpoint)


def _http_message(endpoint: str, status: int, body: bytes) -> str:
    detail = _first_line(body.decode("utf-8", "replace"))
    if status in (401, 403):
        return f"{endpoint}: credentials refused (HTTP {status})"
    if status >= 500:
        return f"{endpoint}: the endpoint failed (HTTP {status}){': ' + detail if detail else ''}"
    return f"{endpoint}: request refused (HTTP {status}){': ' + detail if detail else ''}"


_WRAPPER_STATUS = {"Unauthorized": 401, "QueryBadFormed": 400, "EndPointNotFound": 404, "URITooLong": 414, "EndPointInternalError": 500}


def _wrapper_message(endpoint: str, exc: Exception) -> str:
    """SPARQLWrapper turns HTTP errors into its own exceptions; say what happened in HTTP terms."""
    status = _WRAPPER_STATUS.get(type(exc).__name__)
    text = str(exc)
    body = text.split("Response:", 1)[1].strip() if "Response:" in text else ""
    if body.startswith(("b'", 'b"')):
        body = body[2:-1].encode().decode("unicode_escape", "replace")
    if status is None:
        return f"{endpoint}: the endpoint rejected the query: {_first_line(text)}"
    return _http_message(endpoint, status, body.encode("utf-8"))


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def parse_json_results(body: bytes, *, endpoint: str) -> Rows:
    """SPARQL 1.1 Query Results JSON -> Rows; anything else is an EndpointError."""
    try:
        data = json.loads(body)
        variables = tuple(data["head"]["vars"])
        bindings = data["results"]["bindings"]
        rows = tuple(tuple(_term(binding.get(name)) for name in variables) for binding in bindings)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EndpointError(f"{endpoint}: malformed response, not SPARQL JSON results ({type(exc).__name__})") from None
    return Rows(variables=variables, rows=rows)


def _term(value: dict | None) -> Term | None:
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return Term.iri(value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    if kind in ("literal", "typed-literal"):
        return Term.literal(value["value"], datatype=value.get("datatype"), lang=value.get("xml:lang"))
    raise ValueError(f"unknown term type {kind!r}")


def inject_values(query: str, bindings: Mapping[str, Term]) -> str:
    """The query with ``VALUES (?a ?b) { (t1 t2) }`` right after the `{` opening its outermost group."""
    position = _outer_group_start(query)
    if position is None:
        raise QueryError("cannot find the query's WHERE clause to bind parameters in")
    names = sorted(bindings)
    block = " VALUES (" + " ".join(f"?{name}" for name in names) + ") { (" + " ".join(bindings[name].n3() for name in names) + ") } "
    return query[: position + 1] + block + query[position + 1 :]


def _outer_group_start(query: str) -> int | None:
    """Index of the first `{` outside comments, strings and IRIs (the outer WHERE group of a SELECT)."""
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char == "#":
            end = query.find("\n", i)
            i = n if end == -1 else end
        elif char in "\"'":
            triple = query[i : i + 3] == char * 3
            quote = char * 3 if triple else char
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
        elif char == "<" and _looks_like_iri(query, i):
            end = query.find(">", i)
            i = n if end == -1 else end + 1
        elif char == "{":
            return i
        else:
            i += 1
    return None


def _looks_like_iri(query: str, i: int) -> bool:
    end = query.find(">", i)
    return end != -1 and not any(c in query[i + 1 : end] for c in ' \n\t"{}')
