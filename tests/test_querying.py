"""`kgbuild query` on the embedded store: light start-up, stale-store detection, CLI behaviour."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import append, run_cli

from kgbuild.builder import build
from kgbuild.errors import ParameterError, QueryError, StaleStoreError
from kgbuild.project import load_project
from kgbuild.queries.querying import run_query


@pytest.fixture
def built_mini(mini):
    assert build(load_project(mini)).store is not None
    return mini


def test_query_path_imports_no_rdflib_pyshacl_or_sparqlwrapper(built_mini):
    script = (
        "import sys\n"
        "from kgbuild.cli import cli\n"
        f"try:\n    cli(['query', 'sample', '--project', {str(built_mini)!r}, '--format', 'csv'])\n"
        "except SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        "print(sorted(m for m in ('rdflib', 'pyshacl', 'httpx') if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Charles Babbage" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_stale_store_is_reported_not_used(built_mini):
    project = load_project(built_mini)
    assert run_query(project, "sample").rows
    append(built_mini / "data" / "people.ttl", "\n# a curator's edit\n")
    with pytest.raises(StaleStoreError, match=r"data/people.ttl \(changed\).*run `kgbuild build`"):
        run_query(project, "sample")
    result = run_cli("query", "sample", "--project", str(built_mini))
    assert result.exit_code == 2
    assert "kgbuild: error: the embedded store is older than the data — data/people.ttl (changed)" in result.stderr
    assert result.stdout == ""
    build(project)
    assert run_query(project, "sample").rows


def test_no_store_before_the_first_build(mini):
    result = run_cli("query", "sample", "--project", str(mini))
    assert result.exit_code == 2
    assert "no embedded store" in result.stderr and "run `kgbuild build` first" in result.stderr


def test_query_formats_and_output_file(built_mini, tmp_path):
    csv = run_cli("query", "sample", "--project", str(built_mini), "--format", "csv")
    assert csv.exit_code == 0
    assert csv.stdout_bytes.startswith(b"meeting,person\r\n")  # W3C CSV: CRLF line ends
    parsed = json.loads(run_cli("query", "sample", "--project", str(built_mini), "--format", "json").stdout)
    assert parsed["head"]["vars"] == ["meeting", "person"]
    target = tmp_path / "out.csv"
    written = run_cli("query", "sample", "--project", str(built_mini), "--format", "csv", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_bytes() == csv.stdout_bytes
    same = run_cli("query", "sample", "--project", str(built_mini), "--format", "csv", "--engine", "rdflib")
    assert sorted(same.stdout.splitlines()) == sorted(csv.stdout.splitlines())


def test_queries_lists_the_catalogue(built_mini):
    result = run_cli("queries", "--project", str(built_mini))
    assert result.exit_code == 0
    assert "sample  Meetings and who attended" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch",), "no stored query named 'nosuch'"),
        (("sampel",), "did you mean sample?"),
        (("sample", "-p", "x=1"), "sample: unknown parameter x (declared: none)"),
        (("sample", "-p", "novalue"), "parameter 'novalue' is not NAME=VALUE"),
    ],
)
def test_query_errors_exit_2(built_mini, args, message):
    result = run_cli("query", *args, "--project", str(built_mini))
    assert result.exit_code == 2
    assert message in result.stderr


# --- parameters on both engines: typed terms, never query text --------------------------------------

PEOPLE = """# title: People by name
# description: Who has this name; echoes the name bound and its length.
# param: name xsd:string required -- the name
# param: limit xsd:integer default=10 -- at most this many
PREFIX mo: <https://example.org/mini/ontology#>
PREFIX mr: <https://example.org/mini/id/>
SELECT ?name ?limit ?person ?length WHERE {
  BIND(STRLEN(?name) AS ?length)
  BIND(?limit AS ?unused)
  OPTIONAL { ?person mo:name ?name }
}
"""
COUNT = "# title: Triples\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"
HOSTILE = ['"} ; DROP ALL ; #', "<http://x> } ; INSERT DATA { <a> <b> <c> } #"]
ENGINES = ("oxigraph", "rdflib")


@pytest.fixture
def people(built_mini):
    (built_mini / "queries" / "people.rq").write_text(PEOPLE, encoding="utf-8")
    (built_mini / "queries" / "triples.rq").write_text(COUNT, encoding="utf-8")
    return load_project(built_mini)


def triples(project, engine: str) -> int:
    (row,) = run_query(project, "triples", engine=engine).rows
    return int(row[0].value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bound_name_finds_its_person(people, engine):
    rows = run_query(people, "people", params={"name": "Ada Lovelace"}, engine=engine)
    assert rows.variables == ("name", "limit", "person", "length")
    assert [tuple(t and t.value for t in row) for row in rows.rows] == [
        ("Ada Lovelace", "10", "https://example.org/mini/id/ada", "12")
    ]
    assert rows.rows[0][1].datatype.value == "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_are_literals_and_change_nothing(people, engine, hostile):
    before = {name: triples(people, name) for name in ENGINES}
    store_before = count_quads(people)
    rows = run_query(people, "people", params={"name": hostile}, engine=engine)
    (row,) = rows.rows
    assert isinstance(row[0], ox.Literal) and row[0].value == hostile  # the very text, as a literal
    assert row[0].datatype.value == "http://www.w3.org/2001/XMLSchema#string"
    assert row[2] is None  # nobody has that name
    assert int(row[3].value) == len(hostile)
    assert {name: triples(people, name) for name in ENGINES} == before
    assert count_quads(people) == store_before


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_iri_is_refused_before_any_engine_runs(people, engine, tmp_path):
    query = tmp_path / "by-iri.rq"
    query.write_text(
        "# title: by IRI\n# param: who IRI required -- somebody\n"
        "SELECT ?who ?p ?o WHERE { ?who ?p ?o }\n",
        encoding="utf-8",
    )
    for value in HOSTILE[1:] + ["https://example.org/a> } ; DROP ALL ; #"]:
        with pytest.raises(ParameterError, match="is not a valid IRI"):
            run_query(people, str(query), params={"who": value}, engine=engine)


def count_quads(project) -> int:
    from kgbuild.workspace.versions import open_store

    return sum(1 for _ in open_store(project).quads_for_pattern(None, None, None, None))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "people: missing required parameter name (xsd:string): pass -p name=VALUE — the name"),
        ({"name": "x", "nmae": "y"}, "people: unknown parameter nmae (declared: limit, name)"),
        ({"name": "x", "limit": "abc"}, "people: parameter limit='abc' is not a valid xsd:integer: expected a whole number"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_parameter_errors_on_both_engines(people, engine, params, message):
    with pytest.raises(ParameterError) as caught:
        run_query(people, "people", params=params, engine=engine)
    assert caught.value.message == message


def test_unknown_engine_is_refused(people):
    with pytest.raises(ParameterError, match="unknown engine 'jena' \\(known: oxigraph, rdflib\\)"):
        run_query(people, "people", params={"name": "x"}, engine="jena")


# --- query files: syntax errors at their line, SELECT only ----------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_syntax_error_in_a_query_file_names_file_line_and_column(built_mini, tmp_path, monkeypatch, engine):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.rq").write_text("# title: broken\nSELECT ?s WHERE {\n  ?s ?p ?o )\n}\n", encoding="utf-8")
    with pytest.raises(QueryError) as caught:
        run_query(load_project(built_mini), "broken.rq", engine=engine)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("broken.rq", 3, 12)
    assert caught.value.message.startswith("SPARQL syntax error: ")
    result = run_cli("query", "broken.rq", "--engine", engine, "--project", str(built_mini))
    assert result.exit_code == 2
    assert result.stderr.startswith("kgbuild: error: broken.rq:3:12: SPARQL syntax error")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("ASK { ?s ?p ?o }\n", "an ASK query"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\n", "a CONSTRUCT query"),
        ("PREFIX x: <http://x/>\nINSERT DATA { x:a x:b x:c }\n", "a SPARQL update"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_only_select_queries_run(built_mini, tmp_path, engine, text, what):
    path = tmp_path / "other.rq"
    path.write_text("# title: not a SELECT\n" + text, encoding="utf-8")
    result = run_cli("query", str(path), "--engine", engine, "--project", str(built_mini))
    assert result.exit_code == 2
    assert f"only SELECT queries can be run; this is {what}" in result.stderr


# --- the library API --------------------------------------------------------------------------------


def test_public_api_is_exported_lazily():
    script = (
        "import sys, kgbuild\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('kgbuild.', 'pyoxigraph', 'rdflib')))\n"
        "from kgbuild import run_query, load_catalogue, check_catalogue, render, Rows, Term, Catalogue\n"
        "from kgbuild import ParameterError, UnknownQueryError, StaleStoreError, EndpointError\n"
        "print(loaded, run_query.__module__, load_catalogue.__module__, render.__module__, 'rdflib' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [
        "['kgbuild.errors']", "kgbuild.queries.querying", "kgbuild.queries.catalogue", "kgbuild.queries.render", "False"
    ]


def test_run_query_signature_is_keyword_only():
    import inspect

    signature = inspect.signature(run_query)
    assert list(signature.parameters) == ["project", "ref", "params", "engine", "endpoint", "graph", "timeout",
                                          "allow_service"]
    assert all(signature.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
               for name in ("params", "engine", "endpoint", "graph", "timeout", "allow_service"))
    assert signature.parameters["graph"].default is None  # the endpoint's default graph
    assert signature.parameters["engine"].default == "oxigraph" and signature.parameters["timeout"].default == 30.0
    assert signature.parameters["allow_service"].default is False  # SERVICE is refused unless asked for


# --- same answers: every stored query of the real catalogue on the embedded store and on rdflib -----

from pathlib import Path  # noqa: E402

from rowcompare import example_params, normalised  # noqa: E402

from kgbuild.queries.catalogue import load_catalogue  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


STORED = load_catalogue(load_project(ROOT)).queries


@pytest.mark.parametrize("stored", STORED, ids=[query.name for query in STORED])
def test_embedded_store_and_rdflib_give_the_same_rows(built_project, stored):
    project = load_project(built_project)
    params = example_params(stored)
    assert all(p.name in params for p in stored.params if p.required), f"{stored.name}: the example lacks a required parameter"
    embedded = run_query(project, stored.name, params=params)
    fresh = run_query(project, stored.name, params=params, engine="rdflib")
    assert embedded.rows, f"{stored.name}: no rows for its example"
    assert normalised(embedded, stored.text) == normalised(fresh, stored.text)
