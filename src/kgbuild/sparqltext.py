"""Just enough SPARQL lexing to bind parameters in a query's text.

A remote endpoint has no parameter binding, so parameters travel as a
``VALUES`` block of serialised terms placed right after the ``{`` that opens
the query's outermost group pattern (docs/query-catalogue.md). Finding that
``{`` needs a lexer that knows where comments, string literals and IRIs are:
a ``{`` or ``#`` inside them means nothing. This module is that lexer, and
the injection built on it: ``values_block`` is kgbuild's one writer of VALUES from RDF terms. It is text work and
imports nothing heavier than pyoxigraph (whose terms it writes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kgbuild.errors import ParameterError, QueryError
from kgbuild.queries.results import Term

# SPARQL 1.1 grammar, IRIREF: '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'
IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
LANGTAG = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")  # without its '@'

_PUNCTUATION = "{}()[],;"
_WORD_END = set(" \t\r\n{}()[],;<\"'#=!&|+*/")

QUERY_FORMS = ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class Token:
    """A significant token: ``kind`` is ``iri``, ``string``, ``punct`` (one of ``{}()[],;``) or ``word``
    (a keyword, prefixed name, variable, number or operator). ``start``/``end`` index the query text."""

    kind: str
    text: str
    start: int
    end: int


def tokens(query: str) -> Iterator[Token]:
    """The query's significant tokens, skipping whitespace and comments.

    Raises QueryError for a string literal that is never closed (the rest of
    the query cannot be read safely then).
    """
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char == "#":
            end = query.find("\n", i)
            i = n if end == -1 else end + 1
        elif char in "\"'":
            end, closed = string_end(query, i)
            if not closed:
                line = query.count("\n", 0, i) + 1
                raise QueryError(f"a string literal opened at line {line} is never closed", line=line)
            yield Token("string", query[i:end], i, end)
            i = end
        elif char == "<" and (match := IRIREF.match(query, i)):
            yield Token("iri", match.group(), i, match.end())
            i = match.end()
        elif char in _PUNCTUATION:
            yield Token("punct", char, i, i + 1)
            i += 1
        elif char in _WORD_END:
            # one character of an operator (<, =, !, &, |, +, *, /); operators never hold a '{'
            yield Token("word", char, i, i + 1)
            i += 1
        else:
            j = i
            while j < n and query[j] not in _WORD_END:
                # PN_LOCAL_ESC: a backslash escapes the next character of a prefixed name (ex:a\#b)
                j += 2 if query[j] == "\\" else 1
            j = min(j, n)
            yield Token("word", query[i:j], i, j)
            i = j


def string_end(query: str, start: int) -> tuple[int, bool]:
    """``(end, closed)`` of the string literal starting at ``start`` (short or long, either quote): the index
    just past it, or, when it is never closed, where the engines stop reading it (a short string at its line
    end, a long one at the end of the text)."""
    quote = query[start]
    long = query.startswith(quote * 3, start)
    closing = quote * 3 if long else quote
    i, n = start + len(closing), len(query)
    while i < n:
        char = query[i]
        if char == "\\":
            i += 2
        elif query.startswith(closing, i):
            return i + len(closing), True
        elif not long and char in "\r\n":
            return i, False
        else:
            i += 1
    return n, False


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``DESCRIBE`` or ``CONSTRUCT`` (the first such keyword after the prologue);
    ``UPDATE`` for a SPARQL update; None if neither is found."""
    for token in tokens(query):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
        if word not in ("PREFIX", "BASE") and not word.endswith(":"):
            return None
    return None


def outer_group_start(query: str) -> int:
    """Index of the ``{`` that opens the outermost group pattern (the WHERE clause) of a query.

    For SELECT, ASK and DESCRIBE it is the first ``{`` after the prologue,
    outside parentheses (a projection may hold ``EXISTS { ... }``), comments,
    strings and IRIs; for CONSTRUCT the one after the template. Sub-selects
    come later, so the outer group always wins.
    """
    form = None
    depth = 0
    template_done = False
    seen_where = False
    stream = tokens(query)
    for token in stream:
        if token.kind == "word":
            word = token.text.upper()
            if form is None:
                if word in QUERY_FORMS:
                    form = word
                elif word in UPDATE_KEYWORDS:
                    raise QueryError("this is a SPARQL update, not a query: parameters cannot be bound in it")
            elif word == "WHERE" and depth == 0:
                seen_where = True
        elif token.text == "(":
            depth += 1
        elif token.text == ")":
            depth = max(0, depth - 1)
        elif token.text == "{" and depth == 0:
            if form is None:
                raise QueryError("no SELECT, ASK, DESCRIBE or CONSTRUCT before the first '{'")
            if form == "CONSTRUCT" and not template_done:
                if seen_where:
                    raise QueryError("parameters cannot be bound in the short form CONSTRUCT WHERE { ... }")
                _skip_group(stream)
                template_done = True
                continue
            return token.start
    raise QueryError("the query has no WHERE clause to bind parameters in")


def optional_group_starts(query: str, *, mentioning: str) -> list[int]:
    """Indexes of the ``{`` opening each ``OPTIONAL`` group of the outer query that uses the variable
    ``mentioning`` (as ``?name`` or ``$name``), at any depth but not inside a sub-SELECT (whose
    variables are its own)."""
    names = {"?" + mentioning, "$" + mentioning}
    found: list[int] = []
    open_optionals: list[tuple[int, int, bool]] = []  # (brace depth inside, index of its "{", mentions)
    depth = 0
    sub_select_depths: list[int] = []  # brace depth at which each open sub-SELECT's group began
    after_optional = False
    previous_brace = False
    for token in tokens(query):
        if token.text == "{":
            depth += 1
            if after_optional and not sub_select_depths:
                open_optionals.append((depth, token.start, False))
            after_optional = False
            previous_brace = True
            continue
        if token.text == "}":
            if open_optionals and open_optionals[-1][0] == depth:
                _, at, mentions = open_optionals.pop()
                if mentions:
                    found.append(at)
            depth -= 1
            while sub_select_depths and depth < sub_select_depths[-1]:
                sub_select_depths.pop()
        elif token.kind == "word" and token.text.upper() == "SELECT" and previous_brace and depth > 0:
            sub_select_depths.append(depth)
        elif token.kind == "word" and token.text in names:
            open_optionals = [(d, at, True) for d, at, _ in open_optionals]
        after_optional = token.kind == "word" and token.text.upper() == "OPTIONAL"
        previous_brace = False
    return sorted(found)


def _skip_group(stream: Iterator[Token]) -> None:
    level = 1
    for token in stream:
        if token.text == "{" and token.kind == "punct":
            level += 1
        elif token.text == "}" and token.kind == "punct":
            level -= 1
            if level == 0:
                return
    raise QueryError("a '{' is never closed")


def values_block(bindings: Mapping[str, Term | None]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` for the bindings, names sorted; None becomes UNDEF.

    Every name must be a SPARQL variable name and every term safe to
    serialise (an IRI without the characters IRIs forbid, a well-formed
    language tag, no blank node); anything else is a ParameterError.
    """
    names = sorted(bindings)
    return values_table(names, [[bindings[name] for name in names]])


def values_table(names: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """``VALUES (?a ?b) { (t1 t2) (t3 t4) … }``: one row per sequence of terms, in the order of ``names``; None
    becomes UNDEF. The same checks as ``values_block``; a row of another length than ``names`` is a ValueError."""
    for name in names:
        if not _is_varname(name):
            raise ParameterError(f"{name!r} is not a SPARQL variable name (letters, digits and _ only, without '?')")
    written = []
    for row in rows:
        if len(row) != len(names):
            raise ValueError(f"a VALUES row of {len(row)} terms for {len(names)} variables")
        written.append("(" + " ".join(serialise(term, name=name) for name, term in zip(names, row)) + ")")
    variables = " ".join(f"?{name}" for name in names)
    return f"VALUES ({variables}) {{ {' '.join(written)} }}"


def values_column(name: str, terms: Iterable[Term]) -> str:
    """``VALUES ?name { t1 t2 … }``: one variable, one row per term (a set of focus nodes, of IRIs to look up);
    the same checks as ``values_block``."""
    if not _is_varname(name):
        raise ParameterError(f"{name!r} is not a SPARQL variable name (letters, digits and _ only, without '?')")
    return f"VALUES ?{name} {{ {' '.join(serialise(term, name=name) for term in terms)} }}"


def restrict(query: str, name: str, terms: Iterable[Term]) -> str:
    """The query with ``VALUES ?name { t1 t2 … }`` right after the ``{`` of its outermost group (a query of
    every node, asked for some of them); nothing else of the query changes."""
    block = values_column(name, terms)
    position = outer_group_start(query)
    return f"{query[: position + 1]} {block} {query[position + 1 :]}"


def _is_varname(name: object) -> bool:
    """SPARQL VARNAME, loosely: letters (any script), digits and ``_``. Nothing that could end the
    variable (space, ``)``, ``}``, ``#``) passes; a name the server finds wrong is its syntax error."""
    return isinstance(name, str) and name != "" and all(char == "_" or char.isalnum() for char in name)


def serialise(term: Term | None, *, name: str = "?") -> str:
    """The term as SPARQL text for a VALUES block (``UNDEF`` for None).

    A pyoxigraph term checked its IRI and language tag when it was made and writes itself as N-Triples, which
    SPARQL reads; only a blank node (VALUES holds IRIs and literals) or something else is a ParameterError.
    """
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        raise ParameterError(f"parameter {name}: a blank node cannot be bound (VALUES holds IRIs and literals only)")
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise ParameterError(f"parameter {name}: {type(term).__name__} is not an RDF term")
    return str(term)


def inject_values(query: str, bindings: Mapping[str, Term | None]) -> str:
    """The query with a VALUES block of the bindings right after the ``{`` of its outermost group.

    Nothing else of the query changes (so error positions the server reports
    stay on the same lines, shifted only on the line of that ``{``). With no
    bindings the query is returned as it is.
    """
    if not bindings:
        return query
    block = values_block(bindings)
    position = outer_group_start(query)
    return f"{query[: position + 1]} {block} {query[position + 1 :]}"
