"""The catalogue of stored queries: ``*.rq`` files with a comment header.

Header format (docs/query-catalogue.md)::

    # title: Name lookup
    # description: Find a person by any spelling,
    #   continued on lines that start with '#' and two or more spaces.
    # answers: CQ11
    # param: name xsd:string required -- a spelling of the name
    # param: limit xsd:integer default=10 -- at most this many rows
    # example: kgbuild query cq11-name-lookup -p name=Kolesnikova

Loading a query reads text only (the query path must stay light). The
catalogue *check* parses every query with a SPARQL engine and is used by
``kgbuild build``, ``kgbuild queries --check`` and the tests.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from kgbuild.errors import QueryError, UnknownQueryError
from kgbuild.findings import Finding
from kgbuild.project import Project

PARAM_TYPES = ("IRI", "xsd:string", "xsd:integer", "xsd:decimal", "xsd:boolean", "xsd:date", "xsd:gYear")
_KEYS = ("title", "description", "answers", "param", "example")
_KEY_LINE = re.compile(r"^#\s?(?P<key>[A-Za-z][\w-]*):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(?P<value>\S.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\S+)"
    r"(?:\s+(?P<required>required)|\s+default=(?P<default>\S+))?"
    r"\s*(?:--\s*(?P<description>.*))?$"
)


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str  # one of PARAM_TYPES
    required: bool
    default: str | None
    description: str
    line: int


@dataclass(frozen=True)
class StoredQuery:
    """One stored query: its name (the file name without .rq), header and text."""

    name: str
    path: Path
    file: str  # as shown to people (project-relative)
    title: str
    description: str
    answers: tuple[str, ...]
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    text: str

    def param(self, name: str) -> Param | None:
        return next((param for param in self.params if param.name == name), None)

    def prefixes(self) -> dict[str, str]:
        """The query's PREFIX declarations (prefix -> namespace IRI)."""
        return {
            match.group(1): match.group(2)
            for match in re.finditer(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", _strip_comments(self.text))
        }


@dataclass(frozen=True)
class Catalogue:
    queries: tuple[StoredQuery, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(query.name for query in self.queries)

    def get(self, name: str) -> StoredQuery:
        for query in self.queries:
            if query.name == name:
                return query
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `kgbuild queries` lists them"
        raise UnknownQueryError(f"no stored query named {name!r}{hint}")


def load_catalogue(project: Project) -> Catalogue:
    """Every stored query of the project, sorted by name. Raises QueryError for a malformed header."""
    return Catalogue(tuple(sorted((read_query(path, file=project.rel(path)) for path in project.query_files()), key=lambda q: q.name)))


def resolve(project: Project, ref: str) -> StoredQuery:
    """A stored query by name, or a query file by path (``*.rq``)."""
    if ref.endswith(".rq"):
        path = Path(ref)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.is_file():
            raise UnknownQueryError(f"query file not found: {ref}")
        return read_query(path, file=ref)
    for path in project.query_files():
        if path.stem == ref:
            return read_query(path, file=project.rel(path))
    return load_catalogue(project).get(ref)  # raises with suggestions


def read_query(path: Path, *, file: str) -> StoredQuery:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"not UTF-8 (byte {exc.start})", file=file) from exc
    except OSError as exc:
        raise QueryError(f"cannot read: {exc.strerror}", file=file) from exc
    header = _parse_header(text, file=file)
    return StoredQuery(
        name=path.stem,
        path=path,
        file=file,
        title=" ".join(header.get("title", [""])).strip(),
        description=" ".join(header.get("description", [""])).strip(),
        answers=tuple(
            part for value in header.get("answers", []) for part in re.split(r"[,\s]+", value) if part and part != "none"
        ),
        params=tuple(_parse_param(value, line, file=file) for value, line in header.get("param@lines", [])),
        examples=tuple(header.get("example", [])),
        text=text,
    )


def _parse_header(text: str, *, file: str) -> dict:
    header: dict = {}
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        continued = _CONTINUATION.match(line)
        if continued and last is not None:
            header[last][-1] = header[last][-1] + " " + continued.group("value").strip()
            if last == "param":
                value, at = header["param@lines"][-1]
                header["param@lines"][-1] = (value + " " + continued.group("value").strip(), at)
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            last = None
            continue  # a plain comment
        key = match.group("key").lower()
        if key not in _KEYS:
            raise QueryError(f"unknown header key {key!r} (known: {', '.join(_KEYS)})", file=file, line=number)
        header.setdefault(key, []).append(match.group("value").strip())
        if key == "param":
            header.setdefault("param@lines", []).append((match.group("value").strip(), number))
        last = key
    return header


def _parse_param(value: str, line: int, *, file: str) -> Param:
    match = _PARAM.match(value)
    if match is None:
        raise QueryError(
            f"malformed param {value!r}; expected 'NAME TYPE [required|default=VALUE] -- description'",
            file=file,
            line=line,
        )
    if match.group("type") not in PARAM_TYPES:
        raise QueryError(
            f"param {match.group('name')}: unknown type {match.group('type')!r} (known: {', '.join(PARAM_TYPES)})",
            file=file,
            line=line,
        )
    return Param(
        name=match.group("name"),
        type=match.group("type"),
        required=match.group("required") is not None,
        default=match.group("default"),
        description=(match.group("description") or "").strip(),
        line=line,
    )


# --- the catalogue check ------------------------------------------------------------


def check_catalogue(project: Project) -> tuple[Finding, ...]:
    """Every problem of the catalogue at once, each a violation with its file (and line)."""
    findings: list[Finding] = []
    queries: list[StoredQuery] = []
    seen: dict[str, str] = {}
    for path in project.query_files():
        file = project.rel(path)
        try:
            query = read_query(path, file=file)
        except QueryError as error:
            findings.append(_finding("query-header", error.message, file=file, line=error.line))
            continue
        if query.name in seen:
            findings.append(_finding("query-duplicate-name", f"another query is named {query.name!r}: {seen[query.name]}", file=file))
        seen.setdefault(query.name, file)
        queries.append(query)
        findings.extend(_check_query(query))
    findings.extend(_check_questions(project, queries))
    return tuple(findings)


def _check_query(query: StoredQuery) -> list[Finding]:
    findings: list[Finding] = []
    if not query.title:
        findings.append(_finding("query-header", "the header has no title", file=query.file, line=1))
    syntax = _syntax_error(query)
    if syntax is not None:
        message, line = syntax
        findings.append(_finding("query-syntax", message, file=query.file, line=line))
        return findings
    body = _strip_comments(query.text)
    projection = _projection(body)
    from kgbuild.errors import ParameterError
    from kgbuild.params import to_term

    for param in query.params:
        if param.default is not None:
            try:
                to_term(param, param.default, prefixes=query.prefixes(), query=query.name)
            except ParameterError as error:
                findings.append(_finding("query-header", f"bad default: {error.message}", file=query.file, line=param.line))
        if not re.search(rf"[?$]{re.escape(param.name)}\b", body):
            findings.append(
                _finding("query-parameter-unused", f"param {param.name} is declared but ?{param.name} does not occur in the query", file=query.file, line=param.line)
            )
        elif projection is not None and projection != "*" and param.name not in projection:
            findings.append(
                _finding(
                    "query-parameter-not-projected",
                    f"param {param.name}: ?{param.name} must be selected by the outermost SELECT so every engine binds it the same way",
                    file=query.file,
                    line=param.line,
                )
            )
    return findings


def _check_questions(project: Project, queries: list[StoredQuery]) -> list[Finding]:
    if project.questions_file is None:
        return []
    file = project.rel(project.questions_file)
    try:
        text = project.questions_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [_finding("question-list-unreadable", f"cannot read the list of questions: {exc}", file=file)]
    answered = {answer for query in queries for answer in query.answers}
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^\|\s*([A-Za-z]+\d+)\s*\|", line)
        if match and match.group(1) not in answered:
            findings.append(
                _finding("question-without-query", f"no stored query answers {match.group(1)} (add '# answers: {match.group(1)}' to one)", file=file, line=number)
            )
    return findings


def _syntax_error(query: StoredQuery) -> tuple[str, int | None] | None:
    """The SPARQL parsers' complaint and its line, or None.

    rdflib's parser is asked first because it reports the line and column of
    the offending token; Oxigraph's must accept the query too (both engines
    run every stored query).
    """
    import pyoxigraph
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(query.text)
    except Exception as exc:  # pyparsing errors and rdflib's bare exceptions
        message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", str(exc)).strip().splitlines()[0]
        column = getattr(exc, "col", None)
        where = f" (column {column})" if column is not None else ""
        return f"SPARQL syntax error{where}: {message}", getattr(exc, "lineno", None)
    if prepared.algebra.name != "SelectQuery":
        return "a stored query must be a SELECT query", None
    try:
        pyoxigraph.Store().query(query.text)
    except SyntaxError as exc:
        from kgbuild.engines import syntax_position

        _line, _column, message = syntax_position(str(exc))
        return f"Oxigraph rejects the query: {message}", None
    return None


def _projection(body: str) -> set[str] | str | None:
    """The variables of the outermost SELECT clause ('*' for SELECT *), or None if none found."""
    match = re.search(r"(?is)\bSELECT\b(.*?)(?:\bWHERE\b|\{|\bFROM\b)", body)
    if match is None:
        return None
    clause = match.group(1)
    if re.search(r"(^|\s)\*(\s|$)", clause):
        return "*"
    aliases = set(re.findall(r"\bAS\s+[?$](\w+)", clause, re.I))
    previous = None
    while previous != clause:  # drop bracketed expressions: (COUNT(?x) AS ?n) selects ?n, not ?x
        previous, clause = clause, re.sub(r"\([^()]*\)", " ", clause)
    return set(re.findall(r"[?$](\w+)", clause)) | aliases


def _strip_comments(text: str) -> str:
    """The text without # comments (outside IRIs and strings)."""
    out = []
    for line in text.splitlines():
        out.append(re.sub(r'''#(?=(?:[^"'<>]|"[^"]*"|'[^']*'|<[^>]*>)*$).*''', "", line))
    return "\n".join(out)


def _finding(rule: str, message: str, *, file: str, line: int | None = None) -> Finding:
    return Finding(severity="violation", rule=rule, message=message, file=file, line=line)
