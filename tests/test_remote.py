"""The remote-endpoint client: VALUES injection, result parsing, credentials, failures (loopback only)."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time

import pyoxigraph
import pytest

from kgbuild.errors import EndpointError
from kgbuild.remote import inject_values, parse_json_results, select_remote
from kgbuild.results import Term

XSD = "http://www.w3.org/2001/XMLSchema#"


def run_on_empty_store(query: str):
    return list(pyoxigraph.Store().query(query))


@pytest.mark.parametrize(
    "hostile",
    ['"} ; DROP ALL ; #', "x' } INSERT DATA { <urn:a> <urn:b> <urn:c> } #", 'a"""b', "line\nbreak \\ and \" quote"],
)
def test_injected_values_stay_one_literal(hostile):
    query = 'SELECT ?name WHERE { BIND("x" AS ?other) }'
    injected = inject_values(query, {"name": Term.literal(hostile)})
    (row,) = run_on_empty_store(injected)  # one valid query, one row
    assert row["name"].value == hostile


def test_values_go_into_the_outer_group_after_comments_strings_and_iris():
    query = (
        "# a comment with { a brace\n"
        "PREFIX ex: <https://example.org/odd?q=1#x>\n"
        "SELECT ?who ?n WHERE { BIND(\"{not here}\" AS ?n) { SELECT ?z WHERE { } } }"
    )
    injected = inject_values(query, {"who": Term.iri("https://example.org/a")})
    assert 'WHERE { VALUES (?who) { (<https://example.org/a>) }  BIND("{not here}"' in injected
    (row,) = run_on_empty_store(injected)
    assert row["who"].value == "https://example.org/a"


def test_parse_json_results():
    body = json.dumps({
        "head": {"vars": ["a", "b", "c", "d", "e"]},
        "results": {"bindings": [{
            "a": {"type": "uri", "value": "https://example.org/a"},
            "b": {"type": "literal", "value": "31", "datatype": XSD + "integer"},
            "c": {"type": "literal", "value": "Minsk", "xml:lang": "en"},
            "d": {"type": "typed-literal", "value": "2025", "datatype": XSD + "gYear"},
        }]},
    }).encode()
    rows = parse_json_results(body, endpoint="E")
    assert rows.rows == ((
        Term.iri("https://example.org/a"),
        Term.literal("31", datatype=XSD + "integer"),
        Term.literal("Minsk", lang="en"),
        Term.literal("2025", datatype=XSD + "gYear"),
        None,
    ),)


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"head": {"vars": ["a"]}, "results": {"bind', b'{"results": {}}'])
def test_malformed_results(body):
    with pytest.raises(EndpointError, match="E: malformed response"):
        parse_json_results(body, endpoint="E")


class Stub:
    """A loopback HTTP server answering every POST with one canned response, recording requests."""

    def __init__(self, status=200, body=b"", content_type="application/sparql-results+json", delay=0.0):
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                stub.requests.append({"headers": dict(self.headers), "body": self.rfile.read(length)})
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub():
    made = []

    def make(**options):
        made.append(Stub(**options))
        return made[-1]

    yield make
    for server in made:
        server.close()


EMPTY = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()


def test_basic_credentials_are_sent_and_never_shown(stub, monkeypatch):
    server = stub(status=401, body=b"no")
    monkeypatch.setenv("KGBUILD_ENDPOINT_USER", "curator")
    monkeypatch.setenv("KGBUILD_ENDPOINT_PASSWORD", "s3cret-pw")
    with pytest.raises(EndpointError) as caught:
        select_remote(server.url, "SELECT ?s WHERE { ?s ?p ?o }", bindings={}, timeout=5)
    assert "credentials refused (HTTP 401)" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value) and "curator" not in str(caught.value)
    sent = server.requests[-1]["headers"]
    auth = sent.get("Authorization") or sent.get("authorization")
    assert auth == "Basic " + base64.b64encode(b"curator:s3cret-pw").decode()


def test_bearer_token_is_sent(stub, monkeypatch):
    server = stub(body=EMPTY)
    monkeypatch.setenv("KGBUILD_ENDPOINT_TOKEN", "tok-123")
    rows = select_remote(server.url, "SELECT ?s WHERE { ?s ?p ?o }", bindings={}, timeout=5)
    assert rows.variables == ("s",) and rows.rows == ()
    assert server.requests[-1]["headers"].get("Authorization") == "Bearer tok-123"


def test_bad_request_message_is_passed_on(stub):
    server = stub(status=400, body=b"Parse error: unexpected token", content_type="text/plain")
    with pytest.raises(EndpointError, match=r"request refused \(HTTP 400\): Parse error: unexpected token"):
        select_remote(server.url, "SELECT ?s WHERE { ?s ?p ?o }", bindings={}, timeout=5)


def test_timeout_is_honoured(stub):
    server = stub(body=EMPTY, delay=3)
    start = time.monotonic()
    with pytest.raises(EndpointError, match="timed out"):
        select_remote(server.url, "SELECT ?s WHERE { ?s ?p ?o }", bindings={}, timeout=1)
    assert time.monotonic() - start < 3


def test_non_json_answer_is_malformed(stub):
    server = stub(body=b"<html>a login page</html>", content_type="text/html")
    with pytest.raises(EndpointError, match="malformed response"):
        select_remote(server.url, "SELECT ?s WHERE { ?s ?p ?o }", bindings={}, timeout=5)
