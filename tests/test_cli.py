from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import append, run_cli, snapshot

from kgbuild import __version__
from kgbuild.checks.build import validate
from kgbuild.project import load_project


def test_version():
    result = run_cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"kgbuild {__version__}\n")


@pytest.mark.parametrize(
    ("command", "phrase"),
    [
        ("build", "graph.ttl, graph.nt and graph.nq only when no finding is at the --fail-on level"),
        ("validate", "write nothing"),
        ("stats", "entities per class"),
    ],
)
def test_every_command_explains_itself(command, phrase):
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert phrase in " ".join(result.stdout.split())
    assert "--project" in result.stdout and "--format" in result.stdout


def test_build_project_with_a_warning(mini):
    result = run_cli("build", "--project", str(mini))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "WARNING MeetingHasDate" in out
    assert "0 violations, 1 warning, 0 info — does not conform (warnings only: passes --fail-on violation)" in out
    assert "triples: 72 (ontology 44, data 28)" in out
    assert "sample answer (queries/sample.rq):" in out
    assert "Party at Babbage's house        Charles Babbage" in out
    assert f"kgbuild: wrote {mini / 'dist'}: graph.nq, graph.nt, graph.ttl, stats.json" in result.stderr
    assert (mini / "dist" / "graph.ttl").is_file()


def test_build_json_output(mini):
    result = run_cli("build", "--project", str(mini), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["report"] == json.loads((mini / "dist" / "validation-report.json").read_text("utf-8"))
    assert data["stats"]["triples"] == 72
    assert data["sample"]["columns"] == ["meeting", "person"]
    assert data["files"] == [
        "graph.nq", "graph.nt", "graph.ttl", "stats.json", "validation-report.json", "validation-report.ttl"
    ]


def test_syntax_error_exits_2_naming_file_and_line(mini):
    (mini / "data" / "bad.ttl").write_text(
        "@prefix mo: <https://example.org/mini/ontology#> .\n\nmo:x mo:y mo:z mo:w .\n", "utf-8"
    )
    append(mini / "ontology" / "mini.ttl", "\nmo:q a owl:Class\n")
    result = run_cli("build", "--project", str(mini))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "kgbuild: error: ontology/mini.ttl:32:1: Turtle syntax error: Unexpected end",
        "kgbuild: error: data/bad.ttl:3:16: Turtle syntax error: A dot is expected at the end of statements",
    ]
    assert not (mini / "dist").exists()


def test_quote_not_in_source_exits_1_without_graph(mini):
    text = mini / "data" / "events" / "meetings.ttl"
    text.write_text(text.read_text("utf-8").replace("In 1843 she published", "In 1843 he published"), "utf-8")
    result = run_cli("build", "--project", str(mini))
    assert result.exit_code == 1
    (line,) = [line for line in result.stdout.splitlines() if "quote-not-in-source" in line]
    assert line.startswith("data/events/meetings.ttl:21: VIOLATION quote-not-in-source — mr:meeting-1843 mo:attestedBy []")
    assert "quote not found in data/sources/src-1.txt" in line
    assert "graph not published" in result.stderr
    assert sorted(p.name for p in (mini / "dist").iterdir()) == [
        "stats.json", "validation-report.json", "validation-report.ttl"
    ]


def test_validate_writes_nothing(mini):
    before = snapshot(mini)
    result = run_cli("validate", "--project", str(mini))
    assert result.exit_code == 0
    assert result.stdout.endswith("0 violations, 1 warning, 0 info — does not conform "
                                  "(warnings only: passes --fail-on violation)\n")
    assert snapshot(mini) == before


def test_validate_json_equals_the_report(mini):
    result = run_cli("validate", "--project", str(mini), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == validate(load_project(mini)).to_dict()


@pytest.mark.parametrize(("fail_on", "code"), [("violation", 0), ("warning", 1), ("info", 1)])
def test_validate_fail_on(mini, fail_on, code):
    assert run_cli("validate", "--project", str(mini), "--fail-on", fail_on).exit_code == code


def test_validate_with_only_a_warning_does_not_conform_but_passes_the_default_fail_on(mini):
    default = run_cli("validate", "--project", str(mini), "--format", "json")
    assert default.exit_code == 0
    data = json.loads(default.stdout)
    assert data["conforms"] is False and data["counts"] == {"violation": 0, "warning": 1, "info": 0}
    strict = run_cli("validate", "--project", str(mini), "--fail-on", "warning")
    assert strict.exit_code == 1
    assert strict.stdout.endswith("0 violations, 1 warning, 0 info — does not conform (fails --fail-on warning)\n")


def test_build_fail_on_warning_withholds_the_graph(mini):
    result = run_cli("build", "--project", str(mini), "--fail-on", "warning")
    assert result.exit_code == 1
    assert "0 violations, 1 warning, 0 info — does not conform (fails --fail-on warning)" in result.stdout
    assert "kgbuild: graph not published: fix the violations and warnings first (--fail-on warning)" in result.stderr
    assert sorted(p.name for p in (mini / "dist").iterdir()) == [
        "stats.json", "validation-report.json", "validation-report.ttl"
    ]
    assert run_cli("build", "--project", str(mini), "--fail-on", "info").exit_code == 1
    assert run_cli("build", "--project", str(mini)).exit_code == 0  # the default, --fail-on violation
    assert (mini / "dist" / "graph.nt").is_file()


def test_validate_finds_current_directory_project(mini, monkeypatch):
    monkeypatch.chdir(mini / "data")
    assert run_cli("validate").exit_code == 0


def test_unknown_project_directory_exits_2(tmp_path):
    result = run_cli("validate", "--project", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr == f"kgbuild: error: project directory not found: {tmp_path / 'nope'}\n"


def test_bad_query_exits_2(mini):
    (mini / "shapes" / "quotes.rq").write_text("SELECT ?node ?quote WHERE { ?node ?p ?quote }\n", "utf-8")
    result = run_cli("validate", "--project", str(mini))
    assert result.exit_code == 2
    assert result.stderr == (
        "kgbuild: error: shapes/quotes.rq: must select ?node ?quote ?textFile; missing ?textFile\n"
    )


def test_stats_text_and_json(mini):
    text = run_cli("stats", "--project", str(mini))
    assert text.exit_code == 0
    assert text.stdout.splitlines()[:3] == [
        "triples: 72 (ontology 44, data 28)",
        "entities per class:",
        "  mo:Meeting         2",
    ]
    data = json.loads(run_cli("stats", "--project", str(mini), "--format", "json").stdout)
    assert data["facts_per_source"][0]["facts"] == 2


def test_cli_module_imports_no_heavy_libraries():
    code = "import sys, kgbuild.cli; print(sorted(m for m in ('rdflib', 'pyshacl', 'pyoxigraph') if m in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout == "[]\n"


def test_validate_real_project_shows_findings_by_severity():
    """The real graph conforms; --show decides which findings are printed, the summary counts all."""
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    default = run_cli("validate", "--project", root)
    assert default.exit_code == 0, default.stdout
    assert "WARNING ClaimConflictUnresolved" in default.stdout
    assert "INFO " not in default.stdout
    assert "findings less severe than warning not shown: --show info lists them" in default.stdout
    assert "0 violations, 6 warnings" in default.stdout

    everything = run_cli("validate", "--project", root, "--show", "info")
    assert "INFO EventTimeUnknown" in everything.stdout
    assert "not shown" not in everything.stdout

    strict = run_cli("validate", "--project", root, "--fail-on", "warning", "--show", "violation")
    assert strict.exit_code == 1
    assert "WARNING" not in strict.stdout.replace("6 warnings", "")


def test_validate_engine_pyshacl_gives_the_same_report_and_exit_status(mini):
    append(mini / "data" / "people.ttl", "\nmr:grace a mo:Person .\n")  # a person without a name: a violation
    ours = run_cli("validate", "--project", str(mini), "--format", "json")
    reference = run_cli("validate", "--project", str(mini), "--format", "json", "--engine", "pyshacl")
    assert (ours.exit_code, reference.exit_code) == (1, 1)
    assert reference.stdout == ours.stdout
    assert "PersonName" in reference.stdout
    text = run_cli("validate", "--project", str(mini), "--engine", "pyshacl")
    assert text.stdout == run_cli("validate", "--project", str(mini)).stdout


def test_validate_engine_pyshacl_is_for_the_project_not_a_contribution(mini, tmp_path):
    contribution = tmp_path / "new.ttl"
    contribution.write_text("", encoding="utf-8")
    result = run_cli("validate", str(contribution), "--project", str(mini), "--engine", "pyshacl")
    assert result.exit_code == 2
    assert "--engine pyshacl validates the whole project" in result.stderr
