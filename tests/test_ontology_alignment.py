"""The ontology's alignments with outside vocabularies hold with the data.

PROV-O: the graph (ontology + vocabularies + data), read with PROV-O's own
domain, range, subproperty and disjointness axioms, must not make any node
both a prov:Activity and a prov:Entity (PROV-O states the two classes
disjoint). The axioms are written below, not downloaded, and the RDFS
closure is computed here with rdflib (subPropertyOf*, subClassOf*,
rdfs:domain / rdfs:range typing) rather than with owlrl, which rewrites
literals.

schema.org: every ppd property declared a subproperty of a schema.org
property has a domain that schema.org's documented domains admit (schema.org
states domains as schema:domainIncludes; the ones used are written below).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

ROOT = Path(__file__).resolve().parent.parent
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SCHEMA = rdflib.Namespace("https://schema.org/")
PPD = rdflib.Namespace("https://w3id.org/ppdkg/ontology#")

# The PROV-O axioms (https://www.w3.org/TR/prov-o/, prov-o.ttl) on every PROV
# term the ontology aligns with, their superproperties, and the ones a
# re-alignment would reach for (qualified derivation, generation, use).
PROV_O = """
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .

prov:Activity owl:disjointWith prov:Entity .
prov:Person       rdfs:subClassOf prov:Agent .
prov:Organization rdfs:subClassOf prov:Agent .
prov:Derivation   rdfs:subClassOf prov:EntityInfluence .
prov:PrimarySource rdfs:subClassOf prov:Derivation .

prov:wasDerivedFrom    rdfs:subPropertyOf prov:wasInfluencedBy ;
                       rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:hadPrimarySource  rdfs:subPropertyOf prov:wasDerivedFrom ;
                       rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:wasQuotedFrom     rdfs:subPropertyOf prov:wasDerivedFrom ;
                       rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:qualifiedDerivation rdfs:subPropertyOf prov:qualifiedInfluence ;
                       rdfs:domain prov:Entity ; rdfs:range prov:Derivation .
prov:qualifiedPrimarySource rdfs:subPropertyOf prov:qualifiedInfluence ;
                       rdfs:domain prov:Entity ; rdfs:range prov:PrimarySource .
prov:value             rdfs:domain prov:Entity .
prov:wasAssociatedWith rdfs:subPropertyOf prov:wasInfluencedBy ;
                       rdfs:domain prov:Activity ; rdfs:range prov:Agent .
prov:wasInformedBy     rdfs:subPropertyOf prov:wasInfluencedBy ;
                       rdfs:domain prov:Activity ; rdfs:range prov:Activity .
prov:used              rdfs:subPropertyOf prov:wasInfluencedBy ;
                       rdfs:domain prov:Activity ; rdfs:range prov:Entity .
prov:wasGeneratedBy    rdfs:subPropertyOf prov:wasInfluencedBy ;
                       rdfs:domain prov:Entity ; rdfs:range prov:Activity .
prov:wasAttributedTo   rdfs:subPropertyOf prov:wasInfluencedBy ;
                       rdfs:domain prov:Entity ; rdfs:range prov:Agent .
prov:entity            rdfs:range prov:Entity .
prov:activity          rdfs:range prov:Activity .
prov:agent             rdfs:range prov:Agent .
"""


def _graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def _closure(pairs: set[tuple]) -> dict:
    """Reflexive-transitive closure of a relation given as (sub, super) pairs."""
    up = defaultdict(set)
    for a, b in pairs:
        up[a].add(b)
    result = {}
    for start in {a for a, _ in pairs} | {b for _, b in pairs}:
        seen, todo = {start}, [start]
        while todo:
            for nxt in up[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        result[start] = seen
    return result


def rdfs_types(g: rdflib.Graph) -> dict:
    """Every node's types under RDFS subclass, subproperty, domain and range entailment."""
    supers_p = _closure(set(g.subject_objects(RDFS.subPropertyOf)))
    supers_c = _closure(set(g.subject_objects(RDFS.subClassOf)))
    domains, ranges = defaultdict(set), defaultdict(set)
    for p, c in g.subject_objects(RDFS.domain):
        domains[p].add(c)
    for p, c in g.subject_objects(RDFS.range):
        ranges[p].add(c)
    types = defaultdict(set)
    for s, p, o in g:
        if p == RDF.type:
            types[s].add(o)
            continue
        for q in supers_p.get(p, {p}):
            types[s] |= domains[q]
            if not isinstance(o, rdflib.Literal):
                types[o] |= ranges[q]
    return {n: set().union(*(supers_c.get(c, {c}) for c in cs)) for n, cs in types.items() if cs}


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return _graph()


def test_prov_axioms_are_what_the_test_says():
    # a guard on the axioms above: the disjointness is there, and a tiny graph breaking it is caught
    g = rdflib.Graph().parse(data=PROV_O, format="turtle")
    assert (PROV.Activity, OWL.disjointWith, PROV.Entity) in g
    g.parse(data="""@prefix prov: <http://www.w3.org/ns/prov#> .
        <urn:x:a> prov:wasAssociatedWith <urn:x:b> ; prov:wasDerivedFrom <urn:x:c> .""", format="turtle")
    assert {PROV.Activity, PROV.Entity} <= rdfs_types(g)[rdflib.URIRef("urn:x:a")]


def _activity_entity_clashes(graph: rdflib.Graph, *extra: tuple) -> list[str]:
    g = rdflib.Graph()
    for t in graph:
        g.add(t)
    for t in extra:
        g.add(t)
    g.parse(data=PROV_O, format="turtle")
    return sorted(str(node) for node, cs in rdfs_types(g).items() if {PROV.Activity, PROV.Entity} <= cs)


def test_no_node_is_both_prov_activity_and_prov_entity(graph):
    clashes = _activity_entity_clashes(graph)
    assert clashes == [], f"{len(clashes)} nodes are both prov:Activity and prov:Entity: {clashes[:10]}"


def test_the_check_finds_the_old_attested_by_alignment(graph):
    # ppd:attestedBy used to be a subproperty of prov:wasDerivedFrom (domain prov:Entity) while it
    # hangs from events (prov:Activity): 43 events were both when it was dropped (issue 14)
    clashes = _activity_entity_clashes(graph, (PPD.attestedBy, RDFS.subPropertyOf, PROV.wasDerivedFrom))
    assert len(clashes) >= 40
    assert "https://w3id.org/ppdkg/id/pardon-31-ukrainians" in clashes


# schema.org's documented domains (schema:domainIncludes, https://schema.org/<term>) of the
# schema.org properties the ontology aligns with, or might: where a type is listed, its
# subtypes are admitted too. Lists may be partial (only stricter for it), never wider.
SCHEMA_DOMAINS = {
    "agent": {"Action"},
    "participant": {"Action"},
    "attendee": {"Event"},
    "performer": {"Event"},
    "organizer": {"Event"},
    "location": {"Action", "Event", "Organization", "InteractionCounter"},
    "duration": {"Event", "MediaObject", "Movie", "Episode", "Schedule", "MusicRecording", "MusicRelease",
                 "QuantitativeValueDistribution"},
    "award": {"CreativeWork", "Organization", "Person", "Product", "Service"},
    "recipient": {"Message", "CommunicateAction", "AuthorizeAction", "DonateAction", "GiveAction", "PayAction",
                  "ReturnAction", "SendAction", "TipAction"},
    "about": {"CreativeWork", "Event", "CommunicateAction", "Certification"},
    "publisher": {"CreativeWork", "PublicationEvent"},
    "author": {"CreativeWork", "Rating"},
    "dateline": {"NewsArticle"},
    "headline": {"CreativeWork"},
    "description": {"Thing"},
}


def test_schema_org_superproperties_fit_their_domains(graph):
    supers_c = _closure(set(graph.subject_objects(RDFS.subClassOf)))
    wrong = []
    for prop, sup in sorted(graph.subject_objects(RDFS.subPropertyOf | OWL.equivalentProperty)):
        if not str(sup).startswith(str(SCHEMA)) or not str(prop).startswith(str(PPD)):
            continue
        name = str(sup)[len(str(SCHEMA)):]
        assert name in SCHEMA_DOMAINS, f"schema:{name} (superproperty of {prop}): add its documented domains above"
        allowed = {SCHEMA[c] for c in SCHEMA_DOMAINS[name]}
        for domain in graph.objects(prop, RDFS.domain):
            if SCHEMA.Thing in allowed:
                continue
            if not supers_c.get(domain, {domain}) & allowed:
                wrong.append(f"{prop.n3(graph.namespace_manager)} ⊑ schema:{name}: domain {domain.n3(graph.namespace_manager)}")
    assert not wrong, "\n".join(wrong)
