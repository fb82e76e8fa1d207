"""Checking that every quote occurs verbatim in the archived text of its source.

The project's quotes query (``[checks] quotes``) selects ``?node ?quote
?textFile``: the node holding the quote, the quoted passage, and the path
(relative to the project root) of the archived source text. Both sides are
normalised before the containment test: Unicode NFC, typographic quotes
and dashes mapped to ASCII, soft hyphens and zero-width characters removed,
all whitespace runs collapsed to one space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kgbuild.canon import from_ox
from kgbuild.errors import InputError
from kgbuild.findings import Finding
from kgbuild.locate import Locator
from kgbuild.rdfio import read_text
from kgbuild.terms import Names, describe, owner

QUOTE_COLUMNS = ("node", "quote", "textFile")
RULE_NOT_IN_SOURCE = "quote-not-in-source"
RULE_TEXT_MISSING = "source-text-missing"

_TRANSLATION = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    }
)
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The comparison form of a text (see module docstring)."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATION)
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class QuoteProblem:
    """A quote that could not be confirmed: the RDF terms and the finding reported."""

    node: Node
    quote: Node
    finding: Finding


@dataclass(frozen=True)
class _Text:
    normalised: str | None
    problem: str | None


class TextCache:
    """Archived source texts (normalised), read once each, relative to ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[str, _Text] = {}

    def get(self, name: str) -> _Text:
        if name not in self._texts:
            self._texts[name] = self._load(name)
        return self._texts[name]

    def _load(self, name: str) -> _Text:
        path = self.root / name
        if not path.is_file():
            return _Text(None, f"archived source text not found: {name}")
        try:
            return _Text(normalise(read_text(path, file=name)), None)
        except InputError as exc:
            return _Text(None, f"archived source text unusable: {exc}")


def check_quotes(
    rows: Iterable[Mapping[str, object]],
    *,
    root: Path,
    names: Names,
    locator: Locator,
    context: Callable[[list[Node]], Graph],
) -> tuple[QuoteProblem, ...]:
    """One problem per quote that is not in its source text, or whose text is missing.

    ``rows`` are the quotes query's rows (?node ?quote ?textFile), as rdflib
    or pyoxigraph terms (only rows with a problem are converted: at a million
    triples converting them all took longer than the check);
    ``context(nodes)`` gives the triples needed to name those nodes (only
    called for the nodes with a problem).
    """
    texts = TextCache(root)
    found: list[tuple[Node, Node, str, str]] = []
    for row in rows:
        node, quote, text_file = row.get("node"), row.get("quote"), row.get("textFile")
        if node is None or quote is None:
            continue
        problem = quote_problem(_text(quote), None if text_file is None else _text(text_file), texts)
        if problem is not None:
            found.append((_rdflib(node), _rdflib(quote), *problem))
    if not found:
        return ()
    graph = context([node for node, *_ in found])
    return tuple(
        QuoteProblem(
            node=node,
            quote=quote,
            finding=_finding(graph, node, quote, rule, message, names=names, locator=locator),
        )
        for node, quote, rule, message in found
    )


def _text(term: object) -> str:
    """The lexical form or IRI of an rdflib or pyoxigraph term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, Node) else str(term)


def _rdflib(term: object) -> Node:
    return term if isinstance(term, Node) else from_ox(term)  # type: ignore[arg-type]


def quote_problem(quote: str, text_file: str | None, texts: TextCache) -> tuple[str, str] | None:
    """(rule, message) when the quote cannot be confirmed, else None."""
    if text_file is None:
        return RULE_TEXT_MISSING, "no archived text file is recorded for this quote's source"
    source = texts.get(text_file)
    if source.normalised is None:
        return RULE_TEXT_MISSING, str(source.problem)
    wanted = normalise(quote)
    if wanted in source.normalised:
        return None
    return RULE_NOT_IN_SOURCE, _miss_message(wanted, source.normalised, text_file)


def _finding(
    graph: Graph, node: Node, quote: Node, rule: str, message: str, *, names: Names, locator: Locator
) -> Finding:
    where = locator.text(str(quote))
    if where is None:
        anchor = owner(graph, node) if isinstance(node, BNode) else node
        where = locator.subject(str(anchor)) if isinstance(anchor, URIRef) else None
    return Finding(
        severity="violation",
        rule=rule,
        message=message,
        focus=str(node) if isinstance(node, URIRef) else None,
        focus_label=describe(graph, node, names),
        value=names.short(quote),
        file=where.file if where else None,
        line=where.line if where else None,
    )


def _miss_message(wanted: str, text: str, text_file: str) -> str:
    """Say how much of the quote matches, to help find the typo."""
    low, high = 0, len(wanted)  # invariant: wanted[:low] is in text, wanted[:high+1] is not
    while low < high:
        middle = (low + high + 1) // 2
        if wanted[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return f"quote not found in {text_file}"
    return (
        f"quote not found in {text_file}: its first {low} of {len(wanted)} characters match, "
        f"then it has {wanted[low:low + 20]!r}"
    )
