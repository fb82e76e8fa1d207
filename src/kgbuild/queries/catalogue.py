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
``kgbuild build``/``validate``, ``kgbuild queries --check`` and the tests.
Its findings are violations with these rule ids:

- ``query-header``: unreadable file, unknown key, malformed param line or
  type, a default not of its type, no title;
- ``query-syntax``: rdflib's or Oxigraph's parser rejects it, or not a SELECT;
- ``query-duplicate-name``: two files with the same name in different folders;
- ``query-parameter-unused``: a declared parameter's variable is not in the query;
- ``query-parameter-not-projected``: not selected by the outermost SELECT;
- ``query-parameter-not-in-outer-group``: not used in the outermost group
  pattern (only inside a sub-SELECT, or only after the WHERE clause);
- ``question-without-query``: a question id of ``[catalogue] questions``
  (the first cell of each table body row) that no query's ``answers`` names;
- ``query-answers-unknown-question``: ``answers`` names an id that is not a question;
- ``question-list-unreadable``: the questions file cannot be read.

And one warning: ``query-calls-service``: the query calls SPARQL SERVICE (it
sends requests when run; ``kgbuild query`` refuses it without
``--allow-service``). Such a query is parsed by rdflib only: Oxigraph has
no parse-only call and would send the requests.
"""

from __future__ import annotations

import contextlib
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
    answers_line: int | None = None  # the line of the (first) ``answers:`` key, for findings

    def param(self, name: str) -> Param | None:
        return next((param for param in self.params if param.name == name), None)

    def prefixes(self) -> dict[str, str]:
        """The PREFIX declarations of the query's prologue (prefix -> namespace IRI; ``""`` for ``:``)."""
        from kgbuild.sparqltext import tokens

        declared: dict[str, str] = {}
        stream = tokens(self.text)
        try:
            for token in stream:
                keyword = token.text.upper() if token.kind == "word" else None
                if keyword == "PREFIX":
                    name, iri = next(stream, None), next(stream, None)
                    if name is None or iri is None or not name.text.endswith(":") or iri.kind != "iri":
                        break  # malformed: the parsers will say so
                    declared[name.text[:-1]] = iri.text[1:-1]
                elif keyword == "BASE":
                    next(stream, None)
                else:
                    break
        except QueryError:  # an unclosed string after the prologue: the prologue is still read
            pass
        return declared


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


def load_catalogue(project: Project, *, skip_unreadable: bool = False) -> Catalogue:
    """Every stored query of the project, sorted by name (then file).

    Reads text only (no SPARQL parser). Raises QueryError for an unreadable
    file or a malformed header, unless ``skip_unreadable`` (then such files
    are left out; ``check_catalogue`` reports them).
    """
    queries = []
    for path in project.query_files():
        try:
            queries.append(read_query(path, file=project.rel(path)))
        except QueryError:
            if not skip_unreadable:
                raise
    return Catalogue(tuple(sorted(queries, key=lambda q: (q.name, q.file))))


def catalogue_listing(catalogue: Catalogue) -> list[dict]:
    """The catalogue as JSON-ready data: per query its name, title, description, answers, params, examples, file."""
    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "answers": list(q.answers),
            "params": [
                {"name": p.name, "type": p.type, "required": p.required, "default": p.default, "description": p.description}
                for p in q.params
            ],
            "examples": list(q.examples),
            "file": q.file,
        }
        for q in catalogue.queries
    ]


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
        answers_line=header["answers@lines"][0][1] if header.get("answers@lines") else None,
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
            if last in ("param", "answers"):
                value, at = header[f"{last}@lines"][-1]
                header[f"{last}@lines"][-1] = (value + " " + continued.group("value").strip(), at)
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            last = None
            continue  # a plain comment
        key = match.group("key").lower()
        if key not in _KEYS:
            raise QueryError(f"unknown header key {key!r} (known: {', '.join(_KEYS)})", file=file, line=number)
        header.setdefault(key, []).append(match.group("value").strip())
        if key in ("param", "answers"):
            header.setdefault(f"{key}@lines", []).append((match.group("value").strip(), number))
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


def check_catalogue(project: Project, *, remember: bool = False) -> tuple[Finding, ...]:
    """Every problem of the catalogue at once, each a violation with its file (and line).

    Parser verdicts on unchanged query texts come from ``SyntaxVerdicts``; with ``remember`` (the
    build, which writes beside the store anyway) this check's verdicts are written back.
    """
    findings: list[Finding] = []
    queries: list[StoredQuery] = []
    seen: dict[str, str] = {}
    verdicts = SyntaxVerdicts.load(project)
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
        findings.extend(_check_query(query, verdicts))
    findings.extend(_check_questions(project, queries))
    if remember:
        verdicts.save()
    return tuple(findings)


class SyntaxVerdicts:
    """What both SPARQL parsers said of query texts already checked, kept beside the embedded store.

    rdflib's parser takes about a tenth of a second a query: most of the checks of a small graph. A
    verdict is keyed by the SHA-256 of the query's text and holds only for the rdflib and pyoxigraph
    versions that gave it. The file is a cache: unreadable or stale, it is ignored; unwritable, it is
    not written. It keeps the verdicts of the texts of the last check only.
    """

    VERSION = 1

    def __init__(self, project: Project, known: dict[str, list | None]) -> None:
        self.project = project
        self._known = known
        self._used: dict[str, list | None] = {}

    @classmethod
    def load(cls, project: Project) -> SyntaxVerdicts:
        from kgbuild.workspace.sidecars import QUERY_SYNTAX, read_sidecar

        data = read_sidecar(project, QUERY_SYNTAX)
        known = data.get("verdicts") if isinstance(data, dict) and data.get("parsers") == cls._parsers() else None
        return cls(project, known if isinstance(known, dict) else {})

    @staticmethod
    def _parsers() -> dict[str, str | int]:
        import pyoxigraph
        import rdflib

        return {"format": SyntaxVerdicts.VERSION, "rdflib": rdflib.__version__, "pyoxigraph": pyoxigraph.__version__}

    def verdict(self, query: StoredQuery) -> tuple[str, int | None] | None:
        """``_syntax_error(query)``, from the file when this text was judged before."""
        import hashlib

        key = hashlib.sha256(query.text.encode("utf-8")).hexdigest()
        known = self._known.get(key, "unknown")
        if isinstance(known, list) and len(known) == 2 and isinstance(known[0], str):
            found: tuple[str, int | None] | None = (known[0], known[1] if isinstance(known[1], int) else None)
        elif known is None:
            found = None
        else:
            found = _syntax_error(query)
        self._used[key] = None if found is None else list(found)
        return found

    def save(self) -> None:
        import json

        from kgbuild.workspace.sidecars import QUERY_SYNTAX, write_sidecar

        if self._used == self._known:
            return
        data = {"parsers": self._parsers(), "verdicts": dict(sorted(self._used.items()))}
        with contextlib.suppress(OSError):  # a cache: not writing it costs only time
            write_sidecar(self.project, QUERY_SYNTAX, json.dumps(data, indent=1) + "\n")


def _check_query(query: StoredQuery, verdicts: SyntaxVerdicts) -> list[Finding]:
    findings: list[Finding] = []
    if not query.title:
        findings.append(_finding("query-header", "the header has no title", file=query.file, line=1))
    from kgbuild.federation import token_calls

    calls = token_calls(query.text)
    if calls:
        findings.append(Finding(
            severity="warning", rule="query-calls-service", file=query.file, line=calls[0].line,
            message=f"calls SERVICE {calls[0].target}: run, it sends requests to that endpoint; kgbuild query "
                    "refuses it without --allow-service",
        ))
    syntax = verdicts.verdict(query)
    if syntax is not None:
        message, line = syntax
        findings.append(_finding("query-syntax", message, file=query.file, line=line))
        return findings
    try:
        shape = query_shape(query.text)
    except QueryError as error:  # pragma: no cover - both parsers accepted the query
        findings.append(_finding("query-syntax", error.message, file=query.file, line=error.line))
        return findings
    from kgbuild.errors import ParameterError
    from kgbuild.queries.params import to_term

    for param in query.params:
        if param.default is not None:
            try:
                to_term(param, param.default, prefixes=query.prefixes(), query=query.name)
            except ParameterError as error:
                findings.append(_finding("query-header", f"bad default: {error.message}", file=query.file, line=param.line))
        if param.name not in shape.variables:
            findings.append(
                _finding("query-parameter-unused", f"param {param.name} is declared but ?{param.name} does not occur in the query", file=query.file, line=param.line)
            )
            continue
        if shape.projection != "*" and param.name not in shape.projection:
            findings.append(
                _finding(
                    "query-parameter-not-projected",
                    f"param {param.name}: ?{param.name} must be selected by the outermost SELECT so every engine binds it the same way",
                    file=query.file,
                    line=param.line,
                )
            )
        if param.name not in shape.outer_group:
            findings.append(
                _finding(
                    "query-parameter-not-in-outer-group",
                    f"param {param.name}: ?{param.name} must be used in the outermost group pattern (the WHERE clause), "
                    "not only inside a sub-SELECT or after it, so every engine binds it the same way",
                    file=query.file,
                    line=param.line,
                )
            )
    return findings


def question_ids(text: str) -> list[tuple[str, int]]:
    """(id, line) of every question in a Markdown file: the first cell of each table body row.

    A table's header row (the row just above its ``|---|`` separator) and
    the separator itself are skipped; empty first cells are ignored.
    """
    lines = text.splitlines()
    ids: list[tuple[str, int]] = []
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("|") or _TABLE_SEPARATOR.match(line):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _TABLE_SEPARATOR.match(following):
            continue  # a header row
        first = line.strip()[1:].split("|", 1)[0].strip()
        if first:
            ids.append((first, index + 1))
    return ids


_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _check_questions(project: Project, queries: list[StoredQuery]) -> list[Finding]:
    if project.questions_file is None:
        return []
    file = project.rel(project.questions_file)
    try:
        text = project.questions_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [_finding("question-list-unreadable", f"cannot read the list of questions: {exc}", file=file)]
    questions = question_ids(text)
    answered = {answer for query in queries for answer in query.answers}
    findings = [
        _finding("question-without-query", f"no stored query answers {qid} (add '# answers: {qid}' to one)", file=file, line=number)
        for qid, number in questions
        if qid not in answered
    ]
    known = {qid for qid, _ in questions}
    for query in queries:
        for answer in query.answers:
            if answer not in known:
                findings.append(
                    _finding(
                        "query-answers-unknown-question",
                        f"answers {answer}, which is not a question in {file}",
                        file=query.file,
                        line=query.answers_line,
                    )
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
    from kgbuild.federation import algebra_calls, token_calls

    if token_calls(query.text) or algebra_calls(prepared.algebra):
        return None  # Oxigraph would evaluate the SERVICE calls, sending requests (see query-calls-service)
    try:
        pyoxigraph.Store().query(query.text)
    except SyntaxError as exc:
        from kgbuild.backends.embedded import syntax_position

        _line, _column, message = syntax_position(str(exc))
        return f"Oxigraph rejects the query: {message}", None
    return None


@dataclass(frozen=True)
class QueryShape:
    """Where a query's variables occur, from its tokens (outside comments, strings and IRIs).

    ``projection`` holds the variables the outermost SELECT selects (``"*"``
    for ``SELECT *``): bare ones and ``AS ?name`` targets, not variables that
    only appear inside an expression. ``outer_group`` holds the variables used
    in the outermost group pattern outside every sub-SELECT; ``variables``
    every variable of the query.
    """

    projection: frozenset[str] | str
    outer_group: frozenset[str]
    variables: frozenset[str]


_VARIABLE = re.compile(r"[?$](\w+)")


def query_shape(text: str) -> QueryShape:
    """The QueryShape of a SELECT query's text. Raises QueryError if its outermost group cannot be found."""
    from kgbuild.sparqltext import outer_group_start, tokens

    stream = list(tokens(text))
    variables = frozenset(name for token in stream if token.kind == "word" for name in _VARIABLE.findall(token.text))

    projection: set[str] = set()
    star = False
    depth = 0
    after_as = False
    selecting = False
    for token in stream:
        word = token.text.upper() if token.kind == "word" else None
        if not selecting:
            selecting = word == "SELECT"
            continue
        if depth == 0 and (token.kind == "punct" and token.text == "{" or word in ("WHERE", "FROM")):
            break
        if token.text == "(" and token.kind == "punct":
            depth += 1
        elif token.text == ")" and token.kind == "punct":
            depth = max(0, depth - 1)
        elif word == "*" and depth == 0:
            star = True
        elif word == "AS":
            after_as = True
            continue
        elif word is not None and (depth == 0 or after_as):
            projection.update(_VARIABLE.findall(token.text))
        after_as = False

    outer: set[str] = set()
    start = outer_group_start(text)
    frames: list[bool] = []  # per open '{': inside a sub-SELECT?
    opened = False
    for token in stream:
        if token.start < start:
            continue
        if opened and token.kind == "word" and token.text.upper() == "SELECT":
            frames[-1] = True
        opened = False
        if token.kind == "punct" and token.text == "{":
            frames.append(bool(frames) and frames[-1])
            opened = True
        elif token.kind == "punct" and token.text == "}":
            frames.pop()
            if not frames:
                break
        elif token.kind == "word" and frames and not frames[-1]:
            outer.update(_VARIABLE.findall(token.text))
    return QueryShape(projection="*" if star else frozenset(projection), outer_group=frozenset(outer), variables=variables)


def _finding(rule: str, message: str, *, file: str, line: int | None = None) -> Finding:
    return Finding(severity="violation", rule=rule, message=message, file=file, line=line)
