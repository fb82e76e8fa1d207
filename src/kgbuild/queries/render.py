"""Rendering ``Rows`` as table (terminals), W3C SPARQL 1.1 CSV / TSV / JSON results, or Markdown."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pyoxigraph as ox

from kgbuild.queries.results import XSD_STRING, Rows, Term

FORMATS = ("table", "csv", "tsv", "json", "md")
_KINDS = {ox.NamedNode: "uri", ox.BlankNode: "bnode", ox.Literal: "literal"}  # the JSON results' term types
MAX_CELL = 60


def render(rows: Rows, fmt: str, *, prefixes: Mapping[str, str] | None = None, width: int = 120) -> str:
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "tsv":
        return to_tsv(rows)
    if fmt == "json":
        return to_json(rows)
    if fmt == "md":
        return to_markdown(rows, prefixes=prefixes or {})
    if fmt == "table":
        return to_table(rows, prefixes=prefixes or {}, width=width)
    raise ValueError(f"unknown format {fmt!r}")


def to_json(rows: Rows) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    bindings = []
    for row in rows.rows:
        binding = {}
        for name, term in zip(rows.variables, row):
            if term is None:
                continue
            value: dict[str, str] = {"type": _KINDS[type(term)], "value": term.value}
            if isinstance(term, ox.Literal):
                if term.language:
                    value["xml:lang"] = term.language
                elif term.datatype.value != XSD_STRING:
                    value["datatype"] = term.datatype.value
            binding[name] = value
        bindings.append(binding)
    data = {"head": {"vars": list(rows.variables)}, "results": {"bindings": bindings}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(rows: Rows) -> str:
    """SPARQL 1.1 Query Results CSV Format (RFC 4180, CRLF line ends, plain values)."""
    lines = [",".join(_csv_field(name) for name in rows.variables)]
    for row in rows.rows:
        lines.append(",".join(_csv_field(_plain(term)) for term in row))
    return "\r\n".join(lines) + "\r\n"


def to_tsv(rows: Rows) -> str:
    """SPARQL 1.1 Query Results TSV Format (terms in SPARQL syntax)."""
    lines = ["\t".join(f"?{name}" for name in rows.variables)]
    for row in rows.rows:
        lines.append("\t".join("" if term is None else str(term) for term in row))
    return "\n".join(lines) + "\n"


def to_markdown(rows: Rows, *, prefixes: Mapping[str, str]) -> str:
    lines = ["| " + " | ".join(rows.variables) + " |", "|" + "---|" * len(rows.variables)]
    for row in rows.rows:
        cells = [_short(term, prefixes).replace("|", "\\|").replace("\n", " ") for term in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_table(rows: Rows, *, prefixes: Mapping[str, str], width: int = 120) -> str:
    """Aligned columns; rows as indented records when the table would be wider than ``width``."""
    header = [f"?{name}" for name in rows.variables]
    body = [[_clip(_short(term, prefixes)) for term in row] for row in rows.rows]
    if not body:
        return " ".join(header) + "\n(no rows)\n"
    widths = [max(len(cells[i]) for cells in [header, *body]) for i in range(len(header))]
    if sum(widths) + 2 * (len(widths) - 1) <= width:
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip() for cells in [header, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
    else:
        name_width = max(len(name) for name in header)
        lines = []
        for number, cells in enumerate(body, start=1):
            lines.append(f"[{number}]")
            lines.extend(f"  {name.ljust(name_width)}  {cell}" for name, cell in zip(header, cells) if cell)
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _csv_field(text: str) -> str:
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _short(term: Term | None, prefixes: Mapping[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
            if namespace and term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace):]}"
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
