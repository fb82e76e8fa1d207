"""kgbuild.shaclrun and ``kgbuild shacl``: any RDF files against any shapes, no project.

Fixtures in tests/fixtures/shaclrun/: shapes.ttl (a node shape with property shapes, a shape on blank
nodes, a warning with its own message), conforming.ttl, violating.* (the same facts in Turtle, N-Triples,
JSON-LD, TriG, N-Quads and RDF/XML), together.ttl (shapes and data in one file), unparsable.ttl,
unsupported-shapes.ttl, and shapes with a SPARQL-based constraint component (component-shapes.ttl) and one the
engine refuses (component-refused-shapes.ttl).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kgbuild.errors import InputError
from kgbuild.shaclrun import render_text, report_graph, to_dict, validate_files

HERE = FIXTURES / "shaclrun"
SHAPES = HERE / "shapes.ttl"
EX = "https://example.org/people#"

# violating.ttl by hand: bob has no name, an ill-formed age ("-3" is no xsd:nonNegativeInteger), a nickname
# in lower case (a warning, with the shape's message) and an address (a blank node) without a city
EXPECTED = {
    ("violation", f"<{EX}bob>", f"<{EX}name>", None, "MinCount"),
    ("violation", f"<{EX}bob>", f"<{EX}age>", f'"-3"^^<{XSD}nonNegativeInteger>', "Datatype"),
    ("warning", f"<{EX}bob>", f"<{EX}nickname>", '"bobby"', "Pattern"),
    ("violation", "address of bob", f"<{EX}city>", None, "MinCount"),
}


def _keys(run) -> set[tuple]:
    out = set()
    for result in to_dict(run)["results"]:
        focus = "address of bob" if result["focus_label"] == "ex:bob ex:address []" else result["focus"]
        component = result["component"].removeprefix(str(SH)).removesuffix("ConstraintComponent")
        out.add((result["severity"], focus, result["path"], result["value"], component))
    return out


# --- the library --------------------------------------------------------------------------------------------


def test_conforming_data_has_no_results():
    run = validate_files([HERE / "conforming.ttl"], shapes=[SHAPES])
    assert run.conforms and run.results == ()
    assert run.counts == {"violation": 0, "warning": 0, "info": 0}


def test_violating_data_gives_each_result():
    run = validate_files([HERE / "violating.ttl"], shapes=[SHAPES])
    assert not run.conforms
    assert _keys(run) == EXPECTED
    assert run.counts == {"violation": 3, "warning": 1, "info": 0}
    (warning,) = [r for r in run.results if r.severity == "warning"]
    assert warning.message == "A nickname starts with a capital letter."  # the shape's own sh:message
    assert (warning.file, warning.line) == (str(HERE / "violating.ttl"), 7)  # where ex:bob is written


@pytest.mark.parametrize("name", ["violating.nt", "violating.jsonld", "violating.trig", "violating.nq",
                                  "violating.rdf"])
def test_every_rdf_syntax_gives_the_same_results(name):
    """N-Triples, JSON-LD, TriG and N-Quads (triples in a named graph: part of the data graph all the same),
    RDF/XML."""
    assert _keys(validate_files([HERE / name], shapes=[SHAPES])) == EXPECTED


def test_data_split_over_files_is_one_data_graph(tmp_path):
    people, ages = tmp_path / "people.ttl", tmp_path / "ages.nt"
    people.write_text(f"<{EX}ada> a <{EX}Person> .\n", encoding="utf-8")
    ages.write_text(f'<{EX}ada> <{EX}name> "Ada" .\n', encoding="utf-8")
    assert validate_files([people], shapes=[SHAPES]).results  # no name in people.ttl alone
    assert validate_files([people, ages], shapes=[SHAPES]).conforms


def test_a_result_of_any_severity_means_the_report_does_not_conform(tmp_path):
    """SHACL 3.6.1.1: sh:conforms is true iff there is no result, warnings and info included."""
    data = tmp_path / "data.ttl"
    data.write_text(f'<{EX}ada> a <{EX}Person> ; <{EX}name> "Ada" ; <{EX}nickname> "ada" .\n', encoding="utf-8")
    run = validate_files([data], shapes=[SHAPES])
    assert [r.severity for r in run.results] == ["warning"]
    assert not run.conforms
    assert (None, SH.conforms, Literal(False)) in report_graph(run)


def test_without_shapes_the_data_graph_is_the_shapes_graph():
    run = validate_files([HERE / "together.ttl"])
    assert [(str(r.focus), str(r.path)) for r in run.results] == [(EX + "dora", EX + "name")]
    assert run.shapes_files == ()


def test_the_same_results_as_pyshacl():
    import pyshacl

    data = Graph().parse(HERE / "violating.ttl")
    shapes = Graph().parse(SHAPES)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    expected = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        expected.add((
            report.value(result, SH.resultSeverity), focus if isinstance(focus, URIRef) else "blank",
            report.value(result, SH.resultPath), value if value != focus else None,
            report.value(result, SH.sourceConstraintComponent)))
    run = validate_files([HERE / "violating.ttl"], shapes=[SHAPES])
    got = {(r.severity_iri, r.focus if isinstance(r.focus, URIRef) else "blank", r.path,
            r.value if r.value != r.focus else None, r.component) for r in run.results}
    assert len(expected) == 4
    assert got == expected


def test_the_same_files_give_the_same_report():
    first = to_dict(validate_files([HERE / "violating.ttl"], shapes=[SHAPES]))
    assert to_dict(validate_files([HERE / "violating.ttl"], shapes=[SHAPES])) == first
    blank = [r for r in first["results"] if r["focus"].startswith("_:")]
    assert [r["focus"] for r in blank] == ["_:b1"]  # blank nodes labelled in the order they appear


def test_relative_iris_resolve_against_the_file(tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text(f"<dora> a <{EX}Person> .\n", encoding="utf-8")
    (result,) = validate_files([data], shapes=[SHAPES]).results
    assert str(result.focus) == (tmp_path / "dora").as_uri()


def test_only_the_named_files_are_read_owl_imports_not_followed(tmp_path, opened):
    imported = tmp_path / "imported.ttl"  # a shape every person fails, if it were read
    imported.write_text(f"<{EX}Strict> a <{SH}NodeShape> ; <{SH}targetClass> <{EX}Person> ; "
                        f"<{SH}property> [ <{SH}path> <{EX}passport> ; <{SH}minCount> 1 ] .\n", encoding="utf-8")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES.read_text(encoding="utf-8") + f"\n<> <http://www.w3.org/2002/07/owl#imports> "
                      f"<{imported.as_uri()}> .\n", encoding="utf-8")
    opened.clear()  # what the test wrote above
    run = validate_files([HERE / "conforming.ttl"], shapes=[shapes])
    assert run.conforms
    data_opened = {path for path in opened if not path.endswith((".py", ".pyc", ".so")) and "site-packages" not in path
                   and "/lib/python" not in path}
    assert data_opened == {str(HERE / "conforming.ttl"), str(shapes)}


def test_an_unparsable_file_is_an_error_naming_file_line_and_column():
    with pytest.raises(InputError) as caught:
        validate_files([HERE / "unparsable.ttl"], shapes=[SHAPES])
    error = caught.value
    assert (error.file, error.line, error.column) == (str(HERE / "unparsable.ttl"), 5, 12)
    assert "Turtle syntax error" in error.message


def test_every_unusable_file_is_reported_at_once(tmp_path):
    missing = tmp_path / "missing.ttl"
    with pytest.raises(InputError) as caught:
        validate_files([HERE / "unparsable.ttl", missing], shapes=[SHAPES])
    problems = caught.value.problems()
    assert [p.file for p in problems] == [str(HERE / "unparsable.ttl"), str(missing)]
    assert "cannot read file" in problems[1].message


def test_a_json_ld_context_by_url_is_refused_not_fetched(tmp_path):
    data = tmp_path / "data.jsonld"
    data.write_text('{"@context": "https://schema.org/", "@id": "https://example.org/x", "name": "X"}',
                    encoding="utf-8")
    with pytest.raises(InputError, match="never fetched"):
        validate_files([data], shapes=[SHAPES])


def test_unsupported_shapes_are_an_error_naming_the_feature_and_the_shape():
    with pytest.raises(InputError) as caught:
        validate_files([HERE / "violating.ttl"], shapes=[HERE / "unsupported-shapes.ttl"])
    assert "sh:target" in caught.value.message
    assert "shape ex:FriendsShape" in caught.value.message  # named readably, by the shapes file's prefix
    assert caught.value.file == str(HERE / "unsupported-shapes.ttl")


def test_text_has_one_line_per_result_with_the_files_prefixes():
    text = render_text(validate_files([HERE / "violating.ttl"], shapes=[SHAPES]))
    lines = text.splitlines()
    assert len(lines) == 5
    assert f"{HERE / 'violating.ttl'}:7: WARNING ex:bob path ex:nickname value \"bobby\": A nickname starts with a " \
           "capital letter. (sh:PatternConstraintComponent, shape ex:NicknameCapitalised)" in lines
    assert any("VIOLATION ex:bob ex:address [] path ex:city: " in line for line in lines)
    assert lines[-1] == "does not conform: 4 results (3 violations, 1 warning; 1 data file, 1 shapes file)"


# --- kgbuild shacl ------------------------------------------------------------------------------------------


def test_cli_conforming_exits_0(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "shapes.ttl", "conforming.ttl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "conforms: no results (1 data file, 1 shapes file)\n"


def test_cli_violating_exits_1_with_the_result_lines(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "shapes.ttl", "violating.ttl")
    assert result.exit_code == 1
    assert ("violating.ttl:7: VIOLATION ex:bob path ex:name: needs at least 1 value(s) "
            "(sh:MinCountConstraintComponent, shape [sh:path ex:name] of ex:PersonShape)") in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith("does not conform: 4 results")


def test_cli_shapes_repeatable_and_taken_from_the_data_without_them(monkeypatch, tmp_path):
    monkeypatch.chdir(HERE)
    extra = tmp_path / "extra.ttl"
    extra.write_text(f"<{EX}AgeShape> a <{SH}NodeShape> ; <{SH}targetNode> <{EX}ada> ; "
                     f"<{SH}property> [ <{SH}path> <{EX}age> ; <{SH}minCount> 1 ] .\n", encoding="utf-8")
    both = run_cli("shacl", "-s", "shapes.ttl", "--shapes", str(extra), "conforming.ttl")
    assert both.exit_code == 0, both.stdout + both.stderr
    together = run_cli("shacl", "together.ttl")
    assert together.exit_code == 1
    assert together.stdout.splitlines()[-1] == "does not conform: 1 result (1 violation; 1 data file, shapes from the data)"


def test_cli_json_is_parsed_back(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "shapes.ttl", "violating.ttl", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["conforms"] is False
    assert data["counts"] == {"violation": 3, "warning": 1, "info": 0}
    assert (data["data_files"], data["shapes_files"]) == (["violating.ttl"], ["shapes.ttl"])
    assert {(r["severity"], r["focus"] if not r["focus"].startswith("_:") else "address of bob", r["path"],
             r["value"], r["component"].removeprefix(str(SH)).removesuffix("ConstraintComponent"))
            for r in data["results"]} == EXPECTED
    assert set(data["results"][0]) == {"severity", "focus", "focus_label", "path", "value", "message", "component",
                                       "shape", "file", "line"}


def test_cli_ttl_is_a_validation_report(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "shapes.ttl", "violating.ttl", "--format", "ttl")
    assert result.exit_code == 1
    graph = Graph().parse(data=result.stdout, format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    results = list(graph.objects(report, SH.result))
    assert len(results) == 4
    got = set()
    for node in results:
        assert (node, RDF.type, SH.ValidationResult) in graph
        assert graph.value(node, SH.resultMessage) is not None
        assert graph.value(node, SH.sourceShape) is not None
        focus = graph.value(node, SH.focusNode)
        got.add((graph.value(node, SH.resultSeverity), focus if isinstance(focus, URIRef) else "blank",
                 graph.value(node, SH.resultPath), graph.value(node, SH.sourceConstraintComponent)))
    assert got == {
        (SH.Violation, URIRef(EX + "bob"), URIRef(EX + "name"), SH.MinCountConstraintComponent),
        (SH.Violation, URIRef(EX + "bob"), URIRef(EX + "age"), SH.DatatypeConstraintComponent),
        (SH.Warning, URIRef(EX + "bob"), URIRef(EX + "nickname"), SH.PatternConstraintComponent),
        (SH.Violation, "blank", URIRef(EX + "city"), SH.MinCountConstraintComponent),
    }
    conforming = run_cli("shacl", "--shapes", "shapes.ttl", "conforming.ttl", "--format", "ttl")
    assert conforming.exit_code == 0
    graph = Graph().parse(data=conforming.stdout, format="turtle")
    assert set(graph.objects(None, SH.conforms)) == {Literal(True)}
    assert not list(graph.subjects(RDF.type, SH.ValidationResult))


def test_cli_unparsable_data_exits_2_with_file_line_column(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "shapes.ttl", "unparsable.ttl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("kgbuild: error: unparsable.ttl:5:12: Turtle syntax error: ")
    assert "Traceback" not in result.stderr


def test_cli_unsupported_shapes_exit_2_naming_the_feature(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "unsupported-shapes.ttl", "violating.ttl")
    assert result.exit_code == 2
    assert "kgbuild: error: unsupported-shapes.ttl: shapes not usable: " in result.stderr
    assert "sh:target" in result.stderr and "shape ex:FriendsShape" in result.stderr


@pytest.mark.parametrize(("shapes", "message"), [
    ("component-refused-shapes.ttl", "ex:PersonShape → property ex:name → ex:LanguageComponent: the component has "
                                     "no validator for a property shape (sh:propertyValidator, or sh:validator with "
                                     "an ASK query), so it cannot be checked (SHACL 6.3)"),
    ("minus-shapes.ttl", "ex:PersonShape → sh:sparql: its sh:select uses MINUS, which SHACL forbids in a query with "
                         "$this pre-bound (SHACL 5.2.1)"),
])
def test_cli_shapes_the_engine_must_refuse_exit_2_naming_the_shape_and_the_construct(monkeypatch, shapes, message):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", shapes, "violating.ttl")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"kgbuild: error: {shapes}: shapes not usable: {message}\n"


def test_cli_runs_a_sparql_based_constraint_component_naming_it_with_its_validators_message(monkeypatch):
    """The result's component is the one the shapes declare (text and Turtle), its message the validator's."""
    monkeypatch.chdir(HERE)
    text = run_cli("shacl", "--shapes", "component-shapes.ttl", "violating.ttl")
    assert text.exit_code == 1
    assert text.stdout.splitlines()[0] == ('violating.ttl:4: VIOLATION ex:ada path ex:name value "Ada": Ada is not in '
                                           'language en (ex:LanguageComponent, shape [sh:path ex:name] of '
                                           'ex:PersonShape)')
    turtle = run_cli("shacl", "--shapes", "component-shapes.ttl", "violating.ttl", "--format", "ttl")
    assert turtle.exit_code == 1
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    [result] = graph.subjects(RDF.type, SH.ValidationResult)
    assert graph.value(result, SH.sourceConstraintComponent) == URIRef(EX + "LanguageComponent")
    assert graph.value(result, SH.resultMessage) == Literal("Ada is not in language en")


def test_cli_shape_parameter_of_the_wrong_kind_exits_2_without_a_traceback(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(f'<{EX}S> a <{SH}NodeShape> ; <{SH}targetClass> <{EX}Person> ; '
                      f'<{SH}property> [ <{SH}path> <{EX}name> ; <{SH}minCount> "one" ] .\n', encoding="utf-8")
    result = run_cli("shacl", "--shapes", str(shapes), str(HERE / "violating.ttl"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kgbuild: error: {shapes}: shapes not usable: ")
    assert "one" in result.stderr and "Traceback" not in result.stderr


def test_cli_missing_file_exits_2(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "--shapes", "no-such-shapes.ttl", "violating.ttl")
    assert result.exit_code == 2
    assert result.stderr == "kgbuild: error: no-such-shapes.ttl: cannot read file: No such file or directory\n"
    missing_data = run_cli("shacl", "--shapes", "shapes.ttl", "no-such-data.ttl")
    assert missing_data.exit_code == 2
    assert "no-such-data.ttl: cannot read file" in missing_data.stderr


def test_cli_says_when_no_shape_has_a_target(monkeypatch):
    monkeypatch.chdir(HERE)
    result = run_cli("shacl", "conforming.ttl")  # --shapes forgotten: the data holds no shapes
    assert result.exit_code == 0
    assert result.stderr == ("kgbuild: note: the data (no --shapes given) hold no shape with a target: "
                             "nothing was checked\n")
    assert run_cli("shacl", "-s", "shapes.ttl", "conforming.ttl").stderr == ""
    assert run_cli("shacl", "together.ttl").stderr == ""


def test_cli_needs_a_data_file():
    result = run_cli("shacl", "--shapes", str(SHAPES))
    assert result.exit_code == 2
    assert "DATA" in result.stderr


def test_cli_help_explains_the_command():
    result = run_cli("shacl", "--help")
    assert result.exit_code == 0
    for words in ("--shapes", "the data graph is also the shapes graph", "owl:imports is not followed",
                  "0 conforms, 1 results", "2 unusable input", "sh:ValidationReport", "kgbuild shacl --shapes"):
        assert words in " ".join(result.stdout.split()), words


def test_cli_closed_shape_reports_the_predicate_as_path_and_a_bad_ignored_list_exits_2():
    """kgbuild shacl on a closed shape: exit 1, each disallowed triple a result with sh:resultPath (its predicate)
    and sh:value (its object); sh:ignoredProperties that is not a list of IRIs: exit 2, one line naming it."""
    structure = FIXTURES / "engine" / "structure"
    result = run_cli("shacl", "--shapes", str(structure / "closed-shapes.ttl"), str(structure / "closed-data.ttl"),
                     "--format", "ttl")
    assert result.exit_code == 1
    graph = Graph().parse(data=result.stdout, format="turtle")
    ns = "https://example.org/closed#"
    closed = {(graph.value(r, SH.focusNode), graph.value(r, SH.resultPath), graph.value(r, SH.value))
              for r in graph.subjects(SH.sourceConstraintComponent, SH.ClosedConstraintComponent)}
    assert (URIRef(ns + "bob"), URIRef(ns + "age"), Literal(41)) in closed
    assert (URIRef(ns + "b1"), RDF.type, URIRef(ns + "Badge")) in closed
    bad = FIXTURES / "engine" / "parameters" / "ignored-properties-not-iris.ttl"
    refused = run_cli("shacl", "--shapes", str(bad), str(structure / "closed-data.ttl"))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"kgbuild: error: {bad}: shapes not usable: ")
    assert refused.stderr.strip().endswith('knows> → sh:node → sh:closed: its sh:ignoredProperties: "name" is not an IRI')
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr


def test_cli_a_constraint_reading_the_shapes_graph_runs(monkeypatch):
    """$shapesGraph names the shapes files' graph: the constraint reads its own shape's ex:maxAge there (only
    dan is over it), and a constraint listing the data's named graphs finds none."""
    monkeypatch.chdir(FIXTURES / "engine" / "prebinding")
    result = run_cli("shacl", "--shapes", "shapes-graph.ttl", "data.ttl", "--format", "json")
    assert result.exit_code == 1, result.stderr
    found = {(r["focus"], r["value"], r["shape"]) for r in json.loads(result.stdout)["results"]}
    assert found == {("<https://example.org/prebinding#dan>", '"200"^^<http://www.w3.org/2001/XMLSchema#integer>',
                      "<https://example.org/prebinding#MaxAgeShape>")}


@pytest.mark.parametrize(("fixture", "message"), [
    ("qualified-min-count-negative",
     'ex:BandShape → property ex:member → sh:qualifiedMinCount: "-1"^^xsd:integer is not a non-negative integer'),
    ("qualified-on-a-node-shape", ("ex:BandShape → sh:qualifiedMinCount: needs sh:path (it counts a property's "
                                   "values); a node shape cannot have sh:qualifiedValueShape")),
])
def test_cli_a_bad_qualified_value_shape_exits_2_in_one_line_naming_the_shape(fixture, message):
    shapes = HERE.parent / "engine" / "parameters" / f"{fixture}.ttl"
    result = run_cli("shacl", "--shapes", str(shapes), str(shapes))  # the data: any file (its prefixes name terms)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"kgbuild: error: {shapes}: shapes not usable: {message}\n"
