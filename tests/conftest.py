"""Shared helpers for the engine tests: the mini fixture project and the CLI runner."""

from __future__ import annotations

import hashlib
import inspect
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, writable copy of tests/fixtures/mini."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns("dist"))
    return target


def run_cli(*args: str) -> Result:
    """Run ``kgbuild ARGS`` in-process with stdout and stderr kept apart."""
    from kgbuild.cli import cli

    options = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    runner = CliRunner(**options)
    return runner.invoke(cli, list(args), catch_exceptions=False)


def snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``directory``: relative path -> (sha256, mtime_ns)."""
    return {
        path.relative_to(directory).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
