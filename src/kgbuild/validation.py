"""SHACL validation with pyshacl, and turning its results graph into Findings.

Rule ids: the local name (after the last ``#`` or ``/``) of the result's
``sh:sourceShape`` when that shape is an IRI; for a blank-node property
shape, the local name of the node shape holding it (via ``sh:property``)
plus ``/`` plus the local name of its ``sh:path``.

Messages: ``sh:resultMessage`` when the shape defines ``sh:message`` (on
the shape or on its ``sh:sparql`` constraint); otherwise kgbuild's own
wording per constraint component (pyshacl's generated messages are not
deterministic across processes). The same message replaces pyshacl's in
the results graph, so both report forms agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgbuild.canon import sorted_graph
from kgbuild.errors import InputError
from kgbuild.findings import Finding
from kgbuild.locate import Locator
from kgbuild.terms import Names, describe, local_name, owner

SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

# constraint component (local name without "ConstraintComponent") -> (parameter, wording)
_WORDING: dict[str, tuple[str | None, str]] = {
    "MinCount": ("minCount", "needs at least {} value(s)"),
    "MaxCount": ("maxCount", "allows at most {} value(s)"),
    "Datatype": ("datatype", "value must be a literal of datatype {}"),
    "Class": ("class", "value must be an instance of {}"),
    "NodeKind": ("nodeKind", "value must be of node kind {}"),
    "In": ("in", "value must be one of {}"),
    "HasValue": ("hasValue", "must have the value {}"),
    "Pattern": ("pattern", "value must match the pattern {}"),
    "MinLength": ("minLength", "value must be at least {} characters long"),
    "MaxLength": ("maxLength", "value must be at most {} characters long"),
    "MinInclusive": ("minInclusive", "value must be >= {}"),
    "MinExclusive": ("minExclusive", "value must be > {}"),
    "MaxInclusive": ("maxInclusive", "value must be <= {}"),
    "MaxExclusive": ("maxExclusive", "value must be < {}"),
    "LanguageIn": ("languageIn", "language tag must be one of {}"),
    "UniqueLang": (None, "language tags must be unique"),
    "Node": ("node", "value must conform to shape {}"),
    "QualifiedMinCount": ("qualifiedMinCount", "needs at least {} value(s) conforming to the qualified shape"),
    "QualifiedMaxCount": ("qualifiedMaxCount", "allows at most {} value(s) conforming to the qualified shape"),
    "Closed": (None, "property not allowed by the closed shape"),
    "Equals": ("equals", "values must equal those of {}"),
    "Disjoint": ("disjoint", "values must differ from those of {}"),
    "LessThan": ("lessThan", "value must be less than the values of {}"),
    "LessThanOrEquals": ("lessThanOrEquals", "value must be at most the values of {}"),
    "Or": (None, "value must conform to at least one of the listed shapes"),
    "And": (None, "value must conform to all of the listed shapes"),
    "Not": (None, "value must not conform to the negated shape"),
    "Xone": (None, "value must conform to exactly one of the listed shapes"),
    "Sparql": (None, "violates the SPARQL constraint"),
}


@dataclass(frozen=True)
class ShaclOutcome:
    findings: tuple[Finding, ...]
    make_graph: Callable[[], Graph] = field(repr=False, compare=False)

    @cached_property
    def results_graph(self) -> Graph:
        """The SHACL report graph (pyshacl's, or made of the engine's results when first asked), messages made
        deterministic."""
        return self.make_graph()


def run_shacl(
    *,
    data_graph: Graph,
    shapes_graph: Graph,
    names: Names,
    locator: Locator,
    shapes_file: str | None = None,
) -> ShaclOutcome:
    """Validate ``data_graph`` (ontology ∪ data) against ``shapes_graph``."""
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, RuleLoadError, ShapeLoadError

    from kgbuild.federation import refuse_service_in_shapes

    refuse_service_in_shapes(shapes_graph, file=shapes_file)  # pyshacl (rdflib) would send SERVICE requests
    try:
        _, results_graph, _ = pyshacl.validate(
            # a private copy, so inplace=True (needed to keep the deterministic
            # insertion order; pyshacl's own copy would not) cannot touch ours
            data_graph=sorted_graph(data_graph),
            inplace=True,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            abort_on_first=False,
            meta_shacl=False,
        )
    except (ConstraintLoadError, ShapeLoadError, RuleLoadError, ReportableRuntimeError) as exc:
        message = " ".join(str(getattr(exc, "message", exc)).split())
        raise InputError(f"SHACL shapes unusable: {message}", file=shapes_file) from exc
    reader = _ResultReader(data_graph, shapes_graph, results_graph, names, locator)
    findings = tuple(reader.finding(result) for result in reader.results())
    return ShaclOutcome(findings=findings, make_graph=lambda: results_graph)


class _ResultReader:
    def __init__(self, data: Graph, shapes: Graph, results: Graph, names: Names, locator: Locator) -> None:
        self.data = data
        self.shapes = shapes
        self.results_graph = results
        self.names = names
        self.locator = locator
        self.owners: dict = {}  # memo of terms.owner over self.data
        self._memo: dict[tuple, object] = {}  # what depends on the shape (or path) only, worked out once each

    def _once(self, key: tuple, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def results(self) -> list[Node]:
        return list(self.results_graph.subjects(RDF.type, SH.ValidationResult))

    def finding(self, result: Node) -> Finding:
        g = self.results_graph
        shape = g.value(result, SH.sourceShape)
        focus = g.value(result, SH.focusNode)
        path = g.value(result, SH.resultPath)
        value = g.value(result, SH.value)
        severity = SEVERITY_NAMES.get(g.value(result, SH.resultSeverity), "violation")  # type: ignore[arg-type]
        message = self._message(result, shape)
        return self._finding(shape, focus, path, value, severity, message)

    def finding_of(self, result) -> Finding:
        """The finding of a ``kgbuild.shacl.Result``, read from it directly (the same as through a report graph)."""
        shape = result.shape
        message, _ = self._pick_message(shape, result.component_iri, result.messages)
        severity = SEVERITY_NAMES.get(result.severity, "violation")
        return self._finding(shape, result.focus, result.path, result.value, severity, message)

    def messages_of(self, result) -> tuple[Literal, ...]:
        """The sh:resultMessage of a ``kgbuild.shacl.Result`` in the report graph: the shape's own messages, else
        kgbuild's wording (as ``finding_of`` picks)."""
        message, own = self._pick_message(result.shape, result.component_iri, result.messages)
        return tuple(result.messages) if own else (Literal(message),)

    def _finding(self, shape, focus, path, value, severity: str, message: str) -> Finding:
        where = None
        anchor = owner(self.data, focus, owners=self.owners) if isinstance(focus, BNode) else focus
        if isinstance(anchor, URIRef):
            where = self.locator.subject(str(anchor))
        return Finding(
            severity=severity,
            rule=self._once(("rule", shape), lambda: self._rule(shape)),
            message=message,
            focus=str(focus) if isinstance(focus, URIRef) else None,
            focus_label=None if focus is None else describe(self.data, focus, self.names, owners=self.owners),
            path=None if path is None else self._once(("path", path), lambda: self._path(path)),
            value=None if value is None or value == focus else self._value(value),
            shape=self._once(("shape", shape), lambda: self._shape_name(shape)),
            file=where.file if where else None,
            line=where.line if where else None,
        )

    # --- naming -------------------------------------------------------------------

    def _parent(self, shape: Node) -> URIRef | None:
        parents = sorted(p for p in self.shapes.subjects(SH.property, shape) if isinstance(p, URIRef))
        return parents[0] if parents else None

    def _rule(self, shape: Node | None) -> str:
        if isinstance(shape, URIRef):
            return local_name(str(shape))
        parent = self._parent(shape) if shape is not None else None
        head = local_name(str(parent)) if parent is not None else "shape"
        path = self.shapes.value(shape, SH.path) if shape is not None else None
        tail = local_name(str(path)) if isinstance(path, URIRef) else "path"
        return f"{head}/{tail}"

    def _shape_name(self, shape: Node | None) -> str | None:
        if isinstance(shape, URIRef):
            return self.names.iri(str(shape))
        parent = self._parent(shape) if shape is not None else None
        return None if parent is None else self.names.iri(str(parent))

    def _path(self, path: Node) -> str:
        graph = self.results_graph if (path, None, None) in self.results_graph else self.shapes
        return render_path(path, graph, self.names)

    def _value(self, value: Node) -> str:
        if isinstance(value, BNode):
            return describe(self.data, value, self.names, owners=self.owners) or "[]"
        return self.names.short(value)

    # --- messages -----------------------------------------------------------------

    def _pick_message(self, shape: Node | None, component: Node | None, messages) -> tuple[str, bool]:
        """``(message, own)``: the shape's own message among a result's ``messages`` when it has one (own is
        True), else kgbuild's wording for the constraint component."""
        if shape is not None and self._once(("own message", shape), lambda: self._has_own_message(shape)):
            own = [m for m in messages if isinstance(m, Literal)]
            if own:
                return str(min(own, key=_message_rank)), True
        elif component is not None and not str(component).startswith(str(SH)):
            # a SPARQL-based constraint component the shapes declare: kgbuild has no wording of it, its validator
            # has the messages (the engine formatted them)
            own = [m for m in messages if isinstance(m, Literal)]
            if own:
                return str(min(own, key=_message_rank)), True
        return self._once(("message", component, shape), lambda: self._default_message(component, shape)), False

    def _message(self, result: Node, shape: Node | None) -> str:
        g = self.results_graph
        message, own = self._pick_message(shape, g.value(result, SH.sourceConstraintComponent),
                                          g.objects(result, SH.resultMessage))
        if own:
            return message  # the report graph has it already
        g.remove((result, SH.resultMessage, None))
        g.add((result, SH.resultMessage, Literal(message)))
        return message

    def _has_own_message(self, shape: Node) -> bool:
        if (shape, SH.message, None) in self.shapes:
            return True
        return any((sparql, SH.message, None) in self.shapes for sparql in self.shapes.objects(shape, SH.sparql))

    def _default_message(self, component: Node | None, shape: Node | None) -> str:
        name = local_name(str(component)).removesuffix("ConstraintComponent") if component else "unknown"
        parameter, wording = _WORDING.get(name, (None, f"violates the {name} constraint"))
        if "{}" not in wording:
            return wording
        argument = self._parameter(shape, parameter) if parameter and shape is not None else None
        return wording.format(argument) if argument else f"violates the {name} constraint"

    def _parameter(self, shape: Node, parameter: str) -> str | None:
        values = sorted(self.shapes.objects(shape, SH[parameter]), key=str)
        if not values:
            return None
        value = values[0]
        if isinstance(value, BNode) and (value, RDF.first, None) in self.shapes:
            return "(" + " ".join(self.names.short(item) for item in Collection(self.shapes, value)) + ")"
        if isinstance(value, Literal) and value.datatype is not None:
            return str(value)
        return self.names.short(value)


def _message_rank(message: Literal) -> tuple[int, str]:
    language = (message.language or "").lower()
    return (0 if language in ("", "en") else 1, str(message))


def render_path(path: Node, graph: Graph, names: Names) -> str:
    """A SHACL property path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return names.iri(str(path))
    if (path, RDF.first, None) in graph:
        return "/".join(render_path(step, graph, names) for step in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(render_path(inner, graph, names))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(step, graph, names) for step in Collection(graph, alternatives)) + ")"
    return "[]"


def engine_findings(
    results: list,
    *,
    data_graph: Graph,
    shapes_graph: Graph,
    names: Names,
    locator: Locator,
) -> tuple[Finding, ...]:
    """The findings ``engine_outcome`` makes of kgbuild's SHACL engine results, without its report graph.

    For callers that need only the findings (the contribution check): no graph of every result is built and
    read back, and what depends only on the shape is worked out once per shape.
    """
    reader = _ResultReader(data_graph, shapes_graph, Graph(), names, locator)
    return tuple(reader.finding_of(result) for result in results)


def engine_outcome(
    results: list,
    *,
    data_graph: Graph,
    shapes_graph: Graph,
    names: Names,
    locator: Locator,
) -> ShaclOutcome:
    """Findings of kgbuild's SHACL engine (``kgbuild.shacl``) results, read from them directly, and the
    pyshacl-style report graph, made of them only when someone asks for it (to write it)."""
    from kgbuild.shacl import report_graph

    reader = _ResultReader(data_graph, shapes_graph, Graph(), names, locator)
    findings = tuple(reader.finding_of(result) for result in results)
    return ShaclOutcome(findings=findings, make_graph=lambda: report_graph(results, messages=reader.messages_of))
