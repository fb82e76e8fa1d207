"""Literals as written: what Oxigraph changes when it stores a literal, and SHACL's ``sh:datatype`` test on them.

Oxigraph stores a literal of a datatype it knows as its value: "01"^^xsd:integer
comes back as "1", "1257"^^xsd:nonNegativeInteger as "1257"^^xsd:integer (even
"-1"^^xsd:nonNegativeInteger), "…Z"^^xsd:dateTimeStamp as xsd:dateTime. SHACL's
``sh:datatype`` is about the literal as written, which pyshacl judges on the
parsed text; so whoever loads the store passes the triples through
``WrittenLiterals.watch`` and gives the result to ``validate``, which judges
(and reports) each literal as written.

Results name literals as written too: a value on a path, the object of a closed
shape's triple, and a literal focus node (a target node of the shapes, looked up
with ``written_targets`` once per shapes graph, or an object of the data); checks
whose verdict depends on the form (``sh:datatype``, string length, ``sh:pattern``,
``sh:in``, ``sh:hasValue``, qualified counts) judge the forms. Where no literal
changed, none of this runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.backends.convert import to_ox
from kgbuild.errors import InputError
from kgbuild.shacl.text import iri, rdf_list, to_rdflib
from kgbuild.shacl.text import path as sparql_path

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
VALUE_DATATYPES = _VALUE_DATATYPES  # for checks that must see the literals of these datatypes as written
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


Targets = dict[ox.Literal, tuple[ox.Literal, ...]]  # a shape's literal sh:targetNode values: stored form -> as written


def written_targets(graph: Graph) -> dict[Node, Targets]:
    """Per shape with literal ``sh:targetNode`` values, each as a query gives it back (Oxigraph keeps the value:
    ``VALUES ?this { 4.0 }`` binds "4"^^xsd:decimal) with the literals the shapes wrote for it. Empty, and nothing
    asked of a store, where no shape has a literal target node of a datatype Oxigraph stores as a value."""
    pairs = [(shape, to_ox(target)) for shape, target in graph.subject_objects(SH.targetNode)
             if isinstance(target, Literal)]
    if not pairs:
        return {}
    stored = _stored_forms(list(dict.fromkeys(target for _, target in pairs if target.datatype in _VALUE_DATATYPES)))
    found: dict[Node, dict[ox.Literal, dict[ox.Literal, None]]] = {}
    for shape, target in pairs:
        found.setdefault(shape, {}).setdefault(stored.get(target, target), {})[target] = None
    return {shape: {value: tuple(forms) for value, forms in targets.items()} for shape, targets in found.items()}


def changes(targets: Targets | None) -> bool:
    """Whether some target node is kept by the store in another form than written."""
    return bool(targets) and any(forms != (value,) for value, forms in targets.items())  # type: ignore[union-attr]


Sources = tuple[Targets, list[Node]]  # where a shape's literal focus nodes come from: target nodes, objects of


def focus_sources(shape, targets: dict[Node, Targets], *, seen: frozenset = frozenset()) -> Sources | None:
    """Where the literal focus nodes of ``shape`` (at the top) come from: its and its parents' (those without a
    path, whose focus nodes it shares) literal target nodes and sh:targetObjectsOf predicates; None where they may
    come from elsewhere (a SPARQL target, the values of a parent's path): then any form written may be one."""
    if shape.sparql_targets:
        return None
    found: Targets = dict(targets.get(shape.node, {}))
    objects_of = list(shape.objects_of)
    for parent in shape.parents:
        if parent.deactivated or parent.node in seen:
            continue
        if parent.path is not None:
            return None
        theirs = focus_sources(parent, targets, seen=seen | {shape.node})
        if theirs is None:
            return None
        for value, forms in theirs[0].items():
            found[value] = tuple(dict.fromkeys((*found.get(value, ()), *forms)))
        objects_of.extend(theirs[1])
    return found, objects_of


class Forms:
    """The literals as written behind a (focus, value) row of a check, and how the check names a failing one.

    A path ending in a predicate (a sequence, alternatives) reaches the value on triples whose literals as written
    are known: on a predicate path the focus's own triple, else those of the nodes the rest of the path reaches
    (one query per such row, only for values the store changed). A focus node at the top (``focus_forms``; the
    value of a check without a path): where only sh:targetNode and sh:targetObjectsOf give literal focus nodes, the
    target nodes as the shapes wrote them and the forms written as objects of the target's predicates. Otherwise
    (an inverse or repeated last step, other targets) every form written for that value anywhere. A failing form is
    the result's value; for a check without a path its focus too (at the top), and inside a logical constraint,
    where the set of failing nodes holds terms as stored, a ``(FORM, form)`` marker: other forms of the same stored
    value may pass.
    """

    def __init__(self, store: ox.Store, graph: Graph, written: WrittenLiterals, shape, depth: int,
                 sources: Sources | None = None) -> None:
        self.store = store
        self.written = written
        self.any_path = shape.path is not None
        self.depth = depth
        self.steps = None if shape.path is None else last_steps(graph, shape.path)
        # at the top, the focus nodes' sources (None: anywhere): the target nodes written, objects of predicates
        self.targets: Targets = sources[0] if sources is not None and depth == 0 else {}
        self.objects_of = sources[1] if sources is not None and depth == 0 else None
        self.moved = {value for value, forms in self.targets.items() if forms != (value,)}

    def changed(self, value) -> bool:
        """Whether the store holds ``value`` for a literal written otherwise (in the data, or as a target node)."""
        return self.written.changed(value) or value in self.moved

    def focus_forms(self, focus) -> Sequence:
        """The literals written for a focus node at the top that the store gives as ``focus``."""
        if not self.changed(focus):
            return (focus,)
        targets = self.targets.get(focus, ())
        if self.objects_of is None:
            return tuple(dict.fromkeys((*targets, *self.written.forms(focus))))
        found = dict.fromkeys(targets)
        for predicate in self.objects_of:
            if any(self.store.quads_for_pattern(None, ox.NamedNode(str(predicate)), focus, ox.DefaultGraph())):
                found.update(dict.fromkeys(self.written.objects(predicate, focus)))
        return tuple(found) or (focus,)

    def of(self, focus, value) -> Sequence:
        written = self.written
        if self.steps is None and not self.any_path and self.depth == 0:
            return self.focus_forms(value)  # the value is the focus
        if not written.changed(value):
            return (value,)
        if self.steps is None:
            return written.forms(value)
        found: dict = {}
        for prefix, predicate in self.steps:
            if prefix is None:
                if len(self.steps) == 1 or any(self.store.quads_for_pattern(
                        focus, ox.NamedNode(str(predicate)), value, ox.DefaultGraph())):
                    found.update(dict.fromkeys(written.forms(value, focus, predicate)))
                continue
            query = f"SELECT DISTINCT ?this ?value ?x WHERE {{ ?this {prefix} ?x . ?x {iri(predicate)} ?value }}"
            for subject in self._subjects(query, focus, value):
                found.update(dict.fromkeys(written.forms(value, subject, predicate)))
        return tuple(found) or written.forms(value)

    def _subjects(self, query: str, focus, value) -> list:
        result = None
        try:
            bound = {ox.Variable("this"): focus, ox.Variable("value"): value}
            result = self.store.query(query, substitutions=bound)
            return [row["x"] for row in result]  # type: ignore[union-attr]
        except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
            raise InputError(f"SHACL engine query failed: {exc}\n{query}") from exc
        finally:
            result = None  # freed on this (worker) thread, as in the evaluator

    def focus(self, focus, value, form):
        """The focus to report for a failing ``form`` of ``value``."""
        if self.any_path or not self.changed(value):
            return focus
        return form if self.depth == 0 else (FORM, form)

    def fails(self, value, form, failing: set) -> bool:
        """Whether ``form`` of ``value`` is among the ``failing`` nodes of a member shape."""
        return value in failing or (self.written.changed(value) and (FORM, form) in failing)


def last_steps(graph: Graph, path: Node) -> list[tuple[str | None, URIRef]] | None:
    """The ways ``path`` ends in a predicate: (SPARQL path to the triple's subject or None for the focus, predicate);
    None if it may end otherwise (inverse, repeated or optional last step)."""
    if isinstance(path, URIRef):
        return [(None, path)]
    if (path, RDF.first, None) in graph:
        steps = rdf_list(graph, path)
        if not steps:
            return None
        last = last_steps(graph, steps[-1])
        if last is None:
            return None
        head = "/".join(sparql_path(graph, step) for step in steps[:-1])
        return [((head + "/" + rest) if head and rest else (head or rest), p) for rest, p in last]
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        found: list = []
        for step in rdf_list(graph, alternatives):
            last = last_steps(graph, step)
            if last is None:
                return None
            found.extend(last)
        return found
    return None


FORM = object()  # marks a form as written among the failing nodes of a member shape


def has_datatype(term, datatype: Node) -> bool:
    """pyshacl's sh:datatype test: the literal's datatype, and a well-formed lexical form."""
    if not isinstance(term, ox.Literal):
        return False
    literal = to_rdflib(term)
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
