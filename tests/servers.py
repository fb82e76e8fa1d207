"""Real SPARQL stores started on loopback, shared by the pytest fixtures (tests/conftest.py) and the benchmark
harness (benchmarks/run.py): a free port, a process stopped politely, and a real Virtuoso from a minimal
``virtuoso.ini`` written into a fresh directory (Debian package virtuoso-opensource: ``virtuoso-t``, ``isql-vt``).

The tests start Virtuoso with small buffers and a two-minute query limit; the benchmark with more buffers and
its own limit (``VirtuosoSettings``). Nothing here imports pytest or kgbuild.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

#: urllib without environment proxies: traffic to these servers stays on loopback whatever http_proxy says.
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Terminate ``process`` (a server started here), killing it if it has not ended within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
Striping = 0
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
MaxQueryMem = {query_mem}
ThreadsPerQuery = 2
CheckpointInterval = 0
DirsAllowed = ., {dir}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_query_seconds}
"""


@dataclass(frozen=True)
class VirtuosoSettings:
    """What the minimal ``virtuoso.ini`` leaves to choose. The defaults are the tests' (small buffers: 8 KB
    pages, about 80 MB); the benchmark gives more buffers and its own query limit."""

    buffers: int = 10000  # NumberOfBuffers, 8 KB each
    query_mem: str = "200M"  # MaxQueryMem
    max_rows: int = 1000000  # ResultSetMaxRows
    max_query_seconds: int = 120  # MaxQueryExecutionTime (Virtuoso then answers what it has: an "anytime" result)

    def ini(self, directory: Path, *, sql_port: int, http_port: int) -> str:
        return VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port, buffers=self.buffers,
                                   dirty_buffers=self.buffers * 3 // 5, query_mem=self.query_mem,
                                   max_rows=self.max_rows, max_query_seconds=self.max_query_seconds)


#: The graphs a fresh Virtuoso holds of its own (its default graph is the union of all graphs).
VIRTUOSO_OWN_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def virtuoso_installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


@dataclass
class VirtuosoServer:
    """A running ``virtuoso-t`` on 127.0.0.1 (see ``start_virtuoso``).

    Its SPARQL endpoint (queries and updates) is ``/sparql``, its Graph Store endpoint
    ``/sparql-graph-crud``. Its default graph is the union of every graph (its own system graphs
    too), and it keeps no triples outside named graphs: ``load`` puts data in ``graph`` (default
    ``DEFAULT_GRAPH``) and ``count`` counts that graph.
    """

    url: str
    sql_port: int
    process: subprocess.Popen
    directory: Path
    own_graphs: frozenset[str] = frozenset()

    DEFAULT_GRAPH = "urn:test:virtuoso:data"

    @property
    def query_url(self) -> str:
        return self.url + "/sparql"

    @property
    def update_url(self) -> str:
        return self.url + "/sparql"

    @property
    def store_url(self) -> str:
        return self.url + "/sparql-graph-crud"

    @property
    def auth_url(self) -> str:
        """The endpoint that needs credentials (HTTP Digest): user ``dba``, password ``dba``."""
        return self.url + "/sparql-auth"

    def isql(self, sql: str) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt``; its output (RuntimeError if it fails)."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt {sql!r} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def load(self, data: bytes | str | Path, *, content_type: str = "application/n-triples", graph: str | None = None,
             timeout: float = 120) -> None:
        """Add RDF to ``graph`` (default ``DEFAULT_GRAPH``) over Virtuoso's Graph Store endpoint."""
        if isinstance(data, Path):
            data = data.read_bytes()
        if isinstance(data, str):
            data = data.encode("utf-8")
        target = "?graph=" + urllib.parse.quote(graph or self.DEFAULT_GRAPH, safe="")
        self._request(self.store_url + target, data, content_type, timeout=timeout)

    def update(self, text: str) -> None:
        self._request(self.update_url, text.encode("utf-8"), "application/sparql-update")

    def graphs(self) -> set[str]:
        return {row["g"]["value"] for row in self.select(VIRTUOSO_OWN_GRAPHS_QUERY)}

    def clear(self) -> None:
        """Drop every graph but Virtuoso's own."""
        for graph in sorted(self.graphs() - self.own_graphs):
            self.update(f"DROP SILENT GRAPH <{graph}>")

    def count(self, graph: str | None = None) -> int:
        """Triples in ``graph`` (default ``DEFAULT_GRAPH``), asked over plain HTTP."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph or self.DEFAULT_GRAPH}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]["value"])

    def select(self, query: str) -> list[dict]:
        request = urllib.request.Request(
            self.query_url, data=urllib.parse.urlencode({"query": query}).encode(), method="POST",
            headers={"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"},
        )
        with LOOPBACK.open(request, timeout=60) as response:
            return json.load(response)["results"]["bindings"]

    def stop(self) -> None:
        stop_process(self.process)

    def _request(self, url: str, data: bytes, content_type: str, *, timeout: float = 120) -> None:
        request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
        try:
            with LOOPBACK.open(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"POST {url} failed: HTTP {exc.code}: {exc.read()[:500]!r}") from None


def start_virtuoso(directory: Path, *, wait: float = 60.0, settings: VirtuosoSettings = VirtuosoSettings()
                   ) -> VirtuosoServer:
    """``virtuoso-t`` in the fresh directory ``directory`` (its database files there too) on two free
    127.0.0.1 ports, answering on ``/sparql``, with anonymous SPARQL Update granted. RuntimeError (with the
    end of its log) if it exits or does not answer within ``wait`` seconds."""
    directory.mkdir(parents=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(settings.ini(directory, sql_port=sql_port, http_port=http_port), "utf-8")
    log = directory / "stdout.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(["virtuoso-t", "-f", "-c", str(ini)], cwd=directory,
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    server = VirtuosoServer(url=f"http://127.0.0.1:{http_port}", sql_port=sql_port, process=process,
                            directory=directory)
    deadline = time.monotonic() + wait
    while True:
        try:
            server.select("ASK {}")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                output = "\n".join(path.read_text("utf-8", "replace").strip()
                                   for path in (log, directory / "virtuoso.log") if path.exists())
                state = f"exited with {process.returncode}" if process.returncode is not None else "did not answer"
                raise RuntimeError(f"virtuoso-t on ports {sql_port}/{http_port} {state} within {wait:g} s:\n"
                                   f"{output[-3000:] or '(no output)'}") from None
            time.sleep(0.2)
    try:
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL";')  # anonymous updates on /sparql (README: kgbuild load)
        server.own_graphs = frozenset(server.graphs())
    except BaseException:
        stop_process(process)
        raise
    return server


def start_virtuoso_retrying(base: Path, *, attempts: int = 3, settings: VirtuosoSettings = VirtuosoSettings()
                            ) -> VirtuosoServer:
    """``start_virtuoso`` in ``base/db-N``, again (another directory, other ports) when another process took a
    free port between asking and binding; the last failure is raised."""
    for attempt in range(attempts):
        try:
            return start_virtuoso(base / f"db-{attempt}", settings=settings)
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
