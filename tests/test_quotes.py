from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from conftest import MINI, append, run_cli

from kgbuild.project import load_project
from kgbuild.quotes import MAX_SOURCE_TEXT_BYTES, QUOTE_COLUMNS, check_quotes, normalise
from kgbuild.sources import load_sources
from kgbuild.sparql import load_select, select_store, select_store_terms


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  the\n\tthinking   machine ", "the thinking machine"),
        ("\u201cthinking\u201d \u2018machine\u2019", "\"thinking\" 'machine'"),
        ("1833\u20131843 \u2014 notes", "1833-1843 - notes"),
        ("cafe\u0301", "caf\u00e9"),  # NFC
        ("pro\u00adgram\u200b", "program"),
        ("wait\u2026", "wait..."),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def _problems(root):
    project = load_project(root)
    sources = load_sources(project)
    query = load_select(project.quotes_query, file="shapes/quotes.rq", required=QUOTE_COLUMNS)
    return check_quotes(
        select_store_terms(sources.store, query), root=project.root, sources=project.sources_dirs,
        names=sources.names(), locator=sources.locator(), context=sources.neighbourhood,
    )


def test_fixture_quotes_are_found_despite_line_breaks_and_typographic_marks():
    assert _problems(MINI) == ()


def test_quote_not_in_its_source(mini):
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-1 ;\n    mo:quote "Ada met Charles at a ball" ] .\n',
    )
    (problem,) = _problems(mini)
    finding = problem.finding
    assert finding.rule == "quote-not-in-source"
    assert finding.severity == "violation"
    assert finding.focus is None  # the attestation is a blank node ...
    assert finding.focus_label == "mr:ada mo:attestedBy []"  # ... so it is described by where it hangs
    assert finding.value == '"Ada met Charles at a ball"'
    assert (finding.file, finding.line) == ("data/people.ttl", 11)
    assert finding.message == (
        "quote not found in data/sources/src-1.txt: its first 16 of 25 characters match, "
        "then it has 'at a ball'"
    )


def test_all_rows_read_at_once_give_the_same_problems(mini):
    """select_store's Rows (kgbuild.backends) and the lazily read rows are the same pyoxigraph terms."""
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-1 ;\n    mo:quote "Ada met Charles at a ball" ] .\n',
    )
    project = load_project(mini)
    sources = load_sources(project)
    query = load_select(project.quotes_query, file="shapes/quotes.rq", required=QUOTE_COLUMNS)
    problems = check_quotes(
        select_store(sources.store, query).dicts(), root=project.root, sources=project.sources_dirs,
        names=sources.names(),
        locator=sources.locator(), context=sources.neighbourhood,
    )
    assert [p.finding for p in problems] == [p.finding for p in _problems(mini)]
    assert len(problems) == 1


def test_missing_text_file_and_missing_text_file_path(mini):
    (mini / "data" / "sources" / "src-2.txt").unlink()
    append(mini / "data" / "sources.ttl", '\nmr:src-3 a mo:SourceDocument ; rdfs:label "no text" .\n')
    append(
        mini / "data" / "people.ttl",
        '\nmr:ada mo:attestedBy [ mo:source mr:src-3 ; mo:quote "Ada" ] .\n',
    )
    findings = sorted((p.finding.rule, p.finding.message) for p in _problems(mini))
    assert findings == [
        ("source-text-missing", "archived source text not found: data/sources/src-2.txt"),
        ("source-text-missing", "no archived text file is recorded for this quote's source"),
    ]


# --- only texts inside the sources folder are read -----------------------------------------------

SECRET = "API_TOKEN=ghp_0123456789abcdef"  # what a CI job's environment or a file beside the checkout holds
GUESS = "API_TOKEN=ghp_0123456789zzzzzz"  # a quote that shares its first characters with the secret

def _quote_from(mini: Path, text_file: str, quote: str = GUESS) -> None:
    append(mini / "data" / "sources.ttl", f'\nmr:src-x a mo:SourceDocument ; mo:textFile "{text_file}" .\n')
    append(mini / "data" / "people.ttl", f'\nmr:ada mo:attestedBy [ mo:source mr:src-x ; mo:quote "{quote}" ] .\n')


def _outside(mini: Path) -> Path:
    """A file beside the project, holding the secret."""
    secret = mini.parent / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize(
    "where",
    ["traversal", "traversal-from-sources", "absolute", "absolute-inside", "proc-environ", "symlink", "symlinked-dir"],
)
def test_text_outside_the_sources_folder_is_a_violation_and_never_read(mini, opened, where):
    secret = _outside(mini)
    sources = mini / "data" / "sources"
    if where == "symlink":
        (sources / "innocent.txt").symlink_to(secret)
    if where == "symlinked-dir":
        (sources / "archive").symlink_to(mini.parent, target_is_directory=True)
    text_file = {
        "traversal": "../secret.txt",
        "traversal-from-sources": "data/sources/../../../secret.txt",
        "absolute": str(secret),
        "absolute-inside": str(sources / "src-1.txt"),  # not a path relative to the project root either
        "proc-environ": "/proc/self/environ",
        "symlink": "data/sources/innocent.txt",
        "symlinked-dir": "data/sources/archive/secret.txt",
    }[where]
    _quote_from(mini, text_file)
    opened.clear()
    (problem,) = _problems(mini)
    assert problem.finding.rule == "source-text-outside-sources"
    assert problem.finding.severity == "violation"
    assert problem.finding.message == (
        f"archived source text {text_file} is outside the sources folder (data/sources): "
        "kgbuild reads source texts only from there"
    )
    assert not [path for path in opened if "secret" in path or "proc" in path or "innocent" in path]


def test_build_reports_a_text_outside_the_sources_folder_and_tells_nothing_of_it(mini, opened):
    secret = _outside(mini)
    _quote_from(mini, "data/sources/../../../secret.txt")
    opened.clear()
    for command in ("validate", "build"):
        result = run_cli(command, "--project", str(mini))
        assert result.exit_code == 1, result.output
        assert "VIOLATION source-text-outside-sources" in result.stdout
        assert "characters match" not in result.stdout + result.stderr
        assert "0123456789abcdef" not in result.stdout + result.stderr
    assert str(secret) not in opened


def test_the_sources_folder_is_configurable(mini):
    secret_dir = mini / "archive"
    secret_dir.mkdir()
    (secret_dir / "a.txt").write_text("Ada met Charles Babbage.\n", encoding="utf-8")
    _quote_from(mini, "archive/a.txt", "Ada met Charles")
    assert [p.finding.rule for p in _problems(mini)] == ["source-text-outside-sources"]
    config = mini / "kgbuild.toml"
    config.write_text(config.read_text("utf-8").replace('dist = "dist"', 'dist = "dist"\nsources = ["data/sources", "archive"]'),
                      encoding="utf-8")
    assert _problems(mini) == ()


def test_how_much_matches_is_told_for_texts_inside_the_folder(mini, opened):
    (mini / "data" / "sources" / "src-x.txt").write_text(SECRET + "\n", encoding="utf-8")
    _quote_from(mini, "data/sources/src-x.txt")
    opened.clear()
    (problem,) = _problems(mini)
    assert str(mini / "data" / "sources" / "src-x.txt") in opened  # the audit hook sees what is read
    assert problem.finding.message == (
        "quote not found in data/sources/src-x.txt: its first 24 of 30 characters match, then it has 'zzzzzz'"
    )


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: p.mkdir(), "a directory, not a regular file"),
        (_fifo, "a named pipe (FIFO), not a regular file"),
        (lambda p: p.write_bytes(b"x" * (MAX_SOURCE_TEXT_BYTES + 1)),
         f"{MAX_SOURCE_TEXT_BYTES + 1:,} bytes, larger than the limit of {MAX_SOURCE_TEXT_BYTES:,} bytes for a source text"),
        (lambda p: p.write_bytes(b"Ada \xe5 met"), "data/sources/odd.txt:1:5: not valid UTF-8: byte 0xe5 at byte offset 4"),
    ],
    ids=["directory", "fifo", "over-size", "not-utf8"],
)
def test_text_that_is_not_a_regular_file_of_bounded_size_is_unusable(mini, make, why):
    make(mini / "data" / "sources" / "odd.txt")
    _quote_from(mini, "data/sources/odd.txt")
    done: list = []
    worker = threading.Thread(target=lambda: done.append(_problems(mini)), daemon=True)
    worker.start()
    worker.join(60)
    assert done, "the check blocked on the file"  # a FIFO must not be opened for reading
    (problem,) = done[0]
    assert problem.finding.rule == "source-text-unusable"
    if why.startswith("data/"):
        assert problem.finding.message == f"archived source text unusable: {why}"
    else:
        assert problem.finding.message == f"archived source text unusable: data/sources/odd.txt: {why}"
