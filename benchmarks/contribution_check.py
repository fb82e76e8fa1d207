"""Time the contribution check against a synthetic existing graph, beside a full validation.

    python3 benchmarks/contribution_check.py [--triples 1000000] [--runs 5]

Generates a synthetic project (benchmarks/synth.py), loads it into the
embedded store as `kgbuild build` would (parse, bulk load, manifest, name index; the
build's pyshacl run is skipped: it would take hours at this size), then
times, in one process:

- the contribution check of docs/examples/contribution-release.ttl (about
  100 triples) — `check_contribution`, the library call behind
  `kgbuild validate FILE` (median of --runs), and the whole command once as a
  process (interpreter start and imports included);
- a full validation of the same graph with kgbuild's SHACL engine (once);
- for scale, pyshacl's full validation of a small synthetic graph (--pyshacl-triples).

It measures; it asserts nothing. Target: contribution check under 1 s at 1M triples.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import generate  # noqa: E402


def prepare(directory: Path, triples: int):
    """The synthetic project with its embedded store; returns (project, seconds to load, triple count)."""
    import pyoxigraph as ox

    from kgbuild.project import load_project
    from kgbuild.workspace.versions import fingerprint, write_store

    project = load_project(generate(directory, triples=triples, seed=1))
    started = time.perf_counter()
    inputs = fingerprint(project)
    dataset = ox.Store()
    for path in project.ontology_files() + project.data_files():
        dataset.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    ntriples = dataset.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    store_dir = write_store(project, ntriples, inputs=inputs)
    from kgbuild.checks.contribution import write_name_index

    write_name_index(project, ox.Store.read_only(str(store_dir)), inputs)
    return project, time.perf_counter() - started, len(dataset)


def time_contribution(project, runs: int) -> list[float]:
    from kgbuild.checks.contribution import check_contribution

    example = project.root / "docs" / "examples" / "contribution-release.ttl"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = check_contribution(project, [example])
        times.append(time.perf_counter() - started)
        assert result.context == "embedded store", result.context
    return times


def time_process(project) -> float:
    example = project.root / "docs" / "examples" / "contribution-release.ttl"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kgbuild", "validate", str(example), "--project", str(project.root)],
                   check=False, capture_output=True)
    return time.perf_counter() - started


def time_full_engine(project) -> tuple[float, int]:
    from kgbuild.federation import refuse_service_in_shapes
    from kgbuild.shacl import ShapesProgram
    from kgbuild.sources import load_shapes
    from kgbuild.workspace.versions import open_store

    shapes, _ = load_shapes(project)
    store = open_store(project)
    started = time.perf_counter()
    results = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes).validate(store)
    return time.perf_counter() - started, len(results)


def time_full_pyshacl(directory: Path, triples: int) -> tuple[float, float, int]:
    """(pyshacl seconds, engine seconds, triples) for a small synthetic graph."""
    import pyoxigraph as ox

    from kgbuild.federation import refuse_service_in_shapes
    from kgbuild.project import load_project
    from kgbuild.shacl import ShapesProgram
    from kgbuild.sources import load_sources
    from kgbuild.validation import run_shacl
    from kgbuild.locate import Locator

    project = load_project(generate(directory, triples=triples, seed=1))
    sources = load_sources(project)
    started = time.perf_counter()
    run_shacl(data_graph=sources.graph, shapes_graph=sources.shapes, names=sources.names(), locator=Locator(()))
    pyshacl_seconds = time.perf_counter() - started
    store = ox.Store()
    for path in project.ontology_files() + project.data_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    started = time.perf_counter()
    ShapesProgram(sources.shapes, refuse_service=refuse_service_in_shapes).validate(store)
    return pyshacl_seconds, time.perf_counter() - started, len(sources.graph)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pyshacl-triples", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project, load_seconds, count = prepare(Path(tmp) / "big", args.triples)
        print(f"synthetic graph: {count:,} triples (ontology included); store written in {load_seconds:.1f} s")
        times = time_contribution(project, args.runs)
        print(f"contribution check (library, ~100 triples): median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} runs); target < 1 s")
        print(f"contribution check (whole `kgbuild validate FILE` process): {time_process(project):.3f} s")
        seconds, results = time_full_engine(project)
        print(f"full validation, kgbuild SHACL engine: {seconds:.1f} s ({results:,} results)")
        py, engine, small = time_full_pyshacl(Path(tmp) / "small", args.pyshacl_triples)
        print(f"full validation at {small:,} triples: pyshacl {py:.1f} s, kgbuild engine {engine:.2f} s "
              f"({py / engine:.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
