"""Turning ``-p name=value`` strings into typed RDF terms for a stored query's declared parameters.

Values are bound by the engines as terms (substitutions, initBindings,
VALUES), never pasted into the query text; this module only checks and
types them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping

from kgbuild.errors import ParameterError
from kgbuild.queries.catalogue import Param, StoredQuery
from kgbuild.queries.results import XSD, Term, iri, literal

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.-]*)$")


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["name=value", ...]`` -> dict; a pair without '=' or a repeated name is a ParameterError."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"parameter {pair!r} is not NAME=VALUE")
        name = name.strip()
        if name in values:
            raise ParameterError(f"parameter {name} given twice")
        values[name] = value
    return values


def bind(query: StoredQuery, values: Mapping[str, str]) -> dict[str, Term]:
    """Typed terms for the query's parameters: given values, else defaults; optional ones left out."""
    declared = {param.name for param in query.params}
    unknown = sorted(set(values) - declared)
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        raise ParameterError(f"{query.name}: unknown parameter {', '.join(unknown)} (declared: {known})")
    bindings: dict[str, Term] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise ParameterError(
                    f"{query.name}: missing required parameter {param.name} ({param.type}): "
                    f"pass -p {param.name}=VALUE" + (f" — {param.description}" if param.description else "")
                )
            continue
        bindings[param.name] = to_term(param, raw, prefixes=query.prefixes(), query=query.name)
    return bindings


def to_term(param: Param, raw: str, *, prefixes: Mapping[str, str], query: str) -> Term:
    def bad(why: str) -> ParameterError:
        return ParameterError(f"{query}: parameter {param.name}={raw!r} is not a valid {param.type}: {why}")

    try:
        return _typed(param, raw, prefixes=prefixes, bad=bad)
    except ValueError as exc:  # pyoxigraph's own check of an IRI or literal made from the value
        raise bad(str(exc)) from None


def _typed(param: Param, raw: str, *, prefixes: Mapping[str, str], bad: Callable[[str], ParameterError]) -> Term:

    if param.type == "IRI":
        match = _PREFIXED.match(raw)
        if match and (match.group("prefix") or "") in prefixes:
            return iri(prefixes[match.group("prefix") or ""] + match.group("local"))
        if match and (match.group("prefix") or "") not in prefixes and not raw.startswith(("http:", "https:", "urn:")):
            raise bad(f"unknown prefix {match.group('prefix') or ''!r} (the query declares: {', '.join(sorted(prefixes)) or 'none'})")
        if raw.split(":", 1)[0] in prefixes:
            raise bad(f"{raw.split(':', 1)[0]}: is a declared prefix but the rest is not a plain local name; write the full IRI")
        if not _IRI.match(raw):
            raise bad("write an absolute IRI such as https://… or a prefixed name such as ppdr:…")
        return iri(raw)
    if param.type == "xsd:string":
        return literal(raw)
    datatype = XSD + param.type.split(":", 1)[1]
    if param.type == "xsd:integer":
        if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
            raise bad("expected a whole number")
        return literal(str(int(raw)), datatype=datatype)
    if param.type == "xsd:decimal":
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", raw.strip()):
            raise bad("expected a decimal number")
        return literal(raw.strip(), datatype=datatype)
    if param.type == "xsd:boolean":
        if raw.strip().lower() not in ("true", "false", "1", "0"):
            raise bad("expected true or false")
        return literal("true" if raw.strip().lower() in ("true", "1") else "false", datatype=datatype)
    if param.type == "xsd:date":
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw.strip()):
                raise ValueError(raw)
            datetime.date.fromisoformat(raw.strip())
        except ValueError:
            raise bad("expected a date YYYY-MM-DD") from None
        return literal(raw.strip(), datatype=datatype)
    if param.type == "xsd:gYear":
        if not re.fullmatch(r"-?[0-9]{4,}", raw.strip()):
            raise bad("expected a year such as 2025")
        return literal(raw.strip(), datatype=datatype)
    raise bad("unsupported type")  # pragma: no cover - PARAM_TYPES is checked when the header is read
