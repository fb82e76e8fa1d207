"""Checking that every quote occurs verbatim in the archived text of its source.

The project's quotes query (``[checks] quotes``) selects ``?node ?quote
?textFile``: the node holding the quote, the quoted passage, and the path
(relative to the project root) of the archived source text. Both sides are
normalised before the containment test: Unicode NFC, typographic quotes
and dashes mapped to ASCII, soft hyphens and zero-width characters removed,
all whitespace runs collapsed to one space.

A text file is read only when it resolves (symbolic links followed) inside
one of the project's sources folders (``[paths] sources``, default
``data/sources``) and is a regular file of at most ``MAX_SOURCE_TEXT_BYTES``;
a path outside them is reported (rule ``source-text-outside-sources``)
without being opened (resolving it only reads the links on the way), with the
same message whether it exists or not, so that a contribution cannot make the
check read a file elsewhere or tell how much of a quote matches it.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kgbuild.backends.convert import from_ox
from kgbuild.errors import InputError
from kgbuild.findings import Finding
from kgbuild.locate import Locator
from kgbuild.rdfio import decode_text
from kgbuild.terms import Names, describe, owner

QUOTE_COLUMNS = ("node", "quote", "textFile")
RULE_NOT_IN_SOURCE = "quote-not-in-source"
RULE_TEXT_MISSING = "source-text-missing"
RULE_TEXT_OUTSIDE = "source-text-outside-sources"
RULE_TEXT_UNUSABLE = "source-text-unusable"
MAX_SOURCE_TEXT_BYTES = 8 * 1024 * 1024  # an archived text larger than this is not read (8 MiB)

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
    rule: str = RULE_TEXT_MISSING  # the rule of ``problem``


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class TextCache:
    """Archived source texts (normalised), read once each; names are relative to ``root``.

    Only regular files of at most ``max_bytes`` that resolve inside one of
    ``sources`` (resolved directories) are read; see the module docstring.
    """

    def __init__(self, root: Path, *, sources: Sequence[Path], max_bytes: int = MAX_SOURCE_TEXT_BYTES) -> None:
        self.root = root
        self.sources = tuple(sources)
        self.max_bytes = max_bytes
        self._texts: dict[str, _Text] = {}

    def get(self, name: str) -> _Text:
        if name not in self._texts:
            self._texts[name] = self._load(name)
        return self._texts[name]

    def _load(self, name: str) -> _Text:
        path = self._confined(name)
        if path is None:
            return _Text(None, f"archived source text {name} is outside the sources folder "
                               f"({self.folders()}): kgbuild reads source texts only from there",
                         RULE_TEXT_OUTSIDE)
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return _Text(None, f"archived source text not found: {name}")
        except OSError as exc:
            return self._unusable(name, f"cannot read it: {exc.strerror or exc}")
        if not stat.S_ISREG(info.st_mode):
            kind = next((what for test, what in _KINDS if test(info.st_mode)), "not a regular file")
            return self._unusable(name, f"{kind}, not a regular file")
        if info.st_size > self.max_bytes:
            return self._unusable(name, self._too_big(info.st_size))
        try:  # not blocking, not following a link put there since: only the regular file just looked at
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            return self._unusable(name, f"cannot read it: {exc.strerror or exc}")
        with open(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(opened.st_mode):
                return self._unusable(name, "it changed while being opened")
            try:
                raw = handle.read(self.max_bytes + 1)
            except OSError as exc:
                return self._unusable(name, f"cannot read it: {exc.strerror or exc}")
        if len(raw) > self.max_bytes:
            return self._unusable(name, self._too_big(None))
        try:
            return _Text(normalise(decode_text(raw, file=name)), None)
        except InputError as exc:
            return _Text(None, f"archived source text unusable: {exc}", RULE_TEXT_UNUSABLE)

    def _confined(self, name: str) -> str | None:
        """The resolved path of ``name`` when it is relative and resolves inside a sources folder, else None."""
        if not name or "\x00" in name or os.path.isabs(name):
            return None
        try:
            resolved = Path(os.path.realpath(os.path.join(self.root, name)))
        except (OSError, ValueError):
            return None
        if any(resolved == folder or folder in resolved.parents for folder in self.sources):
            return str(resolved)
        return None

    def folders(self) -> str:
        """The sources folders as shown to people (project-relative where inside the project)."""
        shown = []
        for folder in self.sources:
            try:
                shown.append(folder.relative_to(self.root).as_posix())
            except ValueError:
                shown.append(str(folder))
        return " or ".join(shown) or "none configured"

    def _too_big(self, size: int | None) -> str:
        got = f"{size:,} bytes, " if size is not None else ""
        return f"{got}larger than the limit of {self.max_bytes:,} bytes for a source text"

    @staticmethod
    def _unusable(name: str, why: str) -> _Text:
        return _Text(None, f"archived source text unusable: {name}: {why}", RULE_TEXT_UNUSABLE)


def check_quotes(
    rows: Iterable[Mapping[str, object]],
    *,
    root: Path,
    sources: Sequence[Path],
    names: Names,
    locator: Locator,
    context: Callable[[list[Node]], Graph],
) -> tuple[QuoteProblem, ...]:
    """One problem per quote that is not in its source text, or whose text is missing.

    ``rows`` are the quotes query's rows (?node ?quote ?textFile) of pyoxigraph
    terms (only rows with a problem are converted to rdflib, for naming: at a
    million triples converting them all took longer than the check);
    ``context(nodes)`` gives the triples needed to name those nodes (only
    called for the nodes with a problem).
    """
    texts = TextCache(root, sources=sources)
    found: list[tuple[Node, Node, str, str]] = []
    for row in rows:
        node, quote, text_file = row.get("node"), row.get("quote"), row.get("textFile")
        if node is None or quote is None:
            continue
        file_name = None if text_file is None else text_file.value  # type: ignore[attr-defined]
        problem = quote_problem(quote.value, file_name, texts)  # type: ignore[attr-defined]
        if problem is not None:
            found.append((from_ox(node), from_ox(quote), *problem))  # type: ignore[arg-type]
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



def quote_problem(quote: str, text_file: str | None, texts: TextCache) -> tuple[str, str] | None:
    """(rule, message) when the quote cannot be confirmed, else None.

    How much of a quote matches is said only for a text read from a sources folder.
    """
    if text_file is None:
        return RULE_TEXT_MISSING, "no archived text file is recorded for this quote's source"
    source = texts.get(text_file)
    if source.normalised is None:
        return source.rule, str(source.problem)
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
