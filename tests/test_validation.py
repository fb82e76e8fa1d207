from __future__ import annotations

import rdflib
from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kgbuild.checks import validate, validate_data
from kgbuild.project import load_project
from kgbuild.terms import Names
from kgbuild.validation import render_path

from conftest import MINI, append

MO = "https://example.org/mini/ontology#"
MR = "https://example.org/mini/id/"


def test_fixture_conforms_with_one_warning():
    report = validate(load_project(MINI))
    assert report.conforms
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
    assert report.conforms  # a warning
