"""`kgbuild validate FILE --endpoint URL`: a contribution checked against the graph a real Oxigraph server holds
(kgbuild.remotecontribution), with the findings of the same check against the embedded store of the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import free_port, run_cli

from kgbuild.checks.contribution import check_contribution
from kgbuild.project import load_project
from kgbuild.remotecontribution import check_contribution_remote
from kgbuild.workspace.versions import open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "contributions"
EXAMPLE = ROOT / "docs" / "examples" / "contribution-release.ttl"
NAMED = "https://example.org/graphs/project"
PPDR = "https://w3id.org/ppdkg/id/"


@pytest.fixture(scope="module")
def project(built_project):
    return load_project(built_project)


@pytest.fixture(scope="module")
def embedded_ntriples(project) -> bytes:
    """The embedded store's graph (what the local check checks against), as N-Triples."""
    return open_store(project).dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


@pytest.fixture
def server(oxigraph_server, embedded_ntriples):
    """The shared server holding the built project's graph in its default graph (and nothing else)."""
    oxigraph_server.clear()
    oxigraph_server.load(embedded_ntriples)
    return oxigraph_server


def _same(local, remote) -> None:
    assert remote.files == local.files
    assert [f.to_dict() for f in remote.report.findings] == [f.to_dict() for f in local.report.findings]


CONTRIBUTIONS = sorted(p.name for p in CORPUS.iterdir() if p.name not in ("empty.ttl", "not-rdf.ttl"))


def test_every_fixture_of_the_corpus_gives_the_embedded_stores_findings(project, server):
    """Every contribution of the corpus (each kind of mistake, and those that reach existing nodes: claims, deal
    terms, detentions, duplicates, conflicts) and the worked example: the same findings, files, lines and all."""
    checked = 0
    for path in [EXAMPLE, *(CORPUS / name for name in CONTRIBUTIONS)]:
        local = check_contribution(project, [path])
        remote = check_contribution_remote(project, [path], endpoint=server.query_url)
        assert local.context == "embedded store"
        assert remote.context == f"default graph of {server.query_url}"
        _same(local, remote)
        checked += bool(local.report.findings)
    assert checked >= 30  # most of them have findings: the comparison compares something


# Added to the server's graph (and, for the local reference, to the project's data): a source document citing the
# worked example's text file and a person of the same name as one of its people, both far from its nodes.
ELSEWHERE = """
@prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
@prefix ppdr: <https://w3id.org/ppdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

ppdr:remote-only-document a ppd:SourceDocument ;
    rdfs:label "A document only the remote graph holds" ;
    ppd:textFile "docs/examples/example-report.txt" .

ppdr:remote-only-person a ppd:Person ;
    skos:prefLabel "Ivan Samplov"@en .
"""


def test_whole_graph_rules_see_the_remote_graph(built_project, tmp_path, oxigraph_server):
    """Uniqueness (no two documents share a text file) and duplicates (names of every agent) look beyond the
    contribution's neighbourhood: they see what only the remote graph holds, as the local check sees it in its
    store (here the project's files: with the extra data the embedded store is stale)."""
    import shutil

    from kgbuild.sources import load_sources

    copy = tmp_path / "project"
    shutil.copytree(built_project, copy)
    (copy / "data" / "elsewhere.ttl").write_text(ELSEWHERE, encoding="utf-8")
    project = load_project(copy)
    oxigraph_server.clear()
    oxigraph_server.load(load_sources(project).ntriples())
    local = check_contribution(project, [EXAMPLE])
    remote = check_contribution_remote(project, [EXAMPLE], endpoint=oxigraph_server.query_url)
    assert local.context.startswith("project files")
    _same(local, remote)
    found = {(f.rule, f.focus) for f in remote.report.findings}
    assert ("SourceDocumentTextFileUnique", PPDR + "example-source-wire") in found
    assert ("possible-duplicate", PPDR + "example-ivan-samplov") in found


def test_a_named_graph_is_checked_like_the_default_graph(project, oxigraph_server, embedded_ntriples):
    oxigraph_server.clear()
    oxigraph_server.load(embedded_ntriples, graph=NAMED)
    for name in ("second-preferred-claim.ttl", "conflicting-count.ttl", "duplicate-transliterated.ttl"):
        local = check_contribution(project, [CORPUS / name])
        remote = check_contribution_remote(project, [CORPUS / name], endpoint=oxigraph_server.query_url, graph=NAMED)
        assert remote.context == f"graph <{NAMED}> of {oxigraph_server.query_url}"
        assert local.report.findings
        _same(local, remote)
    # the default graph (empty) is not the named one: refused (kgbuild.selection), not checked against nothing
    from kgbuild.selection import EmptyGraphError

    with pytest.raises(EmptyGraphError, match="^the default graph of .* holds no triples"):
        check_contribution_remote(project, [CORPUS / "conflicting-count.ttl"], endpoint=oxigraph_server.query_url)


def _fetched(project, path: Path, endpoint: str) -> int:
    """How many triples of the remote graph the check of ``path`` fetched into its local store."""
    from kgbuild.backends.remote import EndpointDataset
    from kgbuild.checks.reading import read_contribution
    from kgbuild.checks.vocabulary import Vocabulary
    from kgbuild.rdfio import parse_files
    from kgbuild.remotecontribution import EndpointContext

    parsed, _ = read_contribution(path, file=str(path))
    vocabulary = Vocabulary.of(q for f in parse_files(project.ontology_files(), root=project.root) for q in f.triples)
    with EndpointContext(project, parsed.triples, vocabulary, dataset=EndpointDataset(endpoint),
                         description="") as context:
        return len(context.store)


def test_what_is_fetched_does_not_grow_with_the_store(project, server, embedded_ntriples):
    """50,000 more triples of the classes and concepts the worked example uses (releases of the same event type,
    with labels and dates), none linked to its nodes: the check fetches exactly as many triples as before, and a
    small part of the graph."""
    before = _fetched(project, EXAMPLE, server.query_url)
    ppd, rdf = "https://w3id.org/ppdkg/ontology#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    date = "http://www.w3.org/2001/XMLSchema#date"
    padding = "".join(
        f"<{PPDR}padding-{i}> <{rdf}type> <{ppd}Release> .\n"
        f"<{PPDR}padding-{i}> <{ppd}eventType> <https://w3id.org/ppdkg/vocab/event-type-release> .\n"
        f"<{PPDR}padding-{i}> <http://www.w3.org/2000/01/rdf-schema#label> \"padding release {i}\" .\n"
        f"<{PPDR}padding-{i}> <{ppd}date> \"2025-{i % 12 + 1:02d}-01\"^^<{date}> .\n"
        for i in range(12_500))
    server.load(padding)
    assert server.count() >= 50_000
    after = _fetched(project, EXAMPLE, server.query_url)
    assert after == before
    assert before < server.count() // 20


def test_cli_checks_a_contribution_against_an_endpoint(built_project, server):
    path = CORPUS / "conflicting-count.ttl"
    local = run_cli("validate", str(path), "--project", str(built_project), "--format", "json")
    remote = run_cli("validate", str(path), "--project", str(built_project), "--format", "json",
                     "--endpoint", server.query_url)
    assert remote.exit_code == local.exit_code == 1
    ours, theirs = json.loads(remote.stdout), json.loads(local.stdout)
    assert ours["context"] == f"default graph of {server.query_url}"
    assert {**ours, "context": None} == {**theirs, "context": None}
    text = run_cli("validate", str(path), "--project", str(built_project), "--endpoint", server.query_url)
    assert f"in the context of the default graph of {server.query_url}" in text.stderr


def test_cli_unreachable_endpoint_exits_2_naming_it(built_project):
    url = f"http://127.0.0.1:{free_port()}/query"
    result = run_cli("validate", str(EXAMPLE), "--project", str(built_project), "--endpoint", url, "--timeout", "5")
    assert result.exit_code == 2
    assert f"kgbuild: error: {url}: endpoint unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_endpoint_that_does_not_answer_in_time_exits_2(built_project, http_stub):
    http_stub.respond(delay=5)
    result = run_cli("validate", str(EXAMPLE), "--project", str(built_project), "--endpoint", http_stub.query_url,
                     "--timeout", "0.5")
    assert result.exit_code == 2
    assert f"kgbuild: error: {http_stub.query_url}: no answer within 0.5 s" in result.stderr


def test_cli_endpoint_refusing_the_query_exits_2(built_project, http_stub):
    http_stub.respond(status=403, body="forbidden", content_type="text/plain")
    result = run_cli("validate", str(EXAMPLE), "--project", str(built_project), "--endpoint", http_stub.query_url)
    assert result.exit_code == 2
    assert f"kgbuild: error: {http_stub.query_url}: " in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_unusable_contribution_exits_2_naming_file_and_line_before_asking_the_endpoint(built_project, tmp_path,
                                                                                          http_stub):
    deep = tmp_path / "deep.jsonld"
    deep.write_text('{"@id": "https://w3id.org/ppdkg/id/x",\n "https://w3id.org/ppdkg/ontology#p": '
                    + "[" * 1000 + "]" * 1000 + "}\n", encoding="utf-8")
    result = run_cli("validate", str(deep), "--project", str(built_project), "--endpoint", http_stub.query_url)
    assert result.exit_code == 2
    assert f"{deep}:2: " in result.stderr
    assert http_stub.requests == []  # the file is refused before anything is sent


def test_a_failing_endpoint_leaves_no_thread_and_no_store_behind(project, http_stub, tmp_path, monkeypatch):
    import tempfile
    import threading

    from kgbuild.errors import EndpointError

    def pools() -> list[str]:
        return sorted(t.name for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor"))

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # the store holds something (the one-row check before the fetch), then fails the fetch
    http_stub.respond_first(body='{"head":{"vars":["s"]},"results":{"bindings":['
                                 '{"s":{"type":"uri","value":"https://example.org/x"}}]}}')
    http_stub.respond(status=500, body="the store is down", content_type="text/plain")
    threads = pools()
    with pytest.raises(EndpointError, match="the endpoint failed"):
        check_contribution_remote(project, [EXAMPLE], endpoint=http_stub.query_url)
    assert len(http_stub.requests) > 1  # the fetch was under way when the store failed
    assert pools() == threads
    assert list(tmp_path.iterdir()) == []


def test_no_build_is_needed(built_project, server, tmp_path):
    """The remote check reads the project's ontology, shapes and queries, never its embedded store."""
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(built_project, copy, ignore=shutil.ignore_patterns(".kgbuild", "dist"))
    path = CORPUS / "conflicting-count.ttl"
    remote = check_contribution_remote(load_project(copy), [path], endpoint=server.query_url)
    local = check_contribution(load_project(built_project), [path])
    assert not (copy / ".kgbuild").exists()
    _same(local, remote)
