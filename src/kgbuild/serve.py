"""A local SPARQL server with a query page, on the built graph: the Oxigraph server.

``serve`` snapshots the embedded store (a hard-linked Oxigraph backup in a
hidden directory beside it, so a rebuild while serving changes nothing
under the server), starts ``oxigraph serve-read-only`` on it bound to
loopback, waits until it answers, reports its URLs, and waits. However it
ends — Ctrl-C, SIGTERM turned into KeyboardInterrupt by the caller, the
server dying — the server process is stopped and waited for, and the
snapshot is removed: no orphan process, no leftover directory or lock. On
Linux the server is also told to stop if kgbuild itself is killed outright
(SIGKILL); only the snapshot directory is then left behind.

The Oxigraph server evaluates SPARQL SERVICE by sending requests to the
endpoints a query names, and has no switch to turn that off. So it listens
on a free loopback port of its own, and the port the user asked for is
kgbuild's thin front (``_Front``): it relays every request unchanged, except
a query or update that calls SERVICE (in the URL, a form body or a SPARQL
body), which it answers itself with HTTP 400 and one line saying why.
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kgbuild.errors import KgbuildError
from kgbuild.project import Project

DEFAULT_PORT = 7878
STARTUP_SECONDS = 20.0
STOP_SECONDS = 5.0


class ServerError(KgbuildError):
    """The local server cannot be started (not installed, port taken, failed to start)."""


@dataclass(frozen=True)
class ServerInfo:
    host: str
    port: int
    pid: int
    triples: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def page_url(self) -> str:
        """The query page (YASGUI) the server shows in a browser."""
        return self.base_url + "/"

    @property
    def query_url(self) -> str:
        """The SPARQL endpoint, for ``kgbuild query --endpoint``."""
        return self.base_url + "/query"


def oxigraph_command() -> str:
    """The ``oxigraph`` server executable: beside this Python first (a virtualenv), then on PATH."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError("the Oxigraph server is not installed: python3 -m pip install oxigraph")
    return found


def serve(
    project: Project,
    *,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    on_ready: Callable[[ServerInfo], None] | None = None,
) -> int:
    """Serve the built graph until interrupted; returns the server's exit status (0 after Ctrl-C).

    Raises StaleStoreError without a current build, ServerError when the
    server cannot start (port in use, executable missing, early exit).
    ``on_ready`` is called once the server answers.
    """
    from kgbuild.workspace.sidecars import scratch_path
    from kgbuild.workspace.versions import open_store

    command = oxigraph_command()
    _check_port_free(host, port)
    store = open_store(project)
    triples = len(store)
    backend = _free_loopback_port()
    snapshot = scratch_path(project, "serve")
    process: subprocess.Popen | None = None
    front: _Front | None = None
    log = tempfile.TemporaryFile()  # the server's messages: a pipe nobody reads could fill and block it
    try:
        try:
            store.backup(str(snapshot))
        except (OSError, RuntimeError) as exc:  # RuntimeError: its files gone (removed two builds later)
            raise ServerError(f"cannot snapshot the store into {project.rel(snapshot)}: {exc}") from None
        del store
        process = subprocess.Popen(
            [command, "serve-read-only", "--location", str(snapshot), "--bind", f"127.0.0.1:{backend}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        _wait_until_answering(process, "127.0.0.1", backend, log)
        front = _Front(host, port, backend=("127.0.0.1", backend))
        if on_ready is not None:
            on_ready(ServerInfo(host=host, port=port, pid=process.pid, triples=triples))
        try:
            return process.wait()
        except KeyboardInterrupt:
            return 0
    finally:
        if front is not None:
            front.close()
        if process is not None:
            _stop(process)
        log.close()
        shutil.rmtree(snapshot, ignore_errors=True)


def _free_loopback_port() -> int:
    """A port on 127.0.0.1 nothing listens on, for the Oxigraph server behind the front."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Headers that describe one connection, not the message: never relayed.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authenticate", "proxy-authorization"}


class _Front:
    """kgbuild's loopback front of the Oxigraph server: relays requests, refuses SERVICE (HTTP 400)."""

    def __init__(self, host: str, port: int, *, backend: tuple[str, int]) -> None:
        handler = type("_Handler", (_FrontHandler,), {"backend": backend})
        try:
            self.server = _FrontServer((host, port), handler)
        except OSError as exc:
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,), name="kgbuild-serve-front",
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=STOP_SECONDS)


class _FrontServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:
        pass  # a client hanging up mid-answer is its own business


class _FrontHandler(http.server.BaseHTTPRequestHandler):
    backend: tuple[str, int] = ("127.0.0.1", 0)
    protocol_version = "HTTP/1.0"  # one request per connection: the answer's end is the connection's
    timeout = 60  # seconds a client may take to send its request

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._relay()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass

    def _relay(self) -> None:
        if self.headers.get("Transfer-Encoding"):
            self._answer(411, "kgbuild serve needs a Content-Length: send the request body unchunked")
            return
        repeated = [name for name in ("Content-Type", "Content-Length") if len(self.headers.get_all(name) or []) > 1]
        if repeated:  # the server might read another one than the check would: refuse the ambiguity
            self._answer(400, f"kgbuild serve refuses a request with more than one {repeated[0]} header")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._answer(400, "the Content-Length header is not a number")
            return
        body = self.rfile.read(length) if length > 0 else b""
        refusal = _refusal(self.path, body)
        if refusal is not None:
            self._answer(400, refusal)
            return
        headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP}
        connection = http.client.HTTPConnection(*self.backend)
        try:
            connection.request(self.command, self.path, body=body if length > 0 else None, headers=headers)
            response = connection.getresponse()
        except OSError as exc:
            connection.close()
            self._answer(502, f"the Oxigraph server behind kgbuild serve did not answer: {exc}")
            return
        try:
            self.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            while chunk := response.read(65536):
                self.wfile.write(chunk)
        finally:
            connection.close()

    def _answer(self, status: int, message: str) -> None:
        data = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _refusal(path: str, body: bytes) -> str | None:
    """Why a request must not reach the Oxigraph server (a query or update calling SERVICE), or None.

    Looks wherever Oxigraph reads SPARQL text: the ``query``/``update`` parameters of the URL and of
    a form body, and any other body as the text itself."""
    from kgbuild.federation import token_calls

    parameters = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query, keep_blank_values=True)
    text = body.decode("utf-8", "replace")
    if text:
        # the body both as a form and as the text itself, whatever the Content-Type says: the check must not
        # depend on reading the request the way the server will
        for name, values in urllib.parse.parse_qs(text, keep_blank_values=True).items():
            parameters.setdefault(name, []).extend(values)
    texts = [*parameters.get("query", []), *parameters.get("update", []), text]
    for text in texts:
        calls = token_calls(text)
        if calls:
            where = f" (line {calls[0].line})" if calls[0].line else ""
            return (f"kgbuild serve refuses this query: it calls SERVICE {calls[0].target}{where}, which would send "
                    "requests to that endpoint; the server runs no federated queries (to run one on your machine, "
                    "kgbuild query FILE --allow-service)")
    return None


def _die_with_parent() -> None:
    """In the server's process, before it starts (Linux): be sent SIGTERM when kgbuild dies, even by
    SIGKILL, which kgbuild cannot catch to stop the server itself."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # best effort: without it, only an uncatchable kill of kgbuild leaves the server running


def _check_port_free(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise ServerError(f"--port must be between 1 and 65535, not {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is not "in use"
        try:
            probe.bind((host, port))
        except OSError:
            raise ServerError(f"port {port} on {host} is in use: choose another with --port") from None


def _wait_until_answering(process: subprocess.Popen, host: str, port: int, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            detail = log.read().decode("utf-8", "replace").strip()
            last = detail.splitlines()[-1] if detail else f"exit status {process.returncode}"
            raise ServerError(f"the Oxigraph server stopped while starting: {last}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerError(f"the Oxigraph server did not answer on {host}:{port} within {STARTUP_SECONDS:g} s")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL, each with a grace period; always reaped.

    (Not SIGINT: a server started from a background job inherits SIGINT ignored.)
    """
    for send in (process.terminate, process.kill):
        if process.poll() is not None:
            break
        try:
            send()
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting politely
            continue
    if process.poll() is None:
        process.kill()
        process.wait()
