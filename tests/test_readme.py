"""The README's provenance example must stay true of the data it quotes.

The "After" example of the model section is shortened from data/deals.ttl: every
passage it shows must be a passage of that node in the data (same source, same quote),
stating at least the facts the example lists, and every plain triple and inference it
shows must be in the data too. The "Before" example must show what the data no longer
does: a passage credited with a fact it does not state.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Graph, Namespace
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parent.parent
PPD = Namespace("https://w3id.org/ppdkg/ontology#")
PREFIXES = """
@prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
@prefix ppdr: <https://w3id.org/ppdkg/id/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""


def _provenance_examples() -> list[Graph]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Provenance", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```turtle\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "the provenance section shows a before and an after example"
    return [Graph().parse(data=PREFIXES + block, format="turtle") for block in blocks]


def _data() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        graph.parse(path)
    return graph


def _passages(graph: Graph, node) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(source, quote) -> the (predicate, value) pairs the passage states, for one node."""
    passages: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for attestation in graph.objects(node, PPD.attestedBy):
        key = (str(graph.value(attestation, PPD.source)), str(graph.value(attestation, PPD.quote)))
        facts = passages.setdefault(key, set())
        for fact in graph.objects(attestation, PPD.states):
            facts.add((str(graph.value(fact, PPD.statedProperty)), graph.value(fact, PPD.statedValue).n3()))
    return passages


def test_after_example_is_a_shortened_copy_of_the_data() -> None:
    _, after = _provenance_examples()
    data = _data()
    nodes = set(after.subjects(RDF.type, None))
    assert nodes, "the after example types its node"
    for node in nodes:
        in_data = _passages(data, node)
        shown = _passages(after, node)
        assert shown, "the after example shows passages"
        for passage, facts in shown.items():
            assert passage in in_data, f"README passage {passage} is not a passage of {node} in data/"
            assert facts, f"README passage {passage} states nothing"
            assert facts <= in_data[passage], f"README says {passage} states {facts - in_data[passage]}"
        for s, p, o in after:
            if isinstance(s, BNode) or isinstance(o, BNode) or p == PPD.attestedBy:
                continue
            assert (s, p, o) in data, f"README shows {s.n3()} {p.n3()} {o.n3()}, which data/ does not have"


def test_before_example_shows_an_over_credit_the_data_no_longer_makes() -> None:
    before, _ = _provenance_examples()
    data = _data()
    over_credited = 0
    for node in set(before.subjects(RDF.type, None)):
        now = _passages(data, node)
        for (source, quote) in _passages(before, node):
            # the passage still exists in the data, but states fewer facts than the node has
            stated = now.get((source, quote), set())
            facts_of_node = {
                (str(p), o.n3()) for p, o in before.predicate_objects(node) if p not in (RDF.type, PPD.attestedBy)
            }
            if facts_of_node - stated:
                over_credited += 1
    assert over_credited, "the before example illustrates a passage credited with a fact it does not state"
