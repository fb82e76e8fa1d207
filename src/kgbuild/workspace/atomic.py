"""Writing a file atomically: a reader sees the old file or the new one, never part of one.

Every file kgbuild writes whole (the store manifest and its sidecars, the
files of the output directory, ``query -o`` results, exports) goes through
``atomic_file``: the content is written to a temporary file in the target's
own directory (``.<name>.<random>.tmp``, so the final rename never crosses a
file system), flushed to disk, given the mode a newly created file would
have, and renamed over the target. If anything fails or raises meanwhile
(the disk fills, a serialiser raises half-way, Ctrl-C), the temporary file is
removed and the old target is left as it was.

Failures are raised as ``OSError`` (callers say what they were writing, in a
``kgbuild.errors`` exception); an exception raised by the caller's own
writing passes through unchanged.
Imports nothing but stdlib.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content to; it replaces ``path`` when the block ends without error.

    Streams: nothing is held in memory, so large outputs (exports, dumps)
    are written as they are produced.
    """
    directory = path.parent
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream  # type: ignore[misc]
            stream.flush()
            os.fsync(stream.fileno())  # the bytes are on disk before the name points at them
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 is for the temporary file only
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_directory(directory)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (``atomic_file``)."""
    with atomic_file(path) as stream:
        stream.write(data)


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` as UTF-8, line ends as given (``atomic_file``)."""
    write_bytes_atomically(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_directory(directory: Path) -> None:
    """Flush the directory entry of the rename to disk, where the system allows it (not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
