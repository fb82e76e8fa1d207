"""The rule catalogue (kgbuild.checks.rules): the docs' table is made of it, the checks are held to it, and
``kgbuild validate --list-rules`` prints it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

import kgbuild.queries.catalogue
from kgbuild.checks.base import CheckError, GraphContext, run_all
from kgbuild.checks.rules import BUILD, CONTRIBUTION, RULES, Rule, markdown_table, rule, rules_for
from kgbuild.checks.stored_queries import QueryCatalogueCheck
from kgbuild.findings import Finding

ROOT = Path(__file__).resolve().parents[2]


def test_the_contribution_docs_table_is_the_catalogue():
    doc = (ROOT / "docs" / "contributing-data.md").read_text(encoding="utf-8")
    start = doc.index("| rule | severity | finds |")
    table = doc[start:doc.index("\n\n", start) + 1]
    assert table == markdown_table(rules_for(CONTRIBUTION))


def test_the_query_catalogue_check_reports_the_rules_its_module_documents():
    documented = set(re.findall(r"``((?:query|question)-[a-z-]+)``", kgbuild.queries.catalogue.__doc__ or ""))
    assert documented == set(QueryCatalogueCheck.rules)
    assert documented == {r.id for r in rules_for(BUILD) if r.id.startswith(("query-", "question-"))}
    assert RULES["query-calls-service"].severity == "warning"  # the docstring's "one warning"


def test_rules_shared_by_both_pipelines():
    both = {r.id for r in RULES.values() if set(r.applies) == {BUILD, CONTRIBUTION}}
    assert both == {"quote-not-in-source", "quote-shares-no-word-with-value", "source-text-missing",
                    "unregistered-language", "source-text-outside-sources", "source-text-unusable"}


def test_an_uncatalogued_rule_is_named():
    with pytest.raises(KeyError, match="'no-such-rule' is not in the rule catalogue"):
        rule("no-such-rule")


def test_a_rule_has_a_known_severity_and_pipeline():
    with pytest.raises(ValueError, match="unknown severity 'fatal'"):
        Rule("x", "fatal", "t", "d", (BUILD,))
    with pytest.raises(ValueError, match="applies must name"):
        Rule("x", "warning", "t", "d", ("publish",))


class _Reports:
    """A check that reports the given findings, whatever the context."""

    id = "reports"
    title = "reports what it is given"
    reads = "nothing"
    severity = "warning"

    def __init__(self, rules: tuple[str, ...], findings: list[Finding]) -> None:
        self.rules = rules
        self.findings = findings

    def run(self, context: GraphContext | None) -> list[Finding]:
        return self.findings


def test_run_all_holds_each_check_to_its_catalogued_rules():
    ok = Finding(severity="warning", rule="unregistered-language", message="m")
    assert run_all([_Reports(("unregistered-language",), [ok])], None) == [ok]
    other = Finding(severity="violation", rule="quote-not-in-source", message="m")
    with pytest.raises(CheckError, match="check reports reported violation 'quote-not-in-source'"):
        run_all([_Reports(("unregistered-language",), [other])], None)
    wrong_severity = Finding(severity="info", rule="unregistered-language", message="m")
    with pytest.raises(CheckError, match="reported info 'unregistered-language'"):
        run_all([_Reports(("unregistered-language",), [wrong_severity])], None)
    shape = Finding(severity="info", rule="SomeShape", message="m", shape="ex:SomeShape")
    assert run_all([_Reports((), [shape])], None) == [shape]  # SHACL: rule ids are the shapes' names


def test_validate_list_rules_prints_the_catalogue():
    result = run_cli("validate", "--list-rules")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(RULES)
    for line, catalogued in zip(lines, RULES.values()):
        assert line.split()[:3] == [catalogued.id, catalogued.severity, "+".join(catalogued.applies)]
        assert line.endswith(catalogued.title)


def test_validate_list_rules_as_json():
    result = run_cli("validate", "--list-rules", "--format", "json")
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [entry["id"] for entry in listed] == list(RULES)
    assert listed[0] == {"id": "not-utf8", "severity": "violation", "title": "the file is not valid UTF-8",
                         "description": "the file is not valid UTF-8 (line and column of the first bad byte)",
                         "applies": ["contribution"]}


def test_validate_list_rules_with_files_is_a_usage_error(tmp_path):
    result = run_cli("validate", "--list-rules", str(tmp_path / "new.ttl"))
    assert result.exit_code == 2
    assert "--list-rules lists the rules and checks nothing: give no FILES" in result.stderr


def _build_checks():
    from kgbuild.checks.language import LanguageTagCheck
    from kgbuild.checks.quotes import QuoteCheck
    from kgbuild.checks.stated_facts import StatedFactsCheck

    return (QuoteCheck(), QueryCatalogueCheck(), LanguageTagCheck(), StatedFactsCheck())


def _contribution_checks():
    from kgbuild.checks.contribution import AFTER_ADDING, BEFORE_ADDING, STATIC_CHECKS

    return (*STATIC_CHECKS, *BEFORE_ADDING, *AFTER_ADDING)


def test_the_catalogue_says_which_pipeline_reports_each_rule():
    from kgbuild.checks.reading import RULES_OF_READING

    built = {r for check in _build_checks() for r in check.rules}
    assert built == {r.id for r in rules_for(BUILD)}
    contributed = {r for check in _contribution_checks() for r in check.rules} | set(RULES_OF_READING)
    assert contributed == {r.id for r in rules_for(CONTRIBUTION)}


def test_each_check_says_what_it_is():
    checks = (*_build_checks(), *_contribution_checks())
    assert len({check.id for check in checks}) == len(checks)
    for check in checks:
        assert check.title and check.reads and check.rules
        assert check.severity == min((RULES[r].severity for r in check.rules),
                                     key=("violation", "warning", "info").index)
