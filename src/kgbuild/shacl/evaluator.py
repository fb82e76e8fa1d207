"""The evaluator: a shapes program's queries run on a pyoxigraph store, shape by shape, on worker threads.

SPARQL-based constraints run once over all focus nodes, joined with the
shape's targets at the start (or alone, when the target selects exactly the $this values of the
constraint's rows: the same query, or its WHERE clause under SELECT $this), and
``$this`` bound in every nested group that needs it as pre-binding would bind it
(``prebinding``); a query with LIMIT/OFFSET runs once per focus node. GROUP_CONCAT
order inside messages may differ from pyshacl's, which depends on rdflib's storage order.
"""

from __future__ import annotations

import gc
import os
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from kgbuild.backends.base import Dataset
from kgbuild.backends.convert import to_ox
from kgbuild.backends.embedded import EmbeddedDataset
from kgbuild.errors import InputError, QueryError
from kgbuild.shacl.components import COMPONENTS, Check, Context
from kgbuild.shacl.literals import Forms, WrittenLiterals, changes, focus_sources, written_targets
from kgbuild.shacl.prebinding import CURRENT_SHAPE, SHAPES_GRAPH, THIS, nested_groups, prebind, sliced, used
from kgbuild.shacl.report import Result
from kgbuild.shacl.shapes import Shape, Shapes
from kgbuild.shacl.sparqlcomponents import Use, ask_query, select_text, substitute_path
from kgbuild.shacl.text import focus_iri, to_rdflib
from kgbuild.sparqltext import optional_group_starts, outer_group_start, values_column


class Solution(dict):
    """One row of a query: its terms (pyoxigraph) by variable name; None for a variable unbound or not selected."""

    def __missing__(self, name: str) -> None:
        return None


class ShapesProgram:
    """The shapes graph, read (and checked) once; ``validate`` runs it on a store.

    ``refuse_service(shapes)`` raises if a SPARQL text of the shapes calls SERVICE (kgbuild passes
    ``kgbuild.federation.refuse_service_in_shapes``): Oxigraph would send the requests of such a call, and the
    engine takes the shapes' sh:select texts as they are. Other problems of the shapes are ``InputError``s.
    """

    def __init__(self, shapes: Graph, *, refuse_service: Callable[[Graph], None]) -> None:
        self.graph = shapes
        self.shapes = Shapes(shapes, refuse_service=refuse_service)
        self.uses_shapes_graph = any(SHAPES_GRAPH in used(str(text)) for constraint in shapes.objects(None, SH.sparql)
                                     for text in shapes.objects(constraint, SH.select))
        self.targets = written_targets(shapes)  # literal target nodes as written, where the store keeps another form

    def validate(self, store: ox.Store | Dataset, *, focus: Iterable[str] | None = None,
                 workers: int | None = None, written: WrittenLiterals | None = None) -> list[Result]:
        """Every result of every shape, in shape order; with ``focus`` (IRIs), only for those focus nodes.

        ``store``: the embedded pyoxigraph store, or any ``Dataset`` (a SPARQL endpoint: every query is sent to it,
        nothing is downloaded; restricted to focus nodes, every query carries them as VALUES).

        ``written``: the literals as written where the store changed them (see ``WrittenLiterals``), so that
        checks judge and results name them as written; without it, as the store gives them. Literal target nodes
        of the shapes are named as the shapes wrote them either way (on the embedded store; an endpoint's results
        name them as it gives them).

        Shapes are evaluated by ``workers`` threads (default: one per usable CPU): Oxigraph releases the GIL
        while it evaluates a query, so the shapes' queries run side by side.
        """
        focus = None if focus is None else sorted(set(focus))
        embedded = store if isinstance(store, ox.Store) else None
        if written and embedded is None:
            raise ValueError("literals as written (written=) apply to the embedded store only")
        if focus is not None and embedded is not None and not restricting_pays(embedded, len(focus)):
            # Restricting every query to many focus nodes (VALUES) costs more than checking the whole store
            # and keeping the results about them: the answers are the same, the time linear in the store.
            wanted = set(focus)
            return [result for result in self.validate(store, workers=workers, written=written)
                    if focus_iri(result.focus) in wanted]
        shapes_graph = self._load_shapes_graph(embedded)
        try:
            return self._validate(store, embedded, focus, workers, written, shapes_graph)
        finally:
            if shapes_graph is not None and embedded is not None:
                embedded.remove_graph(ox.NamedNode(shapes_graph))

    def _load_shapes_graph(self, embedded: ox.Store | None) -> str | None:
        """Where a constraint uses $shapesGraph: the shapes graph copied into a named graph of the embedded store
        under a fresh reserved IRI (removed when validation ends), which $shapesGraph is pre-bound to. Queries
        that do not name it do not see it (``EmbeddedDataset(hidden=…)``). A remote store cannot be given it."""
        if not self.uses_shapes_graph:
            return None
        if embedded is None:
            raise InputError("a SPARQL constraint of the shapes uses $shapesGraph, which needs the shapes graph in the "
                             "store the queries run on: kgbuild's SHACL engine cannot add it to a remote store "
                             "(validate a local copy of the data instead)")
        name = ox.NamedNode(f"{SHAPES_GRAPH_IRI}{uuid.uuid4()}")
        blank: dict[Node, ox.BlankNode] = {}
        embedded.extend(ox.Quad(_to_ox(s, blank), _to_ox(p, blank), _to_ox(o, blank), name)  # type: ignore[arg-type]
                        for s, p, o in self.graph)
        return name.value

    def _validate(self, store: ox.Store | Dataset, embedded: ox.Store | None, focus: list[str] | None,
                  workers: int | None, written: WrittenLiterals | None, shapes_graph: str | None) -> list[Result]:
        # SERVICE in the shapes' SPARQL was refused when the program was made (``refuse_service``); the queries
        # made of them are not scanned again
        dataset: Dataset = (EmbeddedDataset(embedded, allow_service=True, hidden=shapes_graph) if embedded is not None
                            else store)  # type: ignore[assignment]
        run = _Run(self, dataset, embedded, focus, written or None, shapes_graph=shapes_graph)
        shapes = self.shapes.validated()
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


# Restricted to focus nodes, a shape's queries cost about this many times more per focus node than per
# triple of the store unrestricted (measured on pyoxigraph 0.5: VALUES rows are joined one by one); the store
# is only counted (a scan) when there are at least _FOCUS_CHECKED focus nodes.
_FOCUS_COST = 20
_FOCUS_CHECKED = 64


def restricting_pays(store: ox.Store, count: int) -> bool:
    """Whether a query restricted by VALUES to ``count`` nodes is cheaper than one over the whole store.

    The store's size is only compared with ``count * _FOCUS_COST``: counting that many quads costs in proportion
    to the focus, where ``len(store)`` counts every quad (0.4 s on a 1M-triple store on disk)."""
    if count < _FOCUS_CHECKED:
        return True
    wanted = count * _FOCUS_COST
    return sum(1 for _ in islice(store.quads_for_pattern(None, None, None, None), wanted)) >= wanted


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the OS says), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every OS
        return os.cpu_count() or 1


class _Run:
    def __init__(self, program: ShapesProgram, dataset: Dataset, store: ox.Store | None, focus: list[str] | None,
                 written: WrittenLiterals | None = None, *, shapes_graph: str | None = None) -> None:
        self.written = written
        self.shapes_graph = shapes_graph  # the IRI $shapesGraph is pre-bound to, if a constraint uses it
        self.targets = program.targets
        self.shapes = program.shapes
        self.graph = program.graph
        self.dataset = dataset
        self.store = store  # the embedded store, if it is one (literals as written are looked up in it)
        self.focus = focus
        self.focus_values = None if focus is None else values_column("this", map(ox.NamedNode, focus))

    # --- targets -----------------------------------------------------------------

    def target(self, shape: Shape, prefixes: dict[str, str], seen: frozenset[Node] = frozenset(), *,
               restrict: bool = True) -> str:
        """A group pattern binding ?this to the shape's focus nodes: its own targets, and per active parent the
        parent's focus nodes, or where the parent has a path the values of that path (its value nodes).

        ``restrict``: SPARQL targets start with the focus restriction (not those of a parent with a path: its focus
        nodes are not the focus nodes restricted to, their values are)."""
        parts: list[str] = list(shape.targets)
        for node in shape.sparql_targets:
            text = str(self.graph.value(node, SH.select))
            prefixes.update(self.shapes.prefixes_of(node))
            parts.append("{ SELECT DISTINCT ?this WHERE { { " + (self._restricted(text) if restrict else text)
                         + " } } }")
        seen = seen | {shape.node}
        for parent in shape.parents:
            if parent.deactivated or parent.node in seen:
                continue
            parent_target = self.target(parent, prefixes, seen, restrict=restrict and parent.path_text is None)
            if parent_target and parent.path_text is not None:
                depth = len(seen)
                focus, value = f"?_pf{depth}", f"?_pv{depth}"
                parent_target = (f"{{ SELECT DISTINCT ({value} AS ?this) WHERE {{ "
                                 f"{{ SELECT DISTINCT (?this AS {focus}) WHERE {{ {parent_target} }} }} "
                                 f"{focus} {parent.path_text} {value} }} }}")
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

    def select(self, query: str) -> Sequence[Solution]:
        return self.solutions(query)[1]

    def solutions(self, query: str) -> tuple[list[str], Sequence[Solution]]:
        """The query's variable names and all its rows, read at once (from the dataset)."""
        try:
            rows = self.dataset.select(query)
        except QueryError as error:
            raise InputError(f"SHACL engine query failed: {error}\n{query}") from error
        return list(rows.variables), [Solution(zip(rows.variables, row)) for row in rows.rows]

    def shape_results(self, shape: Shape) -> list[Result]:
        prefixes: dict[str, str] = {}
        target = self.target(shape, prefixes)
        out: list[Result] = []
        # a literal focus node as written (without a path, where the focus is the value, the checks name it)
        forms = self.written_forms(shape, 0) if shape.path is not None else None
        for component, query, mapper in self.checks(shape, "?this", "?value", target, prefixes, depth=0):
            for row in mapper(self.select(query) if query else []):
                focus, value, path, _bound = row
                for written in ((focus,) if forms is None else forms.focus_forms(focus)):
                    out.append(self._result(shape, component, written, value, path))
        for constraint in shape.sparql:
            out.extend(self.sparql_results(shape, constraint, target, prefixes))
        out.extend(self.component_results(shape, target, prefixes))
        return out

    def _result(self, shape: Shape, component: str, focus, value, path) -> Result:
        return Result(
            shape=shape.node,
            component=component,
            severity=shape.severity,
            focus=to_rdflib(focus),
            path=path if path is not None else shape.path,
            value=None if value is None else to_rdflib(value),
            messages=shape.messages,
        )

    def checks(self, shape: Shape, f: str, v: str, target: str, prefixes: dict[str, str], *,
               depth: int) -> list[Check]:
        """(component, query, mapper) per core constraint of ``shape``; mapper yields (focus, value, path, bound)."""
        where = self.where(target) if depth == 0 else target
        # Constraints on values need no target pattern when the target is "subjects of the path":
        # joining the two (equal) sets cost more than the check itself.
        value_where = self.where("") if depth == 0 and shape.targets_only_subjects_of_path() else where
        path = shape.path_text
        values = f"{f} {path} {v} ." if path else f"BIND({f} AS {v})"
        context = Context(
            run=self, shape=shape, f=f, v=v, depth=depth, prefixes=prefixes, where=where, value_where=value_where,
            path=path, values=values, all_values=f"SELECT DISTINCT {f} {v} WHERE {{ {value_where} {values} }}",
        )
        checks: list[Check] = []
        for parameter, value in shape.parameters:
            component = COMPONENTS.get(parameter)  # type: ignore[call-overload]
            if component is None or component.compile is None:  # a secondary parameter (sh:flags)
                continue
            check = component.compile(context, value)
            if check is not None:
                checks.append(check)
        return checks

    def written_forms(self, shape: Shape, depth: int) -> Forms | None:
        """How a check of ``shape`` sees a value as written, or None if the store gave every literal as written (the
        data's, and at the top the shape's literal target nodes)."""
        sources = focus_sources(shape, self.targets) if depth == 0 else None
        if self.store is None or (self.written is None and (sources is None or not changes(sources[0]))):
            return None
        return Forms(self.store, self.graph, self.written or WrittenLiterals(), shape, depth, sources)

    def violators(self, shape: Shape, f: str, target: str, prefixes: dict[str, str], *, depth: int) -> set:
        """The focus nodes bound by ``target`` (as ``f``) that do not conform to ``shape``."""
        bad: set = set()
        if shape.deactivated:  # SHACL 2.1.5: every value node conforms to a deactivated shape
            self.shapes.check(shape)
            return bad
        v = f"?_v{depth}"
        for _component, query, mapper in self.checks(shape, f, v, target, prefixes, depth=depth):
            bad.update(row[0] for row in mapper(self.select(query)))
        for child in shape.properties:
            bad |= self._property_violators(shape, self.shapes.shape(child), f, target, prefixes, depth=depth)
        for constraint in shape.sparql:
            renamed = f"{{ SELECT ({f} AS ?this) WHERE {{ {target} }} }}"
            _, rows = self._constraint_rows(shape, constraint, renamed, prefixes, restrict=False)
            bad.update(s["this"] for s in rows)
        bad |= self.component_violators(shape, f, target, prefixes, depth=depth)
        return bad

    def _property_violators(self, shape: Shape, child: Shape, f: str, target: str, prefixes: dict[str, str], *,
                            depth: int) -> set:
        """The focus nodes of ``shape`` (bound by ``target`` as ``f``) that fail its property shape ``child``: on the
        focus nodes themselves, or where ``shape`` has a path, through a value of that path that fails it."""
        if shape.path_text is None:
            return self.violators(child, f, target, prefixes, depth=depth)
        inner_f = f"?_n{depth + 1}"
        inner_target = f"{{ SELECT DISTINCT {inner_f} WHERE {{ {target} {f} {shape.path_text} {inner_f} }} }}"
        failing = self.violators(child, inner_f, inner_target, prefixes, depth=depth + 1)
        if not failing:
            return set()
        value = f"?_nv{depth}"
        pairs = self.select(f"{self.head(prefixes)}SELECT DISTINCT {f} {value} WHERE "
                            f"{{ {target} {f} {shape.path_text} {value} }}")
        return {s[f[1:]] for s in pairs if s[value[1:]] in failing}

    # --- SPARQL-based constraints ----------------------------------------------------

    def _sparql_query(self, shape, constraint, target, prefixes, *, restrict: bool,
                      text: str | None = None) -> tuple[str, dict]:
        """``text``: the query to run (a SELECT validator's), else the constraint's sh:select."""
        if text is None:
            text = self.constraint_select(shape, constraint)
        own = dict(prefixes)
        own.update(self.shapes.prefixes_of(constraint))
        targets = list(shape.sparql_targets)
        nested, constants = self._prebound(shape, text, target, restrict=restrict)
        same = (
            len(targets) == 1
            and not nested_groups(text, THIS)  # else the targets are needed in the nested groups anyway
            and _selects_the_focus_of(str(self.graph.value(targets[0], SH.select)), text)
            and self.shapes.prefixes_of(targets[0]) == self.shapes.prefixes_of(constraint)
            and not shape.targets
            and not shape.parents
        )
        if same:
            inserted = self.focus_values if (restrict and self.focus_values) else ""
        else:
            inserted = (self.focus_values + " " if (restrict and self.focus_values) else "") + target
        query = prebind(text, outer=" ".join(filter(None, (inserted, constants))), nested=nested)
        if restrict and self.focus_values:
            # Oxigraph evaluates an OPTIONAL group of several patterns on its own, over the whole graph,
            # then joins; restricted here too (where it uses ?this), it only looks at the focus nodes.
            # The same answers: every row of the outer group already has ?this among them.
            for start in reversed(optional_group_starts(query, mentioning="this")):
                if not query[start + 1:].lstrip().startswith(self.focus_values):  # not restricted for pre-binding
                    query = query[:start + 1] + " " + self.focus_values + " " + query[start + 1:]
        return self.head(own) + query, own

    def _constraint_rows(self, shape: Shape, constraint: Node, target: str, prefixes: dict[str, str], *,
                         restrict: bool) -> tuple[list[str], Sequence[Solution]]:
        """A SPARQL constraint's variables and rows, for the focus nodes ``target`` binds as ``?this``: one query
        over them all, or where its LIMIT/OFFSET cut each focus node's rows apart (``prebinding.sliced``), one
        query per focus node, the node in it as a term (pyoxigraph's N-Triples form of an IRI or a literal; a
        blank node cannot be named in a query and is refused)."""
        text = self.constraint_select(shape, constraint)
        if not sliced(text):
            query, _ = self._sparql_query(shape, constraint, target, prefixes, restrict=restrict)
            return self.solutions(query)
        where = self.where(target) if restrict else target
        names: list[str] = []
        rows: list[Solution] = []
        for row in self.select(f"{self.head(prefixes)}SELECT DISTINCT ?this WHERE {{ {where} }}"):
            node = row["this"]
            if not isinstance(node, (ox.NamedNode, ox.Literal)):
                raise InputError(f"{shape.name} → sh:sparql: its sh:select uses LIMIT or OFFSET, which needs one "
                                 f"query per focus node, and a focus node is a blank node, which a query cannot "
                                 f"name")
            query, _ = self._sparql_query(shape, constraint, values_column(THIS, [node]), prefixes,
                                           restrict=False)
            names, found = self.solutions(query)
            rows.extend(found)
        return names, rows

    def _prebound(self, shape: Shape, text: str, target: str, *, restrict: bool) -> tuple[dict[str, str], str]:
        """How the pre-bound variables of a SPARQL constraint's ``text`` are bound (SHACL 5.2.2), beyond the
        focus nodes at the start of its outer group: the pattern binding each at the start of a nested group that
        uses it (``prebinding.prebind``), and the VALUES of the constant ones ($shapesGraph, $currentShape) for the
        outer group. A nested group needs any set of nodes holding the focus nodes: restricted, the VALUES of the
        nodes restricted to (the outer group joins the targets), else the targets."""
        names = used(text)
        nested: dict[str, str] = {}
        if THIS in names:
            nested[THIS] = self.focus_values if (restrict and self.focus_values) else target
        if SHAPES_GRAPH in names and self.shapes_graph is not None:  # validate() put the shapes graph in the store
            nested[SHAPES_GRAPH] = values_column(SHAPES_GRAPH, [ox.NamedNode(self.shapes_graph)])
        if CURRENT_SHAPE in names:  # an IRI (checked when the shapes were read)
            nested[CURRENT_SHAPE] = values_column(CURRENT_SHAPE, [ox.NamedNode(str(shape.node))])
        constants = " ".join(pattern for name, pattern in sorted(nested.items()) if name != THIS)
        return nested, constants

    def sparql_results(self, shape: Shape, constraint: Node, target: str, prefixes: dict[str, str]) -> list[Result]:
        names, solutions = self._constraint_rows(shape, constraint, target, prefixes, restrict=True)
        messages = tuple(m for m in self.graph.objects(constraint, SH.message) if isinstance(m, Literal))
        out: list[Result] = []
        seen: set = set()
        for this, path, value, bound in _select_rows(names, solutions, node_shape=shape.path is None):
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

    def constraint_select(self, shape: Shape, constraint: Node) -> str:
        """A SPARQL constraint's sh:select, its $PATH replaced by the path of the (property) shape (SHACL 5.3.1)."""
        text = str(self.graph.value(constraint, SH.select))  # there is one (checked when the shapes were read)
        return text if shape.path_text is None else substitute_path(text, shape.path_text)

    # --- SPARQL-based constraint components (SHACL 6) -----------------------------------------------------------

    def _ask_query(self, shape: Shape, use: Use, f: str, where: str, prefixes: dict[str, str], *,
                   depth: int) -> str:
        """The (?this, ?value) pairs of focus nodes bound by ``where`` (as ``f``) and their value nodes that the
        ASK validator fails: one query over all of them."""
        v = f"?_u{depth}"
        values = f"{f} {shape.path_text} {v} ." if shape.path_text else f"BIND({f} AS {v})"
        own = dict(prefixes)
        own.update(self.shapes.prefixes_of(use.validator))
        return ask_query(use, head=self.head(own), f=f, v=v, focus_values=f"{where} {values}")

    def component_results(self, shape: Shape, target: str, prefixes: dict[str, str]) -> list[Result]:
        """The results of the shape's uses of SPARQL-based constraint components: an ASK validator's failing
        (focus, value) pairs, a SELECT validator's rows (as a SPARQL constraint's, SHACL 6.3)."""
        out: list[Result] = []
        for use in shape.components:
            parameters = {name: value for name, value in use.bindings}
            rows: list[tuple[Node, Node | None, Node | None, dict[str, Node]]]
            if use.ask:
                rows = [(to_rdflib(s["this"]), None, to_rdflib(s["value"]), {})
                        for s in self.select(self._ask_query(shape, use, "?this", self.where(target), prefixes,
                                                             depth=0))]
            else:
                query, _ = self._sparql_query(shape, use.validator, target, prefixes, restrict=True,
                                              text=select_text(use))
                rows = list(_select_rows(*self.solutions(query), node_shape=shape.path is None))
            seen: set = set()
            for this, path, value, bound in rows:
                key = (this, path, value)
                if key in seen:
                    continue
                seen.add(key)
                variables = {**parameters, "this": this, **({"path": path} if path is not None else {}),
                             **({"value": value} if value is not None else {}), **bound}
                out.append(Result(
                    shape=shape.node,
                    component=str(use.component),
                    severity=shape.severity,
                    focus=this,
                    path=path if path is not None else shape.path,
                    value=value,
                    messages=tuple(Literal(_format(str(m), variables)) for m in (*shape.messages, *use.messages)),
                ))
        return out

    def component_violators(self, shape: Shape, f: str, target: str, prefixes: dict[str, str], *,
                            depth: int) -> set:
        """The focus nodes bound by ``target`` (as ``f``) that fail one of the shape's SPARQL-based components."""
        bad: set = set()
        for use in shape.components:
            if use.ask:
                query = self._ask_query(shape, use, f, target, prefixes, depth=depth)
            else:
                renamed = f"{{ SELECT ({f} AS ?this) WHERE {{ {target} }} }}"
                query, _ = self._sparql_query(shape, use.validator, renamed, prefixes, restrict=False,
                                              text=select_text(use))
            bad.update(s["this"] for s in self.select(query))
        return bad


def _select_rows(names: list[str], solutions: Sequence[Solution], *, node_shape: bool):
    """(this, path, value, other bindings) of a SELECT validator's rows (rdflib terms): the value is ?value, or in
    a node shape the focus node itself (SHACL 6.3.2)."""
    for solution in solutions:
        bound = {name: to_rdflib(solution[name]) for name in names if solution[name] is not None}
        this = bound.pop("this", None)
        path = bound.pop("path", None)
        value = bound.pop("value", None)
        bound.pop("failure", None)
        if this is None:
            continue
        yield this, path, this if (value is None and node_shape) else value, bound


# Where the shapes graph goes in the store while a validation that needs it runs (a fresh UUID is appended).
SHAPES_GRAPH_IRI = "urn:kgbuild:shacl:shapes-graph:"


def _to_ox(node: Node, blank: dict[Node, ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term of the shapes graph in pyoxigraph's terms; its blank nodes fresh ones (the data's are others)."""
    return blank.setdefault(node, ox.BlankNode()) if isinstance(node, BNode) else to_ox(node)


def _format(message: str, variables: dict[str, Node]) -> str:
    for name, value in variables.items():
        message = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, text=str(value): text, message)
    return message


_THIS_ONLY = re.compile(r"\s*SELECT\s+(?:DISTINCT\s+)?[?$]this\s+(?=WHERE\b)", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)
_SLICE = re.compile(r"\b(?:LIMIT|OFFSET)\b", re.IGNORECASE)


def _selects_the_focus_of(target: str, constraint: str) -> bool:
    """Whether the SPARQL target selects exactly the ``$this`` values the constraint's rows have: the same
    query, or ``SELECT [DISTINCT] $this`` followed word for word by the constraint's WHERE clause (and its
    GROUP BY / HAVING) — the SHACL-AF form of a target split from its constraint (shapes/prefixes.ttl). Then
    the constraint needs no join with the target. LIMIT/OFFSET would cut the two differently: never the same.
    A miss only costs time (the join is made), so the test may be strict."""
    if target == constraint:
        return True
    head = _THIS_ONLY.match(target)
    where = _WHERE.search(constraint)
    if head is None or where is None or _SLICE.search(constraint):
        return False
    return target[head.end():].split() == constraint[where.start():].split()
