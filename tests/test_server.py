"""Stored queries on a real SPARQL server: the Oxigraph server from PyPI on loopback.

The server is started and stopped by a fixture; the built graph is loaded over
the Graph Store Protocol; every stored query must give the same rows there as
on the embedded store and on rdflib. Failure paths use a real dead port and a
small loopback HTTP server that answers with an error.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from kgbuild.builder import build
from kgbuild.catalogue import load_catalogue
from kgbuild.errors import EndpointError
from kgbuild.params import parse_assignments
from kgbuild.project import load_project
from kgbuild.querying import run_query
from kgbuild.results import Rows

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("kgbuild.toml", "ontology", "shapes", "data", "queries", "docs")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the real project, built (dist/ and the embedded store)."""
    copy = tmp_path_factory.mktemp("project")
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part)
        else:
            shutil.copy2(source, copy / part)
    result = build(load_project(copy))
    assert result.report.conforms and result.store is not None
    return copy


@pytest.fixture(scope="module")
def server(tmp_path_factory, built):
    """`oxigraph serve` on 127.0.0.1 with a fresh location, loaded with dist/graph.nt."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        ["oxigraph", "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"oxigraph serve did not start: {process.stderr.read().decode()}")
                time.sleep(0.1)
        data = (built / "dist" / "graph.nt").read_bytes()
        request = urllib.request.Request(
            base + "/store?default", data=data, method="POST", headers={"Content-Type": "application/n-triples"}
        )
        urllib.request.urlopen(request, timeout=30).read()
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def triple_count(endpoint: str) -> int:
    rows = _count_rows(endpoint)
    return int(rows.rows[0][0].value)


def _count_rows(endpoint: str) -> Rows:
    from kgbuild.remote import select_remote

    return select_remote(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", bindings={}, timeout=10)


def example_params(query) -> dict[str, str]:
    """The -p values of the query's first example line."""
    if not query.examples:
        return {}
    words = query.examples[0].split()
    return parse_assignments([words[i + 1] for i, word in enumerate(words[:-1]) if word == "-p"])


def normalised(rows: Rows) -> tuple[tuple[str, ...], Counter]:
    """Variables, and rows as a multiset of comparable cells (numbers by value, concatenations as sets)."""

    def cell(term):
        if term is None:
            return None
        if term.kind == "bnode":
            return ("bnode",)
        if term.kind == "literal" and term.datatype and term.datatype.endswith(("#integer", "#decimal", "#double", "#long", "#int")):
            try:
                return ("number", Decimal(term.value).normalize())
            except InvalidOperation:
                pass
        if term.kind == "literal" and ", " in term.value:
            return ("parts", frozenset(term.value.split(", ")), term.datatype, term.lang)
        return (term.kind, term.value, term.datatype, term.lang)

    return rows.variables, Counter(tuple(cell(term) for term in row) for row in rows.rows)


def stored_queries():
    return [query.name for query in load_catalogue(load_project(ROOT)).queries]


@pytest.mark.parametrize("name", stored_queries())
def test_same_answers_on_embedded_rdflib_and_server(built, server, name):
    project = load_project(built)
    query = load_catalogue(project).get(name)
    params = example_params(query)
    embedded = run_query(project, name, params=params)
    assert embedded.rows, f"{name} answers nothing on the real data"
    assert normalised(run_query(project, name, params=params, engine="rdflib")) == normalised(embedded)
    assert normalised(run_query(project, name, params=params, endpoint=server + "/query")) == normalised(embedded)


@pytest.mark.parametrize(
    "hostile",
    ['"} ; DROP ALL ; #', 'x" } INSERT DATA { <urn:a> <urn:b> <urn:c> } #', "') . } #", "\\\" \n }"],
)
def test_hostile_parameter_stays_a_literal_everywhere(built, server, hostile):
    project = load_project(built)
    before = triple_count(server + "/query")
    for options in ({}, {"engine": "rdflib"}, {"endpoint": server + "/query"}):
        rows = run_query(project, "cq11-name-lookup", params={"name": hostile}, **options)
        assert rows.rows == ()
    assert triple_count(server + "/query") == before
    assert run_query(project, "cq11-name-lookup", params={"name": "Kolesnikova"}).rows  # the store is intact


def test_endpoint_down_is_exit_2_with_message(built):
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError, match="unreachable"):
        run_query(load_project(built), "cq08-totals", endpoint=url)
    result = run_cli("query", "cq08-totals", "--project", str(built), "--endpoint", url)
    assert result.exit_code == 2
    assert f"kgbuild: error: {url}: endpoint unreachable" in result.stderr
    assert result.stdout == ""


class _Failing(http.server.BaseHTTPRequestHandler):
    status = 500
    body = b"Internal error: the store is on fire"

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_endpoint():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/query"
    httpd.shutdown()
    httpd.server_close()


def test_endpoint_returning_500_is_exit_2_with_message(built, failing_endpoint):
    result = run_cli("query", "cq08-totals", "--project", str(built), "--endpoint", failing_endpoint)
    assert result.exit_code == 2
    assert "the endpoint failed (HTTP 500): Internal error: the store is on fire" in result.stderr


def test_cli_endpoint_gives_the_embedded_csv(built, server):
    embedded = run_cli("query", "cq11-name-lookup", "-p", "name=Byalyatski", "--project", str(built), "--format", "csv")
    remote = run_cli(
        "query", "cq11-name-lookup", "-p", "name=Byalyatski", "--project", str(built), "--format", "csv",
        "--endpoint", server + "/query",
    )
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout_bytes == embedded.stdout_bytes
    assert b"https://w3id.org/ppdkg/id/ales-bialiatski,Ales Bialiatski,Ales Byalyatski" in remote.stdout_bytes
