"""The build: parse, check, count, and publish the graph to the output directory.

Output (``dist/`` or ``--out``), replaced as a whole on every build:

- always: ``validation-report.json`` (Report JSON), ``validation-report.ttl``
  (the SHACL report graph, quote findings included), ``stats.json``;
- only when no finding is at least as severe as ``fail_on`` (default
  ``violation``: warnings and info do not stop it; and then also the embedded Oxigraph
  store at ``[paths] store``, outside the output directory): ``graph.ttl`` (ontology ∪ data),
  ``graph.nt`` (sorted N-Triples) and ``graph.nq`` (sorted N-Quads; ontology
  in graph ``<namespace>graph/ontology``, data in ``<namespace>graph/data``).

Same input, same bytes: blank nodes are canonicalised and every file is
written in a sorted, timestamp-free form.

One build at a time per checkout: a build holds the workspace lock
(``kgbuild.workspace``) from before it reads its inputs until the output
directory and the store are in place; the new store is written beside the
current one and made current together with its manifest, so readers keep the
last complete store until then.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import SH

from kgbuild.canon import canonical_graph
from kgbuild.checks.build import run_checks
from kgbuild.findings import Report, severity_rank
from kgbuild.graphstats import Stats, compute_stats
from kgbuild.output import replace_directory
from kgbuild.project import Project
from kgbuild.report import to_json
from kgbuild.sample import Table, sample_answer
from kgbuild.serialize import graph_turtle, turtle
from kgbuild.sources import load_sources, merge_prefixes

REPORT_FILES = ("validation-report.json", "validation-report.ttl", "stats.json")
GRAPH_FILES = ("graph.ttl", "graph.nt", "graph.nq")


@dataclass(frozen=True)
class BuildResult:
    report: Report
    stats: Stats
    sample: Table | None
    out_dir: Path
    files: tuple[str, ...]  # names of the files written to out_dir
    store: Path | None = None  # the embedded store, written only for a graph that passes ``fail_on``
    fail_on: str = "violation"  # the policy the build published by (``Report.fails``)

    @property
    def graph_written(self) -> bool:
        return set(GRAPH_FILES) <= set(self.files)

    def to_dict(self) -> dict:
        return {
            "report": self.report.to_dict(),
            "stats": self.stats.to_dict(),
            "sample": None if self.sample is None else self.sample.to_dict(),
            "out_dir": str(self.out_dir),
            "files": list(self.files),
        }


def _write_name_index(project: Project, store_dir: Path, inputs: dict[str, str]) -> None:
    """The names of agents, folded, beside the store: the contribution check's duplicate index."""
    import pyoxigraph

    from kgbuild.checks.contribution import write_name_index
    from kgbuild.errors import OutputError

    store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        write_name_index(project, store, inputs)
    except OSError as exc:
        raise OutputError(f"cannot write the name index beside {project.rel(store_dir)}: {exc}") from exc


def _return_freed_memory() -> None:
    """Give freed heap back to the operating system (glibc keeps it otherwise, and the outputs written next
    are large): at a million triples this lowers the build's peak by several hundred MB. A no-op elsewhere."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)


def build(project: Project, *, out: Path | None = None, wait: float | None = None,
          on_wait: Callable[[int | None], None] | None = None, fail_on: str = "violation") -> BuildResult:
    """Build the project into ``out`` (default: the configured dist directory).

    Raises ``KgbuildError`` subclasses for unusable input; findings (even
    violations) are returned in the result's report. The graph and the store
    are published only when no finding is at least as severe as ``fail_on``
    (``violation``, ``warning`` or ``info``); whether the graph *conforms*
    (no finding at all, SHACL's sh:conforms) does not decide it. While another build of
    the same project runs, waits for it up to ``wait`` seconds (default
    ``workspace.lock.DEFAULT_WAIT``; 0: not at all), calling ``on_wait(pid)`` when
    it starts waiting, then raises BuildRunningError.
    """
    from kgbuild.workspace.lock import DEFAULT_WAIT, BuildLock

    severity_rank(fail_on)  # an unknown level is refused before anything is read
    with BuildLock(project, wait=DEFAULT_WAIT if wait is None else wait, on_wait=on_wait):
        return _build(project, out=out, fail_on=fail_on)


def _build(project: Project, *, out: Path | None, fail_on: str) -> BuildResult:
    from kgbuild.workspace.manifest import BuildOutputs
    from kgbuild.workspace.versions import discard_version, file_stats, fingerprint, publish_store, stage_store

    out_dir = (out if out is not None else project.dist_dir).resolve()
    stats_before = file_stats(project)  # before hashing: a file changed after this is re-hashed later
    inputs = fingerprint(project)  # before reading: an edit during the build leaves the store stale
    sources = load_sources(project)
    checked = run_checks(project, sources, remember=True)
    stats = compute_stats(project, sources)
    sample = sample_answer(project, sources.store, sources.names())

    report_prefixes = merge_prefixes((("sh", str(SH)),), sources.shapes_prefixes, sources.prefixes)
    files: dict[str, bytes] = {
        "validation-report.json": to_json(checked.report.to_dict()).encode("utf-8"),
        "validation-report.ttl": graph_turtle(canonical_graph(checked.results_graph), prefixes=report_prefixes),
        "stats.json": to_json(stats.to_dict()).encode("utf-8"),
    }
    _return_freed_memory()  # what the checks freed, before the dumps need room
    publish = not checked.report.fails(fail_on)
    if publish:
        files["graph.nt"], files["graph.nq"] = sources.dumps()
    prefixes = sources.prefixes
    del sources  # the in-memory store is the biggest thing held: free it before writing
    _return_freed_memory()
    if publish:
        files["graph.ttl"] = turtle(files["graph.nt"], prefixes=prefixes)
    store = None
    if publish:  # the new store first, beside the current one: readers keep that one meanwhile
        store = stage_store(project, files["graph.nt"])
    try:
        if store is not None:
            _write_name_index(project, store, inputs)
            outputs = BuildOutputs(
                dir=project.rel(out_dir),  # relative to the project root when inside it: a moved copy still works
                files={name: hashlib.sha256(files[name]).hexdigest() for name in GRAPH_FILES},
            )
        replace_directory(out_dir, files, known=REPORT_FILES + GRAPH_FILES)
        if store is not None:  # right after the output directory (nothing slow between): the manifest names both
            publish_store(project, store, inputs=inputs, outputs=outputs, stats=stats_before)
    except BaseException:
        if store is not None:
            discard_version(project, store)
        raise
    return BuildResult(
        report=checked.report,
        stats=stats,
        sample=sample,
        out_dir=out_dir,
        files=tuple(sorted(files)),
        store=store,
        fail_on=fail_on,
    )
