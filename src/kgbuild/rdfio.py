"""Reading Turtle files: strict UTF-8 decoding and strict RDF 1.1 Turtle parsing.

Parsing uses pyoxigraph's Turtle parser: it is strict (rejects invalid and
relative IRIs), reports line and column, and recovers after an error, so a
file with several mistakes reports each of them. All files are parsed before
any error is raised, and every syntax error is reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgbuild.errors import InputError, raise_collected

# File name suffixes and the RDF syntax each means (callers read a file with another suffix as Turtle).
SUFFIX_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
FORMAT_NAMES: dict[ox.RdfFormat, str] = {
    ox.RdfFormat.TURTLE: "Turtle", ox.RdfFormat.N_TRIPLES: "N-Triples", ox.RdfFormat.TRIG: "TriG",
    ox.RdfFormat.N_QUADS: "N-Quads", ox.RdfFormat.JSON_LD: "JSON-LD", ox.RdfFormat.RDF_XML: "RDF/XML",
}

MAX_ERRORS_PER_FILE = 20
MAX_TOKEN_BYTES = 16 * 1024 * 1024  # pyoxigraph's parsers read no token (literal, IRI, comment) longer than this


@dataclass(frozen=True)
class TurtleFile:
    """One parsed Turtle file."""

    file: str  # path as shown to people (project-relative, POSIX)
    text: str
    triples: tuple[ox.Quad, ...]  # all in the default graph; blank nodes unique to this file
    prefixes: tuple[tuple[str, str], ...]  # (prefix, namespace) as declared, sorted by prefix


def read_text(path: Path, *, file: str) -> str:
    """The file's text, decoded as strict UTF-8 (a leading BOM is dropped).

    Raises ``InputError`` naming the file, and for bad bytes the line,
    column and byte offset of the first one.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=file) from exc
    return decode_text(raw, file=file)


def decode_text(raw: bytes, *, file: str) -> str:
    """``raw`` decoded as strict UTF-8 (a leading BOM dropped); ``InputError`` as ``read_text``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = raw.count(b"\n", 0, offset) + 1
        line_start = raw.rfind(b"\n", 0, offset) + 1
        column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
        raise InputError(
            f"not valid UTF-8: byte 0x{raw[offset]:02x} at byte offset {offset}",
            file=file,
            line=line,
            column=column,
        ) from exc
    return text.removeprefix("\ufeff")


_POSITION = re.compile(r"^Parser error (?:at|between) line [\w ]*?: ")
_TRAILING_LINE = re.compile(r" \(line \d+\)$")


@dataclass(frozen=True)
class Drained:
    """What a pyoxigraph parser gave before it ended: the quads, the syntax errors it recovered from (one per
    line, at most ``MAX_ERRORS_PER_FILE``), and the MemoryError that stopped it if a token was too long."""

    quads: list[ox.Quad]
    errors: list[SyntaxError]
    too_long: MemoryError | None = None


def drain(parser: Iterable[ox.Quad], *, recovers: bool = True) -> Drained:
    """Read every quad of ``parser``, going on after a syntax error where the parser ``recovers`` (Turtle,
    TriG, N-Triples, N-Quads; pyoxigraph's JSON-LD and RDF/XML parsers stop at the first). Its recovery often
    trips again on the same line: one error per line is kept."""
    quads: list[ox.Quad] = []
    errors: list[SyntaxError] = []
    iterator = iter(parser)
    while True:
        try:
            quads.append(next(iterator))
        except StopIteration:
            return Drained(quads, errors)
        except MemoryError as exc:  # the parser's token buffer is full (or memory ran out): it cannot go on
            return Drained(quads, errors, exc)
        except SyntaxError as exc:
            if errors and errors[-1].lineno == exc.lineno:
                continue
            errors.append(exc)
            if len(errors) >= MAX_ERRORS_PER_FILE or not recovers:
                return Drained(quads, errors)


def parse_turtle(text: str, *, file: str) -> TurtleFile:
    """Parse Turtle ``text``; raise ``InputError``/``InputErrors`` listing every syntax error."""
    parser = ox.parse(text, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
    drained = drain(parser)
    errors = [_syntax_error(exc, file=file) for exc in drained.errors]
    if drained.too_long is not None:
        line, message = too_long(text, drained.too_long)
        errors.append(InputError(message, file=file, line=line))
    triples: list[ox.Quad] = []
    may_have_triple_terms = "<<" in text  # RDF 1.2 syntax; without it, no quad need be looked at
    for quad in drained.quads:
        if may_have_triple_terms and (isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple)):
            errors.append(InputError("RDF 1.2 triple terms are not supported", file=file))
            continue
        triples.append(quad)
    raise_collected(errors)
    prefixes = tuple(sorted(parser.prefixes.items()))
    return TurtleFile(file=file, text=text, triples=tuple(triples), prefixes=prefixes)


def too_long(text: str, exc: MemoryError) -> tuple[int | None, str]:
    """(line, message) for a MemoryError raised while parsing ``text``.

    pyoxigraph raises it when one token (a literal, an IRI, even a comment)
    is longer than ``MAX_TOKEN_BYTES``; the line is the first one longer than
    that (None when the token spans lines).
    """
    if "buffer maximal size" not in str(exc):
        return None, "out of memory while parsing this file"
    return _first_long_line(text, MAX_TOKEN_BYTES), (
        f"a single literal, IRI or comment is longer than the parser's limit of {MAX_TOKEN_BYTES:,} bytes "
        f"({MAX_TOKEN_BYTES // (1024 * 1024)} MiB); the file cannot be read past it"
    )


def _first_long_line(text: str, limit: int) -> int | None:
    number, start = 1, 0
    while start <= len(text):
        end = text.find("\n", start)
        stop = len(text) if end < 0 else end
        if stop - start > limit // 4 and len(text[start:stop].encode("utf-8")) > limit:
            return number
        if end < 0:
            return None
        number, start = number + 1, end + 1
    return None


def _syntax_error(exc: SyntaxError, *, file: str) -> InputError:
    message = _TRAILING_LINE.sub("", _POSITION.sub("", str(exc)))
    return InputError(f"Turtle syntax error: {message}", file=file, line=exc.lineno, column=exc.offset)


def parse_files(paths: Sequence[Path], *, root: Path) -> tuple[TurtleFile, ...]:
    """Parse every file; if any is unusable raise one error listing all problems."""
    parsed: list[TurtleFile] = []
    errors: list[InputError] = []
    for path in paths:
        file = _display(path, root)
        try:
            parsed.append(parse_turtle(read_text(path, file=file), file=file))
        except InputError as exc:
            errors.extend(exc.problems())  # type: ignore[arg-type]
    raise_collected(errors)
    return tuple(parsed)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
