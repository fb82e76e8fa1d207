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
    found: list[int] = []
    pending = list(outer.children)
    while pending:
        group = pending.pop()
        pending.extend(group.children)
        if group.kind in ("data", "exists") or group.wraps_select or variable not in group.names:
            continue
        if group.in_exists and group.kind != "select":
            continue
        if variable == THIS and group.binds_this:
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


def prebind(text: str, *, outer: str, nested: Mapping[str, str]) -> str:
    """``text`` with ``outer`` at the start of its outer group, and ``nested[v]`` (a pattern binding the
    pre-bound variable ``v``) at the start of every nested group that needs it (``nested_groups``)."""
    inserts: dict[int, list[str]] = {outer_group_start(text) + 1: [outer]} if outer else {}
    for variable, pattern in sorted(nested.items()):
        for start in nested_groups(text, variable):
            inserts.setdefault(start + 1, []).append(pattern)
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
