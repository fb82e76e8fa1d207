"""The W3C SHACL test suite, read from its manifests and compared with a validation report.

The suite (w3c/data-shapes, ``data-shapes-test-suite/tests``) is not part of the repository: it is read from
``$KGBUILD_W3C_SHACL_TESTS`` or else ``../shared/w3c-shacl-tests`` beside the checkout (see ``suite_dir``).

An entry (``sht:Validate``) names a data graph, a shapes graph (files, often the entry's own file) and either
the expected ``sh:ValidationReport`` or ``sht:Failure`` (the shapes must be refused). An engine passes an
entry when its report has the expected ``sh:conforms`` and the same *set* of results, each result being
(focus node, path, severity, constraint component, value), absent parts as None. Messages, source shapes
and details are not compared.

Blank nodes are compared without depending on their labels, as strictly as the suite allows:

- a path is compared by its structure (``path_text``: predicate paths, sequences, alternatives, inverse and
  repeated steps, written out in full), wherever its nodes live (expected report, shapes graph, report);
- a focus node or value that is a blank node of the data graph is compared by identity: each file is parsed
  once per entry and that one parse is used for the data, the shapes and the expected report, so when the
  expected report sits in the data's own file (``sht:dataGraph <>``), ``_:b1`` in the report *is* the data's
  ``_:b1``. An expected blank node that is not in the data graph (a report in another file) is matched by
  its description (its triples, following blank objects, ``_described``) with the one data node described
  alike; with none or several such nodes it matches nothing (the entry fails, and says why).

Two blank nodes are therefore never equal "because both are blank": a report that names the wrong blank
node fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

ENVIRONMENT = "KGBUILD_W3C_SHACL_TESTS"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "w3c-shacl-tests"
WHERE_TO_GET_IT = (
    f"W3C SHACL test suite not found (set {ENVIRONMENT}, or put it at ../shared/w3c-shacl-tests beside the "
    "checkout): copy data-shapes-test-suite/tests from https://github.com/w3c/data-shapes"
)


def suite_dir() -> Path | None:
    """The suite's ``tests`` directory (the one holding ``manifest.ttl``), or None where it is absent.

    ``$KGBUILD_W3C_SHACL_TESTS`` (if set) names it or the directory above it; else ``../shared/w3c-shacl-tests``
    beside the checkout.
    """
    configured = os.environ.get(ENVIRONMENT)
    base = Path(configured) if configured else DEFAULT
    for candidate in (base / "tests", base):
        if (candidate / "manifest.ttl").is_file():
            return candidate
    return None


# --- reading the suite ------------------------------------------------------------------------------------


class Documents:
    """Each file of one entry parsed once (blank nodes relabelled apart per file): triples and an rdflib graph."""

    def __init__(self) -> None:
        self._triples: dict[Path, list[ox.Triple]] = {}
        self._graphs: dict[Path, Graph] = {}

    def triples(self, path: Path) -> list[ox.Triple]:
        if path not in self._triples:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri(),
                             rename_blank_nodes=True)
            self._triples[path] = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return self._triples[path]

    def graph(self, path: Path) -> Graph:
        if path not in self._graphs:
            graph = Graph()
            for triple in self.triples(path):
                graph.add((_rd(triple.subject), _rd(triple.predicate), _rd(triple.object)))
            self._graphs[path] = graph
        return self._graphs[path]


def _rd(term) -> Node:
    """The rdflib term for a pyoxigraph one, lexical forms as written."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


@dataclass(frozen=True)
class Entry:
    """One ``sht:Validate`` entry of the suite."""

    id: str  # the entry's IRI relative to the suite's directory, e.g. "core/property/minCount-001"
    file: Path  # the file that declares it (and holds its expected report)
    node: URIRef
    data: Path
    shapes: Path
    failure: bool  # the expected result is sht:Failure: the shapes must be refused


def entries(tests: Path) -> list[Entry]:
    """Every ``sht:Validate`` entry reached from ``tests/manifest.ttl`` through ``mf:include``, in order."""
    found: list[Entry] = []
    seen: set[Path] = set()

    def walk(path: Path) -> None:
        if path in seen:
            return
        seen.add(path)
        graph = Documents().graph(path)
        manifest = URIRef(path.as_uri())
        for entries_list in graph.objects(manifest, MF.entries):
            for node in Collection(graph, entries_list):
                found.append(_entry(graph, node, path, tests))
        for included in sorted(graph.objects(manifest, MF.include), key=str):
            walk(_file(included))

    walk(tests / "manifest.ttl")
    return found


def _entry(graph: Graph, node: Node, path: Path, tests: Path) -> Entry:
    assert isinstance(node, URIRef) and (node, RDF.type, SHT.Validate) in graph, f"{path}: {node} is not sht:Validate"
    action = graph.value(node, MF.action)
    data, shapes = graph.value(action, SHT.dataGraph), graph.value(action, SHT.shapesGraph)
    return Entry(
        id=_file(node).relative_to(tests).as_posix(),
        file=path,
        node=node,
        data=_file(data),
        shapes=_file(shapes),
        failure=graph.value(node, MF.result) == SHT.Failure,
    )


def _file(iri: Node | None) -> Path:
    parsed = urlparse(str(iri))
    assert parsed.scheme == "file", f"not a file IRI: {iri}"
    return Path(unquote(parsed.path))


# --- reports, compared ------------------------------------------------------------------------------------

ResultKey = tuple[object, object, object, object, object]  # focus, path, severity, component, value


@dataclass(frozen=True)
class Report:
    """What an engine made of an entry: conforms and the results' keys, or its refusal."""

    conforms: bool | None
    results: frozenset[ResultKey] = frozenset()
    refused: str | None = None  # the engine's message when it refused the shapes


@dataclass
class Keys:
    """Turns the terms of a result into comparable keys (see the module's note on blank nodes)."""

    data: Graph
    data_blanks: set[Node] = field(init=False)

    def __post_init__(self) -> None:
        self.data_blanks = {t for triple in self.data for t in (triple[0], triple[2]) if isinstance(t, BNode)}

    def node(self, term: Node | None, graph: Graph) -> object:
        """The key of a focus node or value found in ``graph`` (a report, or the data)."""
        if term is None or not isinstance(term, BNode):
            return None if term is None else term.n3()
        if term in self.data_blanks:
            return ("blank node", str(term))
        description = _described(term, graph)
        alike = [b for b in self.data_blanks if _described(b, self.data) == description]
        if len(alike) == 1:
            return ("blank node", str(alike[0]))
        return ("blank node not in the data graph", len(alike), description)

    def result(self, graph: Graph, result: Node, path_graphs: Iterable[Graph]) -> ResultKey:
        path = graph.value(result, SH.resultPath)
        if path is not None:
            where = next((g for g in (graph, *path_graphs) if (path, None, None) in g), graph)
            path_key: object = path_text(path, where)
        else:
            path_key = None
        severity, component = graph.value(result, SH.resultSeverity), graph.value(result, SH.sourceConstraintComponent)
        return (
            self.node(graph.value(result, SH.focusNode), graph),
            path_key,
            None if severity is None else severity.n3(),
            None if component is None else component.n3(),
            self.node(graph.value(result, SH.value), graph),
        )

    def report(self, graph: Graph, report: Node | None, path_graphs: Iterable[Graph] = ()) -> Report:
        """The report ``report`` in ``graph`` (its paths may be nodes of ``path_graphs``); None: no report."""
        if report is None:
            return Report(conforms=None)
        conforms = graph.value(report, SH.conforms)
        path_graphs = tuple(path_graphs)
        return Report(
            conforms=conforms.toPython() if isinstance(conforms, Literal) else None,
            results=frozenset(self.result(graph, r, path_graphs) for r in graph.objects(report, SH.result)),
        )


def path_text(path: Node, graph: Graph) -> str:
    """A SHACL property path written out in full (each step bracketed), the same for the same structure."""
    if isinstance(path, URIRef):
        return path.n3()
    if (path, RDF.first, None) in graph:
        return "(" + " / ".join(path_text(step, graph) for step in Collection(graph, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(path_text(inner, graph))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(path_text(step, graph) for step in Collection(graph, alternatives)) + ")"
    return f"(not a SHACL path: {_described(path, graph)})"


def _described(node: Node, graph: Graph, within: frozenset = frozenset()) -> object:
    """A blank node's triples as a nested, sorted tuple (blank objects described in turn, cycles cut)."""
    if not isinstance(node, BNode):
        return node.n3()
    if node in within:
        return "(cycle)"
    inside = within | {node}
    return tuple(sorted((str(p), repr(_described(o, graph, inside))) for p, o in graph.predicate_objects(node)))


def expected_report(entry: Entry, documents: Documents, keys: Keys) -> Report:
    """The entry's expected report, compared like an engine's."""
    graph = documents.graph(entry.file)
    report = graph.value(entry.node, MF.result)
    assert report is not None and (report, RDF.type, SH.ValidationReport) in graph, f"{entry.id}: no expected report"
    return keys.report(graph, report)


# --- running an engine on an entry ------------------------------------------------------------------------

Engine = Callable[[list[ox.Triple], Graph, Graph, "Keys"], Report]  # (data triples, data graph, shapes, keys)


def outcome(entry: Entry, engine: Engine) -> tuple[bool, str]:
    """Whether ``engine`` passes ``entry``, and if not, what differs."""
    documents = Documents()
    data_graph = documents.graph(entry.data)
    keys = Keys(data_graph)
    report = engine(documents.triples(entry.data), data_graph, documents.graph(entry.shapes), keys)
    if entry.failure:
        if report.refused is not None:
            return True, ""
        return False, f"expected the shapes to be refused (sht:Failure), got a report of {len(report.results)} results"
    if report.refused is not None:
        return False, f"refused the shapes: {report.refused}"
    expected = expected_report(entry, documents, keys)
    problems = []
    if report.conforms != expected.conforms:
        problems.append(f"sh:conforms {report.conforms}, expected {expected.conforms}")
    missing, extra = expected.results - report.results, report.results - expected.results
    problems += [f"missing {_shown(key)}" for key in sorted(missing, key=repr)]
    problems += [f"unexpected {_shown(key)}" for key in sorted(extra, key=repr)]
    return not problems, "\n".join(problems)


def outcomes(found: Iterable[Entry], engine: Engine) -> dict[str, tuple[bool, str]]:
    """Each entry's outcome with ``engine`` (entry id -> passed, what differs); an engine that raises on an
    entry fails it, the error as the difference. The whole suite in one call: pyshacl's test and the
    benchmark harness (its pass counts) use it."""
    results: dict[str, tuple[bool, str]] = {}
    for entry in found:
        try:
            results[entry.id] = outcome(entry, engine)
        except Exception as exc:  # noqa: BLE001 - an engine fails some entries by raising (not refusing)
            results[entry.id] = (False, f"{type(exc).__name__}: {exc}")
    return results


def _shown(key: ResultKey) -> str:
    names = ("focus", "path", "severity", "component", "value")
    return "(" + ", ".join(f"{n}={v}" for n, v in zip(names, key) if v is not None) + ")"


# --- pass counts, for the terminal summary (tests/conftest.py) ---------------------------------------------

PASSED: dict[str, dict[str, bool]] = {}  # engine name -> entry id -> passed


def record(engine: str, entry: Entry, passed: bool) -> None:
    PASSED.setdefault(engine, {})[entry.id] = passed


def summary() -> str | None:
    """The line "W3C SHACL test suite: kgbuild engine passes N of T; pyshacl M of T" for the entries run."""
    if not PASSED:
        return None
    parts = []
    for engine, label in (("kgbuild", "kgbuild engine passes"), ("pyshacl", "pyshacl")):
        if engine in PASSED:
            runs = PASSED[engine]
            parts.append(f"{label} {sum(runs.values())} of {len(runs)}")
    return "W3C SHACL test suite: " + "; ".join(parts)
