"""`kgbuild export`: the built graph in the formats bulk loaders take, deterministic, checked against the build."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_cli
from rdflib import Graph
from rdflib.compare import isomorphic

from kgbuild.backends.convert import from_ox
from kgbuild.errors import StaleStoreError
from kgbuild.export import FORMATS, export, format_for
from kgbuild.project import load_project

NS = "https://w3id.org/ppdkg/"


@pytest.fixture
def project(built_project, tmp_path) -> Path:
    """A writable copy of the built real project (dist/, the store and its manifest)."""
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy)
    return copy


def triples(project: Path) -> Graph:
    graph = Graph()
    graph.parse(project / "dist" / "graph.nt", format="nt")
    return graph


OX_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}


def graphs_of(data: bytes, fmt: str) -> dict[str, Graph]:
    """Graph name ("" for the default graph) -> its triples, read back with pyoxigraph."""
    graphs: dict[str, Graph] = {}
    for quad in ox.parse(data, format=OX_FORMATS[fmt]):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        graphs.setdefault(name, Graph()).add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graphs


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_triple_formats_hold_the_whole_graph(project, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    result = run_cli("export", "--project", str(project), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    exported = Graph()
    exported.parse(out, format="nt" if fmt == "nt" else "turtle")
    assert isomorphic(exported, triples(project))
    count = len(triples(project))
    assert f"kgbuild: wrote {count} triples as {FORMATS[fmt].title} to {out}" in result.stderr


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld"])
def test_quad_formats_keep_ontology_and_data_apart(project, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    result = run_cli("export", "--project", str(project), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    published = graphs_of((project / "dist" / "graph.nq").read_bytes(), "nq")
    assert set(published) == {NS + "graph/ontology", NS + "graph/data"}
    exported = graphs_of(out.read_bytes(), fmt)
    assert set(exported) == set(published)  # no default graph
    for name, graph in published.items():
        assert isomorphic(exported[name], graph), name


def test_nt_export_is_the_sorted_published_file(project, tmp_path):
    out = tmp_path / "graph.nt"
    export(load_project(project), "nt", output=out)
    data = out.read_bytes()
    assert data == (project / "dist" / "graph.nt").read_bytes()
    lines = data.splitlines()
    assert lines == sorted(lines)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_build_same_bytes_compressed_or_not(project, tmp_path, fmt):
    loaded = load_project(project)
    first, second = tmp_path / f"a.{fmt}.gz", tmp_path / f"b.{fmt}.gz"
    plain = tmp_path / f"c.{fmt}"
    result = export(loaded, fmt, output=first)
    export(loaded, fmt, output=second)
    export(loaded, fmt, output=plain)
    assert result.compressed
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()) == plain.read_bytes()
    assert result.size == first.stat().st_size


def test_stdout_and_the_default_format(project):
    result = run_cli("export", "--project", str(project))
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (project / "dist" / "graph.nt").read_bytes()
    assert "to stdout" in result.stderr


def test_trig_from_stdout_parses_with_pyoxigraph(project):
    result = run_cli("export", "--project", str(project), "--format", "trig")
    quads = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TRIG))
    assert len(quads) == len((project / "dist" / "graph.nq").read_bytes().splitlines())
    assert result.stdout.startswith("@prefix ")


def test_format_and_file_name_must_agree(project, tmp_path):
    out = tmp_path / "graph.nt"
    result = run_cli("export", "--project", str(project), "--format", "ttl", "-o", str(out))
    assert result.exit_code == 2
    assert "--format ttl but graph.nt looks like nt" in result.stderr
    assert not out.exists()


def test_format_inferred_from_the_name():
    assert format_for(Path("x/graph.trig.gz")) == "trig"
    assert format_for(Path("GRAPH.NQ")) == "nq"
    assert format_for(Path("graph.jsonld")) == "jsonld"
    assert format_for(Path("graph.txt")) is None


def test_changed_data_is_refused(project, tmp_path):
    with (project / "data" / "deals.ttl").open("a", encoding="utf-8") as stream:
        stream.write("\n# edited after the build\n")
    out = tmp_path / "graph.nt"
    result = run_cli("export", "--project", str(project), "-o", str(out))
    assert result.exit_code == 2
    assert ("kgbuild: error: the embedded store is older than the data — data/deals.ttl (changed); "
            "run `kgbuild build`") in result.stderr
    assert not out.exists()


def test_an_edited_published_file_is_refused(project, tmp_path):
    with (project / "dist" / "graph.nt").open("ab") as stream:
        stream.write(b"<urn:x> <urn:y> <urn:z> .\n")
    with pytest.raises(StaleStoreError, match=r"dist/graph.nt was changed since the build wrote it"):
        export(load_project(project), "nt", output=tmp_path / "out.nt")
    (project / "dist" / "graph.nq").unlink()
    result = run_cli("export", "--project", str(project), "--format", "nq")
    assert result.exit_code == 2
    assert "dist/graph.nq is missing (removed since the build): run `kgbuild build`" in result.stderr


def test_no_build_is_refused(mini, tmp_path):
    result = run_cli("export", "--project", str(mini), "-o", str(tmp_path / "g.nt"))
    assert result.exit_code == 2
    assert "no embedded store at .kgbuild/store: run `kgbuild build` first" in result.stderr


def test_unwritable_target_leaves_nothing_behind(project, tmp_path):
    target = tmp_path / "missing-dir" / "graph.nt"
    result = run_cli("export", "--project", str(project), "-o", str(target))
    assert result.exit_code == 2
    assert f"cannot write {target}" in result.stderr
    directory = tmp_path / "a-directory.nt"
    directory.mkdir()
    result = run_cli("export", "--project", str(project), "-o", str(directory))
    assert result.exit_code == 2
    assert list(directory.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(project, tmp_path, monkeypatch):
    out = tmp_path / "graph.trig"
    out.write_text("previous\n")
    import kgbuild.export as module

    def broken(fmt, source, sink):
        sink.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "_write", broken)
    result = run_cli("export", "--project", str(project), "-o", str(out))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert out.read_text() == "previous\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@pytest.mark.parametrize("fmt,target", [("nt", "-"), ("ttl", "out.ttl"), ("trig", "out.trig")])
def test_a_build_replacing_the_files_while_exporting_is_a_message(project, tmp_path, monkeypatch, fmt, target):
    """A build that removes the checked graph files (say, it found violations) between the check and the read:
    exit 2 and one line, no traceback and no misleading "cannot write"."""
    import kgbuild.workspace.versions as store

    checked = store.built_file

    def checked_then_replaced(project_, name):
        path = checked(project_, name)
        shutil.rmtree(path.parent)  # what a build with violations leaves of dist/: no graph files
        return path

    monkeypatch.setattr(store, "built_file", checked_then_replaced)
    args = ["export", "--project", str(project), "--format", fmt]
    if target != "-":
        args += ["-o", str(tmp_path / target)]
    result = run_cli(*args)
    assert result.exit_code == 2
    assert "was replaced by a build running while exporting: run the export again" in result.stderr
    assert "cannot write" not in result.stderr
    assert not (tmp_path / target).exists()
