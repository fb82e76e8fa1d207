"""The word-overlap check of stated facts (``quote-shares-no-word-with-value``): a passage said to state a fact
(``ppd:states``) should share a word with the value's names or the literal. Run on the project's graph
(``StatedFactsCheck``, with the ``[checks] stated-facts`` query) and by the contribution check (``shares_a_word``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kgbuild.backends.convert import from_ox
from kgbuild.checks.base import GraphContext, worst_severity
from kgbuild.checks.graphreads import select_rows
from kgbuild.checks.rules import rule
from kgbuild.findings import Finding
from kgbuild.locate import Locator
from kgbuild.rdfio import read_text
from kgbuild.sparql import load_select

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution


class StatedFactsCheck:
    """Warnings for the stated facts whose quote shares no word with the value (``[checks] stated-facts``)."""

    id = "stated-facts"
    title = "passages said to state a fact that do not name its value"
    rules = ("quote-shares-no-word-with-value",)
    reads = "the rows of the [checks] stated-facts query"
    severity = worst_severity(rules)

    def run(self, context: GraphContext) -> list[Finding]:
        project = context.project
        if project.stated_facts_query is None:
            return []
        query = load_select(project.stated_facts_query, file=project.rel(project.stated_facts_query),
                            required=STATED_FACT_COLUMNS)
        return stated_fact_findings(context.select(query.text, query.file), names=context.names,
                                    locator=context.locator, context=context.neighbourhood)


STATED_FACT_COLUMNS = ("node", "quote", "path", "value", "text")
RULE_NO_SHARED_WORD = "quote-shares-no-word-with-value"
# dropped before comparing: too common to show that a passage names a value
STOP_WORDS = frozenset("the and of for with from into in on to at by as an is it".split())
PREFIX = 5  # two words match when they share their first min(len, PREFIX) characters (Belarus/Belarusian)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
_ACRONYM = re.compile(r"(?<!\w)\w(?:\.\w(?!\w))+\.?")  # U.S. / U.S / e.g.: single letters joined by dots
_THOUSANDS = re.compile(r"(?<=\d)[,.\u202f\u00a0](?=\d{3}(?!\d))")  # 1,257 -> 1257
_WORD = re.compile(r"\w+")


def words(text: str) -> frozenset[str]:
    """The words of ``text`` for the overlap check: case-folded, dotted acronyms and thousands joined
    ("U.S." -> "us", "1,257" -> "1257"), one-letter words and stop words dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    while _THOUSANDS.search(text):
        text = _THOUSANDS.sub("", text)
    return frozenset(w for w in _WORD.findall(text) if len(w) > 1 and w not in STOP_WORDS)


def words_match(a: str, b: str) -> bool:
    n = min(len(a), len(b), PREFIX)
    return a[:n] == b[:n]


def shares_a_word(quote: str, texts: Iterable[str]) -> bool | None:
    """Whether the quote shares a word with one of the texts; None when no text has a word to compare."""
    quoted = words(quote)
    compared = False
    for text in texts:
        for word in words(text):
            compared = True
            if any(words_match(word, other) for other in quoted):
                return True
    return False if compared else None


def stated_fact_findings(
    rows: Iterable[Mapping[str, object]],
    *,
    names,
    locator: Locator,
    context: Callable[[list], Graph],
) -> list[Finding]:
    """Warnings for stated facts whose quote shares no word with any text of the value.

    ``rows``: the stated-facts query's rows (?node ?quote ?path ?value ?text), one per text of a value;
    the texts of one (node, quote, path, value) are compared together.
    """
    from kgbuild.terms import describe

    texts: dict[tuple, list[str]] = {}
    for row in rows:
        node, quote, path, value, text = (row.get(column) for column in STATED_FACT_COLUMNS)
        if node is None or quote is None or path is None or value is None or text is None:
            continue
        texts.setdefault((node, quote, path, value), []).append(_lexical(text))
    missing = [key for key, found in texts.items() if shares_a_word(_lexical(key[1]), found) is False]
    if not missing:
        return []
    graph = context([from_ox(node) for node, *_ in missing])
    findings = []
    for node, quote, path, value in sorted(missing, key=lambda k: tuple(str(t) for t in k)):
        focus, quoted, shown = from_ox(node), _lexical(quote), names.short(from_ox(value))
        subject = locator.subject(str(focus)) if isinstance(focus, URIRef) else None
        where = locator.text(quoted, after=subject) or subject  # the quote under its node, where it is written
        alternatives = " / ".join(sorted(set(texts[(node, quote, path, value)])))
        findings.append(Finding(
            severity=rule(RULE_NO_SHARED_WORD).severity, rule=RULE_NO_SHARED_WORD,
            message=(f"The passage \"{quoted}\" is said to state {names.iri(_lexical(path))} {shown}, but shares no "
                     f"word with it ({alternatives})."),
            focus=str(focus) if isinstance(focus, URIRef) else None,
            focus_label=describe(graph, focus, names),
            path=names.iri(_lexical(path)), value=shown,
            file=where.file if where else None, line=where.line if where else None,
            hint="Check that this passage states the fact, and cite the passage that names the value; if it names "
                 "it in other words, add that word to the value's SKOS labels.",
        ))
    return findings


def _lexical(term: object) -> str:
    """The lexical form or IRI of an rdflib or pyoxigraph term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, (URIRef, Literal, BNode)) else str(term)


class ContributionStatedFactsCheck:
    """The word-overlap check on the facts the contribution's own passages state."""

    id = "contribution-stated-facts"
    title = StatedFactsCheck.title
    rules = StatedFactsCheck.rules
    reads = StatedFactsCheck.reads + " (restricted to the contribution's nodes)"
    severity = StatedFactsCheck.severity

    def run(self, c: Contribution) -> list[Finding]:
        """The word-overlap check (``kgbuild.checks.stated_facts``) on the facts the contribution's passages state."""
        from kgbuild.sparqltext import restrict

        store = c.in_store()
        if c.project.stated_facts_query is None or not c.subjects:
            return []
        file = c.project.rel(c.project.stated_facts_query)
        text = read_text(c.project.stated_facts_query, file=file)
        query = restrict(text, "node", map(ox.NamedNode, c.subjects))
        # the contribution's passages: quotes it writes (a literal of any of its triples)
        quotes = {t.object.value for _, t in c.triples if isinstance(t.object, ox.Literal)}
        texts: dict[tuple, list[str]] = {}
        for row in select_rows(store, query, file):
            node, quote, path, value, name = (row.get(column) for column in STATED_FACT_COLUMNS)
            if node is None or quote is None or path is None or value is None or name is None \
                    or quote.value not in quotes:
                continue  # only the contribution's passages: an existing one was checked when it came
            texts.setdefault((node, quote, path, value), []).append(name.value)
        out = []
        for (node, quote, path, value), names in texts.items():
            if shares_a_word(quote.value, names) is not False:
                continue
            shown = " / ".join(sorted(set(names)))
            out.append(c.finding(
                RULE_NO_SHARED_WORD, c.file_of(node), node, path.value, value,
                f"The passage \"{quote.value}\" is said to state {c.names.iri(path.value)} {c.short(value)}, "
                f"but shares no word with it ({shown}).",
                "Check that this passage states the fact, and cite the passage that names the value; if it names "
                "it in other words, add that word to the value's SKOS labels.", line_of=None,
            ))
        return sorted(out, key=lambda f: (f.file or "", f.line or 0, f.path or "", f.value or ""))

