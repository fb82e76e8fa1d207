"""The build's sample answer: run the configured sample query and show it as a small table."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyoxigraph as ox

from kgbuild.backends.convert import from_ox
from kgbuild.project import Project
from kgbuild.queries.results import Term
from kgbuild.sparql import load_select, select_store
from kgbuild.terms import Names

MAX_CELL = 60


@dataclass(frozen=True)
class Table:
    file: str  # the query file
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # cells as short text ("" for unbound)

    def to_dict(self) -> dict:
        return asdict(self)


def sample_answer(project: Project, store, names: Names) -> Table | None:
    """The sample query's answer over the default graph of the pyoxigraph ``store``, or None when no
    sample query is configured."""
    if project.sample_query is None:
        return None
    query = load_select(project.sample_query, file=project.rel(project.sample_query))
    solutions = select_store(store, query)
    rows = tuple(tuple(_cell(value, names) for value in row) for row in solutions.rows)
    return Table(file=query.file, columns=solutions.variables, rows=rows)


def _cell(value: Term | None, names: Names) -> str:
    if value is None:
        return ""
    if isinstance(value, ox.Literal):
        return value.value
    return names.short(from_ox(value))


def render_table(table: Table, *, max_rows: int = 10, width: int = 120) -> str:
    """An aligned plain-text table (cells clipped, at most ``max_rows`` rows).

    A table wider than ``width`` characters is shown as one block of
    ``column: value`` lines per row instead, so it stays readable in a terminal.
    """
    header = [f"?{column}" for column in table.columns]
    shown = [[_clip(cell) for cell in row] for row in table.rows[:max_rows]]
    widths = [max(len(cells[i]) for cells in [header, *shown]) for i in range(len(header))]
    if sum(widths) + 2 * (len(widths) - 1) > width:
        lines = _records(header, shown)
    else:
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip() for cells in [header, *shown]]
        lines.insert(1, "  ".join("-" * w for w in widths))
    if len(table.rows) > max_rows:
        lines.append(f"… {len(table.rows) - max_rows} more rows")
    if not table.rows:
        lines.append("(no rows)")
    return "\n".join(lines) + "\n"


def _records(header: list[str], rows: list[list[str]]) -> list[str]:
    """Each row as an indented block of ``?column  value`` lines (unbound cells left out)."""
    name_width = max(len(name) for name in header)
    lines: list[str] = []
    for number, cells in enumerate(rows, start=1):
        lines.append(f"[{number}]")
        lines.extend(f"  {name.ljust(name_width)}  {cell}" for name, cell in zip(header, cells) if cell)
    return lines


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
