"""Throughput of `kgbuild load` into a local Oxigraph server, beside two references.

    python3 benchmarks/load_throughput.py [--triples 1000000] [--chunk-size 100000] [--runs 1]

Writes a synthetic graph (benchmarks/synth.py) as sorted N-Triples, then, each
into a fresh, empty store:

- `kgbuild load --replace` (library call `load_file` into the default graph:
  count before, chunks into a staging graph, staging count, MOVE, drop, final
  count) against `oxigraph serve` on 127.0.0.1, with the time until the last
  chunk was sent shown apart from the swap;
- `kgbuild load --direct` (chunks straight into the empty target, count);
- one plain HTTP POST of the same file to the server's Graph Store endpoint
  (`/store?default`);
- Oxigraph's own offline loader, `oxigraph load --location DIR --file FILE`.

Prints triples per second for each and kgbuild's rate as a share of the
plain POST's (issue 5's target: at least 80%). Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import generate  # noqa: E402

_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def write_ntriples(directory: Path, triples: int) -> tuple[Path, int]:
    """The synthetic project's ontology and data as one sorted N-Triples file; (path, triple count)."""
    import pyoxigraph as ox

    from kgbuild.project import load_project

    project = load_project(generate(directory / "project", triples=triples, seed=1))
    dataset = ox.Store()
    for path in project.ontology_files() + project.data_files():
        dataset.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    data = dataset.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    lines = sorted(line for line in data.split(b"\n") if line)
    path = directory / "graph.nt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, len(lines)


class Server:
    """`oxigraph serve` on a fresh location and a free loopback port."""

    def __init__(self, location: Path) -> None:
        from kgbuild.serve import oxigraph_command

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [oxigraph_command(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)

    def count(self) -> int:
        import json
        import urllib.parse

        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        request = urllib.request.Request(self.url + "/query?" + query,
                                         headers={"Accept": "application/sparql-results+json"})
        with _LOOPBACK.open(request, timeout=600) as response:
            return int(json.load(response)["results"]["bindings"][0]["n"]["value"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def time_kgbuild(path: Path, location: Path, chunk_size: int, *, direct: bool) -> tuple[float, float, int]:
    """(seconds in all, seconds until the last chunk was sent, triples in the target afterwards)."""
    from kgbuild.load import Endpoints, load_file

    server = Server(location)
    try:
        last_chunk = []
        started = time.perf_counter()
        result = load_file(path, Endpoints.derive(server.url + "/query"), replace=True, direct=direct,
                           chunk_size=chunk_size, timeout=3600,
                           progress=lambda done, total: last_chunk.append(time.perf_counter()))
        seconds = time.perf_counter() - started
        return seconds, last_chunk[-1] - started, result.after
    finally:
        server.stop()


def time_plain_post(path: Path, location: Path) -> tuple[float, int]:
    server = Server(location)
    try:
        started = time.perf_counter()
        data = path.read_bytes()
        request = urllib.request.Request(server.url + "/store?default", data=data, method="POST",
                                         headers={"Content-Type": "application/n-triples"})
        with _LOOPBACK.open(request, timeout=3600) as response:
            response.read()
        seconds = time.perf_counter() - started
        return seconds, server.count()
    finally:
        server.stop()


def time_offline(path: Path, location: Path) -> float:
    from kgbuild.serve import oxigraph_command

    started = time.perf_counter()
    subprocess.run([oxigraph_command(), "load", "--location", str(location), "--file", str(path)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(triples: int, chunk_size: int, runs: int) -> dict:
    """Median seconds of each way of loading, and the triple count; the figures `main` prints."""
    with tempfile.TemporaryDirectory(prefix="kgbuild-load-bench-") as tmp:
        directory = Path(tmp)
        path, count = write_ntriples(directory, triples)
        kgbuild_s, chunks_s, direct_s, plain_s, offline_s = [], [], [], [], []
        for run in range(runs):
            seconds, sending, loaded = time_kgbuild(path, directory / f"kgbuild-{run}", chunk_size, direct=False)
            assert loaded == count, f"kgbuild load left {loaded} triples, {count} expected"
            kgbuild_s.append(seconds)
            chunks_s.append(sending)
            seconds, _, loaded = time_kgbuild(path, directory / f"direct-{run}", chunk_size, direct=True)
            assert loaded == count, f"kgbuild load --direct left {loaded} triples, {count} expected"
            direct_s.append(seconds)
            seconds, loaded = time_plain_post(path, directory / f"plain-{run}")
            assert loaded == count, f"the plain POST left {loaded} triples, {count} expected"
            plain_s.append(seconds)
            offline_s.append(time_offline(path, directory / f"offline-{run}"))
        return {
            "triples": count,
            "bytes": path.stat().st_size,
            "kgbuild": statistics.median(kgbuild_s),
            "chunks": statistics.median(chunks_s),
            "direct": statistics.median(direct_s),
            "plain": statistics.median(plain_s),
            "offline": statistics.median(offline_s),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    parser.add_argument("--chunk-size", type=int, default=100_000, help="triples per request for kgbuild load")
    parser.add_argument("--runs", type=int, default=1, help="runs of each (the median is shown)")
    args = parser.parse_args()
    figures = measure(args.triples, args.chunk_size, args.runs)
    count = figures["triples"]
    print(f"graph: {count} triples of N-Triples ({figures['bytes'] / 1e6:.0f} MB)")
    for label, key in (("kgbuild load --replace (staging, MOVE, counts)", "kgbuild"),
                       ("  of which: chunks into the staging graph", "chunks"),
                       ("kgbuild load --direct (empty target, counts)", "direct"),
                       ("plain POST to /store?default", "plain"),
                       ("oxigraph load (offline, empty directory)", "offline")):
        seconds = figures[key]
        print(f"{label:50} {seconds:7.2f} s  {count / seconds:10,.0f} triples/s")
    swap = figures["kgbuild"] - figures["chunks"]
    print(f"  of which: staging count, MOVE, drop, final count: {swap:.2f} s")
    print(f"rate as a share of the plain POST's: --replace {figures['plain'] / figures['kgbuild']:.0%}, "
          f"--direct {figures['plain'] / figures['direct']:.0%} (target: at least 80%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
