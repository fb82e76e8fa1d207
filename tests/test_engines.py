"""Same answers everywhere: every stored query of the real catalogue on the embedded store, on rdflib,
and on a real Oxigraph server loaded with the built graph; parameter injection is harmless on all three.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT
from rowcompare import cell, concat_separators, normalised
from rowcompare import example_params as query_example_params

from kgbuild.errors import ParameterError
from kgbuild.project import load_project
from kgbuild.queries.catalogue import load_catalogue
from kgbuild.queries.querying import run_query
from kgbuild.queries.results import XSD, Rows, literal

CATALOGUE = load_catalogue(load_project(ROOT))
NAMES = CATALOGUE.names()



def example_params(name: str) -> dict[str, str]:
    """The ``-p name=value`` pairs of the query's first ``# example:`` header line."""
    return query_example_params(CATALOGUE.get(name))


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(built_project: Path):
    return load_project(built_project)


@pytest.fixture(scope="module")
def server(oxigraph_server, built_project: Path):
    """The shared Oxigraph server holding exactly the built graph (dist/graph.nt)."""
    oxigraph_server.clear()
    graph = built_project / "dist" / "graph.nt"
    oxigraph_server.load(graph)
    expected = sum(1 for line in graph.read_text("utf-8").splitlines() if line.strip() and not line.startswith("#"))
    assert oxigraph_server.count() == expected
    return oxigraph_server


@pytest.fixture(scope="module")
def count_query(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("count") / "count-triples.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    return path


def triples(project, count_query: Path, engine: str = "oxigraph") -> int:
    rows = run_query(project, str(count_query), engine=engine)
    return int(rows.rows[0][0].value)


# --- the catalogue itself ------------------------------------------------------------------------


def test_the_catalogue_is_the_real_one():
    assert len(NAMES) >= 14
    assert {"cq06-provenance", "cq08-totals", "cq11-name-lookup"} <= set(NAMES)
    for name in NAMES:  # every query documents at least one runnable example
        assert CATALOGUE.get(name).examples, f"{name} has no # example: line"
        for param in CATALOGUE.get(name).params:
            if param.required:
                assert param.name in example_params(name), f"{name}: the example does not set {param.name}"


def test_group_concat_separators_are_found():
    text = CATALOGUE.get("cq07-disagreements").text
    assert concat_separators(text).get("quotes") == " | "
    assert concat_separators(CATALOGUE.get("cq02-deals").text).get("parties") == ", "
    # passed on by a BIND(IF(...)) that leaves an empty GROUP_CONCAT unbound
    assert concat_separators(CATALOGUE.get("what-happened-to").text).get("statedTime") == " | "
    assert concat_separators(CATALOGUE.get("cq13-assessments").text).get("quote") == " | "


def test_normalisation():
    integer = literal("3", datatype=XSD + "integer")
    decimal = literal("3.0", datatype=XSD + "decimal")
    assert cell(integer, None) == cell(decimal, None)
    assert cell(literal("a, b"), ", ") == cell(literal("b, a"), ", ")
    assert cell(literal("a, b"), None) != cell(literal("b, a"), None)
    assert cell(ox.BlankNode("x1"), None) == cell(ox.BlankNode("y2"), None)
    assert cell(literal("3"), None) != cell(integer, None)  # a string is not a number
    assert cell(literal("x", lang="en"), None) != cell(literal("x"), None)
    true, false = literal("true", datatype=XSD + "boolean"), literal("0", datatype=XSD + "boolean")
    assert cell(true, None) == cell(literal("1", datatype=XSD + "boolean"), None)  # Virtuoso's form
    assert cell(false, None) == cell(literal("false", datatype=XSD + "boolean"), None)
    assert cell(true, None) != cell(false, None)
    assert cell(literal("1", datatype=XSD + "integer"), None) != cell(true, None)


# --- same answers everywhere ---------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_rows_on_embedded_rdflib_and_server(project, server, name):
    params = example_params(name)
    text = CATALOGUE.get(name).text
    embedded = run_query(project, name, params=params, engine="oxigraph")
    rdflib_rows = run_query(project, name, params=params, engine="rdflib")
    remote = run_query(project, name, params=params, endpoint=server.query_url)
    expected = normalised(embedded, text)
    assert normalised(rdflib_rows, text) == expected, f"{name}: rdflib differs from the embedded store"
    assert normalised(remote, text) == expected, f"{name}: the Oxigraph server differs from the embedded store"


@pytest.mark.parametrize("name", [name for name in NAMES if CATALOGUE.get(name).params])
def test_parameterised_examples_answer_something_and_bind(project, server, name):
    """The example value is really bound (not ignored): there are rows, and a projected parameter equals it."""
    params = example_params(name)
    for rows in (
        run_query(project, name, params=params, engine="oxigraph"),
        run_query(project, name, params=params, engine="rdflib"),
        run_query(project, name, params=params, endpoint=server.query_url),
    ):
        assert rows.rows, f"{name}: its example answers nothing, so the binding is not exercised"
        for key in params:
            if key in rows.variables:
                assert len(set(rows.column(key))) == 1


# --- injection through parameter values ----------------------------------------------------------

HOSTILE = (
    '"} ; DROP ALL ; #',
    'x" } INSERT DATA { <urn:a> <urn:b> <urn:c> } #',
    "') . } #",
)
ENGINES = ("oxigraph", "rdflib", "server")


def run_on(engine: str, project, server, name: str, params: dict[str, str]) -> Rows:
    if engine == "server":
        return run_query(project, name, params=params, endpoint=server.query_url)
    return run_query(project, name, params=params, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_name_is_only_a_literal(project, server, count_query, built_project, engine, value):
    before_store = triples(project, count_query)
    before_server = server.count()
    graph_before = (built_project / "dist" / "graph.nt").read_bytes()
    rows = run_on(engine, project, server, "cq11-name-lookup", {"name": value})
    if "name" in rows.variables:
        for term in rows.column("name"):
            assert term == literal(value)
    assert rows.rows == () or all(row[rows.variables.index("name")] == literal(value) for row in rows.rows)
    assert triples(project, count_query) == before_store
    assert server.count() == before_server
    assert (built_project / "dist" / "graph.nt").read_bytes() == graph_before
    probe = run_on(engine, project, server, "cq11-name-lookup", {"name": "Kolesnikova"})
    assert probe.rows  # nothing was dropped: the example still answers


def test_nothing_was_inserted_anywhere(project, server, count_query):
    """After the hostile values, <urn:a> <urn:b> <urn:c> is in neither store."""
    for value in HOSTILE:
        for engine in ENGINES:
            run_on(engine, project, server, "cq11-name-lookup", {"name": value})
    import json
    import urllib.parse
    import urllib.request

    from conftest import _LOOPBACK

    ask = urllib.parse.urlencode({"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    request = urllib.request.Request(
        server.query_url + "?" + ask, headers={"Accept": "application/sparql-results+json"}
    )
    with _LOOPBACK.open(request, timeout=30) as response:
        assert json.load(response)["boolean"] is False
    from kgbuild.workspace.versions import open_store

    assert not open_store(project).query("ASK { <urn:a> <urn:b> <urn:c> }")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "value",
    ["<urn:x> } ; DROP ALL", "urn:x> } ; DROP ALL ; <urn:y", "ppdr:x> } ; DROP ALL #", "http://example.org/a b"],
)
def test_hostile_iri_parameter_is_refused(project, server, count_query, engine, value):
    before_store = triples(project, count_query)
    before_server = server.count()
    with pytest.raises(ParameterError) as caught:
        run_on(engine, project, server, "cq06-provenance", {"thing": value})
    assert "thing" in str(caught.value)
    assert triples(project, count_query) == before_store
    assert server.count() == before_server
