"""The catalogue check: every problem of the stored queries at once, each with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kgbuild.catalogue import check_catalogue, load_catalogue, resolve
from kgbuild.errors import UnknownQueryError
from kgbuild.project import load_project

from conftest import FIXTURES, append

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def broken(mini):
    """The mini project with every bad query of tests/fixtures/catalogue and a list of questions."""
    shutil.copytree(FIXTURES / "catalogue", mini / "queries", dirs_exist_ok=True)
    shutil.move(mini / "queries" / "questions.md", mini / "questions.md")
    append(mini / "queries" / "sample.rq", "")
    text = (mini / "queries" / "sample.rq").read_text(encoding="utf-8")
    (mini / "queries" / "sample.rq").write_text("# answers: Q1\n" + text, encoding="utf-8")
    append(mini / "kgbuild.toml", '\n[catalogue]\nquestions = "questions.md"\n')
    return load_project(mini)


EXPECTED = {
    ("query-header", "queries/bad-param-line.rq", 2, "malformed param 'who'"),
    ("query-header", "queries/unknown-key.rq", 2, "unknown header key 'author'"),
    ("query-header", "queries/unknown-type.rq", 2, "unknown type 'xsd:float'"),
    ("query-header", "queries/no-title.rq", 1, "the header has no title"),
    ("query-syntax", "queries/syntax.rq", 3, "SPARQL syntax error"),
    ("query-syntax", "queries/ask.rq", None, "must be a SELECT query"),
    ("query-parameter-unused", "queries/unused.rq", 2, "?who does not occur in the query"),
    ("query-parameter-not-projected", "queries/not-projected.rq", 2, "must be selected by the outermost SELECT"),
    ("query-duplicate-name", "queries/syntax.rq", None, "another query is named 'syntax'"),
    ("question-without-query", "questions.md", 4, "no stored query answers Q2"),
}


def test_every_problem_is_reported_at_once_with_file_and_line(broken):
    findings = check_catalogue(broken)
    assert all(f.severity == "violation" for f in findings)
    found = {(f.rule, f.file, f.line) for f in findings}
    for rule, file, line, phrase in EXPECTED:
        matching = [f for f in findings if (f.rule, f.line) == (rule, line) and f.file in (file, "queries/sub/syntax.rq")]
        assert matching, f"missing {rule} at {file}:{line}; found {sorted(found, key=str)}"
        assert any(phrase in f.message for f in matching), (phrase, [f.message for f in matching])
    assert len(findings) == len(EXPECTED)


def test_build_reports_catalogue_problems_and_exits_1(broken):
    from conftest import run_cli

    result = run_cli("validate", "--project", str(broken.root))
    assert result.exit_code == 1
    assert "queries/unused.rq:2: VIOLATION query-parameter-unused" in result.stdout


def test_the_real_catalogue_is_clean_and_answers_every_question():
    project = load_project(ROOT)
    assert check_catalogue(project) == ()
    answered = {a for q in load_catalogue(project).queries for a in q.answers}
    assert {f"CQ{n:02d}" for n in range(1, 15)} <= answered


def test_resolve_by_name_path_and_suggestion(tmp_path):
    project = load_project(ROOT)
    assert resolve(project, "cq11-name-lookup").params[0].name == "name"
    copy = tmp_path / "mine.rq"
    shutil.copy(ROOT / "queries" / "cq08-totals.rq", copy)
    assert resolve(project, str(copy)).name == "mine"
    with pytest.raises(UnknownQueryError, match="did you mean cq11-name-lookup"):
        resolve(project, "cq11-name-lookp")
