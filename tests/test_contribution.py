"""Checking data contributions: `kgbuild validate FILE...` (kgbuild.contribution).

The invalid corpus lives in tests/fixtures/contributions/, one file per kind
of mistake; each case asserts the specific finding (rule, severity, node,
line) and that no other violation comes with it unless listed. Expected
findings are written by hand from the fixture and the source texts.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest

from kgbuild.contribution import RULES, check_contribution, fold, skeleton
from kgbuild.project import load_project
from kgbuild.report import to_json
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "contributions"
EXAMPLE = ROOT / "docs" / "examples" / "contribution-release.ttl"
PPDR = "https://w3id.org/ppdkg/id/"
PPD = "https://w3id.org/ppdkg/ontology#"

# file -> (rule, severity, focus IRI or None, line, column or None, phrase in the message, other violations allowed)
CASES = {
    "syntax-error.ttl": ("syntax-error", "violation", None, 14, 21, "not a valid RDF object", ()),
    "syntax-error.jsonld": ("syntax-error", "violation", None, 4, 21, "Unexpected comma", ()),
    "misspelled-property.ttl": ("unknown-property", "violation", PPDR + "x-release", 14, None,
                                "did you mean ppd:performedBy?", ()),
    "misspelled-class.ttl": ("unknown-class", "violation", PPDR + "x-release", 10, None,
                             "did you mean ppd:Release?", ("PropertyOutsideDomain",)),
    "wrong-datatype.ttl": ("PersonCountIsInteger", "violation", PPDR + "x-release", 10, None,
                           "whole number typed xsd:integer", ("PersonCountNotNegative",)),
    "month-13.ttl": ("DateDatatype", "violation", PPDR + "x-release", 10, None, "valid xsd:date", ()),
    "missing-source.ttl": ("EventHasSource", "violation", PPDR + "x-release", 10, None, "has no source", ()),
    "quote-not-in-source.ttl": ("quote-not-in-source", "violation", None, 15, None,
                                "quote not found in data/sources/004_", ()),
    "negative-count.ttl": ("PersonCountNotNegative", "violation", PPDR + "x-release", 10, None,
                           "cannot be negative", ()),
    "release-before-detention.ttl": ("ReleaseNotBeforeDetention", "violation", PPDR + "x-release", 10, None,
                                     "before the detention's earliest possible date 2021-07-01", ()),
    "duplicate-transliterated.ttl": ("possible-duplicate", "warning", PPDR + "maria-kolesnikova", 10, None,
                                     "may be the existing ppdr:maria-kalesnikava", ()),
    "dangling-reference.ttl": ("dangling-reference", "violation", PPDR + "x-release", 14, None,
                               "did you mean ppdr:ales-bialiatski?", ()),
    "literal-for-resource.ttl": ("literal-for-resource", "violation", PPDR + "x-release", 14, None,
                                 "ppd:detainee links to a resource", ()),
    "redefined-class.ttl": ("redefines-ontology-term", "violation", PPD + "Release", 10, None,
                            "ppd:Release is defined by the ontology", ()),
    "untyped-node.ttl": ("ResourceHasKnownType", "violation", PPDR + "x-untyped", 10, None,
                         "no type from the ontology", ()),
    "source-text-missing.ttl": ("source-text-missing", "violation", None, 18, None,
                                "archived source text not found: data/sources/999_not-archived.txt", ()),
    "resource-for-literal.ttl": ("resource-for-literal", "violation", PPDR + "x-release", 13, None,
                                 "ppd:statedTime holds a literal", ()),
    "empty.ttl": ("empty-file", "violation", None, None, None, "no triples", ()),
    "not-utf8.ttl": ("not-utf8", "violation", None, 4, 27, "byte 0xe5", ()),
    "not-rdf.ttl": ("not-rdf", "violation", None, 1, 1, "this is not Turtle", ()),
    "conflicting-count.ttl": ("conflicting-value", "violation", PPDR + "release-123-prisoners", 10, None,
                              "already holds \"123\"^^xsd:integer (sources: data/sources/004_6d3ab8ac9db8f6cc.txt); "
                              "this contribution gives \"124\"^^xsd:integer", ()),
}


def test_every_fixture_in_the_corpus_has_a_case():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CASES)


@pytest.fixture(scope="module")
def project(built_project):
    return load_project(built_project)


@pytest.mark.parametrize("name", sorted(CASES))
def test_invalid_contribution_gets_its_finding(project, name):
    rule, severity, focus, line, column, phrase, others = CASES[name]
    result = check_contribution(project, [CORPUS / name])
    assert result.context == "embedded store"
    matching = [f for f in result.report.findings if f.rule == rule]
    assert matching, f"no {rule} finding: {[f.rule for f in result.report.findings]}"
    finding = matching[0]
    assert finding.severity == severity
    assert finding.focus == focus
    assert finding.line == line
    if column is not None:
        assert finding.column == column
    assert finding.file == str(CORPUS / name)
    assert phrase in finding.message
    assert finding.hint or finding.shape  # own rules always carry a hint; SHACL messages say how to fix
    violations = {f.rule for f in result.report.findings if f.severity == "violation"} - {rule}
    assert violations <= set(others), violations
    assert result.report.fails("violation") == (severity == "violation")


def test_duplicates_across_transliterations_and_spellings(project):
    result = check_contribution(project, [CORPUS / "duplicate-transliterated.ttl"])
    found = {(f.focus, f.message.split("existing ")[1].split(" ")[0]) for f in result.report.findings
             if f.rule == "possible-duplicate"}
    assert found == {
        (PPDR + "maria-kolesnikova", "ppdr:maria-kalesnikava"),  # Kolesnikova ↔ Kalesnikava
        (PPDR + "ales-byalyatski", "ppdr:ales-bialiatski"),  # Byalyatski ↔ Bialiatski
        (PPDR + "john-coale", "ppdr:john-cole"),  # Coale ↔ Cole
    }


def test_name_folding():
    assert skeleton(fold("Maria Kolesnikova")) == skeleton(fold("Maria Kalesnikava"))
    assert skeleton(fold("Ales Byalyatski")) == skeleton(fold("Aleś Bialiatski"))
    assert skeleton(fold("John Cole")) == skeleton(fold("John Coale"))
    assert skeleton(fold("Viktar Babaryka")) != skeleton(fold("Maria Kalesnikava"))
    assert fold("Aleś  BIALIATSKI!") == "ales bialiatski"


def test_conflict_lists_both_values_and_their_sources(project):
    result = check_contribution(project, [CORPUS / "conflicting-count.ttl"])
    [conflict] = [f for f in result.report.findings if f.rule == "conflicting-value"]
    assert conflict.path == "ppd:personCount"
    assert conflict.value == '"124"^^xsd:integer'
    assert conflict.focus_label == "Release of 123 prisoners"
    # the shape's own "at most one" finding says the same thing, so it is not repeated
    assert [f.rule for f in result.report.findings] == ["conflicting-value"]


def test_worked_example_passes(built_project):
    result = run_cli("validate", str(built_project / "docs" / "examples" / "contribution-release.ttl"),
                     "--project", str(built_project), "--show", "info")
    assert result.exit_code == 0, result.stdout
    # the one warning the example explains in its header: its invented text is not under data/sources/
    assert "0 violations, 1 warning" in result.stdout
    assert "WARNING SourceDocumentTextFileInSources" in result.stdout


def test_worked_example_in_the_repository_is_the_one_documented():
    doc = (ROOT / "docs" / "contributing-data.md").read_text(encoding="utf-8")
    assert "docs/examples/contribution-release.ttl" in doc
    assert EXAMPLE.is_file() and (ROOT / "docs" / "examples" / "example-report.txt").is_file()


def test_json_output_is_the_library_report_as_data(project, built_project):
    files = [CORPUS / "negative-count.ttl", CORPUS / "duplicate-transliterated.ttl"]
    expected = to_json(check_contribution(project, files).to_dict())
    result = run_cli("validate", *map(str, files), "--project", str(built_project), "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == expected
    data = json.loads(result.stdout)
    assert data["files"] == [str(f) for f in files]
    assert data["counts"] == {"violation": 1, "warning": 3, "info": 0}
    assert set(data["findings"][0]) == {"severity", "rule", "message", "focus", "focus_label", "path", "value",
                                        "shape", "file", "line", "column", "hint"}


def test_text_output_groups_findings_by_file_with_hints(built_project):
    files = [CORPUS / "misspelled-property.ttl", CORPUS / "empty.ttl"]
    result = run_cli("validate", *map(str, files), "--project", str(built_project))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    first, second = lines.index(str(files[0])), lines.index(str(files[1]))
    assert first < second
    assert any("unknown-property" in line for line in lines[first:second])
    assert any(line.strip() == "hint: Replace it with ppd:performedBy." for line in lines[first:second])
    assert "\x1b[" not in result.stdout  # no colour when stdout is not a terminal
    # the misspelled property leaves the release without its only count, hence the warning
    assert lines[-1] == "2 violations, 1 warning, 0 info — does not conform"
    assert "in the context of the embedded store" in result.stderr


def test_severities_are_coloured_on_a_terminal(built_project):
    from click.testing import CliRunner

    from kgbuild.cli import cli

    result = CliRunner().invoke(cli, ["validate", str(CORPUS / "negative-count.ttl"), "--project",
                                      str(built_project)], color=True)
    assert "\x1b[31m\x1b[1mVIOLATION\x1b[0m PersonCountNotNegative" in result.output


def test_other_files_are_still_checked_after_a_syntax_error(project):
    result = check_contribution(project, [CORPUS / "syntax-error.ttl", CORPUS / "negative-count.ttl"])
    rules = {(Path(f.file).name, f.rule) for f in result.report.findings}
    assert ("syntax-error.ttl", "syntax-error") in rules
    assert ("negative-count.ttl", "PersonCountNotNegative") in rules


def test_fail_on_warning(built_project):
    path = str(CORPUS / "duplicate-transliterated.ttl")
    assert run_cli("validate", path, "--project", str(built_project)).exit_code == 0
    assert run_cli("validate", path, "--project", str(built_project), "--fail-on", "warning").exit_code == 1


def test_missing_file_is_unusable_input(built_project):
    result = run_cli("validate", str(built_project / "nope.ttl"), "--project", str(built_project))
    assert result.exit_code == 2
    assert "nope.ttl: no such file" in result.stderr


def test_a_project_data_file_is_not_a_contribution(built_project):
    result = run_cli("validate", str(built_project / "data" / "releases.ttl"), "--project", str(built_project))
    assert result.exit_code == 2
    assert "data/releases.ttl: this file is part of the project itself" in result.stderr


def _digest(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*")) if p.is_file()
    }


def test_validation_writes_nothing(built_project, project):
    corpus_before = _digest(CORPUS)
    data_before = _digest(built_project / "data")
    store_dir = built_project / ".kgbuild"
    store_before = sorted(p.name for p in store_dir.iterdir())
    check_contribution(project, sorted(CORPUS.iterdir()))
    assert _digest(CORPUS) == corpus_before
    assert _digest(built_project / "data") == data_before
    assert sorted(p.name for p in store_dir.iterdir()) == store_before  # the working copy is gone


def test_without_a_store_the_project_files_are_the_context(built_project, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy, ignore=shutil.ignore_patterns(".kgbuild", "dist"))
    files = [CORPUS / "conflicting-count.ttl", CORPUS / "duplicate-transliterated.ttl", CORPUS / "month-13.ttl"]
    without = check_contribution(load_project(copy), files)
    with_store = check_contribution(load_project(built_project), files)
    assert without.context.startswith("project files (no embedded store")
    assert without.report == with_store.report


class _Listener:
    """A TCP listener on 127.0.0.1 that counts connections."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(5)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


def test_nothing_in_a_contribution_is_fetched(project, tmp_path):
    listener = _Listener()
    try:
        base = f"http://127.0.0.1:{listener.port}"
        turtle = tmp_path / "imports.ttl"
        turtle.write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix ppd: <https://w3id.org/ppdkg/ontology#> .\n"
            "@prefix ppdr: <https://w3id.org/ppdkg/id/> .\n"
            f"<{base}/contribution> owl:imports <{base}/ontology.ttl> .\n"
            f"ppdr:x-release a ppd:Release ; ppd:place <{base}/somewhere> .\n",
            encoding="utf-8",
        )
        jsonld = tmp_path / "remote-context.jsonld"
        jsonld.write_text(json.dumps({"@context": f"{base}/context.jsonld",
                                      "@id": "https://w3id.org/ppdkg/id/x", "name": "X"}), encoding="utf-8")
        result = check_contribution(project, [turtle, jsonld])
    finally:
        listener.close()
    assert listener.connections == 0
    rules = {(Path(f.file).name, f.rule) for f in result.report.findings}
    assert ("imports.ttl", "defines-ontology-term") in rules  # owl:imports is refused, not followed
    assert ("remote-context.jsonld", "remote-context") in rules


def test_rule_catalogue_is_documented():
    doc = (ROOT / "docs" / "contributing-data.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"`{rule}`" in doc, rule


def test_json_ld_contributions_are_checked_like_turtle(project, tmp_path):
    path = tmp_path / "release.jsonld"
    path.write_text(json.dumps({
        "@context": {"ppd": PPD, "ppdr": PPDR, "ppdv": "https://w3id.org/ppdkg/vocab/",
                     "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": "ppdr:x-release",
        "@type": "ppd:Release",
        "rdfs:label": "Test release",
        "ppd:eventType": {"@id": "ppdv:event-type-release"},
        "ppd:performedBy": {"@id": "ppdr:belarus"},
        "ppd:personCount": {"@value": "-3", "@type": "xsd:integer"},
        "ppd:statedTime": "in the test",
        "ppd:attestedBy": {"ppd:source": {"@id": "ppdr:source-004"}, "ppd:quote": "releasing 123 prisoners"},
    }, indent=2), encoding="utf-8")
    result = check_contribution(project, [path])
    assert [(f.rule, f.focus) for f in result.report.findings] == [("PersonCountNotNegative", PPDR + "x-release")]
    assert result.report.findings[0].file == str(path)
    assert result.report.findings[0].line == 9  # "@id": "ppdr:x-release"


# --- any size, any depth: linear cost, and a size limit (issue 13) -----------------------------------------


class _TooSlow(Exception):
    pass


def _within(seconds: float):
    """Fail the block if it uses more than ``seconds`` of CPU time (all threads; not wall time, so a busy
    machine does not fail it). A guard against quadratic work, far above the real cost: the blocks below
    take a few CPU seconds, and took many minutes to hours when the cost grew with size² or depth³."""
    import contextlib
    import signal

    @contextlib.contextmanager
    def guard():
        def expired(*_):
            raise _TooSlow(f"not done in {seconds} CPU seconds")

        previous = signal.signal(signal.SIGPROF, expired)
        signal.setitimer(signal.ITIMER_PROF, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)

    return guard()


_HEADER = """@prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
@prefix ppdv: <https://w3id.org/ppdkg/vocab/> .
@prefix ppdr: <https://w3id.org/ppdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def test_blank_nodes_nested_5000_deep_are_checked_without_recursion(project, tmp_path):
    # ppd:attestedBy [ ppd:attestedBy [ ppd:nestedLevel [ ... "bottom" ] ] ]: each level on its own line,
    # every other one through a property the ontology does not define
    depth = 5000
    lines = [_HEADER, 'ppdr:x-deep a ppd:Release ; rdfs:label "A deeply nested release" ;',
             "    ppd:eventType ppdv:event-type-release ;"]
    lines += [("    [ ppd:nestedLevel" if level % 2 else "    [ ppd:attestedBy") if level else "    ppd:attestedBy"
              for level in range(depth)]
    lines += ['    [ ppd:attestedBy "bottom" ' + "]" * depth + " ."]
    path = tmp_path / "deep.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with _within(120):
        result = check_contribution(project, [path])
    found = {(f.rule, f.focus_label, f.path, f.line) for f in result.report.findings}
    first_unknown = 6 + 3 + 1  # the header's 5 lines and a blank, the release's 3 lines, then the levels
    assert ("unknown-property", "[] nested in ppdr:x-deep", "ppd:nestedLevel", first_unknown) in found
    assert ("AttestationHasOneSource", "ppdr:x-deep ppd:attestedBy []", "ppd:source", 7) in found
    assert ("AttestationHasOneSource", "[] nested in ppdr:x-deep", "ppd:source", 7) in found
    # the same problem on thousands of nested nodes is one finding each, where they hang
    assert len(result.report.findings) < 20, [f.rule for f in result.report.findings]


def test_a_big_contribution_with_many_findings_is_checked_with_each_finding_placed(project, tmp_path):
    # 1,000 releases (about 14,000 triples), each with a detainee lacking a source and no time: thousands of
    # findings from the shapes, each placed on its own line (the cost per finding without the graph is
    # tested below, at a size where the old per-finding scans took minutes)
    items = []
    for i in range(1000):
        items.append(f"""ppdr:x-release-{i} a ppd:Release ;
    rdfs:label "Release number {i}" ;
    ppd:eventType ppdv:event-type-release ;
    ppd:performedBy ppdr:belarus ;
    {"ppd:personCont" if i % 100 == 99 else "ppd:personCount"} {i % 40 + 1} ;
    ppd:detainee ppdr:x-person-{i} ;
    ppd:attestedBy [ ppd:source ppdr:source-004 ; ppd:quote "releasing 123 prisoners" ] .

ppdr:x-person-{i} a ppd:Person ;
    skos:prefLabel "Person {i}"@en .
""")
    path = tmp_path / "big.ttl"
    path.write_text(_HEADER + "\n" + "\n".join(items), encoding="utf-8")
    with _within(90):
        result = check_contribution(project, [path])
    findings = result.report.findings
    people = [f for f in findings if f.rule == "AgentHasSource"]
    assert len(people) == 1000
    assert {(f.focus, f.line) for f in people} >= {(PPDR + "x-person-0", 15), (PPDR + "x-person-999", 11 * 999 + 15)}
    unknown = [f for f in findings if f.rule == "unknown-property"]
    # (placed where the unknown term is first written, as for any unknown term)
    assert sorted((f.focus, f.line) for f in unknown) == sorted(
        (PPDR + f"x-release-{i}", 11 * 99 + 11) for i in range(99, 1000, 100))


def _counted(path: Path, triples: int, *, then: str = "") -> Path:
    path.write_text(_HEADER + "".join(f'ppdr:x-{i} rdfs:label "Thing {i}" .\n' for i in range(triples)) + then,
                    encoding="utf-8")
    return path


def test_a_contribution_over_the_size_limit_is_refused_before_it_is_read_in_full(built_project, tmp_path):
    # 30 triples, then a syntax error: refused at the 21st triple, before the parser reaches the error
    path = _counted(tmp_path / "big.ttl", 30, then="ppdr:broken ppd:x .\n")
    refused = run_cli("validate", str(path), "--project", str(built_project), "--max-triples", "20")
    assert refused.exit_code == 2
    assert (f"kgbuild: error: {path}: the contribution holds more than 20 triples, the most one check takes "
            "(set by --max-triples or [checks] max-contribution-triples in kgbuild.toml)") in refused.output
    assert "Traceback" not in refused.output
    checked = run_cli("validate", str(path), "--project", str(built_project), "--max-triples", "31")
    assert checked.exit_code == 1 and "syntax-error" in checked.output
    # several files count together
    other = _counted(tmp_path / "other.ttl", 15)
    small = _counted(tmp_path / "small.ttl", 10)
    assert run_cli("validate", str(small), str(other), "--project", str(built_project),
                   "--max-triples", "20").exit_code == 2


def test_the_size_limit_comes_from_kgbuild_toml(mini, tmp_path):
    config = mini / "kgbuild.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[checks]\n", "[checks]\nmax-contribution-triples = 5\n"), encoding="utf-8")
    path = _counted(tmp_path / "six.ttl", 6)
    refused = run_cli("validate", str(path), "--project", str(mini))
    assert refused.exit_code == 2
    assert "more than 5 triples" in refused.output
    assert run_cli("validate", str(path), "--project", str(mini), "--max-triples", "6").exit_code != 2


def test_the_default_size_limit_is_documented():
    from kgbuild.contribution import DEFAULT_MAX_TRIPLES

    doc = (ROOT / "docs" / "contributing-data.md").read_text(encoding="utf-8")
    assert f"{DEFAULT_MAX_TRIPLES:,}" in doc and "max-contribution-triples" in doc and "--max-triples" in doc


def _nested_json_ld(path: Path, depth: int) -> Path:
    head = ('{"@context": {"ppd": "https://w3id.org/ppdkg/ontology#", "ppdr": "https://w3id.org/ppdkg/id/",\n'
            ' "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},\n'
            ' "@id": "ppdr:x-deep", "@type": "ppd:Release", "rdfs:label": "Deep {[ in a string",\n'
            ' "ppd:attestedBy": ')
    body = "".join('{"ppd:nestedLevel": ' if i % 2 else '{"ppd:attestedBy": ' for i in range(depth - 1))
    path.write_text(head + body + '"bottom"' + "}" * (depth - 1) + "}\n", encoding="utf-8")
    return path


def test_json_ld_nested_deeper_than_its_parser_goes_is_refused_not_crashed(built_project, tmp_path):
    # pyoxigraph's JSON-LD parser overflows its stack (the process dies of SIGSEGV) at this depth: a separate
    # process, so that the crash would fail this test rather than end the test run
    import os
    import subprocess
    import sys

    import kgbuild

    path = _nested_json_ld(tmp_path / "deep.jsonld", 5000)
    source = str(Path(kgbuild.__file__).resolve().parent.parent)  # the kgbuild under test
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "kgbuild", "validate", str(path), "--project", str(built_project)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stderr.strip() == (
        f"kgbuild: error: {path}:4: the JSON-LD nests objects and arrays more than 900 deep, deeper than kgbuild's "
        "JSON-LD parser can go: give the inner nodes an @id and list them at the top level, or write the file in "
        "Turtle")


def test_json_ld_nested_800_deep_is_checked(project, tmp_path):
    result = check_contribution(project, [_nested_json_ld(tmp_path / "deep.jsonld", 800)])
    found = {(f.rule, f.focus_label, f.path) for f in result.report.findings}
    assert ("unknown-property", "[] nested in ppdr:x-deep", "ppd:nestedLevel") in found
    assert ("AttestationHasOneSource", "ppdr:x-deep ppd:attestedBy []", "ppd:source") in found


def test_the_cost_per_finding_does_not_grow_with_the_contribution(project, tmp_path):
    # 10,000 releases of 3 triples, each with two mistakes found without the graph (30,000 triples, 20,000
    # findings): every finding is labelled and placed on its line by looking things up, not by scanning
    # the contribution (which made this take minutes)
    from kgbuild.contribution import Vocabulary, _Checker
    from kgbuild.rdfio import parse_files
    from kgbuild.sources import BASE_PREFIXES, load_shapes, merge_prefixes

    count = 10_000
    path = tmp_path / "many.ttl"
    path.write_text(_HEADER + "".join(
        f'ppdr:x-{i} a ppd:Release ; ppd:performedBy "someone number {i}" ; ppd:personCont {i} .\n'
        for i in range(count)), encoding="utf-8")
    with _within(60):
        from kgbuild.contribution import read_contribution

        parsed, problems = read_contribution(path, file="many.ttl")
        assert parsed is not None and not problems
        ontology = parse_files(project.ontology_files(), root=project.root)
        shapes, shapes_prefixes = load_shapes(project)
        prefixes = merge_prefixes(BASE_PREFIXES, *(f.prefixes for f in ontology), parsed.prefixes, shapes_prefixes)
        checker = _Checker(project, [parsed], Vocabulary.of(q for f in ontology for q in f.triples), shapes, prefixes)
        findings = checker.static_checks()
    lines = {(f.rule, f.focus): f.line for f in findings}
    assert len(findings) == 2 * count
    first = len(_HEADER.splitlines()) + 1
    assert lines[("literal-for-resource", PPDR + "x-0")] == first
    assert lines[("literal-for-resource", PPDR + f"x-{count - 1}")] == first + count - 1
    assert lines[("unknown-property", PPDR + f"x-{count - 1}")] == first  # where the unknown term is first written
