"""`kgbuild queries` and `kgbuild query` end to end, on a built copy of the real project (and the mini one)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import append, run_cli

ROOT = Path(__file__).resolve().parent.parent
KALESNIKAVA = "Maria Kalesnikava"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the real project, built once for this module."""
    copy = tmp_path_factory.mktemp("real") / "project"
    copy.mkdir()
    shutil.copy(ROOT / "kgbuild.toml", copy / "kgbuild.toml")
    for name in ("ontology", "shapes", "data", "queries", "docs"):
        shutil.copytree(ROOT / name, copy / name)
    result = run_cli("build", "--project", str(copy))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (copy / ".kgbuild" / "store.json").is_file()  # the manifest names the current store
    return copy


def query(project: Path, *args: str):
    return run_cli("query", "--project", str(project), *args)


# --- kgbuild queries ----------------------------------------------------------------


def test_queries_lists_names_titles_and_params(project):
    result = run_cli("queries", "--project", str(project))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    names = sorted(path.stem for path in (project / "queries").glob("*.rq"))
    listed = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert listed == names
    cq11 = next(line for line in lines if line.startswith("cq11-name-lookup "))
    assert "Find a person or organisation by any spelling" in cq11 and "[CQ11]" in cq11
    following = lines[lines.index(cq11) + 1]
    assert following.strip().startswith("-p name=<xsd:string> (required) a spelling")
    assert result.stderr == ""


def test_queries_json_parses(project):
    result = run_cli("queries", "--project", str(project), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    by_name = {entry["name"]: entry for entry in data}
    assert by_name["cq11-name-lookup"]["params"] == [
        {
            "name": "name",
            "type": "xsd:string",
            "required": True,
            "default": None,
            "description": "a spelling or transliteration of the name, or its first or last word",
        }
    ]
    assert by_name["cq11-name-lookup"]["answers"] == ["CQ11"]
    assert by_name["cq08-totals"]["file"] == "queries/cq08-totals.rq"
    assert all(entry["title"] for entry in data)


# --- kgbuild query ------------------------------------------------------------------


def test_name_lookup(project):
    result = query(project, "cq11-name-lookup", "-p", "name=Kolesnikova")
    assert result.exit_code == 0, result.stderr
    assert KALESNIKAVA in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "md"])
def test_each_format(project, fmt):
    result = query(project, "cq11-name-lookup", "-p", "name=Kolesnikova", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert KALESNIKAVA in out
    if fmt == "csv":
        raw = result.stdout_bytes  # click's Result.stdout turns CRLF into LF
        assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == raw.count(b"\n")
        assert not out.startswith("?")
    elif fmt == "tsv":
        assert out.startswith("?") and "\t" in out.splitlines()[0]
        assert f'"{KALESNIKAVA}' in out
    elif fmt == "json":
        data = json.loads(out)
        values = [b["value"] for row in data["results"]["bindings"] for b in row.values()]
        assert KALESNIKAVA in values
        assert data["head"]["vars"]
    elif fmt == "md":
        assert out.startswith("| ") and out.splitlines()[1].startswith("|---|")
    else:
        assert out.splitlines()[0].startswith("?")
        assert out.rstrip().endswith(("row)", "rows)"))


def test_output_file_gets_results_and_stdout_nothing(project, tmp_path):
    target = tmp_path / "out.csv"
    expected = query(project, "cq11-name-lookup", "-p", "name=Kolesnikova", "--format", "csv").stdout_bytes
    result = query(project, "cq11-name-lookup", "-p", "name=Kolesnikova", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert target.read_bytes() == expected  # CRLF kept, no newline translation
    assert b"\r\n" in expected
    assert result.stderr.startswith("kgbuild: wrote ") and str(target) in result.stderr
    assert not list(tmp_path.glob(".*.tmp"))


def test_query_by_file_path(project):
    result = query(project, str(project / "queries" / "cq08-totals.rq"), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == query(project, "cq08-totals", "--format", "csv").stdout_bytes


def test_unknown_query_exits_2_with_suggestion(project):
    result = query(project, "cq11-name-lookp")
    assert result.exit_code == 2
    assert "did you mean cq11-name-lookup" in result.stderr
    assert result.stderr.startswith("kgbuild: error: ")
    assert result.stdout == ""


def test_missing_required_param_exits_2(project):
    result = query(project, "cq11-name-lookup")
    assert result.exit_code == 2
    assert "missing required parameter name" in result.stderr and "-p name=VALUE" in result.stderr
    assert result.stdout == ""


def test_unknown_param_exits_2(project):
    result = query(project, "cq11-name-lookup", "-p", "name=x", "-p", "nmae=y")
    assert result.exit_code == 2
    assert "unknown parameter nmae (declared: name)" in result.stderr
    assert result.stdout == ""


def test_malformed_and_repeated_params_exit_2(project):
    assert query(project, "cq11-name-lookup", "-p", "name").exit_code == 2
    result = query(project, "cq11-name-lookup", "-p", "name=a", "-p", "name=b")
    assert result.exit_code == 2 and "given twice" in result.stderr


def test_bad_typed_values_exit_2(project, tmp_path):
    result = query(project, "what-happened-to", "-p", "person=<urn:x> } ; DROP ALL")
    assert result.exit_code == 2
    assert "is not a valid IRI" in result.stderr
    typed = tmp_path / "typed.rq"
    typed.write_text("# title: typed\n# param: n xsd:integer required -- a number\nSELECT ?n WHERE { VALUES ?x { 1 } }\n", encoding="utf-8")
    result = query(project, str(typed), "-p", "n=abc")
    assert result.exit_code == 2
    assert "n='abc' is not a valid xsd:integer" in result.stderr
    assert result.stdout == ""


def test_hostile_string_is_just_a_literal(project):
    result = query(project, "cq11-name-lookup", "-p", 'name="} ; DROP ALL ; #', "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert KALESNIKAVA not in result.stdout
    again = query(project, "cq11-name-lookup", "-p", "name=Kolesnikova")
    assert KALESNIKAVA in again.stdout  # nothing was dropped


@pytest.mark.parametrize(
    "args",
    [
        ("cq01-release-timeline",),
        ("cq08-totals",),
        ("cq11-name-lookup", "-p", "name=Kolesnikova"),
        ("what-happened-to", "-p", "person=ppdr:ales-bialiatski"),
    ],
)
def test_rdflib_engine_gives_the_same_csv(project, args):
    default = query(project, *args, "--format", "csv")
    rdflib = query(project, *args, "--format", "csv", "--engine", "rdflib")
    assert default.exit_code == 0 and rdflib.exit_code == 0, default.stderr + rdflib.stderr
    assert default.stdout_bytes.count(b"\r\n") > 1
    assert rdflib.stdout_bytes == default.stdout_bytes


def test_stale_store_exits_2_and_names_the_file(mini):
    assert run_cli("build", "--project", str(mini)).exit_code == 0
    assert run_cli("query", "sample", "--project", str(mini)).exit_code == 0
    append(mini / "data" / "people.ttl", "\n# edited after the build\n")
    result = run_cli("query", "sample", "--project", str(mini))
    assert result.exit_code == 2
    assert "data/people.ttl (changed)" in result.stderr
    assert "run `kgbuild build`" in result.stderr
    assert result.stdout == ""


def test_no_store_exits_2(mini):
    result = run_cli("query", "sample", "--project", str(mini))
    assert result.exit_code == 2
    assert "run `kgbuild build` first" in result.stderr


# --- start-up: the query path imports nothing heavy ---------------------------------

PROBE = """
import sys
from kgbuild.cli import main
sys.argv = ["kgbuild", "query", "--project", sys.argv[1], "--format", "csv", "cq08-totals"]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(name for name in ("rdflib", "pyshacl", "httpx") if name in sys.modules)
print("EXIT", code, file=sys.stderr)
print("HEAVY", ",".join(heavy) or "none", file=sys.stderr)
"""


def test_query_imports_no_heavy_library(project):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(project)], capture_output=True, env=env, timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    assert "EXIT 0" in stderr, stderr
    assert "HEAVY none" in stderr, stderr
    assert done.stdout.count(b"\r\n") >= 2


def test_output_into_a_missing_directory_exits_2(project, tmp_path):
    """An unwritable -o target is unusable output: a one-line error and exit 2, not a traceback."""
    import inspect

    from click.testing import CliRunner

    from kgbuild.cli import cli

    options = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    result = CliRunner(**options).invoke(cli, ["query", "--project", str(project), "cq08-totals", "-o", str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code == 2, repr(result.exception)
    assert "kgbuild: error: " in result.stderr


def test_query_process_imports_nothing_heavy_per_importtime(project):
    """`python -X importtime -m kgbuild query cq01-release-timeline`: no rdflib, pyshacl or httpx."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kgbuild", "query", "cq01-release-timeline", "--project", str(project)],
        capture_output=True, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.decode("utf-8", "replace").splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "pyoxigraph" in imported and "click" in imported
    heavy = sorted(name for name in imported if name.split(".")[0] in ("rdflib", "pyshacl", "httpx", "pyparsing"))
    assert heavy == []
    assert b"(" in done.stdout and b"rows)" in done.stdout


def test_queries_check_on_the_real_catalogue(project):
    result = run_cli("queries", "--project", str(project), "--check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("0 violations, 0 warnings, 0 info — conforms")
    data = json.loads(run_cli("queries", "--project", str(project), "--check", "--format", "json").stdout)
    assert data["check"]["conforms"] is True and {q["name"] for q in data["queries"]} >= {"cq01-release-timeline"}


def test_queries_check_reports_every_problem_and_exits_1(mini):
    (mini / "queries" / "unused.rq").write_text(
        "# title: unused\n# param: who IRI required -- somebody\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8"
    )
    (mini / "queries" / "bad-header.rq").write_text("# title: bad\n# author: me\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    result = run_cli("queries", "--project", str(mini), "--check")
    assert result.exit_code == 1
    assert "queries/unused.rq:2: VIOLATION query-parameter-unused" in result.stdout
    assert "queries/bad-header.rq:2: VIOLATION query-header" in result.stdout
    assert result.stdout.startswith("sample ")  # the readable queries are still listed
    plain = run_cli("queries", "--project", str(mini))  # without --check a bad header stops the listing
    assert plain.exit_code == 2 and "queries/bad-header.rq:2: unknown header key 'author'" in plain.stderr


def test_a_nonpositive_timeout_is_a_usage_error(project):
    result = query(project, "cq08-totals", "--timeout", "0")
    assert result.exit_code == 2
    assert "--timeout" in result.stderr


def test_output_file_replaces_an_existing_one(project, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    result = query(project, "cq08-totals", "--format", "json", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["head"]["vars"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
