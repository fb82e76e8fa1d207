from __future__ import annotations

import json

import pytest

from kgbuild.findings import FINDING_FIELDS, Finding, Report
from kgbuild.report import render_json, render_text

VIOLATION = Finding(
    severity="violation",
    rule="PersonName",
    message="A person needs a name.",
    focus="https://example.org/id/x",
    focus_label="X",
    path="ex:name",
    file="data/a.ttl",
    line=3,
)
WARNING = Finding(severity="warning", rule="B", message="look at this", value='"v"')
INFO = Finding(severity="info", rule="A", message="fyi")


def test_report_sorts_by_severity_then_rule_and_drops_duplicates():
    report = Report.of([INFO, WARNING, VIOLATION, INFO])
    assert report.findings == (VIOLATION, WARNING, INFO)


def test_counts_conforms_worst():
    assert Report.of([WARNING, INFO]).counts == {"violation": 0, "warning": 1, "info": 1}
    assert not Report.of([WARNING, INFO]).conforms  # SHACL 3.6.1.1: any result, whatever its severity
    assert not Report.of([INFO]).conforms
    assert Report.of([WARNING, INFO]).worst == "warning"
    assert not Report.of([VIOLATION]).conforms
    assert Report().worst is None and Report().conforms


@pytest.mark.parametrize(
    ("threshold", "fails"), [("violation", False), ("warning", True), ("info", True)]
)
def test_fails_at_threshold(threshold, fails):
    assert Report.of([WARNING]).fails(threshold) is fails


def test_unknown_severity_is_rejected():
    with pytest.raises(ValueError, match="unknown severity 'error'"):
        Finding(severity="error", rule="r", message="m")


def test_text_rendering():
    text = render_text(Report.of([VIOLATION, WARNING]))
    assert text.splitlines() == [
        "data/a.ttl:3: VIOLATION PersonName — X <https://example.org/id/x> — ex:name — A person needs a name.",
        'WARNING B — "v" — look at this',
        "1 violation, 1 warning, 0 info — does not conform",
    ]


def test_json_schema_and_round_trip():
    report = Report.of([VIOLATION, WARNING])
    data = json.loads(render_json(report))
    assert data == report.to_dict()
    assert list(data) == ["conforms", "counts", "findings"]
    assert data["conforms"] is False
    assert data["counts"] == {"violation": 1, "warning": 1, "info": 0}
    assert [tuple(item) for item in data["findings"]] == [FINDING_FIELDS, FINDING_FIELDS]
    assert Report.of(Finding(**item) for item in data["findings"]) == report


@pytest.mark.parametrize(("findings", "fail_on", "verdict"), [
    ([], "violation", "conforms"),
    ([], None, "conforms"),
    ([WARNING, INFO], None, "does not conform"),
    ([WARNING, INFO], "violation", "does not conform (warnings and info only: passes --fail-on violation)"),
    ([INFO], "warning", "does not conform (info only: passes --fail-on warning)"),
    ([WARNING, INFO], "warning", "does not conform (fails --fail-on warning)"),
    ([VIOLATION], "violation", "does not conform (fails --fail-on violation)"),
])
def test_summary_says_whether_the_graph_conforms_and_whether_it_passes_fail_on(findings, fail_on, verdict):
    report = Report.of(findings)
    line = render_text(report, show="violation", fail_on=fail_on).splitlines()[-1]
    assert line.split(" — ", 1)[1] == verdict
    assert verdict.startswith("conforms") is report.conforms
