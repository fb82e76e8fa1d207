"""The embedded store: written by a conforming build only, outside dist/, refused when older than its inputs."""

from __future__ import annotations

import json

import pytest
from conftest import append, snapshot

from kgbuild.builder import build
from kgbuild.errors import StaleStoreError
from kgbuild.project import load_project
from kgbuild.workspace.manifest import manifest_path
from kgbuild.workspace.versions import fingerprint, open_store


def count(store) -> int:
    return len(list(store.quads_for_pattern(None, None, None, None)))


def stale_message(project) -> str:
    with pytest.raises(StaleStoreError) as caught:
        open_store(project)
    return caught.value.message


def test_conforming_build_writes_store_and_manifest(mini):
    project = load_project(mini)
    result = build(project)
    assert not result.report.fails("violation")  # one warning: published under the default --fail-on
    assert project.store_dir == (mini / ".kgbuild" / "store").resolve()
    manifest = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    assert manifest["version"] == 1
    assert result.store == project.store_dir.with_name(manifest["store"])  # the version the manifest names
    assert result.store.is_dir() and result.store.name.startswith("store-")
    assert manifest["inputs"] == fingerprint(project)
    assert "kgbuild.toml" in manifest["inputs"] and "data/people.ttl" in manifest["inputs"]
    assert "data/events/meetings.ttl" in manifest["inputs"]
    store = open_store(project)
    graph_nt = (mini / "dist" / "graph.nt").read_bytes()
    assert count(store) == len([line for line in graph_nt.splitlines() if line.strip()])
    names = {str(row["n"].value) for row in store.query("SELECT ?n WHERE { ?p <https://example.org/mini/ontology#name> ?n }")}
    assert {"Ada Lovelace", "Charles Babbage"} <= names


def test_no_store_for_a_nonconforming_build(mini):
    append(mini / "data" / "people.ttl", "\nmr:nameless a mo:Person .\n")
    project = load_project(mini)
    result = build(project)
    assert result.report.fails("violation")
    assert result.store is None
    assert not list(project.store_dir.parent.glob("store*/"))
    assert not manifest_path(project).exists()
    assert "run `kgbuild build`" in stale_message(project)


def test_no_store_before_any_build(mini):
    message = stale_message(load_project(mini))
    assert message == "no embedded store at .kgbuild/store: run `kgbuild build` first"


def test_changed_data_file_is_named(mini):
    project = load_project(mini)
    build(project)
    append(mini / "data" / "people.ttl", "\n# a comment changes the bytes\n")
    message = stale_message(project)
    assert "data/people.ttl (changed)" in message
    assert "run `kgbuild build`" in message
    assert "meetings.ttl" not in message


def test_new_and_removed_data_files_are_named(mini):
    project = load_project(mini)
    build(project)
    (mini / "data" / "events" / "more.ttl").write_text("", encoding="utf-8")
    (mini / "data" / "empty.ttl").unlink()
    message = stale_message(project)
    assert "data/events/more.ttl (new)" in message
    assert "data/empty.ttl (removed)" in message
    assert message.endswith("; run `kgbuild build`")


def test_changed_configuration_or_ontology_makes_it_stale(mini):
    project = load_project(mini)
    build(project)
    append(mini / "kgbuild.toml", "\n# touched\n")
    append(mini / "ontology" / "mini.ttl", "\n# touched\n")
    message = stale_message(project)
    assert "kgbuild.toml (changed)" in message and "ontology/mini.ttl (changed)" in message


def test_queries_and_shapes_do_not_make_it_stale(mini):
    project = load_project(mini)
    build(project)
    append(mini / "queries" / "sample.rq", "\n# touched\n")
    (mini / "queries" / "another.rq").write_text("# title: x\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    open_store(project)


def test_rebuild_makes_it_usable_again(mini):
    project = load_project(mini)
    build(project)
    append(mini / "data" / "people.ttl", '\nmr:grace a mo:Person ; mo:name "Grace Hopper" .\n')
    stale_message(project)
    build(project)
    store = open_store(project)
    assert any(str(row["n"].value) == "Grace Hopper" for row in store.query("SELECT ?n WHERE { ?p <https://example.org/mini/ontology#name> ?n }"))
    assert not [p for p in project.store_dir.parent.iterdir() if p.name.startswith(".store.")], "leftover staging dirs"


def test_unreadable_manifest_is_stale(mini):
    project = load_project(mini)
    build(project)
    manifest_path(project).write_text("{not json", encoding="utf-8")
    assert stale_message(project) == ("unusable store manifest .kgbuild/store.json: it is not JSON at line 1 "
                                      "(Expecting property name enclosed in double quotes); "
                                      "run `kgbuild build` to write it again")


def test_store_is_outside_dist_and_dist_is_byte_identical_across_builds(mini):
    project = load_project(mini)
    build(project)
    first = {name: digest for name, (digest, _mtime) in snapshot(mini / "dist").items()}
    build(project)
    second = {name: digest for name, (digest, _mtime) in snapshot(mini / "dist").items()}
    assert first == second
    assert "graph.nt" in first
    assert not any(name.startswith(".kgbuild") or "store" in name for name in first)
    dist = (mini / "dist").resolve()
    assert dist not in project.store_dir.parents


def test_manifest_records_the_published_graph_files(mini, tmp_path):
    import hashlib

    from kgbuild.workspace.versions import built_file

    project = load_project(mini)
    build(project)
    manifest = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    assert manifest["outputs"]["dir"] == "dist"
    for name in ("graph.nt", "graph.nq", "graph.ttl"):
        digest = hashlib.sha256((mini / "dist" / name).read_bytes()).hexdigest()
        assert manifest["outputs"]["files"][name] == digest
        assert built_file(project, name) == project.root / "dist" / name
    with pytest.raises(StaleStoreError, match="the last build did not publish stats.json"):
        built_file(project, "stats.json")
    elsewhere = tmp_path / "elsewhere"
    build(project, out=elsewhere)
    assert built_file(project, "graph.nt") == elsewhere.resolve() / "graph.nt"


def test_a_store_from_before_the_outputs_were_recorded_needs_a_rebuild(mini):
    from kgbuild.workspace.versions import built_file

    project = load_project(mini)
    build(project)
    path = manifest_path(project)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["outputs"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    open_store(project)  # queries still work
    with pytest.raises(StaleStoreError, match="written by an older kgbuild: run `kgbuild build`"):
        built_file(project, "graph.nt")


def test_unchanged_files_are_not_hashed_again_and_changed_ones_are(mini, monkeypatch):
    import kgbuild.workspace.versions as store_module

    project = load_project(mini)
    build(project)
    hashed = []
    original = store_module._sha256
    monkeypatch.setattr(store_module, "_sha256", lambda path: hashed.append(path.name) or original(path))
    open_store(project)
    assert hashed == []  # size and modification time unchanged: the recorded digests stand
    path = mini / "data" / "people.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")  # same bytes, new modification time: hashed, still fresh
    open_store(project)
    assert hashed == ["people.ttl"]
    path.write_text(text.replace("Ada Lovelace", "Ada Lovelacf"), encoding="utf-8")  # same size, new bytes
    assert "data/people.ttl (changed)" in stale_message(project)
