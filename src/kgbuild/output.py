"""Writing the build output directory atomically.

Files are written into a fresh temporary directory beside the target, which
then replaces the target, so a reader never sees a half-written output and a
failed build leaves the previous output in place. An existing target is only
replaced if it holds nothing but files kgbuild writes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

from kgbuild.errors import OutputError
from kgbuild.workspace.atomic import write_bytes_atomically


def replace_directory(target: Path, files: Mapping[str, bytes], *, known: Collection[str]) -> None:
    """Make ``target`` a directory holding exactly ``files`` (name -> content)."""
    target = target.resolve()
    _check_replaceable(target, known)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot create output directory beside {target}: {exc}") from exc
    try:
        staging.chmod(0o777 & ~_umask())
        for name in sorted(files):
            write_bytes_atomically(staging / name, files[name])  # each file on disk before the directory swap
        _swap(staging, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _check_replaceable(target: Path, known: Collection[str]) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"output path exists and is not a directory: {target}")
    foreign = sorted(
        entry.name for entry in target.iterdir() if entry.name not in known or not entry.is_file()
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise OutputError(
            f"refusing to replace {target}: it holds files kgbuild does not write ({shown})"
        )


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    retired.rmdir()
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
