"""One atomic writer: the new file whole, or the old one untouched and no temporary file left behind."""

from __future__ import annotations

import os
import stat

import pytest

from kgbuild.workspace.atomic import (
    atomic_file,
    write_bytes_atomically,
    write_text_atomically,
)


class SerialiserFailed(Exception):
    pass


def leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_the_new_content_replaces_the_old_with_a_normal_files_mode(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    write_text_atomically(target, "néw\r\nline ends as given\n")
    assert target.read_bytes() == "néw\r\nline ends as given\n".encode("utf-8")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask  # not the temporary file's 0600
    assert leftovers(tmp_path) == []


def test_a_new_file_is_created(tmp_path):
    write_bytes_atomically(tmp_path / "graph.nt", b"<a> <b> <c> .\n")
    assert (tmp_path / "graph.nt").read_bytes() == b"<a> <b> <c> .\n"
    assert leftovers(tmp_path) == []


def test_a_serialiser_raising_half_way_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "graph.nt"
    target.write_bytes(b"the old graph\n")

    def serialise(stream) -> None:
        stream.write(b"<a> <b> <c> .\n" * 1000)  # written, and large enough to reach the disk
        stream.flush()
        raise SerialiserFailed("the serialiser stopped")

    with pytest.raises(SerialiserFailed, match="the serialiser stopped"):  # passed through, unchanged
        with atomic_file(target) as stream:
            serialise(stream)
    assert target.read_bytes() == b"the old graph\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nt"]


def test_an_interrupt_leaves_the_old_file_too(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(target) as stream:
            stream.write(b"x,y\n")
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "a,b\n"
    assert leftovers(tmp_path) == []


def test_a_target_that_cannot_be_replaced_is_an_oserror_and_leaves_nothing(tmp_path):
    target = tmp_path / "dist"
    target.mkdir()
    (target / "kept").write_text("kept", encoding="utf-8")
    with pytest.raises(OSError):
        write_bytes_atomically(target, b"a file where a directory is")
    assert (target / "kept").read_text(encoding="utf-8") == "kept"
    assert leftovers(tmp_path) == []


def test_a_missing_directory_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_bytes_atomically(tmp_path / "no-such-dir" / "file", b"x")
    assert list(tmp_path.iterdir()) == []
