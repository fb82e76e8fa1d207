"""Reading the shapes graph into shape objects, every parameter checked before anything runs.

A problem is an ``InputError`` naming the shape by a readable path from a shape with a name, e.g.
``ppdsh:EventShape → property ppd:date → sh:minCount: "one" is not a non-negative integer`` — never by a
blank-node id.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kgbuild.errors import InputError
from kgbuild.shacl.components import (
    COMPONENTS,
    SECONDARY,
    core_parameters,
    refusal,
    shape_members,
    sibling_shapes,
)
from kgbuild.shacl.sparqlcomponents import Use, declared_components, uses
from kgbuild.shacl.sparqlrules import forbidden
from kgbuild.shacl.text import RDF_TYPE, SUBCLASS, readable_path, show, term
from kgbuild.shacl.text import path as sparql_path

_NAMED_BY: dict[Node, str] = {SH["or"]: "sh:or", SH["and"]: "sh:and", SH.xone: "sh:xone", SH["not"]: "sh:not", SH.node: "sh:node",
                              SH.qualifiedValueShape: "sh:qualifiedValueShape"}


@dataclass(eq=False)
class Shape:
    node: Node
    name: str  # readable: the shape's name, or the path to it from a named shape
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None
    path_text: str | None  # its path as SPARQL
    deactivated: bool
    parameters: list[tuple[Node, Node]]  # (parameter, value) of its core constraints, sorted
    properties: list[Node]  # its sh:property shapes, as the graph lists them
    sparql: list[Node]  # its sh:sparql constraints, sorted
    targets: list[str] = field(default_factory=list)  # SPARQL group patterns binding ?this
    sparql_targets: list[Node] = field(default_factory=list)  # SHACL-AF SPARQL targets (their sh:select)
    parents: list[Shape] = field(default_factory=list)
    subjects_of: list[Node] = field(default_factory=list)  # the predicates of its sh:targetSubjectsOf
    objects_of: list[Node] = field(default_factory=list)  # the predicates of its sh:targetObjectsOf
    components: list[Use] = field(default_factory=list)  # its uses of SPARQL-based constraint components (checked)

    def targets_only_subjects_of_path(self) -> bool:
        """Its focus nodes are exactly the subjects of its (predicate) path: a value implies the target."""
        return (
            isinstance(self.path, URIRef)
            and len(self.targets) == 1
            and self.subjects_of == [self.path]
            and not self.sparql_targets
            and not self.parents
        )


class Shapes:
    """The shapes of a shapes graph: those validated (``validated``), and every shape they reach, checked.

    ``refuse_service(graph)`` raises if a SPARQL text of the shapes calls SERVICE (Oxigraph would send its
    requests); the engine takes the sh:select texts from the shapes as they are, so they are checked once here.
    """

    def __init__(self, graph: Graph, *, refuse_service: Callable[[Graph], None]) -> None:
        self.graph = graph
        self._shapes: dict[Node, Shape] = {}  # the shapes validated with their targets (and parents')
        self._reached: dict[Node, Shape] = {}  # every shape read
        self._prefixes: dict[Node, dict[str, str]] = {}
        refuse_service(graph)  # first: of a shapes graph that would send requests, nothing else matters
        self._components = declared_components(graph)
        for node in self._top_level():
            self._shapes[node] = self.shape(node, name=show(node, graph))
        # the property shapes of validated shapes, at any depth (a property shape's own sh:property shapes are
        # validated on the values of its path: the evaluator's target)
        parents = deque(self._shapes.values())
        linked: set[tuple[Node, Node]] = set()
        while parents:
            parent = parents.popleft()
            for child in graph.objects(parent.node, SH.property):
                if (parent.node, child) in linked:
                    continue
                linked.add((parent.node, child))
                shape = self.shape(child, name=self._child_name(parent, child))
                if child not in self._shapes:
                    self._shapes[child] = shape
                    parents.append(shape)
                shape.parents.append(parent)
        pending = deque(self._reached.values())  # in the order read: the first problem is the first reported
        checked: set[Node] = set()
        while pending:
            shape = pending.popleft()
            if shape.node in checked or shape.deactivated:
                continue
            checked.add(shape.node)
            self.check(shape)
            for child in shape.properties:
                pending.append(self.shape(child, name=self._child_name(shape, child)))
            for parameter, value in shape.parameters:
                for i, member in enumerate(shape_members(graph, parameter, value), start=1):
                    label = _NAMED_BY[parameter] + (f" member {i}" if parameter in (SH["or"], SH["and"], SH.xone)
                                                    else "")
                    pending.append(self.shape(member, name=f"{shape.name} → {label}"))
            # sh:qualifiedValueShapesDisjoint: the sibling shapes it runs, wherever their own property shape is
            for sibling, owner in sibling_shapes(graph, shape.node).items():
                owner_path = graph.value(owner, SH.path)
                owner_name = show(owner, graph) if isinstance(owner, URIRef) else "property " + (
                    "[no path]" if owner_path is None else readable_path(graph, owner_path))
                pending.append(self.shape(sibling, name=f"{shape.name} → sibling {owner_name} → "
                                                        "sh:qualifiedValueShape"))

    def validated(self) -> list[Shape]:
        """The shapes run on the data, in order: not deactivated, with targets (their own or an active parent's)."""
        return [shape for shape in self._shapes.values() if self._all_targets(shape, set())]

    def _all_targets(self, shape: Shape, seen: set[Node]) -> bool:
        """Whether the shape is active and has focus nodes: its own targets, or an active parent's (a deactivated
        shape's property shapes do not run through it, SHACL 2.1.5)."""
        if shape.deactivated or shape.node in seen:
            return False
        seen = seen | {shape.node}
        return bool(shape.targets or shape.sparql_targets) or any(self._all_targets(parent, seen)
                                                                  for parent in shape.parents)

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

    def _child_name(self, parent: Shape, child: Node) -> str:
        if isinstance(child, URIRef):
            return show(child, self.graph)
        path = self.graph.value(child, SH.path)
        return f"{parent.name} → property {'[no path]' if path is None else readable_path(self.graph, path)}"

    def shape(self, node: Node, *, name: str | None = None) -> Shape:
        """The shape at ``node``, read on first use."""
        found = self._reached.get(node)
        if found is not None:
            return found
        g = self.graph
        name = name or show(node, g)
        severity = g.value(node, SH.severity) or SH.Violation
        messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        path = g.value(node, SH.path)
        path_text = None
        if path is not None:
            try:
                path_text = sparql_path(g, path)
            except ValueError as exc:
                raise InputError(f"{name} → sh:path: {exc}") from None
        shape = Shape(
            node=node, name=name, severity=severity, messages=messages, path=path, path_text=path_text,  # type: ignore[arg-type]
            deactivated=(node, SH.deactivated, Literal(True)) in g,
            parameters=core_parameters(g, node), properties=list(g.objects(node, SH.property)),
            sparql=sorted(g.objects(node, SH.sparql), key=str),
        )
        for cls in g.objects(node, SH.targetClass):
            shape.targets.append(f"{{ ?this {RDF_TYPE}/{SUBCLASS}* {self._iri(shape, SH.targetClass, cls)} }}")
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
            shape.targets.append(f"{{ ?this {RDF_TYPE}/{SUBCLASS}* {self._iri(shape, RDF.type, node)} }}")
        for target in g.objects(node, SH.targetNode):
            if not isinstance(target, (URIRef, Literal)):
                raise InputError(f"{name} → sh:targetNode: a blank node cannot be matched in the data")
            shape.targets.append(f"{{ VALUES ?this {{ {term(target)} }} }}")
        for predicate in g.objects(node, SH.targetSubjectsOf):
            shape.targets.append(f"{{ ?this {self._iri(shape, SH.targetSubjectsOf, predicate)} ?_t }}")
            shape.subjects_of.append(predicate)
        for predicate in g.objects(node, SH.targetObjectsOf):
            shape.targets.append(f"{{ ?_t {self._iri(shape, SH.targetObjectsOf, predicate)} ?this }}")
            shape.objects_of.append(predicate)
        for target in sorted(g.objects(node, SH.target), key=str):
            if g.value(target, SH.select) is None:
                raise self.unsupported(shape, "an sh:target other than a SPARQL target (sh:select)")
            construct = forbidden(str(g.value(target, SH.select)))
            if construct:
                raise InputError(f"{name} → sh:target: its sh:select uses {construct}, which SHACL forbids in a "
                                 "query the focus nodes are joined with (SHACL 5.2.1)")
            self.prefixes_of(target, name=f"{name} → sh:target")
            shape.sparql_targets.append(target)
        self._reached[node] = shape
        return shape

    def _iri(self, shape: Shape, parameter: Node, value: Node) -> str:
        if not isinstance(value, URIRef):
            raise InputError(f"{shape.name} → {show(parameter, self.graph)}: {show(value, self.graph)} is not an IRI")
        return f"<{value}>"

    def check(self, shape: Shape) -> None:
        """Every parameter of the shape has a value its component can use, and every component is supported."""
        g = self.graph
        shape.components = uses(g, shape.node, shape.name, shape.path_text, self._components)
        values = [*shape.parameters, *((SH.sparql, constraint) for constraint in shape.sparql)]
        for parameter, value in values:
            if parameter in SECONDARY:
                continue
            component = COMPONENTS.get(parameter)  # type: ignore[call-overload]
            if component is None:
                raise self.unsupported(shape, refusal(parameter, g))
            problem = component.check(g, shape, value)
            if problem:
                raise InputError(f"{shape.name} → {show(parameter, g)}: {problem}")
        for constraint in shape.sparql:
            self.prefixes_of(constraint, name=f"{shape.name} → sh:sparql")

    def unsupported(self, shape: Shape, what: str) -> InputError:
        return InputError(f"shape {shape.name} uses {what}, which kgbuild's SHACL engine does not support")

    def prefixes_of(self, node: Node, *, name: str | None = None) -> dict[str, str]:
        """The prefix declarations of a SPARQL target or constraint node: those of ``sh:prefixes/owl:imports*/
        sh:declare`` (SHACL 5.2.1), the imports followed within the shapes graph only (nothing is fetched). A prefix
        declared with two namespaces makes the shapes graph ill-formed: an ``InputError`` naming the node (by
        ``name``, else as the graph shows it); the shapes' nodes are read when the shapes are checked."""
        if node not in self._prefixes:
            g = self.graph
            found: dict[str, str] = {}
            owners = list(g.objects(node, SH.prefixes))
            seen = set(owners)
            while owners:
                owner = owners.pop(0)
                for declaration in g.objects(owner, SH.declare):
                    prefix = g.value(declaration, SH.prefix)
                    namespace = g.value(declaration, SH.namespace)
                    if prefix is None or namespace is None:
                        continue
                    if found.setdefault(str(prefix), str(namespace)) != str(namespace):
                        raise InputError(f"{name or show(node, g)} → sh:prefixes: the prefix {str(prefix)!r} is "
                                         f"declared with two namespaces, <{found[str(prefix)]}> and <{namespace}> "
                                         "(SHACL 5.2.1)")
                for imported in g.objects(owner, OWL.imports):
                    if imported not in seen:
                        seen.add(imported)
                        owners.append(imported)
            self._prefixes[node] = found
        return self._prefixes[node]

    def required_path(self, member: Node) -> str | None:
        """The SPARQL path of a member shape whose only constraint is ``sh:minCount 1`` on it, else None."""
        shape = self.shape(member)
        if shape.path_text is None or shape.deactivated or shape.properties or shape.sparql or shape.components:
            return None
        if shape.parameters != [(SH.minCount, Literal(1))]:
            return None
        return shape.path_text

