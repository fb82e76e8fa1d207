"""`kgbuild load`: the built graph into a real Oxigraph server on loopback, safely.

Contents are compared as RDF graphs (blank nodes up to isomorphism) fetched
over the Graph Store Protocol, independently of kgbuild; faults are injected
by a forwarding proxy in front of the real server, or by killing the server.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from conftest import _LOOPBACK, VIRTUOSO_WRONG, VirtuosoServer, free_port, run_cli
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rowcompare import example_params, normalised

from kgbuild.errors import EndpointError, ParameterError
from kgbuild.load import STAGING_PREFIX, Endpoints, LoadError, _chunks, load_built, load_file
from kgbuild.project import load_project
from kgbuild.queries.catalogue import load_catalogue
from kgbuild.queries.querying import run_query

OTHER = "<urn:test:keep> <urn:test:p> \"already there\" .\n"
NAMED = "https://example.org/graphs/ppd"


# --- helpers that talk to the server without kgbuild ------------------------------------------------


def fetch(base: str, graph: str | None = None) -> Graph:
    """The graph's contents over the Graph Store Protocol (GET)."""
    target = "?default" if graph is None else "?graph=" + urllib.parse.quote(graph, safe="")
    request = urllib.request.Request(base + "/store" + target, headers={"Accept": "application/n-triples"})
    try:
        with _LOOPBACK.open(request, timeout=30) as response:
            data = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:  # no such graph
            return Graph()
        raise
    graph_ = Graph()
    graph_.parse(data=data.decode("utf-8"), format="nt")
    return graph_


def ask(base: str, query: str) -> list[dict]:
    request = urllib.request.Request(
        base + "/query?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with _LOOPBACK.open(request, timeout=30) as response:
        return json.load(response)["results"]["bindings"]


def checksum(base: str, graph: str | None = None) -> tuple[str, str]:
    """(triple count, MD5 of the sorted triples with blank nodes blanked) of a graph, by one SPARQL query."""
    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    query = f"""
        SELECT (COUNT(*) AS ?n) (MD5(GROUP_CONCAT(?line; separator="\\n")) AS ?sum) WHERE {{
          SELECT ?line WHERE {{
            {pattern}
            BIND(CONCAT(IF(isBlank(?s), "_", STR(?s)), " ", STR(?p), " ",
                        IF(isBlank(?o), "_", CONCAT(STR(?o), "|", STR(DATATYPE(?o)), "|", LANG(?o)))) AS ?line)
          }} ORDER BY ?line
        }}"""
    row = ask(base, query)[0]
    return row["n"]["value"], row.get("sum", {}).get("value", "")


def graph_names(base: str) -> set[str]:
    return {row["g"]["value"] for row in ask(base, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


def built_graph(project: Path) -> Graph:
    graph = Graph()
    graph.parse(project / "dist" / "graph.nt", format="nt")
    return graph


def sent_count(project: Path) -> int:
    return sum(1 for line in (project / "dist" / "graph.nt").read_bytes().splitlines() if line.strip())


@pytest.fixture
def server(oxigraph_server):
    """The session's Oxigraph server, emptied; its base URL."""
    oxigraph_server.clear()
    return oxigraph_server


def fail_chunk(nth: int, status: int):
    """A proxy intercept answering ``status`` to the nth Graph Store POST (a chunk); and the list of POSTs seen."""
    posts: list[int] = []

    def intercept(number, request):
        if request.path.startswith("/store") and request.method == "POST":
            posts.append(number)
            if len(posts) == nth:
                return status
        return None

    return intercept, posts


def cli_load(project: Path, endpoint: str, *args: str):
    return run_cli("load", "--project", str(project), "--endpoint", endpoint, *args)


# --- loads that work -------------------------------------------------------------------------------


def test_replace_into_the_default_graph(built_project, server):
    server.load(OTHER)
    result = cli_load(built_project, server.query_url, "--replace")
    assert result.exit_code == 0, result.stderr
    total = sent_count(built_project)
    assert f"loaded {total} triples: replaced the default graph (Graph Store Protocol" in result.stdout
    assert f"the default graph now holds {total} triples (before: 1); count checked" in result.stdout
    assert isomorphic(fetch(server.url), built_graph(built_project))
    assert graph_names(server.url) == set()  # no staging graph left


def test_append_into_a_named_graph_keeps_what_was_there(built_project, server):
    server.load(OTHER, graph=NAMED)
    server.load(OTHER)  # the default graph is not touched
    result = cli_load(built_project, server.query_url, "--graph", NAMED, "--append")
    assert result.exit_code == 0, result.stderr
    total = sent_count(built_project)
    assert f"now holds {total + 1} triples (before: 1)" in result.stdout
    expected = built_graph(built_project)
    expected.add((URIRef("urn:test:keep"), URIRef("urn:test:p"), __import__("rdflib").Literal("already there")))
    assert isomorphic(fetch(server.url, NAMED), expected)
    assert len(fetch(server.url)) == 1
    assert graph_names(server.url) == {NAMED}


def test_replace_into_a_named_graph_and_json_summary(built_project, server):
    server.load(OTHER, graph=NAMED)
    result = cli_load(built_project, server.query_url, "--graph", NAMED, "--replace", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    total = sent_count(built_project)
    assert summary["target"] == NAMED
    assert (summary["mode"], summary["protocol"], summary["sent"], summary["before"], summary["after"]) == (
        "replace", "graph-store", total, 1, total)
    assert isomorphic(fetch(server.url, NAMED), built_graph(built_project))


def test_an_empty_target_needs_no_choice_a_full_one_does(built_project, server):
    result = cli_load(built_project, server.query_url)
    assert result.exit_code == 0, result.stderr
    before = checksum(server.url)
    again = cli_load(built_project, server.query_url)
    assert again.exit_code == 2
    total = sent_count(built_project)
    assert (f"kgbuild: error: the default graph already holds {total} triples: choose to replace them "
            "(--replace) or to add to them (--append)") in again.stderr
    assert checksum(server.url) == before


def test_sparql_update_instead_of_graph_store_in_small_chunks(built_project, server):
    """INSERT DATA in chunks of 40 triples: blank nodes are never split between requests."""
    result = cli_load(built_project, server.query_url, "--graph", NAMED, "--no-graph-store", "--chunk-size", "40")
    assert result.exit_code == 0, result.stderr
    assert "(SPARQL Update," in result.stdout
    assert isomorphic(fetch(server.url, NAMED), built_graph(built_project))


def test_graph_store_chunks_keep_blank_nodes_whole(built_project, server):
    project = load_project(built_project)
    result = load_built(project, Endpoints.derive(server.query_url), chunk_size=25, replace=True)
    assert result.chunks > 50
    assert isomorphic(fetch(server.url), built_graph(built_project))


def test_every_stored_query_gives_the_same_rows_after_a_load(built_project, server):
    assert cli_load(built_project, server.query_url, "--replace").exit_code == 0
    project = load_project(built_project)
    for query in load_catalogue(project).queries:
        params = example_params(query)
        embedded = run_query(project, query.name, params=params)
        remote = run_query(project, query.name, params=params, endpoint=server.query_url)
        assert normalised(remote, query.text) == normalised(embedded, query.text), query.name


def test_progress_is_reported_per_chunk(built_project, server):
    seen = []
    load_built(load_project(built_project), Endpoints.derive(server.query_url), chunk_size=1000,
               progress=lambda done, total: seen.append((done, total)))
    total = sent_count(built_project)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= total // 1000


# --- chunking ----------------------------------------------------------------------------------------


def test_chunks_keep_lines_linked_by_blank_nodes_together():
    lines = [
        b"<urn:a> <urn:p> _:x .",
        b"_:x <urn:q> _:y .",
        b'_:y <urn:r> "text" .',
        b"<urn:b> <urn:p> <urn:c> .",
        b"<urn:d> <urn:p> _:z .",
        b"<urn:e> <urn:p> \"_:not a blank node\" .",
    ]
    chunks = list(_chunks(lines, 1))
    assert sorted(line for chunk in chunks for line in chunk) == sorted(lines)
    linked = next(chunk for chunk in chunks if lines[0] in chunk)
    assert set(lines[:3]) <= set(linked)
    assert all(len(chunk) == 1 for chunk in chunks if chunk is not linked)
    assert len(chunks) == 4  # the three linked lines, then one per other line


# --- what is refused before anything is sent ------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "why"),
    [
        ("not an iri", "it is not an absolute IRI"),
        ("relative/path", "it is not an absolute IRI"),
        ("https://example.org/a b", "it contains spaces or characters an IRI cannot hold"),
        ("https://example.org/<x>", "it contains spaces or characters an IRI cannot hold"),
        (STAGING_PREFIX + "mine", "kgbuild uses that namespace"),
    ],
)
def test_invalid_graph_iri_is_exit_2_and_nothing_is_sent(built_project, http_stub, graph, why):
    result = cli_load(built_project, http_stub.query_url, "--graph", graph, "--replace")
    assert result.exit_code == 2
    assert f"kgbuild: error: invalid graph IRI {graph!r}: {why}" in result.stderr
    assert http_stub.requests == []


def test_endpoint_down_is_exit_2(built_project):
    url = f"http://127.0.0.1:{free_port()}/query"
    result = cli_load(built_project, url, "--replace")
    assert result.exit_code == 2
    assert f"kgbuild: error: {url}: endpoint unreachable (connection refused)" in result.stderr
    assert result.stdout == ""


def test_stale_build_is_refused(built_project, tmp_path, http_stub):
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(built_project, copy)
    with (copy / "data" / "actors.ttl").open("a", encoding="utf-8") as stream:
        stream.write("\n# edited\n")
    result = cli_load(copy, http_stub.query_url, "--replace")
    assert result.exit_code == 2
    assert "the embedded store is older than the data — data/actors.ttl (changed); run `kgbuild build`" in result.stderr
    assert http_stub.requests == []


# --- faults part-way: the target stays as it was -------------------------------------------------


def test_a_500_part_way_with_replace_leaves_the_target_unchanged(built_project, server, proxy_to):
    server.load(OTHER, graph=NAMED)
    before = checksum(server.url, NAMED)
    proxy = proxy_to(server.url)
    proxy.intercept, posts = fail_chunk(3, 500)
    result = cli_load(built_project, proxy.url + "/query", "--graph", NAMED, "--replace", "--chunk-size", "500")
    assert result.exit_code == 2
    assert "the endpoint failed (HTTP 500)" in result.stderr
    assert f"<{NAMED}> is unchanged; the staging graph was removed" in result.stderr
    assert checksum(server.url, NAMED) == before
    assert graph_names(server.url) == {NAMED}
    assert not any("MOVE" in request.body.decode("utf-8", "replace") for request in proxy.requests)


def test_transient_503_is_retried(built_project, server, proxy_to):
    proxy = proxy_to(server.url)
    failed = []

    def once(number, request):
        if request.path.startswith("/store") and not failed:
            failed.append(number)
            return 503
        return None

    proxy.intercept = once
    result = load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), replace=True,
                        backoff=0.01)
    assert result.retries == 1
    assert result.after == sent_count(built_project)
    assert isomorphic(fetch(server.url), built_graph(built_project))


def test_retries_are_bounded(built_project, server, proxy_to):
    proxy = proxy_to(server.url)
    proxy.intercept = lambda number, request: 503 if request.path.startswith("/store") else None
    with pytest.raises(LoadError, match=r"HTTP 503.*gave up after 3 attempts.*the default graph is unchanged"):
        load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), replace=True,
                   retries=2, backoff=0.01)
    posts = [request for request in proxy.requests if request.path.startswith("/store")]
    assert len(posts) == 3
    assert graph_names(server.url) == set()


def test_server_killed_mid_load_leaves_the_target_unchanged(built_project, tmp_path, own_oxigraph, proxy_to):
    location = tmp_path / "store"
    first = own_oxigraph(location)
    first.load(OTHER, graph=NAMED)
    first.load(OTHER)
    before = checksum(first.url, NAMED), checksum(first.url)
    proxy = proxy_to(first.url)
    posts = []

    def kill_at_second_chunk(number, request):
        if request.path.startswith("/store"):
            posts.append(number)
            if len(posts) == 2:
                first.process.kill()
                first.process.wait()
        return None

    proxy.intercept = kill_at_second_chunk
    with pytest.raises(LoadError) as raised:
        load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), graph=NAMED, replace=True,
                   chunk_size=500, retries=1, backoff=0.01)
    message = str(raised.value)
    assert f"<{NAMED}> is unchanged" in message
    assert "the staging graph <urn:kgbuild:staging:" in message and "could not be removed: run `DROP GRAPH" in message
    again = own_oxigraph(location)  # the same database, restarted
    assert (checksum(again.url, NAMED), checksum(again.url)) == before


# --- credentials ----------------------------------------------------------------------------------


def test_basic_credentials_are_sent_and_never_shown(built_project, server, proxy_to, monkeypatch):
    import base64

    monkeypatch.setenv("KGBUILD_ENDPOINT_USER", "loader")
    monkeypatch.setenv("KGBUILD_ENDPOINT_PASSWORD", "s3cret-Pa55")
    proxy = proxy_to(server.url)
    result = cli_load(built_project, proxy.url + "/query", "--replace", "--chunk-size", "1000")
    assert result.exit_code == 0, result.stderr
    expected = "Basic " + base64.b64encode(b"loader:s3cret-Pa55").decode()
    assert proxy.requests and all(request.headers.get("Authorization") == expected for request in proxy.requests)
    assert {request.path.split("?")[0] for request in proxy.requests} == {"/query", "/store", "/update"}
    for text in (result.stdout, result.stderr):
        assert "s3cret-Pa55" not in text and expected.split()[1] not in text


def test_refused_credentials_are_exit_2_without_the_secret(built_project, server, proxy_to, monkeypatch):
    monkeypatch.setenv("KGBUILD_ENDPOINT_TOKEN", "tok-abc123")
    proxy = proxy_to(server.url)
    proxy.intercept = lambda number, request: 401
    result = cli_load(built_project, proxy.url + "/query", "--replace")
    assert result.exit_code == 2
    assert "credentials refused (HTTP 401)" in result.stderr
    assert proxy.requests[0].headers.get("Authorization") == "Bearer tok-abc123"
    assert "tok-abc123" not in result.stderr + result.stdout
    assert len(proxy.requests) == 1  # refused at the first contact: nothing sent


def test_a_refused_chunk_request_does_not_leak_the_secret(built_project, server, proxy_to, monkeypatch):
    monkeypatch.setenv("KGBUILD_ENDPOINT_TOKEN", "tok-xyz789")
    proxy = proxy_to(server.url)
    proxy.intercept = lambda number, request: 403 if request.path.startswith("/store") else None
    with pytest.raises(LoadError) as raised:
        load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), replace=True)
    assert "the store refused the write (HTTP 403 Forbidden)" in str(raised.value)
    assert "the credentials sent may not write" in str(raised.value)
    assert "nothing was written, the default graph is unchanged" in str(raised.value)
    assert "tok-xyz789" not in str(raised.value)
    assert graph_names(server.url) == set()


@pytest.fixture
def read_only(own_oxigraph, tmp_path):
    """A real store that refuses every write (``oxigraph serve-read-only``), with OTHER in its default graph."""
    from conftest import _stop

    location = tmp_path / "read-only-store"
    writable = own_oxigraph(location)
    writable.load(OTHER)
    _stop(writable.process)
    return own_oxigraph(location, read_only=True)


@pytest.mark.parametrize(
    "args",
    [("--replace",), ("--replace", "--no-graph-store"), ("--direct", "--graph", NAMED)],
    ids=["graph-store", "update", "direct"],
)
def test_a_read_only_store_refusing_the_write_is_said_so(built_project, read_only, monkeypatch, args):
    for name in ("KGBUILD_ENDPOINT_USER", "KGBUILD_ENDPOINT_PASSWORD", "KGBUILD_ENDPOINT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    before = checksum(read_only.url)
    result = cli_load(built_project, read_only.query_url, *args)
    assert result.exit_code == 2
    message = result.stderr
    assert "the store refused the write (HTTP 403 Forbidden): The server is read-only; the store is read-only, " \
           "or writing needs credentials (none were sent: set KGBUILD_ENDPOINT_USER" in message
    target = "the default graph" if NAMED not in args else f"<{NAMED}>"
    assert message.rstrip().endswith(f"; nothing was written, {target} is unchanged"), message
    assert "credentials refused" not in message
    assert "DROP GRAPH" not in message and "CLEAR" not in message  # nothing to clean up: no advice to
    assert checksum(read_only.url) == before and graph_names(read_only.url) == set()


def test_a_401_to_a_write_still_speaks_of_credentials(built_project, server, proxy_to, monkeypatch):
    monkeypatch.setenv("KGBUILD_ENDPOINT_TOKEN", "tok-401-789")
    proxy = proxy_to(server.url)
    proxy.intercept = lambda number, request: 401 if request.path.startswith("/store") else None
    result = cli_load(built_project, proxy.url + "/query", "--replace")
    assert result.exit_code == 2
    assert "/store?graph=urn%3Akgbuild%3Astaging%3A" in result.stderr
    assert "credentials refused (HTTP 401)" in result.stderr and "refused the write" not in result.stderr
    assert "tok-401-789" not in result.stderr


def test_a_write_refused_despite_credentials_is_said_so(built_project, read_only, monkeypatch):
    monkeypatch.setenv("KGBUILD_ENDPOINT_TOKEN", "tok-ro-456")
    result = cli_load(built_project, read_only.query_url, "--replace")
    assert result.exit_code == 2
    assert "the store refused the write (HTTP 403 Forbidden): The server is read-only; the store is read-only, " \
           "or the credentials sent may not write; nothing was written" in result.stderr
    assert "tok-ro-456" not in result.stderr + result.stdout


# --- options --------------------------------------------------------------------------------------


def test_endpoint_derivation():
    oxigraph = Endpoints.derive("http://localhost:7878/query")
    assert (oxigraph.update, oxigraph.graph_store) == ("http://localhost:7878/update", "http://localhost:7878/store")
    virtuoso = Endpoints.derive("http://localhost:8890/sparql")
    assert (virtuoso.update, virtuoso.graph_store) == ("http://localhost:8890/sparql", None)
    fuseki = Endpoints.derive("http://h:3030/ds/query", graph_store="http://h:3030/ds/data")
    assert (fuseki.update, fuseki.graph_store) == ("http://h:3030/ds/update", "http://h:3030/ds/data")
    assert Endpoints.derive("http://h/query", use_graph_store=False).graph_store is None


def test_bad_options_are_parameter_errors(built_project, tmp_path):
    path = built_project / "dist" / "graph.nt"
    endpoints = Endpoints.derive("http://127.0.0.1:1/query")
    with pytest.raises(ParameterError, match="chunk size"):
        load_file(path, endpoints, chunk_size=0)
    with pytest.raises(ParameterError, match="retries"):
        load_file(path, endpoints, retries=-1)
    with pytest.raises(EndpointError, match="not an http"):
        load_file(path, Endpoints.derive("ftp://example.org/query"))


# --- direct loads into an empty target -------------------------------------------------------------


def test_direct_load_into_an_empty_named_graph(built_project, server):
    result = cli_load(built_project, server.query_url, "--graph", NAMED, "--direct", "--chunk-size", "300")
    assert result.exit_code == 0, result.stderr
    assert f"loaded directly into <{NAMED}>" in result.stdout
    assert isomorphic(fetch(server.url, NAMED), built_graph(built_project))
    assert graph_names(server.url) == {NAMED}


def test_direct_load_refuses_a_target_that_holds_triples(built_project, server):
    server.load(OTHER)
    result = cli_load(built_project, server.query_url, "--direct")
    assert result.exit_code == 2
    assert "a direct load needs an empty target, and the default graph holds 1 triples" in result.stderr
    assert len(fetch(server.url)) == 1
    assert cli_load(built_project, server.query_url, "--direct", "--append").exit_code == 2


def test_a_failed_direct_load_empties_the_target_again(built_project, server, proxy_to):
    proxy = proxy_to(server.url)
    proxy.intercept, posts = fail_chunk(3, 500)
    result = cli_load(built_project, proxy.url + "/query", "--graph", NAMED, "--direct", "--chunk-size", "500")
    assert result.exit_code == 2
    assert f"<{NAMED}> was emptied again, as it was" in result.stderr
    assert len(fetch(server.url, NAMED)) == 0
    assert len(posts) == 3


def test_oxigraph_is_recognised_and_sent_chunks_in_bulk(built_project, server):
    from kgbuild.load import _Session

    session = _Session(Endpoints.derive(server.query_url), timeout=10, retries=0, backoff=0)
    assert session.is_oxigraph()
    result = load_built(load_project(built_project), Endpoints.derive(server.query_url), replace=True, bulk=True,
                        chunk_size=400)
    assert result.after == sent_count(built_project)
    assert isomorphic(fetch(server.url), built_graph(built_project))


def test_the_bulk_flag_is_sent_only_when_asked(built_project, server, proxy_to):
    proxy = proxy_to(server.url)  # the proxy does not pass Oxigraph's Server header on: not recognised
    load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), replace=True)
    posts = [request.path for request in proxy.requests if request.method == "POST" and request.path.startswith("/store")]
    assert posts and not any("no_transaction" in path for path in posts)
    proxy.requests.clear()
    load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), replace=True, bulk=True)
    posts = [request.path for request in proxy.requests if request.method == "POST" and request.path.startswith("/store")]
    assert posts and all(path.endswith("&no_transaction") for path in posts)


def test_the_swap_is_one_sparql_update_posted_directly(built_project, server, proxy_to):
    proxy = proxy_to(server.url)
    load_built(load_project(built_project), Endpoints.derive(proxy.url + "/query"), graph=NAMED, replace=True)
    updates = [request for request in proxy.requests if request.path.startswith("/update")]
    assert updates[0].headers["Content-Type"].startswith("application/sparql-update")
    assert updates[0].body.decode().startswith(f"MOVE <{STAGING_PREFIX}")
    assert updates[0].body.decode().endswith(f"> TO <{NAMED}>")
    assert updates[1].body.decode().startswith(f"DROP SILENT GRAPH <{STAGING_PREFIX}")


def test_update_endpoint_failures_are_named(http_stub):
    from kgbuild.backends.remote import update_remote

    http_stub.respond(404, "no such thing", content_type="text/plain")
    with pytest.raises(EndpointError, match=r"not found \(HTTP 404\): is this the endpoint's update URL\?"):
        update_remote(http_stub.url + "/update", "DROP SILENT GRAPH <urn:x>", timeout=5)
    http_stub.respond(400, "Parse error at line 1", content_type="text/plain")
    with pytest.raises(EndpointError, match=r"request refused \(HTTP 400\): Parse error at line 1"):
        update_remote(http_stub.url + "/update", "DROP SILENT GRAPH <urn:x>", timeout=5)
    assert http_stub.requests[-1].body == b"DROP SILENT GRAPH <urn:x>"


# --- on each real store: the Oxigraph server and Virtuoso -------------------------------------------

#: A blank node kgbuild skolemised for a store (Virtuoso's SPARQL Update): read back as a blank node.
GENID = re.compile(r"^https?://[^/]+/\.well-known/genid/kgbuild/|^urn:kgbuild:genid:")
SECOND = "https://example.org/graphs/second"


def select(query_url: str, query: str) -> list[dict]:
    """SPARQL results as JSON, asked with a plain POST (any SPARQL 1.1 store)."""
    request = urllib.request.Request(
        query_url, data=urllib.parse.urlencode({"query": query}).encode(), method="POST",
        headers={"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with _LOOPBACK.open(request, timeout=60) as response:
        return json.load(response)["results"]["bindings"]


def contents(store, graph: str) -> Graph:
    """The named graph's triples, asked by SPARQL; skolem IRIs read back as blank nodes, and every
    xsd:duration literal as one placeholder (Virtuoso keeps a duration as its seconds: "P2D" comes back
    as "172800.0"; docs/query-catalogue.md)."""
    def term(cell: dict):
        if cell["type"] == "uri":
            return BNode(cell["value"]) if GENID.match(cell["value"]) else URIRef(cell["value"])
        if cell["type"] == "bnode":
            return BNode(cell["value"])
        datatype = cell.get("datatype")
        if datatype == str(XSD.duration):
            return Literal("(a duration)", datatype=XSD.duration)
        return Literal(cell["value"], lang=cell.get("xml:lang"), datatype=datatype)

    result = Graph()
    for row in select(store.query_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        result.add((term(row["s"]), term(row["p"]), term(row["o"])))
    return result


def comparable(graph: Graph) -> Graph:
    """``graph`` with every xsd:duration literal as the placeholder ``contents`` reads."""
    result = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.duration:
            o = Literal("(a duration)", datatype=XSD.duration)
        result.add((s, p, o))
    return result


def same(stored: Graph, expected: Graph) -> bool:
    """The same triples, blank nodes aside (rdflib's isomorphism takes a minute on Virtuoso's answers)."""
    def blanked(graph: Graph) -> Counter:
        return Counter(tuple("_" if isinstance(node, BNode) else node for node in triple) for triple in graph)

    return len(stored) == len(expected) and blanked(stored) == blanked(expected)


def named_graphs(store) -> set[str]:
    """Graphs holding triples, without Virtuoso's own."""
    found = {row["g"]["value"] for row in select(store.query_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    return found - set(getattr(store, "own_graphs", ()))


def protocol_args(store, protocol: str) -> tuple[str, ...]:
    """The `kgbuild load` options that send the data over ``protocol`` to ``store``."""
    if isinstance(store, VirtuosoServer):  # /sparql: updates there, no Graph Store endpoint unless named
        return ("--graph-store", store.store_url) if protocol == "graph-store" else ()
    return () if protocol == "graph-store" else ("--no-graph-store",)


@pytest.fixture
def store(sparql_server):
    """Each real store in turn, emptied of all but its own graphs."""
    sparql_server.clear()
    return sparql_server


@pytest.mark.parametrize("protocol", ["graph-store", "update"])
def test_replace_on_each_store(built_project, store, protocol):
    store.load(OTHER, graph=NAMED)
    result = cli_load(built_project, store.query_url, "--graph", NAMED, "--replace", *protocol_args(store, protocol))
    assert result.exit_code == 0, result.stderr
    total = sent_count(built_project)
    assert f"<{NAMED}> now holds {total} triples (before: 1); count checked" in result.stdout
    assert ("(Graph Store Protocol," if protocol == "graph-store" else "(SPARQL Update,") in result.stdout
    assert same(contents(store, NAMED), comparable(built_graph(built_project)))
    assert named_graphs(store) == {NAMED}  # no staging graph left


@pytest.mark.parametrize("protocol", ["graph-store", "update"])
def test_append_on_each_store(built_project, store, protocol):
    store.load(OTHER, graph=NAMED)
    result = cli_load(built_project, store.query_url, "--graph", NAMED, "--append", *protocol_args(store, protocol))
    assert result.exit_code == 0, result.stderr
    assert f"now holds {sent_count(built_project) + 1} triples (before: 1)" in result.stdout
    expected = comparable(built_graph(built_project))
    expected.add((URIRef("urn:test:keep"), URIRef("urn:test:p"), Literal("already there")))
    assert same(contents(store, NAMED), expected)
    assert named_graphs(store) == {NAMED}


@pytest.mark.parametrize("protocol", ["graph-store", "update"])
def test_direct_on_each_store(built_project, store, protocol):
    result = cli_load(built_project, store.query_url, "--graph", NAMED, "--direct", "--chunk-size", "700",
                      *protocol_args(store, protocol))
    assert result.exit_code == 0, result.stderr
    assert f"loaded directly into <{NAMED}>" in result.stdout
    assert same(contents(store, NAMED), comparable(built_graph(built_project)))
    assert named_graphs(store) == {NAMED}


def test_virtuoso_update_loads_skolemise_blank_nodes_stably(built_project, virtuoso_server):
    """The same build twice through SPARQL Update: the same IRIs, so appending it again adds nothing."""
    virtuoso_server.clear()
    assert cli_load(built_project, virtuoso_server.query_url, "--graph", NAMED, "--replace").exit_code == 0
    assert cli_load(built_project, virtuoso_server.query_url, "--graph", SECOND, "--replace").exit_code == 0
    first = {row["s"]["value"] for row in select(virtuoso_server.query_url,
                                                  f"SELECT ?s WHERE {{ GRAPH <{NAMED}> {{ ?s ?p ?o }} }}")}
    skolems = {iri for iri in first if GENID.match(iri)}
    assert skolems and all(iri.startswith("https://example.org/.well-known/genid/kgbuild/") for iri in skolems)
    again = cli_load(built_project, virtuoso_server.query_url, "--graph", NAMED, "--append")
    total = sent_count(built_project)
    assert again.exit_code == 0, again.stderr
    assert f"<{NAMED}> now holds {total} triples (before: {total})" in again.stdout
    assert same(contents(virtuoso_server, SECOND), contents(virtuoso_server, NAMED))


def test_every_stored_query_gives_the_same_rows_after_a_readme_load(built_project, store):
    """Loaded as the README's command for the store says; Virtuoso's default graph is the union of its graphs."""
    args = ("--graph", NAMED) if isinstance(store, VirtuosoServer) else ()
    assert cli_load(built_project, store.query_url, *args, "--replace").exit_code == 0
    project = load_project(built_project)
    compared = 0
    for query in load_catalogue(project).queries:
        if isinstance(store, VirtuosoServer) and query.name in VIRTUOSO_WRONG:
            continue  # shown in tests/test_server.py, as strict expected failures
        params = example_params(query)
        embedded = run_query(project, query.name, params=params)
        remote = run_query(project, query.name, params=params, endpoint=store.query_url)
        assert normalised(remote, query.text) == normalised(embedded, query.text), query.name
        compared += 1
    assert compared >= 10


def _chunk_request(request) -> bool:
    """A request sending a chunk into the staging graph (Graph Store POST or INSERT update)."""
    return request.method == "POST" and (
        STAGING_PREFIX in urllib.parse.unquote(request.path) or request.body.lstrip().startswith(b"INSERT")
    )


def test_a_500_part_way_leaves_the_target_unchanged_on_each_store(built_project, store, proxy_to):
    store.load(OTHER, graph=NAMED)
    before = contents(store, NAMED)
    proxy = proxy_to(store.url)
    chunks: list[int] = []

    def third_chunk_fails(number, request):
        if _chunk_request(request):
            chunks.append(number)
            if len(chunks) == 3:
                return 500
        return None

    proxy.intercept = third_chunk_fails
    query = proxy.url + urllib.parse.urlsplit(store.query_url).path
    store_args = (("--graph-store", proxy.url + "/sparql-graph-crud") if isinstance(store, VirtuosoServer) else ())
    result = cli_load(built_project, query, "--graph", NAMED, "--replace", "--chunk-size", "500", *store_args)
    assert result.exit_code == 2
    assert "the endpoint failed (HTTP 500)" in result.stderr
    assert f"<{NAMED}> is unchanged; the staging graph was removed" in result.stderr
    assert len(chunks) == 3
    assert same(contents(store, NAMED), before)
    assert named_graphs(store) == {NAMED}


def test_a_store_refusing_the_first_chunk_says_nothing_was_written(built_project, store, proxy_to):
    """A 400 to the first write (as Virtuoso answered blank nodes in INSERT DATA): no staging graph to speak of."""
    proxy = proxy_to(store.url)
    proxy.intercept = lambda number, request: 400 if _chunk_request(request) else None
    query = proxy.url + urllib.parse.urlsplit(store.query_url).path
    result = cli_load(built_project, query, "--graph", NAMED, "--replace", "--no-graph-store")
    assert result.exit_code == 2
    assert "request refused (HTTP 400): injected failure 400" in result.stderr
    assert result.stderr.rstrip().endswith(f"; nothing was written, <{NAMED}> is unchanged"), result.stderr
    assert "staging" not in result.stderr
    assert named_graphs(store) == set()


def test_virtuoso_insert_makes_durations_with_strdt():
    from kgbuild.load import virtuoso_insert

    lines = [b'<urn:a> <urn:p> "x" .', b'<urn:a> <urn:d> "P2D"^^<http://www.w3.org/2001/XMLSchema#duration> .']
    text = virtuoso_insert("urn:g", lines)
    assert text.startswith('INSERT DATA {\nGRAPH <urn:g> {\n<urn:a> <urn:p> "x" .\n} } ;\nINSERT {')
    assert 'BIND(STRDT("P2D", <http://www.w3.org/2001/XMLSchema#duration>) AS ?v0)' in text
    assert "<urn:a> <urn:d> ?v0 ." in text


def test_skolemised_labels_depend_on_the_file_and_the_graph():
    from kgbuild.load import skolem_prefix, skolemise

    lines = [b"_:b1 <urn:p> _:b2 .", b'_:b2 <urn:q> "_:b3 ." .']
    prefix = skolem_prefix(lines, "https://example.org/g")
    assert prefix == skolem_prefix(list(lines), "https://example.org/other")  # the file decides, not the graph name
    assert prefix != skolem_prefix(lines[:1], "https://example.org/g")
    assert prefix.startswith("https://example.org/.well-known/genid/kgbuild/")
    assert skolem_prefix(lines, "urn:x:g").startswith("urn:kgbuild:genid:")
    assert skolemise(lines, prefix) == [
        f"<{prefix}b1> <urn:p> <{prefix}b2> .".encode(), f'<{prefix}b2> <urn:q> "_:b3 ." .'.encode()]


@pytest.mark.parametrize("protocol", ["graph-store", "update"])
def test_virtuoso_authenticated_endpoints_get_digest_credentials(built_project, virtuoso_server, monkeypatch, protocol):
    """/sparql-auth and /sparql-graph-crud-auth answer basic credentials with a bare 401 and want HTTP Digest."""
    virtuoso_server.clear()
    monkeypatch.delenv("KGBUILD_ENDPOINT_TOKEN", raising=False)
    monkeypatch.setenv("KGBUILD_ENDPOINT_USER", "dba")
    monkeypatch.setenv("KGBUILD_ENDPOINT_PASSWORD", "dba")
    store_args = ("--graph-store", virtuoso_server.store_url + "-auth") if protocol == "graph-store" else ()
    result = cli_load(built_project, virtuoso_server.auth_url, "--graph", NAMED, "--replace", *store_args)
    assert result.exit_code == 0, result.stderr
    assert virtuoso_server.count(NAMED) == sent_count(built_project)
    monkeypatch.setenv("KGBUILD_ENDPOINT_PASSWORD", "not-the-Pa55word")
    refused = cli_load(built_project, virtuoso_server.auth_url, "--graph", NAMED, "--replace", *store_args)
    assert refused.exit_code == 2
    assert f"kgbuild: error: {virtuoso_server.auth_url}: credentials refused (HTTP 401)" in refused.stderr
    assert "not-the-Pa55word" not in refused.stderr + refused.stdout


def test_virtuoso_needs_a_named_graph(built_project, virtuoso_server):
    virtuoso_server.clear()
    result = cli_load(built_project, virtuoso_server.query_url, "--replace")
    assert result.exit_code == 2
    assert ("kgbuild: error: Virtuoso keeps no triples outside named graphs (its default graph is the union of all "
            "of them, its own too): name the graph to load with --graph IRI") in result.stderr
    assert named_graphs(virtuoso_server) == set()
