"""The one SPARQL 1.1 Protocol client: queries, updates and the Graph Store HTTP Protocol, over httpx.

Every request kgbuild sends to a store goes through ``SparqlClient`` (``kgbuild query --endpoint``,
``validate --endpoint``, the contribution check against a store, ``kgbuild load``).

- **Queries** are a POST of the form ``query=…`` (plus ``default-graph-uri`` / ``named-graph-uri``),
  **updates** a POST of the text as ``application/sparql-update``, the **Graph Store** requests a
  GET/PUT/POST/DELETE on ``URL?graph=IRI`` (``URL?default`` for the default graph).
- **Credentials** come from the environment: KGBUILD_ENDPOINT_USER + KGBUILD_ENDPOINT_PASSWORD (HTTP
  Basic, sent with every request; when the store answers 401 without a challenge or with a Digest
  one, as Virtuoso's ``/sparql-auth`` answers Basic, the request goes again with HTTP Digest, and
  the client keeps to Digest from then on) or KGBUILD_ENDPOINT_TOKEN (``Authorization: Bearer``).
  Credentials in the URL are refused. No secret ever appears in a message: every message names the
  URL without user info and is scrubbed of the secrets before it is raised, with no chained exception.
- **Timeouts**: ``timeout`` seconds bound connecting, each wait for data, and reading the whole answer.
- **Retries** (``retries`` more attempts, waiting ``backoff`` × 2^n s) only for requests safe to repeat
  — queries, Graph Store GET/PUT/DELETE, and updates or POSTs whose caller says so — and only after a
  transient failure: HTTP 502/503/504, a connection reset or closed without an answer, or refused
  after the store has answered once (it is restarting, not absent). A message after retries ends
  "(gave up after N attempts)".
- **Errors** are ``EndpointError`` (``WriteRefusedError`` for an HTTP 403 to a write) whose message
  starts with the URL and says what the store said: ``URL: endpoint unreachable (...)``, ``URL: no
  answer within N s (timed out)``, ``URL: credentials refused (HTTP 401)``, ``URL: request refused
  (HTTP 400): <first line of its answer>``, ``URL: the endpoint failed (HTTP 500): <first line>``,
  ``URL: not found (HTTP 404): ...``, ``URL: redirected (HTTP 3xx) to ...`` (never followed: a
  redirected POST would lose its body), ``URL: malformed response: ...``.

httpx is imported at the first request, not before: ``kgbuild query`` on the embedded store never
imports it.
"""

from __future__ import annotations

import base64
import functools
import math
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from kgbuild.errors import EndpointError, ParameterError, WriteRefusedError

if TYPE_CHECKING:
    import ssl

    import httpx

__all__ = ["Answer", "Credentials", "SparqlClient", "check_timeout", "check_url", "display_url"]

ENV_USER = "KGBUILD_ENDPOINT_USER"
ENV_PASSWORD = "KGBUILD_ENDPOINT_PASSWORD"
ENV_TOKEN = "KGBUILD_ENDPOINT_TOKEN"

SPARQL_JSON = "application/sparql-results+json"
TRANSIENT_STATUS = frozenset({502, 503, 504})
_DETAIL_LENGTH = 200


# --- URLs and timeouts ---------------------------------------------------------------------------


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


def check_url(endpoint: str) -> str:
    """The URL as messages show it, after checking it is a usable http(s) URL (else EndpointError)."""
    url = display_url(endpoint)
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
    return url


def check_timeout(timeout: object) -> None:
    """ParameterError unless ``timeout`` is a positive, finite number of seconds."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise ParameterError(f"the endpoint timeout must be a positive number of seconds, not {timeout!r}")


# --- credentials -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What the client authenticates with: ``kind`` "basic" (user, password), "bearer" (token) or None."""

    kind: str | None = None
    user: str = ""
    password: str = ""
    token: str = ""

    def __repr__(self) -> str:  # never the secrets, whoever prints it
        return f"Credentials(kind={self.kind!r})"

    @classmethod
    def from_environment(cls, url: str) -> Credentials:
        """The credentials the environment gives (none: ``Credentials()``); EndpointError naming ``url`` if unusable."""
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
                raise EndpointError(
                    f"{url}: {ENV_USER} must not contain ':' (basic auth separates user and password with it)"
                )
            if any(ord(char) < 0x20 or ord(char) == 0x7F for char in user + password):
                raise EndpointError(f"{url}: {ENV_USER} or {ENV_PASSWORD} contains control characters")
            return cls("basic", user=user, password=password)
        if token is not None:
            token = token.strip()
            if not token or any(ord(char) <= 0x20 or ord(char) >= 0x7F for char in token):
                raise EndpointError(f"{url}: {ENV_TOKEN} contains characters an HTTP header cannot carry")
            return cls("bearer", token=token)
        return cls()

    @property
    def header(self) -> dict[str, str]:
        """The ``Authorization`` header sent with every request (none for Digest, which answers a challenge)."""
        if self.kind == "basic":
            return {"Authorization": f"Basic {self._basic_token}"}
        if self.kind == "bearer":
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every text that would give the credentials away, to scrub from messages."""
        found = []
        if self.kind == "basic":
            found += [self.password, self._basic_token]
        if self.kind == "bearer":
            found.append(self.token)
        return tuple(secret for secret in found if secret)

    @property
    def _basic_token(self) -> str:
        return base64.b64encode(f"{self.user}:{self.password}".encode()).decode()


# --- answers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A store's 2xx answer, read whole."""

    status: int
    body: bytes
    content_type: str
    row_limit: str | None = None  # X-SPARQL-MaxRows: the row count a store (Virtuoso) says it may have cut the answer at


class SparqlClient:
    """Requests to one store: its query endpoint, update endpoint and Graph Store endpoint (any may be None).

    ``timeout`` seconds per request (see the module docstring), ``retries`` further attempts of a
    request safe to repeat after a transient failure, waiting ``backoff`` × 2^n seconds.
    ``credentials``: None reads them from the environment (EndpointError if they are unusable).
    ``retried`` counts the retries made; ``answered`` is whether the store has answered at all.
    Use it as a context manager, or call ``close()``, to release its connections.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        timeout: float = 30.0,
        retries: int = 0,
        backoff: float = 0.5,
        credentials: Credentials | None = None,
    ) -> None:
        check_timeout(timeout)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ParameterError(f"retries must be 0 or more, not {retries!r}")
        if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or not backoff >= 0:
            raise ParameterError(f"the backoff must be 0 or more seconds, not {backoff!r}")
        urls = [url for url in (endpoint, update_endpoint, graph_store) if url is not None]
        if not urls:
            raise ParameterError("a SPARQL client needs at least one URL: a query, update or graph store endpoint")
        for url in urls:
            check_url(url)
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.graph_store = graph_store
        self.timeout = float(timeout)
        self.retries = retries
        self.backoff = float(backoff)
        if credentials is None:
            credentials = Credentials.from_environment(display_url(urls[0]))
        self.credentials = credentials
        self.retried = 0
        self.answered = False
        self._tls = any(urlsplit(url).scheme.lower() == "https" for url in urls)
        self._http: httpx.Client | None = None
        self._digest: httpx.DigestAuth | None = None  # set once the store has taken Digest
        self._server: str | None = None

    # --- the protocol ----------------------------------------------------------------------------

    def query(self, text: str, *, accept: str, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = ()) -> Answer:
        """POST the query ``text`` (a form, with the protocol's dataset parameters) to the query endpoint."""
        url = self._need(self.endpoint, "query")
        form = [("query", text), *(("default-graph-uri", graph) for graph in default_graphs),
                *(("named-graph-uri", graph) for graph in named_graphs)]
        return self._request("POST", url, role="query", retry=True, accept=accept,
                             content=urlencode(form).encode("ascii"),
                             content_type="application/x-www-form-urlencoded")

    def update(self, text: str, *, retry: bool = False) -> None:
        """POST the SPARQL Update ``text`` to the update endpoint; retried only if ``retry`` (it must be idempotent)."""
        url = self._need(self.update_endpoint, "update")
        self._request("POST", url, role="update", retry=retry, content=text.encode("utf-8"),
                      content_type="application/sparql-update")

    def graph_get(self, graph: str | None, *, accept: str = "application/n-triples") -> Answer:
        """The graph's contents (None: the default graph) over the Graph Store Protocol."""
        return self._request("GET", self._graph_url(graph, ()), role="graph store", retry=True, accept=accept)

    def graph_put(self, graph: str | None, data: bytes, *, content_type: str) -> None:
        """Replace the graph's contents with ``data`` (RDF in ``content_type``)."""
        self._request("PUT", self._graph_url(graph, ()), role="graph store", retry=True, content=data,
                      content_type=content_type)

    def graph_post(self, graph: str | None, data: bytes, *, content_type: str, retry: bool = False,
                   flags: Sequence[str] = ()) -> None:
        """Add ``data`` to the graph; retried only if ``retry`` (a resent POST may add blank nodes twice).

        ``flags``: names added to the URL's query string, e.g. Oxigraph's ``no_transaction`` (its bulk loader).
        """
        self._request("POST", self._graph_url(graph, flags), role="graph store", retry=retry, content=data,
                      content_type=content_type)

    def graph_delete(self, graph: str | None) -> None:
        """Delete the graph (the default graph: empty it)."""
        self._request("DELETE", self._graph_url(graph, ()), role="graph store", retry=True)

    def server(self) -> str:
        """The ``Server`` header of a HEAD request to the Graph Store (else query) endpoint; '' if none (asked once)."""
        if self._server is None:
            url = self.graph_store or self.endpoint or self.update_endpoint or ""
            try:
                client = self._http_client()
                # Connection: close: Oxigraph answers HEAD /query with a body, which would poison a kept-alive
                # connection for the next request.
                request = client.build_request("HEAD", url, headers={"Connection": "close", **self._auth_header()},
                                               timeout=self.timeout)
                self._server = client.send(request, auth=self._digest).headers.get("Server", "")
            except Exception:  # noqa: BLE001 - only a hint: the requests themselves report real failures
                self._server = ""
        return self._server

    def scrub(self, message: str) -> str:
        """``message`` with every secret of the credentials replaced by ``***``."""
        return _scrub(message, self.credentials.secrets)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> SparqlClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- plumbing --------------------------------------------------------------------------------

    def _need(self, url: str | None, role: str) -> str:
        if url is None:
            raise ParameterError(f"this SPARQL client has no {role} endpoint")
        return url

    def _graph_url(self, graph: str | None, flags: Sequence[str]) -> str:
        base = self._need(self.graph_store, "graph store")
        target = "default" if graph is None else "graph=" + quote(graph, safe="")
        query = "&".join([target, *flags])
        parts = urlsplit(base)
        joined = f"{parts.query}&{query}" if parts.query else query
        return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, ""))

    def _http_client(self) -> httpx.Client:
        if self._http is None:
            import httpx

            # Plain HTTP needs no certificate store (loading one costs ~50 ms): an http-only client gets a
            # context that trusts nothing, so no TLS connection it was never meant to make could succeed.
            verify = _tls_context() if self._tls else _trust_nothing()
            self._http = httpx.Client(verify=verify, follow_redirects=False, trust_env=True)
        return self._http

    def _auth_header(self) -> dict[str, str]:
        return {} if self._digest is not None else self.credentials.header

    def _request(self, method: str, url: str, *, role: str, retry: bool, accept: str | None = None,
                 content: bytes | None = None, content_type: str | None = None) -> Answer:
        """Send one request (again after transient failures if ``retry``); its 2xx answer, else EndpointError."""
        headers = {}
        if accept is not None:
            headers["Accept"] = accept
        if content_type is not None:
            headers["Content-Type"] = content_type
        attempt = 0
        while True:
            outcome = self._attempt(method, url, headers, content, role=role)
            if isinstance(outcome, Answer):
                return outcome
            if not (retry and outcome.transient and attempt < self.retries):
                break
            time.sleep(self.backoff * (2**attempt))
            attempt += 1
            self.retried += 1
        message = outcome.message + (f" (gave up after {attempt + 1} attempts)" if attempt else "")
        # Raised here, outside any except block: no chained exception (which may hold request headers or
        # server text) travels with it, and the message is scrubbed of the secrets.
        raise (WriteRefusedError if outcome.write_refused else EndpointError)(self.scrub(message))

    def _attempt(self, method: str, url: str, headers: dict[str, str], content: bytes | None, *,
                 role: str) -> Answer | _Failure:
        shown = display_url(url)
        write = method != "GET" and role in _WRITE_ROLES
        try:
            status, response_headers, body = self._exchange(method, url, headers, content)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, retried or not
            return _failure(shown, exc, self.timeout, answered=self.answered)
        self.answered = True
        if 200 <= status < 300:
            return Answer(status=status, body=body, content_type=response_headers.get("Content-Type", ""),
                          row_limit=response_headers.get("X-SPARQL-MaxRows"))
        message = _http_message(shown, status, body, sent_credentials=self.credentials.kind is not None,
                                location=response_headers.get("Location"), role=role, write=write)
        return _Failure(message, transient=status in TRANSIENT_STATUS, write_refused=write and status == 403)

    def _exchange(self, method: str, url: str, headers: dict[str, str],
                  content: bytes | None) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and whole body of one request, answering a Digest challenge if the store wants one."""
        status, response_headers, body = self._send(method, url, {**headers, **self._auth_header()}, content,
                                                   self._digest)
        if status == 401 and self.credentials.kind == "basic" and self._digest is None:
            challenge = response_headers.get("WWW-Authenticate", "").strip().lower()
            if not challenge or challenge.startswith("digest"):
                # Virtuoso answers Basic credentials with a bare 401: httpx's Digest asks first without any,
                # gets the challenge and answers it.
                import httpx

                digest = httpx.DigestAuth(self.credentials.user, self.credentials.password)
                status, response_headers, body = self._send(method, url, headers, content, digest)
                if status != 401:
                    self._digest = digest
        return status, response_headers, body

    def _send(self, method: str, url: str, headers: dict[str, str], content: bytes | None,
              auth: httpx.Auth | None) -> tuple[int, httpx.Headers, bytes]:
        client = self._http_client()
        deadline = time.monotonic() + self.timeout
        request = client.build_request(method, url, headers=headers, content=content, timeout=self.timeout)
        response = client.send(request, auth=auth, stream=True)
        try:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("timed out")
        finally:
            response.close()
        return response.status_code, response.headers, b"".join(chunks)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The certificate store for https (httpx's: SSL_CERT_FILE / SSL_CERT_DIR, else certifi), loaded once."""
    import httpx

    return httpx.create_ssl_context(trust_env=True)


def _trust_nothing() -> ssl.SSLContext:
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates, against no authority at all


# --- messages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Failure:
    message: str
    transient: bool
    write_refused: bool = False


_WRITE_ROLES = ("update", "graph store")  # the roles of a URL that a request writes to


def _failure(url: str, exc: BaseException, timeout: float, *, answered: bool) -> _Failure:
    """What went wrong, in words, from whatever httpx raised (or the read deadline), and whether it is transient."""
    import httpx

    causes = _causes(exc)
    text = str(exc)
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return _Failure(f"{url}: no answer within {timeout:g} s (timed out)", transient=False)
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        # Refused after the store has answered once: it is restarting, not absent.
        return _Failure(f"{url}: endpoint unreachable (connection refused)", transient=answered)
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending a response" in text:
            return _Failure(f"{url}: endpoint unreachable (the connection was closed without an answer)",
                            transient=True)
        if "complete message body" in text:
            return _Failure(f"{url}: malformed response: the connection closed before the whole answer arrived",
                            transient=False)
        return _Failure(f"{url}: malformed response: not HTTP ({_first_line(text)})", transient=False)
    if any(isinstance(cause, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) for cause in causes):
        return _Failure(f"{url}: endpoint unreachable (the connection was closed without an answer)", transient=True)
    if isinstance(exc, httpx.TransportError):
        os_error = next((cause for cause in causes if isinstance(cause, OSError)), None)
        detail = (os_error.strerror or str(os_error)) if os_error is not None else _first_line(text)
        return _Failure(f"{url}: endpoint unreachable ({detail or type(exc).__name__})", transient=False)
    return _Failure(f"{url}: request failed ({type(exc).__name__}: {_first_line(text)})", transient=False)


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _http_message(url: str, status: int, body: bytes, *, sent_credentials: bool, location: str | None,
                  role: str, write: bool) -> str:
    detail = _detail(body)
    suffix = f": {detail}" if detail else ""
    if status == 403 and write:
        if sent_credentials:
            why = "the store is read-only, or the credentials sent may not write"
        else:
            why = (f"the store is read-only, or writing needs credentials (none were sent: set {ENV_USER} and "
                   f"{ENV_PASSWORD}, or {ENV_TOKEN})")
        return f"{url}: the store refused the write (HTTP 403 Forbidden){suffix}; {why}"
    if status in (401, 403):
        if sent_credentials:
            return f"{url}: credentials refused (HTTP {status})"
        return (f"{url}: credentials refused (HTTP {status}); none were sent: set {ENV_USER} and {ENV_PASSWORD}, "
                f"or {ENV_TOKEN}")
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
