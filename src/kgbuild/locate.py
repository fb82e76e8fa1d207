"""Finding where something is written in the Turtle sources (cheap text search).

Used to point findings at a file and line: the first line where a subject
starts a statement (as a prefixed name or ``<IRI>``), or the first line
where a literal's text occurs. Good enough for people; not a parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_FIRST_TOKEN = re.compile(r"[ \t]*(<[^>\s]*>|[A-Za-z][\w.\-]*:[^\s;,]*|:[^\s;,]*)")
_SAFE_LOCAL = re.compile(r"^[\w\-.]*[\w\-]$|^$")
_ESCAPED_IN_TURTLE = re.compile(r'["\\\n\r\t]')
SNIPPET_LENGTH = 40
MIN_SNIPPET = 8


@dataclass(frozen=True)
class Location:
    file: str
    line: int


@dataclass(frozen=True)
class SourceText:
    """A Turtle file's text and its prefix declarations."""

    file: str
    text: str
    prefixes: tuple[tuple[str, str], ...]


class Locator:
    """Looks things up in a fixed, ordered list of Turtle files (earlier files win)."""

    def __init__(self, sources: Sequence[SourceText]) -> None:
        self._sources = tuple(sources)
        self._subjects: dict[tuple[int, str], int] = {}
        for index, source in enumerate(self._sources):
            for number, line in enumerate(source.text.splitlines(), start=1):
                match = _FIRST_TOKEN.match(line)
                if match:
                    token = match.group(1)
                    if not token.startswith("<"):
                        token = token.rstrip(".")
                    self._subjects.setdefault((index, token), number)

    def subject(self, iri: str) -> Location | None:
        """The first line where ``iri`` begins a line (i.e. is written as a subject)."""
        for index, source in enumerate(self._sources):
            for token in self._tokens(iri, source.prefixes):
                number = self._subjects.get((index, token))
                if number is not None:
                    return Location(source.file, number)
        return None

    @staticmethod
    def _tokens(iri: str, prefixes: tuple[tuple[str, str], ...]) -> list[str]:
        tokens = [f"<{iri}>"]
        for prefix, namespace in prefixes:
            if iri.startswith(namespace) and _SAFE_LOCAL.match(iri[len(namespace):]):
                tokens.append(f"{prefix}:{iri[len(namespace):]}")
        return tokens

    def text(self, value: str, *, after: Location | None = None) -> Location | None:
        """The first line where the beginning of ``value`` is written (e.g. inside a literal); with ``after``,
        the first such line from there on in its file, if any (the same passage may be quoted under several
        subjects)."""
        snippet = _ESCAPED_IN_TURTLE.split(value[:SNIPPET_LENGTH], maxsplit=1)[0]
        if len(snippet) < min(MIN_SNIPPET, len(value)) or not snippet.strip():
            return None
        if after is not None:
            for source in self._sources:
                if source.file == after.file:
                    start = 0
                    for _ in range(after.line - 1):
                        start = source.text.find("\n", start) + 1
                        if start == 0:
                            break
                    offset = source.text.find(snippet, start) if start or after.line == 1 else -1
                    if offset >= 0:
                        return Location(source.file, source.text.count("\n", 0, offset) + 1)
                    break
        for source in self._sources:
            offset = source.text.find(snippet)
            if offset >= 0:
                return Location(source.file, source.text.count("\n", 0, offset) + 1)
        return None
