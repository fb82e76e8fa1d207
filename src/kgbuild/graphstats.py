"""Graph statistics: triple counts, entities per class, facts per source."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from rdflib import Literal

from kgbuild.backends.convert import from_ox
from kgbuild.errors import QueryError
from kgbuild.project import Project
from kgbuild.sources import Sources, load_sources
from kgbuild.sparql import load_select, select_store
from kgbuild.terms import Names

FACTS_COLUMNS = ("source", "label", "facts")


@dataclass(frozen=True)
class ClassCount:
    iri: str
    name: str  # prefixed name
    count: int  # distinct subjects typed with the class


@dataclass(frozen=True)
class SourceFacts:
    source: str  # IRI
    name: str  # prefixed name
    label: str | None
    facts: int


@dataclass(frozen=True)
class Stats:
    triples: int  # ontology ∪ data
    ontology_triples: int
    data_triples: int
    entities: tuple[ClassCount, ...]  # classes in the project namespace; most instances first
    facts_per_source: tuple[SourceFacts, ...]  # most facts first

    def to_dict(self) -> dict:
        """JSON form: {"triples", "ontology_triples", "data_triples", "entities": [...], "facts_per_source": [...]}."""
        return asdict(self)


def compute_stats(project: Project, sources: Sources) -> Stats:
    names = sources.names()
    solutions = sources.store.query(
        "SELECT ?class (COUNT(*) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class) && STRSTARTS(STR(?class), "
        f"{json.dumps(project.namespace)})) }} GROUP BY ?class"
    )
    counts = {solution["class"].value: int(solution["n"].value) for solution in solutions}  # type: ignore[index]
    entities = tuple(
        ClassCount(iri=iri, name=names.iri(iri), count=count)
        for iri, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    return Stats(
        triples=sources.count(),
        ontology_triples=sources.count(sources.ontology_iri),
        data_triples=sources.count(sources.data_iri),
        entities=entities,
        facts_per_source=_facts_per_source(project, sources, names),
    )


def _facts_per_source(project: Project, sources: Sources, names: Names) -> tuple[SourceFacts, ...]:
    if project.facts_per_source_query is None:
        return ()
    query = load_select(
        project.facts_per_source_query,
        file=project.rel(project.facts_per_source_query),
        required=FACTS_COLUMNS,
    )
    rows = []
    for row in select_store(sources.store, query).dicts():
        source, label, facts = (None if row[name] is None else from_ox(row[name])  # type: ignore[arg-type]
                                for name in FACTS_COLUMNS)
        if source is None:
            continue
        value = 0 if facts is None else facts.toPython() if isinstance(facts, Literal) else None
        if not isinstance(value, int):
            raise QueryError(f"?facts must be an integer, got {facts}", file=query.file)
        count = value
        rows.append(
            SourceFacts(
                source=str(source),
                name=names.short(source),
                label=None if label is None else str(label),
                facts=count,
            )
        )
    return tuple(sorted(set(rows), key=lambda r: (-r.facts, r.source, r.label or "")))


def stats(project: Project) -> Stats:
    """Parse the project and compute its statistics (no validation)."""
    return compute_stats(project, load_sources(project))


def render_text(result: Stats, *, top: int | None = None) -> str:
    """Readable summary; ``top`` limits the lines per table (None: all)."""
    lines = [
        f"triples: {result.triples} (ontology {result.ontology_triples}, data {result.data_triples})",
        "entities per class:",
    ]
    lines += _table([(c.name, str(c.count)) for c in result.entities], top=top, right=(1,))
    if result.facts_per_source:
        lines.append("facts per source:")
        lines += _table(
            [(f.name, f.label or "", str(f.facts)) for f in result.facts_per_source], top=top, right=(2,)
        )
    return "\n".join(lines) + "\n"


def _table(rows: list[tuple[str, ...]], *, top: int | None, right: tuple[int, ...]) -> list[str]:
    if not rows:
        return ["  (none)"]
    shown = rows if top is None else rows[:top]
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    lines = [
        "  " + "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()
        for row in shown
    ]
    if len(shown) < len(rows):
        lines.append(f"  … {len(rows) - len(shown)} more")
    return lines
