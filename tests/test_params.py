"""Query parameters: typed from the header, bound as terms, bad values refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgbuild.catalogue import read_query
from kgbuild.errors import ParameterError
from kgbuild.params import bind, parse_assignments
from kgbuild.results import Term

XSD = "http://www.w3.org/2001/XMLSchema#"
QUERY = """# title: Typed parameters
# param: who IRI required -- a person
# param: limit xsd:integer default=10 -- at most this many
# param: since xsd:date -- optional start
# param: flag xsd:boolean default=false -- a switch
# param: year xsd:gYear -- a year
# param: label xsd:string -- free text
PREFIX ppdr: <https://w3id.org/ppdkg/id/>
SELECT ?who ?limit ?since ?flag ?year ?label WHERE { ?who ?p ?o }
"""


@pytest.fixture
def query(tmp_path: Path):
    path = tmp_path / "typed.rq"
    path.write_text(QUERY, encoding="utf-8")
    return read_query(path, file="typed.rq")


def test_values_are_typed_defaults_applied_optionals_left_out(query):
    assert bind(query, {"who": "ppdr:john-cole", "since": "2025-08-01"}) == {
        "who": Term.iri("https://w3id.org/ppdkg/id/john-cole"),
        "limit": Term.literal("10", datatype=XSD + "integer"),
        "since": Term.literal("2025-08-01", datatype=XSD + "date"),
        "flag": Term.literal("false", datatype=XSD + "boolean"),
    }


def test_hostile_string_is_a_literal_of_exactly_that_text(query):
    hostile = '"} ; DROP ALL ; #'
    term = bind(query, {"who": "https://example.org/x", "label": hostile})["label"]
    assert term == Term.literal(hostile)
    assert term.n3() == '"\\"} ; DROP ALL ; #"'


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "missing required parameter who (IRI): pass -p who=VALUE — a person"),
        ({"who": "ppdr:x", "nope": "1"}, "unknown parameter nope (declared: flag, label, limit, since, who, year)"),
        ({"who": "ppdr:x", "limit": "abc"}, "limit='abc' is not a valid xsd:integer: expected a whole number"),
        ({"who": "ppdr:x", "flag": "maybe"}, "expected true or false"),
        ({"who": "ppdr:x", "since": "2025-13-01"}, "expected a date YYYY-MM-DD"),
        ({"who": "ppdr:x", "year": "25"}, "expected a year such as 2025"),
        ({"who": "foaf:x"}, "unknown prefix 'foaf' (the query declares: ppdr)"),
        ({"who": "<urn:x> } ; DROP ALL"}, "is not a valid IRI"),
    ],
)
def test_bad_values_are_refused(query, values, message):
    with pytest.raises(ParameterError) as caught:
        bind(query, values)
    assert message in str(caught.value)


def test_assignments():
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ParameterError, match="given twice"):
        parse_assignments(["a=1", "a=2"])
    with pytest.raises(ParameterError, match="is not NAME=VALUE"):
        parse_assignments(["a"])
