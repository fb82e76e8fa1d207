"""Query parameters: typed from the header, bound as terms, bad values refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgbuild.errors import ParameterError
from kgbuild.queries.catalogue import read_query
from kgbuild.queries.params import bind, parse_assignments
from kgbuild.queries.results import Term, iri, literal

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
        "who": iri("https://w3id.org/ppdkg/id/john-cole"),
        "limit": literal("10", datatype=XSD + "integer"),
        "since": literal("2025-08-01", datatype=XSD + "date"),
        "flag": literal("false", datatype=XSD + "boolean"),
    }


def test_hostile_string_is_a_literal_of_exactly_that_text(query):
    hostile = '"} ; DROP ALL ; #'
    term = bind(query, {"who": "https://example.org/x", "label": hostile})["label"]
    assert term == literal(hostile)
    assert str(term) == '"\\"} ; DROP ALL ; #"'


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


# --- to_term, type by type -----------------------------------------------------------

from kgbuild.queries.catalogue import Param  # noqa: E402
from kgbuild.queries.params import to_term  # noqa: E402

PREFIXES = {"ppdr": "https://w3id.org/ppdkg/id/", "": "https://example.org/default/"}


def term(type_: str, raw: str) -> Term:
    return to_term(Param("x", type_, False, None, "", 1), raw, prefixes=PREFIXES, query="q")


@pytest.mark.parametrize(
    ("type_", "raw", "expected"),
    [
        ("xsd:string", "Kalesnikava", literal("Kalesnikava")),
        ("xsd:string", "", literal("")),
        ("xsd:integer", "42", literal("42", datatype=XSD + "integer")),
        ("xsd:integer", "+007", literal("7", datatype=XSD + "integer")),
        ("xsd:integer", "-3", literal("-3", datatype=XSD + "integer")),
        ("xsd:decimal", "3.25", literal("3.25", datatype=XSD + "decimal")),
        ("xsd:decimal", ".5", literal(".5", datatype=XSD + "decimal")),
        ("xsd:boolean", "TRUE", literal("true", datatype=XSD + "boolean")),
        ("xsd:boolean", "0", literal("false", datatype=XSD + "boolean")),
        ("xsd:date", "2025-09-11", literal("2025-09-11", datatype=XSD + "date")),
        ("xsd:gYear", "2025", literal("2025", datatype=XSD + "gYear")),
        ("IRI", "https://w3id.org/ppdkg/id/belta", iri("https://w3id.org/ppdkg/id/belta")),
        ("IRI", "urn:isbn:0451450523", iri("urn:isbn:0451450523")),
        ("IRI", "ppdr:pardon-31-ukrainians", iri("https://w3id.org/ppdkg/id/pardon-31-ukrainians")),
        ("IRI", ":thing", iri("https://example.org/default/thing")),
    ],
)
def test_to_term_types_good_values(type_, raw, expected):
    assert term(type_, raw) == expected


@pytest.mark.parametrize(
    ("type_", "raw", "why"),
    [
        ("xsd:integer", "abc", "expected a whole number"),
        ("xsd:integer", "1.5", "expected a whole number"),
        ("xsd:decimal", "1e3", "expected a decimal number"),
        ("xsd:boolean", "maybe", "expected true or false"),
        ("xsd:date", "2025-13-01", "expected a date YYYY-MM-DD"),
        ("xsd:date", "2025-02-30", "expected a date YYYY-MM-DD"),
        ("xsd:gYear", "25", "expected a year such as 2025"),
        ("IRI", "foaf:Person", "unknown prefix 'foaf' (the query declares: , ppdr)"),
        ("IRI", "<urn:x> } ; DROP ALL", "write an absolute IRI"),
        ("IRI", "https://example.org/a b", "write an absolute IRI"),
        ("IRI", "https://example.org/>", "write an absolute IRI"),
        ("IRI", "no spaces here", "write an absolute IRI"),
    ],
)
def test_to_term_bad_values(type_, raw, why):
    with pytest.raises(ParameterError) as caught:
        term(type_, raw)
    message = str(caught.value)
    assert message.startswith(f"q: parameter x={raw!r} is not a valid {type_}: ")
    assert why in message


def test_unknown_prefix_lists_the_query_prefixes(query):
    with pytest.raises(ParameterError) as caught:
        bind(query, {"who": "dbr:Minsk"})
    assert "unknown prefix 'dbr' (the query declares: ppdr)" in str(caught.value)


def test_full_iri_and_prefixed_name_bind_the_same(query):
    assert bind(query, {"who": "https://w3id.org/ppdkg/id/x"})["who"] == bind(query, {"who": "ppdr:x"})["who"]


def test_injection_looking_iri_is_refused(query):
    with pytest.raises(ParameterError, match="is not a valid IRI"):
        bind(query, {"who": "<urn:x> } ; DROP ALL"})


def test_missing_required_names_it_and_says_how(query):
    with pytest.raises(ParameterError) as caught:
        bind(query, {"limit": "3"})
    assert "missing required parameter who" in str(caught.value)
    assert "-p who=VALUE" in str(caught.value)


def test_default_is_typed_and_given_value_wins(query):
    assert bind(query, {"who": "ppdr:x"})["limit"] == literal("10", datatype=XSD + "integer")
    assert bind(query, {"who": "ppdr:x", "limit": "3"})["limit"] == literal("3", datatype=XSD + "integer")


def test_optional_without_value_is_left_out(query):
    bound = bind(query, {"who": "ppdr:x"})
    assert set(bound) == {"who", "limit", "flag"}


def test_unknown_parameters_are_all_named(query):
    with pytest.raises(ParameterError, match=r"unknown parameter a, b \(declared: "):
        bind(query, {"who": "ppdr:x", "b": "1", "a": "2"})


def test_assignment_errors_more():
    with pytest.raises(ParameterError, match="is not NAME=VALUE"):
        parse_assignments(["=value"])
    with pytest.raises(ParameterError, match="parameter a given twice"):
        parse_assignments([" a =1", "a=2"])
    assert parse_assignments([]) == {}
    assert parse_assignments(["a="]) == {"a": ""}


# --- lexical forms that the declared type does not allow (fail until queries/params.py is fixed) ----


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("xsd:date", "20250911"),  # ISO 8601 basic format: datetime.date.fromisoformat takes it (3.11+), xsd:date does not
        ("xsd:date", "2025-W37-4"),  # ISO week date, likewise
        ("xsd:gYear", "٢٠٢٥"),  # Arabic-Indic digits match \d but are no xsd:gYear
        ("xsd:decimal", "٣.٥"),
    ],
)
def test_lexical_forms_outside_the_xsd_type_are_refused(type_, raw):
    with pytest.raises(ParameterError, match=f"is not a valid {type_}"):
        term(type_, raw)


def test_prefixed_name_with_a_declared_prefix_is_never_taken_as_a_scheme():
    """`ppdr:a/b` uses the declared prefix ppdr; it must not become the absolute IRI <ppdr:a/b>."""
    try:
        result = term("IRI", "ppdr:a/b")
    except ParameterError:
        return
    assert result.value.startswith(PREFIXES["ppdr"])
