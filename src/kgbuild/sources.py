"""Loading a project's Turtle sources into one canonical, in-memory Oxigraph store.

Parsing, blank-node canonicalisation and every check run on pyoxigraph, so a
build scales to millions of triples. The store holds the union of ontology
and data in the default graph (what is validated, queried and published),
the ontology again in the named graph ``<namespace>graph/ontology``, and in
``OVERLAP`` the data triples the ontology states too; ``quads``, ``count``
and ``dumps`` give each part (``…/graph/data`` is the union minus the
ontology plus the overlap), so the big part is stored once. rdflib views of
the graphs are made only when something asks for them (the rdflib query
engine, shape tests), and the labels and owners findings need come from
``neighbourhood``.
"""

from __future__ import annotations

import heapq
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from kgbuild.backends.convert import from_ox, to_ox
from kgbuild.canon import canonical_graphs, sorted_graph
from kgbuild.errors import InputError, raise_collected
from kgbuild.locate import Locator, SourceText
from kgbuild.project import Project
from kgbuild.rdfio import TurtleFile, parse_files
from kgbuild.serialize import sorted_lines
from kgbuild.shacl import WrittenLiterals
from kgbuild.terms import Names

# named graph of the store holding the data triples that the ontology states too (see _canonical_store)
OVERLAP = ox.NamedNode("urn:kgbuild:graph:overlap")

BASE_PREFIXES = (
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
)


@dataclass(frozen=True, eq=False)
class Sources:
    """The parsed project: a store with canonical blank nodes, the shapes, prefixes and file texts."""

    store: ox.Store  # default graph: ontology ∪ data; named graphs: ontology_iri, OVERLAP
    ontology_iri: str
    data_iri: str
    shapes: Graph
    prefixes: tuple[tuple[str, str], ...]  # from ontology and data files (plus rdf/rdfs/xsd/owl)
    shapes_prefixes: tuple[tuple[str, str], ...]
    texts: tuple[SourceText, ...]  # data files, then ontology files
    # the literals as written where the store keeps another form (SHACL's sh:datatype judges those)
    written: WrittenLiterals = field(default_factory=WrittenLiterals)

    def names(self) -> Names:
        return Names(self.prefixes + self.shapes_prefixes)

    def locator(self) -> Locator:
        return Locator(self.texts)

    def count(self, graph: str | None = None) -> int:
        """Triples in the union (``None``), or in the part ``ontology_iri`` or ``data_iri``."""
        if graph == self.data_iri:
            return self._count(None) - self._count(self.ontology_iri) + self._count(OVERLAP.value)
        return self._count(graph)

    def _count(self, graph: str | None) -> int:
        pattern = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        solutions = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")
        return int(next(iter(solutions))["n"].value)  # type: ignore[index]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The triples of the union (``None``), or of the part ``ontology_iri`` or ``data_iri``."""
        if graph != self.data_iri:
            name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
            yield from self.store.quads_for_pattern(None, None, None, name)
            return
        ontology = {_triple(q) for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(self.ontology_iri))}
        overlap = {_triple(q) for q in self.store.quads_for_pattern(None, None, None, OVERLAP)}
        for quad in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            if quad not in ontology or quad in overlap:
                yield quad

    def ntriples(self, graph: str | None = None) -> bytes:
        """Sorted N-Triples of the union (``None``) or of a named graph of the store."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        dump = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        assert dump is not None
        lines = dump.split(b"\n")
        del dump  # the lines hold the same bytes: free the dump before the sorted copy is joined
        return sorted_lines(lines)

    def dumps(self) -> tuple[bytes, bytes]:
        """Sorted N-Triples of the union, and sorted N-Quads of the ontology and data parts.

        Streamed: the data part is the union minus the (small) ontology plus the overlap, and a sorted
        N-Triples line keeps its place among the others when its graph is added (the first difference
        between two lines comes before their ends), so the N-Quads are a merge of two sorted streams.
        """
        union = self.ntriples()
        ontology_lines = self.ntriples(self.ontology_iri).splitlines()
        ontology, overlap = set(ontology_lines), set(self.ntriples(OVERLAP.value).splitlines())
        in_ontology, in_data = (f" <{iri}> .\n".encode() for iri in (self.ontology_iri, self.data_iri))

        def data() -> Iterator[bytes]:
            for line in io.BytesIO(union):
                line = line[:-1]
                if line not in ontology or line in overlap:
                    yield line[:-2] + in_data

        out = io.BytesIO()
        out.writelines(heapq.merge((line[:-2] + in_ontology for line in ontology_lines), data()))
        return union, out.getvalue()

    # --- rdflib views, made on first use -----------------------------------------------------

    @cached_property
    def graph(self) -> Graph:
        """ontology ∪ data as an rdflib graph (sorted insertion order)."""
        return self._rdflib(None)

    @cached_property
    def ontology(self) -> Graph:
        return self._rdflib(self.ontology_iri)

    @cached_property
    def data(self) -> Graph:
        return self._rdflib(self.data_iri)

    def _rdflib(self, graph: str | None) -> Graph:
        result = sorted_graph((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in self.quads(graph))
        for prefix, namespace in self.prefixes:
            result.bind(prefix, namespace, override=True, replace=True)
        return result

    def neighbourhood(self, nodes: Iterable[Node]) -> Graph:
        """The triples about ``nodes`` and pointing at them (followed up through blank nodes), as rdflib.

        Enough to name a node (labels) and to find the IRI a blank node hangs from.
        """
        result = Graph(bind_namespaces="none")
        seen: set[Node] = set()
        pending = [node for node in nodes if node is not None]
        default = ox.DefaultGraph()
        while pending:
            node = pending.pop()
            if node in seen or isinstance(node, ox.Literal):
                continue
            seen.add(node)
            try:
                term = to_ox(node)
            except TypeError:
                continue
            if isinstance(term, ox.Literal):
                continue
            for quad in self.store.quads_for_pattern(term, None, None, default):
                result.add((node, from_ox(quad.predicate), from_ox(quad.object)))
            for quad in self.store.quads_for_pattern(None, None, term, default):
                subject = from_ox(quad.subject)
                result.add((subject, from_ox(quad.predicate), node))
                if isinstance(subject, BNode):
                    pending.append(subject)
        return result


def _triple(quad: ox.Quad) -> ox.Quad:
    return ox.Quad(quad.subject, quad.predicate, quad.object)


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
    written = WrittenLiterals()
    store = _canonical_store(groups["ontology"], groups["data"], ontology_iri=ontology_iri, written=written)
    # own label prefix: pyshacl copies shape and data blank nodes into one results graph
    shapes = canonical_graphs({shapes_iri: _triples(groups["shapes"])}, label_prefix="s")[shapes_iri]
    prefixes = merge_prefixes(BASE_PREFIXES, *(f.prefixes for f in groups["ontology"] + groups["data"]))
    shapes_prefixes = merge_prefixes(*(f.prefixes for f in groups["shapes"]))
    for prefix, namespace in shapes_prefixes:
        shapes.bind(prefix, namespace, override=True, replace=True)
    texts = tuple(
        SourceText(file=f.file, text=f.text, prefixes=f.prefixes) for f in groups["data"] + groups["ontology"]
    )
    return Sources(
        store=store,
        ontology_iri=ontology_iri,
        data_iri=data_iri,
        shapes=shapes,
        prefixes=prefixes,
        shapes_prefixes=shapes_prefixes,
        texts=texts,
        written=written,
    )


def _canonical_store(ontology: Sequence[TurtleFile], data: Sequence[TurtleFile], *, ontology_iri: str,
                     written: WrittenLiterals | None = None) -> ox.Store:
    """An in-memory store holding the union in the default graph, the ontology in its named graph, and in
    ``OVERLAP`` the data triples the ontology also has (so the data graph is the union minus the ontology
    plus the overlap: the big part is stored once).

    Blank nodes are relabelled by RDFC-1.0 over all files together, so the same input always gives the
    same labels. ``written`` (if given) notes the literals the store keeps in another form than written.
    A label depends only on the quads that mention blank nodes, so only those are
    canonicalised (the data's in the default graph, the ontology's in its graph). The in-memory store
    answers in insertion order (GROUP_CONCAT in a shape message follows it): quads go in parse order,
    canonicalised ones as sorted N-Quads lines, so every run inserts alike.
    """
    ontology_name = ox.NamedNode(ontology_iri)
    blank = ox.Dataset()
    ontology_plain: set[ox.Quad] = set()
    store = ox.Store()

    def plain(files: Sequence[TurtleFile], *, in_ontology: bool) -> Iterator[ox.Quad]:
        for turtle_file in files:
            for quad in turtle_file.triples:
                subject, obj = quad.subject, quad.object
                if isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode):
                    blank.add(ox.Quad(subject, quad.predicate, obj, ontology_name) if in_ontology else quad)
                    continue
                if in_ontology:
                    ontology_plain.add(quad)
                    yield ox.Quad(subject, quad.predicate, obj, ontology_name)
                elif quad in ontology_plain:
                    yield ox.Quad(subject, quad.predicate, obj, OVERLAP)
                yield quad

    watch = (lambda quads: quads) if written is None else written.watch
    store.bulk_extend(watch(plain(ontology, in_ontology=True)))
    store.bulk_extend(watch(plain(data, in_ontology=False)))
    if len(blank):
        blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        nquads = sorted_lines((ox.serialize(blank, format=ox.RdfFormat.N_QUADS) or b"").split(b"\n"))
        # the ontology's lines once more without their graph name: the union holds them too
        graph_suffix = f" <{ontology_iri}> .".encode()
        union = b"".join(line[: -len(graph_suffix)] + b" .\n"
                         for line in nquads.splitlines() if line.endswith(graph_suffix))
        for part in (nquads, union):  # parsed, not loaded: a load would give the blank nodes new ids
            store.bulk_extend(watch(ox.parse(part, format=ox.RdfFormat.N_QUADS)))
    if written is not None:
        written.settle()
    return store


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
