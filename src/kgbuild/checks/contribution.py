"""Checking a data contribution (new Turtle or JSON-LD files) in the context of the built graph.

A contribution is checked, never merged: nothing is written to it, to
``data/`` or to the embedded store. The context is the embedded store that
``kgbuild build`` wrote, when it matches the project's files (a cheap
hard-link copy of it receives the contribution and is deleted afterwards);
otherwise the project's ontology and data files are read into memory.

Reading the files is ``kgbuild.checks.reading``; the checks are ``Check``s (``kgbuild.checks.base``), each in
its own module of this package, listed in ``STATIC_CHECKS``, ``BEFORE_ADDING`` and ``AFTER_ADDING`` and run by
``run_all``; their rule ids are those of the rule catalogue (``kgbuild.checks.rules``; docs/contributing-data.md
explains each). This module is the orchestration: the context, the size limits, SHACL.

SHACL runs on kgbuild's engine (``kgbuild.shacl``) restricted
to the nodes whose results the contribution can change (its subjects, the
nodes it links to, and the existing nodes one step around the nodes it
describes: ``Contribution._focus``) with the whole existing graph visible; a
finding that already held for an existing node before the contribution is
not reported. Nothing in a contribution is ever
fetched: ``owl:imports`` is a triple like any other and JSON-LD contexts must
be inline.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kgbuild.checks.base import Check, run_all
from kgbuild.checks.conflicts import ConflictsCheck
from kgbuild.checks.dangling import DanglingCheck
from kgbuild.checks.duplicates import DuplicatesCheck, NameIndex, names_of
from kgbuild.checks.graphreads import LABELS, described, is_subject, mentions, store_label
from kgbuild.checks.language import ContributionLanguageCheck
from kgbuild.checks.quotes import ContributionQuoteCheck
from kgbuild.checks.reading import FORMATS, ContributionFile, TokenLines, read_contribution
from kgbuild.checks.rules import RULES
from kgbuild.checks.stated_facts import ContributionStatedFactsCheck
from kgbuild.checks.vocabulary import (
    RDF_TYPE,
    OntologyTermsCheck,
    Vocabulary,
    VocabularyCheck,
    nearest_iri,
    used_predicates,
)
from kgbuild.errors import InputError, KgbuildError, StaleStoreError, raise_collected
from kgbuild.findings import Finding, Report
from kgbuild.locate import Locator, SourceText
from kgbuild.project import Project
from kgbuild.rdfio import parse_files
from kgbuild.shacl import SKOLEM, ShapesProgram, WrittenLiterals
from kgbuild.shacl.text import to_rdflib

MAX_ERRORS_PER_FILE = 20
# A contribution with more triples than this (all files together) is refused before it is checked; the check's
# cost grows linearly, but a bigger file is a bulk import, not a contribution to review. Set per project with
# ``[checks] max-contribution-triples`` in kgbuild.toml, or per run with ``kgbuild validate --max-triples``.
DEFAULT_MAX_TRIPLES = 200_000
# JSON-LD nested deeper than this is refused: pyoxigraph's JSON-LD parser recurses and crashes the process
# (a stack overflow, seen at 5,000), and Python's json module stops near its recursion limit. Turtle's
# parser does not recurse: blank nodes nested 100,000 deep parse.
MAX_JSON_DEPTH = 900


# The contribution check's checks (each a Check over the Contribution, run by run_all): those that need only the
# contribution and the ontology; then, in the context of the existing graph, those run before the contribution is
# added to the store and those run after (beside SHACL, which runs on the nodes it can change: Contribution).
STATIC_CHECKS: tuple[Check[Contribution], ...] = (VocabularyCheck(), OntologyTermsCheck(), ContributionLanguageCheck())
BEFORE_ADDING: tuple[Check[Contribution], ...] = (ConflictsCheck(),)
AFTER_ADDING: tuple[Check[Contribution], ...] = (
    DanglingCheck(), ContributionQuoteCheck(), ContributionStatedFactsCheck(), DuplicatesCheck())


@dataclass(frozen=True)
class ContributionResult:
    """What ``check_contribution`` returns: the report, the files checked and the context used."""

    report: Report
    files: tuple[str, ...]
    context: str  # "embedded store" or "project files"

    def to_dict(self) -> dict:
        """JSON form: ``{"files", "context", "conforms", "counts", "findings"}`` (docs/contributing-data.md)."""
        return {"files": list(self.files), "context": self.context, **self.report.to_dict()}


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
        (``used_predicates``)."""
        return used_predicates(self.store, candidates, outside=outside)  # type: ignore[arg-type]

    def described(self, namespace: str) -> list[str]:
        """The IRIs under ``namespace`` the existing graph gives a type (``described``), sorted."""
        return described(self.store, namespace)  # type: ignore[arg-type]

    def name_index(self, project: Project, *, exclude: set[str]) -> NameIndex:
        """The names of the existing graph's agents (the names query), less those of the ``exclude`` entities."""
        return NameIndex.of(names_of(project, self.store, exclude=exclude))  # type: ignore[arg-type]

    def label(self, iri: str) -> str | None:
        """The existing graph's label of ``iri`` (``store_label``)."""
        return store_label(self.store, iri)  # type: ignore[arg-type]


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
        from kgbuild.workspace.sidecars import scratch_path
        from kgbuild.workspace.versions import open_built

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
        self.clone = scratch_path(self.project, "check")
        try:
            existing.backup(str(self.clone))  # hard links: cheap, and the store itself is never written
            del existing
            self.store = ox.Store(str(self.clone))
        except (OSError, RuntimeError) as exc:  # RuntimeError: its files gone (removed two builds later)
            shutil.rmtree(self.clone, ignore_errors=True)
            raise KgbuildError(f"cannot prepare the validation context: {exc}") from exc
        self.description = "embedded store"
        self.inputs = manifest.inputs
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
    checker = Contribution(project, files, vocabulary, shapes, prefixes)
    made = _Context(project) if context is None else context(project, [t for _, t in checker.triples], vocabulary)
    with made as entered:
        checker.whole = entered
        checker.vocabulary = vocabulary.adopting(
            entered.used_predicates(checker.predicates() - vocabulary.properties, outside=project.namespace))
        findings.extend(run_all(STATIC_CHECKS, checker))
        if files:
            if entered.inputs is not None:
                checker.name_index = NameIndex.load(project, entered.inputs)
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
        if FORMATS.get(path.suffix.lower()) != ox.RdfFormat.JSON_LD or not path.is_file():
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
            quads = iter(ox.parse(path=str(path), format=FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)))
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
    """Drop a SHACL finding that one of the contribution check's own findings already states (same node, property,
    value)."""
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


class Contribution:
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
        self.token_lines = {f.file: TokenLines(f) for f in files}
        self.suggestions: dict[tuple[str, str], str | None] = {}  # (unknown term, kind) -> nearest known one
        self.store: ox.Store | None = None  # the context, while it is open (for labels of existing nodes)
        self.whole: CheckContext | None = None  # answers about the whole existing graph, while it is open
        self.name_index: NameIndex | None = None  # names of the existing graph, when built with the store
        self.touched: dict[str, tuple[ContributionFile, str]] = {}  # set by _focus
        self.described_before: set[str] = set()  # set by _in_context

    # --- what the checks read of the contribution -------------------------------------------------

    def distinct_triples(self) -> Iterator[tuple[ContributionFile, ox.NamedNode, str, ox.NamedNode | ox.Literal]]:
        """(file, subject, predicate IRI, object) of each distinct triple of the contribution, first file first."""
        seen: set[tuple] = set()
        for source, t in self.triples:
            key = (t.subject, t.predicate.value, t.object)
            if key not in seen:
                seen.add(key)
                yield source, t.subject, t.predicate.value, t.object  # type: ignore[misc]

    def in_store(self) -> ox.Store:
        """The store of the context, while the checks in context run (``in_context``)."""
        if self.store is None:
            raise RuntimeError("a check in the context of the existing graph ran outside in_context")
        return self.store

    def predicates(self) -> set[str]:
        return {t.predicate.value for _, t in self.triples}

    def finding(self, rule, source: ContributionFile, s, p, o, message, hint, *, line_of: str | None = None,
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
            severity=severity or RULES[rule].severity,
            rule=rule,
            message=message,
            focus=None if s.value.startswith(SKOLEM) else s.value,
            focus_label=self._label(s),
            path=self.names.iri(p) if p else None,
            value=None if o is None else self.short(o),
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
        for predicate in LABELS:
            values = [t.object for _, t in self.by_subject.get(node.value, ())
                      if t.predicate.value == predicate and isinstance(t.object, ox.Literal)]
            if values:
                return min(values, key=lambda lit: (lit.language not in (None, "en"), lit.value)).value
        if self.whole is not None and self.store is not None:
            return self.whole.label(node.value)
        return None

    def short(self, term) -> str:
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
        conflicts = run_all(BEFORE_ADDING, self)
        existed = {node for node in focus if not node.startswith(SKOLEM) and mentions(store, node)}
        # the contribution's IRIs the graph already describes (for the duplicate check): read before adding
        self.described_before = {s for s in self.subjects if not s.startswith(SKOLEM) and is_subject(store, s)}
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
        out.extend(run_all(AFTER_ADDING, self))
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
                graph.add((to_rdflib(ox.NamedNode(subject)), URIRef(predicate), to_rdflib(ox.NamedNode(node))))
                if subject.startswith(SKOLEM):
                    blank.append(subject)
        for iri in sorted(mentioned):
            node = ox.NamedNode(iri)
            for label in LABELS:
                for quad in store.quads_for_pattern(node, ox.NamedNode(label), None):
                    graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), from_ox(quad.object)))
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
        source = self.file_of(ox.NamedNode(finding.focus))
        if finding.focus not in self.by_subject:
            return finding
        return replace(finding, file=source.file, line=self.token_lines[source.file].line(finding.focus))

    def file_of(self, node) -> ContributionFile:
        given = self.by_subject.get(node.value)
        return given[0][0] if given else self.files[0]



def write_name_index(project: Project, store: ox.Store, inputs: dict[str, str]) -> Path | None:
    """Write the name index of the graph in ``store`` (when ``[checks] names`` is configured)."""
    from kgbuild.workspace.sidecars import NAME_INDEX, write_sidecar

    if project.names_query is None:
        return None
    return write_sidecar(project, NAME_INDEX, NameIndex.of(names_of(project, store)).to_json(inputs))


# --- helpers --------------------------------------------------------------------------------


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

