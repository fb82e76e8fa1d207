"""Time `kgbuild validate FILE` on big and deeply nested contributions, against the real project.

    python3 benchmarks/contribution_scale.py [--sizes 5k,10k,50k,200k,1M] [--depths 1000,5000] [--project .]
                                             [-- --max-triples N]

Generates contributions (Turtle) and runs the whole command, `kgbuild validate
FILE --format json`, once per contribution as a fresh process against the
project (built first with `kgbuild build` when its embedded store is missing or
stale), recording wall time, CPU time (user + system, all threads) and peak
resident memory of that child process, and the findings it reported:

- size contributions: N releases in the shape of docs/examples/contribution-release.ttl
  (a release with its label, type, performer, count, description, two attestations
  with source and quote, and a person detained), about 15 triples each; every
  tenth item has a mistake (in rotation: an unknown property, a literal where a
  resource belongs, a dangling reference, a count that is not a number, a quote
  not in its source), so the cost per finding is measured as well as per triple;
- depth contributions: one release whose attestation nests blank nodes
  `ppd:attestedBy [ ppd:attestedBy [ ... ] ]` to the given depth, half of the
  levels through a property the ontology does not define (each of those a finding).

A contribution over the size limit (`[checks] max-contribution-triples`, or
`--max-triples`) is refused up front with exit 2; the table says so.

It measures; it asserts nothing. Targets (issue 13): 50k triples under 10 s and
500 MB; 1M triples under 2 min or refused up front; depth 5,000 under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = """@prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
@prefix ppdv: <https://w3id.org/ppdkg/vocab/> .
@prefix ppdr: <https://w3id.org/ppdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

ppdr:scale-source a ppd:SourceDocument ;
    rdfs:label "Scale benchmark source (invented)" ;
    ppd:textFile "docs/examples/example-report.txt" .

"""
TRIPLES_PER_ITEM = 15


def release(i: int) -> str:
    """One release (about 15 triples); every tenth one has a mistake, in rotation."""
    mistake = (i // 10) % 5 if i % 10 == 9 else None
    count = '"several"' if mistake == 3 else str(i % 40 + 1)
    performer = f"ppdr:scale-nowhere-{i}" if mistake == 2 else "ppdr:belarus"
    detainee = ' "a person"' if mistake == 1 else f" ppdr:scale-person-{i}"
    count_property = "ppd:personCont" if mistake == 0 else "ppd:personCount"
    quote = "a passage the report never printed" if mistake == 4 else "Northland released four political prisoners"
    return f"""ppdr:scale-release-{i} a ppd:Release ;
    rdfs:label "Release number {i} (scale benchmark)" ;
    ppd:eventType ppdv:event-type-release ;
    ppd:performedBy {performer} ;
    {count_property} {count} ;
    ppd:detainee{detainee} ;
    ppd:detaineeDescription "political prisoners" ;
    ppd:attestedBy
        [ ppd:source ppdr:scale-source ; ppd:quote "{quote}" ] ,
        [ ppd:source ppdr:scale-source ; ppd:quote "on Tuesday" ] .

ppdr:scale-person-{i} a ppd:Person ;
    skos:prefLabel "Scale Person {i}"@en .

"""


def write_sized(path: Path, triples: int) -> Path:
    items = max(1, triples // TRIPLES_PER_ITEM)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(items):
            out.write(release(i))
    return path


def write_nested(path: Path, depth: int) -> Path:
    """A release whose attestation nests ``depth`` blank nodes; every other level via an unknown property."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        out.write('ppdr:scale-deep a ppd:Release ;\n    rdfs:label "Deeply nested release (scale benchmark)" ;\n'
                  "    ppd:eventType ppdv:event-type-release ;\n    ppd:attestedBy ")
        for level in range(depth):
            out.write("[ ppd:nestedLevel " if level % 2 else "[ ppd:attestedBy ")
        out.write('"bottom"')
        for level in range(depth):
            out.write(" ]")
        out.write(" .\n")
    return path


def triples_of(path: Path) -> int:
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def ensure_built(project: Path, env: dict) -> None:
    """Build the project's embedded store unless `kgbuild validate` would already use it."""
    sys.path.insert(0, str(ROOT / "src"))
    from kgbuild.errors import StaleStoreError
    from kgbuild.project import load_project
    from kgbuild.workspace.versions import open_store

    try:
        open_store(load_project(project))
        return
    except StaleStoreError:
        pass
    subprocess.run([sys.executable, "-m", "kgbuild", "build", "--project", str(project)], env=env, check=True,
                   capture_output=True)


def run_validate(path: Path, project: Path, env: dict, extra: list[str]) -> dict:
    """One `kgbuild validate FILE` process: wall and CPU seconds, peak resident MB, exit code, findings by rule."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "kgbuild", "validate", str(path), "--project", str(project), "--format", "json",
             *extra],
            stdout=out, stderr=err, env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the build's
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    rules: dict[str, int] = {}
    if stdout.strip():
        try:
            for finding in json.loads(stdout).get("findings", []):
                rules[finding["rule"]] = rules.get(finding["rule"], 0) + 1
        except ValueError:
            pass
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "exit": child.returncode,
            "rules": rules, "stderr": stderr.strip().splitlines()[-1] if stderr.strip() else ""}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5k,10k,50k,200k,1M",
                        help="contribution sizes in triples (comma-separated; 200k is the default size limit)")
    parser.add_argument("--depths", default="1000,5000", help="blank-node nesting depths (comma-separated)")
    parser.add_argument("--project", type=Path, default=ROOT, help="the project to check against (built if needed)")
    parser.add_argument("--keep", type=Path, help="write the generated contributions here (default: a temporary folder)")
    parser.add_argument("validate_options", nargs="*", help="extra options for `kgbuild validate` (after --)")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    project = args.project.resolve()
    ensure_built(project, env)
    cases = [("size", parse_size(s)) for s in args.sizes.split(",") if s.strip()]
    cases += [("depth", int(d)) for d in args.depths.split(",") if d.strip()]
    print("| contribution | triples | seconds | CPU seconds | peak MB | exit | findings |")
    print("|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for kind, n in cases:
            if kind == "size":
                path = write_sized(folder / f"scale-{label(n)}.ttl", n)
                name = f"{label(n)} triples ({max(1, n // TRIPLES_PER_ITEM):,} releases)"
            else:
                path = write_nested(folder / f"nested-{n}.ttl", n)
                name = f"blank nodes nested {n:,} deep"
            count = triples_of(path)
            got = run_validate(path, project, env, args.validate_options)
            found = ", ".join(f"{rule} {number}" for rule, number in sorted(got["rules"].items()))
            if got["exit"] == 2:
                found = f"refused: {got['stderr']}"
            print(f"| {name} | {count:,} | {got['seconds']:.2f} | {got['cpu']:.2f} | {got['peak_mb']:.0f} | "
                  f"{got['exit']} | {found} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
