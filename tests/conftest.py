"""Shared helpers for the engine tests: the mini fixture project and the CLI runner."""

from __future__ import annotations

import hashlib
import inspect
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, writable copy of tests/fixtures/mini."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns("dist"))
    return target


def run_cli(*args: str) -> Result:
    """Run ``kgbuild ARGS`` in-process with stdout and stderr kept apart."""
    from kgbuild.cli import cli

    options = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    runner = CliRunner(**options)
    return runner.invoke(cli, list(args), catch_exceptions=False)


def snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``directory``: relative path -> (sha256, mtime_ns)."""
    return {
        path.relative_to(directory).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


# --- Real and fake SPARQL endpoints on loopback (tests/test_remote.py and others) -----------------

import http.server  # noqa: E402 - the helpers above need none of these
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

# The servers' plumbing, shared with the benchmark harness (benchmarks/run.py): tests/servers.py; test modules
# import free_port and VirtuosoServer from here.
from servers import LOOPBACK as _LOOPBACK  # noqa: E402
from servers import VirtuosoServer, free_port, start_virtuoso_retrying, virtuoso_installed  # noqa: E402, F401
from servers import stop_process as _stop  # noqa: E402


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve`` on 127.0.0.1 (see the ``oxigraph_server`` fixture)."""

    url: str
    process: subprocess.Popen
    log: Path

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    @property
    def store_url(self) -> str:
        return self.url + "/store"

    def load(self, data: bytes | str | Path, *, content_type: str = "application/n-triples", graph: str | None = None) -> None:
        """Add RDF (bytes, text, or a file path) to the default graph, or to ``graph``, over the Graph Store Protocol."""
        if isinstance(data, Path):
            data = data.read_bytes()
        if isinstance(data, str):
            data = data.encode("utf-8")
        target = "?default" if graph is None else "?graph=" + urllib.parse.quote(graph, safe="")
        self._request(self.store_url + target, data, content_type, method="POST")

    def update(self, text: str) -> None:
        """Run a SPARQL update."""
        self._request(self.update_url, text.encode("utf-8"), "application/sparql-update", method="POST")

    def clear(self) -> None:
        """Remove every triple and graph."""
        self.update("DROP ALL")

    def count(self) -> int:
        """Triples in the default graph, asked over plain HTTP (independent of kgbuild)."""
        import json

        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        request = urllib.request.Request(self.query_url + "?" + query, headers={"Accept": "application/sparql-results+json"})
        with _LOOPBACK.open(request, timeout=30) as response:
            return int(json.load(response)["results"]["bindings"][0]["n"]["value"])

    def _request(self, url: str, data: bytes, content_type: str, *, method: str) -> None:
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
        try:
            with _LOOPBACK.open(request, timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {url} failed: HTTP {exc.code}: {exc.read()[:500]!r}") from None


def _start_oxigraph(location: Path, log: Path, *, wait: float = 30.0, command: str = "serve") -> OxigraphServer:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["oxigraph", command, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = OxigraphServer(url=url, process=process, log=log)
    deadline = time.monotonic() + wait
    probe = url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    while True:
        try:
            with _LOOPBACK.open(probe, timeout=2) as response:
                response.read()
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                output = log.read_text("utf-8", "replace").strip() or "(no output)"
                state = f"exited with {process.returncode}" if process.returncode is not None else "did not answer"
                raise RuntimeError(f"oxigraph serve on port {port} {state} within {wait:g} s:\n{output}") from None
            time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """The real Oxigraph SPARQL server (PyPI ``oxigraph``) on a free 127.0.0.1 port, with a fresh on-disk location.

    Yields an ``OxigraphServer``: ``.url`` (base), ``.query_url``, ``.update_url``, ``.store_url``,
    ``.load(data, *, content_type=..., graph=None)``, ``.update(text)``, ``.clear()``, ``.count()``.
    Shared by the whole session: a test that loads data should ``.clear()`` first. Fails if the
    ``oxigraph`` command is not installed (it is a test dependency); stopped (terminate, then kill) at the end.
    """
    if shutil.which("oxigraph") is None:
        pytest.fail("the oxigraph server is not installed: pip install -e '.[test]' installs it")
    base = tmp_path_factory.mktemp("oxigraph-server")
    server = None
    for attempt in range(3):  # another process may take the free port between asking and binding
        try:
            server = _start_oxigraph(base / f"store-{attempt}", base / f"server-{attempt}.log")
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield server
    finally:
        _stop(server.process)



# --- A real Virtuoso (Debian package virtuoso-opensource) on loopback -----------------------------

#: Stored queries whose answers Virtuoso 7.2 gets wrong (docs/query-catalogue.md, "Virtuoso"): strict
#: expected failures, so a query rewritten around the bug, or a fixed Virtuoso, shows up as XPASS.
VIRTUOSO_WRONG = {
    "cq10-contacts-and-talks": 'an xsd:duration comes back as its seconds ("172800.0"^^xsd:duration for "P2D")',
}


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A real Virtuoso 7 (``virtuoso-t``, Debian package virtuoso-opensource) on free 127.0.0.1 ports.

    Started from a minimal ``virtuoso.ini`` in a temporary directory (the database files there too,
    small buffers), anonymous SPARQL Update granted; yields a ``VirtuosoServer`` (``.query_url``,
    ``.update_url``, ``.store_url``, ``.auth_url``, ``.load``, ``.update``, ``.clear``, ``.count``,
    ``.isql``). Shared by the session: a test that loads data should ``.clear()`` first. Skipped
    where virtuoso-t is not installed (``.ci/run`` installs it); stopped at the end.
    """
    if not virtuoso_installed():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")
    server = start_virtuoso_retrying(tmp_path_factory.mktemp("virtuoso-server"))
    try:
        yield server
    finally:
        _stop(server.process)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def sparql_server(request):
    """Each real store in turn: the session's ``oxigraph_server``, then its ``virtuoso_server``."""
    return request.getfixturevalue(f"{request.param}_server")

@dataclass
class StubRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StubResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/sparql-results+json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    body_delay: float = 0.0  # seconds between the headers and the body
    content_length: int | None = None  # announce a different length (truncation)
    raw: bytes | None = None  # send these bytes instead of an HTTP response


class _LoopbackServer(http.server.ThreadingHTTPServer):
    """A threaded test HTTP server that does not wait for its handlers or report hung-up clients."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # the client hanging up on a slow answer is expected


class HttpStub:
    """A canned-answer HTTP server on 127.0.0.1 (see the ``http_stub`` fixture)."""

    def __init__(self) -> None:
        self.requests: list[StubRequest] = []
        self.response = StubResponse()
        self._first: list[StubResponse] = []  # answered once each, in order, before self.response
        self._stop = threading.Event()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                stub._answer(self)

            do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = _LoopbackServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.query_url = self.url + "/query"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="http-stub", daemon=True)
        self._thread.start()

    def respond(self, status: int = 200, body: bytes | str = b"", content_type: str = "application/sparql-results+json", **options) -> HttpStub:
        """Answer every following request with this (options: headers, delay, body_delay, content_length, raw)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.response = StubResponse(status=status, body=body, content_type=content_type, **options)
        return self

    def respond_first(self, status: int = 200, body: bytes | str = b"",
                      content_type: str = "application/sparql-results+json") -> HttpStub:
        """Answer the next request not yet given a first answer with this, once (then ``respond``'s answer)."""
        self._first.append(StubResponse(status=status, body=body.encode("utf-8") if isinstance(body, str) else body,
                                        content_type=content_type))
        return self

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        self.requests.append(StubRequest(handler.command, handler.path, dict(handler.headers.items()), body))
        answer = self._first.pop(0) if self._first else self.response
        if answer.delay and self._stop.wait(answer.delay):
            return
        if answer.raw is not None:
            handler.wfile.write(answer.raw)
            handler.close_connection = True
            return
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(answer.content_length if answer.content_length is not None else len(answer.body)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.flush()
        if answer.body_delay and self._stop.wait(answer.body_delay):
            return
        handler.wfile.write(answer.body)
        handler.close_connection = True

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def http_stub():
    """A loopback HTTP server answering every request with ``stub.respond(...)``'s canned answer.

    ``.url``, ``.query_url`` (``url + "/query"``), ``.requests`` (``StubRequest``: method, path,
    headers, body, in arrival order). Default answer: 200, empty SPARQL JSON content type.
    """
    stub = HttpStub()
    try:
        yield stub
    finally:
        stub.close()


# --- The real project, copied and built once per session -----------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("ontology", "shapes", "data", "queries", "docs")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """A copy of the real project (kgbuild.toml, ontology/, shapes/, data/, queries/, docs/), built once.

    Returns the copy's directory: ``dist/graph.nt`` and the embedded store are there. Tests must not
    modify it (it is shared by the whole session).
    """
    from kgbuild.builder import build
    from kgbuild.project import load_project

    copy = tmp_path_factory.mktemp("built") / "project"
    copy.mkdir()
    shutil.copy(ROOT / "kgbuild.toml", copy / "kgbuild.toml")
    for name in PROJECT_PARTS:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    result = build(load_project(copy))
    assert not result.report.fails("violation"), "the real project has violations: " + str(result.report.to_dict())[:2000]
    assert (copy / "dist" / "graph.nt").is_file()
    assert result.store is not None
    return copy


# --- A forwarding proxy in front of a real server, for fault injection ---------------------------


class Proxy:
    """A loopback HTTP proxy that forwards every request to ``upstream`` (a base URL) unchanged.

    ``.url`` is the proxy's base URL; ``.requests`` records every request (``StubRequest``) in
    arrival order. ``.intercept`` (request number from 1, StubRequest) -> None decides per request:
    return ``None`` to forward it, an ``int`` to answer with that HTTP status instead (the request
    is not forwarded), or call anything first (e.g. kill the server) and return ``None``.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: list[StubRequest] = []
        self.intercept = lambda number, request: None
        proxy = self
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = StubRequest(self.command, self.path, dict(self.headers.items()), body)
                with lock:
                    proxy.requests.append(request)
                    number = len(proxy.requests)
                status = proxy.intercept(number, request)
                if status is None:
                    status, content_type, answer = proxy._forward(request)
                else:
                    content_type, answer = "text/plain", f"injected failure {status}".encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(answer)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer)
                self.close_connection = True

            do_POST = do_PUT = do_DELETE = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self._server = _LoopbackServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="proxy", daemon=True)
        self._thread.start()

    def _forward(self, request: StubRequest) -> tuple[int, str, bytes]:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        forwarded = urllib.request.Request(
            self.upstream + request.path, data=request.body if request.method != "GET" else None,
            method=request.method, headers=headers,
        )
        try:
            with _LOOPBACK.open(forwarded, timeout=60) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", "text/plain"), exc.read()
        except OSError:
            return 502, "text/plain", b"bad gateway: the upstream server does not answer"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def proxy_to():
    """A factory: ``proxy_to(base_url)`` -> a running ``Proxy``; all are closed at the end of the test."""
    made: list[Proxy] = []

    def make(upstream: str) -> Proxy:
        made.append(Proxy(upstream))
        return made[-1]

    try:
        yield make
    finally:
        for proxy in made:
            proxy.close()


@pytest.fixture
def own_oxigraph(tmp_path):
    """A factory for Oxigraph servers of this test alone (they may be killed): ``own_oxigraph(location)``.

    Each call starts ``oxigraph serve`` (``read_only=True``: ``oxigraph serve-read-only``, which
    answers every write with HTTP 403, on an existing location) on the given on-disk location and a
    free port; all are stopped at the end of the test.
    """
    started: list[OxigraphServer] = []

    def start(location: Path, *, read_only: bool = False) -> OxigraphServer:
        server = _start_oxigraph(location, tmp_path / f"own-server-{len(started)}.log",
                                 command="serve-read-only" if read_only else "serve")
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            _stop(server.process)


import os  # noqa: E402
import sys  # noqa: E402

# --- Which files a test's code opens (an audit hook: sees builtins.open, io.open and os.open) ------

_OPENED: list[str] | None = None  # while a list, every path opened in this process is recorded


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


@pytest.fixture
def opened():
    """The list of paths opened (by any code in this process) while the test runs."""
    global _OPENED
    if not getattr(_audit, "installed", False):
        sys.addaudithook(_audit)  # cannot be removed: it records only while _OPENED is a list
        _audit.installed = True  # type: ignore[attr-defined]
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


# --- The W3C SHACL test suite's pass counts (tests/test_shacl_w3c.py), counted in this run ----------------


def pytest_terminal_summary(terminalreporter) -> None:
    w3c = sys.modules.get("w3c_shacl")  # imported only when the suite's tests were collected
    line = None if w3c is None else w3c.summary()
    if line is not None:
        terminalreporter.write_sep("-", "W3C SHACL test suite")
        terminalreporter.write_line(line)
