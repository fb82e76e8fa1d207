"""kgbuild.backends.client: the one SPARQL-protocol client, against the real Oxigraph server and Virtuoso,
and against loopback test servers for what a real store will not do on demand (fail, then answer; drip)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs

import pytest
from conftest import VirtuosoServer, free_port

from kgbuild.backends.client import SPARQL_JSON, Credentials, SparqlClient
from kgbuild.errors import EndpointError, ParameterError, WriteRefusedError

GRAPH = "urn:test:client:g"
OTHER = "urn:test:client:other"
DATA = b'<urn:test:a> <urn:test:p> "one" .\n<urn:test:a> <urn:test:q> <urn:test:b> .\n'
PASSWORD = "pw-Zq8!x:9-client"
TOKEN = "tok.client-s3cr3t"


@pytest.fixture
def no_credentials(monkeypatch):
    for name in ("KGBUILD_ENDPOINT_USER", "KGBUILD_ENDPOINT_PASSWORD", "KGBUILD_ENDPOINT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def store(sparql_server, no_credentials):
    sparql_server.clear()
    return sparql_server


def client_for(store, **options) -> SparqlClient:
    return SparqlClient(store.query_url, update_endpoint=store.update_url, graph_store=store.store_url, **options)


def values(answer, name: str) -> list[str]:
    assert answer.content_type.startswith(SPARQL_JSON)
    return sorted(row[name]["value"] for row in json.loads(answer.body)["results"]["bindings"])


def raised(call, error=EndpointError) -> EndpointError:
    with pytest.raises(error) as caught:
        call()
    assert caught.value.__cause__ is None and caught.value.__context__ is None  # nothing chained
    return caught.value


# --- the protocol on each real store ---------------------------------------------------------------


def test_graph_store_put_get_delete(store):
    with client_for(store) as client:
        client.graph_put(GRAPH, DATA, content_type="application/n-triples")
        answer = client.graph_get(GRAPH)
        assert answer.content_type.startswith("application/n-triples")
        assert sorted(" ".join(line.split()) for line in answer.body.decode().splitlines() if line.strip()) == sorted(
            " ".join(line.split()) for line in DATA.decode().splitlines())
        client.graph_put(GRAPH, b"<urn:test:c> <urn:test:p> <urn:test:d> .\n", content_type="application/n-triples")
        assert b"urn:test:a" not in client.graph_get(GRAPH).body  # PUT replaced the contents
        client.graph_post(GRAPH, DATA, content_type="application/n-triples")
        assert client.graph_get(GRAPH).body.count(b"urn:test:") == 3 + 5  # POST added to them
        client.graph_delete(GRAPH)
        error = raised(lambda: client.graph_get(GRAPH))
    assert str(error).startswith(f"{store.store_url}?graph=urn%3Atest%3Aclient%3Ag: not found (HTTP 404)")


def test_query_with_default_and_named_graphs(store):
    store.load(DATA, graph=GRAPH)
    store.load(b'<urn:test:x> <urn:test:p> "two" .\n', graph=OTHER)
    with client_for(store) as client:
        answer = client.query("SELECT ?o WHERE { ?s <urn:test:p> ?o }", accept=SPARQL_JSON, default_graphs=[GRAPH])
        assert values(answer, "o") == ["one"]
        both = client.query("SELECT ?o WHERE { ?s <urn:test:p> ?o }", accept=SPARQL_JSON,
                            default_graphs=[GRAPH, OTHER])
        assert values(both, "o") == ["one", "two"]
        named = client.query("SELECT ?g WHERE { GRAPH ?g { ?s <urn:test:p> ?o } }", accept=SPARQL_JSON,
                             named_graphs=[OTHER])
        assert values(named, "g") == [OTHER]


def test_update(store):
    with client_for(store) as client:
        client.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:test:u> <urn:test:p> "updated" }} }}')
        answer = client.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}", accept=SPARQL_JSON)
        assert values(answer, "o") == ["updated"]
        client.update(f"DROP SILENT GRAPH <{GRAPH}>", retry=True)
        assert values(client.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}", accept=SPARQL_JSON),
                      "o") == []


def test_a_store_error_says_what_the_store_said(store):
    with client_for(store) as client:
        error = raised(lambda: client.query("SELEC ?x", accept=SPARQL_JSON))
        update_error = raised(lambda: client.update("INSERT DAT { }"))
    said = "SP030: SPARQL compiler" if isinstance(store, VirtuosoServer) else "error at 1:9: expected one of DESCRIBE"
    assert str(error).startswith(f"{store.query_url}: request refused (HTTP 400): ")
    assert said in str(error) and "\n" not in str(error)
    assert str(update_error).startswith(f"{store.update_url}: request refused (HTTP 400): ")


def test_the_server_header_names_the_store_and_the_asking_spoils_nothing(store):
    """Asked of the query URL (no graph store): Oxigraph answers HEAD /query with a body, which must not reach the
    next request."""
    with SparqlClient(store.query_url, update_endpoint=store.update_url) as client:
        expected = "virtuoso/" if isinstance(store, VirtuosoServer) else "oxigraph/"
        assert client.server().lower().startswith(expected)
        client.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:test:h> <urn:test:p> "after HEAD" }} }}')
        answer = client.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}", accept=SPARQL_JSON)
    assert values(answer, "o") == ["after HEAD"]


# --- HTTP Digest on Virtuoso's authenticated endpoints -------------------------------------------


def test_digest_on_virtuosos_authenticated_endpoints(virtuoso_server, no_credentials):
    """/sparql-auth and /sparql-graph-crud-auth answer Basic with a bare 401 and want Digest (dba/dba)."""
    virtuoso_server.clear()
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "dba")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", "dba")
    crud = virtuoso_server.url + "/sparql-graph-crud-auth"
    with SparqlClient(virtuoso_server.auth_url, update_endpoint=virtuoso_server.auth_url, graph_store=crud) as client:
        client.graph_put(GRAPH, DATA, content_type="application/n-triples")
        client.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:test:d> <urn:test:p> "digest" }} }}')
        answer = client.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s <urn:test:p> ?o }} }}", accept=SPARQL_JSON)
        assert values(answer, "o") == ["digest", "one"]
        assert client.graph_get(GRAPH).body.count(b"urn:test:") == 5 + 2
    assert virtuoso_server.count(GRAPH) == 3
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", PASSWORD)
    with SparqlClient(virtuoso_server.auth_url) as client:
        error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert str(error) == f"{virtuoso_server.auth_url}: credentials refused (HTTP 401)"


def test_a_basic_401_without_a_challenge_is_tried_once_more_with_digest(no_credentials, http_stub):
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "alice")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", PASSWORD)
    http_stub.respond(401, f"who is {PASSWORD}?", content_type="text/plain")
    with SparqlClient(http_stub.query_url) as client:
        error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert str(error) == f"{http_stub.query_url}: credentials refused (HTTP 401)"
    first, second = http_stub.requests
    assert first.headers["Authorization"].startswith("Basic ")
    assert "Authorization" not in second.headers  # asking for the challenge: no secret sent again
    assert first.body == second.body


def test_a_basic_challenge_is_not_answered_with_digest(no_credentials, http_stub):
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "alice")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", PASSWORD)
    http_stub.respond(401, "", headers={"WWW-Authenticate": 'Basic realm="sparql"'})
    with SparqlClient(http_stub.query_url) as client:
        raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert len(http_stub.requests) == 1


# --- retries, only for requests safe to repeat -------------------------------------------------------

ANSWER = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'


def test_a_query_is_retried_after_a_503_and_answers(no_credentials, http_stub):
    http_stub.respond(200, ANSWER).respond_first(503, "busy", content_type="text/plain")
    with SparqlClient(http_stub.query_url, retries=2, backoff=0.01) as client:
        answer = client.query("SELECT ?x {}", accept=SPARQL_JSON)
    assert answer.body == ANSWER and client.retried == 1
    assert len(http_stub.requests) == 2 and http_stub.requests[0].body == http_stub.requests[1].body


def test_a_connection_closed_without_an_answer_is_retried(no_credentials):
    """A loopback server that hangs up on the first connection, then answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        seen = []

        def serve():
            for number in range(2):
                connection, _ = listener.accept()
                with connection:
                    seen.append(connection.recv(65536))
                    if number == 1:
                        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + SPARQL_JSON.encode()
                                           + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(ANSWER)
                                           + ANSWER)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with SparqlClient(f"http://127.0.0.1:{port}/query", retries=1, backoff=0.01) as client:
            assert client.query("SELECT ?x {}", accept=SPARQL_JSON).body == ANSWER
        thread.join(timeout=5)
    assert client.retried == 1 and len(seen) == 2


def test_retries_are_bounded_and_said(no_credentials, http_stub):
    http_stub.respond(503, "<html><body><h1>Service down</h1></body></html>", content_type="text/html")
    with SparqlClient(http_stub.query_url, retries=2, backoff=0.01) as client:
        error = raised(lambda: client.query("SELECT ?x {}", accept=SPARQL_JSON))
    assert str(error) == (f"{http_stub.query_url}: the endpoint failed (HTTP 503): Service down "
                          "(gave up after 3 attempts)")
    assert len(http_stub.requests) == 3


def test_an_update_is_not_retried_unless_the_caller_says_it_is_idempotent(no_credentials, http_stub):
    http_stub.respond(204).respond_first(503, "busy", content_type="text/plain")
    with SparqlClient(update_endpoint=http_stub.url + "/update", retries=3, backoff=0.01) as client:
        error = raised(lambda: client.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }"))
        assert str(error) == f"{http_stub.url}/update: the endpoint failed (HTTP 503): busy"
        assert len(http_stub.requests) == 1
        http_stub.respond_first(503, "busy", content_type="text/plain")
        client.update("DROP SILENT GRAPH <urn:g>", retry=True)
    assert len(http_stub.requests) == 3 and client.retried == 1


def test_a_graph_store_post_is_not_retried_unless_asked(no_credentials, http_stub):
    http_stub.respond(204).respond_first(502, "gateway", content_type="text/plain")
    with SparqlClient(graph_store=http_stub.url + "/store", retries=3, backoff=0.01) as client:
        raised(lambda: client.graph_post(None, DATA, content_type="application/n-triples"))
        http_stub.respond_first(502, "gateway", content_type="text/plain")
        client.graph_post(GRAPH, DATA, content_type="application/n-triples", retry=True, flags=("no_transaction",))
    assert [request.path for request in http_stub.requests] == [
        "/store?default", "/store?graph=urn%3Atest%3Aclient%3Ag&no_transaction",
        "/store?graph=urn%3Atest%3Aclient%3Ag&no_transaction"]


def test_an_absent_store_is_not_retried(no_credentials):
    url = f"http://127.0.0.1:{free_port()}/query"
    start = time.monotonic()
    with SparqlClient(url, retries=3, backoff=1) as client:
        error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert str(error) == f"{url}: endpoint unreachable (connection refused)"
    assert time.monotonic() - start < 1 and client.retried == 0


# --- timeouts ---------------------------------------------------------------------------------------


def test_no_answer_within_the_timeout(no_credentials, http_stub):
    http_stub.respond(200, ANSWER, delay=5)
    start = time.monotonic()
    with SparqlClient(http_stub.query_url, timeout=0.5, retries=2, backoff=0.01) as client:
        error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert str(error) == f"{http_stub.query_url}: no answer within 0.5 s (timed out)"
    assert time.monotonic() - start < 1.5  # a timeout is not retried


def test_an_answer_dripping_in_is_cut_at_the_timeout(no_credentials):
    """Each byte comes within the wait for data, the whole answer would not: the timeout bounds the whole read."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def drip():
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n")
                for _ in range(100):
                    try:
                        connection.sendall(b"x")
                    except OSError:
                        return
                    time.sleep(0.1)

        thread = threading.Thread(target=drip, daemon=True)
        thread.start()
        start = time.monotonic()
        with SparqlClient(f"http://127.0.0.1:{port}/query", timeout=1) as client:
            error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
        elapsed = time.monotonic() - start
    assert str(error) == f"http://127.0.0.1:{port}/query: no answer within 1 s (timed out)"
    assert 0.9 <= elapsed < 2


# --- messages and secrets ----------------------------------------------------------------------------


def test_secrets_are_never_in_messages(no_credentials, http_stub):
    import base64

    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "alice")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", PASSWORD)
    encoded = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    for status in (400, 500, 503):
        http_stub.respond(status, f"you sent Basic {encoded} ({PASSWORD})", content_type="text/plain")
        with SparqlClient(http_stub.query_url, update_endpoint=http_stub.url + "/update") as client:
            for call in (lambda: client.query("ASK {}", accept=SPARQL_JSON), lambda: client.update("CLEAR ALL")):
                error = raised(call)
                for text in (str(error), repr(error), error.message):
                    assert PASSWORD not in text and encoded not in text
                assert f"HTTP {status}" in str(error) and "***" in str(error)
    no_credentials.delenv("KGBUILD_ENDPOINT_USER")
    no_credentials.delenv("KGBUILD_ENDPOINT_PASSWORD")
    no_credentials.setenv("KGBUILD_ENDPOINT_TOKEN", TOKEN)
    http_stub.respond(400, f"bad token {TOKEN}", content_type="text/plain")
    with SparqlClient(http_stub.query_url) as client:
        error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
        assert TOKEN not in str(error) and TOKEN not in repr(client.credentials)
    assert http_stub.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert PASSWORD not in repr(Credentials("basic", user="alice", password=PASSWORD))


def test_a_403_to_a_write_is_a_write_refused_error(no_credentials, http_stub):
    http_stub.respond(403, "read-only", content_type="text/plain")
    with SparqlClient(http_stub.query_url, update_endpoint=http_stub.url + "/update") as client:
        error = raised(lambda: client.update("CLEAR ALL"), WriteRefusedError)
        assert str(error).startswith(f"{http_stub.url}/update: the store refused the write (HTTP 403 Forbidden): "
                                     "read-only; the store is read-only, or writing needs credentials")
        query_error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert not isinstance(query_error, WriteRefusedError)
    assert "credentials refused (HTTP 403)" in str(query_error)


def test_a_redirect_is_reported_not_followed(no_credentials, http_stub):
    http_stub.respond(308, "", headers={"Location": "http://127.0.0.1:1/elsewhere"})
    with SparqlClient(http_stub.query_url) as client:
        error = raised(lambda: client.query("ASK {}", accept=SPARQL_JSON))
    assert str(error) == (f"{http_stub.query_url}: redirected (HTTP 308) to http://127.0.0.1:1/elsewhere; "
                          "use the URL it points to")
    assert len(http_stub.requests) == 1


def test_the_query_is_a_form_post_with_the_dataset(no_credentials, http_stub):
    http_stub.respond(200, ANSWER)
    with SparqlClient(http_stub.query_url) as client:
        client.query("SELECT * { ?s ?p ?o }", accept=SPARQL_JSON, default_graphs=["urn:d1", "urn:d2"],
                     named_graphs=["urn:n"])
    (request,) = http_stub.requests
    assert request.method == "POST" and request.headers["Accept"] == SPARQL_JSON
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode("ascii")) == {
        "query": ["SELECT * { ?s ?p ?o }"], "default-graph-uri": ["urn:d1", "urn:d2"], "named-graph-uri": ["urn:n"]}


def test_unusable_settings_are_refused_before_anything_is_sent(no_credentials, http_stub):
    with pytest.raises(ParameterError, match="timeout"):
        SparqlClient(http_stub.query_url, timeout=0)
    with pytest.raises(ParameterError, match="retries"):
        SparqlClient(http_stub.query_url, retries=-1)
    with pytest.raises(EndpointError, match="not an http"):
        SparqlClient("ftp://127.0.0.1/query")
    with pytest.raises(ParameterError, match="no update endpoint"):
        SparqlClient(http_stub.query_url).update("CLEAR ALL")
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "alice")
    with pytest.raises(EndpointError, match="KGBUILD_ENDPOINT_PASSWORD is not set"):
        SparqlClient(http_stub.query_url)
    assert http_stub.requests == []


def test_importing_the_client_does_not_import_httpx():
    code = "import sys, kgbuild.backends.client; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
