"""The ontology's vocabulary, and the checks of a contribution's terms against it: properties and classes the
ontology does not define (with the nearest defined one, ``nearest``), literals and resources in the wrong place
(``VocabularyCheck``), and statements about or defining ontology terms (``OntologyTermsCheck``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgbuild.checks.base import worst_severity
from kgbuild.findings import Finding

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = RDF + "type"
_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
_PROPERTY_TYPES = {
    RDF + "Property", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    OWL + "FunctionalProperty", OWL + "InverseFunctionalProperty", OWL + "TransitiveProperty",
    OWL + "SymmetricProperty",
}
_SCHEMA_TYPES = _CLASS_TYPES | _PROPERTY_TYPES | {OWL + "Ontology", SKOS + "ConceptScheme"}
_SCHEMA_AXIOMS = {
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range", OWL + "equivalentClass",
    OWL + "equivalentProperty", OWL + "inverseOf", OWL + "imports",
}


class VocabularyCheck:
    """Each distinct triple's property and class against the ontology, and its value against the property's kind."""

    id = "vocabulary"
    title = "properties and classes the ontology defines, literals and resources where they belong"
    rules = ("unknown-property", "unknown-class", "literal-for-resource", "resource-for-literal")
    reads = "the contribution and the ontology files (and the predicates the existing graph uses)"
    severity = worst_severity(rules)

    def run(self, c: Contribution) -> list[Finding]:
        out: list[Finding] = []
        v = c.vocabulary
        for source, s, p, o in c.distinct_triples():
            if p not in v.properties:
                out.append(_unknown(c, "unknown-property", source, s, p, o, p, v.properties, "property"))
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value not in v.classes:
                out.append(_unknown(c, "unknown-class", source, s, p, o, o.value, v.classes, "class"))
            if (p in v.object_properties or p == RDF_TYPE) and isinstance(o, ox.Literal):
                out.append(c.finding(
                    "literal-for-resource", source, s, p, o,
                    f"{c.names.iri(p)} links to a resource, but its value here is a literal",
                    "Write the IRI of the resource (e.g. ppdr:some-person), and describe it if it is new.",
                ))
            if p in v.datatype_properties and not isinstance(o, ox.Literal):
                out.append(c.finding(
                    "resource-for-literal", source, s, p, o,
                    f"{c.names.iri(p)} holds a literal (text, number or date), but its value here is a resource",
                    "Write the value as a literal, e.g. \"...\" or \"2025-09-11\"^^xsd:date.",
                ))
        return out


class OntologyTermsCheck:
    """Statements about the ontology's own terms, and new classes, properties or schema axioms, in data."""

    id = "ontology-terms"
    title = "a data contribution neither states anything about ontology terms nor defines new ones"
    rules = ("redefines-ontology-term", "defines-ontology-term")
    reads = "the contribution and the ontology files"
    severity = worst_severity(rules)

    def run(self, c: Contribution) -> list[Finding]:
        out: list[Finding] = []
        for source, s, p, o in c.distinct_triples():
            if isinstance(s, ox.NamedNode) and s.value in c.vocabulary.terms:
                out.append(c.finding(
                    "redefines-ontology-term", source, s, p, o,
                    f"{c.names.iri(s.value)} is defined by the ontology; a data contribution cannot state "
                    "anything about it",
                    "Describe instances only; propose changes to ontology/ separately, for review.",
                ))
            elif (p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in _SCHEMA_TYPES) or p in _SCHEMA_AXIOMS:
                out.append(c.finding(
                    "defines-ontology-term", source, s, p, o,
                    "a data contribution cannot define classes or properties, add schema axioms or import "
                    "other ontologies",
                    "Use the ontology's classes and properties; propose new terms in ontology/ separately.",
                ))
        return out


def _unknown(c: Contribution, rule, source, s, p, o, term: str, known: Iterable[str], kind: str) -> Finding:
    if (term, kind) not in c.suggestions:  # the same unknown term is often used many times
        c.suggestions[(term, kind)] = nearest(term, known, c.names)
    suggestion = c.suggestions[(term, kind)]
    message = f"{c.names.iri(term)}{non_ascii_note(term)} is not a {kind} of the ontology"
    if suggestion:
        message += f"; did you mean {suggestion}?"
    hint = (f"Replace it with {suggestion}." if suggestion
            else f"Use a {kind} the ontology defines (ontology/*.ttl).")
    return c.finding(rule, source, s, p, o, message, hint, line_of=term)


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology files define: classes, properties, all their subjects (terms and concepts)."""

    classes: frozenset[str]
    properties: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    single_valued: frozenset[str]
    terms: frozenset[str]  # every subject of the ontology files

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> Vocabulary:
        classes, properties, objects, datatypes, functional, terms = set(), set(), set(), set(), set(), set()
        for quad in quads:
            s, p, o = quad.subject, quad.predicate.value, quad.object
            if isinstance(s, ox.NamedNode):
                terms.add(s.value)
            properties.add(p)
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                classes.add(o.value)
                if isinstance(s, ox.NamedNode):
                    if o.value in _CLASS_TYPES:
                        classes.add(s.value)
                    if o.value in _PROPERTY_TYPES:
                        properties.add(s.value)
                    if o.value == OWL + "ObjectProperty":
                        objects.add(s.value)
                    if o.value == OWL + "DatatypeProperty":
                        datatypes.add(s.value)
                    if o.value == OWL + "FunctionalProperty":
                        functional.add(s.value)
            elif p in (RDFS + "subClassOf", OWL + "equivalentClass") and isinstance(o, ox.NamedNode):
                classes.add(o.value)
            elif p in (RDFS + "subPropertyOf", OWL + "equivalentProperty") and isinstance(o, ox.NamedNode):
                properties.add(o.value)
        properties.add(RDF_TYPE)
        return cls(frozenset(classes), frozenset(properties), frozenset(objects), frozenset(datatypes),
                   frozenset(functional), frozenset(terms))

    def adopting(self, properties: Iterable[str]) -> Vocabulary:
        """This vocabulary with more properties counted as defined (see ``used_predicates``)."""
        from dataclasses import replace

        return replace(self, properties=self.properties | frozenset(properties))


def used_predicates(store: ox.Store, candidates: Iterable[str], *, outside: str) -> set[str]:
    """The candidates that the existing graph uses as predicates, outside the project's namespace.

    What counts as a defined property is the ontology's own terms and the
    standard-vocabulary properties the project has adopted: those the ontology
    uses (skos:prefLabel, rdfs:label, ...) and those its reviewed data uses
    (skos:altLabel). A whole standard namespace is not adopted (a misspelt
    skos:altLable stays unknown), nor is a term of the project's namespace
    that only data uses (the ontology must declare those; the project's own
    validation says so). One index lookup per distinct predicate.
    """
    return {p for p in candidates if not p.startswith(outside)
            and next(iter(store.quads_for_pattern(None, ox.NamedNode(p), None)), None) is not None}


def non_ascii_note(iri: str) -> str:
    """`` (in "name", character 4 'а' is CYRILLIC SMALL LETTER A, U+0430)`` for each non-ASCII character of the
    IRI's local name (or of the IRI), else ``""``: a look-alike letter makes an IRI that is not the one meant."""
    from kgbuild.terms import local_name

    name = local_name(iri)
    if name.isascii():
        name = iri
    notes = [f"character {position} '{char}' is {unicodedata.name(char, 'a character without a name')}, "
             f"U+{ord(char):04X}" for position, char in enumerate(name, start=1) if not char.isascii()]
    return f' (in "{name}", {"; ".join(notes)})' if notes else ""


class TermPool:
    """Terms to suggest from, with their local names worked out once (for many ``nearest`` calls)."""

    def __init__(self, known: Iterable[str]) -> None:
        from kgbuild.terms import local_name

        self.local_names = {iri: local_name(iri) for iri in known}
        self._under: dict[str, dict[str, str]] = {}  # namespace -> the terms in it

    def pools(self, term: str, namespace: str) -> tuple[dict[str, str], dict[str, str]]:
        """(every term but ``term``, those of them under ``namespace``), without copying for each call."""
        if namespace not in self._under:
            self._under[namespace] = {iri: name for iri, name in self.local_names.items() if iri.startswith(namespace)}
        every, under = self.local_names, self._under[namespace]
        if term in every:
            every = {iri: name for iri, name in every.items() if iri != term}
            under = {iri: name for iri, name in under.items() if iri != term}
        return every, under


def nearest(term: str, known: Iterable[str] | TermPool, names) -> str | None:
    """The defined term closest in spelling to ``term`` (local names compared), as a prefixed name."""
    iri = nearest_iri(term, known)
    return None if iri is None else names.iri(iri)


def nearest_iri(term: str, known: Iterable[str] | TermPool) -> str | None:
    """The defined term closest in spelling to ``term`` (local names compared), as an IRI."""
    from rapidfuzz import fuzz, process

    from kgbuild.terms import local_name

    local = local_name(term)
    namespace = term[: len(term) - len(local)]
    if isinstance(known, TermPool):
        candidates, same = known.pools(term, namespace)
    else:
        candidates = {iri: local_name(iri) for iri in known if iri != term}
        same = {iri: name for iri, name in candidates.items() if iri.startswith(namespace)}
    if not candidates:
        return None
    for pool in (same, candidates):
        best = process.extractOne(local, pool, scorer=fuzz.ratio, score_cutoff=70) if pool else None
        if best is not None:
            return best[2]
    return None
