"""kgbuild's SHACL engine: shapes evaluated as set-oriented SPARQL on an Oxigraph store.

pyshacl evaluates shapes node by node with rdflib, which takes seconds even
on a small graph (every SPARQL-based rule is parsed and run per focus node).
This engine compiles each constraint into one SPARQL query over all focus
nodes at once and runs it on pyoxigraph; restricted to a few focus nodes
(a contribution) it is a ``VALUES`` block at the start of each query.

It implements the part of SHACL the project's shapes use, with pyshacl's
semantics (tests compare the two on every shape fixture and on the real
data): targets ``sh:targetClass`` (with subclasses), ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf`` and SHACL-AF SPARQL targets;
property paths (predicate, inverse, sequence, alternative, ``*``, ``+``,
``?``); ``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``,
``sh:nodeKind``, ``sh:pattern``, ``sh:minInclusive``/``minExclusive``/
``maxInclusive``/``maxExclusive``, ``sh:lessThan``/``lessThanOrEquals``,
``sh:uniqueLang``, ``sh:in``, ``sh:hasValue``, ``sh:node``, ``sh:or``, ``sh:and``,
``sh:xone``, ``sh:not``, ``sh:sparql`` (SELECT, with ``sh:prefixes``).
Anything else in the shapes raises ``InputError`` naming the shape, so a
rule is never silently skipped.

SPARQL-based constraints run once with ``$this`` free, joined with the
shape's targets (or, when target and constraint are the same query, alone):
the project's convention (shapes/prefixes.ttl) is that such queries are
correct with ``$this`` unbound. GROUP_CONCAT order inside messages may differ
from pyshacl's, which depends on rdflib's storage order.

Oxigraph stores a literal of a datatype it knows as its value: "01"^^xsd:integer
comes back as "1", "1257"^^xsd:nonNegativeInteger as "1257"^^xsd:integer (even
"-1"^^xsd:nonNegativeInteger), "…Z"^^xsd:dateTimeStamp as xsd:dateTime. SHACL's
``sh:datatype`` is about the literal as written, which pyshacl judges on the
parsed text; so whoever loads the store passes the triples through
``WrittenLiterals.watch`` and gives the result to ``validate``, which judges
(and reports) each literal as written.

Blank nodes cannot be named in a query, so focus nodes to restrict to must
be IRIs; a caller that needs blank-node focus nodes skolemises them into
``SKOLEM`` IRIs first. Node-kind checks treat those IRIs as blank nodes.
"""

from __future__ import annotations

import gc
import os
import re
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.errors import InputError
from kgbuild.sparqltext import optional_group_starts, outer_group_start

SKOLEM = "urn:kgbuild:bnode:"

_RDF_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"

# shape metadata and structure: not constraints
_NOT_CONSTRAINTS = {
    SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.target, SH.path, SH.property, SH.prefixes, SH.declare, SH.select,
    SH.qualifiedValueShapesDisjoint,
}
_COMPARISONS = {
    SH.minInclusive: (">=", "MinInclusive"),
    SH.minExclusive: (">", "MinExclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
}
_PAIRS = {SH.lessThan: ("<", "LessThan"), SH.lessThanOrEquals: ("<=", "LessThanOrEquals")}
_NODE_KINDS = {
    SH.IRI: "isIRI({v}) && !STRSTARTS(STR({v}), '" + SKOLEM + "')",
    SH.BlankNode: "isBlank({v}) || STRSTARTS(STR({v}), '" + SKOLEM + "')",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "isBlank({v}) || isLiteral({v}) || STRSTARTS(STR({v}), '" + SKOLEM + "')",
    SH.IRIOrLiteral: "(isIRI({v}) && !STRSTARTS(STR({v}), '" + SKOLEM + "')) || isLiteral({v})",
}


_XSD = str(XSD)
# The datatypes Oxigraph stores as values (see oxigraph's literal encoding): a literal of one of them, when its
# lexical form parses, comes back from the store in the canonical form of its value's type (the integer types
# all as xsd:integer, xsd:dateTimeStamp as xsd:dateTime). Literals of other datatypes come back as written.
_VALUE_DATATYPES = frozenset(ox.NamedNode(_XSD + name) for name in (
    "boolean", "float", "double", "decimal", "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "dateTime", "dateTimeStamp", "time", "date", "gYearMonth", "gYear", "gMonthDay", "gDay", "gMonth", "duration",
    "yearMonthDuration", "dayTimeDuration",
))
_PROBE = "urn:kgbuild:literal:"


class WrittenLiterals:
    """The literals as written, for the triples whose literal the store keeps in another form.

    ``watch`` passes the quads on their way into the store and keeps those whose object has a datatype Oxigraph
    stores as a value; ``settle`` (once, after the load) asks a scratch store what it makes of each distinct such
    literal and keeps only the triples where that differs from what was written: ``(subject, predicate, stored
    literal) -> the literals written`` (several when forms of one value were written for the same subject and
    property: "1" and "01"). Memory: the triples whose literal changed, usually none.
    """

    def __init__(self) -> None:
        self._pending: list[ox.Quad] = []
        self._triples: dict[tuple, tuple[ox.Literal, ...]] = {}
        self._values: dict[ox.Literal, tuple[ox.Literal, ...]] = {}  # stored literal -> every form written
        self._objects: dict[tuple, tuple[ox.Literal, ...]] = {}  # (predicate, stored) -> the forms written with it

    def __bool__(self) -> bool:
        return bool(self._values)

    def watch(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """The quads unchanged; those of the default graph with a literal the store may change are noted."""
        pending = self._pending
        kinds = _VALUE_DATATYPES
        for quad in quads:
            obj = quad.object
            if type(obj) is ox.Literal and obj.datatype in kinds and type(quad.graph_name) is ox.DefaultGraph:
                pending.append(quad)
            yield quad

    def settle(self) -> WrittenLiterals:
        pending, self._pending = self._pending, []
        if not pending:
            return self
        written = list(dict.fromkeys(quad.object for quad in pending))
        stored = _stored_forms(written)
        if not stored:
            return self
        triples: dict[tuple, dict[ox.Literal, None]] = {}
        for quad in pending:
            form = stored.get(quad.object)
            if form is not None:
                triples.setdefault((quad.subject, quad.predicate, form), {})[quad.object] = None
        for quad in pending:  # a form written as the store keeps it, beside another form of the same value
            if quad.object not in stored:
                forms = triples.get((quad.subject, quad.predicate, quad.object))
                if forms is not None:
                    forms[quad.object] = None
        objects: dict[tuple, dict[ox.Literal, None]] = {}
        for key, forms in triples.items():
            before = self._triples.get(key, ())
            self._triples[key] = tuple(dict.fromkeys((*before, *forms)))
            objects.setdefault(key[1:], {}).update(forms)
        for quad in pending:  # the same for a predicate: a form written as stored on another subject
            if quad.object not in stored:
                forms = objects.get((quad.predicate, quad.object))
                if forms is not None:
                    forms[quad.object] = None
        for key, forms in objects.items():
            self._objects[key] = tuple(dict.fromkeys((*self._objects.get(key, ()), *forms)))
        values: dict[ox.Literal, dict[ox.Literal, None]] = {}
        for literal in written:
            values.setdefault(stored.get(literal, literal), {})[literal] = None
        for form in set(stored.values()):
            self._values[form] = tuple(dict.fromkeys((*self._values.get(form, ()), *values[form])))
        return self

    def changed(self, value) -> bool:
        """Whether the store holds ``value`` for some literal written otherwise."""
        return type(value) is ox.Literal and value in self._values

    def objects(self, predicate: Node, value) -> Sequence:
        """The literals written for ``value`` as the object of ``predicate`` (on any subject)."""
        return self._objects.get((ox.NamedNode(str(predicate)), value), (value,))

    def forms(self, value, subject=None, predicate: Node | None = None) -> Sequence:
        """The literals written for ``value`` as found in the store: on the triple (subject, predicate, value)
        when both are given, else anywhere. ``(value,)`` when the store keeps it as written."""
        everywhere = self._values.get(value) if type(value) is ox.Literal else None
        if everywhere is None:
            return (value,)
        if subject is None or not isinstance(predicate, URIRef):
            return everywhere
        return self._triples.get((subject, ox.NamedNode(str(predicate)), value), (value,))


def _stored_forms(literals: Sequence[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """The literals Oxigraph stores in another form, each with that form (one round trip via a scratch store)."""
    scratch = ox.Store()
    predicate = ox.NamedNode(_PROBE)
    scratch.bulk_extend(ox.Quad(ox.NamedNode(f"{_PROBE}{i}"), predicate, literal) for i, literal in enumerate(literals))
    changed: dict[ox.Literal, ox.Literal] = {}
    for quad in scratch.quads_for_pattern(None, predicate, None):
        literal = literals[int(quad.subject.value[len(_PROBE):])]
        if quad.object != literal:
            changed[literal] = quad.object
    return changed


@dataclass(frozen=True)
class Result:
    """One validation result, in SHACL's terms (rdflib terms; blank nodes as stored)."""

    shape: Node  # sh:sourceShape (a node of the shapes graph)
    component: str  # constraint component local name without "ConstraintComponent", e.g. "MinCount"
    severity: URIRef  # sh:Violation, sh:Warning, sh:Info
    focus: Node
    path: Node | None  # sh:resultPath (a node of the shapes graph, or an IRI from a SPARQL ?path)
    value: Node | None
    messages: tuple[Literal, ...]
    constraint: Node | None = None  # sh:sourceConstraint (SPARQL-based constraints)


@dataclass
class _Shape:
    node: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None
    targets: list[str] = field(default_factory=list)  # SPARQL group patterns binding ?this
    sparql_targets: list[Node] = field(default_factory=list)  # SHACL-AF SPARQL targets (their sh:select)
    parents: list[_Shape] = field(default_factory=list)
    subjects_of: list[Node] = field(default_factory=list)  # the predicates of its sh:targetSubjectsOf
    objects_of: list[Node] = field(default_factory=list)  # the predicates of its sh:targetObjectsOf

    def targets_only_subjects_of_path(self) -> bool:
        """Its focus nodes are exactly the subjects of its (predicate) path: a value implies the target."""
        return (
            isinstance(self.path, URIRef)
            and len(self.targets) == 1
            and self.subjects_of == [self.path]
            and not self.sparql_targets
            and not self.parents
        )


class ShapesProgram:
    """The shapes graph, read once; ``validate`` runs it on a store."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self._shapes: dict[Node, _Shape] = {}
        self._prefixes: dict[Node, dict[str, str]] = {}
        for node in self._top_level():
            self._shape(node)
        for node in list(self._shapes):
            for child in shapes.objects(node, SH.property):
                self._shape(child).parents.append(self._shapes[node])
        from kgbuild.federation import refuse_service_in_shapes

        # Oxigraph would send a SERVICE call's requests. The sh:select texts are the only SPARQL the
        # engine takes from the shapes as it is (the rest it writes from terms), so checked once here.
        refuse_service_in_shapes(shapes)

    # --- reading the shapes graph ------------------------------------------------

    def _top_level(self) -> list[Node]:
        g = self.graph
        found: set[Node] = set()
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            found.update(g.subjects(predicate, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in g.subjects(RDF.type, kind):
                if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
                    found.add(shape)
        return sorted(found, key=str)

    def _shape(self, node: Node) -> _Shape:
        if node in self._shapes:
            return self._shapes[node]
        g = self.graph
        severity = g.value(node, SH.severity) or SH.Violation
        messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        shape = _Shape(node=node, severity=severity, messages=messages, path=g.value(node, SH.path))  # type: ignore[arg-type]
        for cls in g.objects(node, SH.targetClass):
            shape.targets.append(f"{{ ?this {_RDF_TYPE}/{_SUBCLASS}* {_iri(cls)} }}")
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
            shape.targets.append(f"{{ ?this {_RDF_TYPE}/{_SUBCLASS}* {_iri(node)} }}")
        for target in g.objects(node, SH.targetNode):
            shape.targets.append(f"{{ VALUES ?this {{ {_term(target)} }} }}")
        for predicate in g.objects(node, SH.targetSubjectsOf):
            shape.targets.append(f"{{ ?this {_iri(predicate)} ?_t }}")
            shape.subjects_of.append(predicate)
        for predicate in g.objects(node, SH.targetObjectsOf):
            shape.targets.append(f"{{ ?_t {_iri(predicate)} ?this }}")
            shape.objects_of.append(predicate)
        for target in sorted(g.objects(node, SH.target), key=str):
            if g.value(target, SH.select) is None:
                raise self._unsupported(node, "an sh:target other than a SPARQL target (sh:select)")
            shape.sparql_targets.append(target)
        self._shapes[node] = shape
        return shape

    def _unsupported(self, shape: Node, what: str) -> InputError:
        return InputError(f"shape {_show(shape)} uses {what}, which kgbuild's SHACL engine does not support")

    def prefixes_of(self, node: Node) -> dict[str, str]:
        """The sh:prefixes declarations of a SPARQL target or constraint node."""
        if node not in self._prefixes:
            found: dict[str, str] = {}
            for owner in self.graph.objects(node, SH.prefixes):
                for declaration in self.graph.objects(owner, SH.declare):
                    prefix = self.graph.value(declaration, SH.prefix)
                    namespace = self.graph.value(declaration, SH.namespace)
                    if prefix is not None and namespace is not None:
                        found[str(prefix)] = str(namespace)
            self._prefixes[node] = found
        return self._prefixes[node]

    # --- running -----------------------------------------------------------------

    def validate(self, store: ox.Store, *, focus: Iterable[str] | None = None,
                 workers: int | None = None, written: WrittenLiterals | None = None) -> list[Result]:
        """Every result of every shape, in shape order; with ``focus`` (IRIs), only for those focus nodes.

        ``written``: the literals as written where the store changed them (see ``WrittenLiterals``), so that
        ``sh:datatype`` judges and reports them as written; without it, as the store gives them.

        Shapes are evaluated by ``workers`` threads (default: one per usable CPU): Oxigraph releases the GIL
        while it evaluates a query, so the shapes' queries run side by side.
        """
        focus = None if focus is None else sorted(set(focus))
        if focus is not None and not restricting_pays(store, len(focus)):
            # Restricting every query to many focus nodes (VALUES) costs more than checking the whole store
            # and keeping the results about them: the answers are the same, the time linear in the store.
            wanted = set(focus)
            return [result for result in self.validate(store, workers=workers, written=written)
                    if _focus_iri(result.focus) in wanted]
        run = _Run(self, store, focus, written or None)
        shapes = [
            shape for shape in list(self._shapes.values())
            if (shape.node, SH.deactivated, Literal(True)) not in self.graph and self._all_targets(shape)
        ]
        workers = min(len(shapes), _usable_cpus()) if workers is None else workers
        results: list[Result] = []
        if workers <= 1:
            for shape in shapes:
                results.extend(run.shape_results(shape))
            return results
        # A pyoxigraph result may only be freed on the thread that made it. Garbage cycles this thread
        # made so far (one can hold a result: a frame kept by a cached exception, say) are collected
        # here, not by whichever worker happens to trigger the collector.
        gc.collect()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kgbuild-shacl") as pool:
            try:
                for found in pool.map(run.shape_results, shapes):  # in order; the first failure is raised
                    results.extend(found)
            except BaseException:
                pool.shutdown(cancel_futures=True)  # the shapes not started yet are not run
                raise
        return results

    def _all_targets(self, shape: _Shape) -> bool:
        return bool(shape.targets or shape.sparql_targets) or any(self._all_targets(parent) for parent in shape.parents)


# Restricted to focus nodes, a shape's queries cost about this many times more per focus node than per
# triple of the store unrestricted (measured on pyoxigraph 0.5: VALUES rows are joined one by one); the store
# is only counted (a scan) when there are at least _FOCUS_CHECKED focus nodes.
_FOCUS_COST = 20
_FOCUS_CHECKED = 64


def restricting_pays(store: ox.Store, count: int) -> bool:
    """Whether a query restricted by VALUES to ``count`` nodes is cheaper than one over the whole store."""
    return count < _FOCUS_CHECKED or count * _FOCUS_COST <= len(store)


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the OS says), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every OS
        return os.cpu_count() or 1


class _Run:
    def __init__(self, program: ShapesProgram, store: ox.Store, focus: list[str] | None,
                 written: WrittenLiterals | None = None) -> None:
        self.written = written
        self.program = program
        self.graph = program.graph
        self.store = store
        self.focus = focus
        self.focus_values = None if focus is None else "VALUES ?this { " + " ".join(f"<{i}>" for i in focus) + " }"

    # --- targets -----------------------------------------------------------------

    def target(self, shape: _Shape, prefixes: dict[str, str]) -> str:
        """A group pattern binding ?this to the shape's focus nodes (own targets and parents')."""
        parts: list[str] = list(shape.targets)
        for node in shape.sparql_targets:
            text = str(self.graph.value(node, SH.select))
            prefixes.update(self.program.prefixes_of(node))
            parts.append("{ SELECT DISTINCT ?this WHERE { { " + self._restricted(text) + " } } }")
        for parent in shape.parents:
            parent_target = self.target(parent, prefixes)
            if parent_target:
                parts.append(parent_target)
        if not parts:
            return ""
        return "{ " + " UNION ".join(parts) + " }"

    def _restricted(self, select: str) -> str:
        """A SELECT's text with the focus restriction at the start of its outer group."""
        if self.focus_values is None:
            return select
        at = outer_group_start(select) + 1
        return select[:at] + " " + self.focus_values + " " + select[at:]

    def head(self, prefixes: dict[str, str]) -> str:
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))

    def where(self, target: str) -> str:
        return (self.focus_values + " " if self.focus_values else "") + target

    # --- evaluation ----------------------------------------------------------------

    def select(self, query: str) -> list[ox.QuerySolution]:
        return self.solutions(query)[1]

    def solutions(self, query: str) -> tuple[list[str], list[ox.QuerySolution]]:
        """The query's variable names and all its rows, read at once."""
        result = None
        try:
            result = self.store.query(query)
            return [variable.value for variable in result.variables], list(result)  # type: ignore[union-attr]
        except (SyntaxError, OSError, ValueError) as exc:
            raise InputError(f"SHACL engine query failed: {exc}\n{query}") from exc
        finally:
            # a pyoxigraph result may only be freed on the thread that made it (workers run this): no
            # frame keeps it, lest an exception or a kept traceback carry the frame to another thread
            result = None

    def shape_results(self, shape: _Shape) -> list[Result]:
        prefixes: dict[str, str] = {}
        target = self.target(shape, prefixes)
        out: list[Result] = []
        for component, query, mapper in self.checks(shape, "?this", "?value", target, prefixes, depth=0):
            for row in mapper(self.select(query) if query else []):
                focus, value, path, _bound = row
                out.append(self._result(shape, component, focus, value, path))
        for constraint in sorted(self.graph.objects(shape.node, SH.sparql), key=str):
            out.extend(self.sparql_results(shape, constraint, target, prefixes))
        return out

    def _result(self, shape: _Shape, component: str, focus, value, path) -> Result:
        return Result(
            shape=shape.node,
            component=component,
            severity=shape.severity,
            focus=_to_rdflib(focus),
            path=path if path is not None else shape.path,
            value=None if value is None else _to_rdflib(value),
            messages=shape.messages,
        )

    def checks(self, shape: _Shape, f: str, v: str, target: str, prefixes: dict[str, str], *, depth: int):
        """(component, query, mapper) per core constraint of ``shape``; mapper yields (focus, value, path, bound)."""
        g = self.graph
        node = shape.node
        head = lambda: self.head(prefixes)  # noqa: E731 - prefixes may grow while building
        where = self.where(target) if depth == 0 else target
        # Constraints on values need no target pattern when the target is "subjects of the path":
        # joining the two (equal) sets cost more than the check itself.
        value_where = self.where("") if depth == 0 and shape.targets_only_subjects_of_path() else where
        path = None if shape.path is None else _path(g, shape.path)
        values = f"{f} {path} {v} ." if path else f"BIND({f} AS {v})"
        all_values = f"SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} }}"
        checks: list[tuple[str, str, Callable]] = []

        def rows(solutions):
            for s in solutions:
                yield s[f[1:]], s[v[1:]], None, None

        def focus_rows(solutions):
            for s in solutions:
                yield s[f[1:]], None, None, None

        for predicate, value in _core_constraints(g, node):
            if predicate in (SH.minCount, SH.maxCount):
                if path is None:
                    raise self.program._unsupported(node, f"{_show(predicate)} without sh:path")
                if predicate == SH.minCount and int(value) == 1:  # "no value": a join, not a GROUP BY
                    query = f"{head()}SELECT DISTINCT {f} WHERE {{ {where} OPTIONAL {{ {values} }} FILTER (!BOUND({v})) }}"
                elif predicate == SH.minCount:
                    query = (f"{head()}SELECT {f} WHERE {{ {where} OPTIONAL {{ {values} }} }} GROUP BY {f} "
                             f"HAVING (COUNT(DISTINCT {v}) < {int(value)})")
                else:
                    query = (f"{head()}SELECT {f} WHERE {{ {value_where} {values} }} GROUP BY {f} "
                             f"HAVING (COUNT(DISTINCT {v}) > {int(value)})")
                checks.append(("MinCount" if predicate == SH.minCount else "MaxCount", query, focus_rows))
            elif predicate == SH["class"]:
                # "not an instance", as OPTIONAL + !BOUND: Oxigraph joins this (3× faster than NOT EXISTS)
                kind = f"?_c{depth}"
                query = (f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} "
                         f"OPTIONAL {{ {v} {_RDF_TYPE} {kind} . {kind} {_SUBCLASS}* {_iri(value)} }} "
                         f"FILTER (!BOUND({kind})) }}")
                checks.append(("Class", query, rows))
            elif predicate == SH.datatype:
                checks.append(("Datatype", head() + all_values,
                               _datatype_filter(value, f, v, self._written_forms(shape, depth))))
            elif predicate == SH.nodeKind:
                test = _NODE_KINDS.get(value)
                if test is None:
                    raise self.program._unsupported(node, f"sh:nodeKind {_show(value)}")
                query = f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} FILTER (!({test.format(v=v)})) }}"
                checks.append(("NodeKind", query, rows))
            elif predicate == SH.pattern:
                flags = g.value(node, SH.flags)
                flag_text = f", {_string(str(flags))}" if flags is not None else ""
                blank = _NODE_KINDS[SH.BlankNode].format(v=v)
                query = (f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} "
                         f"FILTER ({blank} || !REGEX(STR({v}), {_string(str(value))}{flag_text})) }}")
                checks.append(("Pattern", query, rows))
            elif predicate == SH.flags:
                continue
            elif predicate in _COMPARISONS:
                op, name = _COMPARISONS[predicate]
                query = (f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} "
                         f"FILTER (!COALESCE({v} {op} {_term(value)}, false)) }}")
                checks.append((name, query, rows))
            elif predicate in _PAIRS:
                if path is None:
                    raise self.program._unsupported(node, f"{_show(predicate)} without sh:path")
                op, name = _PAIRS[predicate]
                other = f"?_o{depth}"
                query = (f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} {f} {_iri(value)} {other} "
                         f"FILTER (!COALESCE({v} {op} {other}, false)) }}")
                checks.append((name, query, rows))
            elif predicate == SH.uniqueLang:
                if path is None or not (isinstance(value, Literal) and value.toPython() is True):
                    continue
                a, b = f"?_a{depth}", f"?_b{depth}"
                query = (f"{head()}SELECT DISTINCT {f} (LCASE(LANG({a})) AS ?_lang) WHERE {{ {value_where} "
                         f"{f} {path} {a} . {f} {path} {b} FILTER ({a} != {b} && LANG({a}) != '' "
                         f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
                checks.append(("UniqueLang", query, focus_rows))
            elif predicate == SH["in"]:
                members = ", ".join(_term(m) for m in Collection(g, value))
                query = (f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} "
                         f"FILTER (!({v} IN ({members}))) }}")
                checks.append(("In", query, rows))
            elif predicate == SH.hasValue:
                query = (f"{head()}SELECT DISTINCT {f} WHERE {{ {where} "
                         f"FILTER NOT EXISTS {{ {values.replace(v, _term(value)) if path else ''} "
                         f"{'' if path else f'FILTER ({f} = {_term(value)})'} }} }}")
                checks.append(("HasValue", query, focus_rows))
            elif predicate in (SH["or"], SH["and"], SH.xone, SH["not"], SH.node):
                members = [value] if predicate in (SH["not"], SH.node) else list(Collection(g, value))
                name = {SH["or"]: "Or", SH["and"]: "And", SH.xone: "Xone", SH["not"]: "Not", SH.node: "Node"}[predicate]
                paths = [self._required_path(member) for member in members]
                if name in ("Or", "And") and all(paths):
                    # Members that only ask for some value on a path ("has a label or a name"): one query
                    # with a NOT EXISTS per member, instead of each member's target and values in Python.
                    missing = [f"NOT EXISTS {{ {v} {path_text} ?_m{depth}_{i} }}" for i, path_text in enumerate(paths)]
                    test = (" && " if name == "Or" else " || ").join(missing)
                    query = f"{head()}SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} FILTER ({test}) }}"
                    checks.append((name, query, rows))
                    continue
                inner_f = f"?_f{depth + 1}"
                inner_target = f"{{ SELECT DISTINCT {inner_f} WHERE {{ {value_where} {values} BIND({v} AS {inner_f}) }} }}"
                violators = [
                    self.violators(self.program._shape(member), inner_f, inner_target, prefixes, depth=depth + 1)
                    for member in members
                ]
                checks.append((name, head() + all_values,
                               _logical(name, violators, f, v, self._written_forms(shape, depth))))
            else:
                raise self.program._unsupported(node, f"the constraint {_show(predicate)}")
        return checks

    def _written_forms(self, shape: _Shape, depth: int) -> _Forms | None:
        """How a check of ``shape`` sees a value as written, or None if the store gave every literal as written."""
        return None if self.written is None else _Forms(self, shape, depth)

    def _required_path(self, member: Node) -> str | None:
        """The SPARQL path of a member shape whose only constraint is ``sh:minCount 1`` on it, else None."""
        g = self.graph
        path = g.value(member, SH.path)
        if path is None or (member, SH.deactivated, Literal(True)) in g:
            return None
        if (member, SH.property, None) in g or (member, SH.sparql, None) in g:
            return None
        if _core_constraints(g, member) != [(SH.minCount, Literal(1))]:
            return None
        return _path(g, path)

    def violators(self, shape: _Shape, f: str, target: str, prefixes: dict[str, str], *, depth: int) -> set:
        """The focus nodes bound by ``target`` (as ``f``) that do not conform to ``shape``."""
        bad: set = set()
        v = f"?_v{depth}"
        for _component, query, mapper in self.checks(shape, f, v, target, prefixes, depth=depth):
            bad.update(row[0] for row in mapper(self.select(query)))
        for child in self.graph.objects(shape.node, SH.property):
            bad |= self.violators(self.program._shape(child), f, target, prefixes, depth=depth)
        for constraint in self.graph.objects(shape.node, SH.sparql):
            renamed = f"{{ SELECT ({f} AS ?this) WHERE {{ {target} }} }}"
            query, _ = self._sparql_query(shape, constraint, renamed, prefixes, restrict=False)
            bad.update(s["this"] for s in self.select(query))
        return bad

    # --- SPARQL-based constraints ----------------------------------------------------

    def _sparql_query(self, shape, constraint, target, prefixes, *, restrict: bool) -> tuple[str, dict]:
        text = self.graph.value(constraint, SH.select)
        if text is None:
            raise self.program._unsupported(shape.node, "an sh:sparql constraint without sh:select")
        text = str(text)
        for variable in ("$PATH", "?PATH", "$shapesGraph", "$currentShape"):
            if variable in text:
                raise self.program._unsupported(shape.node, f"the pre-bound variable {variable}")
        own = dict(prefixes)
        own.update(self.program.prefixes_of(constraint))
        same = (
            [str(self.graph.value(t, SH.select)) for t in shape.sparql_targets] == [text]
            and not shape.targets
            and not shape.parents
        )
        at = outer_group_start(text) + 1
        if same:
            inserted = self.focus_values if (restrict and self.focus_values) else ""
        else:
            inserted = (self.focus_values + " " if (restrict and self.focus_values) else "") + target
        query = text[:at] + " " + inserted + " " + text[at:]
        if restrict and self.focus_values:
            # Oxigraph evaluates an OPTIONAL group of several patterns on its own, over the whole graph,
            # then joins; restricted here too (where it uses ?this), it only looks at the focus nodes.
            # The same answers: every row of the outer group already has ?this among them.
            for start in reversed(optional_group_starts(query, mentioning="this")):
                query = query[:start + 1] + " " + self.focus_values + " " + query[start + 1:]
        return self.head(own) + query, own

    def sparql_results(self, shape: _Shape, constraint: Node, target: str, prefixes: dict[str, str]) -> list[Result]:
        query, _ = self._sparql_query(shape, constraint, target, prefixes, restrict=True)
        messages = tuple(m for m in self.graph.objects(constraint, SH.message) if isinstance(m, Literal))
        out: list[Result] = []
        seen: set = set()
        names, solutions = self.solutions(query)
        for solution in solutions:
            bound = {}
            for variable in names:
                term = solution[variable]
                if term is not None:
                    bound[variable] = _to_rdflib(term)
            this = bound.pop("this", None)
            path = bound.pop("path", None)
            value = bound.pop("value", None)
            bound.pop("failure", None)
            if this is None:
                continue
            if value is None and shape.path is None:
                value = this
            key = (this, path, value, tuple(sorted(bound.items())))
            if key in seen:
                continue
            seen.add(key)
            variables = {"this": this, **({"path": path} if path is not None else {}),
                         **({"value": value} if value is not None else {}), **bound}
            formatted = tuple(Literal(_format(str(m), variables)) for m in (*shape.messages, *messages))
            out.append(Result(
                shape=shape.node,
                component="Sparql",
                severity=shape.severity,
                focus=this,
                path=path if path is not None else shape.path,
                value=value,
                messages=formatted,
                constraint=constraint,
            ))
        return out


def _core_constraints(graph: Graph, node: Node) -> list[tuple[Node, Node]]:
    """The (parameter, value) pairs of the shape's core constraints, sorted (not sh:sparql, sh:property)."""
    return sorted(
        ((p, o) for p, o in graph.predicate_objects(node)
         if p not in _NOT_CONSTRAINTS and p != SH.sparql and str(p).startswith(str(SH))),
        key=lambda pv: (str(pv[0]), str(pv[1])),
    )


def _format(message: str, variables: dict[str, Node]) -> str:
    for name, value in variables.items():
        message = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, text=str(value): text, message)
    return message


class _Forms:
    """The literals as written behind a (focus, value) row of a check, and how the check names a failing one.

    A path ending in a predicate (a sequence, alternatives) reaches the value on triples whose literals as written
    are known: on a predicate path the focus's own triple, else those of the nodes the rest of the path reaches
    (one query per such row, only for values the store changed). The focus itself (no path) as a target's object:
    the forms written as objects of the target's predicates. Otherwise (an inverse or repeated last step, other
    targets) every form written for that value anywhere. A failing form is the result's value; for a check without
    a path its focus too (at the top), and inside a logical constraint, where the set of failing nodes holds terms
    as stored, a ``(_FORM, form)`` marker: other forms of the same stored value may pass.
    """

    def __init__(self, run: _Run, shape: _Shape, depth: int) -> None:
        self.run = run
        self.written: WrittenLiterals = run.written  # type: ignore[assignment]
        self.any_path = shape.path is not None
        self.depth = depth
        self.steps = None if shape.path is None else _last_steps(run.graph, shape.path)
        self.objects_of = (list(shape.objects_of) if not self.any_path and depth == 0 and shape.objects_of
                           and len(shape.objects_of) == len(shape.targets) and not shape.sparql_targets
                           and not shape.parents else None)

    def of(self, focus, value) -> Sequence:
        written = self.written
        if not written.changed(value):
            return (value,)
        if self.objects_of is not None:
            return tuple(dict.fromkeys(f for p in self.objects_of for f in written.objects(p, value)))
        if self.steps is None:
            return written.forms(value)
        found: dict = {}
        for prefix, predicate in self.steps:
            if prefix is None:
                if len(self.steps) == 1 or any(self.run.store.quads_for_pattern(
                        focus, ox.NamedNode(str(predicate)), value, ox.DefaultGraph())):
                    found.update(dict.fromkeys(written.forms(value, focus, predicate)))
                continue
            query = f"SELECT DISTINCT ?this ?value ?x WHERE {{ ?this {prefix} ?x . ?x {_iri(predicate)} ?value }}"
            for subject in self._subjects(query, focus, value):
                found.update(dict.fromkeys(written.forms(value, subject, predicate)))
        return tuple(found) or written.forms(value)

    def _subjects(self, query: str, focus, value) -> list:
        result = None
        try:
            bound = {ox.Variable("this"): focus, ox.Variable("value"): value}
            result = self.run.store.query(query, substitutions=bound)
            return [row["x"] for row in result]  # type: ignore[union-attr]
        except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
            raise InputError(f"SHACL engine query failed: {exc}\n{query}") from exc
        finally:
            result = None  # freed on this (worker) thread, as in _Run.solutions

    def focus(self, focus, value, form):
        """The focus to report for a failing ``form`` of ``value``."""
        if self.any_path or not self.written.changed(value):
            return focus
        return form if self.depth == 0 else (_FORM, form)

    def fails(self, value, form, failing: set) -> bool:
        """Whether ``form`` of ``value`` is among the ``failing`` nodes of a member shape."""
        return value in failing or (self.written.changed(value) and (_FORM, form) in failing)


def _last_steps(graph: Graph, path: Node) -> list[tuple[str | None, URIRef]] | None:
    """The ways ``path`` ends in a predicate: (SPARQL path to the triple's subject or None for the focus, predicate);
    None if it may end otherwise (inverse, repeated or optional last step)."""
    if isinstance(path, URIRef):
        return [(None, path)]
    if (path, RDF.first, None) in graph:
        steps = list(Collection(graph, path))
        if not steps:
            return None
        last = _last_steps(graph, steps[-1])
        if last is None:
            return None
        head = "/".join(_path(graph, step) for step in steps[:-1])
        return [((head + "/" + rest) if head and rest else (head or rest), p) for rest, p in last]
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        found: list = []
        for step in Collection(graph, alternatives):
            last = _last_steps(graph, step)
            if last is None:
                return None
            found.extend(last)
        return found
    return None


_FORM = object()


def _datatype_filter(datatype: Node, f: str, v: str, forms: _Forms | None = None):
    def mapper(solutions):
        known: dict = {}  # the same literal recurs (dates, counts): judge each once
        for s in solutions:
            focus, value = s[f[1:]], s[v[1:]]
            for form in ((value,) if forms is None else forms.of(focus, value)):
                verdict = known.get(form)
                if verdict is None:
                    verdict = known[form] = _has_datatype(form, datatype)
                if not verdict:
                    yield (focus if forms is None else forms.focus(focus, value, form)), form, None, None
    return mapper


def _has_datatype(term, datatype: Node) -> bool:
    """pyshacl's sh:datatype test: the literal's datatype, and a well-formed lexical form."""
    if not isinstance(term, ox.Literal):
        return False
    literal = _to_rdflib(term)
    assert isinstance(literal, Literal)
    if literal.language:
        return datatype == RDF.langString
    actual = literal.datatype or XSD.string
    if datatype in (RDFS.Literal,):
        return True
    if datatype == RDFS.Datatype:
        return literal.datatype is not None
    if actual != datatype:
        return False
    if literal.datatype is not None and getattr(literal, "ill_typed", None) is True:
        return False
    expected = _VALUE_TYPES.get(datatype)  # as pyshacl: a value of the type (rdflib's conversion succeeded)
    return expected is None or isinstance(literal.value, expected)


# the Python type rdflib gives a well-formed literal of these datatypes (the ones pyshacl checks)
_VALUE_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
    XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def _logical(name: str, violators: Sequence[set], f: str, v: str, forms: _Forms | None = None):
    def mapper(solutions):
        for s in solutions:
            focus, value = s[f[1:]], s[v[1:]]
            for form in ((value,) if forms is None else forms.of(focus, value)):
                if forms is None:
                    passing = sum(1 for failing in violators if value not in failing)
                else:
                    passing = sum(1 for failing in violators if not forms.fails(value, form, failing))
                if name == "Or":
                    bad = passing == 0
                elif name in ("And", "Node"):
                    bad = passing < len(violators)
                elif name == "Xone":
                    bad = passing != 1
                else:  # Not
                    bad = passing == 1
                if bad:
                    yield (focus if forms is None else forms.focus(focus, value, form)), form, None, None
    return mapper


# --- terms and text -------------------------------------------------------------------


def _focus_iri(term: Node) -> str:
    """The IRI a focus node has in the store (a skolemised blank node's ``SKOLEM`` IRI)."""
    return SKOLEM + str(term) if isinstance(term, BNode) else str(term)


def _to_rdflib(term) -> Node:
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(SKOLEM):
            return BNode(term.value[len(SKOLEM):])
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    return term  # already rdflib


def _iri(node: Node) -> str:
    if not isinstance(node, URIRef):
        raise InputError(f"expected an IRI in the shapes, found {node!r}")
    return f"<{node}>"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = _string(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^<{node.datatype}>"
        return text
    raise InputError(f"a blank node cannot be used as a value in the shapes ({node!r})")


def _path(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(_path(graph, step) for step in Collection(graph, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(graph, step) for step in Collection(graph, alternatives)) + ")"
    raise InputError(f"unsupported SHACL property path {path!r}")


def _show(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else str(node)
