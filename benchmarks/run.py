"""The benchmark harness: every area of kgbuild at several sizes, beside the naive baseline, in one run.

    python3 benchmarks/run.py                          # 10k, 100k and 1M triples; writes benchmarks/RESULTS.md
    python3 benchmarks/run.py --sizes 10000 --no-write # quick look, nothing written
    python3 benchmarks/run.py --sizes 10000000 --runs 1 --no-load --no-profile \
        --query-timeout 300 --results benchmarks/RESULTS-10M.md   # the largest size, in its own file

For each size it generates a synthetic project (benchmarks/synth.py) and
measures, each step in a fresh process (wall time and peak resident memory
from the kernel's accounting of that process):

- build: `kgbuild build` (parse, quotes, SHACL, stats, the store, the dumps) —
  beside rdflib parsing the same files and writing N-Triples (the rdflib
  pipeline without any validation) and pyoxigraph's raw bulk load of them;
- full validation: `kgbuild validate` (and what it found) — beside plain
  pyshacl on the same graph and shapes, stopped after --pyshacl-timeout
  seconds (and not run at larger sizes once stopped, nor above --pyshacl-max
  triples: a full run spends up to that timeout on it); where both finish,
  whether kgbuild's engine reports the same findings (shape, focus, path,
  severity); and the same comparison on a small graph with injected
  violations (--same-findings-triples);
- remote validation: a graph of the same size with a few injected violations
  loaded into a local `oxigraph serve` (127.0.0.1, a free port), `kgbuild
  validate --endpoint` on it beside the embedded `kgbuild validate` of the
  same project, in this step: the ratio of their times and whether their
  findings are the same (up to --remote-max triples);
- contribution validation: `check_contribution` of
  docs/examples/contribution-release.ttl (about 100 triples), median of runs;
  and the same against a local Oxigraph server holding the built graph
  (`kgbuild validate FILE --endpoint URL`), median of runs
  (--no-remote-contribution skips it);
- every stored query on the embedded store, median of runs, each in its
  own process stopped after --query-timeout seconds (a query that takes a
  parameter is asked what the generator's benchmark-params.json gives) — beside
  rdflib's SPARQL engine on the same graph, parsed beforehand (up to
  --rdflib-max triples);
- export (`kgbuild export -o graph.nq.gz`) and load into a local Oxigraph
  server (`kgbuild load --replace` and `--direct`, beside a plain POST);
- load into each real store (`store-load`): `kgbuild load --replace` and
  `--direct` of the built graph, each over SPARQL Update and over the Graph
  Store endpoint, into a fresh local `oxigraph serve` and a fresh local
  Virtuoso (tests/servers.py starts it from a minimal virtuoso.ini on free
  127.0.0.1 ports), each beside one plain Graph Store POST of the same file
  into the same kind of fresh store: triples per second and the ratio;
- every stored query on each store (`store-queries`): the embedded store,
  `oxigraph serve` and Virtuoso holding the same built graph (loaded
  beforehand, not timed), median of runs of the library call, each query in
  its own process stopped after --query-timeout seconds (Virtuoso stops
  itself there too), with the rows each returns (a count other than the
  embedded one is marked);
- once, not per size: the W3C SHACL test suite's pass counts, kgbuild's
  engine and pyshacl, compared as tests/test_shacl_w3c.py compares them (a
  line saying where to get the suite when it is absent).

`--only STEP...` runs just the named steps (the others are left out of the
table), e.g. `--only validate remote-validation w3c`; `load` exports and
loads what `build` wrote, so it needs `build`; `store-load` and
`store-queries` build the project themselves when no build is there (not
timed).

It prints a table and writes benchmarks/RESULTS.md with the machine's
description and, for the largest size, a profile of build and validation.
It measures; it asserts nothing (the tests run it at the smallest size to
keep it working).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synth import generate  # noqa: E402

RESULTS = HERE / "RESULTS.md"
STEPS = ("same-findings", "build", "validate", "remote-validation", "contribution", "remote-contribution", "queries",
         "load", "store-load", "store-queries", "profile", "w3c")
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the local server, never a proxy


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    output: str = ""
    ok: bool = True
    stopped: bool = False  # killed at its timeout


@dataclass
class Row:
    area: str
    size: int
    ours: Measure | None
    baseline_name: str = ""
    baseline: Measure | None = None
    note: str = ""

    @property
    def ratio(self) -> str:
        if self.ours is None or self.baseline is None or not self.ours.ok or not self.baseline.ok:
            return ""
        return f"{self.baseline.seconds / self.ours.seconds:.1f}×" if self.ours.seconds else ""


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)
    queries: dict[int, dict] = field(default_factory=dict)
    w3c: str = ""  # the W3C SHACL suite's pass counts, a paragraph
    pyshacl_stopped: tuple[int, float] | None = None  # (size, seconds) at which pyshacl was stopped
    # size -> store -> query -> [median seconds, rows] or [None, why not]; stores as STORES names them
    store_queries: dict[int, dict[str, dict[str, list]]] = field(default_factory=dict)


def measure(argv: list[str], *, cwd: Path | None = None, timeout: float = 3600) -> Measure:
    """Run ``argv`` as its own process: wall seconds, its peak resident memory, its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = started + timeout
        stopped = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                stopped = True
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode("utf-8", "replace")
        ok = process.returncode in (0, 1)  # 1: findings, still a complete run
        if not ok:
            text += err.read().decode("utf-8", "replace")[-2000:]
    return Measure(seconds=seconds, peak_mb=usage.ru_maxrss / 1024, output=text, ok=ok, stopped=stopped)


def python(code: str, *args: str, timeout: float = 3600) -> Measure:
    return measure([sys.executable, "-c", textwrap.dedent(code), *args], timeout=timeout)


def kgbuild(*args: str, timeout: float = 3600) -> Measure:
    return measure([sys.executable, "-m", "kgbuild", *args], timeout=timeout)


# --- the steps ---------------------------------------------------------------------------------

RDFLIB_PIPELINE = """
import sys
from pathlib import Path
import rdflib
from kgbuild.project import load_project
project = load_project(Path(sys.argv[1]))
graph = rdflib.Graph()
for path in project.ontology_files() + project.data_files():
    graph.parse(path, format="turtle")
graph.serialize(destination=sys.argv[2], format="nt")
print(len(graph))
"""

OXIGRAPH_LOAD = """
import sys
from pathlib import Path
import pyoxigraph as ox
from kgbuild.project import load_project
project = load_project(Path(sys.argv[1]))
store = ox.Store()
for path in project.ontology_files() + project.data_files():
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
print(len(store))
"""

PYSHACL = """
import json, sys
from pathlib import Path
import pyshacl, rdflib
from rdflib.namespace import SH
from kgbuild.project import load_project
project = load_project(Path(sys.argv[1]))
data, shapes = rdflib.Graph(), rdflib.Graph()
for path in project.ontology_files() + project.data_files():
    data.parse(path, format="turtle")
for path in project.shapes_files():
    shapes.parse(path, format="turtle")
_, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
found = []
for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
    value = lambda p: report.value(result, p)
    focus = value(SH.focusNode)
    found.append([str(value(SH.sourceShape)) if isinstance(value(SH.sourceShape), rdflib.URIRef) else "_",
                  str(focus) if isinstance(focus, rdflib.URIRef) else "_",
                  str(value(SH.resultPath) or ""), str(value(SH.resultSeverity))])
print(json.dumps(sorted(found)))
"""

ENGINE = """
import json, sys
from pathlib import Path
import rdflib
from kgbuild.project import load_project
from kgbuild.sources import load_sources
from kgbuild.federation import refuse_service_in_shapes
from kgbuild.shacl import ShapesProgram
sources = load_sources(load_project(Path(sys.argv[1])))
found = []
for r in ShapesProgram(sources.shapes, refuse_service=refuse_service_in_shapes).validate(sources.store):
    found.append([str(r.shape) if isinstance(r.shape, rdflib.URIRef) else "_",
                  str(r.focus) if isinstance(r.focus, rdflib.URIRef) else "_",
                  str(r.path or ""), str(r.severity)])
print(json.dumps(sorted(found)))
"""

CONTRIBUTION = """
import statistics, sys, time
from pathlib import Path
from kgbuild.checks.contribution import check_contribution
from kgbuild.project import load_project
project = load_project(Path(sys.argv[1]))
example = project.root / "docs" / "examples" / "contribution-release.ttl"
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    result = check_contribution(project, [example])
    times.append(time.perf_counter() - started)
print(statistics.median(times), result.context)
"""

REMOTE_CONTRIBUTION = """
import statistics, sys, time
from pathlib import Path
from kgbuild.project import load_project
from kgbuild.remotecontribution import check_contribution_remote
project = load_project(Path(sys.argv[1]))
example = project.root / "docs" / "examples" / "contribution-release.ttl"
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    result = check_contribution_remote(project, [example], endpoint=sys.argv[2])
    times.append(time.perf_counter() - started)
print(statistics.median(times), len(result.report.findings))
"""

QUERIES = """
import json, statistics, sys, time
from pathlib import Path
from kgbuild.project import load_project
from kgbuild.queries.catalogue import load_catalogue
from kgbuild.queries.querying import run_stored
sys.path.insert(0, sys.argv[4])
from rowcompare import example_params
project = load_project(Path(sys.argv[1]))
runs, engine = int(sys.argv[2]), sys.argv[3]
only = sys.argv[5:]  # query names; all of them when none is given
if engine == "rdflib":  # rdflib's SPARQL engine on a graph parsed once, beforehand
    import kgbuild.sources
    parsed = kgbuild.sources.load_sources(project)
    parsed.graph
    kgbuild.sources.load_sources = lambda project: parsed
asked = project.root / "benchmark-params.json"  # values that find something in a synthetic graph
asked = json.loads(asked.read_text(encoding="utf-8")) if asked.exists() else {}
out = {}
for query in load_catalogue(project).queries:
    if only and query.name not in only:
        continue
    params = asked.get(query.name) or example_params(query)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run_stored(project, query, params=params, engine=engine)
        times.append(time.perf_counter() - started)
    out[query.name] = [statistics.median(times), len(rows.rows)]
print(json.dumps(out))
"""


def step_build(run: Run, project: Path, size: int, scratch: Path, rdflib_parse_max: int) -> None:
    ours = kgbuild("build", "--project", str(project))
    rdflib_run = python(RDFLIB_PIPELINE, str(project), str(scratch / "rdflib.nt")) if size <= rdflib_parse_max else None
    raw = python(OXIGRAPH_LOAD, str(project))
    run.rows.append(Row("build", size, ours, "rdflib parse + N-Triples (no validation)", rdflib_run,
                        note="" if rdflib_run else f"rdflib not run above {rdflib_parse_max:,} triples"))
    run.rows.append(Row("build", size, ours, "pyoxigraph raw bulk load", raw,
                        note="target: within 3× of the raw load"))


def step_validate(run: Run, project: Path, size: int, pyshacl_max: int, pyshacl_timeout: float) -> None:
    """`kgbuild validate` beside plain pyshacl, which is stopped after ``pyshacl_timeout`` seconds (and not
    started at a larger size once stopped); where pyshacl finishes, the engine's findings are compared."""
    ours = kgbuild("validate", "--project", str(project), "--format", "json")
    baseline, note = None, ""
    if size > pyshacl_max:
        note = f"pyshacl not run above {pyshacl_max:,} triples"
    elif run.pyshacl_stopped is not None:
        at, seconds = run.pyshacl_stopped
        note = f"pyshacl not run: it did not finish at {_size(at)} in {_minutes(seconds)}"
    else:
        baseline = python(PYSHACL, str(project), timeout=pyshacl_timeout)
        if baseline.stopped:
            run.pyshacl_stopped = (size, pyshacl_timeout)
            note = f"pyshacl did not finish in {_minutes(pyshacl_timeout)} (stopped)"
        elif baseline.ok:
            note = _same(python(ENGINE, str(project)), baseline)
    if ours.ok:  # what the whole validation found (in the synthetic graph: only its open disagreements)
        counts = json.loads(ours.output)["counts"]
        note = ("kgbuild validate: " + ", ".join(f"{n} {severity}s" for severity, n in counts.items())
                + (f"; {note}" if note else ""))
    run.rows.append(Row("full validation", size, ours, "plain pyshacl", baseline, note=note))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _same(engine: Measure, baseline: Measure) -> str:
    """Whether kgbuild's engine (ENGINE's output) and pyshacl (PYSHACL's) report the same findings."""
    same = engine.ok and baseline.ok and json.loads(engine.output) == json.loads(baseline.output)
    found = json.loads(engine.output) if engine.ok else []
    violations = sum(1 for finding in found if finding[3].endswith("#Violation"))
    return (f"{len(found)} findings (shape, focus, path, severity): " + ("identical" if same else "DIFFERENT")
            + f"; {violations} of them violations")


# cases broken in rotation (synth.VIOLATIONS): every other one, so a graph of a few cases has each kind
SAME_FINDINGS_VIOLATIONS = 0.5


def step_same_findings(run: Run, scratch: Path, triples: int) -> None:
    """Engine and pyshacl on a small graph with injected violations: the same findings?"""
    project = generate(scratch / "violations", triples=triples, seed=2, violations=SAME_FINDINGS_VIOLATIONS)
    engine = python(ENGINE, str(project))
    baseline = python(PYSHACL, str(project))
    run.rows.append(Row("same findings as pyshacl", triples, engine, "plain pyshacl", baseline,
                        note=_same(engine, baseline)))


UNION = """
import sys
from pathlib import Path
from kgbuild.project import load_project
from kgbuild.sources import load_sources
Path(sys.argv[2]).write_bytes(load_sources(load_project(Path(sys.argv[1]))).ntriples())
"""


REMEMBER_CATALOGUE = """
import sys
from pathlib import Path
from kgbuild.project import load_project
from kgbuild.queries.catalogue import check_catalogue
project = load_project(Path(sys.argv[1]))
project.store_dir.parent.mkdir(parents=True, exist_ok=True)
check_catalogue(project, remember=True)
"""


def _findings(measure: Measure) -> list[tuple] | None:
    """The findings of a `kgbuild validate --format json` run, without their file and line (a store's triples
    have none) and message (a shape's GROUP_CONCAT lists values in the store's order), sorted; the query
    catalogue's (about the project's queries/, which --endpoint does not check) left out."""
    if not measure.ok:
        return None
    try:
        report = json.loads(measure.output)
    except ValueError:
        return None
    return sorted(tuple(str(finding.get(key)) for key in
                        ("severity", "rule", "shape", "focus", "focus_label", "path", "value"))
                  for finding in report["findings"] if not str(finding.get("file") or "").startswith("queries/"))


# cases broken on purpose in the graph validated remotely and embedded (one in 20: a few of each kind at 100k)
REMOTE_VIOLATIONS = 0.05


def _compared(remote: list[tuple], embedded: list[tuple]) -> str:
    """"identical", or how the findings (``_findings``) differ: only in how a focus node is named (its label,
    the fifth part), or in what is found."""
    if remote == embedded:
        return "identical"
    unnamed = sorted(finding[:4] + finding[5:] for finding in remote)
    differ = len(set(remote) ^ set(embedded))
    if unnamed == sorted(finding[:4] + finding[5:] for finding in embedded):
        return f"the same, but {differ // 2} named differently (focus label: see the two JSON reports)"
    return (f"DIFFERENT: {len(set(embedded) - set(remote))} found only embedded, "
            f"{len(set(remote) - set(embedded))} only remotely")


def step_remote_validation(run: Run, scratch: Path, size: int, timeout: float) -> None:
    """A project of ``size`` triples with a few violations (its graph: ontology ∪ data, as the embedded
    validation sees it) in a fresh local `oxigraph serve`; `kgbuild validate --endpoint` on it beside the
    embedded `kgbuild validate`, one after the other. The embedded one also checks the query catalogue (the
    project's queries/, not the graph: parsing them takes seconds), which the endpoint's does not: its parser
    verdicts are remembered beforehand, as a build leaves them, so both validate the graph."""
    import load_throughput

    project = generate(scratch / "remote-validation-project", triples=size, seed=1, violations=REMOTE_VIOLATIONS)
    union = scratch / "remote-validation.nt"
    made = python(UNION, str(project), str(union))
    if not made.ok:
        run.rows.append(Row("remote validation (local Oxigraph server)", size, made, note="could not write the graph"))
        return
    server = load_throughput.Server(scratch / "remote-validation")
    try:
        request = urllib.request.Request(server.url + "/store?default", data=union.read_bytes(), method="POST",
                                         headers={"Content-Type": "application/n-triples"})
        with _LOOPBACK.open(request, timeout=3600):
            pass
        python(REMEMBER_CATALOGUE, str(project))
        embedded = kgbuild("validate", "--project", str(project), "--format", "json")
        remote = kgbuild("validate", "--project", str(project), "--format", "json",
                         "--endpoint", server.url + "/query", "--timeout", str(timeout))
    finally:
        server.stop()
    ours, theirs = _findings(remote), _findings(embedded)
    if ours is None or theirs is None:
        note = "failed"
    else:
        violations = sum(1 for finding in ours if finding[0] == "violation")
        note = (f"{remote.seconds / embedded.seconds:.2f}× the embedded time (target: within 3×); {len(ours)} "
                f"findings ({violations} violations): " + _compared(ours, theirs))
    run.rows.append(Row("remote validation (local Oxigraph server)", size, remote, "embedded kgbuild validate",
                        embedded, note=note))


W3C = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from w3c_shacl import WHERE_TO_GET_IT, entries, outcomes, suite_dir
suite = suite_dir()
if suite is None:
    print(json.dumps({"absent": WHERE_TO_GET_IT}))
    sys.exit(0)
from test_shacl_w3c import kgbuild_report, pyshacl_report
found = entries(suite)
out = {"total": len(found)}
for name, engine in (("kgbuild", kgbuild_report), ("pyshacl", pyshacl_report)):
    started = time.perf_counter()
    results = outcomes(found, engine)
    out[name] = {"passed": sum(passed for passed, _ in results.values()), "seconds": time.perf_counter() - started,
                 "failed": sorted(entry for entry, (passed, _) in results.items() if not passed)}
print(json.dumps(out))
"""


def step_w3c(run: Run) -> None:
    """The W3C SHACL test suite on kgbuild's engine and on pyshacl (tests/w3c_shacl.py's comparison)."""
    result = python(W3C, str(ROOT / "tests"))
    if not result.ok:
        run.w3c = "The W3C SHACL test suite could not be run:\n\n```\n" + result.output.strip() + "\n```\n"
        return
    counts = json.loads(result.output)
    if "absent" in counts:
        run.w3c = f"Not run: {counts['absent']}.\n"
        return
    total, ours, theirs = counts["total"], counts["kgbuild"], counts["pyshacl"]
    run.w3c = (
        f"kgbuild's engine passes **{ours['passed']} of {total}** entries ({ours['seconds']:.1f} s), pyshacl "
        f"**{theirs['passed']} of {total}** ({theirs['seconds']:.1f} s): the Core and SHACL-SPARQL `sht:Validate` "
        "entries, each passed when the report has the expected `sh:conforms` and the same set of (focus, path, "
        "severity, constraint component, value), or when shapes that must be refused are (tests/w3c_shacl.py).\n\n"
        + "".join(f"Not passed by {name}: " + ", ".join(f"`{entry}`" for entry in count["failed"]) + ".\n\n"
                  for name, count in (("kgbuild's engine", ours), ("pyshacl", theirs)) if count["failed"])
    )


def step_contribution(run: Run, project: Path, size: int, runs: int) -> None:
    ours = python(CONTRIBUTION, str(project), str(runs))
    if ours.ok:
        median, context = ours.output.split(" ", 1)
        ours.note = context.strip()
        ours.seconds = float(median)
    run.rows.append(Row("contribution check (~100 triples)", size, ours,
                        note="median of the library call; target: under 1 s"))


def step_remote_contribution(run: Run, project: Path, size: int, runs: int, scratch: Path) -> None:
    """The contribution check of step_contribution against a local `oxigraph serve` holding the project's graph
    (`kgbuild validate FILE --endpoint URL`: its neighbourhood fetched by queries), median of runs. The server's
    store is loaded offline beforehand from the ontology and data files, the graph the embedded store holds (not
    timed; no build needed)."""
    import load_throughput

    from kgbuild.project import load_project
    from kgbuild.serve import oxigraph_command

    location = scratch / "remote-contribution-store"
    loaded = load_project(project)
    files = [str(path) for path in loaded.ontology_files() + loaded.data_files()]
    subprocess.run([oxigraph_command(), "load", "--location", str(location), "--file", *files], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = load_throughput.Server(location)
    try:
        ours = python(REMOTE_CONTRIBUTION, str(project), server.url + "/query", str(runs))
    finally:
        server.stop()
    note = "median of the library call, local Oxigraph server; target: under 3 s"
    if ours.ok:
        median, findings = ours.output.split()
        ours.seconds = float(median)
        note += f"; {findings} findings"
    run.rows.append(Row("contribution check against a remote store (~100 triples)", size, ours, note=note))


def step_queries(run: Run, project: Path, size: int, runs: int, rdflib_max: int, timeout: float) -> None:
    """Each stored query in its own process (so one that runs away is stopped after ``timeout``
    seconds and the others are still measured); rdflib runs them all in one process, on a graph
    parsed once beforehand."""
    ours: dict[str, list] = {}
    peak = 0.0
    for name in sorted(path.stem for path in (project / "queries").glob("*.rq")):
        one = python(QUERIES, str(project), str(runs), "oxigraph", str(ROOT / "tests"), name, timeout=timeout)
        peak = max(peak, one.peak_mb)
        if one.ok and json.loads(one.output).get(name):
            ours[name] = json.loads(one.output)[name]
        else:
            timed_out = one.seconds >= timeout
            ours[name] = [None, f"over {timeout:.0f} s, stopped" if timed_out else "failed"]
            print(f"  {name}: {ours[name][1]}", file=sys.stderr, flush=True)
    baseline = python(QUERIES, str(project), "1", "rdflib", str(ROOT / "tests"), timeout=7200) \
        if size <= rdflib_max else None
    detail = {"oxigraph": ours,
              "rdflib": json.loads(baseline.output) if baseline is not None and baseline.ok else {}}
    run.queries[size] = detail
    done = [v[0] for v in ours.values() if v[0] is not None]
    unfinished = len(ours) - len(done)
    total = Measure(sum(done), peak, ok=bool(done))
    base = None
    if detail["rdflib"] and not unfinished:
        base = Measure(sum(v[0] for v in detail["rdflib"].values()), baseline.peak_mb)
    note = f"slowest query median {max(done, default=0.0) * 1000:.0f} ms; target: each under 200 ms"
    if unfinished:
        note += f"; {unfinished} of {len(ours)} not finished (see the query table)"
    run.rows.append(Row("stored queries (sum of medians)", size, total, "rdflib SPARQL, graph parsed before",
                        base, note=note))


def step_export_and_load(run: Run, project: Path, size: int, scratch: Path) -> None:
    ours = kgbuild("export", "--project", str(project), "-o", str(scratch / "graph.nq.gz"))
    run.rows.append(Row("export (N-Quads, gzip)", size, ours))
    import load_throughput

    path = project / "dist" / "graph.nt"
    replace_s, _, loaded = load_throughput.time_kgbuild(path, scratch / "load-replace", 100_000, direct=False)
    direct_s, _, _ = load_throughput.time_kgbuild(path, scratch / "load-direct", 100_000, direct=True)
    plain_s, _ = load_throughput.time_plain_post(path, scratch / "load-plain")
    plain = Measure(plain_s, 0.0)
    run.rows.append(Row("load --replace (staging + MOVE)", size, Measure(replace_s, 0.0), "plain POST", plain))
    run.rows.append(Row("load --direct (empty target)", size, Measure(direct_s, 0.0), "plain POST", plain))


# --- the real stores: load throughput and stored queries on each -----------------------------------

#: The graph the Virtuoso runs load into and query (Virtuoso keeps no triples outside named graphs).
VIRTUOSO_GRAPH = "https://w3id.org/ppdkg/graph"
#: The stores of step_store_queries, in the order of the table.
STORES = ("embedded", "Oxigraph server", "Virtuoso")


def _servers():
    """tests/servers.py (the Virtuoso the tests start, here with more buffers)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import servers
    finally:
        sys.path.pop(0)
    return servers


def _virtuoso(base: Path, query_seconds: float):
    """A fresh Virtuoso in ``base`` on free loopback ports: 100,000 buffers (800 MB; the tests' 10,000 hold the
    1M-triple graph's indexes only in part) and a query limit of ``query_seconds``."""
    servers = _servers()
    settings = servers.VirtuosoSettings(buffers=100_000, query_mem="2G", max_query_seconds=max(1, round(query_seconds)))
    return servers.start_virtuoso_retrying(base, settings=settings)


def _ensure_built(project: Path) -> str:
    """Build ``project`` (not timed) unless a build is there: "" when built, else what went wrong."""
    if (project / "dist" / "graph.nt").is_file():
        return ""
    built = kgbuild("build", "--project", str(project))
    return "" if built.ok else "the build failed: " + built.output.strip()[-300:]


PLAIN_UPLOAD = """
import sys, urllib.request
from pathlib import Path
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
request = urllib.request.Request(sys.argv[1], data=Path(sys.argv[2]).read_bytes(), method="POST",
                                 headers={"Content-Type": "application/n-triples"})
with opener.open(request, timeout=3600) as response:
    response.read()
"""

#: (label, `kgbuild load` options) of step_store_load, per store; {graph_store} is the store's Graph Store URL
LOAD_MODES = (
    ("--replace, Graph Store", ("--replace", "--graph-store", "{graph_store}")),
    ("--direct, Graph Store", ("--direct", "--graph-store", "{graph_store}")),
    ("--replace, SPARQL Update", ("--replace", "--no-graph-store")),
    ("--direct, SPARQL Update", ("--direct", "--no-graph-store")),
)


class _LoadTarget:
    """One kind of fresh store for step_store_load: started empty for each load, stopped after it."""

    def __init__(self, name: str, scratch: Path, query_seconds: float) -> None:
        self.name, self.scratch, self.query_seconds, self.started = name, scratch, query_seconds, 0

    server: Any  # load_throughput.Server or servers.VirtuosoServer

    def start(self) -> None:
        self.started += 1
        where = self.scratch / f"{self.name.split()[0].lower()}-{self.started}"
        self.scratch.mkdir(parents=True, exist_ok=True)
        if self.name == "Virtuoso":
            self.server = _virtuoso(where, self.query_seconds)
            self.endpoint, self.graph_store = self.server.query_url, self.server.store_url
            self.graph: str | None = VIRTUOSO_GRAPH
            self.upload = self.graph_store + "?graph=" + urllib.parse.quote(VIRTUOSO_GRAPH, safe="")
        else:
            import load_throughput

            self.server = load_throughput.Server(where)
            self.endpoint, self.graph_store = self.server.url + "/query", self.server.url + "/store"
            self.graph = None
            self.upload = self.graph_store + "?default"

    def count(self) -> int:
        return self.server.count(VIRTUOSO_GRAPH) if self.name == "Virtuoso" else self.server.count()

    def stop(self) -> None:
        self.server.stop()


def step_store_load(run: Run, project: Path, size: int, scratch: Path, *, stores: tuple[str, ...],
                    query_seconds: float = 3600) -> None:
    """`kgbuild load` of the built graph into each of ``stores`` ("Oxigraph server", "Virtuoso"), in every mode
    of LOAD_MODES, each into a fresh empty store and beside one plain Graph Store POST of the same file into
    another: the kgbuild process's wall time (its own check of the count included), triples per second, and
    the plain upload's time over it (the ratio column: 1.0× is as fast as the plain upload)."""
    problem = _ensure_built(project)
    path = project / "dist" / "graph.nt"
    for name in stores:
        area = f"load into a local {name}"
        if problem or (name == "Virtuoso" and not _servers().virtuoso_installed()):
            why = problem or "Virtuoso is not installed (apt-get install virtuoso-opensource)"
            run.rows.append(Row(area, size, None, note=why))
            continue
        target = _LoadTarget(name, scratch / "store-load", query_seconds)
        triples = sum(1 for line in path.open("rb") if line.strip())
        target.start()
        try:
            plain = python(PLAIN_UPLOAD, target.upload, str(path))
            held = target.count() if plain.ok else 0
        finally:
            target.stop()
        rate = f"{triples / plain.seconds:,.0f} triples/s" if plain.ok else ""
        run.rows.append(Row(f"{area}: plain upload (one Graph Store POST)", size, plain,
                            note=rate + ("" if held == triples or not plain.ok else f"; the store holds {held:,}")))
        for label, options in LOAD_MODES:
            target.start()
            try:
                argv = ["load", "--project", str(project), "--endpoint", target.endpoint, "--timeout", "3600",
                        "--format", "json", *(option.format(graph_store=target.graph_store) for option in options)]
                if target.graph is not None:
                    argv += ["--graph", target.graph]
                ours = kgbuild(*argv)
            finally:
                target.stop()
            note = ""
            if ours.ok:
                loaded = json.loads(ours.output)
                requests = loaded["chunks"]
                note = (f"{loaded['sent'] / ours.seconds:,.0f} triples/s; "
                        f"{requests:,} request{'s' if requests != 1 else ''}")
                if loaded["after"] != triples:
                    note += f"; the store holds {loaded['after']:,} of {triples:,}"
            run.rows.append(Row(f"{area}: kgbuild load {label}", size, ours, "plain upload", plain, note=note))


STORE_QUERY = """
import json, statistics, sys, time
from pathlib import Path
from kgbuild.queries.catalogue import load_catalogue
from kgbuild.project import load_project
from kgbuild.queries.querying import run_stored
sys.path.insert(0, sys.argv[2])
from rowcompare import example_params
project = load_project(Path(sys.argv[1]))
runs, name, endpoint, graph, timeout = int(sys.argv[3]), sys.argv[4], sys.argv[5] or None, sys.argv[6] or None, \
    float(sys.argv[7])
asked = project.root / "benchmark-params.json"  # values that find something in a synthetic graph
asked = json.loads(asked.read_text(encoding="utf-8")) if asked.exists() else {}
(query,) = [query for query in load_catalogue(project).queries if query.name == name]
params = asked.get(name) or example_params(query)
times = []
try:
    for _ in range(runs):
        started = time.perf_counter()
        rows = run_stored(project, query, params=params, endpoint=endpoint, graph=graph, timeout=timeout)
        times.append(time.perf_counter() - started)
except Exception as exc:  # what the store said, in the table
    print(json.dumps([None, "failed: " + (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]]))
else:
    print(json.dumps([statistics.median(times), len(rows.rows)]))
"""


class _QueryStore:
    """One store of step_store_queries holding the built graph (loaded when started, not timed); restarted on
    the same data after a query was stopped, so a query the server keeps working on does not slow the next."""

    def __init__(self, name: str, project: Path, scratch: Path, query_seconds: float) -> None:
        self.name, self.project, self.scratch, self.query_seconds = name, project, scratch, query_seconds
        self.server: Any = None  # load_throughput.Server or servers.VirtuosoServer, while started
        self.endpoint, self.graph = "", ""

    def start(self) -> None:
        path = self.project / "dist" / "graph.nt"
        if self.name == "Oxigraph server":
            import load_throughput

            from kgbuild.serve import oxigraph_command

            location = self.scratch / "oxigraph-store"
            if not location.exists():
                self.scratch.mkdir(parents=True, exist_ok=True)
                subprocess.run([oxigraph_command(), "load", "--location", str(location), "--file", str(path)],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.server = load_throughput.Server(location)
            self.endpoint = self.server.url + "/query"
        elif self.name == "Virtuoso":
            self.server = _virtuoso(self.scratch / f"virtuoso-{time.monotonic_ns()}", self.query_seconds)
            loaded = kgbuild("load", "--project", str(self.project), "--endpoint", self.server.query_url,
                             "--graph-store", self.server.store_url, "--graph", VIRTUOSO_GRAPH, "--direct",
                             "--timeout", "3600")
            if not loaded.ok:
                self.stop()
                raise RuntimeError("kgbuild load into Virtuoso failed: " + loaded.output.strip()[-500:])
            self.endpoint, self.graph = self.server.query_url, VIRTUOSO_GRAPH

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def step_store_queries(run: Run, project: Path, size: int, runs: int, timeout: float, scratch: Path, *,
                       stores: tuple[str, ...] = STORES) -> None:
    """Every stored query on each of ``stores`` (STORES) holding the same built graph: median of ``runs`` library
    calls (`run_stored`, the remote ones with their check that the graph holds triples), each query in its own
    process stopped after ``timeout`` seconds, and the rows returned. One row per store in the table (sum of the
    medians, beside the embedded store's); the per-query figures in run.store_queries."""
    problem = _ensure_built(project)
    if "Virtuoso" in stores and not problem and not _servers().virtuoso_installed():
        run.rows.append(Row("stored queries on a local Virtuoso", size, None,
                            note="Virtuoso is not installed (apt-get install virtuoso-opensource)"))
        stores = tuple(store for store in stores if store != "Virtuoso")
    if problem:
        run.rows.append(Row("stored queries on each store", size, None, note=problem))
        return
    names = sorted(path.stem for path in (project / "queries").glob("*.rq"))
    found: dict[str, dict[str, list]] = {}
    peaks: dict[str, float] = {}
    for store_name in stores:
        store = _QueryStore(store_name, project, scratch / "store-queries", timeout)
        found[store_name] = {}
        peaks[store_name] = 0.0
        try:
            store.start()
            for name in names:
                one = python(STORE_QUERY, str(project), str(ROOT / "tests"), str(runs), name, store.endpoint,
                             store.graph, str(timeout), timeout=timeout)
                peaks[store_name] = max(peaks[store_name], one.peak_mb)
                answer = _json(one.output) if one.ok else None
                if answer is not None:
                    found[store_name][name] = answer
                    if answer[0] is None:
                        print(f"  {store_name}, {name}: {answer[1]}", file=sys.stderr, flush=True)
                    continue
                reason = f"over {timeout:.0f} s, stopped" if one.stopped else "failed: " + _last_line(one.output)
                found[store_name][name] = [None, reason]
                print(f"  {store_name}, {name}: {reason}", file=sys.stderr, flush=True)
                if one.stopped and store.server is not None:
                    store.stop()
                    store.start()
        except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
            for name in names:
                found[store_name].setdefault(name, [None, f"not run: {exc}"[:200]])
        finally:
            store.stop()
    run.store_queries[size] = found
    embedded = found.get("embedded", {})
    base = None
    if embedded and all(value[0] is not None for value in embedded.values()):
        base = Measure(sum(value[0] for value in embedded.values()), peaks["embedded"])
    for store_name in stores:
        answers = found[store_name]
        done = [value[0] for value in answers.values() if value[0] is not None]
        total = Measure(sum(done), peaks[store_name], ok=bool(done))
        other = [name for name, value in answers.items()
                 if value[0] is not None and name in embedded and embedded[name][0] is not None
                 and value[1] != embedded[name][1]]
        complete = len(done) == len(answers)
        note = f"{len(done)} of {len(answers)} finished" + ("" if complete else " (the sum is theirs)")
        if done:
            note += f"; slowest median {max(done) * 1000:.0f} ms"
        if other:
            note += f"; other row counts than embedded: {', '.join(other)}"
        remote = store_name != "embedded"
        where = f"a local {store_name}" if remote else "the embedded store"
        run.rows.append(Row(f"stored queries on {where} (sum of medians)", size, total,
                            "embedded store" if remote else "", base if remote and complete else None, note=note))


def _json(text: str) -> list | None:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def store_query_table(run: Run) -> str:
    """Median and rows per stored query, size and store; a row count other than the embedded store's is marked ≠."""
    if not run.store_queries:
        return ""
    sizes = sorted(run.store_queries)
    columns = [(size, store) for size in sizes for store in STORES if store in run.store_queries[size]]
    names = sorted({name for size in sizes for answers in run.store_queries[size].values() for name in answers})
    lines = ["| query | " + " | ".join(f"{_size(size)} {store}" for size, store in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    notes: list[str] = []
    for name in names:
        cells = []
        for size, store in columns:
            value = run.store_queries[size][store].get(name)
            embedded = run.store_queries[size].get("embedded", {}).get(name)
            if value is None:
                cells.append("")
            elif value[0] is None:
                stopped = value[1].startswith("over ")
                cells.append(value[1] if stopped else "failed¹")
                if not stopped:
                    notes.append(f"- {name}, {_size(size)}, {store}: {value[1]}")
            else:
                differs = store != "embedded" and embedded and embedded[0] is not None and embedded[1] != value[1]
                cells.append(f"{value[0] * 1000:.1f} ms ({'≠ ' if differs else ''}{value[1]:,} rows)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    failures = ("\n¹ What the store said:\n\n" + "\n".join(notes) + "\n") if notes else ""
    return "\n".join(lines) + "\n" + failures


def profile_largest(run: Run, project: Path) -> None:
    """Where the time goes at the largest size: build under cProfile, and SHACL time per shape."""
    code = """
    import cProfile, io, pstats, sys
    from pathlib import Path
    from kgbuild.builder import build
    from kgbuild.project import load_project
    profiler = cProfile.Profile()
    profiler.runcall(build, load_project(Path(sys.argv[1])))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
    stats.print_stats(r"kgbuild/(builder|sources|checks|shacl|graphstats|sample|serialize|store|catalogue)", 18)
    print(text.getvalue())
    """
    result = python(code, str(project))
    run.profiles["build"] = _trim_profile(result.output)
    shapes = """
    import sys, time
    from pathlib import Path
    from kgbuild.federation import refuse_service_in_shapes
    from kgbuild.project import load_project
    from kgbuild.shacl import ShapesProgram
    from kgbuild.shacl.evaluator import _Run
    from kgbuild.sources import load_sources
    sources = load_sources(load_project(Path(sys.argv[1])))
    program = ShapesProgram(sources.shapes, refuse_service=refuse_service_in_shapes)
    engine = _Run(program, sources.store, None)
    times = []
    for shape in program.shapes.validated():
        started = time.perf_counter()
        engine.shape_results(shape)
        times.append((time.perf_counter() - started, str(shape.node).rsplit("#", 1)[-1]))
    total = sum(t for t, _ in times)
    print(f"{len(times)} shapes, {total:.1f} s in all; the slowest:")
    for seconds, name in sorted(times, reverse=True)[:8]:
        print(f"  {seconds:7.2f} s  {name}")
    """
    run.profiles["validation"] = python(shapes, str(project)).output.strip()


def _trim_profile(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:start + 20])


# --- output ------------------------------------------------------------------------------------


def _size(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else f"{size // 1000}k"


def table(run: Run) -> str:
    lines = ["| area | triples | kgbuild | peak MB | baseline | baseline time | peak MB | ratio | note |",
             "|---|---:|---:|---:|---|---:|---:|---:|---|"]
    for row in run.rows:
        ours = "failed" if row.ours and not row.ours.ok else (f"{row.ours.seconds:.2f} s" if row.ours else "")
        mem = f"{row.ours.peak_mb:.0f}" if row.ours and row.ours.peak_mb else ""
        base = "" if row.baseline is None else (f"{row.baseline.seconds:.2f} s" if row.baseline.ok else "failed")
        if row.baseline is not None and row.baseline.stopped:
            base = f"over {_minutes(row.baseline.seconds)}, stopped"
        base_mem = f"{row.baseline.peak_mb:.0f}" if row.baseline and row.baseline.peak_mb else ""
        note = row.note or (getattr(row.ours, "note", "") if row.ours else "")
        lines.append(f"| {row.area} | {_size(row.size)} | {ours} | {mem} | {row.baseline_name} | {base} | "
                     f"{base_mem} | {row.ratio} | {note} |")
    return "\n".join(lines) + "\n"


def query_table(run: Run) -> str:
    if not run.queries:
        return ""
    sizes = sorted(run.queries)
    names = sorted({name for size in sizes for name in run.queries[size]["oxigraph"]})
    head = "| query | " + " | ".join(f"{_size(s)} kgbuild | {_size(s)} rdflib" for s in sizes) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(sizes)]
    for name in names:
        cells = []
        for size in sizes:
            ours = run.queries[size]["oxigraph"].get(name)
            theirs = run.queries[size]["rdflib"].get(name)
            if ours and ours[0] is None:
                cells.append(ours[1])
            else:
                cells.append(f"{ours[0] * 1000:.1f} ms ({ours[1]:,} rows)" if ours else "")
            cells.append(f"{theirs[0] * 1000:.0f} ms" if theirs else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        memory = f", {kb / 1024 / 1024:.0f} GB memory"
    except (OSError, StopIteration, ValueError):
        pass
    from importlib.metadata import version

    packages = ", ".join(f"{name} {version(name)}" for name in ("pyoxigraph", "oxigraph", "rdflib", "pyshacl"))
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {packages}")


def write_results(run: Run, sizes: list[int], seconds: float, *, to: Path, command: str) -> None:
    profiles = "".join(f"\n### {name}\n\n```\n{text}\n```\n" for name, text in run.profiles.items())
    to.write_text(
        "# Benchmark results\n\n"
        f"Written by `{command}` on {time.strftime('%Y-%m-%d')} "
        f"({seconds / 60:.0f} min for sizes {', '.join(_size(s) for s in sizes)}).\n\n"
        f"Machine: {machine()}.\n\n"
        "Each figure is one fresh process (wall time, peak resident memory); the baseline ran in the same "
        "run, so the ratio holds even when the machine is noisy. Synthetic graphs from `benchmarks/synth.py` "
        "(seed 1); the sizes are those asked for, the real counts are within a few percent.\n\n"
        + table(run)
        + ("\n## W3C SHACL test suite\n\n" + run.w3c if run.w3c else "")
        + ("\n## Stored queries (median of runs, rows returned; embedded store; rdflib on a graph parsed "
           "beforehand)\n\n" + query_table(run) if run.queries else "")
        + ("\n## Stored queries on each store (median of runs of the library call, rows returned; the same built "
           "graph in the embedded store, a local `oxigraph serve` and a local Virtuoso 7, each query in its own "
           "process; ≠: another row count than the embedded store's)\n\n" + store_query_table(run)
           if run.store_queries else "")
        + ("\n## Profiles at the largest size\n" + profiles if profiles else "")
        + ("\n## Where the time goes\n\n" + ANALYSIS if to == RESULTS else ""),
        encoding="utf-8",
    )


ANALYSIS = (HERE / "analysis.md").read_text(encoding="utf-8") if (HERE / "analysis.md").exists() else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5, help="runs of each query and contribution check (median)")
    parser.add_argument("--pyshacl-max", type=int, default=1_000_000, help="largest graph to run plain pyshacl on")
    parser.add_argument("--pyshacl-timeout", type=float, default=1800,
                        help="seconds after which plain pyshacl is stopped (and not run at larger sizes)")
    parser.add_argument("--remote-max", type=int, default=100_000,
                        help="largest graph to validate on a local Oxigraph server (kgbuild validate --endpoint)")
    parser.add_argument("--remote-timeout", type=float, default=600,
                        help="seconds kgbuild validate --endpoint waits for each query")
    parser.add_argument("--rdflib-max", type=int, default=100_000, help="largest graph to run rdflib SPARQL on")
    parser.add_argument("--same-findings-triples", type=int, default=10_000,
                        help="size of the graph with injected violations both engines validate")
    parser.add_argument("--query-timeout", type=float, default=600,
                        help="seconds after which a stored query's process is stopped and reported unfinished")
    parser.add_argument("--no-load", action="store_true", help="skip export and load into a local server")
    parser.add_argument("--no-virtuoso", action="store_true",
                        help="leave Virtuoso out of the steps store-load and store-queries (Oxigraph server only)")
    parser.add_argument("--no-remote-contribution", action="store_true",
                        help="skip the contribution check against a local Oxigraph server")
    parser.add_argument("--rdflib-parse-max", type=int, default=2_000_000,
                        help="largest graph to run the rdflib parse baseline of build on")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiles at the largest size")
    parser.add_argument("--only", nargs="+", choices=STEPS, metavar="STEP",
                        help="run only these steps (of: " + ", ".join(STEPS) + ")")
    parser.add_argument("--no-write", action="store_true", help=f"print only; do not write {RESULTS.name}")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help=f"file to write (default {RESULTS.relative_to(ROOT)}; the analysis goes only there)")
    args = parser.parse_args()
    steps = set(args.only or STEPS)
    if args.no_load:
        steps.discard("load")
    if args.no_profile:
        steps.discard("profile")
    if args.no_remote_contribution:
        steps.discard("remote-contribution")
    run = Run()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kgbuild-bench-") as tmp:
        scratch = Path(tmp)
        if "w3c" in steps:
            step_w3c(run)
        if "same-findings" in steps:
            step_same_findings(run, scratch, args.same_findings_triples)
        for size in sorted(args.sizes):
            print(f"… {_size(size)} triples", file=sys.stderr, flush=True)
            where = scratch / _size(size)
            where.mkdir()
            project = generate(where / "project", triples=size, seed=1)
            if "build" in steps:
                step_build(run, project, size, where, args.rdflib_parse_max)
            if "validate" in steps:
                step_validate(run, project, size, args.pyshacl_max, args.pyshacl_timeout)
            if "remote-validation" in steps and size <= args.remote_max:
                step_remote_validation(run, where, size, args.remote_timeout)
            if "contribution" in steps:
                step_contribution(run, project, size, args.runs)
            if "remote-contribution" in steps:
                step_remote_contribution(run, project, size, args.runs, where)
            if "queries" in steps:
                step_queries(run, project, size, args.runs, args.rdflib_max, args.query_timeout)
            if "load" in steps:
                step_export_and_load(run, project, size, where)
            stores = ("Oxigraph server",) if args.no_virtuoso else ("Oxigraph server", "Virtuoso")
            if "store-load" in steps:
                step_store_load(run, project, size, where, stores=stores, query_seconds=args.query_timeout)
            if "store-queries" in steps:
                step_store_queries(run, project, size, args.runs, args.query_timeout, where,
                                   stores=("embedded", *stores))
            if size == max(args.sizes) and "profile" in steps:
                profile_largest(run, project)
    print(table(run))
    if run.w3c:
        print("W3C SHACL test suite: " + run.w3c)
    print(query_table(run))
    print(store_query_table(run))
    for name, text in run.profiles.items():
        print(f"{name}:\n{text}\n")
    if not args.no_write:
        command = "python3 benchmarks/run.py" + "".join(f" {a}" for a in sys.argv[1:])
        write_results(run, sorted(args.sizes), time.perf_counter() - started, to=args.results.resolve(),
                      command=command)
        print(f"wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
