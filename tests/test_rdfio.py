from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgbuild.errors import InputError, InputErrors
from kgbuild.rdfio import parse_files, parse_turtle, read_text

PREFIX = "@prefix ex: <https://example.org/x#> .\n"


def test_parses_triples_and_prefixes():
    parsed = parse_turtle(PREFIX + "ex:a ex:b ex:c , [ ex:d 1 ] .\n", file="a.ttl")
    assert len(parsed.triples) == 3
    assert parsed.prefixes == (("ex", "https://example.org/x#"),)


def test_empty_file_is_fine():
    assert parse_turtle("", file="empty.ttl").triples == ()


def test_syntax_error_names_file_line_column_and_problem():
    with pytest.raises(InputError) as caught:
        parse_turtle(PREFIX + "\nex:a ex:b foo:c .\n", file="data/x.ttl")
    error = caught.value
    assert (error.file, error.line, error.column) == ("data/x.ttl", 3, 11)
    assert error.message == "Turtle syntax error: The prefix foo: has not been declared"
    assert str(error) == "data/x.ttl:3:11: Turtle syntax error: The prefix foo: has not been declared"


def test_every_syntax_error_in_a_file_is_reported():
    text = PREFIX + "ex:a ex:b foo:c .\nex:a ex:b ex:ok .\nex:a ex:b bar:c .\n"
    with pytest.raises(InputErrors) as caught:
        parse_turtle(text, file="x.ttl")
    assert [(e.line, e.message) for e in caught.value.problems()] == [
        (2, "Turtle syntax error: The prefix foo: has not been declared"),
        (4, "Turtle syntax error: The prefix bar: has not been declared"),
    ]


def test_invalid_and_relative_iris_are_syntax_errors():
    with pytest.raises(InputError, match="Invalid IRI code point ' '"):
        parse_turtle(PREFIX + "ex:a ex:b <https://example.org/a b> .\n", file="x.ttl")
    with pytest.raises(InputError, match="No scheme found in an absolute IRI"):
        parse_turtle("<a> <b> <c> .\n", file="x.ttl")


def test_errors_of_all_files_are_collected(tmp_path):
    (tmp_path / "a.ttl").write_text(PREFIX + "ex:a ex:b .\n", encoding="utf-8")
    (tmp_path / "b.ttl").write_text(PREFIX + "ex:a ex:b ex:c .\n", encoding="utf-8")
    (tmp_path / "c.ttl").write_text(PREFIX + "\n\nex:a ex:b ex:c ex:d .\n", encoding="utf-8")
    paths = sorted(tmp_path.glob("*.ttl"))
    with pytest.raises(InputErrors) as caught:
        parse_files(paths, root=tmp_path)
    assert [(e.file, e.line) for e in caught.value.problems()] == [("a.ttl", 2), ("c.ttl", 4)]


def test_non_utf8_file_names_byte_offset(tmp_path):
    path = tmp_path / "latin1.ttl"
    path.write_bytes(PREFIX.encode() + 'ex:a ex:b "caf\xe9" .\n'.encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_text(path, file="latin1.ttl")
    offset = len(PREFIX.encode()) + len('ex:a ex:b "caf')
    assert caught.value.message == f"not valid UTF-8: byte 0xe9 at byte offset {offset}"
    assert (caught.value.line, caught.value.column) == (2, 15)


def test_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + PREFIX.encode())
    assert read_text(path, file="bom.ttl") == PREFIX


@pytest.mark.parametrize("statement", ["ex:a ex:b <<( ex:s ex:p ex:o )>> .", "<< ex:s ex:p ex:o >> ex:b ex:c ."])
def test_rdf_1_2_triple_terms_are_refused(statement):
    with pytest.raises(InputError) as caught:
        parse_turtle("@prefix ex: <https://example.org/> .\n" + statement + "\n", file="x.ttl")
    assert [problem.message for problem in caught.value.problems()] == ["RDF 1.2 triple terms are not supported"]


# --- a token longer than the parser reads (pyoxigraph's lexer stops at 16 MiB) -------------------

BIG = 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (PREFIX + "ex:a ex:b ex:c .\nex:a ex:b \"" + "x" * BIG + "\" .\n", 3),  # one 20 MB literal on line 3
        (PREFIX + "ex:a ex:b <urn:" + "x" * BIG + "> .\n", 2),  # one 20 MB IRI
        (PREFIX + "# " + "x" * BIG + "\nex:a ex:b ex:c .\n", 2),  # even a comment
        (PREFIX + "ex:a ex:b \"\"\"" + "x\n" * (BIG // 2) + "\"\"\" .\n", None),  # a long literal of short lines
    ],
    ids=["literal", "iri", "comment", "multi-line-literal"],
)
def test_a_token_longer_than_the_parser_reads_is_an_input_error_naming_the_file(text, line):
    with pytest.raises(InputError) as caught:
        parse_turtle(text, file="data/big.ttl")
    error = caught.value
    assert (error.file, error.line) == ("data/big.ttl", line)
    assert error.message == (
        "a single literal, IRI or comment is longer than the parser's limit of 16,777,216 bytes (16 MiB); "
        "the file cannot be read past it"
    )


def test_a_20_mb_line_of_short_triples_is_read():
    line = "".join(f"ex:s{i} ex:p \"o{i}\" . " for i in range(BIG // 24))
    assert len(line) > BIG
    assert len(parse_turtle(PREFIX + line + "\n", file="data/line.ttl").triples) == BIG // 24


def test_drain_keeps_one_error_per_line_and_stops_at_the_limit_or_the_first_where_the_parser_cannot_go_on():
    from kgbuild.rdfio import MAX_ERRORS_PER_FILE, drain

    # line 1 is fine; line 2 has two faults (one error kept); then broken lines (the recovery skips some)
    text = ("<https://e/a> <https://e/p> 1 .\n<https://e/b> <https://e/p> <not an iri> <x y> .\n"
            + "".join(f"<https://e/c{n}> <https://e/p> .\n" for n in range(3 * MAX_ERRORS_PER_FILE)))
    drained = drain(ox.parse(text, format=ox.RdfFormat.TURTLE))
    assert [str(q.subject) for q in drained.quads][:1] == ["<https://e/a>"]
    lines = [error.lineno for error in drained.errors]
    assert lines == sorted(set(lines)) and lines[0] == 2 and len(lines) == MAX_ERRORS_PER_FILE
    assert drained.too_long is None
    once = drain(ox.parse(text, format=ox.RdfFormat.TURTLE), recovers=False)
    assert [error.lineno for error in once.errors] == [2]
