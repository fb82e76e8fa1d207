"""Loading a project's Turtle sources into canonical rdflib graphs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph

from kgbuild.canon import canonical_graphs, sorted_graph
from kgbuild.errors import InputError, raise_collected
from kgbuild.locate import Locator, SourceText
from kgbuild.project import Project
from kgbuild.rdfio import TurtleFile, parse_files
from kgbuild.terms import Names

BASE_PREFIXES = (
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
)


@dataclass(frozen=True)
class Sources:
    """The parsed project: graphs with canonical blank nodes, prefixes and file texts."""

    ontology: Graph
    data: Graph
    graph: Graph  # ontology ∪ data: what is validated, queried and published
    shapes: Graph
    prefixes: tuple[tuple[str, str], ...]  # from ontology and data files (plus rdf/rdfs/xsd/owl)
    shapes_prefixes: tuple[tuple[str, str], ...]
    texts: tuple[SourceText, ...]  # data files, then ontology files

    def names(self) -> Names:
        return Names(self.prefixes + self.shapes_prefixes)

    def locator(self) -> Locator:
        return Locator(self.texts)


def graph_iri(project: Project, part: str) -> str:
    """The IRI of a named part of the published dataset: ``<namespace>graph/<part>``."""
    return f"{project.namespace}graph/{part}"


def load_sources(project: Project) -> Sources:
    """Parse ontology, data and shapes (every syntax error reported at once)."""
    groups: dict[str, tuple[TurtleFile, ...]] = {}
    errors: list[InputError] = []
    for part, files in (
        ("ontology", project.ontology_files()),
        ("data", project.data_files()),
        ("shapes", project.shapes_files()),
    ):
        try:
            groups[part] = parse_files(files, root=project.root)
        except InputError as exc:
            errors.extend(exc.problems())  # type: ignore[arg-type]
    raise_collected(errors)

    ontology_iri, data_iri, shapes_iri = (graph_iri(project, p) for p in ("ontology", "data", "shapes"))
    published = canonical_graphs(
        {
            ontology_iri: _triples(groups["ontology"]),
            data_iri: _triples(groups["data"]),
        }
    )
    # own label prefix: pyshacl copies shape and data blank nodes into one results graph
    shapes = canonical_graphs({shapes_iri: _triples(groups["shapes"])}, label_prefix="s")[shapes_iri]
    prefixes = merge_prefixes(BASE_PREFIXES, *(f.prefixes for f in groups["ontology"] + groups["data"]))
    shapes_prefixes = merge_prefixes(*(f.prefixes for f in groups["shapes"]))
    ontology, data = published[ontology_iri], published[data_iri]
    graph = sorted_graph([*ontology, *data])
    for target, bindings in ((ontology, prefixes), (data, prefixes), (graph, prefixes), (shapes, shapes_prefixes)):
        for prefix, namespace in bindings:
            target.bind(prefix, namespace, override=True, replace=True)
    texts = tuple(
        SourceText(file=f.file, text=f.text, prefixes=f.prefixes) for f in groups["data"] + groups["ontology"]
    )
    return Sources(
        ontology=ontology,
        data=data,
        graph=graph,
        shapes=shapes,
        prefixes=prefixes,
        shapes_prefixes=shapes_prefixes,
        texts=texts,
    )


def _triples(files: Iterable[TurtleFile]):
    for turtle_file in files:
        yield from turtle_file.triples


def merge_prefixes(*declarations: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """First declaration of a prefix wins; a namespace keeps its first prefix. Sorted by prefix."""
    by_prefix: dict[str, str] = {}
    seen_namespaces: set[str] = set()
    for pairs in declarations:
        for prefix, namespace in pairs:
            if prefix in by_prefix or namespace in seen_namespaces:
                continue
            by_prefix[prefix] = namespace
            seen_namespaces.add(namespace)
    return tuple(sorted(by_prefix.items()))


def load_shapes(project: Project) -> tuple[Graph, tuple[tuple[str, str], ...]]:
    """Only the shapes graph (canonical blank nodes, as in ``load_sources``) and its prefixes."""
    files = parse_files(project.shapes_files(), root=project.root)
    shapes_iri = graph_iri(project, "shapes")
    shapes = canonical_graphs({shapes_iri: _triples(files)}, label_prefix="s")[shapes_iri]
    prefixes = merge_prefixes(*(f.prefixes for f in files))
    for prefix, namespace in prefixes:
        shapes.bind(prefix, namespace, override=True, replace=True)
    return shapes, prefixes
