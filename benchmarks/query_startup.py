"""Time `kgbuild query` as a whole process (interpreter start included).

Run after `kgbuild build` (the query reads the embedded store it writes):

    python3 benchmarks/query_startup.py [--runs 20] [--query cq01-release-timeline]

Prints min / median / max wall time over the runs against the target median
of 0.3 s on the project's 2-core machine. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--query", default="cq01-release-timeline")
    parser.add_argument("--project", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    executable = shutil.which("kgbuild")
    command = [executable] if executable else [sys.executable, "-m", "kgbuild"]
    command += ["query", args.query, "--project", args.project, "--format", "csv"]
    warm = subprocess.run(command, capture_output=True)  # warm the file cache; stops if the store is missing or stale
    if warm.returncode != 0:
        print(warm.stderr.decode("utf-8", "replace").rstrip(), file=sys.stderr)
        print(f"query_startup: `{' '.join(command)}` exited {warm.returncode}; run `kgbuild build` first", file=sys.stderr)
        return 2
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"kgbuild query {args.query}: {args.runs} runs")
    print(f"  min {min(times):.3f} s   median {median:.3f} s   max {max(times):.3f} s")
    print(f"  target: median < {TARGET:.1f} s — {'met' if median < TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
