"""Result formats: the W3C SPARQL 1.1 CSV, TSV and JSON results formats, Markdown, and the terminal table."""

from __future__ import annotations

import json

from kgbuild.render import to_csv, to_json, to_markdown, to_table, to_tsv
from kgbuild.results import Rows, Term

XSD = "http://www.w3.org/2001/XMLSchema#"

ROWS = Rows(
    variables=("s", "text", "n"),
    rows=(
        (Term.iri("https://w3id.org/ppdkg/id/belta"), Term.literal('Belta, "state" agency'), Term.literal("31", datatype=XSD + "integer")),
        (Term("bnode", "b0"), Term.literal("two\nlines", lang="EN"), None),
    ),
)


def test_csv_is_w3c_sparql_csv():
    assert to_csv(ROWS) == (
        "s,text,n\r\n"
        'https://w3id.org/ppdkg/id/belta,"Belta, ""state"" agency",31\r\n'
        '_:b0,"two\nlines",\r\n'
    )


def test_tsv_is_w3c_sparql_tsv():
    assert to_tsv(ROWS) == (
        "?s\t?text\t?n\n"
        '<https://w3id.org/ppdkg/id/belta>\t"Belta, \\"state\\" agency"\t"31"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
        '_:b0\t"two\\nlines"@en\t\n'
    )


def test_json_is_w3c_sparql_json():
    assert json.loads(to_json(ROWS)) == {
        "head": {"vars": ["s", "text", "n"]},
        "results": {
            "bindings": [
                {
                    "s": {"type": "uri", "value": "https://w3id.org/ppdkg/id/belta"},
                    "text": {"type": "literal", "value": 'Belta, "state" agency'},
                    "n": {"type": "literal", "value": "31", "datatype": XSD + "integer"},
                },
                {"s": {"type": "bnode", "value": "b0"}, "text": {"type": "literal", "value": "two\nlines", "xml:lang": "en"}},
            ]
        },
    }


def test_markdown_escapes_pipes_and_newlines():
    rows = Rows(variables=("a",), rows=((Term.literal("x | y\nz"),),))
    assert to_markdown(rows, prefixes={}) == "| a |\n|---|\n| x \\| y z |\n"


def test_table_uses_prefixes_and_counts_rows():
    text = to_table(ROWS, prefixes={"ppdr": "https://w3id.org/ppdkg/id/"})
    assert text.splitlines()[0].split() == ["?s", "?text", "?n"]
    assert "ppdr:belta" in text and text.endswith("(2 rows)\n")


def test_wide_table_becomes_records_and_empty_says_so():
    wide = Rows(variables=("a", "b"), rows=((Term.literal("x" * 50), Term.literal("y" * 50)),))
    assert to_table(wide, prefixes={}, width=60).splitlines()[:2] == ["[1]", "  ?a  " + "x" * 50]
    assert to_table(Rows(variables=("a",), rows=()), prefixes={}) == "?a\n(no rows)\n"
