"""The constraint components kgbuild's SHACL engine supports: one entry each in ``COMPONENTS``.

An entry checks its parameter's value when the shapes are read (``check``: what is wrong with it, or None) and
compiles it into one set-oriented SPARQL query (``compile``): a ``Check`` of (component name, query, mapper),
the mapper turning the query's rows into ``(focus, value, path, bound)`` rows of failing values. A shape that
uses a parameter not in the table is refused, naming the component (``CORE_PARAMETERS``) and the shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kgbuild.backends.convert import to_ox
from kgbuild.shacl.literals import VALUE_DATATYPES, Forms, has_datatype
from kgbuild.shacl.prebinding import refusal as prebinding_refusal
from kgbuild.shacl.sparqlcomponents import mentions
from kgbuild.shacl.sparqlrules import forbidden
from kgbuild.shacl.text import (
    RDF_TYPE,
    SKOLEM,
    SUBCLASS,
    iri,
    rdf_list,
    show,
    string,
    term,
    to_rdflib,
)
from kgbuild.sparqltext import values_column

if TYPE_CHECKING:
    from kgbuild.shacl.shapes import Shape

Check = tuple[str, str, Callable[[Any], Iterator[tuple]]]  # (component name, query, mapper)

NODE_KINDS = {
    SH.IRI: "isIRI({v}) && !STRSTARTS(STR({v}), '" + SKOLEM + "')",
    SH.BlankNode: "isBlank({v}) || STRSTARTS(STR({v}), '" + SKOLEM + "')",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "isBlank({v}) || isLiteral({v}) || STRSTARTS(STR({v}), '" + SKOLEM + "')",
    SH.IRIOrLiteral: "(isIRI({v}) && !STRSTARTS(STR({v}), '" + SKOLEM + "')) || isLiteral({v})",
}


@dataclass
class Context:
    """What a compiler needs of the shape being compiled and of the run."""

    run: Any  # the evaluator's run: head, violators, written_forms, shapes
    shape: Shape
    f: str  # the focus variable
    v: str  # the value variable
    depth: int  # 0 at the top, one more inside each logical constraint
    prefixes: dict[str, str]  # may grow while compiling (SPARQL targets of member shapes)
    where: str  # the group binding the focus nodes
    value_where: str  # the same, or nothing where every value implies a focus node
    path: str | None  # the shape's path as SPARQL
    values: str  # the pattern binding the values
    all_values: str  # a SELECT of every (focus, value)

    def head(self) -> str:
        return self.run.head(self.prefixes)

    def rows(self, solutions) -> Iterator[tuple]:
        """(focus, value) rows of failing values; where the store changed some literal, each value as written (a
        check on values judges a value, which all its forms share)."""
        f, v = self.f[1:], self.v[1:]
        forms = self.forms()
        for s in solutions:
            focus, value = s[f], s[v]
            if forms is None:
                yield focus, value, None, None
                continue
            for form in forms.of(focus, value):
                yield forms.focus(focus, value, form), form, None, None

    def focus_rows(self, solutions) -> Iterator[tuple]:
        """Failing focus nodes; without a path, as written (a focus node on a path: the evaluator, at the top)."""
        f = self.f[1:]
        forms = self.forms() if self.path is None else None
        for s in solutions:
            focus = s[f]
            if forms is None:
                yield focus, None, None, None
                continue
            for form in forms.of(focus, focus):
                yield forms.focus(focus, focus, form), None, None, None

    def forms(self) -> Forms | None:
        """How a check sees a value as written, or None if the store gave every literal as written."""
        return self.run.written_forms(self.shape, self.depth)


# --- checking parameter values -------------------------------------------------------------------------------

def _count(graph: Graph, shape: Shape, value: Node) -> str | None:
    if shape.path is None:
        return "needs sh:path (it counts a property's values)"
    number = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        return f"{show(value, graph)} is not a non-negative integer"
    return None


def _an_iri(graph: Graph, shape: Shape, value: Node) -> str | None:
    return None if isinstance(value, URIRef) else f"{show(value, graph)} is not an IRI"


def _a_literal(graph: Graph, shape: Shape, value: Node) -> str | None:
    return None if isinstance(value, Literal) else f"{show(value, graph)} is not a literal"


def _a_value(graph: Graph, shape: Shape, value: Node) -> str | None:
    return None if not isinstance(value, BNode) else "a blank node cannot be matched in the data"


def _node_kind(graph: Graph, shape: Shape, value: Node) -> str | None:
    if value in NODE_KINDS:
        return None
    return f"{show(value, graph)} is not one of {', '.join(show(k, graph) for k in NODE_KINDS)}"


_SCRATCH = ox.Store()  # empty: only asks Oxigraph whether it can compile a regular expression


def _pattern(graph: Graph, shape: Shape, value: Node) -> str | None:
    if not isinstance(value, Literal):
        return f"{show(value, graph)} is not a string"
    flags = list(graph.objects(shape.node, SH.flags))
    if len(flags) > 1 or (flags and not isinstance(flags[0], Literal)):
        return "sh:flags needs one string"
    flag_text = f", {string(str(flags[0]))}" if flags else ""
    # the regular expression dialect is Oxigraph's: an expression it cannot compile makes REGEX an error,
    # which a FILTER takes for false (every value would pass), so it is asked here
    query = f"SELECT (REGEX(\"\", {string(str(value))}{flag_text}) AS ?ok) WHERE {{}}"
    solutions = list(_SCRATCH.query(query))  # type: ignore[arg-type]
    if solutions[0]["ok"] is None:
        what = f"{show(value, graph)}{' with sh:flags ' + show(flags[0], graph) if flags else ''}"
        return f"{what} is not a valid regular expression"
    return None


def _pair(graph: Graph, shape: Shape, value: Node) -> str | None:
    if shape.path is None:
        return "needs sh:path (it compares a property's values)"
    return _an_iri(graph, shape, value)


def _boolean(graph: Graph, shape: Shape, value: Node) -> str | None:
    if isinstance(value, Literal) and value.datatype == XSD.boolean and isinstance(value.toPython(), bool):
        return None
    return f"{show(value, graph)} is not true or false"


def _list_of_values(graph: Graph, shape: Shape, value: Node) -> str | None:
    try:
        members = rdf_list(graph, value)
    except ValueError as exc:
        return str(exc)
    if any(isinstance(member, BNode) for member in members):
        return "a blank node in the list cannot be matched in the data"
    return None


def _length(graph: Graph, shape: Shape, value: Node) -> str | None:
    number = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        return f"{show(value, graph)} is not a non-negative integer"
    return None


def _list_of_language_tags(graph: Graph, shape: Shape, value: Node) -> str | None:
    try:
        members = rdf_list(graph, value)
    except ValueError as exc:
        return str(exc)
    for member in members:
        if not isinstance(member, Literal) or member.language or member.datatype not in (None, XSD.string):
            return f"{show(member, graph)} in the list is not a string (a language range such as \"en\")"
    return None


def _a_shape(graph: Graph, shape: Shape, value: Node) -> str | None:
    return f"{show(value, graph)} is not a shape (an IRI or blank node)" if isinstance(value, Literal) else None


def _list_of_shapes(graph: Graph, shape: Shape, value: Node) -> str | None:
    try:
        members = rdf_list(graph, value)
    except ValueError as exc:
        return str(exc)
    for member in members:
        problem = _a_shape(graph, shape, member)
        if problem:
            return problem
    return None


def _closed_parameters(graph: Graph, shape: Shape, value: Node) -> str | None:
    problem = _boolean(graph, shape, value)
    if problem:
        return problem
    ignored = list(graph.objects(shape.node, SH.ignoredProperties))
    if len(ignored) > 1:
        return "its sh:ignoredProperties needs one RDF list of IRIs, not several values"
    if ignored:
        try:
            members = rdf_list(graph, ignored[0])
        except ValueError as exc:
            return f"its sh:ignoredProperties: {exc}"
        for member in members:
            if not isinstance(member, URIRef):
                return f"its sh:ignoredProperties: {show(member, graph)} is not an IRI"
    return None


def _sparql(graph: Graph, shape: Shape, value: Node) -> str | None:
    if isinstance(value, Literal):
        return f"{show(value, graph)} is not a SPARQL constraint (a node with sh:select)"
    selects = list(graph.objects(value, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal):
        return "a SPARQL constraint needs one sh:select (a string); kgbuild's SHACL engine supports no other form"
    if shape.path is None and mentions(str(selects[0]), "PATH"):
        return "its sh:select uses $PATH, which only a property shape has (SHACL 5.3.1)"
    problem = prebinding_refusal(str(selects[0]), shape_is_iri=isinstance(shape.node, URIRef))
    if problem:
        return problem
    construct = forbidden(str(selects[0]))
    if construct:
        return f"its sh:select uses {construct}, which SHACL forbids in a query with $this pre-bound (SHACL 5.2.1)"
    return None


def _qualified_count(graph: Graph, shape: Shape, value: Node) -> str | None:
    """sh:qualifiedMinCount / sh:qualifiedMaxCount: a non-negative integer, with at most one sh:qualifiedValueShape
    (a shape) and at most one sh:qualifiedValueShapesDisjoint (true or false) beside it."""
    problem = _length(graph, shape, value)
    if problem:
        return problem
    qualified = list(graph.objects(shape.node, SH.qualifiedValueShape))
    if len(qualified) > 1:
        return "its sh:qualifiedValueShape needs one shape, not several"
    if qualified and _a_shape(graph, shape, qualified[0]):
        return f"its sh:qualifiedValueShape: {_a_shape(graph, shape, qualified[0])}"
    if qualified and shape.path is None:  # SHACL 4.7.3: on property shapes only (shsh:NodeShapeShape)
        return "needs sh:path (it counts a property's values); a node shape cannot have sh:qualifiedValueShape"
    disjoint = list(graph.objects(shape.node, SH.qualifiedValueShapesDisjoint))
    if len(disjoint) > 1:
        return "its sh:qualifiedValueShapesDisjoint needs one value, true or false"
    if disjoint and _boolean(graph, shape, disjoint[0]):
        return f"its sh:qualifiedValueShapesDisjoint: {_boolean(graph, shape, disjoint[0])}"
    return None


def sibling_shapes(graph: Graph, node: Node) -> dict[Node, Node]:
    """The sibling shapes of a shape with sh:qualifiedValueShapesDisjoint true (SHACL 4.7.3), each with a property
    shape it is the sh:qualifiedValueShape of: the qualified value shapes of the property shapes of the shape's
    parent shapes (those with it as sh:property), but its own; none when the shape is not disjoint. Like
    sh:uniqueLang, only the literal true switches it on."""
    disjoint = graph.value(node, SH.qualifiedValueShapesDisjoint)
    if not (isinstance(disjoint, Literal) and disjoint.datatype == XSD.boolean and str(disjoint) == "true"):
        return {}
    own = set(graph.objects(node, SH.qualifiedValueShape))
    found: dict[Node, Node] = {}
    for parent in sorted(graph.subjects(SH.property, node), key=str):
        for sibling in sorted(graph.objects(parent, SH.property), key=str):
            for qualified in graph.objects(sibling, SH.qualifiedValueShape):
                if qualified not in own:
                    found.setdefault(qualified, sibling)
    return dict(sorted(found.items(), key=lambda pair: str(pair[0])))


def shape_members(graph: Graph, parameter: Node, value: Node) -> list[Node]:
    """The shapes a logical constraint's value names (its list, or the one shape of sh:not, sh:node and
    sh:qualifiedValueShape)."""
    if parameter in (SH["not"], SH.node, SH.qualifiedValueShape):
        return [value]
    if parameter in (SH["or"], SH["and"], SH.xone):
        return rdf_list(graph, value)
    return []


# --- compilers -----------------------------------------------------------------------------------------------

def _min_count(c: Context, value: Node) -> Check:
    f, v, count = c.f, c.v, int(value)  # type: ignore[call-overload]
    if count == 1:  # "no value": a join, not a GROUP BY
        query = f"{c.head()}SELECT DISTINCT {f} WHERE {{ {c.where} OPTIONAL {{ {c.values} }} FILTER (!BOUND({v})) }}"
    else:
        query = (f"{c.head()}SELECT {f} WHERE {{ {c.where} OPTIONAL {{ {c.values} }} }} GROUP BY {f} "
                 f"HAVING (COUNT(DISTINCT {v}) < {count})")
    return "MinCount", query, c.focus_rows


def _max_count(c: Context, value: Node) -> Check:
    query = (f"{c.head()}SELECT {c.f} WHERE {{ {c.value_where} {c.values} }} GROUP BY {c.f} "
             f"HAVING (COUNT(DISTINCT {c.v}) > {int(value)})")  # type: ignore[call-overload]
    return "MaxCount", query, c.focus_rows


def _class(c: Context, value: Node) -> Check:
    # "not an instance", as OPTIONAL + !BOUND: Oxigraph joins this (3× faster than NOT EXISTS). The class tree is
    # walked up from each type to a variable, compared with the class by its IRI's text: with the class as the
    # path's end (?type rdfs:subClassOf* <C>), Virtuoso 7.2 answers the path for only one of the values sharing a
    # type. (!isLiteral, not isIRI: Virtuoso turns isIRI(?x) && STR(?x) = "C" back into ?x = <C>.)
    kind, reached = f"?_c{c.depth}", f"?_ca{c.depth}"
    query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} "
             f"OPTIONAL {{ {c.v} {RDF_TYPE} {kind} . {kind} {SUBCLASS}* {reached} . "
             f"FILTER (!isLiteral({reached}) && STR({reached}) = {string(iri(value)[1:-1])}) }} "
             f"FILTER (!BOUND({kind})) }}")
    return "Class", query, c.rows


def _datatype(c: Context, value: Node) -> Check:
    return "Datatype", c.head() + c.all_values, _datatype_filter(value, c.f, c.v, c.forms())


def _nodekind(c: Context, value: Node) -> Check:
    test = NODE_KINDS[value].format(v=c.v)  # type: ignore[index]
    query = f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} FILTER (!({test})) }}"
    return "NodeKind", query, c.rows


def _regex(c: Context, value: Node) -> Check:
    flags = c.run.graph.value(c.shape.node, SH.flags)
    flag_text = f", {string(str(flags))}" if flags is not None else ""
    blank = NODE_KINDS[SH.BlankNode].format(v=c.v)
    forms = c.forms()
    query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} "
             f"FILTER ({blank} || !REGEX(STR({c.v}), {string(str(value))}{flag_text}){_changed_types(c)}) }}")
    if forms is None:
        return "Pattern", query, c.rows
    # literals of the datatypes the store changes come back whatever their form; their lexical forms as written
    # are matched here, by Oxigraph's REGEX (the same dialect) on a scratch store, in one query
    plain = c.rows
    test = f"REGEX(?s, {string(str(value))}{flag_text})"

    def mapper(solutions) -> Iterator[tuple]:
        rows = list(plain(solutions))
        asked = {row[1].value for row in rows if _of_changed_type(row[1])}
        matching: set[str] = set()
        if asked:
            found = None
            try:
                found = ox.Store().query(f"SELECT ?s WHERE {{ {values_column('s', map(ox.Literal, sorted(asked)))} "
                                         f"FILTER ({test}) }}")
                matching = {row["s"].value for row in found}  # type: ignore[union-attr, index]
            finally:
                found = None  # freed on this (worker) thread
        for row in rows:
            if not _of_changed_type(row[1]) or row[1].value not in matching:
                yield row
    return "Pattern", query, mapper


_TRUE = ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean)))


def _changed_types(c: Context) -> str:
    """A FILTER alternative letting through the literals of the datatypes the store may change, where it changed
    some: a check judging a literal's form looks at those as written (in Python); nothing otherwise."""
    if c.forms() is None:
        return ""
    return (f" || (isLiteral({c.v}) && DATATYPE({c.v}) IN "
            f"({', '.join(str(d) for d in sorted(VALUE_DATATYPES, key=str))}))")


def _of_changed_type(term) -> bool:
    return isinstance(term, ox.Literal) and term.datatype in VALUE_DATATYPES


def _comparison(name: str, op: str) -> Callable[[Context, Node], Check]:
    def compile(c: Context, value: Node) -> Check:
        query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} "
                 f"FILTER (!COALESCE({c.v} {op} {term(value)}, false)) }}")
        return name, query, c.rows
    return compile


def _property_pair(name: str, op: str) -> Callable[[Context, Node], Check]:
    def compile(c: Context, value: Node) -> Check:
        other = f"?_o{c.depth}"
        query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} {c.f} {iri(value)} "
                 f"{other} FILTER (!COALESCE({c.v} {op} {other}, false)) }}")
        return name, query, c.rows
    return compile


def _unique_lang(c: Context, value: Node) -> Check | None:
    # only the literal true switches it on (SHACL 4.4.4 names true; the W3C suite's uniqueLang-002 holds that
    # "1"^^xsd:boolean, the same value, leaves it off): the lexical form, as the shapes were written
    if c.path is None or not (isinstance(value, Literal) and value.datatype == XSD.boolean and str(value) == "true"):
        return None
    f, a, b = c.f, f"?_a{c.depth}", f"?_b{c.depth}"
    query = (f"{c.head()}SELECT DISTINCT {f} (LCASE(LANG({a})) AS ?_lang) WHERE {{ {c.value_where} "
             f"{f} {c.path} {a} . {f} {c.path} {b} FILTER ({a} != {b} && LANG({a}) != '' "
             f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
    return "UniqueLang", query, c.focus_rows


def _length_limit(name: str, op: str) -> Callable[[Context, Node], Check]:
    """sh:minLength / sh:maxLength: STRLEN of a value's string form (an IRI's IRI, a literal's lexical form as
    written); a blank node always fails (SHACL 4.4.1, 4.4.2). Where the store keeps some literals in another form
    ("01"^^xsd:integer as "1"), the literals of the datatypes it changes are judged as written, in Python."""
    def compile(c: Context, value: Node) -> Check:
        limit = int(value)  # type: ignore[call-overload]
        blank = NODE_KINDS[SH.BlankNode].format(v=c.v)
        forms = c.forms()
        changed = "" if forms is None else (
            f" || (isLiteral({c.v}) && DATATYPE({c.v}) IN ({', '.join(str(d) for d in sorted(VALUE_DATATYPES, key=str))}))")
        query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} "
                 f"FILTER ({blank} || !(STRLEN(STR({c.v})) {op} {limit}){changed}) }}")
        return name, query, c.rows if forms is None else _length_filter(op, limit, c.f, c.v, forms)
    return compile


def _length_filter(op: str, limit: int, f: str, v: str, forms: Forms):
    def mapper(solutions):
        for s in solutions:
            focus, value = s[f[1:]], s[v[1:]]
            for form in forms.of(focus, value):
                if isinstance(form, ox.BlankNode) or form.value.startswith(SKOLEM):
                    bad = True
                else:
                    bad = not (len(form.value) >= limit if op == ">=" else len(form.value) <= limit)
                if bad:
                    yield forms.focus(focus, value, form), form, None, None
    return mapper


def _language_in(c: Context, value: Node) -> Check:
    """A value fails unless it is a literal whose language tag matches a range of the list (SPARQL langMatches)."""
    ranges = " || ".join(f"langMatches(LANG({c.v}), {string(str(r))})" for r in rdf_list(c.run.graph, value))
    query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} "
             f"FILTER (!isLiteral({c.v}) || !({ranges or 'false'})) }}")
    return "LanguageIn", query, c.rows


def _is_value(c: Context) -> str:
    """A test that the bound ``c.v`` is one of the focus's values (on the shape's path; the focus itself without)."""
    return f"EXISTS {{ {c.f} {c.path} {c.v} }}" if c.path else f"sameTerm({c.f}, {c.v})"


def _equals(c: Context, value: Node) -> Check:
    """Each value the focus has on the path but not on the property, and each it has on the property but not on
    the path (SHACL 4.5.1): the result's value is the one missing on the other side."""
    other = iri(value)
    query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ "
             f"{{ {c.value_where} {c.values} FILTER NOT EXISTS {{ {c.f} {other} {c.v} }} }} UNION "
             f"{{ {c.where} {c.f} {other} {c.v} FILTER (!{_is_value(c)}) }} }}")
    return "Equals", query, c.rows


def _disjoint(c: Context, value: Node) -> Check:
    """Each value the focus has both on the path and on the property (SHACL 4.5.2)."""
    query = f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} {c.f} {iri(value)} {c.v} }}"
    return "Disjoint", query, c.rows


def _in(c: Context, value: Node) -> Check:
    """A value fails unless it is a member of the list. Where the store keeps some literals in another form
    ("07"^^xsd:integer as "7", which is not the member 7), the literals of the datatypes it changes are judged as
    written, in Python (RDF term equality)."""
    listed = rdf_list(c.run.graph, value)
    # RDF term equality (SHACL 4.8.1): sameTerm, not IN, whose = takes 1.0 for 1
    member = " || ".join(f"sameTerm({c.v}, {term(m)})" for m in listed) or "false"
    forms = c.forms()
    query = (f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.value_where} {c.values} "
             f"FILTER (!({member}){_changed_types(c)}) }}")
    if forms is None:
        return "In", query, c.rows
    as_written = {to_ox(m) for m in listed}
    plain = c.rows

    def mapper(solutions) -> Iterator[tuple]:
        for row in plain(solutions):
            if row[1] not in as_written:
                yield row
    return "In", query, mapper


def _has_value(c: Context, value: Node) -> Check:
    f = c.f
    query = (f"{c.head()}SELECT DISTINCT {f} WHERE {{ {c.where} "
             f"FILTER NOT EXISTS {{ {c.values.replace(c.v, term(value)) if c.path else ''} "
             f"{'' if c.path else f'FILTER (sameTerm({f}, {term(value)}))'} }} }}")
    forms = c.forms()
    if forms is None or not _of_changed_type(to_ox(value)):
        return "HasValue", query, c.focus_rows
    # the value is a literal the store may keep in another form, and it changed some: a focus node whose value is
    # the same stored term passes only if one of that value's forms as written is the literal asked for
    wanted, same, equal = to_ox(value), f"?_same{c.depth}", f"?_equal{c.depth}"
    passes = f"COALESCE({f} = {c.v}, false)" if c.path is None else _is_value(c)  # as the query above judges
    query = (f"{c.head()}SELECT DISTINCT {f} {c.v} ({_is_value(c)} AS {same}) ({passes} AS {equal}) WHERE {{ "
             f"{c.where} BIND({term(value)} AS {c.v}) }}")
    plain = c.focus_rows

    def mapper(solutions) -> Iterator[tuple]:
        failing = []
        for s in solutions:
            focus = s[f[1:]]
            if s[equal[1:]] != _TRUE:
                failing.append(s)
            elif s[same[1:]] != _TRUE:
                continue  # an equal value of another datatype, as the query above judges
            elif c.path is not None:
                if wanted not in forms.of(focus, s[c.v[1:]]):
                    failing.append(s)
            else:  # the focus is the value: its forms that are not the literal asked for fail
                for form in forms.of(focus, focus):
                    if form != wanted:
                        yield forms.focus(focus, focus, form), None, None, None
        yield from plain(failing)
    return "HasValue", query, mapper


def _logical_constraint(name: str, parameter: URIRef) -> Callable[[Context, Node], Check]:
    def compile(c: Context, value: Node) -> Check:
        f, v, depth = c.f, c.v, c.depth
        members = shape_members(c.run.graph, parameter, value)
        paths = [c.run.shapes.required_path(member) for member in members]
        if name in ("Or", "And") and all(paths):
            # Members that only ask for some value on a path ("has a label or a name"): one query
            # with a NOT EXISTS per member, instead of each member's target and values in Python.
            missing = [f"NOT EXISTS {{ {v} {path_text} ?_m{depth}_{i} }}" for i, path_text in enumerate(paths)]
            test = (" && " if name == "Or" else " || ").join(missing)
            query = f"{c.head()}SELECT DISTINCT {f} {v} WHERE {{ {c.value_where} {c.values} FILTER ({test}) }}"
            return name, query, c.rows
        inner_f = f"?_f{depth + 1}"
        inner_target = f"{{ SELECT DISTINCT {inner_f} WHERE {{ {c.value_where} {c.values} BIND({v} AS {inner_f}) }} }}"
        violators = [
            c.run.violators(c.run.shapes.shape(member), inner_f, inner_target, c.prefixes, depth=depth + 1)
            for member in members
        ]
        return name, c.head() + c.all_values, _logical(name, violators, f, v, c.forms())
    return compile


def _value_violators(c: Context, members: list[Node]) -> list[set]:
    """Per member shape, the values of the shape being compiled (all focus nodes at once) that do not conform to it."""
    inner_f = f"?_f{c.depth + 1}"
    inner_target = f"{{ SELECT DISTINCT {inner_f} WHERE {{ {c.value_where} {c.values} BIND({c.v} AS {inner_f}) }} }}"
    return [c.run.violators(c.run.shapes.shape(member), inner_f, inner_target, c.prefixes, depth=c.depth + 1)
            for member in members]


def _qualified(name: str, op: str) -> Callable[[Context, Node], Check | None]:
    """sh:qualifiedMinCount / sh:qualifiedMaxCount (SHACL 4.7.3): per focus node, the number of its values that
    conform to the sh:qualifiedValueShape and (sh:qualifiedValueShapesDisjoint true) to none of its sibling shapes,
    compared with the limit; a result names the focus node only. Without a sh:qualifiedValueShape the component
    does not apply. Conformance is the logical constraints' (the members' failing values, one set per shape,
    queried for all values at once); the values and their focus nodes are one query, counted here."""
    def compile(c: Context, value: Node) -> Check | None:
        qualified = c.run.graph.value(c.shape.node, SH.qualifiedValueShape)
        limit = int(value)  # type: ignore[call-overload]
        if qualified is None or (op == "<" and limit == 0):
            return None
        failing, *siblings = _value_violators(c, [qualified, *sibling_shapes(c.run.graph, c.shape.node)])
        if op == "<":  # a focus node without values counts none
            query = f"{c.head()}SELECT DISTINCT {c.f} {c.v} WHERE {{ {c.where} OPTIONAL {{ {c.values} }} }}"
        else:
            query = c.head() + c.all_values
        return name, query, _qualified_counts(op, limit, failing, siblings, c.f, c.v, c.forms())
    return compile


def _qualified_counts(op: str, limit: int, failing: set, siblings: list[set], f: str, v: str, forms: Forms | None):
    def conforms(value, form) -> bool:
        if forms is None:
            return value not in failing and all(value in sibling for sibling in siblings)
        return not forms.fails(value, form, failing) and all(forms.fails(value, form, sibling) for sibling in siblings)

    def mapper(solutions):
        counts: dict = {}
        for s in solutions:
            focus, value = s[f[1:]], s[v[1:]]
            if value is None:
                counts.setdefault(focus, 0)
                continue
            for form in ((value,) if forms is None else forms.of(focus, value)):
                key = focus if forms is None else forms.focus(focus, value, form)
                counts[key] = counts.get(key, 0) + conforms(value, form)
        for focus, count in counts.items():
            if count < limit if op == "<" else count > limit:
                yield focus, None, None, None
    return mapper


def _closed(c: Context, value: Node) -> Check | None:
    """SHACL 4.8.1: a value node's triples whose predicate is neither the (predicate) path of one of the shape's
    property shapes nor one of sh:ignoredProperties; each is a result with the predicate as path, object as value."""
    if not (isinstance(value, Literal) and value.toPython() is True):
        return None
    graph = c.run.graph
    allowed: set[Node] = {path for child in graph.objects(c.shape.node, SH.property)
               for path in graph.objects(child, SH.path) if isinstance(path, URIRef)}
    for ignored in graph.objects(c.shape.node, SH.ignoredProperties):
        allowed.update(rdf_list(graph, ignored))  # IRIs (checked when the shapes were read)
    p, o = f"?_cp{c.depth}", f"?_co{c.depth}"
    test = f"FILTER ({p} NOT IN ({', '.join(iri(a) for a in sorted(allowed, key=str))}))" if allowed else ""
    query = f"{c.head()}SELECT DISTINCT {c.f} {p} {o} WHERE {{ {c.value_where} {c.values} {c.v} {p} {o} {test} }}"

    forms = c.forms()

    def mapper(solutions) -> Iterator[tuple]:
        for s in solutions:
            predicate, value = to_rdflib(s[p[1:]]), s[o[1:]]
            # the object as written on its triple (the value node's, of that predicate)
            for form in ((value,) if forms is None else forms.written.forms(value, s[c.v[1:]], predicate)):
                yield s[c.f[1:]], form, predicate, None
    query = query.replace(f"SELECT DISTINCT {c.f} {p} {o}", f"SELECT DISTINCT {c.f} {c.v} {p} {o}")
    return "Closed", query, mapper


def _datatype_filter(datatype: Node, f: str, v: str, forms: Forms | None = None):
    def mapper(solutions):
        known: dict = {}  # the same literal recurs (dates, counts): judge each once
        for s in solutions:
            focus, value = s[f[1:]], s[v[1:]]
            for form in ((value,) if forms is None else forms.of(focus, value)):
                verdict = known.get(form)
                if verdict is None:
                    verdict = known[form] = has_datatype(form, datatype)
                if not verdict:
                    yield (focus if forms is None else forms.focus(focus, value, form)), form, None, None
    return mapper


def _logical(name: str, violators: list[set], f: str, v: str, forms: Forms | None = None):
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


# --- the table -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Component:
    """A supported constraint component, by the parameter that triggers it."""

    name: str  # the component's local name without "ConstraintComponent": "MinCount"
    parameter: URIRef  # sh:minCount
    check: Callable[[Graph, Shape, Node], str | None]  # what is wrong with a value of the parameter, or None
    compile: Callable[[Context, Node], Check | None] | None  # None: evaluated on its own (sh:sparql)

    @property
    def iri(self) -> URIRef:
        return SH[f"{self.name}ConstraintComponent"]


COMPONENTS: dict[URIRef, Component] = {c.parameter: c for c in (
    Component("MinCount", SH.minCount, _count, _min_count),
    Component("MaxCount", SH.maxCount, _count, _max_count),
    Component("Class", SH["class"], _an_iri, _class),
    Component("Datatype", SH.datatype, _an_iri, _datatype),
    Component("NodeKind", SH.nodeKind, _node_kind, _nodekind),
    Component("Pattern", SH.pattern, _pattern, _regex),
    Component("MinLength", SH.minLength, _length, _length_limit("MinLength", ">=")),
    Component("MaxLength", SH.maxLength, _length, _length_limit("MaxLength", "<=")),
    Component("LanguageIn", SH.languageIn, _list_of_language_tags, _language_in),
    Component("MinInclusive", SH.minInclusive, _a_literal, _comparison("MinInclusive", ">=")),
    Component("MinExclusive", SH.minExclusive, _a_literal, _comparison("MinExclusive", ">")),
    Component("MaxInclusive", SH.maxInclusive, _a_literal, _comparison("MaxInclusive", "<=")),
    Component("MaxExclusive", SH.maxExclusive, _a_literal, _comparison("MaxExclusive", "<")),
    Component("Equals", SH.equals, _an_iri, _equals),
    Component("Disjoint", SH.disjoint, _an_iri, _disjoint),
    Component("LessThan", SH.lessThan, _pair, _property_pair("LessThan", "<")),
    Component("LessThanOrEquals", SH.lessThanOrEquals, _pair, _property_pair("LessThanOrEquals", "<=")),
    Component("UniqueLang", SH.uniqueLang, _boolean, _unique_lang),
    Component("In", SH["in"], _list_of_values, _in),
    Component("HasValue", SH.hasValue, _a_value, _has_value),
    Component("Node", SH.node, _a_shape, _logical_constraint("Node", SH.node)),
    Component("Or", SH["or"], _list_of_shapes, _logical_constraint("Or", SH["or"])),
    Component("And", SH["and"], _list_of_shapes, _logical_constraint("And", SH["and"])),
    Component("Xone", SH.xone, _list_of_shapes, _logical_constraint("Xone", SH.xone)),
    Component("Not", SH["not"], _a_shape, _logical_constraint("Not", SH["not"])),
    Component("SPARQL", SH.sparql, _sparql, None),
    Component("Closed", SH.closed, _closed_parameters, _closed),
    Component("QualifiedMinCount", SH.qualifiedMinCount, _qualified_count, _qualified("QualifiedMinCount", "<")),
    Component("QualifiedMaxCount", SH.qualifiedMaxCount, _qualified_count, _qualified("QualifiedMaxCount", ">")),
)}

# parameters read by another parameter's component (sh:flags by sh:pattern's, sh:ignoredProperties by sh:closed's,
# sh:qualifiedValueShape by sh:qualifiedMinCount's and sh:qualifiedMaxCount's)
SECONDARY = frozenset({SH.flags, SH.ignoredProperties, SH.qualifiedValueShape})

# shape metadata and structure: not constraints
NOT_CONSTRAINTS = frozenset({
    SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.target, SH.path, SH.property, SH.prefixes, SH.declare, SH.select,
    SH.qualifiedValueShapesDisjoint,
})

# every parameter of SHACL's constraint components (Core §4, SPARQL §6, AF, JS), with its components:
# how a refusal names what the engine does not support
CORE_PARAMETERS: dict[URIRef, tuple[str, ...]] = {
    **{c.parameter: (c.name,) for c in COMPONENTS.values()},
    SH.flags: ("Pattern",),
    SH.minLength: ("MinLength",), SH.maxLength: ("MaxLength",), SH.languageIn: ("LanguageIn",),
    SH.equals: ("Equals",), SH.disjoint: ("Disjoint",),
    SH.qualifiedValueShape: ("QualifiedMinCount", "QualifiedMaxCount"),
    SH.qualifiedMinCount: ("QualifiedMinCount",), SH.qualifiedMaxCount: ("QualifiedMaxCount",),
    SH.closed: ("Closed",), SH.ignoredProperties: ("Closed",),
    SH.expression: ("Expression",), SH["js"]: ("JS",),  # SHACL-AF node expressions, SHACL-JS
}


def refusal(parameter: Node, graph: Graph) -> str:
    """What a parameter outside the table asks for: the parameter and its constraint component(s)."""
    components = CORE_PARAMETERS.get(parameter)  # type: ignore[call-overload]
    if components is None:
        return f"{show(parameter, graph)}, which is not a SHACL constraint parameter,"
    return f"{show(parameter, graph)} ({' / '.join(f'sh:{name}ConstraintComponent' for name in components)})"


def core_parameters(graph: Graph, node: Node) -> list[tuple[Node, Node]]:
    """The (parameter, value) pairs of the shape's core constraints, sorted (not sh:sparql, sh:property)."""
    return sorted(
        ((p, o) for p, o in graph.predicate_objects(node)
         if p not in NOT_CONSTRAINTS and p != SH.sparql and str(p).startswith(str(SH))),
        key=lambda pv: (str(pv[0]), str(pv[1])),
    )

