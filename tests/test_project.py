from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI

from kgbuild.errors import ConfigError, ProjectNotFoundError
from kgbuild.project import load_project


def test_loads_configured_paths():
    project = load_project(MINI)
    assert project.root == MINI
    assert project.namespace == "https://example.org/mini/"
    assert project.data_dir == MINI / "data"
    assert project.dist_dir == MINI / "dist"
    assert project.quotes_query == MINI / "shapes" / "quotes.rq"
    assert project.facts_per_source_query == MINI / "shapes" / "facts-per-source.rq"
    assert project.sample_query == MINI / "queries" / "sample.rq"


def test_data_files_are_found_recursively_and_sorted():
    project = load_project(MINI)
    assert [project.rel(p) for p in project.data_files()] == [
        "data/empty.ttl",
        "data/events/meetings.ttl",
        "data/people.ttl",
        "data/sources.ttl",
    ]
    assert [project.rel(p) for p in project.ontology_files()] == ["ontology/empty.ttl", "ontology/mini.ttl"]


def test_discovers_root_from_a_subdirectory(monkeypatch):
    monkeypatch.chdir(MINI / "data" / "events")
    assert load_project().root == MINI


def test_no_project_above_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectNotFoundError, match="no kgbuild.toml in .* or any parent directory"):
        load_project()


def test_explicit_directory_must_exist(tmp_path):
    with pytest.raises(ProjectNotFoundError, match="project directory not found"):
        load_project(tmp_path / "missing")


def test_explicit_directory_must_hold_config(tmp_path):
    with pytest.raises(ProjectNotFoundError, match=r"not a kgbuild project \(no kgbuild.toml\)"):
        load_project(tmp_path)


def _write_config(root: Path, text: str) -> None:
    for name in ("ontology", "shapes", "data"):
        (root / name).mkdir(exist_ok=True)
    (root / "kgbuild.toml").write_text(text, encoding="utf-8")


def test_unknown_key_is_reported_with_its_line(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[checks]\nquote = "q.rq"\n')
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.message == "unknown key checks.quote (known: quotes, facts-per-source, names, stated-facts, max-contribution-triples)"
    assert (caught.value.file, caught.value.line) == ("kgbuild.toml", 3)


@pytest.mark.parametrize("value", ["0", "-5", '"many"', "2.5", "true"])
def test_max_contribution_triples_must_be_a_positive_whole_number(tmp_path, value):
    _write_config(tmp_path, f'namespace = "https://example.org/x/"\n[checks]\nmax-contribution-triples = {value}\n')
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.message.startswith("checks.max-contribution-triples must be a positive whole number")
    assert (caught.value.file, caught.value.line) == ("kgbuild.toml", 3)


def test_max_contribution_triples_is_read(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[checks]\nmax-contribution-triples = 1234\n')
    assert load_project(tmp_path).max_contribution_triples == 1234
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n')
    assert load_project(tmp_path).max_contribution_triples is None


def test_invalid_toml_reports_line_and_column(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[paths\n')
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.line == 2
    assert caught.value.column is not None
    assert caught.value.message.startswith("invalid TOML")


@pytest.mark.parametrize("namespace", ["", "example.org/x/", "https://example.org/x"])
def test_namespace_must_be_an_iri_ending_in_slash_or_hash(tmp_path, namespace):
    _write_config(tmp_path, f'namespace = "{namespace}"\n')
    with pytest.raises(ConfigError, match="namespace must be an absolute IRI"):
        load_project(tmp_path)


def test_missing_data_directory(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[paths]\ndata = "facts"\n')
    with pytest.raises(ConfigError, match="paths.data: directory not found: facts") as caught:
        load_project(tmp_path)
    assert caught.value.line == 3


def test_defaults_when_tables_are_absent(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n')
    project = load_project(tmp_path)
    assert project.shapes_dir == tmp_path.resolve() / "shapes"
    assert project.quotes_query is None and project.sample_query is None


def test_sources_folder_defaults_to_data_sources_and_may_be_a_list(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n')
    assert load_project(tmp_path).sources_dirs == (tmp_path.resolve() / "data" / "sources",)
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[paths]\nsources = ["texts", "more/texts"]\n')
    assert load_project(tmp_path).sources_dirs == (tmp_path.resolve() / "texts", tmp_path.resolve() / "more" / "texts")


@pytest.mark.parametrize("value", ['""', "[]", "3", '["texts", 3]'])
def test_sources_folder_must_be_a_path_or_a_list_of_paths(tmp_path, value):
    _write_config(tmp_path, f'namespace = "https://example.org/x/"\n[paths]\nsources = {value}\n')
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.message == "paths.sources must be a non-empty string path or a list of them"
    assert caught.value.line == 3


def test_store_section_is_read(tmp_path):
    from kgbuild.project import RemoteStore

    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[store]\nendpoint = "http://127.0.0.1:8890/sparql"\n'
                  'graph = "https://example.org/g"\ngraph-store = "http://127.0.0.1:8890/sparql-graph-crud"\n')
    assert load_project(tmp_path).remote == RemoteStore(
        endpoint="http://127.0.0.1:8890/sparql", graph="https://example.org/g", update_endpoint=None,
        graph_store="http://127.0.0.1:8890/sparql-graph-crud")


def test_no_store_section_names_no_remote_store(tmp_path):
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n')
    assert load_project(tmp_path).remote is None


def test_a_key_is_located_in_its_own_table_not_at_a_table_or_key_of_the_same_name(tmp_path):
    """[store] (a table) and [paths] store (a key) share a name: an error about paths.store names the key's line."""
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[store]\nendpoint = "http://127.0.0.1:1/q"\n'
                            '[checks]\nstore = 1\n[paths]\ndata = "data"\nstore = 5\n')
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.message.startswith("unknown key checks.store")
    assert caught.value.line == 5
    _write_config(tmp_path, 'namespace = "https://example.org/x/"\n[store]\nendpoint = "http://127.0.0.1:1/q"\n'
                            '[paths]\ndata = "data"\nstore = 5\n')
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    assert caught.value.message.startswith("paths.store")
    assert caught.value.line == 6
