"""The benchmarks keep working: each runs at its smallest size (timings are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    assert [p.name for p in sorted((first / "data" / "sources").iterdir())] == ["synth_00000.txt"]


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
