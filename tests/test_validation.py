from __future__ import annotations

import rdflib
from conftest import MINI, append
from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kgbuild.checks.build import validate, validate_data
from kgbuild.project import load_project
from kgbuild.terms import Names
from kgbuild.validation import render_path

MO = "https://example.org/mini/ontology#"
MR = "https://example.org/mini/id/"


def test_fixture_has_one_warning_and_so_does_not_conform():
    report = validate(load_project(MINI))
    assert not report.conforms and not report.fails("violation")  # sh:conforms is false with any result
    (warning,) = report.findings
    assert warning.severity == "warning"
    assert warning.rule == "MeetingHasDate"
    assert warning.focus == MR + "meeting-1843"
    assert warning.focus_label == "Notes on the Analytical Engine"
    assert warning.path == "mo:date"
    assert warning.message == "No date is known for this meeting."
    assert warning.shape == "ms:MeetingHasDate"
    assert (warning.file, warning.line) == ("data/events/meetings.ttl", 17)


def _broken(mini):
    append(
        mini / "data" / "people.ttl",
        "\nmr:grace a mo:Person ;\n"
        '    mo:nickname "Amazing Grace" ;\n'
        "    mo:participant mr:ada .\n"
        "mr:meeting-x a mo:Meeting ; mo:date \"1840\" ;\n"
        '    mo:attestedBy [ mo:source mr:ada ; mo:quote "Ada" ] .\n',
    )
    return validate(load_project(mini))


def test_rule_ids_messages_and_locations(mini):
    report = _broken(mini)
    assert not report.conforms
    by_rule = {finding.rule: finding for finding in report.findings}
    assert sorted(by_rule) == [
        "AttestationShape/source",  # blank-node property shape: parent shape / path
        "MeetingHasDate",
        "PersonName",  # property shape with an IRI
        "UndefinedTerm",  # SPARQL constraint on a node shape
        "source-text-missing",  # quote check: mr:ada is no source document
    ]
    person = by_rule["PersonName"]
    assert (person.severity, person.focus, person.path) == ("violation", MR + "grace", "mo:name")
    assert person.message == "A person needs a name (a plain string)."
    assert (person.file, person.line) == ("data/people.ttl", 10)

    attestation = by_rule["AttestationShape/source"]
    assert attestation.focus is None
    assert attestation.focus_label == "mr:meeting-x mo:attestedBy []"
    assert attestation.value == "mr:ada"
    assert attestation.shape == "ms:AttestationShape"
    # the shape has no sh:message: kgbuild's own wording, not pyshacl's
    assert attestation.message == "value must be an instance of mo:SourceDocument"
    assert (attestation.file, attestation.line) == ("data/people.ttl", 13)

    undefined = by_rule["UndefinedTerm"]
    assert undefined.message == f"Uses {MO}nickname, which the ontology does not define."
    assert undefined.value == '"Amazing Grace"'


def test_counts_and_worst(mini):
    report = _broken(mini)
    assert report.counts == {"violation": 4, "warning": 1, "info": 0}
    assert report.worst == "violation"
    assert report.fails("violation") and report.fails("info")


def test_validate_data_checks_a_snippet_against_the_project_shapes():
    report = validate_data(
        load_project(MINI),
        turtle=(
            "@prefix mo: <https://example.org/mini/ontology#> .\n"
            "@prefix mr: <https://example.org/mini/id/> .\n"
            "mr:x a mo:Person .\n"
        ),
    )
    (finding,) = report.findings
    assert (finding.rule, finding.focus, finding.file, finding.line) == ("PersonName", MR + "x", "<data>", 3)


def test_render_path_forms():
    graph = rdflib.Graph()
    names = Names([("mo", MO)])
    p, q = URIRef(MO + "p"), URIRef(MO + "q")
    inverse = BNode()
    graph.add((inverse, SH.inversePath, p))
    sequence = BNode()
    Collection(graph, sequence, [inverse, q])
    star = BNode()
    graph.add((star, SH.zeroOrMorePath, q))
    assert render_path(p, graph, names) == "mo:p"
    assert render_path(sequence, graph, names) == "^mo:p/mo:q"
    assert render_path(star, graph, names) == "mo:q*"


def test_language_tags_of_the_project_need_a_registered_language(mini):
    append(
        mini / "data" / "people.ttl",
        "\nmr:charles <http://www.w3.org/2000/01/rdf-schema#comment> \"Englischer Mathematiker\"@de ,\n"
        "    \"英国の数学者\"@jp .\n",
    )
    report = validate(load_project(mini))
    found = [f for f in report.findings if f.rule == "unregistered-language"]
    assert [(f.severity, f.focus, f.focus_label, f.path, f.value, f.file, f.line, f.message, f.hint)
            for f in found] == [(
        "warning", MR + "charles", None, "rdfs:comment", '"英国の数学者"@jp', "data/people.ttl", 11,
        '@jp: "jp" is not a language of the IANA language subtag registry (JP is the region code of Japan); '
        "the likely intended tag is @ja (Japanese)",
        'Write the literal as "..."@ja.',
    )]
    assert not report.fails("violation")  # a warning


def test_datatype_findings_of_the_project_are_pyshacls_on_the_files_as_written(mini):
    """`kgbuild validate` (the build's checks) judges sh:datatype on the literals as the files write them
    ("1257"^^xsd:nonNegativeInteger is no xsd:integer), though the store keeps many as another type or form:
    every XSD numeric/date type as written × every datatype asked, the same findings as pyshacl."""
    import json

    import pyoxigraph as ox
    from conftest import run_cli
    from rdflib import Graph
    from test_shacl import _datatype_data, _datatype_shapes

    from kgbuild.backends.convert import from_ox
    from kgbuild.sources import load_sources
    from kgbuild.validation import run_shacl

    (mini / "data" / "datatypes.ttl").write_text(_datatype_data(), encoding="utf-8")
    (mini / "shapes" / "datatypes.ttl").write_text(_datatype_shapes(), encoding="utf-8")
    project = load_project(mini)
    sources = load_sources(project)
    as_written = Graph()
    for path in project.ontology_files() + project.data_files():
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            as_written.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    ours = ("Asks-", "Linked-", "Alt-", "Itself-", "Either-", "NotIt-")  # sh:node's (Through-) pyshacl nests as details

    def keys(findings):  # a set: a report lists a finding once (literal focus nodes all read "no focus, no value")
        return {(f.severity, f.rule, f.focus, f.focus_label, f.path, f.value) for f in findings
                if f.rule.startswith(ours)}

    expected = keys(run_shacl(data_graph=as_written, shapes_graph=sources.shapes, names=sources.names(),
                              locator=sources.locator()).findings)
    report = validate(project)
    assert len(expected) > 900
    assert keys(report.findings) == expected

    result = run_cli("validate", "--project", str(mini), "--format", "json")
    assert result.exit_code == 1
    found = {(f["rule"], f["focus"], f["value"]) for f in json.loads(result.stdout)["findings"]}
    example = ("Asks-integer/v", "https://example.org/dt#s0", '"1257"^^xsd:nonNegativeInteger')
    assert example in found  # the example
    assert ("Asks-nonNegativeInteger/v", "https://example.org/dt#s0", '"1257"^^xsd:nonNegativeInteger') not in found


def test_pyshacl_engine_gives_the_same_report(mini, monkeypatch):
    """``validate(engine="pyshacl")`` runs pyshacl (the reference) instead of kgbuild's engine: the same findings,
    on the fixture as it is (one warning) and broken (violations of every kind of shape it has)."""
    import pyshacl

    calls = []
    real = pyshacl.validate

    def spy(*args, **options):
        calls.append(options.get("shacl_graph"))
        return real(*args, **options)

    monkeypatch.setattr(pyshacl, "validate", spy)
    assert validate(load_project(mini), engine="pyshacl") == validate(load_project(mini))
    assert len(calls) == 1  # pyshacl ran once, for the pyshacl engine only
    broken = _broken(mini)
    assert len(broken.findings) == 5
    assert validate(load_project(mini), engine="pyshacl") == broken
    assert len(calls) == 2


def test_an_unknown_engine_is_refused(mini):
    import pytest

    with pytest.raises(ValueError, match="unknown SHACL engine 'jena'"):
        validate(load_project(mini), engine="jena")


def test_engine_report_graph_conforms_only_without_any_result():
    """SHACL 3.6.1.1: sh:conforms is true iff there is no validation result, whatever the results' severity."""
    from kgbuild.locate import Locator
    from kgbuild.shacl import ShapesProgram
    from kgbuild.sources import load_sources
    from kgbuild.validation import engine_outcome

    sources = load_sources(load_project(MINI))
    from kgbuild.federation import refuse_service_in_shapes

    results = ShapesProgram(sources.shapes, refuse_service=refuse_service_in_shapes).validate(sources.store)
    assert [result.severity for result in results] == [SH.Warning]  # the fixture's one warning
    for given, conforms in ((results, False), ([], True)):
        outcome = engine_outcome(given, data_graph=sources.ontology, shapes_graph=sources.shapes,
                                 names=sources.names(), locator=Locator(()))
        assert [o.toPython() for o in outcome.results_graph.objects(None, SH.conforms)] == [conforms]


def test_engine_findings_come_from_its_results_and_the_report_graph_only_when_asked(mini, monkeypatch):
    """The engine's results become findings without a report graph read back (``_ResultReader.finding`` is the
    read-back route, pyshacl's); the graph is made when asked for, and read back it gives the same findings."""
    from kgbuild import validation
    from kgbuild.checks.build import run_checks
    from kgbuild.sources import load_sources

    _broken(mini)
    project = load_project(mini)
    sources = load_sources(project)
    read_back = validation._ResultReader.finding

    def refused(self, result):
        raise AssertionError("a finding read back from a report graph")

    monkeypatch.setattr(validation._ResultReader, "finding", refused)
    outcome = run_checks(project, sources)
    assert {f.rule for f in outcome.report.findings} >= {"AttestationShape/source", "PersonName", "UndefinedTerm"}
    assert "results_graph" not in outcome.__dict__  # not made: nobody asked
    graph = outcome.results_graph
    monkeypatch.setattr(validation._ResultReader, "finding", read_back)
    nodes = [*graph.objects(None, SH.focusNode), *graph.objects(None, SH.value)]
    reader = validation._ResultReader(sources.neighbourhood(nodes), sources.shapes, graph, sources.names(),
                                      sources.locator())
    shacl = [f for f in outcome.report.findings if f.rule != "source-text-missing"]
    again = [reader.finding(result) for result in reader.results()
             if str(graph.value(result, SH.sourceConstraintComponent)).startswith(str(SH))]
    assert len(shacl) == 4 and sorted(again, key=str) == sorted(shacl, key=str)  # kgbuild's wording included
