"""The benchmarks keep working: each runs at its smallest size (timings are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_synthetic_project_is_the_same_for_the_same_seed(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synth import generate
    finally:
        sys.path.pop(0)
    first = generate(tmp_path / "a", triples=3000, seed=7)
    second = generate(tmp_path / "b", triples=3000, seed=7)
    other = generate(tmp_path / "c", triples=3000, seed=8)
    text = (first / "data" / "synthetic.ttl").read_bytes()
    assert text == (second / "data" / "synthetic.ttl").read_bytes()
    assert text != (other / "data" / "synthetic.ttl").read_bytes()
    assert [p.name for p in sorted((first / "data" / "sources").iterdir())] == ["synth_00000.txt", "synth_00001.txt"]


def _generate(directory, **options):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synth import generate
    finally:
        sys.path.pop(0)
    return generate(directory, **options)


def test_synthetic_project_conforms_with_only_the_open_disagreements_as_warnings(tmp_path):
    from kgbuild.checks.build import validate
    from kgbuild.project import load_project

    report = validate(load_project(_generate(tmp_path / "p", triples=6350, seed=3)))  # five cases (~1,270 triples each)
    assert not report.fails("violation")
    assert {finding.rule for finding in report.findings} == {"ClaimConflictUnresolved"}
    # cases 0 and 3 of five carry an unranked disagreement on whether the pardon happened
    assert sorted(finding.focus.rsplit("-", 1)[1] for finding in report.findings) == ["0", "3"]


def test_injected_violations_are_found(tmp_path):
    from kgbuild.checks.build import validate
    from kgbuild.project import load_project

    report = validate(load_project(_generate(tmp_path / "p", triples=7620, seed=3, violations=1.0)))  # six cases
    violated = {(finding.rule, finding.focus.rsplit("/", 1)[1] if finding.focus else finding.focus_label)
                for finding in report.findings if finding.severity == "violation"}
    # six cases, broken in rotation: no label, quote not in source, count not a number, dangling reference
    assert ("ResourceHasLabel", "synth-person-0") in violated
    assert ("quote-not-in-source", "ppdr:synth-pardon-1 ppd:attestedBy []") in violated
    assert ("PersonCountIsInteger", "synth-pardon-2") in violated
    assert ("ReferenceToUndefinedResource", "synth-release-30") in violated
    assert ("ResourceHasLabel", "synth-person-40") in violated  # the rotation starts again at case 4
    assert ("quote-not-in-source", "ppdr:synth-pardon-5 ppd:attestedBy []") in violated


def test_contribution_benchmark_runs_at_a_small_size():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "contribution_check.py"), "--triples", "3000", "--runs", "1",
         "--pyshacl-triples", "1000"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "contribution check (library, ~100 triples): median" in result.stdout
    assert "full validation, kgbuild SHACL engine:" in result.stdout
    assert "full validation at" in result.stdout and "pyshacl" in result.stdout


def test_load_benchmark_runs_at_a_small_size():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load_throughput.py"), "--triples", "3000", "--chunk-size", "500"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "kgbuild load --replace (staging, MOVE, counts)" in result.stdout
    assert "plain POST to /store?default" in result.stdout
    assert "oxigraph load (offline, empty directory)" in result.stdout
    assert "rate as a share of the plain POST's: --replace" in result.stdout


def test_harness_runs_at_a_small_size(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "3000", "--runs", "1",
         "--results", str(tmp_path / "results.md"), "--no-profile",
         "--same-findings-triples", "2000", "--pyshacl-max", "3000", "--rdflib-max", "3000"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for area in ("| build | 3k |", "| full validation | 3k |", "| contribution check (~100 triples) | 3k |",
                 "| stored queries (sum of medians) | 3k |", "| export (N-Quads, gzip) | 3k |",
                 "| load --replace (staging + MOVE) | 3k |", "| load --direct (empty target) | 3k |"):
        assert area in out, area
    assert "findings (shape, focus, path, severity): identical" in out
    assert "| cq02-deals |" in out
    assert "failed" not in out
    written = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "Written by `python3 benchmarks/run.py --sizes 3000 --runs 1 --results" in written
    assert "| build | 3k |" in written and "## Profiles" not in written and "## Where the time goes" not in written
    assert (ROOT / "benchmarks" / "RESULTS.md").stat().st_mtime < (tmp_path / "results.md").stat().st_mtime


def test_harness_stops_a_query_that_runs_past_the_timeout(tmp_path):
    from kgbuild.builder import build
    from kgbuild.project import load_project

    project = _generate(tmp_path / "p", triples=3000, seed=1)
    build(load_project(project))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run as harness
    finally:
        sys.path.pop(0)
    run = harness.Run()
    # no Python process starts, opens the store and answers within 10 ms: every query is stopped
    harness.step_queries(run, project, 3000, 1, 0, timeout=0.01)
    ours = run.queries[3000]["oxigraph"]
    assert sorted(ours) == sorted(p.stem for p in (project / "queries").glob("*.rq"))
    assert all(value == [None, "over 0 s, stopped"] for value in ours.values())
    (row,) = run.rows
    assert row.area == "stored queries (sum of medians)" and not row.ours.ok
    assert row.note.endswith(f"{len(ours)} of {len(ours)} not finished (see the query table)")
    assert "| cq02-deals | over 0 s, stopped |" in harness.query_table(run)


def test_the_parameters_benchmarks_ask_find_something_in_the_synthetic_graph(tmp_path):
    """The stored queries that take a parameter are timed on answers, not on empty results: every query
    with a parameter has a value in benchmark-params.json, and each finds rows."""
    import json

    from kgbuild.builder import build
    from kgbuild.project import load_project
    from kgbuild.queries.catalogue import load_catalogue
    from kgbuild.queries.querying import run_stored

    project = load_project(_generate(tmp_path / "p", triples=3000, seed=1))
    build(project)
    asked = json.loads((project.root / "benchmark-params.json").read_text(encoding="utf-8"))
    with_params = {query.name: query for query in load_catalogue(project).queries if query.params}
    assert sorted(asked) == sorted(with_params)
    for name, params in asked.items():
        rows = run_stored(project, with_params[name], params=params, engine="oxigraph").rows
        assert rows, name


def test_contribution_scale_benchmark_runs_at_a_tiny_size(built_project):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "contribution_scale.py"), "--sizes", "300,600",
         "--depths", "40", "--project", str(built_project), "--", "--max-triples", "500"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 3, result.stdout
    small, big, deep = (row.strip("|").split("|") for row in rows)
    assert small[0].strip() == "300 triples (20 releases)" and small[5].strip() == "1"  # findings: exit 1
    assert "unknown-property 1" in small[6] and "AgentHasSource 20" in small[6]
    assert big[5].strip() == "2" and "refused" in big[6] and "more than 500 triples" in big[6]
    assert deep[0].strip() == "blank nodes nested 40 deep" and "unknown-property" in deep[6]
    assert float(small[2]) > 0 and float(small[4]) > 0


def _harness():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run as harness
    finally:
        sys.path.pop(0)
    return harness


def test_harness_runs_the_validation_steps_alone_at_a_small_size(tmp_path):
    """--only: full validation beside pyshacl with the findings compared, the same validation on a local Oxigraph
    server beside the embedded one, and the W3C suite's pass counts (those the suite's tests give)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "3000", "--results", str(tmp_path / "r.md"),
         "--only", "validate", "remote-validation", "w3c", "same-findings", "--same-findings-triples", "3000"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split(" | ")[0].lstrip("| "): line for line in result.stdout.splitlines() if " | 3k | " in line}
    assert sorted(rows) == ["full validation", "remote validation (local Oxigraph server)", "same findings as pyshacl"]
    assert "(shape, focus, path, severity): identical" in rows["full validation"]
    # the synthetic graph conforms but for its open disagreements (warnings): the generator follows the shapes
    assert "kgbuild validate: 0 violations, 1 warnings, 0 infos; " in rows["full validation"]
    assert "× the embedded time (target: within 3×)" in rows["remote validation (local Oxigraph server)"]
    assert "violations): identical" in rows["remote validation (local Oxigraph server)"]
    # the injected violations (one case of two broken at 3k triples) are found, and pyshacl finds the same
    assert ("3 findings (shape, focus, path, severity): identical; 2 of them violations"
            in rows["same findings as pyshacl"])
    written = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## W3C SHACL test suite" in written and "## Stored queries" not in written
    from test_shacl_w3c import ENTRIES, KGBUILD_FAILS, PYSHACL_FAILS

    if ENTRIES:
        total = len(ENTRIES)
        assert (f"kgbuild's engine passes **{total - len(KGBUILD_FAILS)} of {total}** entries" in written
                and f"pyshacl **{total - len(PYSHACL_FAILS)} of {total}**" in written)
        assert "Not passed by pyshacl: " + ", ".join(f"`{e}`" for e in sorted(PYSHACL_FAILS)) + "." in written
    else:
        assert "Not run: W3C SHACL test suite not found" in written


def test_harness_says_where_to_get_the_w3c_suite_when_it_is_absent(tmp_path, monkeypatch):
    from w3c_shacl import ENVIRONMENT, WHERE_TO_GET_IT

    monkeypatch.setenv(ENVIRONMENT, str(tmp_path / "nowhere"))
    harness = _harness()
    run = harness.Run()
    harness.step_w3c(run)
    assert run.w3c == f"Not run: {WHERE_TO_GET_IT}.\n"


def test_harness_stops_pyshacl_at_its_timeout_and_does_not_start_it_at_a_larger_size(tmp_path):
    harness = _harness()
    project = _generate(tmp_path / "p", triples=3000, seed=1)
    run = harness.Run()
    harness.step_validate(run, project, 3000, 1_000_000, 0.01)  # no pyshacl process finishes in 10 ms
    harness.step_validate(run, project, 30000, 1_000_000, 0.01)  # (the same graph, as if larger)
    first, second = run.rows
    assert first.ours.ok and first.baseline.stopped and not first.baseline.ok
    assert first.note == "kgbuild validate: 0 violations, 1 warnings, 0 infos; pyshacl did not finish in 0 s (stopped)"
    assert second.baseline is None
    assert second.note.endswith("; pyshacl not run: it did not finish at 3k in 0 s")
    assert "| full validation | 3k |" in harness.table(run) and "| over 0 s, stopped |" in harness.table(run)


def test_harness_says_how_remote_and_embedded_findings_differ():
    harness = _harness()
    quote = ("violation", "quote-not-in-source", "None", "None", "ppdr:x ppd:attestedBy []", "None", '"q"')
    other = ("warning", "ClaimConflictUnresolved", "ppdsh:C", "https://e/x", "X", "None", "None")
    assert harness._compared([quote, other], [quote, other]) == "identical"
    unlabelled = quote[:4] + ("None",) + quote[5:]
    assert harness._compared([unlabelled, other], [quote, other]) == (
        "the same, but 1 named differently (focus label: see the two JSON reports)")
    assert harness._compared([other], [quote, other]) == "DIFFERENT: 1 found only embedded, 0 only remotely"


def test_harness_step_remote_contribution_runs_at_a_small_size(tmp_path):
    """The contribution check against a local Oxigraph server holding the project's graph: one row, a complete
    run, without a build (the step runs alone with --only)."""
    project = _generate(tmp_path / "p", triples=3000, seed=1)
    harness = _harness()
    run = harness.Run()
    harness.step_remote_contribution(run, project, 3000, 1, tmp_path)
    (row,) = run.rows
    assert row.area == "contribution check against a remote store (~100 triples)"
    assert row.ours.ok, row.ours.output
    assert row.ours.seconds > 0 and "target: under 3 s" in row.note and "findings" in row.note
    assert "| contribution check against a remote store (~100 triples) | 3k |" in harness.table(run)


def test_harness_runs_the_store_steps_at_a_small_size(tmp_path):
    """--only store-load store-queries, with no build beforehand: every load mode into a fresh Oxigraph server and a
    fresh Virtuoso beside a plain upload (the store holding every triple each time), and every stored query on the
    embedded store, an Oxigraph server and Virtuoso holding the same graph; the per-store table written."""
    from servers import virtuoso_installed

    if not virtuoso_installed():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run does)")
    from conftest import VIRTUOSO_WRONG

    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "3000", "--runs", "1",
         "--results", str(tmp_path / "r.md"), "--only", "store-load", "store-queries"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split(" | ")[0].lstrip("| "): line for line in result.stdout.splitlines() if " | 3k | " in line}
    loads = [area for area in rows if area.startswith("load into")]
    assert len(loads) == 10, sorted(rows)
    for store in ("Oxigraph server", "Virtuoso"):
        plain = rows[f"load into a local {store}: plain upload (one Graph Store POST)"]
        assert "triples/s" in plain and "the store holds" not in plain
        for mode in ("--replace, Graph Store", "--direct, Graph Store", "--replace, SPARQL Update",
                     "--direct, SPARQL Update"):
            row = rows[f"load into a local {store}: kgbuild load {mode}"]
            cells = row.split(" | ")
            assert cells[4] == "plain upload" and cells[7].endswith("×"), row  # the ratio to the plain upload
            assert "triples/s; " in row and "the store holds" not in row and "failed" not in row, row
    # Virtuoso takes at most 1000 triples per INSERT DATA: more requests over SPARQL Update than over Graph Store
    assert "; 1 request |" in rows["load into a local Virtuoso: kgbuild load --direct, Graph Store"]
    assert "; 1 request |" not in rows["load into a local Virtuoso: kgbuild load --direct, SPARQL Update"]

    queries = sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))
    assert f"{len(queries)} of {len(queries)} finished" in rows["stored queries on the embedded store (sum of medians)"]
    server = rows["stored queries on a local Oxigraph server (sum of medians)"]
    assert f"{len(queries)} of {len(queries)} finished" in server and "other row counts" not in server
    assert "stored queries on a local Virtuoso (sum of medians)" in rows
    table = result.stdout[result.stdout.index("| query | 3k embedded | 3k Oxigraph server | 3k Virtuoso |"):]
    for name in queries:
        (line,) = [line for line in table.splitlines() if line.startswith(f"| {name} |")]
        embedded, on_server, on_virtuoso = (cell.strip() for cell in line.strip().strip("|").split("|")[1:4])
        assert embedded.endswith(" rows)") and on_server.endswith(" rows)") and "≠" not in on_server, line
        if name not in VIRTUOSO_WRONG:  # the same number of rows as the embedded store
            assert on_virtuoso.endswith(" rows)") and "≠" not in on_virtuoso, line
        else:  # answered (maybe wrongly) or refused, with what Virtuoso said below the table
            assert on_virtuoso.endswith(" rows)") or on_virtuoso == "failed¹", line
    if "failed¹" in table:
        assert "¹ What the store said:" in table and ", 3k, Virtuoso: failed: " in table
    written = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## Stored queries on each store" in written and "| load into a local Virtuoso: kgbuild load" in written


def test_harness_stops_a_store_query_at_the_timeout_and_restarts_the_server(tmp_path):
    """A query stopped at --query-timeout is reported as such, and the Oxigraph server, which would go on working
    on it, is started again on the same data for the next query."""
    harness = _harness()
    project = _generate(tmp_path / "p", triples=3000, seed=1)
    run = harness.Run()
    started = []
    real_start = harness._QueryStore.start

    def start(store):
        started.append(store.name)
        real_start(store)

    harness._QueryStore.start = start
    try:
        # no Python process starts, opens the store and answers within 10 ms: every query is stopped
        harness.step_store_queries(run, project, 3000, 1, 0.01, tmp_path, stores=("embedded", "Oxigraph server"))
    finally:
        harness._QueryStore.start = real_start
    queries = sorted(path.stem for path in (project / "queries").glob("*.rq"))
    for store in ("embedded", "Oxigraph server"):
        assert run.store_queries[3000][store] == {name: [None, "over 0 s, stopped"] for name in queries}
    assert started == ["embedded"] + ["Oxigraph server"] * (1 + len(queries))  # the embedded store has no server
    embedded, server = run.rows
    assert embedded.area == "stored queries on the embedded store (sum of medians)"
    assert server.note == f"0 of {len(queries)} finished (the sum is theirs)" and server.baseline is None
    assert "| cq02-deals | over 0 s, stopped | over 0 s, stopped |" in harness.store_query_table(run)
