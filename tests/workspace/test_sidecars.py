"""The files beside the store other than its versions and manifest: named in one place, written atomically."""

from __future__ import annotations

import json

import pytest

from kgbuild.project import load_project
from kgbuild.workspace.sidecars import (
    NAME_INDEX,
    QUERY_SYNTAX,
    read_sidecar,
    scratch_path,
    sidecar_path,
    write_sidecar,
)


def test_paths_beside_the_store(mini):
    project = load_project(mini)
    workspace = (mini / ".kgbuild").resolve()
    assert sidecar_path(project, NAME_INDEX) == workspace / "store.names.json"
    assert sidecar_path(project, QUERY_SYNTAX) == workspace / "store.query-syntax.json"
    with pytest.raises(ValueError, match="unknown sidecar 'store.json'"):
        sidecar_path(project, "store.json")
    first, second = scratch_path(project, "check"), scratch_path(project, "check")
    assert first.parent == workspace and first.name.startswith(".store.check-") and first != second
    assert not first.exists()


def test_written_atomically_and_read_leniently(mini):
    project = load_project(mini)
    assert read_sidecar(project, NAME_INDEX) is None  # no workspace yet
    path = write_sidecar(project, NAME_INDEX, json.dumps({"names": []}))
    assert read_sidecar(project, NAME_INDEX) == {"names": []}
    path.write_text("{half", encoding="utf-8")
    assert read_sidecar(project, NAME_INDEX) is None  # an index, rebuilt when unusable: never an error
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_build_writes_the_name_index_the_contribution_check_reads(built_project):
    from kgbuild.checks.duplicates import NameIndex
    from kgbuild.workspace.manifest import read_manifest

    project = load_project(built_project)
    inputs = read_manifest(project).inputs
    index = NameIndex.load(project, inputs)
    assert index is not None and len(index.entries) > 0
    assert NameIndex.load(project, {**inputs, "data/more.ttl": "0" * 64}) is None  # made from other inputs
