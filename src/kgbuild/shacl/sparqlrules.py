"""What SHACL forbids in the SPARQL of constraints and targets that pre-bind ``$this`` (SHACL 5.2.1).

A SPARQL-based constraint is evaluated with ``$this`` pre-bound; the engine does it by joining the focus
nodes at the start of the query's outer group (and a ``VALUES ?this`` block when restricted to some focus
nodes), which means the same as pre-binding only for queries that keep SHACL's rules: no ``MINUS``, no
``VALUES``, no ``AS $this`` (BIND or a projection), and no subquery that does not project ``$this``
(SERVICE is refused elsewhere, before anything is read). A query breaking one is refused, naming the
construct — found in rdflib's parse of the text, so a string literal or an IRI holding "MINUS" is no match.

Text rdflib cannot parse is left to the store to reject, after a token scan (strings, IRIs and comments
skipped) for the keywords ``MINUS`` and ``VALUES``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from rdflib.term import Variable

from kgbuild.errors import QueryError
from kgbuild.sparqltext import tokens

if TYPE_CHECKING:
    from rdflib.plugins.sparql.parserutils import CompValue

_KEYWORDS = ("MINUS", "VALUES")


@lru_cache(maxsize=4096)
def forbidden(text: str, prebound: frozenset[str] = frozenset({"this"})) -> str | None:
    """The construct of ``text`` that SHACL 5.2.1 forbids with the ``prebound`` variables, or None."""
    if not _suspect(text, prebound):
        return None
    # imported only here: importing rdflib's SPARQL package takes ~0.15 s, and most texts need no parse
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except ParseBaseException:
        return _scanned(text)
    return _walk(parsed[1], prebound)


def _suspect(text: str, prebound: frozenset[str]) -> bool:
    """Whether ``text`` may hold a forbidden construct: a token scan (strings, IRIs, comments skipped) finds
    MINUS, VALUES, a second SELECT or an AS before a pre-bound variable. rdflib's parser, which takes
    ~25 ms a query, then judges; most queries have none of these and are not parsed."""
    try:
        words = [token.text.upper() for token in tokens(text) if token.kind == "word"]
    except QueryError:  # a string never closed: the store rejects the query
        return False
    names = {f"{mark}{name.upper()}" for name in prebound for mark in "?$"}
    for at, word in enumerate(words):
        # a variable (?values) is no keyword, though a word may go on after it ("?x.MINUS")
        keywords_in = word.partition(".")[2] if word[:1] in "?$" else word
        if any(keyword in keywords_in for keyword in _KEYWORDS):
            return True
        if word.startswith("AS") and (word[2:] in names or (at + 1 < len(words) and words[at + 1] in names)):
            return True
    return sum("SELECT" in word for word in words) > 1


def _scanned(text: str) -> str | None:
    try:
        for token in tokens(text):
            if token.kind == "word" and token.text.upper() in _KEYWORDS:
                return token.text.upper()
    except QueryError:  # a string never closed: the store rejects the query
        return None
    return None


def _walk(root: object, prebound: frozenset[str]) -> str | None:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    pending: list[object] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue):
            name = node.name
            if name == "MinusGraphPattern":
                return "MINUS"
            if name in ("InlineData", "ValuesClause"):
                return "VALUES"
            if name == "Bind" and str(_part(node, "var")) in prebound:
                return f"BIND (… AS ${_part(node, 'var')})"
            if name == "vars" and _part(node, "evar") is not None and str(_part(node, "evar")) in prebound:
                return f"(… AS ${_part(node, 'evar')}) in a projection"
            if name == "SubSelect":
                missing = sorted(prebound - _projected(node))
                if missing:
                    return f"a subquery that does not project ${', $'.join(missing)}"
            pending.extend(node.values())
        elif isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            pending.extend(node)
    return None


def _part(node: CompValue, key: str) -> object:
    """A part of a parsed node, or None (``CompValue.get`` answers the key's name for a missing part)."""
    return node[key] if key in node else None  # noqa: SIM401


def _projected(select: CompValue) -> set[str]:
    """The variables a (sub)query returns: its projection, or for ``SELECT *`` those in scope in its WHERE."""
    projection = _part(select, "projection")
    if isinstance(projection, list) and projection:  # none: SELECT *
        return {str(_part(item, "evar") if _part(item, "evar") is not None else _part(item, "var"))
                for item in projection}
    return _in_scope(_part(select, "where"))


def _in_scope(where: object) -> set[str]:
    """The variables a group pattern binds (SPARQL 18.2.1), roughly: not those only in FILTER, MINUS, or the
    expression of a BIND."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    found: set[str] = set()
    pending: list[object] = [where]
    while pending:
        node = pending.pop()
        if isinstance(node, Variable):
            found.add(str(node))
        elif isinstance(node, CompValue):
            if node.name in ("Filter", "MinusGraphPattern"):
                continue
            if node.name == "Bind":
                found.add(str(_part(node, "var")))
                continue
            if node.name == "SubSelect":
                found |= _projected(node)
                continue
            pending.extend(node.values())
        elif isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            pending.extend(node)
    return found
