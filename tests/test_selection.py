"""Dataset selection (kgbuild.selection): `--graph` on `kgbuild query`, `[store]` of kgbuild.toml for query, validate
and load, and a graph that holds nothing, against a real `oxigraph serve` on loopback (tests/conftest.py)."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import MINI, free_port, run_cli
from test_queries import CQ08_COLUMNS, CQ08_ROWS, plain_rows

from kgbuild.errors import ParameterError
from kgbuild.project import load_project
from kgbuild.queries.querying import run_query
from kgbuild.selection import EmptyGraphError

GRAPH = "https://example.org/graphs/ppdkg"
OTHER = "https://example.org/graphs/never-loaded"
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch):
    for name in ("KGBUILD_ENDPOINT_USER", "KGBUILD_ENDPOINT_PASSWORD", "KGBUILD_ENDPOINT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def count(server, graph: str | None) -> int:
    """Triples in ``graph`` (None: the default graph) of the server, asked over plain HTTP (not through kgbuild)."""
    pattern = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    query = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {pattern}"})
    request = urllib.request.Request(server.query_url + "?" + query,
                                     headers={"Accept": "application/sparql-results+json"})
    with _LOOPBACK.open(request, timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def named(oxigraph_server, built_project):
    """The session's Oxigraph server holding the built project's graph in the named graph GRAPH only (loaded by
    `kgbuild load --graph`); its default graph is empty."""
    oxigraph_server.clear()
    result = run_cli("load", "--project", str(built_project), "--endpoint", oxigraph_server.query_url,
                     "--graph", GRAPH, "--direct")
    assert result.exit_code == 0, result.stderr
    assert count(oxigraph_server, None) == 0 and count(oxigraph_server, GRAPH) > 0
    return oxigraph_server


# --- --graph on kgbuild query ----------------------------------------------------------------------------------


def test_query_on_the_named_graph_gives_the_hand_written_answer(named, built_project):
    rows = run_query(load_project(built_project), "cq08-totals", endpoint=named.query_url, graph=GRAPH)
    assert plain_rows(rows) == (CQ08_COLUMNS, CQ08_ROWS)


def test_cli_graph_gives_the_embedded_csv(named, built_project):
    embedded = run_cli("query", "cq08-totals", "--project", str(built_project), "--format", "csv")
    remote = run_cli("query", "cq08-totals", "--project", str(built_project), "--format", "csv",
                     "--endpoint", named.query_url, "--graph", GRAPH)
    assert embedded.exit_code == 0 and remote.exit_code == 0, embedded.stderr + remote.stderr
    assert remote.stdout_bytes == embedded.stdout_bytes
    figure, _, _, people = CQ08_ROWS[0]
    assert f'"{figure}",,,{people}\r\n'.encode() in remote.stdout_bytes


def test_cli_without_graph_says_the_default_graph_is_empty(named, built_project):
    result = run_cli("query", "cq08-totals", "--project", str(built_project), "--endpoint", named.query_url)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"kgbuild: error: the default graph of {named.query_url} holds no triples: if the data is "
                             "in a named graph, name it with --graph IRI\n")


def test_a_graph_never_loaded_is_exit_2_naming_it(named, built_project):
    with pytest.raises(EmptyGraphError, match=f"^the graph <{OTHER}> at {named.query_url} holds no triples"):
        run_query(load_project(built_project), "cq08-totals", endpoint=named.query_url, graph=OTHER)
    result = run_cli("query", "cq08-totals", "--project", str(built_project), "--endpoint", named.query_url,
                     "--graph", OTHER)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"the graph <{OTHER}> at {named.query_url} holds no triples" in result.stderr


def test_graph_without_an_endpoint_is_a_usage_error(built_project):
    result = run_cli("query", "cq08-totals", "--project", str(built_project), "--graph", GRAPH)
    assert result.exit_code == 2 and result.stdout == ""
    assert "--graph names a graph of a SPARQL endpoint" in result.stderr and "[store] endpoint" in result.stderr
    with pytest.raises(ParameterError, match="embedded store holds one graph"):
        run_query(load_project(built_project), "cq08-totals", graph=GRAPH)


@pytest.mark.parametrize("graph", ["not an iri", "relative/path", "https://example.org/a b"])
def test_a_graph_that_is_no_iri_is_exit_2_before_anything_is_sent(built_project, http_stub, graph):
    result = run_cli("query", "cq08-totals", "--project", str(built_project), "--endpoint", http_stub.query_url,
                     "--graph", graph)
    assert result.exit_code == 2
    assert f"invalid graph IRI {graph!r}" in result.stderr
    assert http_stub.requests == []


# --- [store] in kgbuild.toml -----------------------------------------------------------------------------------


def with_store(project: Path, *lines: str) -> None:
    with (project / "kgbuild.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[store]\n" + "".join(line + "\n" for line in lines))


@pytest.fixture
def store_server(own_oxigraph, tmp_path):
    """An empty Oxigraph server of this test alone (the module's `named` server keeps its graph)."""
    return own_oxigraph(tmp_path / "own-store")


@pytest.fixture
def configured(mini, store_server):
    """The mini project with [store] naming the test's own server and GRAPH, built."""
    with_store(mini, f'endpoint = "{store_server.query_url}"', f'graph = "{GRAPH}"')
    assert run_cli("build", "--project", str(mini)).exit_code == 0
    return mini


def test_store_config_is_used_by_load_query_and_validate(configured, store_server):
    project = str(configured)
    local = run_cli("query", "sample", "--project", project, "--format", "csv", "--local")
    assert local.exit_code == 0 and local.stdout.count("\n") > 1, local.stderr
    # before the load: the configured graph is empty, and the query says so (it went to the store)
    empty = run_cli("query", "sample", "--project", project, "--format", "csv")
    assert empty.exit_code == 2 and empty.stdout == ""
    assert f"the graph <{GRAPH}> at {store_server.query_url} holds no triples" in empty.stderr
    refused = run_cli("validate", "--project", project)
    assert refused.exit_code == 2 and f"the graph <{GRAPH}> at {store_server.query_url}" in refused.stderr

    loaded = run_cli("load", "--project", project, "--direct")  # endpoint and graph from [store]
    assert loaded.exit_code == 0, loaded.stderr
    assert count(store_server, None) == 0 and count(store_server, GRAPH) > 0

    remote = run_cli("query", "sample", "--project", project, "--format", "csv")
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout
    validated = run_cli("validate", "--project", project)
    assert validated.exit_code == 0, validated.stderr
    assert f"validated the graph <{GRAPH}> of {store_server.query_url}" in validated.stderr


def test_options_override_the_store_config(configured, store_server):
    project = str(configured)
    assert run_cli("load", "--project", project, "--direct").exit_code == 0
    # --graph: another graph of the configured endpoint
    other = run_cli("query", "sample", "--project", project, "--graph", OTHER)
    assert other.exit_code == 2 and f"the graph <{OTHER}> at {store_server.query_url}" in other.stderr
    # --endpoint: another store, and none of [store] applies (its graph neither): the default graph
    same = run_cli("query", "sample", "--project", project, "--endpoint", store_server.query_url)
    assert same.exit_code == 2 and f"the default graph of {store_server.query_url} holds no" in same.stderr
    down = f"http://127.0.0.1:{free_port()}/query"
    unreachable = run_cli("query", "sample", "--project", project, "--endpoint", down, "--graph", GRAPH)
    assert unreachable.exit_code == 2 and f"{down}: endpoint unreachable" in unreachable.stderr
    # --local: the embedded store, nothing asked of the configured one
    store_server.clear()
    local = run_cli("query", "sample", "--project", project, "--local")
    assert local.exit_code == 0 and local.stdout, local.stderr
    assert run_cli("validate", "--project", project, "--local").exit_code == 0


def test_load_takes_update_and_graph_store_urls_from_the_config(mini, store_server):
    """[store] update-endpoint and graph-store are the load's; a wrong one shows they are used."""
    wrong = store_server.url + "/nowhere"
    with_store(mini, f'endpoint = "{store_server.query_url}"', f'graph-store = "{wrong}"')
    assert run_cli("build", "--project", str(mini)).exit_code == 0
    result = run_cli("load", "--project", str(mini), "--direct")
    assert result.exit_code == 2 and wrong in result.stderr
    # the option beats the configuration
    fixed = run_cli("load", "--project", str(mini), "--direct", "--graph-store", store_server.store_url)
    assert fixed.exit_code == 0, fixed.stderr
    assert count(store_server, None) > 0


@pytest.mark.parametrize(
    "args, words",
    [
        (("query", "sample", "--local", "--endpoint", "http://127.0.0.1:1/query"), "--local reads the embedded store"),
        (("query", "sample", "--local", "--graph", GRAPH), "it does not go with --graph"),
        (("query", "sample", "--engine", "rdflib"), "add --local"),
        (("validate", "--engine", "pyshacl"), "add --local"),
    ],
)
def test_contradictions_are_exit_2(configured, args, words):
    result = run_cli(*args, "--project", str(configured))
    assert result.exit_code == 2 and result.stdout == ""
    assert words in result.stderr


def test_load_needs_an_endpoint_from_somewhere(mini):
    result = run_cli("load", "--project", str(mini), "--replace")
    assert result.exit_code == 2
    assert "--endpoint" in result.stderr and "[store] endpoint" in result.stderr


@pytest.mark.parametrize(
    "lines, line, message",
    [
        (("endpoint = 7878",), 3, "store.endpoint must be a non-empty string"),
        (('endpoint = "ftp://127.0.0.1/query"',), 3, "store.endpoint: ftp://127.0.0.1/query: not an http(s) URL"),
        (('endpoint = "http://me:secret@127.0.0.1:7878/query"',), 3, "credentials in the URL are not used"),
        (('endpoint = "http://127.0.0.1:7878/query"', 'graph = "graphs/main"'), 4,
         "store.graph: invalid graph IRI 'graphs/main'"),
        (('graph = "https://example.org/g"',), 3, "store.graph without store.endpoint"),
        (('endpoint = "http://127.0.0.1:7878/query"', 'graph-store = ""'), 4, "store.graph-store must be a non-empty"),
        (('endpoint = "http://127.0.0.1:7878/query"', 'update-endpoint = "/update"'), 4,
         "store.update-endpoint: /update: not an http(s) URL"),
        (('endpoint = "http://127.0.0.1:7878/query"', 'graphs = "https://example.org/g"'), 4,
         "unknown key store.graphs (known: endpoint, graph, update-endpoint, graph-store)"),
    ],
)
def test_bad_store_config_is_exit_2_naming_file_line_and_key(tmp_path, lines, line, message):
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns("dist"))
    text = "".join(line + "\n" for line in lines)
    (project / "kgbuild.toml").write_text('namespace = "https://example.org/mini/"\n[store]\n' + text, encoding="utf-8")
    for args in (("query", "sample"), ("validate",), ("load", "--replace")):
        result = run_cli(*args, "--project", str(project))
        assert result.exit_code == 2, args
        assert result.stderr.startswith(f"kgbuild: error: kgbuild.toml:{line}: "), result.stderr
        assert message in result.stderr
        assert "secret" not in result.stderr


# --- validate on a graph that holds nothing ---------------------------------------------------------------------

CONTRIBUTION = Path(__file__).resolve().parent / "fixtures" / "contributions" / "dangling-reference.ttl"


def test_validate_on_an_empty_graph_is_exit_2(named, built_project):
    result = run_cli("validate", "--project", str(built_project), "--endpoint", named.query_url, "--graph", OTHER)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"kgbuild: error: the graph <{OTHER}> at {named.query_url} holds no triples" in result.stderr
    checked = run_cli("validate", "--project", str(built_project), "--endpoint", named.query_url, "--graph", GRAPH)
    assert checked.exit_code == 0, checked.stderr


def test_contribution_check_on_an_empty_graph_is_exit_2(named, built_project):
    result = run_cli("validate", str(CONTRIBUTION), "--project", str(built_project), "--endpoint", named.query_url)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"kgbuild: error: the default graph of {named.query_url} holds no triples" in result.stderr
    checked = run_cli("validate", str(CONTRIBUTION), "--project", str(built_project), "--endpoint", named.query_url,
                      "--graph", GRAPH)
    assert checked.exit_code == 1, checked.stderr  # the dangling reference, found against the named graph
    assert "dangling" in checked.stdout


def test_an_unusable_contribution_is_reported_before_the_store_is_asked(built_project, tmp_path, http_stub):
    missing = tmp_path / "missing.ttl"
    result = run_cli("validate", str(missing), "--project", str(built_project), "--endpoint", http_stub.query_url)
    assert result.exit_code == 2 and "no such file" in result.stderr
    assert http_stub.requests == []


# --- the embedded store's path stays as it was ------------------------------------------------------------------

PROBE = """
import sys
from kgbuild.cli import main
sys.argv = ["kgbuild", "query", "--project", sys.argv[1], "--format", "csv", "cq08-totals"]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("EXIT", code, file=sys.stderr)
print("LOADED", ",".join(sorted(name for name in ("kgbuild.selection", "kgbuild.backends.remote", "kgbuild.load")
                               if name in sys.modules)) or "none", file=sys.stderr)
"""


def test_a_query_on_the_embedded_store_loads_nothing_of_the_selection(built_project):
    """Without --endpoint, --graph and [store], `kgbuild query` imports no module of remote stores (startup time)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(root / "src"), os.environ.get("PYTHONPATH"))
                                                       if p)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(built_project)], capture_output=True, env=env,
                          timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    assert "EXIT 0" in stderr and "LOADED none" in stderr, stderr
