"""The store manifest: one typed value, read and checked in one place; a bad one names the file, exit 2."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import MINI, run_cli

from kgbuild.builder import build
from kgbuild.errors import StaleStoreError
from kgbuild.project import load_project
from kgbuild.workspace.manifest import (
    BuildOutputs,
    Manifest,
    manifest_path,
    parse_manifest,
    read_manifest,
    write_manifest,
)

SHOWN = ".kgbuild/store.json"
REBUILD = "run `kgbuild build` to write it again"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The mini project, built once: tests replace its manifest and put the original back (and do not build)."""
    root = tmp_path_factory.mktemp("manifest") / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("dist"))
    build(load_project(root))
    return root


@pytest.fixture
def project(built):
    project = load_project(built)
    original = manifest_path(project).read_bytes()
    yield project
    manifest_path(project).write_bytes(original)


def unusable(project, text: str) -> str:
    with pytest.raises(StaleStoreError) as caught:
        parse_manifest(project, text)
    return caught.value.message


def test_a_build_writes_a_manifest_that_reads_back_as_written(project):
    manifest = read_manifest(project)
    assert manifest.store.startswith("store-") and project.store_dir.with_name(manifest.store).is_dir()
    assert "data/people.ttl" in manifest.inputs and "kgbuild.toml" in manifest.inputs
    assert manifest.outputs is not None and manifest.outputs.dir == "dist"
    assert sorted(manifest.outputs.files) == ["graph.nq", "graph.nt", "graph.ttl"]
    assert set(manifest.stats) == set(manifest.inputs)
    assert all(isinstance(size, int) and isinstance(mtime, int) for size, mtime in manifest.stats.values())


def test_round_trip(project):
    manifest = Manifest(store="store-0123456789ab", inputs={"data/a.ttl": "ab" * 32},
                        outputs=BuildOutputs(dir="/elsewhere/out", files={"graph.nt": "cd" * 32}),
                        stats={"data/a.ttl": (12, 1700000000123456789)})
    write_manifest(project, manifest)
    assert read_manifest(project) == manifest
    assert json.loads(manifest_path(project).read_text(encoding="utf-8"))["version"] == Manifest.FORMAT
    bare = Manifest(store="store-0123456789ab", inputs={})
    write_manifest(project, bare)
    assert read_manifest(project) == bare
    assert [p.name for p in manifest_path(project).parent.iterdir() if p.name.endswith(".tmp")] == []


def test_not_json_names_the_file_and_the_line(project):
    assert unusable(project, '{\n  "version": 1,\n  "store": \n}') == (
        f"unusable store manifest {SHOWN}: it is not JSON at line 4 (Expecting value); {REBUILD}")


@pytest.mark.parametrize(("change", "problem"), [
    (lambda m: m.pop("version"), 'has no "version" field'),
    (lambda m: m.update(version=2), "is in format 2, written by another kgbuild (this one reads format 1)"),
    (lambda m: m.update(version="1"), 'is in format "1", written by another kgbuild (this one reads format 1)'),
    (lambda m: m.pop("store"), 'has no "store" field (written by a kgbuild from before store versions)'),
    (lambda m: m.update(store="../elsewhere"), 'its "store" is not the name of a store version: "../elsewhere"'),
    (lambda m: m.pop("inputs"), 'has no "inputs" field'),
    (lambda m: m.update(inputs=["data/people.ttl"]), 'its "inputs" is not an object'),
    (lambda m: m["inputs"].update({"data/people.ttl": 7}), 'its "inputs" of "data/people.ttl" is not a string'),
    (lambda m: m.update(outputs={"files": {}}), 'its "outputs" is not an object with a "dir" string'),
    (lambda m: m["stats"].update({"kgbuild.toml": [1]}),
     'its "stats" of "kgbuild.toml" is not [size, modification time]'),
])
def test_a_field_missing_or_of_the_wrong_kind_is_named(project, change, problem):
    data = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    change(data)
    assert unusable(project, json.dumps(data)) == f"unusable store manifest {SHOWN}: it {problem}; {REBUILD}"


def test_not_an_object(project):
    assert unusable(project, "[1]") == f"unusable store manifest {SHOWN}: it is not a JSON object; {REBUILD}"


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "it is not JSON at line 1 (Expecting property name enclosed in double quotes)"),
    ('{"version": 0, "store": "store-0123456789ab", "inputs": {}}',
     "it is in format 0, written by another kgbuild (this one reads format 1)"),
    ('{"version": 1, "inputs": {}}', 'it has no "store" field (written by a kgbuild from before store versions)'),
])
@pytest.mark.parametrize("command", [("query", "sample"), ("export", "--format", "nt")])
def test_the_cli_says_which_file_and_exits_2(project, content, problem, command):
    manifest_path(project).write_text(content, encoding="utf-8")
    result = run_cli(*command, "--project", str(project.root))
    assert result.exit_code == 2
    assert result.stderr == f"kgbuild: error: unusable store manifest {SHOWN}: {problem}; {REBUILD}\n"
    assert result.stdout == ""


def test_a_manifest_that_is_not_utf8_is_unusable_too(project):
    manifest_path(project).write_bytes(b'{"version": 1, "store": "\xff"}')
    with pytest.raises(StaleStoreError, match=f"unusable store manifest {SHOWN}: it cannot be read"):
        read_manifest(project)


def test_a_build_replaces_a_corrupt_manifest(mini):
    project = load_project(mini)
    build(project)
    manifest_path(project).write_text("{not json", encoding="utf-8")
    result = run_cli("build", "--project", str(project.root))
    assert result.exit_code == 0, result.stderr
    assert read_manifest(project).store.startswith("store-")
    assert run_cli("query", "sample", "--project", str(project.root)).exit_code == 0
    versions = [p.name for p in project.store_dir.parent.iterdir() if p.name.startswith("store-")]
    assert len(versions) <= 2  # the old versions are cleared as after any build


def test_a_build_whose_manifest_cannot_be_written_leaves_the_old_one_current(mini, monkeypatch):
    import os

    from kgbuild.errors import OutputError
    from kgbuild.workspace.versions import open_store

    project = load_project(mini)
    build(project)
    before = manifest_path(project).read_bytes()
    replace = os.replace

    def refusing(source, target):
        if os.path.basename(target) == "store.json":
            raise OSError(28, "No space left on device")
        return replace(source, target)

    monkeypatch.setattr(os, "replace", refusing)
    with pytest.raises(OutputError, match=f"cannot write the store manifest {SHOWN}: .*No space left on device"):
        build(project)
    monkeypatch.undo()
    assert manifest_path(project).read_bytes() == before
    workspace = manifest_path(project).parent
    assert [p.name for p in workspace.iterdir() if p.name.endswith(".tmp")] == []
    assert [p.name for p in workspace.iterdir() if p.name.startswith("store-")] == [read_manifest(project).store]
    assert len(open_store(project)) > 0
