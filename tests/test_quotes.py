from __future__ import annotations

import pytest

from kgbuild.project import load_project
from kgbuild.quotes import QUOTE_COLUMNS, check_quotes, normalise
from kgbuild.sources import load_sources
from kgbuild.sparql import load_select, select_store, select_store_terms

from conftest import MINI, append


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  the\n\tthinking   machine ", "the thinking machine"),
        ("\u201cthinking\u201d \u2018machine\u2019", "\"thinking\" 'machine'"),
        ("1833\u20131843 \u2014 notes", "1833-1843 - notes"),
        ("cafe\u0301", "caf\u00e9"),  # NFC
        ("pro\u00adgram\u200b", "program"),
        ("wait\u2026", "wait..."),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def _problems(root):
    project = load_project(root)
    sources = load_sources(project)
    query = load_select(project.quotes_query, file="shapes/quotes.rq", required=QUOTE_COLUMNS)
    return check_quotes(
        select_store_terms(sources.store, query), root=project.root, names=sources.names(), locator=sources.locator(),
        context=sources.neighbourhood,
    )


def test_fixture_quotes_are_found_despite_line_breaks_and_typographic_marks():
    assert _problems(MINI) == ()


def test_quote_not_in_its_source(mini):
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-1 ;\n    mo:quote "Ada met Charles at a ball" ] .\n',
    )
    (problem,) = _problems(mini)
    finding = problem.finding
    assert finding.rule == "quote-not-in-source"
    assert finding.severity == "violation"
    assert finding.focus is None  # the attestation is a blank node ...
    assert finding.focus_label == "mr:ada mo:attestedBy []"  # ... so it is described by where it hangs
    assert finding.value == '"Ada met Charles at a ball"'
    assert (finding.file, finding.line) == ("data/people.ttl", 11)
    assert finding.message == (
        "quote not found in data/sources/src-1.txt: its first 16 of 25 characters match, "
        "then it has 'at a ball'"
    )


def test_rows_of_rdflib_terms_give_the_same_problems(mini):
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-1 ;\n    mo:quote "Ada met Charles at a ball" ] .\n',
    )
    project = load_project(mini)
    sources = load_sources(project)
    query = load_select(project.quotes_query, file="shapes/quotes.rq", required=QUOTE_COLUMNS)
    rdflib_rows = check_quotes(
        select_store(sources.store, query).dicts(), root=project.root, names=sources.names(),
        locator=sources.locator(), context=sources.neighbourhood,
    )
    assert [p.finding for p in rdflib_rows] == [p.finding for p in _problems(mini)]
    assert len(rdflib_rows) == 1


def test_missing_text_file_and_missing_text_file_path(mini):
    (mini / "data" / "sources" / "src-2.txt").unlink()
    append(mini / "data" / "sources.ttl", '\nmr:src-3 a mo:SourceDocument ; rdfs:label "no text" .\n')
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-3 ; mo:quote "Ada" ] .\n',
    )
    findings = sorted((p.finding.rule, p.finding.message) for p in _problems(mini))
    assert findings == [
        ("source-text-missing", "archived source text not found: data/sources/src-2.txt"),
        ("source-text-missing", "no archived text file is recorded for this quote's source"),
    ]
