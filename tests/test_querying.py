"""`kgbuild query` on the embedded store: light start-up, stale-store detection, CLI behaviour."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kgbuild.builder import build
from kgbuild.errors import StaleStoreError
from kgbuild.project import load_project
from kgbuild.querying import run_query

from conftest import append, run_cli


@pytest.fixture
def built_mini(mini):
    assert build(load_project(mini)).store is not None
    return mini


def test_query_path_imports_no_rdflib_pyshacl_or_sparqlwrapper(built_mini):
    script = (
        "import sys\n"
        "from kgbuild.cli import cli\n"
        f"try:\n    cli(['query', 'sample', '--project', {str(built_mini)!r}, '--format', 'csv'])\n"
        "except SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        "print(sorted(m for m in ('rdflib', 'pyshacl', 'SPARQLWrapper') if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Charles Babbage" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_stale_store_is_reported_not_used(built_mini):
    project = load_project(built_mini)
    assert run_query(project, "sample").rows
    append(built_mini / "data" / "people.ttl", "\n# a curator's edit\n")
    with pytest.raises(StaleStoreError, match=r"data/people.ttl \(changed\).*run `kgbuild build`"):
        run_query(project, "sample")
    result = run_cli("query", "sample", "--project", str(built_mini))
    assert result.exit_code == 2
    assert "kgbuild: error: the embedded store is older than the data — data/people.ttl (changed)" in result.stderr
    assert result.stdout == ""
    build(project)
    assert run_query(project, "sample").rows


def test_no_store_before_the_first_build(mini):
    result = run_cli("query", "sample", "--project", str(mini))
    assert result.exit_code == 2
    assert "no embedded store" in result.stderr and "run `kgbuild build` first" in result.stderr


def test_query_formats_and_output_file(built_mini, tmp_path):
    csv = run_cli("query", "sample", "--project", str(built_mini), "--format", "csv")
    assert csv.exit_code == 0
    assert csv.stdout_bytes.startswith(b"meeting,person\r\n")  # W3C CSV: CRLF line ends
    parsed = json.loads(run_cli("query", "sample", "--project", str(built_mini), "--format", "json").stdout)
    assert parsed["head"]["vars"] == ["meeting", "person"]
    target = tmp_path / "out.csv"
    written = run_cli("query", "sample", "--project", str(built_mini), "--format", "csv", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_bytes() == csv.stdout_bytes
    same = run_cli("query", "sample", "--project", str(built_mini), "--format", "csv", "--engine", "rdflib")
    assert sorted(same.stdout.splitlines()) == sorted(csv.stdout.splitlines())


def test_queries_lists_the_catalogue(built_mini):
    result = run_cli("queries", "--project", str(built_mini))
    assert result.exit_code == 0
    assert "sample  Meetings and who attended" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch",), "no stored query named 'nosuch'"),
        (("sampel",), "did you mean sample?"),
        (("sample", "-p", "x=1"), "sample: unknown parameter x (declared: none)"),
        (("sample", "-p", "novalue"), "parameter 'novalue' is not NAME=VALUE"),
    ],
)
def test_query_errors_exit_2(built_mini, args, message):
    result = run_cli("query", *args, "--project", str(built_mini))
    assert result.exit_code == 2
    assert message in result.stderr
