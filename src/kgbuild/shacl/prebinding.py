"""Pre-binding (SHACL 5.2.2 and its appendix "Pre-binding of variables") as set-oriented SPARQL text.

SHACL evaluates a SPARQL constraint once per focus node, with ``$this`` (and ``$shapesGraph``,
``$currentShape``) pre-bound: every basic graph pattern, path and ``GRAPH`` pattern of the query, at any
depth (inner groups, UNION branches, OPTIONAL groups, subqueries), is joined with the pre-bound values. The
engine evaluates a constraint once over all focus nodes instead: the query's outer group starts with a pattern
binding ``?this`` to every focus node (the shape's targets, or the focus nodes restricted to), and here every
*nested* group graph pattern that uses a pre-bound variable starts with a pattern binding it too. A group
evaluated with ``?this`` bound to each focus node gives, for each, the rows the query gives with that node
pre-bound; the groups are joined on ``?this``, so each row keeps the focus node it was made with. This holds
for the queries SHACL 5.2.1 allows (no MINUS, no VALUES, no ``AS $this``, subqueries returning ``$this``):
the others are refused before anything runs.

A nested group needs no pattern for ``?this`` when it starts with a triple pattern binding ``?this`` (joined
first, it binds ``?this`` to the same nodes pre-binding would, for the rest of the group), unless a path that
may have length zero (``*``, ``?``) could bind it to every node of the graph — the common case
``OPTIONAL { $this ex:p ?x }`` stays as written. Inside ``EXISTS { … }`` nothing is added (the pattern is
evaluated with the row's ``?this``) except at the start of a subquery's WHERE group, which is evaluated on
its own. The constant pre-bound variables (``$shapesGraph``, ``$currentShape``) are added as a one-row
``VALUES`` wherever they are used.

Rows stay apart by focus node: the outer SELECT returns ``?this`` (a row's focus node is the pre-bound
``$this``, projected or not), and a SELECT that aggregates groups by ``?this`` too (pre-bound, each focus
node's rows are aggregated on their own). LIMIT and OFFSET cut each focus node's rows, which one query over all
focus nodes cannot do: such a query runs once per focus node, the node in it as a VALUES term (``sliced``;
the evaluator does it, and refuses a blank focus node, which no query can name).

This works on the query's tokens (kgbuild.sparqltext's lexer: strings, IRIs and comments are never
mistaken for structure) read into the tree of its group graph patterns; the text of the query is otherwise
left as written, so the store reports errors on the user's own text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from kgbuild.errors import QueryError
from kgbuild.sparqltext import Token, outer_group_start, tokens

THIS = "this"
SHAPES_GRAPH = "shapesGraph"
CURRENT_SHAPE = "currentShape"
PREBOUND = (THIS, SHAPES_GRAPH, CURRENT_SHAPE)

# the keywords that end a group's leading triples block (what may follow triples in a group)
_AFTER_TRIPLES = frozenset({"FILTER", "OPTIONAL", "MINUS", "GRAPH", "SERVICE", "BIND", "VALUES"})
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)")


@dataclass
class _Group:
    """A ``{ … }`` of the query: a group graph pattern (``group``), the WHERE group of a subquery
    (``select``), an EXISTS pattern (``exists``) or a VALUES data block (``data``)."""

    start: int  # index of its "{" in the text
    kind: str
    in_exists: bool  # inside an EXISTS pattern (at any depth)
    names: set[str] = field(default_factory=set)  # pre-bound variables used in it, at any depth
    wraps_select: bool = False  # { SELECT … }: the group is a subquery (nothing can go before SELECT)
    leading: bool = True  # still reading its leading triples block
    binds_this: bool = False  # a triple of its leading block binds ?this (no path of length zero in it)
    statement_this: bool = False  # the triple being read (up to its ".") uses ?this
    statement_zero: bool = False  # ... and a path of length zero
    brackets: int = 0
    awaiting_where: bool = False  # a subquery's group before the "{" of its WHERE clause
    parens: int = 0
    children: list[_Group] = field(default_factory=list)

    def end_statement(self) -> None:
        self.binds_this = self.binds_this or (self.statement_this and not self.statement_zero)
        self.statement_this = self.statement_zero = False


def _words(token: Token) -> list[str]:
    """The token's words: a variable or name glued to a "." that ends a triple, and to what follows it
    (``?this.FILTER``, ``ex:o.``), are separate words."""
    if token.kind != "word":
        return [token.text]
    match = _VARIABLE.match(token.text)
    if match is None:
        if len(token.text) > 1 and token.text.endswith("."):  # a prefixed name cannot end with "."
            return [token.text[:-1], "."]
        return [token.text]
    rest = token.text[match.end():]
    if not rest.startswith("."):
        return [token.text]
    return [match.group(0), ".", *([rest[1:]] if rest[1:] else [])]


def _variable(word: str) -> str | None:
    match = _VARIABLE.fullmatch(word)
    return match.group(1) if match else None


def _zero_length(word: str) -> bool:
    """A path modifier that allows length zero: ``*`` or ``?`` (alone, or ending a predicate: ``ex:p?``)."""
    return word in ("*", "?") or (word.endswith("?") and word[:1] not in "?$") or word.endswith("*")


def _tree(text: str) -> _Group:
    """The outer group of the query (its WHERE clause) with its nested groups."""
    at = outer_group_start(text)
    stream = [t for t in tokens(text) if t.start > at]
    outer = _Group(start=at, kind="group", in_exists=False)
    stack = [outer]
    previous = ""
    values_pending = False
    for index, token in enumerate(stream):
        group = stack[-1]
        if token.kind == "punct" and token.text == "{":
            if values_pending:
                kind = "data"
                values_pending = False
            elif previous == "EXISTS":
                kind = "exists"
            elif group.awaiting_where and group.parens == 0:
                kind = "select"
                group.awaiting_where = False
            else:
                kind = "group"
            _end_leading(group)
            child = _Group(start=token.start, kind=kind, in_exists=group.in_exists or kind == "exists")
            following = stream[index + 1] if index + 1 < len(stream) else None
            if kind != "data" and following is not None and following.kind == "word" \
                    and following.text.upper() == "SELECT":
                child.wraps_select = child.awaiting_where = True
                child.leading = False
            group.children.append(child)
            stack.append(child)
            previous = "{"
            continue
        if token.kind == "punct" and token.text == "}":
            closed = stack.pop()
            _end_leading(closed)
            if not stack:  # the outer group's end: the solution modifiers follow
                return outer
            stack[-1].names |= closed.names
            previous = "}"
            continue
        if token.text in ("(", "["):
            group.parens += token.text == "("
            group.brackets += token.text == "["
        elif token.text in (")", "]"):
            group.parens = max(0, group.parens - (token.text == ")"))
            group.brackets = max(0, group.brackets - (token.text == "]"))
        for word in _words(token):
            upper = word.upper() if token.kind == "word" else word
            name = _variable(word) if token.kind == "word" else None
            if name in PREBOUND:
                group.names.add(name)  # type: ignore[arg-type]
            if group.leading:
                if token.kind == "word" and upper in _AFTER_TRIPLES:
                    _end_leading(group)
                elif word == "." and group.parens == 0 and group.brackets == 0:
                    group.end_statement()
                elif name == THIS:
                    group.statement_this = True
                elif token.kind == "word" and _zero_length(word):
                    group.statement_zero = True
            if token.kind == "word" and upper == "VALUES":
                values_pending = True
            previous = upper
    raise QueryError("a '{' of the query is never closed")


def _end_leading(group: _Group) -> None:
    if group.leading:
        group.end_statement()
        group.leading = False


def _subquery_names(group: _Group) -> None:
    """A subquery's WHERE group uses what its projection, GROUP BY, HAVING and ORDER BY use too."""
    for child in group.children:
        _subquery_names(child)
        if child.wraps_select:
            for inner in child.children:
                if inner.kind == "select":
                    inner.names |= child.names


@lru_cache(maxsize=4096)
def nested_groups(text: str, variable: str) -> tuple[int, ...]:
    """Indexes of the ``{`` of the nested groups of ``text`` (not its outer group) that need a pattern
    binding the pre-bound ``variable`` at their start (see the module's docstring)."""
    try:
        outer = _tree(text)
    except QueryError:  # a '{' never closed, a string never closed: the store rejects the query, saying where
        return ()
    _subquery_names(outer)
    # a subquery cut by LIMIT/OFFSET must see only the focus node's rows, whatever its WHERE starts with
    cut = {select.where for select in _selects(text) if select.sliced}
    found: list[int] = []
    pending = list(outer.children)
    while pending:
        group = pending.pop()
        pending.extend(group.children)
        if group.kind in ("data", "exists") or group.wraps_select or variable not in group.names:
            continue
        if group.in_exists and group.kind != "select":
            continue
        if variable == THIS and group.binds_this and group.start not in cut:
            continue
        found.append(group.start)
    return tuple(sorted(found))


def used(text: str) -> frozenset[str]:
    """The pre-bound variables (``this``, ``shapesGraph``, ``currentShape``) the text uses, as ``?`` or ``$``."""
    try:
        return frozenset(name for token in tokens(text) for word in _words(token)
                         if token.kind == "word" and (name := _variable(word)) in PREBOUND)
    except QueryError:  # a string never closed: the store rejects the query
        return frozenset()


def rebound(text: str) -> str | None:
    """``AS $v`` for a constant pre-bound variable ``v`` the text binds again (SHACL 5.2.1 forbids it), or None."""
    try:
        words = [word for token in tokens(text) for word in _words(token) if token.kind == "word"]
    except QueryError:
        return None
    for at, word in enumerate(words[:-1]):
        if word.upper() == "AS" and _variable(words[at + 1]) in (SHAPES_GRAPH, CURRENT_SHAPE):
            return f"AS ${_variable(words[at + 1])}"
    return None


@dataclass
class _Select:
    """A SELECT of the query (the outer one or a subquery), as far as pre-binding ``$this`` changes it."""

    where: int  # index of the "{" of its WHERE group
    projection: int  # index just after SELECT [DISTINCT | REDUCED]
    projects_this: bool  # ?this among the projected variables, or SELECT *
    aggregates: bool  # an aggregate in its projection, GROUP BY or HAVING
    where_end: int  # index just after the "}" of its WHERE group
    group_by: int | None  # index just after its GROUP BY, if it has one
    grouped_by_this: bool
    sliced: bool  # LIMIT or OFFSET


_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


@lru_cache(maxsize=1024)
def _selects(text: str) -> tuple[_Select, ...]:
    try:
        words = [(word.upper() if token.kind == "word" and _variable(word) is None else word, token)
                 for token in tokens(text) for word in _words(token)]  # keywords in upper case, variables as written
    except QueryError:
        return ()
    found: list[_Select] = []
    for i, (word, token) in enumerate(words):
        if word != "SELECT" or token.kind != "word":
            continue
        k = i + 1 + (i + 1 < len(words) and words[i + 1][0] in ("DISTINCT", "REDUCED"))
        projection = words[k - 1][1].end
        depth, star, this, aggregates = 0, False, False, False
        while k < len(words) and not (depth == 0 and words[k][0] in ("WHERE", "{")):
            word_k = words[k][0]
            depth += (word_k == "(") - (word_k == ")")
            star = star or (depth == 0 and word_k == "*")
            this = this or (depth == 0 and _variable(word_k) == THIS)
            aggregates = aggregates or (word_k in _AGGREGATES and k + 1 < len(words) and words[k + 1][0] == "(")
            k += 1
        k += k < len(words) and words[k][0] == "WHERE"
        if k >= len(words):
            return ()
        where, level = words[k][1].start, 0
        while k < len(words):
            level += (words[k][0] == "{") - (words[k][0] == "}")
            if level == 0:
                break
            k += 1
        if k >= len(words):
            return ()
        where_end, k, level = words[k][1].end, k + 1, 0
        group_by, grouped, in_group, sliced = None, False, False, False
        while k < len(words):
            word_k = words[k][0]
            if word_k == "}" and level == 0:
                break
            level += (word_k == "{") - (word_k == "}")
            if level == 0 and word_k == "GROUP" and k + 1 < len(words) and words[k + 1][0] == "BY":
                group_by, in_group, k = words[k + 1][1].end, True, k + 2
                continue
            if level == 0 and word_k in ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
                in_group = False
                aggregates = aggregates or word_k == "HAVING"
                sliced = sliced or word_k in ("LIMIT", "OFFSET")
            elif in_group and _variable(word_k) == THIS:
                grouped = True
            k += 1
        found.append(_Select(where=where, projection=projection, projects_this=this or star,
                             aggregates=aggregates or group_by is not None, where_end=where_end, group_by=group_by,
                             grouped_by_this=grouped, sliced=sliced))
    return tuple(found)


def sliced(text: str) -> bool:
    """Whether a SELECT of the query (outer or subquery) has LIMIT or OFFSET: with ``$this`` pre-bound they cut
    each focus node's rows, which no query over all focus nodes can do (the engine runs one per focus node)."""
    return any(select.sliced for select in _selects(text))


def _by_focus_node(text: str) -> dict[int, list[str]]:
    """What makes a query over all focus nodes give each focus node's rows: ``?this`` projected by the outer
    SELECT (a row's focus node is the pre-bound ``$this``, projected or not), and a grouping key of every SELECT
    that aggregates (pre-bound, each focus node's rows are aggregated on their own)."""
    inserts: dict[int, list[str]] = {}
    outer = outer_group_start(text)
    for select in _selects(text):
        if select.where == outer and not select.projects_this:
            inserts.setdefault(select.projection, []).append("?this")
        if select.aggregates and not select.grouped_by_this:
            if select.group_by is not None:
                inserts.setdefault(select.group_by, []).append("?this")
            else:
                inserts.setdefault(select.where_end, []).append("GROUP BY ?this")
    return inserts


def prebind(text: str, *, outer: str, nested: Mapping[str, str]) -> str:
    """``text`` with ``outer`` at the start of its outer group, and ``nested[v]`` (a pattern binding the
    pre-bound variable ``v``) at the start of every nested group that needs it (``nested_groups``); where
    ``$this`` is pre-bound, each SELECT also keeps the rows of each focus node apart (``_by_focus_node``)."""
    inserts: dict[int, list[str]] = {outer_group_start(text) + 1: [outer]} if outer else {}
    for variable, pattern in sorted(nested.items()):
        for start in nested_groups(text, variable):
            inserts.setdefault(start + 1, []).append(pattern)
    if THIS in nested:
        for at, parts in _by_focus_node(text).items():
            inserts.setdefault(at, []).extend(parts)
    for at in sorted(inserts, reverse=True):
        text = text[:at] + " " + " ".join(inserts[at]) + " " + text[at:]
    return text


def refusal(text: str, *, shape_is_iri: bool) -> str | None:
    """What the engine cannot pre-bind in a SPARQL constraint's ``text`` of a shape, or None: ``AS`` binding a
    constant pre-bound variable again (SHACL 5.2.1), or ``$currentShape`` of a blank-node shape (a query can
    name no blank node)."""
    again = rebound(text)
    if again:
        return f"its sh:select uses {again}, which SHACL forbids (a pre-bound variable bound again, SHACL 5.2.1)"
    if not shape_is_iri and CURRENT_SHAPE in used(text):
        return ("its sh:select uses $currentShape, and the shape is a blank node, which kgbuild's SHACL engine "
                "cannot pre-bind (a query can name no blank node): give the shape an IRI")
    return None
