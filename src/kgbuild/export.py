"""Exporting the built graph in a format a triple store's bulk loader takes.

What is exported is exactly what the last conforming ``kgbuild build``
published and validated: the graph files are checked against the store
manifest (inputs unchanged, file bytes unchanged) before anything is written.

Formats (``FORMATS``): ``nt`` and ``ttl`` hold every triple (ontology and
data together); ``nq``, ``trig`` and ``jsonld`` keep them apart in the named
graphs ``<namespace>graph/ontology`` and ``<namespace>graph/data``. All are
deterministic: sorted lines for N-Triples / N-Quads, graphs in IRI order and
statements in that order within each graph for TriG / JSON-LD, and a gzip
header without name or timestamp — the same build always exports the same
bytes. A file is written through a temporary file beside it, so a failed
export leaves nothing half-written.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kgbuild.errors import OutputError
from kgbuild.project import Project


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    title: str
    source: str  # the published graph file it is made from
    quads: bool  # named graphs kept apart


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("nt", ".nt", "application/n-triples", "N-Triples, sorted", "graph.nt", False),
        Format("ttl", ".ttl", "text/turtle", "Turtle", "graph.ttl", False),
        Format("nq", ".nq", "application/n-quads", "N-Quads, sorted, in named graphs", "graph.nq", True),
        Format("trig", ".trig", "application/trig", "TriG, in named graphs", "graph.nq", True),
        Format("jsonld", ".jsonld", "application/ld+json", "JSON-LD (expanded), in named graphs", "graph.nq", True),
    )
}


@dataclass(frozen=True)
class ExportResult:
    format: str
    output: str  # the file written, or "-" for a stream
    statements: int  # triples (nt, ttl) or quads (nq, trig, jsonld)
    size: int  # bytes written (after compression)
    compressed: bool

    def to_dict(self) -> dict:
        return {
            "format": self.format,
            "output": self.output,
            "statements": self.statements,
            "bytes": self.size,
            "compressed": self.compressed,
        }


def format_for(path: Path) -> str | None:
    """The format a file name asks for by its extension (``.gz`` ignored), or None."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt in FORMATS.values():
        if name.endswith(fmt.extension):
            return fmt.name
    return None


def export(project: Project, format: str, *, output: Path | None = None, stream: BinaryIO | None = None) -> ExportResult:
    """Write the built graph as ``format`` to the file ``output`` (gzip if it ends in ``.gz``) or to ``stream``.

    Exactly one of ``output`` and ``stream`` is given. Raises StaleStoreError
    when there is no current build, OutputError when the file cannot be
    written, ValueError for an unknown format.
    """
    from kgbuild.workspace.versions import built_file

    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}; one of {', '.join(FORMATS)}")
    if (output is None) == (stream is None):
        raise ValueError("give exactly one of output and stream")
    fmt = FORMATS[format]
    source = built_file(project, fmt.source)
    if stream is not None:
        counter = _Counting(stream)
        statements = _write(fmt, source, counter)
        return ExportResult(format, "-", statements, counter.size, False)
    compressed = output.name.lower().endswith(".gz")
    statements, size = _write_file(fmt, source, output, compressed=compressed)
    return ExportResult(format, str(output), statements, size, compressed)


class _Counting:
    """A binary sink that counts the bytes written through it."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sink.write(data)
        self.size += len(data)
        return len(data)


def _write_file(fmt: Format, source: Path, output: Path, *, compressed: bool) -> tuple[int, int]:
    if output.is_dir():
        raise OutputError(f"cannot write {output}: it is a directory")
    from kgbuild.workspace.atomic import atomic_file

    try:
        with atomic_file(output) as raw:
            if compressed:
                # No file name and a zero timestamp in the header: the same graph gives the same bytes.
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
                    statements = _write(fmt, source, packed)  # type: ignore[arg-type]
            else:
                statements = _write(fmt, source, raw)
            raw.flush()
            size = raw.tell()
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    return statements, size


def _open_built(path: Path) -> BinaryIO:
    """Open a file of the build; a build that replaced or removed it since it was checked is a stale store."""
    from kgbuild.errors import StaleStoreError

    try:
        return path.open("rb")
    except FileNotFoundError:
        raise StaleStoreError(
            f"{path.name} was replaced by a build running while exporting: run the export again"
        ) from None


def _write(fmt: Format, source: Path, sink) -> int:
    if fmt.name in ("trig", "jsonld"):
        return _write_converted(fmt, source, sink)
    with _open_built(source) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sink.write(block)
    # Turtle counts the triples of the same build's N-Triples file.
    counted = source if fmt.name != "ttl" else source.with_name("graph.nt")
    return _count_lines(counted)


def _count_lines(path: Path) -> int:
    count = 0
    with _open_built(path) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def _write_converted(fmt: Format, source: Path, sink) -> int:
    import pyoxigraph as ox

    with _open_built(source) as stream:
        quads = list(ox.parse(stream, format=ox.RdfFormat.N_QUADS))
    # The N-Quads lines are sorted; a stable sort by graph keeps that order within each graph.
    quads.sort(key=lambda quad: str(quad.graph_name))
    target = ox.RdfFormat.TRIG if fmt.name == "trig" else ox.RdfFormat.JSON_LD
    prefixes = dict(sorted(_turtle_prefixes(source.with_name("graph.ttl")))) if fmt.name == "trig" else None
    data = ox.serialize(quads, format=target, prefixes=prefixes) if prefixes else ox.serialize(quads, format=target)
    sink.write(data or b"")
    if fmt.name == "jsonld" and data and not data.endswith(b"\n"):
        sink.write(b"\n")
    return len(quads)


_PREFIX = re.compile(rb"@prefix\s+([A-Za-z][\w.-]*|)\s*:\s*<([^>]*)>\s*\.")


def _turtle_prefixes(path: Path) -> Iterator[tuple[str, str]]:
    """The prefixes declared at the top of the build's Turtle file (the project's own)."""
    try:
        with path.open("rb") as stream:
            for line in stream:
                match = _PREFIX.match(line.strip())
                if match is None:
                    if line.strip():
                        return
                    continue
                yield match.group(1).decode(), match.group(2).decode()
    except OSError:
        return
