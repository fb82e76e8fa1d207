"""Reading a contribution's files: each parsed (blank nodes skolemised), or its problems as findings (not UTF-8,
not RDF, syntax errors, a token too long, a remote JSON-LD context, no triples, named graphs, malformed JSON-LD
language tags); and where a term or literal is written in a file (``TokenLines``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgbuild.checks.rules import RULES
from kgbuild.errors import InputError
from kgbuild.findings import Finding
from kgbuild.locate import Locator
from kgbuild.rdfio import FORMAT_NAMES, SUFFIX_FORMATS, drain, read_text, too_long
from kgbuild.shacl import SKOLEM

# the catalogued rules (kgbuild.checks.rules) of the findings reading a file gives
RULES_OF_READING = ("not-utf8", "not-rdf", "syntax-error", "token-too-long", "remote-context", "empty-file",
                    "named-graph", "malformed-language-tag")
# the syntaxes a contribution may be written in (docs/contributing-data.md): not RDF/XML
FORMATS = {suffix: syntax for suffix, syntax in SUFFIX_FORMATS.items() if syntax is not ox.RdfFormat.RDF_XML}
_FORMAT_NAMES = FORMAT_NAMES


@dataclass(frozen=True)
class ContributionFile:
    """One parsed contribution file; blank nodes are skolemised to ``SKOLEM`` IRIs."""

    file: str  # as given on the command line (or project-relative)
    text: str
    triples: tuple[ox.Triple, ...]
    prefixes: tuple[tuple[str, str], ...]
    graphs: tuple[str, ...] = ()  # the names of the named graphs its triples came from (names not kept)


def read_contribution(path: Path, *, file: str) -> tuple[ContributionFile | None, list[Finding]]:
    """Parse one file; problems with it are findings (the file is then left out of the other checks)."""
    try:
        text = read_text(path, file=file)
    except InputError as exc:
        if exc.line is None:  # unreadable, not undecodable
            raise
        binary = b"\x00" in path.read_bytes()[:1024]
        rule = "not-rdf" if binary else "not-utf8"
        message = "this is a binary file, not RDF" if binary else exc.message
        return None, [_file_finding(rule, message, file, exc.line, exc.column,
                                    hint="Save the file as UTF-8 (RDF text formats are UTF-8).")]
    rdf_format = FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)
    triples, prefixes, errors, graphs, stopped = _parse(text, rdf_format)
    if stopped is not None:  # a token longer than the parser reads (see rdfio.too_long)
        line, message = too_long(text, stopped)
        return None, [_file_finding("token-too-long", message, file, line, None,
                                    hint="Shorten or split it: no literal, IRI or comment may be that long.")]
    if errors:
        findings = _syntax_findings(errors, text, rdf_format, file, parsed=len(triples))
        return None, findings
    tags = _json_ld_language_tags(text, file) if rdf_format == ox.RdfFormat.JSON_LD else []
    if not triples:
        return None, tags or [_file_finding("empty-file", "the file holds no triples", file, None, None,
                                            hint="Add the facts, or leave the file out.")]
    parsed = ContributionFile(file=file, text=text, triples=tuple(triples), prefixes=prefixes, graphs=graphs)
    return parsed, tags + _named_graph_findings(parsed)


_JSON_LD_LANGUAGE = re.compile(r'"@language"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _json_ld_language_tags(text: str, file: str) -> list[Finding]:
    """Ill-formed language tags of a JSON-LD file: JSON-LD drops the literals they tag without a word.

    (In Turtle an ill-formed tag is a syntax error.) Checked with the parser's
    own validator, by making a literal with the tag.
    """
    import json

    out = []
    for match in _JSON_LD_LANGUAGE.finditer(text):
        try:
            tag = json.loads(f'"{match.group(1)}"')
            ox.Literal("", language=tag)
        except ValueError as exc:
            line = text.count("\n", 0, match.start(1)) + 1
            column = match.start(1) - text.rfind("\n", 0, match.start(1))
            out.append(_file_finding(
                "malformed-language-tag",
                f"\"{match.group(1)}\" is not a well-formed language tag (BCP 47): {exc}; JSON-LD drops every "
                "literal it tags", file, line, column,
                hint="Write a language tag such as \"en\", \"be\" or \"en-GB\" (letters, subtags joined by '-').",
            ))
    return out


def _named_graph_findings(source: ContributionFile) -> list[Finding]:
    """One warning per file with named graphs: their triples are checked (and would be merged) as plain triples."""
    if not source.graphs:
        return []
    from kgbuild.terms import Names

    names = Names(source.prefixes)
    shown = [f"_:{g[len(SKOLEM):]}" if g.startswith(SKOLEM) else names.iri(g) for g in source.graphs]
    count = len(source.triples)
    return [_file_finding(
        "named-graph",
        f"the triples are in named graph{'s' if len(shown) > 1 else ''} {', '.join(shown)}: they are checked as part "
        f"of the contribution ({count} triple{'s' if count != 1 else ''} in all), but the graph names are not kept "
        "(the project's graph is one default graph)",
        source.file, TokenLines(source).line(source.graphs[0]), None,
        hint="Nothing to do if the graph names carry no meaning; if they record where the facts come from, "
             "say it with ppd:attestedBy and a source in the data instead.",
    )]


def _parse(text: str, rdf_format: ox.RdfFormat):
    parser = ox.parse(text, format=rdf_format, rename_blank_nodes=True)
    drained = drain(parser, recovers=rdf_format != ox.RdfFormat.JSON_LD)
    errors = drained.errors
    triples: list[ox.Triple] = []
    graphs: dict[str, None] = {}  # named graphs, in order of first appearance
    for quad in drained.quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            graphs.setdefault(_skolem(quad.graph_name).value, None)  # the triple counts; the name is dropped
        triples.append(ox.Triple(_skolem(quad.subject), quad.predicate, _skolem(quad.object)))
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        prefixes = tuple(sorted(getattr(parser, "prefixes", {}).items()))
    elif rdf_format == ox.RdfFormat.JSON_LD and not errors:
        prefixes = _json_ld_prefixes(text)
    else:
        prefixes = ()
    return triples, prefixes, errors, tuple(graphs), drained.too_long


def _json_ld_prefixes(text: str) -> tuple[tuple[str, str], ...]:
    """The prefix-like terms of a JSON-LD document's top-level inline context (for locating lines)."""
    import json

    try:
        context = json.loads(text).get("@context", {})
    except (ValueError, AttributeError, RecursionError):  # deep nesting: no prefixes, lines from full IRIs
        return ()
    if not isinstance(context, dict):
        return ()
    return tuple(sorted((k, v) for k, v in context.items()
                        if isinstance(v, str) and v.endswith(("/", "#")) and not k.startswith("@")))


def _skolem(term):
    if isinstance(term, ox.BlankNode):
        return ox.NamedNode(SKOLEM + term.value)
    return term


_POSITION = re.compile(r"^Parser error (?:at|between) line [\w ]*?: ")


def _syntax_findings(errors: list[SyntaxError], text: str, rdf_format, file: str, *, parsed: int) -> list[Finding]:
    first = errors[0]
    message = _POSITION.sub("", str(first.msg if hasattr(first, "msg") else first))
    if "LoadDocumentCallback" in message or "remote context" in message.lower():
        return [_file_finding(
            "remote-context", "the JSON-LD @context is a URL; kgbuild never fetches contexts", file,
            first.lineno, first.offset,
            hint="Write the context inline as a JSON object (see docs/contributing-data.md).",
        )]
    if parsed == 0 and _looks_like_other(text, first.lineno):
        name = _FORMAT_NAMES.get(rdf_format, "RDF")
        return [_file_finding(
            "not-rdf", f"this is not {name}: {message}", file, first.lineno, first.offset,
            hint=f"A contribution is a {name} file of triples (see docs/contributing-data.md).",
        )]
    return [
        _file_finding("syntax-error", _POSITION.sub("", str(getattr(e, "msg", e))), file, e.lineno, e.offset,
                      hint="Fix the syntax here; the file's other checks run once it parses.")
        for e in errors
    ]


def _looks_like_other(text: str, error_line: int | None) -> bool:
    """True when the first error is on the first line with content (nothing RDF-like before it)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return error_line == number and not re.match(r"(?i)^(@prefix|@base|prefix|base)\b", stripped)
    return True


def _file_finding(rule: str, message: str, file: str, line, column, *, hint: str) -> Finding:
    return Finding(severity=RULES[rule].severity, rule=rule, message=message, file=file, line=line, column=column,
                   hint=hint)


class TokenLines:
    """Where terms are written in one contribution file: every token's lines, indexed once.

    ``line(iri)`` is the first line (from ``start``) where the IRI is written as ``<iri>``, as a prefixed
    name of the file's prefixes or (JSON-LD) as a quoted string, not after a ``#`` on its line;
    ``literal_line(value)`` the first line where a literal with that beginning is written. Both cost a
    dictionary look-up, not a pass over the file.
    """

    _IRI = re.compile(r"<[^<>\s]*>")
    _PREFIXED = re.compile(r"(?:[A-Za-z][\w\-.]*)?:[\w\-.:%]*")
    _QUOTED = re.compile(r'"[^"\n]*"')
    _LITERAL = re.compile(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', re.DOTALL)

    def __init__(self, source: ContributionFile) -> None:
        self.source = source
        self.json = source.text.lstrip().startswith(("{", "["))
        self._lines: dict[str, list[int]] | None = None
        self._literals: dict[str, int] | None = None
        self._fallback: dict[str, int | None] = {}

    def _index(self) -> dict[str, list[int]]:
        if self._lines is None:
            lines: dict[str, list[int]] = {}
            patterns = (self._IRI, self._PREFIXED, self._QUOTED) if self.json else (self._IRI, self._PREFIXED)
            for number, line in enumerate(self.source.text.splitlines(), start=1):
                comment = -1 if self.json else self._comment_start(line)
                for pattern in patterns:
                    for match in pattern.finditer(line):
                        if 0 <= comment < match.start():
                            break
                        token = match.group()
                        for cut in self._cuts(token, pattern is self._PREFIXED):
                            found = lines.setdefault(cut, [])
                            if not found or found[-1] != number:
                                found.append(number)
            self._lines = lines
        return self._lines

    _SKIPPED = re.compile(r'<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#')

    @classmethod
    def _comment_start(cls, line: str) -> int:
        """Where the line's comment starts (-1: none): the first '#' outside an IRI or a string, so a line of
        full IRIs such as ``<…/ontology#Release>`` (N-Quads) keeps its later tokens."""
        for match in cls._SKIPPED.finditer(line):
            if match.group() == "#":
                return match.start()
        return -1

    @staticmethod
    def _cuts(token: str, prefixed: bool) -> list[str]:
        """The token, and for a prefixed name each of its beginnings followed by a '.' (``ppdr:a.`` ends a
        statement)."""
        if not prefixed or "." not in token:
            return [token]
        cuts = {token.rstrip(".")}
        at = token.find(".")
        while at >= 0:
            cuts.add(token[:at])
            at = token.find(".", at + 1)
        return [cut for cut in cuts if cut]

    def tokens(self, iri: str) -> list[str]:
        tokens = [f"<{iri}>"]
        for prefix, namespace in self.source.prefixes:
            if iri.startswith(namespace):
                tokens.append(f"{prefix}:{iri[len(namespace):]}")
        if self.json:
            tokens.append(f'"{iri}"')
        return tokens

    def line(self, iri: str, *, start: int = 1) -> int | None:
        from bisect import bisect_left

        index = self._index()
        best = None
        for token in self.tokens(iri):
            numbers = index.get(token)
            if numbers:
                at = bisect_left(numbers, start)
                if at < len(numbers) and (best is None or numbers[at] < best):
                    best = numbers[at]
        return best

    def literal_line(self, value: str, locator: Locator) -> int | None:
        """The line of the first literal written with ``value``'s beginning (else a text search, remembered)."""
        key = _snippet(value)
        if key is None:
            return None
        if self._literals is None:
            from bisect import bisect_right

            text = self.source.text
            starts = [0] + [m.end() for m in re.finditer("\n", text)]
            literals: dict[str, int] = {}
            for match in self._LITERAL.finditer(text):
                raw = next(group for group in match.groups() if group is not None)
                snippet = _snippet(raw)
                if snippet is not None and snippet not in literals:
                    literals[snippet] = bisect_right(starts, match.start(match.lastindex or 0))
            self._literals = literals
        if key in self._literals:
            return self._literals[key]
        if key not in self._fallback:
            where = locator.text(value)
            self._fallback[key] = where.line if where else None
        return self._fallback[key]


def _snippet(value: str) -> str | None:
    """The beginning of a literal that ``Locator.text`` searches for (None: too short to search)."""
    from kgbuild.locate import _ESCAPED_IN_TURTLE, MIN_SNIPPET, SNIPPET_LENGTH

    snippet = _ESCAPED_IN_TURTLE.split(value[:SNIPPET_LENGTH], maxsplit=1)[0]
    if len(snippet) < min(MIN_SNIPPET, len(value)) or not snippet.strip():
        return None
    return snippet
