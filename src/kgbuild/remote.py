"""Running a SELECT query on a remote SPARQL 1.1 endpoint (SPARQLWrapper).

Parameters travel as a VALUES block of serialised terms placed at the start
of the query's outermost group pattern (kgbuild.sparqltext) — the same
meaning as pyoxigraph substitutions and rdflib initBindings for parameters
used in that group (docs/query-catalogue.md).

Credentials come from the environment: KGBUILD_ENDPOINT_USER +
KGBUILD_ENDPOINT_PASSWORD (HTTP basic auth; HTTP Digest when the store
refuses basic and asks for Digest, as Virtuoso's ``/sparql-auth`` does:
``digest_request``) or KGBUILD_ENDPOINT_TOKEN (``Authorization: Bearer ...``). They never appear in a message: every
message names the endpoint without any user info and is scrubbed of the
secrets before it is raised.

Every failure is an EndpointError whose message starts with the endpoint
URL: ``URL: endpoint unreachable (...)``, ``URL: no answer within N s
(timed out)``, ``URL: credentials refused (HTTP 401)``, ``URL: the store
refused the write (HTTP 403 Forbidden): ...`` (a WriteRefusedError), ``URL: request
refused (HTTP 400): <server's first line>``, ``URL: the endpoint failed
(HTTP 500): <server's first line>``, ``URL: malformed response: ...``.

SPARQLWrapper is imported when a query is sent, not before: the CLI starts
without it.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import time
import warnings
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

from kgbuild.errors import EndpointError, ParameterError, QueryError, WriteRefusedError
from kgbuild.results import RDF_LANG_STRING, Rows, Term
from kgbuild.sparqltext import inject_values, query_form

__all__ = ["EndpointDataset", "display_url", "inject_values", "parse_json_results", "select_remote", "update_remote"]

ENV_USER = "KGBUILD_ENDPOINT_USER"
ENV_PASSWORD = "KGBUILD_ENDPOINT_PASSWORD"
ENV_TOKEN = "KGBUILD_ENDPOINT_TOKEN"

_CHUNK = 1 << 16
_DETAIL_LENGTH = 200


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
    """
    _check_timeout(timeout)
    url = display_url(endpoint)
    _check_url(endpoint, url)
    form = query_form(query)
    if form != "SELECT":
        raise QueryError(f"only SELECT queries can run on an endpoint, this is {form or 'not a query'}")
    text = inject_values(query, bindings)
    auth = _credentials(url)
    try:
        import SPARQLWrapper  # noqa: F401 - imported here, not at module level: the CLI starts without it
    except ImportError:
        SPARQLWrapper = None
    if SPARQLWrapper is None:
        raise EndpointError(f"{url}: querying an endpoint needs SPARQLWrapper (pip install SPARQLWrapper)")
    failure = None
    try:
        body, content_type, row_cap = _send(endpoint, text, auth, timeout, default_graph=default_graph)
        rows = parse_json_results(body, endpoint=url, content_type=content_type)
        _check_complete(rows, row_cap, url)
        return rows
    except EndpointError as exc:
        failure = exc.message
    except Exception as exc:  # noqa: BLE001 - every failure must become an EndpointError
        failure = _failure_message(url, exc, timeout, sent_credentials=auth.kind is not None)
    # Raised outside the except blocks: no chained exception (which may hold request
    # headers or server text) travels with it, and the message is scrubbed of the secrets.
    raise EndpointError(_scrub(failure, auth.secrets))


def update_remote(endpoint: str, update: str, *, timeout: float) -> None:
    """Send the SPARQL 1.1 Update ``update`` to the update endpoint ``endpoint`` (one request).

    The text goes as the body of a POST (``application/sparql-update``),
    with the same credentials and the same EndpointError messages as
    ``select_remote``. No retry: an update is not assumed to be idempotent.
    """
    _check_timeout(timeout)
    url = display_url(endpoint)
    _check_url(endpoint, url)
    auth = _credentials(url)
    failure = None
    error: type[EndpointError] = EndpointError
    try:
        _send_update(endpoint, update, auth, timeout)
        return
    except EndpointError as exc:
        failure = exc.message
    except Exception as exc:  # noqa: BLE001 - every failure must become an EndpointError
        failure = _failure_message(url, exc, timeout, sent_credentials=auth.kind is not None, role="update")
        if http_status(exc) == 403:
            error = WriteRefusedError
    raise error(_scrub(failure, auth.secrets))


def _check_timeout(timeout: object) -> None:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise ParameterError(f"the endpoint timeout must be a positive number of seconds, not {timeout!r}")


def display_url(endpoint: str) -> str:
    """The endpoint URL as messages show it: without user info (``user:password@``)."""
    try:
        parts = urlsplit(endpoint)
    except ValueError:
        return "<invalid endpoint URL>"
    if "@" not in parts.netloc:
        return endpoint
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _check_url(endpoint: str, url: str) -> None:
    parts = None
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None:  # raised here, not in the except block: no chained error (it may quote the URL)
        raise EndpointError(f"{url}: not a valid http(s) URL")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"{url}: not an http(s) URL of a SPARQL endpoint")
    if "@" in parts.netloc:
        raise EndpointError(
            f"{url}: credentials in the URL are not used; set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}"
        )
    if any(ord(char) <= 0x20 for char in endpoint):
        raise EndpointError(f"{url}: the URL contains spaces or control characters")


class _Auth:
    def __init__(self, kind: str | None = None, user: str = "", password: str = "", token: str = "") -> None:
        self.kind = kind
        self.user = user
        self.password = password
        self.token = token

    @property
    def secrets(self) -> tuple[str, ...]:
        found = []
        if self.kind == "basic":
            found += [self.password, base64.b64encode(f"{self.user}:{self.password}".encode()).decode()]
        if self.kind == "bearer":
            found.append(self.token)
        return tuple(secret for secret in found if secret)


def _credentials(url: str) -> _Auth:
    user = os.environ.get(ENV_USER) or None
    password = os.environ.get(ENV_PASSWORD) or None
    token = os.environ.get(ENV_TOKEN) or None
    if (user is None) != (password is None):
        missing = ENV_PASSWORD if password is None else ENV_USER
        raise EndpointError(f"{url}: {ENV_USER} and {ENV_PASSWORD} go together; {missing} is not set")
    if user is not None and token is not None:
        raise EndpointError(f"{url}: set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}, not both")
    if user is not None and password is not None:
        if ":" in user:
            raise EndpointError(f"{url}: {ENV_USER} must not contain ':' (basic auth separates user and password with it)")
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in user + password):
            raise EndpointError(f"{url}: {ENV_USER} or {ENV_PASSWORD} contains control characters")
        return _Auth("basic", user=user, password=password)
    if token is not None:
        token = token.strip()
        if not token or any(ord(char) <= 0x20 or ord(char) >= 0x7F for char in token):
            raise EndpointError(f"{url}: {ENV_TOKEN} contains characters an HTTP header cannot carry")
        return _Auth("bearer", token=token)
    return _Auth()


def _check_complete(rows: Rows, row_cap: str | None, url: str) -> None:
    """Refuse an answer the store says it cut: Virtuoso stops a result at its ResultSetMaxRows (10000 in Debian's
    virtuoso.ini) without an error, and then sends ``X-SPARQL-MaxRows: N``. An answer of N rows with that header
    may be complete (exactly N rows, or LIMIT N) or cut; kgbuild cannot tell, so it does not answer."""
    if row_cap is None or not row_cap.strip().isdigit() or len(rows.rows) < int(row_cap):
        return
    raise EndpointError(f"{url}: the store cut the answer at {int(row_cap)} rows (X-SPARQL-MaxRows), so it may be "
                        "incomplete: raise the store's limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
                        "virtuoso.ini) above the rows this query needs")


def _send(endpoint: str, text: str, auth: _Auth, timeout: float, *,
          default_graph: str | None = None) -> tuple[bytes, str, str | None]:
    """POST the query with SPARQLWrapper; the raw body, content type and ``X-SPARQL-MaxRows`` header (the row
    limit Virtuoso says it stopped the result at; None without it, and over HTTP Digest) of a 2xx answer."""
    from http.client import IncompleteRead

    from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper

    wrapper = SPARQLWrapper(endpoint)
    with warnings.catch_warnings():
        # SPARQLWrapper guesses the query form with a regex that comments and prefixes fool;
        # it warns when unsure. The form is known (SELECT) and set below.
        warnings.simplefilter("ignore")
        wrapper.setQuery(text)
    # A header comment saying "added" or "loaded" makes SPARQLWrapper take the query for an update
    # (sent as update=...); the text was checked to be a SELECT query, so say so.
    wrapper.queryType = SELECT
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setOnlyConneg(True)  # Accept header only: no format=/output=/results= parameters
    if default_graph is not None:
        wrapper.addDefaultGraph(default_graph)
    _configure(wrapper, auth, timeout)
    deadline = time.monotonic() + timeout
    try:
        response = wrapper.query().response
    except Exception as exc:  # noqa: BLE001 - re-raised unless the store wants Digest
        form = {"query": text, **({"default-graph-uri": default_graph} if default_graph is not None else {})}
        return (*_digest_instead(exc, endpoint, form, auth, timeout, accept="application/sparql-results+json"), None)
    try:
        content_type = response.headers.get("Content-Type", "") if response.headers else ""
        row_cap = response.headers.get("X-SPARQL-MaxRows") if response.headers else None
        chunks = []
        read = getattr(response, "read1", response.read)
        while True:
            chunk = read(_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise TimeoutError("timed out")
        if getattr(response, "length", None):  # fewer bytes than Content-Length announced
            raise IncompleteRead(b"".join(chunks), response.length)
    finally:
        response.close()
    return b"".join(chunks), content_type, row_cap


def _configure(wrapper, auth: _Auth, timeout: float) -> None:
    """Timeout and credentials of a SPARQLWrapper request."""
    from SPARQLWrapper import BASIC

    wrapper.setTimeout(max(1, math.ceil(timeout)))
    wrapper.timeout = timeout  # setTimeout truncates to int (0.5 would mean "no timeout"); urllib takes a float
    if auth.kind == "basic":
        wrapper.setHTTPAuth(BASIC)
        wrapper.setCredentials(auth.user, auth.password)
    elif auth.kind == "bearer":
        wrapper.addCustomHttpHeader("Authorization", f"Bearer {auth.token}")


def _send_update(endpoint: str, text: str, auth: _Auth, timeout: float) -> None:
    """POST the update directly (application/sparql-update) with SPARQLWrapper; read and drop the answer."""
    from SPARQLWrapper import INSERT, POST, POSTDIRECTLY, SPARQLWrapper

    wrapper = SPARQLWrapper(endpoint, updateEndpoint=endpoint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapper.setQuery(text)
    # SPARQLWrapper sends a request as an update when its form is any update keyword; the text may
    # hold several operations (MOVE, DROP, ...), so name one rather than let it guess from the text.
    wrapper.queryType = INSERT
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY)
    wrapper.setOnlyConneg(True)
    _configure(wrapper, auth, timeout)
    try:
        response = wrapper.query().response
    except Exception as exc:  # noqa: BLE001 - re-raised unless the store wants Digest
        _digest_instead(exc, endpoint, text.encode("utf-8"), auth, timeout, content_type="application/sparql-update")
        return
    try:
        response.read()
    finally:
        response.close()


def _digest_instead(exc: Exception, endpoint: str, body: dict[str, str] | bytes, auth: _Auth, timeout: float, *,
                    content_type: str = "application/x-www-form-urlencoded", accept: str = "*/*") -> tuple[bytes, str]:
    """The answer to the request sent again with HTTP Digest, if basic credentials got HTTP 401; else ``exc`` raised."""
    if auth.kind != "basic" or http_status(exc) != 401:
        raise exc
    from urllib.parse import urlencode

    data = urlencode(body).encode("ascii") if isinstance(body, dict) else body
    return digest_request(endpoint, data, user=auth.user, password=auth.password, timeout=timeout,
                          headers={"Content-Type": content_type, "Accept": accept})


def digest_request(url: str, data: bytes, *, user: str, password: str, timeout: float,
                   headers: Mapping[str, str]) -> tuple[bytes, str]:
    """POST ``data`` to ``url`` answering an HTTP Digest challenge (RFC 7616, by urllib's handler); body and type.

    Sent first without credentials, to get the challenge (Virtuoso answers a basic ``Authorization``
    with a bare 401). Failures are urllib's exceptions (an HTTPError 401 if the credentials are refused).
    Redirects are not followed (a redirected POST would lose its body).
    """
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
            return None

    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords), NoRedirect)
    request = urllib.request.Request(url, data=data, method="POST", headers=dict(headers))
    with opener.open(request, timeout=timeout) as response:
        return response.read(), response.headers.get("Content-Type", "")


def auth_headers(endpoint: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The Authorization header for ``endpoint`` from the environment (or none), and the secrets to scrub."""
    auth = _credentials(display_url(endpoint))
    if auth.kind == "basic":
        token = base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}, auth.secrets
    if auth.kind == "bearer":
        return {"Authorization": f"Bearer {auth.token}"}, auth.secrets
    return {}, ()


def digest_credentials(endpoint: str) -> tuple[str, str] | None:
    """(user, password) from the environment for ``endpoint``, to answer a Digest challenge; None without them."""
    auth = _credentials(display_url(endpoint))
    return (auth.user, auth.password) if auth.kind == "basic" else None


def describe_failure(
    url: str, exc: BaseException, timeout: float, *, sent_credentials: bool, secrets: Iterable[str], role: str
) -> str:
    """A one-line message, scrubbed of ``secrets``, for what urllib / http.client raised talking to ``url``.

    ``role`` names the URL in a 404 message ("graph store", "update").
    """
    return _scrub(_failure_message(url, exc, timeout, sent_credentials=sent_credentials, role=role), secrets)


def check_url(endpoint: str) -> str:
    """The URL as messages show it, after checking it is a usable http(s) URL (else EndpointError)."""
    url = display_url(endpoint)
    _check_url(endpoint, url)
    return url


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of a failure SPARQLWrapper or urllib raised, if it was an HTTP answer."""
    from urllib.error import HTTPError

    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    if isinstance(exc, SPARQLWrapperException):
        context = exc.__context__
        return context.code if isinstance(context, HTTPError) else _WRAPPER_STATUS.get(type(exc).__name__)
    return exc.code if isinstance(exc, HTTPError) else None


def _failure_message(url: str, exc: BaseException, timeout: float, *, sent_credentials: bool, role: str = "query") -> str:
    """What went wrong, in words, from whatever SPARQLWrapper / urllib / http.client raised."""
    from http.client import HTTPException, IncompleteRead
    from urllib.error import HTTPError, URLError

    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    if isinstance(exc, SPARQLWrapperException):
        # SPARQLWrapper read the HTTPError's body into its message; the HTTPError is the context.
        context = exc.__context__
        status = context.code if isinstance(context, HTTPError) else _WRAPPER_STATUS.get(type(exc).__name__, 0)
        return _http_message(url, status, _wrapper_body(exc), sent_credentials=sent_credentials, role=role)
    if isinstance(exc, HTTPError):
        try:
            body = exc.read() or b""
        except Exception:  # noqa: BLE001 - the body is only a detail
            body = b""
        location = exc.headers.get("Location") if exc.headers else None
        return _http_message(url, exc.code, body, sent_credentials=sent_credentials, location=location, role=role)
    reason: object = exc.reason if isinstance(exc, URLError) else exc
    if _is_timeout(reason) or _is_timeout(exc):
        return f"{url}: no answer within {timeout:g} s (timed out)"
    if isinstance(reason, ConnectionRefusedError):
        return f"{url}: endpoint unreachable (connection refused)"
    if isinstance(exc, IncompleteRead) or isinstance(reason, IncompleteRead):
        return f"{url}: malformed response: the connection closed before the whole answer arrived"
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)) or type(reason).__name__ == "RemoteDisconnected":
        return f"{url}: endpoint unreachable (the connection was closed without an answer)"
    if isinstance(reason, HTTPException):
        return f"{url}: malformed response: not HTTP ({type(reason).__name__})"
    if isinstance(reason, OSError):
        detail = reason.strerror or str(reason) or type(reason).__name__
        return f"{url}: endpoint unreachable ({detail})"
    if isinstance(reason, str):
        return f"{url}: endpoint unreachable ({reason})"
    return f"{url}: request failed ({type(exc).__name__}: {_first_line(str(exc))})"


def _is_timeout(error: object) -> bool:
    return isinstance(error, TimeoutError) or "timed out" in str(error)


_WRITE_ROLES = ("update", "graph store")  # the roles of a URL that a request writes to
_WRAPPER_STATUS = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414, "EndPointInternalError": 500}


def _wrapper_body(exc: BaseException) -> bytes:
    """The server's body, which SPARQLWrapper keeps only as a repr inside its message."""
    import ast

    text = str(exc)
    marker = "\n\nResponse:\n"
    if marker not in text:
        return b""
    try:
        value = ast.literal_eval(text.split(marker, 1)[1])
    except (ValueError, SyntaxError):
        return b""
    return value if isinstance(value, bytes) else str(value).encode()


def _http_message(
    url: str, status: int, body: bytes, *, sent_credentials: bool, location: str | None = None, role: str = "query"
) -> str:
    detail = _detail(body)
    suffix = f": {detail}" if detail else ""
    if status == 403 and role in _WRITE_ROLES:
        if sent_credentials:
            why = "the store is read-only, or the credentials sent may not write"
        else:
            why = (f"the store is read-only, or writing needs credentials (none were sent: set {ENV_USER} and "
                   f"{ENV_PASSWORD}, or {ENV_TOKEN})")
        return f"{url}: the store refused the write (HTTP 403 Forbidden){suffix}; {why}"
    if status in (401, 403):
        if sent_credentials:
            return f"{url}: credentials refused (HTTP {status})"
        return f"{url}: credentials refused (HTTP {status}); none were sent: set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}"
    if status == 404:
        return f"{url}: not found (HTTP 404): is this the endpoint's {role} URL?"
    if 300 <= status < 400:
        where = f" to {display_url(location)}" if location else ""
        return f"{url}: redirected (HTTP {status}){where}; use the URL it points to"
    if status >= 500:
        return f"{url}: the endpoint failed (HTTP {status}){suffix}"
    return f"{url}: request refused (HTTP {status}){suffix}"


def _detail(body: bytes) -> str:
    """The first line of text of an error body (HTML tags removed), shortened."""
    text = body.decode("utf-8", "replace")
    if "<" in text and ">" in text:
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]*>", "\n", text)
    return _first_line(text)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= _DETAIL_LENGTH else line[: _DETAIL_LENGTH - 1] + "…"
    return ""


def _scrub(message: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            message = message.replace(secret, "***")
    return message


class EndpointDataset:
    """A SPARQL 1.1 endpoint as a ``kgbuild.shacl.Dataset``: kgbuild's SHACL engine sends its queries here.

    Every query is one request (``select_remote``: the same timeout, credentials and ``EndpointError`` messages
    as ``kgbuild query --endpoint``); ``graph`` is the graph the queries see as their default graph (sent as
    ``default-graph-uri``), else the endpoint's default graph. Rows come back as pyoxigraph terms, by variable
    name (None where unbound), as the embedded store gives them.
    """

    def __init__(self, endpoint: str, *, graph: str | None = None, timeout: float = 30.0) -> None:
        _check_timeout(timeout)
        check_url(endpoint)
        self.endpoint = endpoint
        self.graph = graph
        self.timeout = timeout

    def solutions(self, query: str) -> tuple[list[str], list[dict[str, object]]]:
        from kgbuild.engines import _to_ox

        rows = select_remote(self.endpoint, query, bindings={}, timeout=self.timeout, default_graph=self.graph)
        names = list(rows.variables)
        return names, [{name: None if term is None else _to_ox(term) for name, term in zip(names, row)}
                       for row in rows.rows]


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
        return Term(kind, _blank_label(text) if kind == "bnode" else text)
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
        return Term.literal(text, datatype=datatype, lang=lang)
    if kind == "triple":
        raise _Malformed(f"{where}: a triple term (RDF-star), which kgbuild results cannot hold")
    raise _Malformed(f"{where}: unknown term type {kind!r}")
