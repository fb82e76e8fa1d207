"""``dangling-reference``: an IRI in the project's namespace that neither the graph nor the contribution describes,
with the nearest described IRI."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgbuild.checks.base import worst_severity
from kgbuild.checks.graphreads import described, is_subject
from kgbuild.checks.vocabulary import RDF_TYPE, TermPool, nearest, non_ascii_note
from kgbuild.findings import Finding

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution


class DanglingCheck:
    """IRIs under the project's namespace that nothing describes."""

    id = "dangling-references"
    title = "references to resources described nowhere"
    rules = ("dangling-reference",)
    reads = "the contribution and the subjects of the graph with it (the described IRIs, for suggestions)"
    severity = worst_severity(rules)

    def run(self, c: Contribution) -> list[Finding]:
        store = c.in_store()
        namespace = c.project.namespace
        out = []
        candidates: TermPool | None = None
        for source, t in c.triples:
            o = t.object
            if not isinstance(o, ox.NamedNode) or not o.value.startswith(namespace) or o.value in c.vocabulary.terms:
                continue
            if t.predicate.value == RDF_TYPE or is_subject(store, o.value):
                continue
            if candidates is None:
                candidates = TermPool(c.whole.described(namespace) if c.whole is not None
                                      else described(store, namespace))
            if (o.value, "described") not in c.suggestions:
                c.suggestions[(o.value, "described")] = nearest(o.value, candidates, c.names)
            suggestion = c.suggestions[(o.value, "described")]
            message = (f"{c.names.iri(o.value)}{non_ascii_note(o.value)} is described nowhere: not in the graph, "
                       "not in this contribution")
            if suggestion:
                message += f"; did you mean {suggestion}?"
            out.append(c.finding(
                "dangling-reference", source, t.subject, t.predicate.value, o, message,
                f"Use {suggestion}." if suggestion else "Describe the resource (type, label, source) in the "
                "contribution, or use the IRI of an existing one.", line_of=o.value,
            ))
        return out
