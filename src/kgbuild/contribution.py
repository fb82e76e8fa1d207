"""Checking a data contribution (new Turtle or JSON-LD files) in the context of the built graph.

A contribution is checked, never merged: nothing is written to it, to
``data/`` or to the embedded store. The context is the embedded store that
``kgbuild build`` wrote, when it matches the project's files (a cheap
hard-link copy of it receives the contribution and is deleted afterwards);
otherwise the project's ontology and data files are read into memory.

The checks and their rule ids are listed in ``RULES`` (docs/contributing-data.md
explains each). SHACL runs on kgbuild's engine (``kgbuild.shacl``) restricted
to the nodes whose results the contribution can change (its subjects, the
nodes it links to, and the existing nodes one step around the nodes it
describes: ``_Checker._focus``) with the whole existing graph visible; a
finding that already held for an existing node before the contribution is
not reported. Nothing in a contribution is ever
fetched: ``owl:imports`` is a triple like any other and JSON-LD contexts must
be inline.
"""

from __future__ import annotations

import functools
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgbuild.errors import InputError, KgbuildError, StaleStoreError, raise_collected
from kgbuild.findings import Finding, Report
from kgbuild.locate import Locator, SourceText
from kgbuild.project import Project
from kgbuild.rdfio import FORMAT_NAMES, SUFFIX_FORMATS, drain, parse_files, read_text, too_long
from kgbuild.shacl import SKOLEM, ShapesProgram, WrittenLiterals, restricting_pays

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = RDF + "type"

# rule id -> (severity, what it finds); the catalogue of the contribution check's own rules
RULES: dict[str, tuple[str, str]] = {
    "not-utf8": ("violation", "the file is not valid UTF-8"),
    "not-rdf": ("violation", "the file is not RDF in the format its name says (nothing in it parses)"),
    "syntax-error": ("violation", "a syntax error, with line and column"),
    "token-too-long": ("violation", "a literal, IRI or comment longer than the parser reads (16 MiB)"),
    "remote-context": ("violation", "a JSON-LD @context given by URL (never fetched; write it inline)"),
    "empty-file": ("violation", "the file holds no triples"),
    "named-graph": ("warning", "triples in named graphs (TriG, N-Quads, JSON-LD @graph with @id): checked and "
                    "merged as plain triples, the graph names are not kept"),
    "unknown-property": ("violation", "a property the ontology does not define (with the nearest defined one)"),
    "unknown-class": ("violation", "a class the ontology does not define (with the nearest defined one)"),
    "literal-for-resource": ("violation", "a literal where the property needs a resource (an object property)"),
    "resource-for-literal": ("violation", "a resource where the property needs a literal (a datatype property)"),
    "dangling-reference": ("violation", "an IRI in the project's namespace that nothing describes"),
    "redefines-ontology-term": ("violation", "a statement about a class, property or concept of the ontology"),
    "defines-ontology-term": ("violation", "a new class or property, or a schema axiom, in data"),
    "conflicting-value": ("violation", "another value for a single-valued property the graph already gives"),
    "possible-duplicate": ("warning", "a new agent whose name matches an existing one (also transliterated, "
                                      "in another script or word order)"),
    "malformed-language-tag": ("violation", "a JSON-LD language tag that is not well-formed BCP 47 (JSON-LD drops "
                                            "the literals it tags)"),
    "unregistered-language": ("warning", "a language tag whose language is not in the IANA registry "
                                         "(with the likely intended tag)"),
    "quote-not-in-source": ("violation", "a quote not found in its source's archived text"),
    "quote-shares-no-word-with-value": ("warning", "a stated fact whose quote shares no word with the value's "
                                                   "names or the literal (probably stated by another passage)"),
    "source-text-missing": ("violation", "a quoted source without an archived text file"),
    "source-text-outside-sources": ("violation", "a source text path outside the sources folder (never read)"),
    "source-text-unusable": ("violation", "a source text that is not a regular UTF-8 file within the size limit"),
}

# the syntaxes a contribution may be written in (docs/contributing-data.md): not RDF/XML
_FORMATS = {suffix: syntax for suffix, syntax in SUFFIX_FORMATS.items() if syntax is not ox.RdfFormat.RDF_XML}
_FORMAT_NAMES = FORMAT_NAMES
_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
_PROPERTY_TYPES = {
    RDF + "Property", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    OWL + "FunctionalProperty", OWL + "InverseFunctionalProperty", OWL + "TransitiveProperty",
    OWL + "SymmetricProperty",
}
_SCHEMA_TYPES = _CLASS_TYPES | _PROPERTY_TYPES | {OWL + "Ontology", SKOS + "ConceptScheme"}
_SCHEMA_AXIOMS = {
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range", OWL + "equivalentClass",
    OWL + "equivalentProperty", OWL + "inverseOf", OWL + "imports",
}
_LABELS = (SKOS + "prefLabel", RDFS + "label")
MAX_ERRORS_PER_FILE = 20
# A contribution with more triples than this (all files together) is refused before it is checked; the check's
# cost grows linearly, but a bigger file is a bulk import, not a contribution to review. Set per project with
# ``[checks] max-contribution-triples`` in kgbuild.toml, or per run with ``kgbuild validate --max-triples``.
DEFAULT_MAX_TRIPLES = 200_000
# JSON-LD nested deeper than this is refused: pyoxigraph's JSON-LD parser recurses and crashes the process
# (a stack overflow, seen at 5,000), and Python's json module stops near its recursion limit. Turtle's
# parser does not recurse: blank nodes nested 100,000 deep parse.
MAX_JSON_DEPTH = 900


@dataclass(frozen=True)
class ContributionFile:
    """One parsed contribution file; blank nodes are skolemised to ``SKOLEM`` IRIs."""

    file: str  # as given on the command line (or project-relative)
    text: str
    triples: tuple[ox.Triple, ...]
    prefixes: tuple[tuple[str, str], ...]
    graphs: tuple[str, ...] = ()  # the names of the named graphs its triples came from (names not kept)


@dataclass(frozen=True)
class ContributionResult:
    """What ``check_contribution`` returns: the report, the files checked and the context used."""

    report: Report
    files: tuple[str, ...]
    context: str  # "embedded store" or "project files"

    def to_dict(self) -> dict:
        """JSON form: ``{"files", "context", "conforms", "counts", "findings"}`` (docs/contributing-data.md)."""
        return {"files": list(self.files), "context": self.context, **self.report.to_dict()}


# --- reading the files -----------------------------------------------------------------------


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
    rdf_format = _FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)
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
        source.file, _TokenLines(source).line(source.graphs[0]), None,
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
            first.lineno, first.offset, hint="Write the context inline as a JSON object (see docs/contributing-data.md).",
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
    return Finding(severity=RULES[rule][0], rule=rule, message=message, file=file, line=line, column=column,
                   hint=hint)


# --- the context ---------------------------------------------------------------------------


class CheckContext:
    """Where a contribution is checked: ``store``, a writable store the check adds the contribution to (and takes
    it out of again), and the answers about the whole existing graph that the store alone may not give.

    Here the store holds the whole existing graph, so every answer comes from it; a context whose store holds only
    a part of the graph (``kgbuild.remotecontribution``: the neighbourhood of the contribution fetched from a
    SPARQL endpoint) answers these from where the whole graph is. Entered before the check, exited after it.
    """

    description = ""
    store: ox.Store | None = None
    inputs: dict[str, str] | None = None  # the store's recorded inputs (None: not the embedded store)

    def __enter__(self) -> CheckContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.store = None

    def used_predicates(self, candidates: Iterable[str], *, outside: str) -> set[str]:
        """The candidates the existing graph uses as predicates, outside the project's namespace
        (``_used_predicates``)."""
        return _used_predicates(self.store, candidates, outside=outside)  # type: ignore[arg-type]

    def described(self, namespace: str) -> list[str]:
        """The IRIs under ``namespace`` the existing graph gives a type (``_described``), sorted."""
        return _described(self.store, namespace)  # type: ignore[arg-type]

    def name_index(self, project: Project, *, exclude: set[str]) -> NameIndex:
        """The names of the existing graph's agents (the names query), less those of the ``exclude`` entities."""
        return NameIndex.of(_names(project, self.store, exclude=exclude))  # type: ignore[arg-type]

    def label(self, iri: str) -> str | None:
        """The existing graph's label of ``iri`` (``_store_label``)."""
        return _store_label(self.store, iri)  # type: ignore[arg-type]


# what check_contribution calls to make its context: (project, the contribution's triples, the ontology's
# vocabulary) -> a CheckContext, not yet entered
ContextFactory = Callable[[Project, Sequence[ox.Triple], "Vocabulary"], CheckContext]


class _Context(CheckContext):
    """A writable store holding the existing graph; deleted on exit."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.clone: Path | None = None
        self.description = ""
        self.store: ox.Store | None = None
        self.inputs: dict[str, str] | None = None  # the store's recorded inputs (None: not the embedded store)

    def __enter__(self) -> _Context:
        from kgbuild.store import open_built

        try:
            existing, manifest = open_built(self.project)  # the store and the manifest describing it, as one
        except StaleStoreError as exc:
            self.store = ox.Store()
            files = parse_files(self.project.ontology_files() + self.project.data_files(), root=self.project.root)
            self.store.extend(
                ox.Quad(q.subject, q.predicate, q.object) for f in files for q in f.triples
            )
            self.description = f"project files ({exc.message})"
            return self
        self.clone = self.project.store_dir.with_name(f".{self.project.store_dir.name}.check-{uuid.uuid4().hex}")
        try:
            existing.backup(str(self.clone))  # hard links: cheap, and the store itself is never written
            del existing
            self.store = ox.Store(str(self.clone))
        except (OSError, RuntimeError) as exc:  # RuntimeError: its files gone (removed two builds later)
            shutil.rmtree(self.clone, ignore_errors=True)
            raise KgbuildError(f"cannot prepare the validation context: {exc}") from exc
        self.description = "embedded store"
        self.inputs = manifest["inputs"]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.store = None
        if self.clone is not None:
            shutil.rmtree(self.clone, ignore_errors=True)


# --- the check ---------------------------------------------------------------------------------


def check_contribution(project: Project, paths: Sequence[Path], *, max_triples: int | None = None,
                       context: ContextFactory | None = None) -> ContributionResult:
    """Check contribution files against the ontology, the shapes and the existing graph; write nothing.

    ``max_triples`` (default: the project's ``[checks] max-contribution-triples``, else
    ``DEFAULT_MAX_TRIPLES``): a bigger contribution is refused with an ``InputError`` before it is checked.
    ``context`` makes the existing graph to check against (default: the project's embedded store, else its
    files); ``kgbuild.remotecontribution`` passes one for a graph held by a SPARQL endpoint.
    """
    from kgbuild.sources import BASE_PREFIXES, load_shapes, merge_prefixes

    shown = [_display(path, project) for path in paths]
    _refuse_project_files(project, paths, shown)
    limit = max_triples or project.max_contribution_triples or DEFAULT_MAX_TRIPLES
    _refuse_too_deep(paths, shown)
    _refuse_oversized(paths, shown, limit)
    findings: list[Finding] = []
    files: list[ContributionFile] = []
    for path, file in zip(paths, shown):
        if not path.is_file():
            exists = path.exists()  # False for a loop of links as for a missing file
            raise InputError("not a regular file (a directory, a named pipe or a device): nothing was read"
                             if exists else "no such file", file=file)
        parsed, problems = read_contribution(path, file=file)
        findings.extend(problems)
        if parsed is not None:
            files.append(parsed)
    shapes, shapes_prefixes = load_shapes(project)
    ontology_files = parse_files(project.ontology_files(), root=project.root)
    vocabulary = Vocabulary.of(q for f in ontology_files for q in f.triples)
    prefixes = merge_prefixes(BASE_PREFIXES, *(f.prefixes for f in ontology_files), *(f.prefixes for f in files),
                              shapes_prefixes)
    checker = _Checker(project, files, vocabulary, shapes, prefixes)
    made = _Context(project) if context is None else context(project, [t for _, t in checker.triples], vocabulary)
    with made as entered:
        checker.whole = entered
        checker.vocabulary = vocabulary.adopting(
            entered.used_predicates(checker.predicates() - vocabulary.properties, outside=project.namespace))
        findings.extend(checker.static_checks())
        if files:
            if entered.inputs is not None:
                checker.name_index = NameIndex.load(name_index_path(project), entered.inputs)
            findings.extend(checker.in_context(entered.store))  # type: ignore[arg-type]
        description = entered.description
    return ContributionResult(report=Report.of(_supersede(findings)), files=tuple(shown), context=description)


def _display(path: Path, project: Project) -> str:
    try:
        return _resolved(path).relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def _resolved(path: Path) -> Path:
    """``path`` with its links followed; as given when they loop (it is then no file: "no such file")."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # a loop of symbolic links (RuntimeError before Python 3.13)
        return path


def _refuse_project_files(project: Project, paths: Sequence[Path], shown: Sequence[str]) -> None:
    own = {p.resolve() for p in project.data_files() + project.ontology_files() + project.shapes_files()}
    errors = [
        InputError("this file is part of the project itself: `kgbuild validate` without files checks the "
                   "project; a contribution is a new file outside ontology/, shapes/ and data/", file=file)
        for path, file in zip(paths, shown) if _resolved(path) in own
    ]
    raise_collected(errors)


_JSON_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _refuse_too_deep(paths: Sequence[Path], shown: Sequence[str]) -> None:
    """Raise an InputError for a JSON-LD file whose objects and arrays nest deeper than ``MAX_JSON_DEPTH``."""
    for path, file in zip(paths, shown):
        if _FORMATS.get(path.suffix.lower()) != ox.RdfFormat.JSON_LD or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the check
        depth = 0
        for match in _JSON_STRUCTURE.finditer(text):
            token = match.group()
            if token in "[{":
                depth += 1
                if depth > MAX_JSON_DEPTH:
                    line = text.count("\n", 0, match.start()) + 1
                    raise InputError(
                        f"the JSON-LD nests objects and arrays more than {MAX_JSON_DEPTH:,} deep, deeper than "
                        "kgbuild's JSON-LD parser can go: give the inner nodes an @id and list them at the top "
                        "level, or write the file in Turtle", file=file, line=line)
            elif token in "]}":
                depth -= 1
        _refuse_big_context(text, file)


MAX_CONTEXT_TERMS = 1000


def _refuse_big_context(text: str, file: str) -> None:
    """Raise an InputError when the JSON-LD's contexts define more than ``MAX_CONTEXT_TERMS`` terms.

    pyoxigraph expands a term defined by another term recursively: a chain of 5,000 definitions killed the
    process (SIGSEGV). A contribution's context needs a few dozen terms; the text is already known to nest
    less than ``MAX_JSON_DEPTH`` deep, so Python's json module reads it safely.
    """
    import json

    if "@context" not in text:
        return
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return  # reported by the check
    terms, pending = 0, [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            context = node.get("@context")
            for part in context if isinstance(context, list) else [context]:
                if isinstance(part, dict):
                    terms += len(part)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    if terms > MAX_CONTEXT_TERMS:
        line = text.count("\n", 0, text.find("@context")) + 1
        raise InputError(
            f"the JSON-LD's contexts define {terms:,} terms, more than the {MAX_CONTEXT_TERMS:,} kgbuild reads (its "
            "JSON-LD parser expands chains of term definitions recursively): keep the context to the prefixes "
            "and terms the file uses, or write the file in Turtle", file=file, line=line)


def _refuse_oversized(paths: Sequence[Path], shown: Sequence[str], limit: int) -> None:
    """Raise an InputError when the files hold more than ``limit`` triples together.

    Counted by streaming each file through the parser and stopping at the limit, so a huge file is refused
    after reading ``limit`` triples of it, not all of them. A file that does not parse is left to the check
    (which reports its syntax errors, or its over-long token).
    """
    total = 0
    for path, file in zip(paths, shown):
        if not path.is_file():
            continue
        try:
            quads = iter(ox.parse(path=str(path), format=_FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)))
        except (SyntaxError, ValueError, OSError):
            continue
        errors = 0
        while True:
            try:
                next(quads)
            except StopIteration:
                break
            except SyntaxError:  # the parser goes on after an error, and so does the count (else a single error
                errors += 1      # would let a file of any size through to be read whole)
                if errors > MAX_ERRORS_PER_FILE * 50:
                    break
                continue
            except (ValueError, OSError, MemoryError):  # MemoryError: a token the parser can't hold (reported later)
                break
            total += 1
            if total > limit:
                raise InputError(
                    f"the contribution holds more than {limit:,} triples, the most one check takes (set by "
                    "--max-triples or [checks] max-contribution-triples in kgbuild.toml): split it into "
                    "smaller files and check them one at a time", file=file)


def _supersede(findings: list[Finding]) -> list[Finding]:
    """Drop a SHACL finding that one of the contribution check's own findings already states (same node, property, value)."""
    def node(f: Finding) -> tuple:  # an IRI names its node; a blank node (no focus) is told apart by its label
        return (f.focus, None) if f.focus is not None else (None, f.focus_label)

    own: dict[tuple, set] = {}  # (node, path) -> the values own findings give there
    for o in findings:
        if o.rule in RULES:
            own.setdefault((*node(o), o.path), set()).add(o.value)
    kept = []
    for finding in findings:
        if finding.rule not in RULES and finding.shape is not None and finding.path is not None:
            values = own.get((*node(finding), finding.path))
            if values is not None and (finding.value is None or finding.value in values):
                continue
        kept.append(finding)
    return kept


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology files define: classes, properties, all their subjects (terms and concepts)."""

    classes: frozenset[str]
    properties: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    single_valued: frozenset[str]
    terms: frozenset[str]  # every subject of the ontology files

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> Vocabulary:
        classes, properties, objects, datatypes, functional, terms = set(), set(), set(), set(), set(), set()
        for quad in quads:
            s, p, o = quad.subject, quad.predicate.value, quad.object
            if isinstance(s, ox.NamedNode):
                terms.add(s.value)
            properties.add(p)
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                classes.add(o.value)
                if isinstance(s, ox.NamedNode):
                    if o.value in _CLASS_TYPES:
                        classes.add(s.value)
                    if o.value in _PROPERTY_TYPES:
                        properties.add(s.value)
                    if o.value == OWL + "ObjectProperty":
                        objects.add(s.value)
                    if o.value == OWL + "DatatypeProperty":
                        datatypes.add(s.value)
                    if o.value == OWL + "FunctionalProperty":
                        functional.add(s.value)
            elif p in (RDFS + "subClassOf", OWL + "equivalentClass") and isinstance(o, ox.NamedNode):
                classes.add(o.value)
            elif p in (RDFS + "subPropertyOf", OWL + "equivalentProperty") and isinstance(o, ox.NamedNode):
                properties.add(o.value)
        properties.add(RDF_TYPE)
        return cls(frozenset(classes), frozenset(properties), frozenset(objects), frozenset(datatypes),
                   frozenset(functional), frozenset(terms))

    def adopting(self, properties: Iterable[str]) -> Vocabulary:
        """This vocabulary with more properties counted as defined (see ``_used_predicates``)."""
        from dataclasses import replace

        return replace(self, properties=self.properties | frozenset(properties))


def _used_predicates(store: ox.Store, candidates: Iterable[str], *, outside: str) -> set[str]:
    """The candidates that the existing graph uses as predicates, outside the project's namespace.

    What counts as a defined property is the ontology's own terms and the
    standard-vocabulary properties the project has adopted: those the ontology
    uses (skos:prefLabel, rdfs:label, ...) and those its reviewed data uses
    (skos:altLabel). A whole standard namespace is not adopted (a misspelt
    skos:altLable stays unknown), nor is a term of the project's namespace
    that only data uses (the ontology must declare those; the project's own
    validation says so). One index lookup per distinct predicate.
    """
    return {p for p in candidates if not p.startswith(outside)
            and next(iter(store.quads_for_pattern(None, ox.NamedNode(p), None)), None) is not None}


class _Checker:
    def __init__(self, project, files: list[ContributionFile], vocabulary: Vocabulary, shapes, prefixes) -> None:
        from kgbuild.terms import Names

        self.project = project
        self.files = files
        self.vocabulary = vocabulary
        self.shapes = shapes
        self.names = Names(prefixes)
        self.locator = Locator(tuple(SourceText(f.file, f.text, f.prefixes) for f in files))
        self.file_locators = {f.file: Locator((SourceText(f.file, f.text, f.prefixes),)) for f in files}
        self.triples = [(f, t) for f in files for t in f.triples]
        self.subjects = sorted({t.subject.value for _, t in self.triples if isinstance(t.subject, ox.NamedNode)})
        # indexes built once, so that the work per finding does not grow with the contribution
        self.by_subject: dict[str, list[tuple[ContributionFile, ox.Triple]]] = {}
        self.referrers: dict[str, list[tuple[str, str]]] = {}  # blank node -> sorted (subject, predicate) using it
        for source, t in self.triples:
            self.by_subject.setdefault(t.subject.value, []).append((source, t))
            if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(SKOLEM):
                self.referrers.setdefault(t.object.value, []).append((t.subject.value, t.predicate.value))
        for pairs in self.referrers.values():
            pairs.sort()
        self.owners: dict[str, str | None] = {}  # blank node -> the IRI it hangs from (memo of _owner)
        self.token_lines = {f.file: _TokenLines(f) for f in files}
        self.suggestions: dict[tuple[str, str], str | None] = {}  # (unknown term, kind) -> nearest known one
        self.store: ox.Store | None = None  # the context, while it is open (for labels of existing nodes)
        self.whole: CheckContext | None = None  # answers about the whole existing graph, while it is open
        self.name_index: NameIndex | None = None  # names of the existing graph, when built with the store
        self.touched: dict[str, tuple[ContributionFile, str]] = {}  # set by _focus
        self.described_before: set[str] = set()  # set by _in_context

    # --- checks that need only the contribution and the ontology ---------------------------

    def predicates(self) -> set[str]:
        return {t.predicate.value for _, t in self.triples}

    def static_checks(self) -> list[Finding]:
        out: list[Finding] = []
        seen: set[tuple] = set()
        v = self.vocabulary
        for source, t in self.triples:
            s, p, o = t.subject, t.predicate.value, t.object
            key = (s, p, o)
            if key in seen:
                continue
            seen.add(key)
            if p not in v.properties:
                out.append(self._unknown("unknown-property", source, s, p, o, p, v.properties, "property"))
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value not in v.classes:
                out.append(self._unknown("unknown-class", source, s, p, o, o.value, v.classes, "class"))
            if isinstance(s, ox.NamedNode) and s.value in v.terms:
                out.append(self._finding(
                    "redefines-ontology-term", source, s, p, o,
                    f"{self.names.iri(s.value)} is defined by the ontology; a data contribution cannot state "
                    "anything about it",
                    "Describe instances only; propose changes to ontology/ separately, for review.",
                ))
            elif (p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in _SCHEMA_TYPES) or p in _SCHEMA_AXIOMS:
                out.append(self._finding(
                    "defines-ontology-term", source, s, p, o,
                    "a data contribution cannot define classes or properties, add schema axioms or import "
                    "other ontologies",
                    "Use the ontology's classes and properties; propose new terms in ontology/ separately.",
                ))
            if (p in v.object_properties or p == RDF_TYPE) and isinstance(o, ox.Literal):
                out.append(self._finding(
                    "literal-for-resource", source, s, p, o,
                    f"{self.names.iri(p)} links to a resource, but its value here is a literal",
                    "Write the IRI of the resource (e.g. ppdr:some-person), and describe it if it is new.",
                ))
            if isinstance(o, ox.Literal) and o.language:
                problem = language_tag_problem(o.language)
                if problem is not None:
                    message, suggestion = problem
                    out.append(self._finding(
                        "unregistered-language", source, s, p, o, message,
                        f"Write the literal as \"...\"@{suggestion}." if suggestion else
                        "Use a language tag from the IANA language subtag registry (BCP 47), e.g. @en, @be, @ru, @uk.",
                    ))
            if p in v.datatype_properties and not isinstance(o, ox.Literal):
                out.append(self._finding(
                    "resource-for-literal", source, s, p, o,
                    f"{self.names.iri(p)} holds a literal (text, number or date), but its value here is a resource",
                    "Write the value as a literal, e.g. \"...\" or \"2025-09-11\"^^xsd:date.",
                ))
        return out

    def _unknown(self, rule, source, s, p, o, term: str, known: Iterable[str], kind: str) -> Finding:
        if (term, kind) not in self.suggestions:  # the same unknown term is often used many times
            self.suggestions[(term, kind)] = nearest(term, known, self.names)
        suggestion = self.suggestions[(term, kind)]
        message = f"{self.names.iri(term)}{non_ascii_note(term)} is not a {kind} of the ontology"
        if suggestion:
            message += f"; did you mean {suggestion}?"
        hint = (f"Replace it with {suggestion}." if suggestion
                else f"Use a {kind} the ontology defines (ontology/*.ttl).")
        return self._finding(rule, source, s, p, o, message, hint, line_of=term)

    def _finding(self, rule, source: ContributionFile, s, p, o, message, hint, *, line_of: str | None = None,
                 severity: str | None = None) -> Finding:
        line = None
        tokens = self.token_lines[source.file]
        if line_of is not None:
            line = tokens.line(line_of)
        if line is None and isinstance(o, ox.Literal):
            line = tokens.literal_line(o.value, self.file_locators[source.file])
        if line is None:
            line = self._subject_line(source, s)
            if line is not None and p:
                line = tokens.line(p, start=line) or line
        return Finding(
            severity=severity or RULES[rule][0],
            rule=rule,
            message=message,
            focus=None if s.value.startswith(SKOLEM) else s.value,
            focus_label=self._label(s),
            path=self.names.iri(p) if p else None,
            value=None if o is None else self._short(o),
            file=source.file,
            line=line,
            hint=hint,
        )

    def _subject_line(self, source: ContributionFile, s) -> int | None:
        anchor = self._owner(s)
        if anchor is None:
            return None
        where = self.file_locators[source.file].subject(anchor)
        return where.line if where else None

    def _owner(self, s) -> str | None:
        """The IRI a blank node hangs from (through nested blank nodes), following the first referrer.

        Iterative, and remembered for every blank node on the way: each is walked once in all.
        """
        path: list[str] = []
        on_path: set[str] = set()
        current = s.value
        found: str | None
        while True:
            if not current.startswith(SKOLEM):
                found = current
                break
            if current in self.owners:
                found = self.owners[current]
                break
            if current in on_path:  # a cycle of blank nodes: no IRI above it
                found = None
                break
            path.append(current)
            on_path.add(current)
            referrers = self.referrers.get(current)
            if not referrers:
                found = None
                break
            current = referrers[0][0]
        for node in path:
            self.owners[node] = found
        return found

    def _label(self, node) -> str | None:
        if node.value.startswith(SKOLEM):
            owners = self.referrers.get(node.value)
            if owners:
                subject, predicate = owners[0]
                if subject.startswith(SKOLEM):
                    root = self._owner(ox.NamedNode(subject))
                    return None if root is None else f"[] nested in {self.names.iri(root)}"
                return f"{self.names.iri(subject)} {self.names.iri(predicate)} []"
            return None
        for predicate in _LABELS:
            values = [t.object for _, t in self.by_subject.get(node.value, ())
                      if t.predicate.value == predicate and isinstance(t.object, ox.Literal)]
            if values:
                return min(values, key=lambda lit: (lit.language not in (None, "en"), lit.value)).value
        if self.whole is not None and self.store is not None:
            return self.whole.label(node.value)
        return None

    def _short(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return "[]" if term.value.startswith(SKOLEM) else self.names.iri(term.value)
        from kgbuild.backends.convert import from_ox

        return self.names.short(from_ox(term))

    # --- checks in the context of the existing graph ------------------------------------------

    def in_context(self, store: ox.Store) -> list[Finding]:
        self.store = store
        try:
            return self._in_context(store)
        finally:
            self.store = None

    def _in_context(self, store: ox.Store) -> list[Finding]:
        focus = self._focus(store)
        from kgbuild.federation import refuse_service_in_shapes

        program = ShapesProgram(self.shapes, refuse_service=refuse_service_in_shapes)
        conflicts = self._conflicts(store)
        existed = {node for node in focus if not node.startswith(SKOLEM) and _existed(store, node)}
        # the contribution's IRIs the graph already describes (for the duplicate check): read before adding
        self.described_before = {s for s in self.subjects if not s.startswith(SKOLEM) and _is_subject(store, s)}
        added = [quad for quad in dict.fromkeys(ox.Quad(t.subject, t.predicate, t.object) for _, t in self.triples)
                 if quad not in store]
        written = WrittenLiterals()  # sh:datatype judges the contribution's literals as written, not as stored
        store.extend(written.watch(added))
        written = written.settle()
        after = program.validate(store, focus=focus, written=written)
        after = self._without_knock_on(store, program, focus, after, written)
        # A result on a node that existed already and held before the contribution is not the contribution's:
        # the shapes run again without it, only on those nodes (usually none, so usually not at all).
        existing = sorted({str(r.focus) for r in after} & existed)
        before = []
        if existing:
            for quad in added:
                store.remove(quad)
            try:
                before = program.validate(store, focus=existing, written=written)
            finally:
                store.extend(added)
        out = self._shacl_findings(store, before, after)
        out.extend(conflicts)
        out.extend(self._dangling(store))
        out.extend(self._quotes(store))
        out.extend(self._stated_facts(store))
        out.extend(self._duplicates(store))
        return out

    def _without_knock_on(self, store: ox.Store, program, focus: list[str], after: list, written) -> list:
        """The SHACL results less those a misspelt class causes (one finding per mistake).

        A node typed with a class the ontology does not define gets the unknown-class finding; the
        shapes then also see a node of no known class (properties outside their domain, a value of
        the wrong class for the nodes linking to it, ...). Those are the results that go away when
        the class is the one the unknown-class finding suggests: the shapes run once more with it
        (in the working copy; the wrong type is put back afterwards) and they are left out.
        """
        typed = ox.NamedNode(RDF_TYPE)
        swaps: set[tuple[ox.Quad, ox.Quad]] = set()
        for _, t in self.triples:
            o = t.object
            if t.predicate == typed and isinstance(o, ox.NamedNode) and o.value not in self.vocabulary.classes:
                suggestion = nearest_iri(o.value, self.vocabulary.classes)
                if suggestion is not None:
                    swaps.add((ox.Quad(t.subject, typed, o), ox.Quad(t.subject, typed, ox.NamedNode(suggestion))))
        if not swaps:
            return after
        added = []
        for wrong, right in sorted(swaps, key=str):
            store.remove(wrong)
            if right not in store:
                store.add(right)
                added.append(right)
        try:
            corrected = program.validate(store, focus=focus, written=written)
        finally:
            for quad in added:
                store.remove(quad)
            store.extend(wrong for wrong, _ in swaps)

        def key(result) -> tuple:
            return (result.shape, result.component, result.focus, result.path, result.value)

        remaining = {key(result) for result in corrected}
        return [result for result in after if key(result) in remaining]

    def _focus(self, store: ox.Store) -> list[str]:
        """The nodes whose SHACL results the contribution can change (IRIs; read before it is added).

        A shape's result for a node depends on the triples its paths and queries reach from that node.
        The contribution's triples are reached from: their subjects; the nodes they link to (a claim
        reaches the existing person it is about, a new agreement the existing deal term it lists, and
        rules on the object through an inverse path run there); the existing nodes the subjects
        already link to (a rank added to an existing claim changes its person's "at most one
        preferred claim"); and the existing nodes that link to the subjects (a bound added to an
        existing detention changes the release that ends it). That is one step around every
        contributed triple, which covers shapes whose paths and queries go at most one node away from
        the focus before reading the changed node's own triples. Existing blank nodes cannot be
        focus nodes and are not followed. ``self.touched`` remembers for each node not described in
        the contribution where the contribution touches it (its file and the IRI written there), to
        place its findings.
        """
        self.touched = {}
        focus = set(self.subjects)

        def touch(node, source: ContributionFile, anchor: str) -> None:
            if isinstance(node, ox.NamedNode) and node.value not in focus:
                focus.add(node.value)
                self.touched[node.value] = (source, anchor)

        first_file: dict[str, ContributionFile] = {}
        for source, t in self.triples:
            first_file.setdefault(t.subject.value, source)
            if isinstance(t.object, ox.NamedNode) and not t.object.value.startswith(SKOLEM):
                touch(t.object, source, t.object.value)
        for subject in self.subjects:
            if subject.startswith(SKOLEM):
                continue
            node = ox.NamedNode(subject)
            source = first_file[subject]
            for quad in store.quads_for_pattern(node, None, None):
                touch(quad.object, source, subject)
            for quad in store.quads_for_pattern(None, None, node):
                touch(quad.subject, source, subject)
        return sorted(focus)

    def _shacl_findings(self, store, before, after) -> list[Finding]:
        from rdflib import BNode, Graph, URIRef

        from kgbuild.backends.convert import from_ox
        from kgbuild.validation import engine_findings

        # The findings name their nodes from this graph: the labels of the IRIs they mention, and for a blank
        # node the triples that hold it and those above it, up to an IRI (built per finding, not from every
        # triple: each blank node's edges are added once however many findings mention it).
        graph = Graph()
        mentioned: set[str] = set()
        blank: list[str] = []
        for result in after:
            for term in (result.focus, result.value):
                if isinstance(term, URIRef):
                    mentioned.add(str(term))
                elif isinstance(term, BNode):
                    blank.append(SKOLEM + str(term))
        added: set[str] = set()
        while blank:
            node = blank.pop()
            if node in added:
                continue
            added.add(node)
            for subject, predicate in self.referrers.get(node, ()):
                graph.add((_rd(ox.NamedNode(subject)), URIRef(predicate), _rd(ox.NamedNode(node))))
                if subject.startswith(SKOLEM):
                    blank.append(subject)
        for iri in sorted(mentioned):
            node = ox.NamedNode(iri)
            for label in _LABELS:
                for quad in store.quads_for_pattern(node, ox.NamedNode(label), None):
                    graph.add((_rd(quad.subject), _rd(quad.predicate), from_ox(quad.object)))
        old = {(r.shape, r.component, r.focus, r.path, r.value) for r in before}
        new = _distinct_findings([r for r in after if (r.shape, r.component, r.focus, r.path, r.value) not in old],
                                 graph, self.names)
        findings = engine_findings(new, data_graph=graph, shapes_graph=self.shapes, names=self.names,
                                   locator=self.locator)
        return [self._placed(finding) for finding in findings]

    def _placed(self, finding: Finding) -> Finding:
        """Give a file and line to a finding the Turtle locator could not place (e.g. in JSON-LD)."""
        if finding.file is not None or finding.focus is None:
            return finding
        from dataclasses import replace

        if finding.focus in self.touched:  # an existing node the contribution links to or changes
            source, anchor = self.touched[finding.focus]
            return replace(finding, file=source.file, line=self.token_lines[source.file].line(anchor))
        source = self._file_of(ox.NamedNode(finding.focus))
        if finding.focus not in self.by_subject:
            return finding
        return replace(finding, file=source.file, line=self.token_lines[source.file].line(finding.focus))

    def _conflicts(self, store: ox.Store) -> list[Finding]:
        """Another value for a single-valued property of an existing resource (checked before adding)."""
        single = set(self.vocabulary.single_valued) | _max_one_paths(self.shapes)
        by_key: dict[tuple, list] = {}
        for source, t in self.triples:
            if t.predicate.value in single and not t.subject.value.startswith(SKOLEM):
                by_key.setdefault((t.subject, t.predicate), []).append((source, t.object))
        out = []
        for (s, p), given in sorted(by_key.items(), key=lambda item: (item[0][0].value, item[0][1].value)):
            held = [q.object for q in store.quads_for_pattern(s, p, None)]
            if not held:
                continue
            for source, value in given:
                if value in held:
                    continue
                theirs = _sources_of(store, s)
                ours = _sources_of_contribution(self.by_subject, s)
                held_text = ", ".join(self._short(h) for h in held)
                message = (
                    f"{self.names.iri(p.value)} is single-valued, and the graph already holds {held_text}"
                    f"{_cite(theirs)}; this contribution gives {self._short(value)}{_cite(ours)}"
                )
                out.append(self._finding(
                    "conflicting-value", source, s, p.value, value, message,
                    "If the new report disagrees with the graph, keep both readings as claims with their sources "
                    "(docs/contributing-data.md, 'When sources disagree'); if it is a mistake, correct it.",
                ))
        return out

    def _dangling(self, store: ox.Store) -> list[Finding]:
        namespace = self.project.namespace
        out = []
        candidates: TermPool | None = None
        for source, t in self.triples:
            o = t.object
            if not isinstance(o, ox.NamedNode) or not o.value.startswith(namespace) or o.value in self.vocabulary.terms:
                continue
            if t.predicate.value == RDF_TYPE or _is_subject(store, o.value):
                continue
            if candidates is None:
                candidates = TermPool(self.whole.described(namespace) if self.whole is not None
                                      else _described(store, namespace))
            if (o.value, "described") not in self.suggestions:
                self.suggestions[(o.value, "described")] = nearest(o.value, candidates, self.names)
            suggestion = self.suggestions[(o.value, "described")]
            message = (f"{self.names.iri(o.value)}{non_ascii_note(o.value)} is described nowhere: not in the graph, "
                       "not in this contribution")
            if suggestion:
                message += f"; did you mean {suggestion}?"
            out.append(self._finding(
                "dangling-reference", source, t.subject, t.predicate.value, o, message,
                f"Use {suggestion}." if suggestion else "Describe the resource (type, label, source) in the "
                "contribution, or use the IRI of an existing one.", line_of=o.value,
            ))
        return out

    def _quotes(self, store: ox.Store) -> list[Finding]:
        from kgbuild.quotes import TextCache, quote_problem
        from kgbuild.sparqltext import outer_group_start

        if self.project.quotes_query is None:
            return []
        text = read_text(self.project.quotes_query, file=self.project.rel(self.project.quotes_query))
        wanted = set(self.subjects)
        if restricting_pays(store, len(wanted)):
            at = outer_group_start(text) + 1
            focus = " ".join(f"<{s}>" for s in self.subjects)
            query = text[:at] + f" VALUES ?node {{ {focus} }} " + text[at:]
        else:  # many nodes: the whole graph's quotes, then only the contribution's (the same rows, sooner)
            query = text
        texts = TextCache(self.project.root, sources=self.project.sources_dirs)
        out = []
        for row in _select(store, query, self.project.rel(self.project.quotes_query)):
            node, quote, text_file = row.get("node"), row.get("quote"), row.get("textFile")
            if node is None or quote is None or getattr(node, "value", None) not in wanted:
                continue
            problem = quote_problem(quote.value, None if text_file is None else text_file.value, texts)
            if problem is None:
                continue
            rule, message = problem
            source = self._file_of(node)
            out.append(self._finding(rule, source, node, "", quote, message, _quote_hint(rule, texts.folders())))
        return out

    def _stated_facts(self, store: ox.Store) -> list[Finding]:
        """The word-overlap check (``kgbuild.checks``) on the facts the contribution's passages state."""
        from kgbuild.checks import RULE_NO_SHARED_WORD, STATED_FACT_COLUMNS, shares_a_word
        from kgbuild.sparqltext import outer_group_start

        if self.project.stated_facts_query is None or not self.subjects:
            return []
        file = self.project.rel(self.project.stated_facts_query)
        text = read_text(self.project.stated_facts_query, file=file)
        at = outer_group_start(text) + 1
        focus = " ".join(f"<{s}>" for s in self.subjects)
        query = text[:at] + f" VALUES ?node {{ {focus} }} " + text[at:]
        # the contribution's passages: quotes it writes (a literal of any of its triples)
        quotes = {t.object.value for _, t in self.triples if isinstance(t.object, ox.Literal)}
        texts: dict[tuple, list[str]] = {}
        for row in _select(store, query, file):
            node, quote, path, value, name = (row.get(c) for c in STATED_FACT_COLUMNS)
            if None in (node, quote, path, value, name) or quote.value not in quotes:
                continue  # only the contribution's passages: an existing one was checked when it came
            texts.setdefault((node, quote, path, value), []).append(name.value)
        out = []
        for (node, quote, path, value), names in texts.items():
            if shares_a_word(quote.value, names) is not False:
                continue
            shown = " / ".join(sorted(set(names)))
            out.append(self._finding(
                RULE_NO_SHARED_WORD, self._file_of(node), node, path.value, value,
                f"The passage \"{quote.value}\" is said to state {self.names.iri(path.value)} {self._short(value)}, "
                f"but shares no word with it ({shown}).",
                "Check that this passage states the fact, and cite the passage that names the value; if it names "
                "it in other words, add that word to the value's SKOS labels.", line_of=None,
            ))
        return sorted(out, key=lambda f: (f.file or "", f.line or 0, f.path or "", f.value or ""))

    def _file_of(self, node) -> ContributionFile:
        given = self.by_subject.get(node.value)
        return given[0][0] if given else self.files[0]

    def _duplicates(self, store: ox.Store) -> list[Finding]:
        if self.project.names_query is None:
            return []
        contributed = set(self.subjects)
        new_entities = contributed - self.described_before  # a blank node of the contribution is new by definition
        index = self.name_index
        if index is None:
            index = (self.whole.name_index(self.project, exclude=new_entities) if self.whole is not None
                     else NameIndex.of(_names(self.project, store, exclude=new_entities)))
        new_names: dict[str, set[str]] = {}
        for row in _names(self.project, store, only=new_entities):
            new_names.setdefault(row[0], set()).add(row[1])
        out = []
        for entity in sorted(new_names):
            node = ox.NamedNode(entity)
            for other, (name, other_name) in sorted(index.matches(sorted(new_names[entity])).items()):
                if other in new_entities:  # an existing agent the contribution also describes is still one
                    continue
                label = self.whole.label(other) if self.whole is not None else _store_label(store, other)
                label = label or other_name
                out.append(self._finding(
                    "possible-duplicate", self._file_of(node), node, "", None,
                    f"“{name}” may be the existing {self.names.iri(other)} (“{label}”"
                    + (f", also known as “{other_name}”)" if other_name != label else ")"),
                    f"If it is the same, use {self.names.iri(other)} instead of a new IRI (and add the new "
                    "spelling as a name with its source); if not, say how they differ in the label.",
                ))
        return out


def _quote_hint(rule: str, folders: str) -> str:
    from kgbuild.quotes import MAX_SOURCE_TEXT_BYTES

    if rule == "quote-not-in-source":
        return f"Copy the passage exactly from the source text (archived under {folders})."
    if rule == "source-text-outside-sources":
        return (f"Archive the source's text under {folders} and give its path relative to the project root; "
                "no other file is read.")
    if rule == "source-text-unusable":
        return (f"Archive the source's text as a UTF-8 text file of at most {MAX_SOURCE_TEXT_BYTES:,} bytes "
                f"under {folders}.")
    return f"Archive the source's text under {folders} and give its path in the source's text file property."


class NameIndex:
    """The names of existing agents, folded and keyed by skeleton, for duplicate detection.

    ``kgbuild build`` writes it beside the embedded store (``<store>.names.json``)
    so a contribution check does not fold every name of a big graph again.
    """

    SIMILARITY = 88  # rapidfuzz ratio of folded names counted as a match

    VERSION = 3  # of the entries' form; an index file of another version is not used

    def __init__(self, entries: Sequence[tuple[str, str, str, str]]) -> None:
        self.entries = list(entries)  # (name_key of the folded name, its skeleton key, entity, name), sorted
        self.by_skeleton: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            self.by_skeleton.setdefault(entry[1], []).append(position)
        self.folded = [entry[0] for entry in self.entries]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str]]) -> NameIndex:
        """Names in any script and word order: transliterated and folded (``fold``), words sorted (``name_key``)."""
        folded = {(fold(name), entity, name) for entity, name in rows}
        return cls(sorted((name_key(f), name_key(skeleton(f)), entity, name) for f, entity, name in folded if f))

    def matches(self, names: Sequence[str]) -> dict[str, tuple[str, str]]:
        """existing entity -> (the new name, the existing name it matches)."""
        from rapidfuzz import fuzz, process

        found: dict[str, tuple[str, str]] = {}
        for name in names:
            folded = name_key(fold(name))
            if not folded:
                continue
            hits = list(self.by_skeleton.get(name_key(skeleton(folded)), []))
            if self.folded:
                hits += [index for _, _, index in process.extract(
                    folded, self.folded, scorer=fuzz.ratio, score_cutoff=self.SIMILARITY, limit=5)]
            for position in hits:
                _, _, entity, existing = self.entries[position]
                found.setdefault(entity, (name, existing))
        return found

    def to_json(self, inputs: dict[str, str]) -> str:
        import json

        return json.dumps({"version": self.VERSION, "inputs": inputs, "names": self.entries}, ensure_ascii=False)

    @classmethod
    def load(cls, path: Path, inputs: dict[str, str]) -> NameIndex | None:
        """The index at ``path`` if it was made from these inputs, else None."""
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != cls.VERSION or data.get("inputs") != inputs:
            return None
        return cls([tuple(entry) for entry in data.get("names", [])])


def name_index_path(project: Project) -> Path:
    return project.store_dir.with_name(project.store_dir.name + ".names.json")


def write_name_index(project: Project, store: ox.Store, inputs: dict[str, str]) -> Path | None:
    """Write the name index of the graph in ``store`` (when ``[checks] names`` is configured)."""
    if project.names_query is None:
        return None
    path = name_index_path(project)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(NameIndex.of(_names(project, store)).to_json(inputs), encoding="utf-8")
    tmp.replace(path)
    return path


def _names(project: Project, store: ox.Store, *, only: set[str] | None = None,
           exclude: set[str] = frozenset()) -> list[tuple[str, str]]:  # type: ignore[assignment]
    """(entity, name) rows of the names query; ``only`` restricts it to those entities (by VALUES)."""
    from kgbuild.sparqltext import outer_group_start

    assert project.names_query is not None
    file = project.rel(project.names_query)
    text = read_text(project.names_query, file=file)
    if only is not None:
        if not only:
            return []
        if restricting_pays(store, len(only)):  # else: every name, then only theirs (the same rows, sooner)
            at = outer_group_start(text) + 1
            text = text[:at] + " VALUES ?entity { " + " ".join(f"<{e}>" for e in sorted(only)) + " } " + text[at:]
    rows = []
    for row in _select(store, text, file):
        entity, name = row.get("entity"), row.get("name")
        if (isinstance(entity, ox.NamedNode) and isinstance(name, ox.Literal) and entity.value not in exclude
                and (only is None or entity.value in only)):
            rows.append((entity.value, name.value))
    return rows


# --- helpers --------------------------------------------------------------------------------


def _rd(term):
    from rdflib import BNode

    from kgbuild.backends.convert import from_ox

    if isinstance(term, ox.NamedNode) and term.value.startswith(SKOLEM):
        return BNode(term.value[len(SKOLEM):])
    return from_ox(term)


def _distinct_findings(results: list, graph, names) -> list:
    """One result of each group that would make the same finding: blank-node focus nodes are reported by
    where they hang, so the same problem on many nested blank nodes (say, thousands deep) is one finding,
    worked out once, not once per node."""
    from rdflib import BNode

    from kgbuild.terms import describe, owner

    owners: dict = {}
    seen: set = set()
    out = []
    for r in results:
        focus = r.focus
        if isinstance(focus, BNode):
            focus = ("[]", describe(graph, focus, names, owners=owners), owner(graph, focus, owners=owners))
        value = "the focus" if r.value is not None and r.value == r.focus else r.value  # not shown then
        key = (r.shape, r.component, r.severity, focus, r.path, value, r.messages, r.constraint)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _is_subject(store: ox.Store, iri: str) -> bool:
    return next(iter(store.quads_for_pattern(ox.NamedNode(iri), None, None)), None) is not None


def _existed(store: ox.Store, iri: str) -> bool:
    """True when the store holds ``iri`` as a subject or an object."""
    node = ox.NamedNode(iri)
    return (next(iter(store.quads_for_pattern(node, None, None)), None) is not None
            or next(iter(store.quads_for_pattern(None, None, node)), None) is not None)


def _described(store: ox.Store, namespace: str) -> list[str]:
    found = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None)
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace)}
    return sorted(found)


def _select(store: ox.Store, query: str, file: str) -> list[dict]:
    from kgbuild.federation import refuse_service

    refuse_service(query, file=file, hint="a configured query may not call SERVICE")
    try:
        solutions = store.query(query)
    except SyntaxError as exc:
        raise InputError(f"SPARQL error: {exc}", file=file) from exc
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{name: solution[name] for name in names} for solution in solutions]  # type: ignore[union-attr]


def _sources_of(store: ox.Store, node) -> list[str]:
    """Archived texts cited by the nodes hanging from ``node`` (its attestations)."""
    found = set()
    for quad in store.quads_for_pattern(node, None, None):
        for source in store.quads_for_pattern(quad.object, None, None) if not isinstance(quad.object, ox.Literal) else ():
            for text in store.quads_for_pattern(source.object, None, None) if isinstance(source.object, ox.NamedNode) else ():
                if isinstance(text.object, ox.Literal) and text.object.value.endswith(".txt"):
                    found.add(text.object.value)
    return sorted(found)


def _sources_of_contribution(by_subject, node) -> list[str]:
    """Archived texts the contribution cites for ``node`` (via its attestations); ``by_subject`` indexes it."""
    def about(term):
        return [t for _, t in by_subject.get(term.value, ())]

    objects = {t.object for t in about(node) if not isinstance(t.object, ox.Literal)}
    sources = {t.object for o in objects for t in about(o) if isinstance(t.object, ox.NamedNode)}
    return sorted({t.object.value for o in sources for t in about(o)
                   if isinstance(t.object, ox.Literal) and t.object.value.endswith(".txt")})


def _cite(texts: list[str]) -> str:
    return f" (sources: {', '.join(texts)})" if texts else ""


def _max_one_paths(shapes) -> set[str]:
    from rdflib import URIRef
    from rdflib.namespace import SH as RSH

    found = set()
    for shape, count in shapes.subject_objects(RSH.maxCount):
        path = shapes.value(shape, RSH.path)
        if isinstance(path, URIRef) and int(count) == 1:
            found.add(str(path))
    return found


def _store_label(store: ox.Store, iri: str) -> str | None:
    for predicate in _LABELS:
        for quad in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
    return None


class _TokenLines:
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
        """The token, and for a prefixed name each of its beginnings followed by a '.' (``ppdr:a.`` ends a statement)."""
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


def non_ascii_note(iri: str) -> str:
    """`` (in "name", character 4 'а' is CYRILLIC SMALL LETTER A, U+0430)`` for each non-ASCII character of the
    IRI's local name (or of the IRI), else ``""``: a look-alike letter makes an IRI that is not the one meant."""
    from kgbuild.terms import local_name

    name = local_name(iri)
    if name.isascii():
        name = iri
    notes = [f"character {position} '{char}' is {unicodedata.name(char, 'a character without a name')}, "
             f"U+{ord(char):04X}" for position, char in enumerate(name, start=1) if not char.isascii()]
    return f' (in "{name}", {"; ".join(notes)})' if notes else ""


def _snippet(value: str) -> str | None:
    """The beginning of a literal that ``Locator.text`` searches for (None: too short to search)."""
    from kgbuild.locate import _ESCAPED_IN_TURTLE, MIN_SNIPPET, SNIPPET_LENGTH

    snippet = _ESCAPED_IN_TURTLE.split(value[:SNIPPET_LENGTH], maxsplit=1)[0]
    if len(snippet) < min(MIN_SNIPPET, len(value)) or not snippet.strip():
        return None
    return snippet


class TermPool:
    """Terms to suggest from, with their local names worked out once (for many ``nearest`` calls)."""

    def __init__(self, known: Iterable[str]) -> None:
        from kgbuild.terms import local_name

        self.local_names = {iri: local_name(iri) for iri in known}
        self._under: dict[str, dict[str, str]] = {}  # namespace -> the terms in it

    def pools(self, term: str, namespace: str) -> tuple[dict[str, str], dict[str, str]]:
        """(every term but ``term``, those of them under ``namespace``), without copying for each call."""
        if namespace not in self._under:
            self._under[namespace] = {iri: name for iri, name in self.local_names.items() if iri.startswith(namespace)}
        every, under = self.local_names, self._under[namespace]
        if term in every:
            every = {iri: name for iri, name in every.items() if iri != term}
            under = {iri: name for iri, name in under.items() if iri != term}
        return every, under


def nearest(term: str, known: Iterable[str] | TermPool, names) -> str | None:
    """The defined term closest in spelling to ``term`` (local names compared), as a prefixed name."""
    iri = nearest_iri(term, known)
    return None if iri is None else names.iri(iri)


def nearest_iri(term: str, known: Iterable[str] | TermPool) -> str | None:
    """The defined term closest in spelling to ``term`` (local names compared), as an IRI."""
    from rapidfuzz import fuzz, process

    from kgbuild.terms import local_name

    local = local_name(term)
    namespace = term[: len(term) - len(local)]
    if isinstance(known, TermPool):
        candidates, same = known.pools(term, namespace)
    else:
        candidates = {iri: local_name(iri) for iri in known if iri != term}
        same = {iri: name for iri, name in candidates.items() if iri.startswith(namespace)}
    if not candidates:
        return None
    for pool in (same, candidates):
        best = process.extractOne(local, pool, scorer=fuzz.ratio, score_cutoff=70) if pool else None
        if best is not None:
            return best[2]
    return None


# --- language tags ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def language_tag_problem(tag: str) -> tuple[str, str | None] | None:
    """What is wrong with a language tag, and the tag likely meant (or None); None when it is fine.

    A tag must be well-formed BCP 47 (RFC 5646) and its primary language
    subtag registered (IANA language subtag registry, as shipped by
    ``langcodes``; private-use tags, ``x-...``, are fine). The likely intended
    tag is, in this order: the registry's own replacement (an ISO 639-2 code
    such as ``eng`` for ``en``, a grandfathered tag such as ``i-klingon``); or,
    when the subtag is a region code instead (``by`` is Belarus, ``ua``
    Ukraine, ``jp`` Japan), the region's most likely language from CLDR's
    likely-subtags data (``und-BY`` is ``be``). A subtag that is both a
    language and a region (``se``: Northern Sami, and Sweden) is a language.
    """
    import langcodes

    try:
        written = langcodes.Language.get(tag, normalize=False)
        normal = langcodes.Language.get(tag)
    except (langcodes.LanguageTagError, ValueError):
        return f"@{tag} is not a well-formed language tag (BCP 47)", None
    primary = written.language
    if primary is None or primary.startswith("x-") or langcodes.Language.make(language=primary).is_valid():
        return None
    if "-" in primary:  # a grandfathered whole tag (i-klingon, zh-min-nan): registered, deprecated
        message = f"@{tag}: \"{primary}\" is a deprecated tag of the IANA language subtag registry"
    else:
        message = f"@{tag}: \"{primary}\" is not a language of the IANA language subtag registry"
    suggestion = None
    if normal.language and normal.language != primary and normal.is_valid():
        suggestion = normal.to_tag().lower()
    elif len(primary) == 2 and primary.isalpha():
        language = _region_language(primary.upper())
        if language is not None:
            message += f" ({primary.upper()} is the region code of {_registry_name('region', primary)})"
            rest = tag[len(primary):]
            suggestion = language + rest
    if suggestion is not None:
        name = _registry_name("language", langcodes.Language.get(suggestion).language or "")
        message += f"; the likely intended tag is @{suggestion}" + (f" ({name})" if name else "")
    return message, suggestion


def _region_language(region: str) -> str | None:
    """The most likely language of a region (CLDR likely subtags via ``langcodes``), or None."""
    try:
        from langcodes.data_dicts import LIKELY_SUBTAGS
    except ImportError:
        return None
    likely = LIKELY_SUBTAGS.get(f"und-{region}")
    return likely.split("-")[0].lower() if likely else None


@functools.lru_cache(maxsize=1)
def _registry_descriptions() -> dict[tuple[str, str], str]:
    try:
        from langcodes.registry_parser import parse_registry

        return {(entry["Type"], entry["Subtag"].lower()): entry["Description"][0]
                for entry in parse_registry() if "Subtag" in entry and entry.get("Description")}
    except (ImportError, OSError, KeyError, TypeError):
        return {}


def _registry_name(kind: str, subtag: str) -> str | None:
    """The IANA registry's (first) description of a subtag: "Belarusian", "Belarus"."""
    return _registry_descriptions().get((kind, subtag.lower()))


# --- names ------------------------------------------------------------------------------------


def fold(name: str) -> str:
    """Latin script (any other transliterated), lower case, no diacritics, letters and single spaces only.

    Transliteration is ``anyascii``'s (one reading per character, script by
    script): "Александр Лукашенко" folds to "aleksandr lukashenko",
    "Аляксандр Лукашэнка" to "alyaksandr lukashenka".
    """
    from anyascii import anyascii

    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    latin = anyascii(plain).lower()
    return " ".join(_NOT_LETTER.sub(" ", latin).split())


# compiled once: a big graph's names are folded by the thousand (the name index)
_NOT_LETTER = re.compile(r"[^a-z\s]")
_TS = re.compile(r"t[sz]")
_VOWEL = re.compile(r"[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")


def name_key(folded: str) -> str:
    """The words in sorted order: "lukashenko alexander" and "alexander lukashenko" are one name."""
    return " ".join(sorted(folded.split()))


def skeleton(folded: str) -> str:
    """A transliteration-blind key: per word, its first letter and then its consonants (y counts as a vowel).

    Kolesnikova and Kalesnikava, Byalyatski and Bialiatski, Cole and Coale
    each share one; doubled letters collapse. Two spellings of one sound
    that Latin transliterations of Cyrillic and Greek alternate between are
    written one way first: x as ks (Alexander, Aleksandr), ts and tz as c
    (Bialiatski, Bialiacki).
    """
    words = []
    for word in folded.split():
        word = _TS.sub("c", word.replace("x", "ks"))
        rest = _VOWEL.sub("", word[1:])
        head = word[0]
        key = head + rest
        words.append(_DOUBLED.sub(r"\1", key))
    return " ".join(words)
