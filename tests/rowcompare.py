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

from kgbuild.catalogue import StoredQuery
from kgbuild.results import XSD, Rows, Term

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


def cell(term: Term | None, separator: str | None):
    if term is None:
        return None
    if term.kind == "bnode":
        return ("bnode",)  # labels are engine-local
    if term.kind == "literal" and term.datatype == XSD + "boolean" and term.value in BOOLEAN:
        return ("boolean", BOOLEAN[term.value])  # Virtuoso writes "1"/"0", the other stores "true"/"false"
    if term.kind == "literal" and term.datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())  # rdflib may type SUM/COUNT differently
        except InvalidOperation:
            pass
    if term.kind == "literal" and separator is not None:  # GROUP_CONCAT order is unspecified
        return ("parts", frozenset(term.value.split(separator)), term.datatype, term.lang)
    return (term.kind, term.value, term.datatype, term.lang)


def normalised(rows: Rows, text: str) -> tuple[tuple[str, ...], Counter]:
    """Variables and the multiset of comparable rows of ``rows``, answers to the query ``text``."""
    separators = concat_separators(text)
    seps = [separators.get(variable) for variable in rows.variables]
    return rows.variables, Counter(tuple(cell(term, sep) for term, sep in zip(row, seps)) for row in rows.rows)
