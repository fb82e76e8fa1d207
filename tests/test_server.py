"""Stored queries on real SPARQL servers on loopback: the Oxigraph server from PyPI and Virtuoso 7.

Each server (the session's `oxigraph_server` and `virtuoso_server`, started
and stopped by the fixtures in conftest.py) gets the built graph over the
Graph Store Protocol (Virtuoso: into a named graph, which its default graph,
the union of all, shows); every stored query must give the same rows there
as on the embedded store and on rdflib. Failure paths use a real dead port and a
small loopback HTTP server that answers with an error.
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from conftest import VIRTUOSO_WRONG, free_port, run_cli
from rowcompare import example_params, normalised

from kgbuild.errors import EndpointError
from kgbuild.project import load_project
from kgbuild.queries.catalogue import load_catalogue
from kgbuild.queries.querying import run_query
from kgbuild.queries.results import Rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(built_project) -> Path:
    """The session's built copy of the real project (dist/ and the embedded store)."""
    return built_project


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request, built_project) -> str:
    """Each of the session's servers in turn holding exactly dist/graph.nt; its query URL."""
    store = request.getfixturevalue(f"{request.param}_server")
    store.clear()
    store.load(built_project / "dist" / "graph.nt")
    return store.query_url


def triple_count(endpoint: str) -> int:
    rows = _count_rows(endpoint)
    return int(rows.rows[0][0].value)


def _count_rows(endpoint: str) -> Rows:
    from kgbuild.backends.remote import select_remote

    return select_remote(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", bindings={}, timeout=10)


def stored_queries():
    return [query.name for query in load_catalogue(load_project(ROOT)).queries]


@pytest.mark.parametrize("name", stored_queries())
def test_same_answers_on_embedded_rdflib_and_server(built, server, name, request):
    if "/sparql" in server and name in VIRTUOSO_WRONG:
        request.applymarker(pytest.mark.xfail(reason="Virtuoso 7.2: " + VIRTUOSO_WRONG[name], strict=True))
    project = load_project(built)
    query = load_catalogue(project).get(name)
    params = example_params(query)
    embedded = run_query(project, name, params=params)
    assert embedded.rows, f"{name} answers nothing on the real data"
    rdflib_rows = run_query(project, name, params=params, engine="rdflib")
    server_rows = run_query(project, name, params=params, endpoint=server)
    assert normalised(rdflib_rows, query.text) == normalised(embedded, query.text)
    assert normalised(server_rows, query.text) == normalised(embedded, query.text)


@pytest.mark.parametrize(
    "hostile",
    ['"} ; DROP ALL ; #', 'x" } INSERT DATA { <urn:a> <urn:b> <urn:c> } #', "') . } #", "\\\" \n }"],
)
def test_hostile_parameter_stays_a_literal_everywhere(built, server, hostile):
    project = load_project(built)
    before = triple_count(server)
    for options in ({}, {"engine": "rdflib"}, {"endpoint": server}):
        rows = run_query(project, "cq11-name-lookup", params={"name": hostile}, **options)
        assert rows.rows == ()
    assert triple_count(server) == before
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
        "--endpoint", server,
    )
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout_bytes == embedded.stdout_bytes
    assert b"https://w3id.org/ppdkg/id/ales-bialiatski,Ales Bialiatski,Ales Byalyatski" in remote.stdout_bytes
