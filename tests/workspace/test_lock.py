"""The workspace under concurrency: one build at a time per checkout, readers always see a complete store.

Real ``kgbuild`` processes on a copy of the mini project. Every wait is
bounded (subprocess timeouts, a fixed number of rounds); nothing sleeps to
let something else happen.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kgbuild.builder import build
from kgbuild.project import load_project
from kgbuild.workspace.manifest import manifest_path
from kgbuild.workspace.versions import open_store

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
LIMIT = 300  # seconds any one kgbuild process may take (the machine may be busy): a hang fails, it does not block
SAMPLE = "SELECT ?n WHERE { ?p <https://example.org/mini/ontology#name> ?n } ORDER BY ?n"


def kgbuild(*args: str, project: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kgbuild", *args, "--project", str(project)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"kgbuild {process.args[3:]} took more than {LIMIT} s: {err[-2000:]}")
    return process.returncode, out, err


def names(store) -> list[str]:
    return [str(row["n"].value) for row in store.query(SAMPLE)]


def exported(project) -> bytes:
    from io import BytesIO

    from kgbuild.export import export

    sink = BytesIO()
    export(project, "nt", stream=sink)
    return sink.getvalue()


def assert_consistent(project_dir: Path) -> None:
    """The manifest names an existing store holding dist/graph.nt, and dist/ holds what the manifest says."""
    project = load_project(project_dir)
    manifest = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    assert "store" in manifest, "the manifest does not name its store"
    assert (project.store_dir.parent / manifest["store"]).is_dir()
    for name, digest in manifest["outputs"]["files"].items():
        assert hashlib.sha256((project_dir / "dist" / name).read_bytes()).hexdigest() == digest, name
    assert sorted(p.name for p in (project_dir / "dist").iterdir()) == [
        "graph.nq", "graph.nt", "graph.ttl", "stats.json", "validation-report.json", "validation-report.ttl"]
    lines = [line for line in (project_dir / "dist" / "graph.nt").read_bytes().splitlines() if line.strip()]
    assert len(open_store(project)) == len(lines)
    versions = [p.name for p in project.store_dir.parent.iterdir() if p.name.startswith("store-")]
    assert manifest["store"] in versions and len(versions) <= 2, versions  # the current one and the previous
    leftovers = [p.name for p in project.store_dir.parent.iterdir() if p.name.endswith(".tmp") or ".old" in p.name]
    assert not leftovers
    from kgbuild.workspace.lock import build_running

    assert not build_running(project)


def test_parallel_builds_in_one_checkout_all_succeed_one_at_a_time(mini):
    for _round in range(2):
        processes = [kgbuild("build", project=mini) for _ in range(5)]
        results = [finish(process) for process in processes]
        for code, _out, err in results:
            assert "Traceback" not in err, err
            assert code == 0, err
            assert "kgbuild: wrote the embedded store" in err
    assert_consistent(mini)


def test_queries_during_repeated_builds_always_answer(mini):
    project = load_project(mini)
    build(project)
    expected = names(open_store(project))
    assert "Ada Lovelace" in expected
    code, expected_csv, err = finish(kgbuild("query", "sample", "--format", "csv", project=mini))
    assert code == 0, err
    expected_nt = exported(project)
    stop = threading.Event()
    problems: list[str] = []
    answers = {"cli": 0, "library": 0}

    def cli_queries() -> None:
        while True:  # at least once, then until the builds are done
            process = kgbuild("query", "sample", "--format", "csv", project=mini)
            try:
                out, err = process.communicate(timeout=LIMIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                problems.append(f"kgbuild query took more than {LIMIT} s")
                return
            answers["cli"] += 1
            if process.returncode != 0 or out != expected_csv or err:
                problems.append(f"kgbuild query: exit {process.returncode}: {err.strip()[-2000:]}")
            if stop.is_set():
                return

    reader = threading.Thread(target=cli_queries)
    reader.start()
    try:
        for _ in range(4):
            builder = kgbuild("build", project=mini)
            while len(problems) < 5:  # read as fast as possible while it builds (at least once)
                try:
                    answer = names(open_store(project))
                    graph = exported(project)
                except Exception as exc:  # noqa: BLE001 - any failure is the finding
                    problems.append(f"open_store/export: {type(exc).__name__}: {exc}")
                    continue
                answers["library"] += 1
                if answer != expected or graph != expected_nt:
                    problems.append(f"open_store answered {answer}, export {len(graph)} bytes")
                if builder.poll() is not None:
                    break
            code, _out, err = finish(builder)
            assert code == 0 and "Traceback" not in err, err
    finally:
        stop.set()
        reader.join(timeout=LIMIT)
    assert not problems, "\n".join(problems[:5])
    assert answers["cli"] >= 1 and answers["library"] >= 1, answers
    assert_consistent(mini)


def test_contribution_checks_and_validation_during_repeated_builds_use_a_complete_store(mini, tmp_path):
    from kgbuild.checks.build import validate
    from kgbuild.checks.contribution import check_contribution

    contribution = tmp_path / "grace.ttl"
    contribution.write_text("@prefix mo: <https://example.org/mini/ontology#> .\n"
                            "@prefix mr: <https://example.org/mini/id/> .\n"
                            'mr:grace a mo:Person ; mo:name "Grace Hopper" .\n'
                            'mr:ada mo:name "Ada King" .\n', encoding="utf-8")
    project = load_project(mini)
    build(project)
    expected = check_contribution(project, [contribution])
    assert expected.context == "embedded store"
    expected_validation = validate(project)
    checked = 0
    for _ in range(3):
        builder = kgbuild("build", project=mini)
        while True:  # at least once, then until the build is done
            result = check_contribution(project, [contribution])
            assert result.context == "embedded store"
            assert result.report == expected.report
            assert validate(project) == expected_validation
            checked += 1
            if builder.poll() is not None:
                break
        code, _out, err = finish(builder)
        assert code == 0 and "Traceback" not in err, err
    assert checked >= 1
    assert not [p.name for p in mini.joinpath(".kgbuild").iterdir() if ".check-" in p.name]  # working copies gone
    assert_consistent(mini)


def test_a_store_open_before_two_builds_still_answers(mini):
    project = load_project(mini)
    build(project)
    store = open_store(project)
    first = json.loads(manifest_path(project).read_text(encoding="utf-8"))["store"]
    build(project)
    build(project)
    assert not (project.store_dir.parent / first).exists()  # removed: two builds later it is not kept
    assert "Ada Lovelace" in names(store)
    assert names(open_store(project)) == names(store)


def test_a_second_build_waits_for_the_first_then_runs(mini):
    from kgbuild.workspace.lock import BuildLock

    project = load_project(mini)
    with BuildLock(project, wait=0):  # this process plays the running build
        waiting = kgbuild("build", project=mini)
        line = _first_stderr_line(waiting)
        assert line == f"kgbuild: waiting for the build running in this checkout (pid {os.getpid()})…"
        assert not manifest_path(project).exists()  # it has not built while the lock was held
    code, _out, err = finish(waiting)
    assert code == 0, err
    assert_consistent(mini)


def test_no_wait_stops_at_once_with_exit_2(mini):
    from kgbuild.workspace.lock import BuildLock

    project = load_project(mini)
    with BuildLock(project, wait=0):
        code, out, err = finish(kgbuild("build", "--no-wait", project=mini))
    assert code == 2
    assert out == ""
    assert err == (f"kgbuild: error: a build is running in this checkout (pid {os.getpid()}); try again when it "
                   "has finished, or wait for it with --wait (lock: .kgbuild/store.lock)\n")
    assert not (mini / "dist").exists() and not manifest_path(project).exists()


def test_waiting_gives_up_after_the_timeout_with_exit_2(mini):
    from kgbuild.workspace.lock import BuildLock

    project = load_project(mini)
    with BuildLock(project, wait=0):
        code, _out, err = finish(kgbuild("build", "--wait-timeout", "0.3", project=mini))
    assert code == 2
    assert err.splitlines() == [
        f"kgbuild: waiting for the build running in this checkout (pid {os.getpid()})…",
        f"kgbuild: error: a build is still running in this checkout (pid {os.getpid()}) after 0.3 s of waiting; "
        "try again when it has finished (lock: .kgbuild/store.lock)",
    ]


def test_the_lock_is_released_after_a_build_and_after_a_failed_one(mini):
    from kgbuild.workspace.lock import BuildLock, build_running, lock_path

    project = load_project(mini)
    build(project)
    assert lock_path(project).is_file() and not build_running(project)
    (mini / "data" / "people.ttl").write_text("@prefix broken", encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - an InputError; only the lock matters here
        build(project)
    assert not build_running(project)
    with BuildLock(project, wait=0):
        assert build_running(project)


def test_a_store_written_before_versions_needs_a_rebuild_which_retires_it(mini):
    from kgbuild.errors import StaleStoreError

    project = load_project(mini)
    build(project)
    manifest = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    (project.store_dir.parent / manifest.pop("store")).rename(project.store_dir)  # the old layout
    manifest_path(project).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StaleStoreError, match='it has no "store" field .*run `kgbuild build` to write it again'):
        open_store(project)
    build(project)
    assert not project.store_dir.exists()
    assert_consistent(mini)


def _first_stderr_line(process: subprocess.Popen) -> str:
    """The first line the process writes on stderr (bounded: a process that says nothing fails the test)."""
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stderr.readline()), daemon=True)
    reader.start()
    reader.join(timeout=LIMIT)
    if not found:
        process.kill()
        pytest.fail("the second build said nothing")
    return found[0].rstrip("\n")


def test_a_killed_build_leaves_no_lock_behind(mini):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from kgbuild.project import load_project\n"
         "from kgbuild.workspace.lock import BuildLock\n"
         "with BuildLock(load_project(sys.argv[1]), wait=0):\n"
         "    print('locked', flush=True)\n"
         "    time.sleep(600)\n", str(mini)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=ENV, text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        code, _out, err = finish(kgbuild("build", "--no-wait", project=mini))
        assert code == 2 and f"a build is running in this checkout (pid {holder.pid})" in err
    finally:
        holder.kill()  # SIGKILL: no chance to clean up
        holder.wait(timeout=LIMIT)
    code, _out, err = finish(kgbuild("build", "--no-wait", project=mini))
    assert code == 0, err
    assert_consistent(mini)
