"""Checking data contributions: `kgbuild validate FILE...` (kgbuild.checks.contribution).

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
from conftest import run_cli

from kgbuild.checks.contribution import check_contribution
from kgbuild.checks.duplicates import fold, name_key, skeleton
from kgbuild.project import load_project
from kgbuild.report import to_json

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "contributions"
EXAMPLE = ROOT / "docs" / "examples" / "contribution-release.ttl"
PPDR = "https://w3id.org/ppdkg/id/"
PPD = "https://w3id.org/ppdkg/ontology#"

# file -> (rule, severity, focus IRI or None, line, column or None, phrase in the message, other violations allowed);
# rule None: a valid contribution with no finding at all
CASES = {
    "syntax-error.ttl": ("syntax-error", "violation", None, 14, 21, "not a valid RDF object", ()),
    "syntax-error.jsonld": ("syntax-error", "violation", None, 4, 21, "Unexpected comma", ()),
    "misspelled-property.ttl": ("unknown-property", "violation", PPDR + "x-release", 14, None,
                                "did you mean ppd:performedBy?", ()),
    "misspelled-class.ttl": ("unknown-class", "violation", PPDR + "x-release", 10, None,
                             "did you mean ppd:Release?", ()),
    "wrong-datatype.ttl": ("PersonCountIsInteger", "violation", PPDR + "x-release", 10, None,
                           "whole number typed xsd:integer", ("PersonCountNotNegative",)),
    "non-negative-integer-count.ttl": ("PersonCountIsInteger", "violation", PPDR + "x-release", 11, None,
                                       "whole number typed xsd:integer", ()),
    "month-13.ttl": ("DateDatatype", "violation", PPDR + "x-release", 10, None, "valid xsd:date", ()),
    "missing-source.ttl": ("EventHasSource", "violation", PPDR + "x-release", 10, None, "has no source",
                           ("TripleIsCovered",)),  # and nothing states its facts
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
    "source-text-outside-sources.ttl": ("source-text-outside-sources", "violation", None, 16, None,
                                        "archived source text data/sources/../../../outside-secret.txt is outside "
                                        "the sources folder (data/sources or docs/examples)", ()),
    "source-text-unusable.ttl": ("source-text-unusable", "violation", None, 15, None,
                                 "archived source text unusable: data/sources/: a directory, not a regular file", ()),
    "resource-for-literal.ttl": ("resource-for-literal", "violation", PPDR + "x-release", 13, None,
                                 "ppd:statedTime holds a literal", ()),
    "empty.ttl": ("empty-file", "violation", None, None, None, "no triples", ()),
    "not-utf8.ttl": ("not-utf8", "violation", None, 4, 27, "byte 0xe5", ()),
    "not-rdf.ttl": ("not-rdf", "violation", None, 1, 1, "this is not Turtle", ()),
    "conflicting-count.ttl": ("conflicting-value", "violation", PPDR + "release-123-prisoners", 10, None,
                              "already holds \"123\"^^xsd:integer (sources: data/sources/004_6d3ab8ac9db8f6cc.txt); "
                              "this contribution gives \"124\"^^xsd:integer", ()),
    "unregistered-language.ttl": ("unregistered-language", "warning", PPDR + "alexander-lukashenko", 6, None,
                                  "@by: \"by\" is not a language of the IANA language subtag registry (BY is the "
                                  "region code of Belarus); the likely intended tag is @be (Belarusian)", ()),
    "duplicate-other-script.ttl": ("possible-duplicate", "warning", PPDR + "aleksandr-lukashenko-ru", 6, None,
                                   "“Александр Лукашенко” may be the existing ppdr:alexander-lukashenko", ()),
    "malformed-language-tag.jsonld": ("malformed-language-tag", "violation", None, 6, 44,
                                      '"en_GB" is not a well-formed language tag (BCP 47)', ()),
    "second-english-label.ttl": ("PrefLabelOnePerLanguage", "violation", PPDR + "alexander-lukashenko", 5, None,
                                 "more than one skos:prefLabel in the same language (en: ", ()),
    # named graphs (TriG, N-Quads, JSON-LD @id + @graph): every quad's triple is checked, the names are dropped
    "named-graph-redefines.trig": ("redefines-ontology-term", "violation", PPD + "Release", 19, None,
                                   "ppd:Release is defined by the ontology", ()),
    "named-graph-count.nq": ("PersonCountNotNegative", "violation", PPDR + "x-release", 2, None,
                             "cannot be negative", ()),
    "named-graph-misspelled.jsonld": ("unknown-property", "violation", PPDR + "x-release", 15, None,
                                      "did you mean ppd:performedBy?", ()),
    "named-graph-clean.trig": ("named-graph", "warning", None, 7, None,
                               "named graph ppdr:x-graph: they are checked as part of the contribution (18 triples "
                               "in all), but the graph names are not kept", ()),
    # rules whose focus is an existing node the contribution reaches (the finding is on that node)
    "second-preferred-claim.ttl": ("ClaimMultiplePreferred", "violation", PPDR + "john-cole", 10, None,
                                   "2 claims on the name spelling of this resource are ranked ppdv:rank-preferred", ()),
    "preferred-ranks-on-existing-claims.ttl": ("ClaimMultiplePreferred", "violation", PPDR + "donald-trump", 7, None,
                                               "2 claims on the title or status of a person", ()),
    "term-in-second-agreement.ttl": ("DealTermInOneAgreement", "violation", PPDR + "term-123-prisoners-release", 12,
                                     None, "a term of more than one agreement", ()),
    "late-detention-bound.ttl": ("ReleaseNotBeforeDetention", "violation", PPDR + "pardon-31-ukrainians", 7, None,
                                 "before the detention's earliest possible date 2026-03-01", ()),
    # valid contributions touching existing nodes (the property test below merges them)
    "deprecated-claim-on-existing-person.ttl": ("RankedClaimHasReason", "info",
                                                PPDR + "claim-name-john-coale-deprecated", 8, None,
                                                "ranked https://w3id.org/ppdkg/vocab/rank-deprecated without a reason",
                                                ()),
    "attestation-for-existing-release.ttl": (None, None, None, None, None, "", ()),  # no finding at all
    # fact-level provenance: a stated fact whose passage does not name its value
    "stated-fact-without-its-word.ttl": ("quote-shares-no-word-with-value", "warning", PPDR + "release-123-prisoners",
                                         9, None, 'The passage "releasing 123 prisoners" is said to state '
                                         "ppd:performedBy ppdr:alexander-lukashenko, but shares no word with it", ()),
    # one finding per mistake
    "ill-typed-latest.ttl": ("LatestIsDate", "violation", PPDR + "x-release", 9, None,
                             "ppd:latest must be a valid xsd:date", ()),
    "homoglyph-reference.ttl": ("dangling-reference", "violation", PPDR + "x-release", 11, None,
                                "(in \"alexander-luk\u0430shenko\", character 14 '\u0430' is CYRILLIC SMALL LETTER A, "
                                "U+0430) is described nowhere", ()),
    "homoglyph-class.ttl": ("unknown-class", "violation", PPDR + "x-release", 7, None,
                            "(in \"R\u0435lease\", character 2 '\u0435' is CYRILLIC SMALL LETTER IE, U+0435) is not a "
                            "class of the ontology; did you mean ppd:Release?", ()),
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
    if rule is None:  # a valid contribution without any finding
        assert result.report.findings == ()
        return
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


def test_a_literal_is_judged_as_written_not_as_the_store_keeps_it(project, built_project):
    """"1257"^^xsd:nonNegativeInteger is no xsd:integer (pyshacl says so), though the store keeps it as one."""
    result = check_contribution(project, [CORPUS / "non-negative-integer-count.ttl"])
    [finding] = [f for f in result.report.findings if f.rule == "PersonCountIsInteger"]
    assert finding.value == '"1257"^^xsd:nonNegativeInteger'
    assert finding.path == "ppd:personCount"
    cli = run_cli("validate", str(CORPUS / "non-negative-integer-count.ttl"), "--project", str(built_project))
    assert cli.exit_code == 1
    assert "PersonCountIsInteger" in cli.stdout and '"1257"^^xsd:nonNegativeInteger' in cli.stdout


def test_a_source_text_outside_the_sources_folder_is_never_read(built_project, opened):
    # the fixture's text file climbs to a file beside the project: put a secret there that shares
    # its first characters with the fixture's quote (a prefix oracle would say how many)
    secret = built_project.parent / "outside-secret.txt"
    secret.write_text("KGBUILD_TOKEN=s3cr3t-token-hidden\n", encoding="utf-8")
    try:
        opened.clear()
        for form in ("text", "json"):
            result = run_cli("validate", str(CORPUS / "source-text-outside-sources.ttl"), "--project",
                             str(built_project), "--format", form)
            assert result.exit_code == 1, result.output
            assert "source-text-outside-sources" in result.stdout
            output = result.stdout + result.stderr
            assert "hidden" not in output and "characters match" not in output
        assert str(secret) not in opened
    finally:
        secret.unlink()


TOO_LONG = ("a single literal, IRI or comment is longer than the parser's limit of 16,777,216 bytes (16 MiB); "
            "the file cannot be read past it")


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("big-literal.ttl", '@prefix ppdr: <https://w3id.org/ppdkg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/'
         'rdf-schema#> .\nppdr:x-release rdfs:label "{big}" .\n', 3),
        ("big-line.ttl", "# {big}\n", 1),
        ("big-literal.jsonld", '{{"@id": "https://w3id.org/ppdkg/id/x-release",\n "http://www.w3.org/2000/01/'
         'rdf-schema#label": "{big}"}}', 2),
    ],
    ids=["turtle-literal", "turtle-comment", "json-ld-literal"],
)
def test_a_20_mb_token_is_a_finding_not_a_traceback(project, built_project, tmp_path, name, text, line):
    path = tmp_path / name
    path.write_text(text.format(big="x" * (20 * 1024 * 1024)), encoding="utf-8")
    result = check_contribution(project, [path, CORPUS / "negative-count.ttl"])
    [finding] = [f for f in result.report.findings if f.file == str(path)]
    assert (finding.rule, finding.severity, finding.line, finding.message) == ("token-too-long", "violation", line,
                                                                               TOO_LONG)
    assert any(f.rule == "PersonCountNotNegative" for f in result.report.findings)  # the other file is checked
    cli = run_cli("validate", str(path), "--project", str(built_project))
    assert cli.exit_code == 1
    assert f"{path}:{line}: VIOLATION token-too-long" in cli.stdout


def test_duplicates_across_transliterations_and_spellings(project):
    result = check_contribution(project, [CORPUS / "duplicate-transliterated.ttl"])
    found = {(f.focus, f.message.split("existing ")[1].split(" ")[0]) for f in result.report.findings
             if f.rule == "possible-duplicate"}
    assert found == {
        (PPDR + "maria-kolesnikova", "ppdr:maria-kalesnikava"),  # Kolesnikova ↔ Kalesnikava
        (PPDR + "ales-byalyatski", "ppdr:ales-bialiatski"),  # Byalyatski ↔ Bialiatski
        (PPDR + "john-coale", "ppdr:john-cole"),  # Coale ↔ Cole
    }


def test_duplicates_across_scripts_and_name_orders(project):
    result = check_contribution(project, [CORPUS / "duplicate-other-script.ttl"])
    found = {(f.focus, f.message) for f in result.report.findings if f.rule == "possible-duplicate"}
    assert found == {
        (PPDR + "aleksandr-lukashenko-ru",
         "“Александр Лукашенко” may be the existing ppdr:alexander-lukashenko (“Alexander Lukashenko”)"),
        (PPDR + "lukashenko-alexander",
         "“Lukashenko, Alexander” may be the existing ppdr:alexander-lukashenko (“Alexander Lukashenko”)"),
    }


def test_an_existing_agent_the_contribution_also_describes_is_still_a_duplicate_target(project):
    """Another file (or the same one) adding a label to the existing person does not hide the duplicate."""
    files = [CORPUS / "unregistered-language.ttl", CORPUS / "duplicate-other-script.ttl"]
    result = check_contribution(project, files)
    found = {(Path(f.file).name, f.focus) for f in result.report.findings if f.rule == "possible-duplicate"}
    assert found == {("duplicate-other-script.ttl", PPDR + "aleksandr-lukashenko-ru"),
                     ("duplicate-other-script.ttl", PPDR + "lukashenko-alexander")}


# Cyrillic spellings (Russian, Belarusian) of the people data/ records with ppd:transliteration: each is
# found as that person and no one else, through the transliterations the graph holds
CYRILLIC = {
    "alexander-lukashenko": ("Александр Лукашенко", "Аляксандр Лукашэнка", "Лукашенко Александр"),
    "natalia-eismont": ("Наталья Эйсмонт", "Наталля Эйсмант"),
    "ales-bialiatski": ("Алесь Беляцкий", "Алесь Бяляцкі", "Бяляцкі, Алесь"),
    "maria-kalesnikava": ("Мария Колесникова", "Марыя Калеснікава"),
    "viktar-babaryka": ("Виктор Бабарико", "Віктар Бабарыка"),
    "valery-karbalevich": ("Валерий Карбалевич", "Валер Карбалевіч"),
    "vladimir-putin": ("Владимир Путин", "Уладзімір Пуцін"),
}


def test_names_in_other_scripts_and_orders_match_the_recorded_person(built_project):
    from kgbuild.checks.duplicates import NameIndex, names_of
    from kgbuild.workspace.versions import open_store

    project = load_project(built_project)
    index = NameIndex.of(names_of(project, open_store(project)))
    for entity, names in CYRILLIC.items():
        for name in names:
            assert set(index.matches([name])) == {PPDR + entity}, name
    # Latin spellings in another order, and the recorded transliterations as surname-first entries
    assert set(index.matches(["Lukashenko, Alexander"])) == {PPDR + "alexander-lukashenko"}
    assert set(index.matches(["Lukashenka Aliaksandr"])) == {PPDR + "alexander-lukashenko"}
    assert set(index.matches(["Babariko, Viktor"])) == {PPDR + "viktar-babaryka"}
    assert index.matches(["Лукашенко"]) == {}  # a surname alone is not the person
    assert index.matches(["Мария Бабарико"]) == {}


def test_name_folding():
    assert skeleton(fold("Maria Kolesnikova")) == skeleton(fold("Maria Kalesnikava"))
    assert skeleton(fold("Ales Byalyatski")) == skeleton(fold("Aleś Bialiatski"))
    assert skeleton(fold("John Cole")) == skeleton(fold("John Coale"))
    assert skeleton(fold("Viktar Babaryka")) != skeleton(fold("Maria Kalesnikava"))
    assert fold("Aleś  BIALIATSKI!") == "ales bialiatski"
    assert fold("Александр Лукашенко") == "aleksandr lukashenko"  # transliterated, not dropped
    assert fold("Аляксандр Лукашэнка") == "alyaksandr lukashenka"
    assert fold("日本") != ""
    assert skeleton(fold("Aleksandr")) == skeleton(fold("Alexander"))  # x is ks
    assert skeleton(fold("Ales Bialiacki")) == skeleton(fold("Ales Bialiatski"))  # c is ts
    assert name_key(fold("Lukashenko, Alexander")) == name_key(fold("Alexander Lukashenko"))
    assert name_key(fold("Lukashenko Alexander")) == name_key(fold("Alexander Lukashenko"))


def test_misspelled_standard_property_is_still_unknown(project, tmp_path):
    """Properties count as defined when the ontology uses them or data/ does (skos:altLabel), not a whole namespace."""
    path = tmp_path / "labels.ttl"
    path.write_text(
        "@prefix ppdr: <https://w3id.org/ppdkg/id/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "ppdr:alexander-lukashenko skos:altLabel \"Lukashenka\"@en .\n"
        "ppdr:donald-trump skos:altLable \"Trump\"@en .\n",
        encoding="utf-8",
    )
    result = check_contribution(project, [path])
    assert [(f.rule, f.focus, f.line, f.message) for f in result.report.findings] == [
        ("unknown-property", PPDR + "donald-trump", 4,
         "skos:altLable is not a property of the ontology; did you mean skos:altLabel?"),
    ]


def test_language_tags_need_a_registered_language(project, tmp_path):
    path = tmp_path / "tags.ttl"
    path.write_text(
        "@prefix ppdr: <https://w3id.org/ppdkg/id/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "ppdr:alexander-lukashenko skos:altLabel \"Аляксандр Лукашэнка\"@be , \"Александр Лукашенко\"@ru ,\n"
        "    \"Lukashenka\"@en-GB , \"Lukashenka\"@be-tarask , \"Lukashenka\"@x-private .\n"
        "ppdr:vladimir-putin skos:altLabel \"Владимир Путин\"@ua , \"Putin\"@eng , \"Putin\"@qq .\n",
        encoding="utf-8",
    )
    result = check_contribution(project, [path])
    found = [(f.rule, f.severity, f.focus, f.line, f.message, f.hint) for f in result.report.findings]
    assert found == [
        ("unregistered-language", "warning", PPDR + "vladimir-putin", 5,
         "@eng: \"eng\" is not a language of the IANA language subtag registry; "
         "the likely intended tag is @en (English)", "Write the literal as \"...\"@en."),
        ("unregistered-language", "warning", PPDR + "vladimir-putin", 5,
         "@qq: \"qq\" is not a language of the IANA language subtag registry",
         "Use a language tag from the IANA language subtag registry (BCP 47), e.g. @en, @be, @ru, @uk."),
        ("unregistered-language", "warning", PPDR + "vladimir-putin", 5,
         "@ua: \"ua\" is not a language of the IANA language subtag registry (UA is the region code of Ukraine); "
         "the likely intended tag is @uk (Ukrainian)", "Write the literal as \"...\"@uk."),
    ]


def test_second_english_label_names_both_labels(project):
    result = check_contribution(project, [CORPUS / "second-english-label.ttl"])
    [finding] = result.report.findings
    assert '"Alexander Lukashenko"@en' in finding.message and '"Aleksandr Lukashenko"@en-us' in finding.message
    assert finding.path == "skos:prefLabel"


def test_data_itself_has_no_finding_of_the_name_and_label_rules(built_project, tmp_path):
    """The project's own data, checked as if contributed (copies), passes these rules."""
    project = load_project(built_project)
    copies = []
    for path in sorted((built_project / "data").glob("*.ttl")):
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        copies.append(copy)
    result = check_contribution(project, copies)
    rules = {"unknown-property", "unknown-class", "unregistered-language", "possible-duplicate",
             "PrefLabelOnePerLanguage"}
    assert [f for f in result.report.findings if f.rule in rules] == []
    # no two agents of data/ are taken for one another (every name matches only its own entity)
    from kgbuild.checks.duplicates import NameIndex, names_of
    from kgbuild.workspace.versions import open_store

    rows = names_of(project, open_store(project))
    assert len(rows) > 40
    index = NameIndex.of(rows)
    assert [(entity, name) for entity, name in rows if set(index.matches([name])) != {entity}] == []


def test_conflict_lists_both_values_and_their_sources(project):
    result = check_contribution(project, [CORPUS / "conflicting-count.ttl"])
    [conflict] = [f for f in result.report.findings if f.rule == "conflicting-value"]
    assert conflict.path == "ppd:personCount"
    assert conflict.value == '"124"^^xsd:integer'
    assert conflict.focus_label == "Release of 123 prisoners"
    # the shape's own "at most one" finding says the same thing, so it is not repeated
    # the passage says 123, not 124: the word-overlap check says so too
    assert [f.rule for f in result.report.findings] == ["conflicting-value", "quote-shares-no-word-with-value"]


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
    assert lines[-1] == "2 violations, 1 warning, 0 info — does not conform (fails --fail-on violation)"
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
        "ppd:statedTime": "towards easing tensions with the West",
        "ppd:attestedBy": {
            "ppd:source": {"@id": "ppdr:source-004"},
            "ppd:quote": "Belarusian President Alexander Lukashenko has taken a significant step towards easing "
                         "tensions with the West by releasing 123 prisoners",
            "ppd:states": [
                {"ppd:statedProperty": {"@id": "ppd:performedBy"}, "ppd:statedValue": {"@id": "ppdr:belarus"}},
                {"ppd:statedProperty": {"@id": "ppd:personCount"},
                 "ppd:statedValue": {"@value": "-3", "@type": "xsd:integer"}},
                {"ppd:statedProperty": {"@id": "ppd:statedTime"},
                 "ppd:statedValue": "towards easing tensions with the West"},
            ],
        },
    }, indent=2), encoding="utf-8")
    result = check_contribution(project, [path])
    assert [(f.rule, f.focus) for f in result.report.findings] == [("PersonCountNotNegative", PPDR + "x-release")]
    assert result.report.findings[0].file == str(path)
    assert result.report.findings[0].line == 9  # "@id": "ppdr:x-release"


@pytest.mark.parametrize("name", ["named-graph-redefines.trig", "named-graph-count.nq", "named-graph-misspelled.jsonld",
                                  "named-graph-clean.trig"])
def test_named_graphs_are_read_and_their_names_reported_once(project, name):
    result = check_contribution(project, [CORPUS / name])
    [warning] = [f for f in result.report.findings if f.rule == "named-graph"]
    assert warning.severity == "warning"
    assert "x-graph" in warning.message and "graph names are not kept" in warning.message
    assert not any(f.rule in ("syntax-error", "not-rdf", "empty-file") for f in result.report.findings)


def test_a_named_graph_contribution_passes_like_its_triples(built_project):
    result = run_cli("validate", str(CORPUS / "named-graph-clean.trig"), "--project", str(built_project))
    assert result.exit_code == 0, result.stdout
    assert "0 violations, 1 warning" in result.stdout


def test_several_named_graphs_are_all_named(project, tmp_path):
    path = tmp_path / "two.trig"
    path.write_text((CORPUS / "named-graph-clean.trig").read_text(encoding="utf-8")
                    + "ppdr:y-graph { ppdr:x-release ppd:statedTime \"in the second graph\" }\n"
                    "{ ppdr:x-release ppd:statedTime \"in the default graph\" }\n", encoding="utf-8")
    result = check_contribution(project, [path])
    [warning] = [f for f in result.report.findings if f.rule == "named-graph"]
    assert "named graphs ppdr:x-graph, ppdr:y-graph:" in warning.message
    assert "(20 triples in all)" in warning.message


# --- a contribution that passes never makes the merged project fail ---------------------------------


def _merged_copy(built_project: Path, contribution: Path, tmp_path: Path) -> Path:
    """A copy of the project with the contribution's triples added as a data file (graph names dropped)."""
    import pyoxigraph as ox

    from kgbuild.checks.reading import read_contribution
    from kgbuild.shacl import SKOLEM

    copy = tmp_path / "merged"
    shutil.copytree(built_project, copy, ignore=shutil.ignore_patterns(".kgbuild", "dist"))
    parsed, problems = read_contribution(contribution, file=contribution.name)
    assert parsed is not None, problems

    def plain(term):
        return ox.BlankNode(term.value[len(SKOLEM):]) if isinstance(term, ox.NamedNode) and \
            term.value.startswith(SKOLEM) else term

    lines = [f"{plain(t.subject)} {t.predicate} {plain(t.object)} .\n" for t in parsed.triples]
    (copy / "data" / "zz-contribution.ttl").write_text("".join(lines), encoding="utf-8")
    return copy


def _merged_validation(built_project: Path, contribution: Path, tmp_path: Path):
    copy = _merged_copy(built_project, contribution, tmp_path)
    return run_cli("validate", "--project", str(copy), "--format", "json")


# every fixture of the corpus that passes the check (test_invalid_contribution_gets_its_finding asserts that
# exactly the cases without a violation pass), and the worked example
PASSING = [EXAMPLE] + [CORPUS / name for name, case in sorted(CASES.items()) if case[1] != "violation"]


@pytest.mark.parametrize("path", PASSING, ids=lambda p: p.name)
def test_a_passing_contribution_keeps_the_merged_project_valid(built_project, path, tmp_path):
    check = run_cli("validate", str(path), "--project", str(built_project))
    assert check.exit_code == 0, check.stdout
    merged = _merged_validation(built_project, path, tmp_path)
    assert merged.exit_code == 0, merged.stdout[:3000]
    assert json.loads(merged.stdout)["counts"]["violation"] == 0


REACHED = ["second-preferred-claim.ttl", "preferred-ranks-on-existing-claims.ttl", "term-in-second-agreement.ttl",
           "late-detention-bound.ttl"]


@pytest.mark.parametrize("name", REACHED)
def test_the_check_fails_with_the_rule_the_merged_project_fails(project, built_project, name, tmp_path):
    merged = _merged_validation(built_project, CORPUS / name, tmp_path)
    assert merged.exit_code == 1
    merged_violations = {(f["rule"], f["focus"]) for f in json.loads(merged.stdout)["findings"]
                         if f["severity"] == "violation"}
    check = check_contribution(project, [CORPUS / name])
    check_violations = {(f.rule, f.focus) for f in check.report.findings if f.severity == "violation"}
    assert merged_violations == check_violations == {CASES[name][:3:2]}
    command = run_cli("validate", str(CORPUS / name), "--project", str(built_project))
    assert command.exit_code == 1 and f"VIOLATION {CASES[name][0]}" in command.stdout


# --- one finding per mistake ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["misspelled-class.ttl", "homoglyph-class.ttl"])
def test_a_misspelt_class_is_one_finding(project, name):
    # not also "property outside its domain" for each of the node's properties, nor "no known type"
    result = check_contribution(project, [CORPUS / name])
    assert [(f.rule, f.focus) for f in result.report.findings] == [("unknown-class", PPDR + "x-release")]


def test_a_misspelt_class_hides_no_other_mistake(project, tmp_path):
    # the shapes run again with the suggested class: what is wrong with the node whatever its class stays
    path = tmp_path / "two-mistakes.ttl"
    path.write_text((CORPUS / "misspelled-class.ttl").read_text(encoding="utf-8").replace(
        "ppd:personCount 123", "ppd:personCount -3"), encoding="utf-8")
    result = check_contribution(project, [path])
    assert sorted(f.rule for f in result.report.findings) == ["PersonCountNotNegative", "unknown-class"]


def test_an_ill_typed_bound_is_not_also_out_of_order(project):
    result = check_contribution(project, [CORPUS / "ill-typed-latest.ttl"])
    assert [f.rule for f in result.report.findings] == ["LatestIsDate"]


def test_non_ascii_characters_of_an_iri_are_pointed_out():
    from kgbuild.checks.vocabulary import non_ascii_note

    assert non_ascii_note(PPDR + "alexander-lukashenko") == ""
    assert non_ascii_note(PPDR + "luk\u0430shenko") == \
        " (in \"luk\u0430shenko\", character 4 '\u0430' is CYRILLIC SMALL LETTER A, U+0430)"
    assert non_ascii_note(PPD + "R\u0435l\u0435ase").count("CYRILLIC SMALL LETTER IE, U+0435") == 2


def test_a_finding_an_existing_node_had_before_is_not_the_contributions(project, tmp_path):
    # the graph already has an unresolved disagreement on this aspect (a warning on the easing); a third
    # unranked claim reaches the easing, whose rules run again: still that warning, so not reported
    path = tmp_path / "third-claim.ttl"
    path.write_text(
        "@prefix ppd: <https://w3id.org/ppdkg/ontology#> .\n"
        "@prefix ppdv: <https://w3id.org/ppdkg/vocab/> .\n"
        "@prefix ppdr: <https://w3id.org/ppdkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ppdr:claim-potash-lifting-third a ppd:Claim ;\n"
        "    rdfs:label \"Potash sanctions eased\" ;\n"
        "    ppd:claimSubject ppdr:easing-us-potash-sanctions ;\n"
        "    ppd:aspect ppdv:aspect-completion ;\n"
        "    ppd:claimedValue \"lifting\" ;\n"
        "    ppd:attestedBy [ ppd:source ppdr:source-004 ; ppd:quote \"the lifting of US sanctions\" ;\n"
        "        ppd:states [ ppd:statedProperty ppd:claimedValue ; ppd:statedValue \"lifting\" ] ] .\n",
        encoding="utf-8")
    result = check_contribution(project, [path])
    assert result.report.findings == ()


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
    from kgbuild.checks.contribution import DEFAULT_MAX_TRIPLES

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
    from kgbuild.checks.base import run_all
    from kgbuild.checks.contribution import STATIC_CHECKS, Contribution
    from kgbuild.checks.vocabulary import Vocabulary
    from kgbuild.rdfio import parse_files
    from kgbuild.sources import BASE_PREFIXES, load_shapes, merge_prefixes

    count = 10_000
    path = tmp_path / "many.ttl"
    path.write_text(_HEADER + "".join(
        f'ppdr:x-{i} a ppd:Release ; ppd:performedBy "someone number {i}" ; ppd:personCont {i} .\n'
        for i in range(count)), encoding="utf-8")
    with _within(60):
        from kgbuild.checks.reading import read_contribution

        parsed, problems = read_contribution(path, file="many.ttl")
        assert parsed is not None and not problems
        ontology = parse_files(project.ontology_files(), root=project.root)
        shapes, shapes_prefixes = load_shapes(project)
        prefixes = merge_prefixes(BASE_PREFIXES, *(f.prefixes for f in ontology), parsed.prefixes, shapes_prefixes)
        vocabulary = Vocabulary.of(q for f in ontology for q in f.triples)
        checker = Contribution(project, [parsed], vocabulary, shapes, prefixes)
        findings = run_all(STATIC_CHECKS, checker)
    lines = {(f.rule, f.focus): f.line for f in findings}
    assert len(findings) == 2 * count
    first = len(_HEADER.splitlines()) + 1
    assert lines[("literal-for-resource", PPDR + "x-0")] == first
    assert lines[("literal-for-resource", PPDR + f"x-{count - 1}")] == first + count - 1
    assert lines[("unknown-property", PPDR + f"x-{count - 1}")] == first  # where the unknown term is first written


# --- found in review: hostile cases of the merged gate ------------------------------------------------


def test_a_syntax_error_does_not_let_a_file_past_the_size_limit(built_project, tmp_path):
    path = tmp_path / "error-then-many.ttl"
    lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "<https://w3id.org/ppdkg/id/x-a> rdfs:label ."]  # a syntax error on line 2, then valid triples
    lines += [f'<https://w3id.org/ppdkg/id/x-{i}> rdfs:label "item {i}" .' for i in range(100)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = run_cli("validate", str(path), "--project", str(built_project), "--max-triples", "50")
    assert refused.exit_code == 2, refused.output
    assert "holds more than 50 triples" in refused.stderr and "Traceback" not in refused.stderr


def test_json_ld_contexts_defining_thousands_of_terms_are_refused_not_crashed(built_project, tmp_path):
    """pyoxigraph expands a chain of term definitions recursively: 5,000 of them killed the process."""
    chain = ", ".join(f'"t{i}": "t{i + 1}:x"' for i in range(5000)) + ', "t5000": "https://w3id.org/ppdkg/id/"'
    path = tmp_path / "chain.jsonld"
    path.write_text('{"@context": {' + chain + '}, "@id": "https://w3id.org/ppdkg/id/x-a", "t0": "v"}',
                    encoding="utf-8")
    import subprocess
    import sys

    # its own process: were the refusal gone, the crash would take the test run with it
    result = subprocess.run([sys.executable, "-m", "kgbuild", "validate", str(path), "--project", str(built_project)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "contexts define 5,001 terms, more than the 1,000 kgbuild reads" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_symbolic_link_loops_are_messages(built_project, tmp_path):
    loop = tmp_path / "loop1.ttl"
    loop.symlink_to(tmp_path / "loop2.ttl")
    (tmp_path / "loop2.ttl").symlink_to(loop)
    result = run_cli("validate", str(loop), "--project", str(built_project))
    assert result.exit_code == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy, ignore=shutil.ignore_patterns(".kgbuild", "dist"))
    sources = copy / "data" / "sources"
    sources.rename(copy / "data" / "sources.real")
    sources.symlink_to("sources")  # data/sources -> itself
    result = run_cli("validate", str(CORPUS / "negative-count.ttl"), "--project", str(copy))
    assert result.exit_code == 2, result.output
    assert "paths.sources: data/sources cannot be resolved" in result.stderr and "Traceback" not in result.stderr


def test_a_contribution_rule_on_an_existing_node_is_not_repeated_by_a_shape(project, tmp_path):
    """One finding per mistake on an existing node too (the node's label was only known to the SHACL finding)."""
    path = tmp_path / "resource-date.ttl"
    path.write_text("@prefix ppd: <https://w3id.org/ppdkg/ontology#> .\n@prefix ppdr: <https://w3id.org/ppdkg/id/> .\n"
                    "@prefix ppdv: <https://w3id.org/ppdkg/vocab/> .\n"
                    "ppdr:detention-31-ukrainians ppd:date ppdv:event-type-release .\n", encoding="utf-8")
    result = check_contribution(project, [path])
    rules = sorted(f.rule for f in result.report.findings if f.path == "ppd:date")
    assert rules == ["resource-for-literal"], [(f.rule, f.message) for f in result.report.findings]


def test_a_directory_or_named_pipe_given_as_file_is_named_for_what_it_is(built_project, tmp_path):
    import os

    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    result = run_cli("validate", str(fifo), "--project", str(built_project))
    assert result.exit_code == 2, result.output
    assert "pipe.ttl: not a regular file (a directory, a named pipe or a device): nothing was read" in result.stderr
    result = run_cli("validate", str(tmp_path), "--project", str(built_project))
    assert result.exit_code == 2 and "is a directory" in result.stderr
