from __future__ import annotations

import json

from conftest import MINI

from kgbuild.graphstats import ClassCount, SourceFacts, render_text, stats
from kgbuild.project import load_project

MO = "https://example.org/mini/ontology#"
MR = "https://example.org/mini/id/"


def test_counts_triples_entities_and_facts():
    result = stats(load_project(MINI))
    assert (result.ontology_triples, result.data_triples) == (44, 28)
    assert result.triples == 72
    assert result.entities == (
        ClassCount(iri=MO + "Meeting", name="mo:Meeting", count=2),
        ClassCount(iri=MO + "Person", name="mo:Person", count=2),
        ClassCount(iri=MO + "SourceDocument", name="mo:SourceDocument", count=2),
    )
    assert result.facts_per_source == (
        SourceFacts(source=MR + "src-1", name="mr:src-1", label="Source 1: a short biography", facts=2),
        SourceFacts(source=MR + "src-2", name="mr:src-2", label="Source 2: a letter", facts=1),
    )


def test_text_and_json_forms():
    result = stats(load_project(MINI))
    text = render_text(result)
    assert text.splitlines()[0] == "triples: 72 (ontology 44, data 28)"
    assert "  mr:src-1  Source 1: a short biography  2" in text.splitlines()
    assert json.loads(json.dumps(result.to_dict()))["entities"][0] == {
        "iri": MO + "Meeting",
        "name": "mo:Meeting",
        "count": 2,
    }
