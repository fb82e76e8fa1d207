from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import append
from rdflib.compare import isomorphic

from kgbuild.builder import GRAPH_FILES, REPORT_FILES, build
from kgbuild.errors import InputError, OutputError
from kgbuild.project import load_project

ALL_FILES = sorted(REPORT_FILES + GRAPH_FILES)


def test_build_with_only_a_warning_writes_every_file(mini):
    result = build(load_project(mini))
    dist = mini / "dist"
    assert result.out_dir == dist
    assert result.report.counts == {"violation": 0, "warning": 1, "info": 0}
    assert not result.report.conforms and result.graph_written  # published under the default fail_on="violation"
    assert sorted(p.name for p in dist.iterdir()) == ALL_FILES
    assert json.loads((dist / "validation-report.json").read_text("utf-8")) == result.report.to_dict()
    assert json.loads((dist / "stats.json").read_text("utf-8"))["triples"] == 72

    nt = rdflib.Graph().parse(dist / "graph.nt", format="nt")
    ttl = rdflib.Graph().parse(dist / "graph.ttl", format="turtle")
    assert len(nt) == 72 and isomorphic(nt, ttl)
    lines = (dist / "graph.nt").read_text("utf-8").splitlines()
    assert lines == sorted(lines)

    sizes = Counter(q.graph_name.value for q in ox.parse(path=dist / "graph.nq", format=ox.RdfFormat.N_QUADS))
    assert sizes == {
        "https://example.org/mini/graph/ontology": 44,
        "https://example.org/mini/graph/data": 28,
    }

    report = rdflib.Graph().parse(dist / "validation-report.ttl", format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert [o.toPython() for o in report.objects(None, sh.conforms)] == [False]  # a result: SHACL 3.6.1.1
    assert len(list(report.subjects(rdflib.RDF.type, sh.ValidationResult))) == 1
    assert json.loads((dist / "validation-report.json").read_text("utf-8"))["conforms"] is False


def test_sample_answer(mini):
    result = build(load_project(mini))
    assert result.sample.columns == ("meeting", "person")
    assert result.sample.rows == (
        ("Notes on the Analytical Engine", "Ada Lovelace"),
        ("Party at Babbage's house", "Ada Lovelace"),
        ("Party at Babbage's house", "Charles Babbage"),
    )


def test_violations_withhold_the_graph_and_remove_an_old_one(mini):
    project = load_project(mini)
    build(project)
    assert (mini / "dist" / "graph.ttl").exists()
    text = mini / "data" / "events" / "meetings.ttl"
    text.write_text(text.read_text("utf-8").replace("at a party in 1833", "at a ball in 1833"), "utf-8")
    result = build(project)
    assert result.report.fails("violation") and not result.graph_written
    assert [f.rule for f in result.report.findings if f.severity == "violation"] == ["quote-not-in-source"]
    assert sorted(p.name for p in (mini / "dist").iterdir()) == sorted(REPORT_FILES)


def test_fail_on_decides_publishing_not_conforms(mini):
    project = load_project(mini)
    strict = build(project, fail_on="warning")  # the fixture's one warning
    assert strict.report.fails("warning") and not strict.graph_written and strict.store is None
    assert sorted(p.name for p in (mini / "dist").iterdir()) == sorted(REPORT_FILES)
    default = build(project)
    assert not default.report.conforms and default.graph_written and default.store is not None
    with pytest.raises(ValueError, match="unknown severity 'warnings'"):
        build(project, fail_on="warnings")


def test_unusable_input_leaves_previous_output_untouched(mini):
    project = load_project(mini)
    build(project)
    before = {p.name: p.read_bytes() for p in (mini / "dist").iterdir()}
    append(mini / "data" / "people.ttl", "\nmr:x mo:name .\n")
    with pytest.raises(InputError, match="data/people.ttl:10:"):
        build(project)
    assert {p.name: p.read_bytes() for p in (mini / "dist").iterdir()} == before


def test_refuses_to_replace_a_directory_with_foreign_files(mini, tmp_path):
    out = tmp_path / "elsewhere"
    out.mkdir()
    (out / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(OutputError, match=r"refusing to replace .*elsewhere: it holds files kgbuild does not write \(notes.txt\)"):
        build(load_project(mini), out=out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_out_option_and_no_leftover_temporary_directories(mini, tmp_path):
    out = tmp_path / "site" / "kg"
    build(load_project(mini), out=out)
    build(load_project(mini), out=out)
    assert sorted(p.name for p in out.iterdir()) == ALL_FILES
    assert [p.name for p in out.parent.iterdir()] == ["kg"]
    assert not (mini / "dist").exists()


def _build_in_subprocess(project: Path, out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    completed = subprocess.run(
        [sys.executable, "-m", "kgbuild", "build", "--project", str(project), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def test_builds_in_separate_processes_are_byte_identical(mini, tmp_path):
    # blank nodes everywhere, including the ontology's owl:unionOf list
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-1 ; mo:quote "Ada" ] , [ mo:source mr:src-1 ; mo:quote "Ada" ] .\n',
    )
    # a message built with GROUP_CONCAT, whose order rdflib leaves to its store
    append(
        mini / "shapes" / "shapes.ttl",
        """
ms:ManyParticipants a sh:NodeShape ;
    sh:targetClass mo:Meeting ;
    sh:severity sh:Info ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:prefixes ms: ;
        sh:message "Participants: {?names}" ;
        sh:select \"\"\"
            SELECT $this (GROUP_CONCAT(?name; separator=", ") AS ?names) WHERE {
                $this mo:participant ?p .
                ?p mo:name|mo:nick ?name .
            } GROUP BY $this HAVING (COUNT(?name) > 1)\"\"\" ;
    ] .
""",
    )
    append(mini / "data" / "people.ttl", "\n".join(f'mr:ada mo:nick "nick {i}" .' for i in range(20)))
    first, second = tmp_path / "one", tmp_path / "two"
    _build_in_subprocess(mini, first, "1")
    _build_in_subprocess(mini, second, "2")
    names = sorted(p.name for p in first.iterdir())
    assert names == ALL_FILES
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_20_mb_literal_in_a_data_file_is_exit_2_naming_the_file(mini):
    from conftest import run_cli

    (mini / "data" / "big.ttl").write_text(
        "@prefix mr: <https://example.org/mini/id/> .\n@prefix mo: <https://example.org/mini/ontology#> .\n"
        f"mr:ada mo:name \"{'x' * (20 * 1024 * 1024)}\" .\n", encoding="utf-8")
    for command in ("build", "validate"):
        result = run_cli(command, "--project", str(mini))
        assert result.exit_code == 2
        assert result.stderr == (
            "kgbuild: error: data/big.ttl:3: a single literal, IRI or comment is longer than the parser's limit "
            "of 16,777,216 bytes (16 MiB); the file cannot be read past it\n"
        )
