"""Result formats: the W3C SPARQL 1.1 CSV, TSV and JSON results formats, Markdown, and the terminal table.

The expected texts are written out by hand, byte for byte.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kgbuild.queries.render import render, to_csv, to_json, to_markdown, to_table, to_tsv
from kgbuild.queries.results import Rows, iri, literal

XSD = "http://www.w3.org/2001/XMLSchema#"
PPDR = {"ppdr": "https://w3id.org/ppdkg/id/"}

# An IRI, a plain literal with a comma and a double quote, a literal with a newline,
# a language-tagged literal (tag given in upper case), an xsd:integer, a blank node, unbound cells.
ROWS = Rows(
    variables=("s", "label", "note", "n", "b"),
    rows=(
        (
            iri("https://w3id.org/ppdkg/id/belta"),
            literal('Belta, "state" agency'),
            literal("line one\nline two"),
            literal("31", datatype=XSD + "integer"),
            ox.BlankNode("b0"),
        ),
        (
            iri("https://example.org/other"),
            literal("Мінск", lang="BE"),
            None,
            literal("-2", datatype=XSD + "integer"),
            None,
        ),
    ),
)


def test_csv_is_w3c_sparql_csv():
    assert to_csv(ROWS).encode("utf-8") == (
        b"s,label,note,n,b\r\n"
        b'https://w3id.org/ppdkg/id/belta,"Belta, ""state"" agency","line one\nline two",31,_:b0\r\n'
        b"https://example.org/other,\xd0\x9c\xd1\x96\xd0\xbd\xd1\x81\xd0\xba,,-2,\r\n"
    )


def test_csv_quotes_carriage_returns_and_header_names_plainly():
    rows = Rows(variables=("a",), rows=((literal("x\ry"),), (literal(""),), (None,)))
    assert to_csv(rows) == 'a\r\n"x\ry"\r\n\r\n\r\n'


def test_tsv_is_w3c_sparql_tsv():
    assert to_tsv(ROWS) == (
        "?s\t?label\t?note\t?n\t?b\n"
        '<https://w3id.org/ppdkg/id/belta>\t"Belta, \\"state\\" agency"\t"line one\\nline two"\t'
        '"31"^^<http://www.w3.org/2001/XMLSchema#integer>\t_:b0\n'
        '<https://example.org/other>\t"Мінск"@be\t\t"-2"^^<http://www.w3.org/2001/XMLSchema#integer>\t\n'
    )


def test_tsv_escapes_tabs_and_backslashes():
    rows = Rows(variables=("x", "y"), rows=((literal("a\tb\\c\r"), iri("https://example.org/é")),))
    assert to_tsv(rows) == '?x\t?y\n"a\\tb\\\\c\\r"\t<https://example.org/é>\n'


def test_an_iri_tsv_could_not_write_is_no_term():
    """A row holds pyoxigraph terms, which check their IRI when made: no IRI with a space or '>' gets to a writer."""
    with pytest.raises(ValueError):
        iri("https://example.org/a b>")


def test_json_is_w3c_sparql_json():
    text = to_json(ROWS)
    assert text.endswith("\n")
    assert json.loads(text) == {
        "head": {"vars": ["s", "label", "note", "n", "b"]},
        "results": {
            "bindings": [
                {
                    "s": {"type": "uri", "value": "https://w3id.org/ppdkg/id/belta"},
                    "label": {"type": "literal", "value": 'Belta, "state" agency'},
                    "note": {"type": "literal", "value": "line one\nline two"},
                    "n": {"type": "literal", "value": "31", "datatype": XSD + "integer"},
                    "b": {"type": "bnode", "value": "b0"},
                },
                {
                    "s": {"type": "uri", "value": "https://example.org/other"},
                    "label": {"type": "literal", "value": "Мінск", "xml:lang": "be"},
                    "n": {"type": "literal", "value": "-2", "datatype": XSD + "integer"},
                },
            ]
        },
    }


def test_json_with_no_rows_keeps_the_variables():
    assert json.loads(to_json(Rows(variables=("a", "b"), rows=()))) == {"head": {"vars": ["a", "b"]}, "results": {"bindings": []}}


def test_markdown():
    assert to_markdown(ROWS, prefixes=PPDR) == (
        "| s | label | note | n | b |\n"
        "|---|---|---|---|---|\n"
        '| ppdr:belta | Belta, "state" agency | line one line two | 31 | _:b0 |\n'
        "| https://example.org/other | Мінск |  | -2 |  |\n"
    )


def test_markdown_escapes_pipes_and_newlines():
    rows = Rows(variables=("a",), rows=((literal("x | y\nz"),),))
    assert to_markdown(rows, prefixes={}) == "| a |\n|---|\n| x \\| y z |\n"


def test_table_is_aligned_with_prefixes_and_a_row_count():
    assert to_table(ROWS, prefixes=PPDR) == (
        "?s                         ?label                 ?note              ?n  ?b\n"
        "-------------------------  ---------------------  -----------------  --  ----\n"
        'ppdr:belta                 Belta, "state" agency  line one line two  31  _:b0\n'
        "https://example.org/other  Мінск                                     -2\n"
        "(2 rows)\n"
    )


def test_table_too_wide_becomes_vertical_records():
    assert to_table(ROWS, prefixes=PPDR, width=60) == (
        "[1]\n"
        "  ?s      ppdr:belta\n"
        '  ?label  Belta, "state" agency\n'
        "  ?note   line one line two\n"
        "  ?n      31\n"
        "  ?b      _:b0\n"
        "[2]\n"
        "  ?s      https://example.org/other\n"
        "  ?label  Мінск\n"
        "  ?n      -2\n"
        "(2 rows)\n"
    )


def test_table_clips_long_cells_and_counts_one_row():
    rows = Rows(variables=("a",), rows=((literal("x" * 70),),))
    assert to_table(rows, prefixes={}) == "?a\n" + "-" * 60 + "\n" + "x" * 59 + "…\n(1 row)\n"


def test_table_with_no_rows_says_so():
    assert to_table(Rows(variables=("a", "b"), rows=()), prefixes={}) == "?a ?b\n(no rows)\n"


def test_render_dispatches_and_refuses_unknown_formats():
    assert render(ROWS, "csv") == to_csv(ROWS)
    assert render(ROWS, "tsv") == to_tsv(ROWS)
    assert render(ROWS, "json") == to_json(ROWS)
    assert render(ROWS, "md", prefixes=PPDR) == to_markdown(ROWS, prefixes=PPDR)
    assert render(ROWS, "table", prefixes=PPDR) == to_table(ROWS, prefixes=PPDR)
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(ROWS, "xml")
