"""``conflicting-value``: a contribution giving another value for a single-valued property of an existing resource
(``owl:FunctionalProperty``, or ``sh:maxCount 1`` in a shape); run before the contribution is added to the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgbuild.checks.base import worst_severity
from kgbuild.findings import Finding
from kgbuild.shacl import SKOLEM

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution


class ConflictsCheck:
    """Another value for a single-valued property of an existing resource, with the sources of each."""

    id = "conflicts"
    title = "values that contradict a single-valued property the graph already holds"
    rules = ("conflicting-value",)
    reads = "the contribution, the existing graph's values of its single-valued properties, the shapes' sh:maxCount 1"
    severity = worst_severity(rules)

    def run(self, c: Contribution) -> list[Finding]:
        """Another value for a single-valued property of an existing resource (checked before adding)."""
        store = c.in_store()
        single = set(c.vocabulary.single_valued) | _max_one_paths(c.shapes)
        by_key: dict[tuple, list] = {}
        for source, t in c.triples:
            if (t.predicate.value in single and isinstance(t.subject, ox.NamedNode)
                    and not t.subject.value.startswith(SKOLEM)):
                by_key.setdefault((t.subject, t.predicate), []).append((source, t.object))
        out = []
        for (s, p), given in sorted(by_key.items(), key=lambda item: (item[0][0].value, item[0][1].value)):
            held = [q.object for q in store.quads_for_pattern(s, p, None)]
            if not held:
                continue
            for source, value in given:
                if value in held:
                    continue
                theirs = _sources_of(store, s)
                ours = _sources_of_contribution(c.by_subject, s)
                held_text = ", ".join(c.short(h) for h in held)
                message = (
                    f"{c.names.iri(p.value)} is single-valued, and the graph already holds {held_text}"
                    f"{_cite(theirs)}; this contribution gives {c.short(value)}{_cite(ours)}"
                )
                out.append(c.finding(
                    "conflicting-value", source, s, p.value, value, message,
                    "If the new report disagrees with the graph, keep both readings as claims with their sources "
                    "(docs/contributing-data.md, 'When sources disagree'); if it is a mistake, correct it.",
                ))
        return out


def _sources_of(store: ox.Store, node) -> list[str]:
    """Archived texts cited by the nodes hanging from ``node`` (its attestations)."""
    found = set()
    for quad in store.quads_for_pattern(node, None, None):
        if isinstance(quad.object, ox.Literal):
            continue
        for source in store.quads_for_pattern(quad.object, None, None):
            if not isinstance(source.object, ox.NamedNode):
                continue
            for text in store.quads_for_pattern(source.object, None, None):
                if isinstance(text.object, ox.Literal) and text.object.value.endswith(".txt"):
                    found.add(text.object.value)
    return sorted(found)


def _sources_of_contribution(by_subject, node) -> list[str]:
    """Archived texts the contribution cites for ``node`` (via its attestations); ``by_subject`` indexes it."""
    def about(term):
        return [t for _, t in by_subject.get(term.value, ())]

    objects = {t.object for t in about(node) if not isinstance(t.object, ox.Literal)}
    sources = {t.object for o in objects for t in about(o) if isinstance(t.object, ox.NamedNode)}
    return sorted({t.object.value for o in sources for t in about(o)
                   if isinstance(t.object, ox.Literal) and t.object.value.endswith(".txt")})


def _cite(texts: list[str]) -> str:
    return f" (sources: {', '.join(texts)})" if texts else ""


def _max_one_paths(shapes) -> set[str]:
    from rdflib import URIRef
    from rdflib.namespace import SH as RSH

    found = set()
    for shape, count in shapes.subject_objects(RSH.maxCount):
        path = shapes.value(shape, RSH.path)
        if isinstance(path, URIRef) and int(count) == 1:
            found.add(str(path))
    return found
