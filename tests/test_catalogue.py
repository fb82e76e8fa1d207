"""The catalogue check: every problem of the stored queries at once, each with its rule, file and line.

Each kind of problem has its own fixture directory, tests/fixtures/catalogue/<kind>/,
copied into the queries/ directory of a fresh copy of the mini project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, append, run_cli

from kgbuild.errors import QueryError, UnknownQueryError
from kgbuild.project import load_project
from kgbuild.queries.catalogue import check_catalogue, load_catalogue, read_query, resolve

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = FIXTURES / "catalogue"


def with_kinds(mini: Path, *kinds: str):
    """The mini project with the fixture queries of ``kinds`` dropped into its queries/ directory."""
    for kind in kinds:
        shutil.copytree(CATALOGUE / kind, mini / "queries", dirs_exist_ok=True)
    questions = mini / "queries" / "questions.md"
    if questions.exists():
        shutil.move(questions, mini / "questions.md")
        append(mini / "kgbuild.toml", '\n[catalogue]\nquestions = "questions.md"\n')
    return load_project(mini)


def test_the_mini_catalogue_alone_is_clean(mini):
    assert check_catalogue(load_project(mini)) == ()


# (kind, rule, file, line, key phrase)
CASES = [
    ("bad-param-line", "query-header", "queries/bad-param-line.rq", 2, "malformed param 'who'"),
    ("unknown-key", "query-header", "queries/unknown-key.rq", 2, "unknown header key 'author'"),
    ("unknown-type", "query-header", "queries/unknown-type.rq", 2, "unknown type 'xsd:float'"),
    ("no-title", "query-header", "queries/no-title.rq", 1, "the header has no title"),
    ("syntax", "query-syntax", "queries/syntax.rq", 3, "SPARQL syntax error"),
    ("ask", "query-syntax", "queries/ask.rq", None, "must be a SELECT query"),
    ("unused", "query-parameter-unused", "queries/unused.rq", 2, "?who does not occur in the query"),
    ("not-projected", "query-parameter-not-projected", "queries/not-projected.rq", 2, "must be selected by the outermost SELECT"),
    ("duplicate", "query-duplicate-name", "queries/two/twin.rq", None, "another query is named 'twin': queries/one/twin.rq"),
    ("question-without-query", "question-without-query", "questions.md", 4, "no stored query answers Q2"),
    ("subselect-only", "query-parameter-not-in-outer-group", "queries/subselect-only.rq", 2, "must be used in the outermost group pattern"),
]


@pytest.mark.parametrize(("kind", "rule", "file", "line", "phrase"), CASES, ids=[case[0] for case in CASES])
def test_each_problem_kind_is_one_finding_with_rule_file_line(mini, kind, rule, file, line, phrase):
    findings = check_catalogue(with_kinds(mini, kind))
    assert len(findings) == 1, [str(f.__dict__) for f in findings]
    (finding,) = findings
    assert (finding.severity, finding.rule, finding.file, finding.line) == ("violation", rule, file, line)
    assert phrase in finding.message


def test_header_errors_carry_file_and_line_when_read_directly():
    with pytest.raises(QueryError) as caught:
        read_query(CATALOGUE / "unknown-type" / "unknown-type.rq", file="x/unknown-type.rq")
    assert (caught.value.file, caught.value.line) == ("x/unknown-type.rq", 2)
    assert "known: IRI, xsd:string" in caught.value.message
    assert str(caught.value).startswith("x/unknown-type.rq:2: param n: unknown type")


def test_syntax_error_names_the_column(mini):
    (finding,) = check_catalogue(with_kinds(mini, "syntax"))
    assert "(column " in finding.message


def test_every_problem_is_reported_at_once(mini):
    kinds = [case[0] for case in CASES]
    findings = check_catalogue(with_kinds(mini, *kinds))
    got = {(f.rule, f.file, f.line) for f in findings}
    for _kind, rule, file, line, phrase in CASES:
        assert (rule, file, line) in got, f"missing {rule} at {file}:{line}; found {sorted(got, key=str)}"
        assert any(phrase in f.message for f in findings if (f.rule, f.file, f.line) == (rule, file, line))
    assert len(findings) == len(CASES)
    assert all(f.severity == "violation" for f in findings)


def test_validate_reports_catalogue_problems_and_exits_1(mini):
    project = with_kinds(mini, "unused", "no-title")
    result = run_cli("validate", "--project", str(project.root))
    assert result.exit_code == 1
    assert "queries/unused.rq:2: VIOLATION query-parameter-unused" in result.stdout
    assert "queries/no-title.rq:1: VIOLATION query-header" in result.stdout


def test_the_real_catalogue_is_clean_and_answers_every_question():
    project = load_project(ROOT)
    findings = check_catalogue(project)
    assert findings == (), [f"{f.file}:{f.line}: {f.rule}: {f.message}" for f in findings]
    catalogue = load_catalogue(project)
    answered = {a for q in catalogue.queries for a in q.answers}
    assert {f"CQ{n:02d}" for n in range(1, 15)} <= answered
    assert all(q.title for q in catalogue.queries)
    assert list(catalogue.names()) == sorted(catalogue.names())


def test_resolve_by_name():
    query = resolve(load_project(ROOT), "cq11-name-lookup")
    assert query.name == "cq11-name-lookup"
    assert query.file == "queries/cq11-name-lookup.rq"
    assert query.param("name") is not None and query.param("name").required


def test_resolve_by_file_path(tmp_path, monkeypatch):
    project = load_project(ROOT)
    copy = tmp_path / "mine.rq"
    shutil.copy(ROOT / "queries" / "cq08-totals.rq", copy)
    assert resolve(project, str(copy)).name == "mine"
    monkeypatch.chdir(tmp_path)
    relative = resolve(project, "mine.rq")
    assert (relative.name, relative.file) == ("mine", "mine.rq")
    with pytest.raises(UnknownQueryError, match="query file not found: nope.rq"):
        resolve(project, "nope.rq")


def test_resolve_unknown_name_suggests_close_ones():
    with pytest.raises(UnknownQueryError, match="did you mean cq11-name-lookup"):
        resolve(load_project(ROOT), "cq11-name-lookp")
    with pytest.raises(UnknownQueryError, match="`kgbuild queries` lists them"):
        resolve(load_project(ROOT), "zzzzzzzzzzzzzzzzzzzz")


# --- gaps of the check (these fail until src/kgbuild/queries/catalogue.py is fixed) ---------


def test_a_default_of_the_wrong_type_is_reported(mini):
    """`default=abc` on an xsd:integer param only fails when the query is run; the check should catch it."""
    findings = check_catalogue(with_kinds(mini, "bad-default"))
    assert [(f.file, f.line) for f in findings] == [("queries/bad-default.rq", 2)]
    assert "abc" in findings[0].message and "xsd:integer" in findings[0].message


def test_a_param_only_inside_an_aggregate_is_not_projected(mini):
    """`SELECT (COUNT(?who) AS ?n)` does not select ?who."""
    findings = check_catalogue(with_kinds(mini, "aggregate-only"))
    assert [(f.rule, f.file, f.line) for f in findings] == [("query-parameter-not-projected", "queries/aggregate-only.rq", 2)]


def test_an_answer_that_is_no_question_is_reported_at_its_line(mini):
    findings = check_catalogue(with_kinds(mini, "unknown-answer"))
    assert [(f.rule, f.file, f.line) for f in findings] == [("query-answers-unknown-question", "queries/unknown-answer.rq", 2)]
    assert findings[0].message == "answers Q9, which is not a question in questions.md"


def test_question_ids_are_the_first_cells_of_table_body_rows():
    from kgbuild.queries.catalogue import question_ids

    text = (
        "# Questions\n\n| id | question |\n|:---|---:|\n| CQ01 | first |\n|  Q-2  | second | x |\n"
        "|   | no id |\n\nText | with a pipe.\n\n| key | value |\n| --- | --- |\n| K1 | v |\n"
    )
    assert question_ids(text) == [("CQ01", 5), ("Q-2", 6), ("K1", 13)]


def test_parameter_checks_ignore_comments_strings_and_iris(mini, tmp_path):
    """`?who` in a comment, a string or an IRI is no use of the variable."""
    (mini / "queries" / "tricky.rq").write_text(
        "# title: ?who only in a comment, a string and an IRI\n"
        "# param: who xsd:string required -- somebody\n"
        'SELECT ?s WHERE { ?s ?p "?who" . ?s ?q <https://example.org/?who> } # ?who\n',
        encoding="utf-8",
    )
    findings = check_catalogue(load_project(mini))
    assert [(f.rule, f.line) for f in findings] == [("query-parameter-unused", 2)]


def test_query_shape_finds_projection_outer_group_and_subselects():
    from kgbuild.queries.catalogue import query_shape

    shape = query_shape(
        "PREFIX a: <http://x#>\n"
        "SELECT DISTINCT ?a (COUNT(?q) AS ?n) (EXISTS { ?a ?b ?r } AS ?e) WHERE {\n"
        "  ?a ?b ?c . FILTER(?c != \"}\") MINUS { ?c ?d ?m }\n"
        "  { SELECT ?k WHERE { ?k ?k2 ?k3 { ?k4 ?k5 ?k6 } } }\n"
        "  OPTIONAL { ?c ?d ?o }\n"
        "} GROUP BY ?a ORDER BY ?z VALUES ?v { 1 }\n"
    )
    assert shape.projection == {"a", "n", "e"}
    assert shape.outer_group == {"a", "b", "c", "d", "m", "o"}
    assert {"q", "k", "k6", "z", "v"} <= shape.variables
    assert query_shape("SELECT * { ?s ?p ?o }").projection == "*"


def test_build_reports_catalogue_problems_with_the_graph_findings_and_exits_1(mini):
    project = with_kinds(mini, "unused", "syntax")
    result = run_cli("build", "--project", str(project.root))
    assert result.exit_code == 1
    assert "queries/unused.rq:2: VIOLATION query-parameter-unused" in result.stdout
    assert "queries/syntax.rq:3: VIOLATION query-syntax" in result.stdout
    assert "2 violations" in result.stdout
    assert not project.store_dir.exists()  # the store, like the graph files, is only written when all conforms


def test_prefixes_are_read_from_the_prologue(tmp_path):
    path = tmp_path / "p.rq"
    path.write_text(
        "# title: prefixes\n# PREFIX no: <urn:comment>\nPREFIX a: <urn:a:> PREFIX : <urn:default:>\n"
        "BASE <https://example.org/>\nprefix b:<urn:b:>  # lower case, no space\n"
        'SELECT ?s WHERE { ?s ?p "PREFIX c: <urn:c:>" }\n',
        encoding="utf-8",
    )
    assert read_query(path, file="p.rq").prefixes() == {"a": "urn:a:", "": "urn:default:", "b": "urn:b:"}


# --- parser verdicts kept beside the store -------------------------------------------------------


def _verdicts(project):
    import json

    from kgbuild.workspace.sidecars import QUERY_SYNTAX, sidecar_path

    return sidecar_path(project, QUERY_SYNTAX), json.loads(sidecar_path(project, QUERY_SYNTAX).read_text("utf-8"))


def _sha(path: Path) -> str:
    import hashlib

    from kgbuild.queries.catalogue import read_query

    return hashlib.sha256(read_query(path, file=path.name).text.encode("utf-8")).hexdigest()


def test_the_build_keeps_the_parsers_verdicts_and_a_later_check_uses_them(mini):
    import json

    from kgbuild.builder import build

    project = load_project(mini)
    build(project)
    path, data = _verdicts(project)
    sample = mini / "queries" / "sample.rq"
    assert data["verdicts"] == {_sha(sample): None}  # sample.rq parsed: no complaint
    # a verdict on file is believed without parsing again: plant one for sample.rq's text
    data["verdicts"][_sha(sample)] = ["SPARQL syntax error (column 3): planted", 2]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert [(f.rule, f.message, f.line) for f in check_catalogue(project)] == [
        ("query-syntax", "SPARQL syntax error (column 3): planted", 2)]
    # the text changes: parsed again, the planted verdict no longer applies
    append(sample, "\n# a comment changes the text\n")
    assert check_catalogue(project) == ()


@pytest.mark.parametrize("spoil", ["other parser versions", "not JSON", "wrong shape"])
def test_verdicts_from_other_parsers_or_an_unreadable_file_are_ignored(mini, spoil):
    import json

    from kgbuild.builder import build

    project = load_project(mini)
    build(project)
    path, data = _verdicts(project)
    data["verdicts"][_sha(mini / "queries" / "sample.rq")] = ["planted", 1]
    if spoil == "other parser versions":
        data["parsers"]["rdflib"] = "0.0.1"
        path.write_text(json.dumps(data), encoding="utf-8")
    elif spoil == "not JSON":
        path.write_text("{ not json", encoding="utf-8")
    else:
        path.write_text(json.dumps({"parsers": data["parsers"], "verdicts": ["planted"]}), encoding="utf-8")
    assert check_catalogue(project) == ()
    check_catalogue(project, remember=True)  # the build's check writes a good file again
    assert _verdicts(project)[1]["verdicts"] == {_sha(mini / "queries" / "sample.rq"): None}


def test_a_syntax_error_is_remembered_like_any_verdict_and_an_unwritable_place_is_no_error(mini):
    from kgbuild.workspace.sidecars import QUERY_SYNTAX, sidecar_path

    shutil.copy(FIXTURES / "catalogue" / "syntax" / "syntax.rq", mini / "queries" / "syntax.rq")
    project = load_project(mini)
    first = check_catalogue(project, remember=True)
    assert [f.rule for f in first] == ["query-syntax"]
    assert check_catalogue(project) == first
    assert sorted(_verdicts(project)[1]["verdicts"].values(), key=str) == [None, [first[0].message, first[0].line]]
    sidecar_path(project, QUERY_SYNTAX).unlink()
    sidecar_path(project, QUERY_SYNTAX).parent.rmdir()
    sidecar_path(project, QUERY_SYNTAX).parent.write_text("a file where the store's directory would be")
    assert check_catalogue(project, remember=True) == first
