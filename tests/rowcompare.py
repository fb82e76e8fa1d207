"""Comparing query answers across engines, for the tests that run stored queries on several of them.

Rows are compared as multisets; numeric literals by value (engines type SUM
and COUNT differently), xsd:boolean ones by value too (Virtuoso writes "1"
for "true"); GROUP_CONCAT cells as sets of their parts, split on the query's
own separator (element order is unspecified), also where a BIND(IF(...))
passes the GROUP_CONCAT on; blank-node labels are engine-local and ignored.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kgbuild.queries.catalogue import StoredQuery
from kgbuild.queries.results import XSD, Rows, Term

NUMERIC = {
    XSD + name
    for name in (
        "integer", "decimal", "double", "float", "int", "long", "short", "byte",
        "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
        "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}
BOOLEAN = {"true": True, "1": True, "false": False, "0": False}  # the lexical forms of xsd:boolean
# a GROUP_CONCAT projected as is, or as one branch of an IF (..., GROUP_CONCAT(...), ...) AS ?var
GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')\s*\)"
    r"(?:\s*,(?:[^()]|\([^()]*\))*?\))?\s*AS\s*\?(\w+)",
    re.I | re.S,
)


def example_params(query: StoredQuery) -> dict[str, str]:
    """The ``-p name=value`` pairs of the query's first ``# example:`` header line."""
    if not query.examples:
        return {}
    words = shlex.split(query.examples[0])
    params = {}
    for flag, assignment in zip(words, words[1:]):
        if flag in ("-p", "--param"):
            key, value = assignment.split("=", 1)
            params[key] = value
    return params


# a BIND(IF(...) AS ?var) whose IF has a variable among its branches (a GROUP_CONCAT made unbound when empty)
BIND_IF = re.compile(r"BIND\s*\(\s*IF\s*\(((?:[^()]|\([^()]*\))*)\)\s*AS\s*\?(\w+)\s*\)", re.I | re.S)


def concat_separators(text: str) -> dict[str, str]:
    """Variable -> separator of every ``(GROUP_CONCAT(...; separator="...") AS ?var)`` in the query, and of
    every ``BIND(IF(..., ?var, ...) AS ?other)`` passing such a variable on."""
    found = {}
    for literal, variable in GROUP_CONCAT.findall(text):
        found[variable] = literal[1:-1].encode("utf-8").decode("unicode_escape")
    for arguments, variable in BIND_IF.findall(text):
        passed = [found[name] for name in re.findall(r"\?(\w+)", arguments) if name in found]
        if passed and variable not in found:
            found[variable] = passed[0]
    return found


def parts(term: Term) -> tuple[str, str, str | None, str | None]:
    """(kind, value, datatype, language) of a term, kinds named as in SPARQL JSON results (uri, bnode, literal)."""
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    return ("literal", term.value, term.datatype.value, term.language)


def cell(term: Term | None, separator: str | None):
    if term is None:
        return None
    kind, value, datatype, lang = parts(term)
    if kind == "bnode":
        return ("bnode",)  # labels are engine-local
    if kind == "literal" and datatype == XSD + "boolean" and value in BOOLEAN:
        return ("boolean", BOOLEAN[value])  # Virtuoso writes "1"/"0", the other stores "true"/"false"
    if kind == "literal" and datatype in NUMERIC:
        try:
            return ("number", Decimal(value).normalize())  # rdflib may type SUM/COUNT differently
        except InvalidOperation:
            pass
    if kind == "literal" and separator is not None:  # GROUP_CONCAT order is unspecified
        return ("parts", frozenset(value.split(separator)), datatype, lang)
    return (kind, value, datatype, lang)


def normalised(rows: Rows, text: str) -> tuple[tuple[str, ...], Counter]:
    """Variables and the multiset of comparable rows of ``rows``, answers to the query ``text``."""
    separators = concat_separators(text)
    seps = [separators.get(variable) for variable in rows.variables]
    return rows.variables, Counter(tuple(cell(term, sep) for term, sep in zip(row, seps)) for row in rows.rows)
