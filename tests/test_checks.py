"""The word-overlap check of stated facts (kgbuild.checks.stated_facts, rule quote-shares-no-word-with-value).

A passage that states a fact should name its value: the check warns when a stated fact's quote shares no
word with the value's names (or the literal). Words are case-folded, dotted acronyms and thousands joined,
one-letter and stop words dropped, and match on their first min(len, 5) characters.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kgbuild.checks.stated_facts import (
    RULE_NO_SHARED_WORD,
    STATED_FACT_COLUMNS,
    shares_a_word,
    stated_fact_findings,
    words,
)
from kgbuild.locate import Locator, SourceText
from kgbuild.project import load_project
from kgbuild.sparql import load_select, select_store_terms
from kgbuild.terms import Names

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "stated-facts" / "overlap.ttl"
PPDR = "https://w3id.org/ppdkg/id/"
PPD = "https://w3id.org/ppdkg/ontology#"


@pytest.mark.parametrize(("text", "expected"), [
    ("a U.S.-brokered deal", {"us", "brokered", "deal"}),
    ("approximately 1,257 political prisoners", {"approximately", "1257", "political", "prisoners"}),
    ("Belarus’s national airline, Belavia", {"belarus", "national", "airline", "belavia"}),
    ("The release of the priests in August", {"release", "priests", "august"}),
])
def test_words(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize(("quote", "texts", "expected"), [
    ("under a U.S.-brokered deal", ["United States", "U.S.", "US"], True),
    ("Belarusian officials", ["Belarus"], True),
    ("the Ukrainian citizens", ["Ukraine"], True),
    ("some sanctions lifted", ["sanction status: partly lifted"], True),
    ("1,257 political prisoners", ["1257"], True),
    ("talks which occurred in Minsk", ["held"], False),
    ("lawyer John Cole", ["United States", "U.S."], False),
    ("in the", ["of"], None),  # nothing to compare: not reported
])
def test_shares_a_word(quote, texts, expected):
    assert shares_a_word(quote, texts) is expected


@pytest.fixture(scope="module")
def findings():
    project = load_project(ROOT)
    store = ox.Store()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    text = FIXTURE.read_text(encoding="utf-8")
    store.load(text, format=ox.RdfFormat.TURTLE)
    query = load_select(project.stated_facts_query, file="shapes/stated-facts.rq", required=STATED_FACT_COLUMNS)
    from kgbuild.rdfio import parse_turtle

    locator = Locator((SourceText(file="overlap.ttl", text=text, prefixes=parse_turtle(text, file="x").prefixes),))
    from rdflib import Graph

    graph = Graph().parse(data=text, format="turtle")
    names = Names([("ppd", PPD), ("ppdr", PPDR)])
    return stated_fact_findings(select_store_terms(store, query), names=names, locator=locator,
                                context=lambda nodes: graph)


def test_misses_are_warned_with_file_and_line(findings):
    got = {(f.severity, f.rule, f.focus, f.path, f.value) for f in findings}
    assert got == {
        ("warning", RULE_NO_SHARED_WORD, PPDR + "y-deal", "ppd:brokeredBy", "ppdr:y-lawyer"),
        ("warning", RULE_NO_SHARED_WORD, PPDR + "y-pardon", "ppd:statedTime", '"on Saturday"'),
        ("warning", RULE_NO_SHARED_WORD, PPDR + "y-pardon", "ppd:detaineeDescription", '"political prisoners"'),
    }
    text = FIXTURE.read_text(encoding="utf-8").splitlines()
    for finding in findings:
        assert finding.file == "overlap.ttl"
        quote = finding.message.split('"')[1]
        assert quote in text[finding.line - 1]  # the line of the quote
    lawyer = next(f for f in findings if f.value == "ppdr:y-lawyer")
    assert 'The passage "under a U.S.-brokered deal" is said to state ppd:brokeredBy ppdr:y-lawyer' in lawyer.message
    assert "John Cole" in lawyer.message and "SKOS labels" in lawyer.hint


def test_a_quote_is_located_under_its_node_when_several_nodes_quote_it():
    text = ('ppdr:a a ppd:Person ;\n    ppd:attestedBy [ ppd:quote "the same passage" ] .\n'
            'ppdr:b a ppd:Event ;\n    ppd:attestedBy [ ppd:quote "the same passage" ] .\n')
    locator = Locator((SourceText(file="f.ttl", text=text, prefixes=(("ppdr", PPDR),)),))
    assert locator.text("the same passage").line == 2
    assert locator.text("the same passage", after=locator.subject(PPDR + "b")).line == 4
