"""SHACL validation of any RDF files with any shapes, no project needed (``kgbuild shacl``).

``validate_files(data, shapes=...)`` reads the named files and nothing else: Turtle (``.ttl``, and any
unknown suffix), N-Triples (``.nt``), TriG (``.trig``), N-Quads (``.nq``), JSON-LD (``.jsonld``,
``.json``; contexts must be inline, none is fetched) and RDF/XML (``.rdf``, ``.owl``); relative IRIs
resolve against the file's own ``file:`` URI (its location, as RFC 3986 says). ``owl:imports``
is a triple like any other: nothing is followed, nothing is fetched. Triples in named graphs (TriG,
N-Quads) are validated as part of the one data graph; graph names are ignored.

Without ``shapes`` the data graph is also the shapes graph, as pyshacl does (a file holding both
its shapes and its data, as the W3C SHACL test suite's files do, validates on its own). With
``shapes``, only those files are the shapes graph, and they are not part of the data.

The data files are loaded into an in-memory Oxigraph store (the literals as written noted, so
``sh:datatype`` judges them as written) and the shapes run on kgbuild's SHACL engine. The report
conforms iff there is no result at all, whatever its severity (SHACL 3.6.1.1). Blank nodes are
labelled ``_:b1``, ``_:b2``… (data) and ``_:s1``… (separate shapes files) in the order they first
appear, so the same files always give the same report.

Failures are exceptions: ``InputError`` for a missing, unreadable or unparsable file (file, line,
column), for shapes the engine cannot run (the feature and the shape named), and for shapes that
would send SERVICE requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.backends.convert import from_ox, to_ox
from kgbuild.errors import InputError, raise_collected

# kgbuild.shacl (the engine) and kgbuild.validation (its wording of results): only these names, only here
from kgbuild.federation import refuse_service_in_shapes
from kgbuild.locate import Locator, SourceText
from kgbuild.rdfio import FORMAT_NAMES, SUFFIX_FORMATS, decode_text, drain, too_long
from kgbuild.shacl import ShapesProgram, WrittenLiterals
from kgbuild.terms import Names
from kgbuild.validation import engine_findings, render_path

# prefixes for names no input file declares (an input file's own declaration wins)
DEFAULT_PREFIXES = (
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("sh", str(SH)),
    ("xsd", str(XSD)),
)
SEVERITY_WORDS = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
MAX_ERRORS_PER_FILE = 20
_PLAIN = Names(())  # full IRIs: the JSON form does not depend on the files' prefixes


@dataclass(frozen=True)
class RdfFile:
    """One parsed input file: its triples (named graphs merged, blank nodes relabelled) and prefixes."""

    file: str  # as named by the caller
    text: str
    triples: tuple[ox.Triple, ...]
    prefixes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, with the readable forms people see.

    ``focus``, ``path``, ``value``, ``shape``: the terms (rdflib; ``path`` and a blank ``shape`` are
    nodes of the shapes graph). ``severity``: ``violation``/``warning``/``info``, or the IRI of another
    severity. ``focus_label``: a label of the focus node, or for a blank node where it hangs
    (``ex:a ex:p []``). ``file``/``line``: where the focus node (or its owner) is written, when found.
    """

    severity: str
    severity_iri: URIRef
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    component: URIRef
    shape: Node
    constraint: Node | None
    focus_label: str | None
    file: str | None
    line: int | None


@dataclass(frozen=True)
class ShaclRun:
    """The outcome of ``validate_files``: the results, sorted, and what is needed to render them."""

    results: tuple[ShaclResult, ...]
    shapes: Graph
    prefixes: tuple[tuple[str, str], ...]
    data_files: tuple[str, ...]
    shapes_files: tuple[str, ...]  # empty: the data graph was the shapes graph
    targeted_shapes: int = 0  # shapes with a target of their own: none means nothing was checked

    @property
    def conforms(self) -> bool:
        """SHACL 3.6.1.1: true iff there is no result, whatever its severity."""
        return not self.results

    @property
    def counts(self) -> dict[str, int]:
        """Results per severity: ``violation``, ``warning``, ``info`` always, other severities by IRI."""
        counts = {word: 0 for word in SEVERITY_WORDS.values()}
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    def names(self) -> Names:
        return Names(self.prefixes)


# --- reading the files ------------------------------------------------------------------------------


def read_rdf(path: Path, *, file: str, labels: dict[str, int], prefix: str) -> RdfFile:
    """Parse one file in the format its suffix says (Turtle when unknown).

    Blank nodes are relabelled ``<prefix><n>`` with ``labels[prefix]`` counting on, in the order they first
    appear; two files never share one. Raises ``InputError``/``InputErrors`` naming file, line and column.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=file) from None
    text = decode_text(raw, file=file)
    rdf_format = SUFFIX_FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)
    name = FORMAT_NAMES[rdf_format]
    # relative IRIs resolve against the file's own location (its retrieval URI, RFC 3986 5.1.3)
    parser = ox.parse(text.encode("utf-8"), format=rdf_format, base_iri=path.resolve().as_uri(),
                      rename_blank_nodes=False)
    own: dict[str, ox.BlankNode] = {}

    def relabel(term):
        if not isinstance(term, ox.BlankNode):
            return term
        node = own.get(term.value)
        if node is None:
            labels[prefix] = labels.get(prefix, 0) + 1
            node = own[term.value] = ox.BlankNode(f"{prefix}{labels[prefix]}")
        return node

    drained = drain(parser, recovers=rdf_format not in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML))
    errors = [_syntax_error(exc, name, file) for exc in drained.errors]
    if drained.too_long is not None:
        line, message = too_long(text, drained.too_long)
        errors.append(InputError(message, file=file, line=line))
    triples: list[ox.Triple] = []
    for quad in drained.quads:
        if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            errors.append(InputError("RDF 1.2 triple terms are not supported", file=file))
            break
        triples.append(ox.Triple(relabel(quad.subject), quad.predicate, relabel(quad.object)))
    raise_collected(errors)
    prefixes = getattr(parser, "prefixes", None) if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return RdfFile(file=file, text=text, triples=tuple(triples), prefixes=tuple(sorted((prefixes or {}).items())))


def _syntax_error(exc: SyntaxError, name: str, file: str) -> InputError:
    message = str(getattr(exc, "msg", None) or exc)
    if message.startswith("Parser error"):
        message = message.split(": ", 1)[-1]
    if "LoadDocumentCallback" in message:
        message = "a JSON-LD @context given by URL (contexts are never fetched: write it inline)"
    return InputError(f"{name} syntax error: {message}", file=file, line=exc.lineno, column=exc.offset)


def _read_all(paths: Sequence[Path], *, labels: dict[str, int], prefix: str) -> tuple[list[RdfFile], list[InputError]]:
    parsed: list[RdfFile] = []
    errors: list[InputError] = []
    for path in paths:
        try:
            parsed.append(read_rdf(path, file=str(path), labels=labels, prefix=prefix))
        except InputError as exc:
            errors.extend(exc.problems())  # type: ignore[arg-type]
    return parsed, errors


# --- validating -------------------------------------------------------------------------------------


def validate_files(data: Sequence[Path], *, shapes: Sequence[Path] = ()) -> ShaclRun:
    """Validate the RDF files ``data`` (one data graph) against the shapes in ``shapes`` (one shapes
    graph; none: the data graph is the shapes graph). Reads only these files; sends no request.

    Raises ``InputError`` (or ``InputErrors``, every unusable file at once) when a file cannot be read
    or parsed, and when the shapes use what kgbuild's SHACL engine does not run.
    """
    if not data:
        raise InputError("no data file given")
    labels: dict[str, int] = {}
    data_files, errors = _read_all(data, labels=labels, prefix="b")
    shapes_files, shape_errors = _read_all(shapes, labels=labels, prefix="s")
    raise_collected(errors + shape_errors)
    shapes_graph = Graph(bind_namespaces="none")
    for source in (shapes_files or data_files):
        for triple in source.triples:  # no triple terms: read_rdf refuses them
            shapes_graph.add((from_ox(triple.subject), from_ox(triple.predicate),  # type: ignore[arg-type]
                              from_ox(triple.object)))  # type: ignore[arg-type]
    prefixes = _merge_prefixes(*(f.prefixes for f in data_files + shapes_files), DEFAULT_PREFIXES)
    for prefix, namespace in prefixes:
        shapes_graph.bind(prefix, namespace, override=True, replace=True)

    store, written = ox.Store(), WrittenLiterals()
    store.bulk_extend(written.watch(
        ox.Quad(t.subject, t.predicate, t.object) for source in data_files for t in source.triples))
    written.settle()
    shapes_sources = shapes_files or data_files
    shapes_file = shapes_sources[0].file if len(shapes_sources) == 1 else None
    try:
        # shapes from anywhere: a SPARQL constraint calling SERVICE would send a request nobody asked for
        results = ShapesProgram(shapes_graph, refuse_service=refuse_service_in_shapes).validate(store, written=written)
    except InputError as exc:
        raise InputError(f"shapes not usable: {exc.message}", file=exc.file or shapes_file,
                         line=exc.line, column=exc.column) from None
    except (ValueError, TypeError) as exc:  # a parameter the engine does not check before using it (sh:minCount "one")
        raise InputError(f"shapes not usable: a shape parameter has a value the engine cannot use: {exc}",
                         file=shapes_file) from None

    names = Names(prefixes)
    context = _neighbourhood(store, [node for r in results for node in (r.focus, r.value) if node is not None])
    locator = Locator(tuple(SourceText(file=f.file, text=f.text, prefixes=f.prefixes) for f in data_files))
    findings = engine_findings(results, data_graph=context, shapes_graph=shapes_graph, names=names, locator=locator)
    out = []
    for result, finding in zip(results, findings):
        out.append(ShaclResult(
            severity=SEVERITY_WORDS.get(result.severity, str(result.severity)),
            severity_iri=result.severity,
            focus=result.focus,
            path=result.path,
            value=result.value,
            message=finding.message,
            component=result.component_iri,
            shape=result.shape,
            constraint=result.constraint,
            focus_label=finding.focus_label,
            file=finding.file,
            line=finding.line,
        ))
    return ShaclRun(
        results=tuple(sorted(set(out), key=lambda r: _sort_key(r, shapes_graph))),
        shapes=shapes_graph,
        prefixes=prefixes,
        data_files=tuple(f.file for f in data_files),
        shapes_files=tuple(f.file for f in shapes_files),
        targeted_shapes=_targeted_shapes(shapes_graph),
    )


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _targeted_shapes(shapes: Graph) -> int:
    """The shapes with a target of their own (explicit, or implicit: a shape that is also a class)."""
    found = {shape for predicate in _TARGETS for shape in shapes.subjects(predicate, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(shape for shape in shapes.subjects(RDF.type, kind)
                     if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes)
    return len(found)


def _sort_key(result: ShaclResult, shapes: Graph) -> tuple:
    return (
        result.file or "\uffff", result.line or 0, result.focus.n3(),
        "" if result.path is None else render_path(result.path, shapes, _PLAIN),
        str(result.component), result.shape.n3(), "" if result.value is None else result.value.n3(), result.message,
        result.severity,
    )


def _merge_prefixes(*declarations: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The first declaration of a prefix wins, and a namespace keeps its first prefix."""
    by_prefix: dict[str, str] = {}
    namespaces: set[str] = set()
    for pairs in declarations:
        for prefix, namespace in pairs:
            if prefix not in by_prefix and namespace not in namespaces:
                by_prefix[prefix] = namespace
                namespaces.add(namespace)
    return tuple(sorted(by_prefix.items()))


def _neighbourhood(store: ox.Store, nodes: Iterable[Node]) -> Graph:
    """The triples about ``nodes`` and pointing at them, followed up through blank nodes (to name them)."""
    graph = Graph(bind_namespaces="none")
    seen: set[Node] = set()
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if node in seen or isinstance(node, Literal):
            continue
        seen.add(node)
        term = to_ox(node)
        assert not isinstance(term, ox.Literal)
        for quad in store.quads_for_pattern(term, None, None, ox.DefaultGraph()):
            graph.add((node, from_ox(quad.predicate), from_ox(quad.object)))  # type: ignore[arg-type]
        for quad in store.quads_for_pattern(None, None, term, ox.DefaultGraph()):
            subject = from_ox(quad.subject)  # type: ignore[arg-type]
            graph.add((subject, from_ox(quad.predicate), node))
            if isinstance(subject, BNode):
                pending.append(subject)
    return graph


# --- rendering --------------------------------------------------------------------------------------


def shape_name(run: ShaclRun, shape: Node, names: Names) -> str:
    """A shape as people read it: its name, or for a blank property shape ``[sh:path P] of ex:Shape``."""
    if not isinstance(shape, BNode):
        return names.short(shape)
    path = run.shapes.value(shape, SH.path)
    inner = f"[sh:path {render_path(path, run.shapes, names)}]" if path is not None else "[]"
    parents = sorted((p for p in run.shapes.subjects(SH.property, shape)), key=lambda p: (isinstance(p, BNode), str(p)))
    if parents and not isinstance(parents[0], BNode):
        return f"{inner} of {names.short(parents[0])}"
    return inner


def render_text(run: ShaclRun) -> str:
    """One line per result and a summary line:

    ``FILE:LINE: SEVERITY FOCUS (LABEL) path PATH value VALUE: MESSAGE (COMPONENT, shape SHAPE)``
    (the parts not known or not given left out), with the prefixes of the input files.
    """
    names = run.names()
    lines = []
    for result in run.results:
        focus = result.focus_label if isinstance(result.focus, BNode) and result.focus_label else names.short(result.focus)
        parts = [f"{result.severity.upper()} {focus}"]
        if result.focus_label and not isinstance(result.focus, BNode):
            parts.append(f"({result.focus_label})")
        if result.path is not None:
            parts.append(f"path {render_path(result.path, run.shapes, names)}")
        if result.value is not None and result.value != result.focus:
            parts.append(f"value {names.short(result.value)}")
        line = " ".join(parts) + f": {result.message} ({names.short(result.component)}, " \
            f"shape {shape_name(run, result.shape, names)})"
        where = f"{result.file}:{result.line}: " if result.file and result.line else ""
        lines.append(where + line)
    lines.append(summary(run))
    return "\n".join(lines) + "\n"


def summary(run: ShaclRun) -> str:
    files = f"{len(run.data_files)} data file{'s' if len(run.data_files) != 1 else ''}"
    shapes = (f"{len(run.shapes_files)} shapes file{'s' if len(run.shapes_files) != 1 else ''}"
              if run.shapes_files else "shapes from the data")
    if run.conforms:
        return f"conforms: no results ({files}, {shapes})"
    count = len(run.results)
    tally = ", ".join(f"{n} {_plural(severity, n)}" for severity, n in run.counts.items() if n)
    return f"does not conform: {count} result{'s' if count != 1 else ''} ({tally}; {files}, {shapes})"


def _plural(severity: str, count: int) -> str:
    return severity + "s" if count != 1 and severity in ("violation", "warning") else severity


def to_dict(run: ShaclRun) -> dict:
    """The JSON form (stable; terms in N-Triples syntax, paths in SPARQL property-path syntax, full IRIs)::

        {"conforms": bool,                      # no result at all (SHACL 3.6.1.1)
         "counts": {"violation": int, "warning": int, "info": int},   # + other severities by IRI
         "data_files": [str], "shapes_files": [str],   # shapes_files empty: the data was the shapes graph
         "results": [                           # sorted by file, line, focus, path, component, shape, value
           {"severity": "violation" | "warning" | "info" | "<IRI of another severity>",
            "focus": "<http://…>" | "_:b1" | "\\"literal\\"",
            "focus_label": str | null,         # label, or for a blank node where it hangs
            "path": "<http://…>" | "^<http://…>" | … | null,
            "value": str | null,                # N-Triples term
            "message": str,
            "component": "http://www.w3.org/ns/shacl#…ConstraintComponent",
            "shape": "<http://…>" | "_:s1",
            "file": str | null, "line": int | null}   # where the focus node is written, when found
         ]}
    """
    return {
        "conforms": run.conforms,
        "counts": run.counts,
        "data_files": list(run.data_files),
        "shapes_files": list(run.shapes_files),
        "results": [
            {
                "severity": result.severity,
                "focus": result.focus.n3(),
                "focus_label": result.focus_label,
                "path": None if result.path is None else render_path(result.path, run.shapes, _PLAIN),
                "value": None if result.value is None else result.value.n3(),
                "message": result.message,
                "component": str(result.component),
                "shape": result.shape.n3(),
                "file": result.file,
                "line": result.line,
            }
            for result in run.results
        ],
    }


def report_graph(run: ShaclRun) -> Graph:
    """The ``sh:ValidationReport`` (SHACL 3.6): ``sh:conforms`` and one ``sh:ValidationResult`` per result,
    blank-node paths copied from the shapes graph."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in run.prefixes:
        graph.bind(prefix, namespace, override=True, replace=True)
    report = BNode("report")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(run.conforms)))
    for number, result in enumerate(run.results, start=1):
        node = BNode(f"r{number}")
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, result.focus))
        graph.add((node, SH.resultSeverity, result.severity_iri))
        graph.add((node, SH.sourceConstraintComponent, result.component))
        graph.add((node, SH.sourceShape, result.shape))
        graph.add((node, SH.resultMessage, Literal(result.message)))
        if result.path is not None:
            graph.add((node, SH.resultPath, result.path))
            _copy_blank(run.shapes, result.path, graph)
        if result.value is not None:
            graph.add((node, SH.value, result.value))
        if result.constraint is not None:
            graph.add((node, SH.sourceConstraint, result.constraint))
    return graph


def _copy_blank(source: Graph, node: Node, target: Graph) -> None:
    """The triples of ``source`` reachable from blank ``node`` through blank nodes (a path, an RDF list)."""
    pending, seen = [node], set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BNode) or current in seen:
            continue
        seen.add(current)
        for predicate, obj in source.predicate_objects(current):
            target.add((current, predicate, obj))
            pending.append(obj)


def render_turtle(run: ShaclRun) -> str:
    return report_graph(run).serialize(format="turtle")
