"""SPARQL SERVICE: local evaluation sends no request unless the user opts in (``kgbuild query --allow-service``).

Every evaluation path is run against a real loopback listener that counts the connections it accepts:
refused, the count stays 0 and kgbuild exits 2 with one line; allowed, the request arrives.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import free_port, run_cli

from kgbuild.federation import ServiceRefusedError, algebra_calls, refuse_service, token_calls

ANSWER = b'{"head":{"vars":["remote"]},"results":{"bindings":[{"remote":{"type":"literal","value":"from-the-listener"}}]}}'


class Listener:
    """A loopback TCP server that counts the connections it accepts and answers each HTTP request
    with one SPARQL JSON row (?remote = "from-the-listener")."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            with connection:
                connection.settimeout(5)
                try:
                    self.requests.append(self._read(connection))
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                        + f"Content-Length: {len(ANSWER)}\r\nConnection: close\r\n\r\n".encode() + ANSWER
                    )
                except OSError:
                    pass

    @staticmethod
    def _read(connection: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture
def listener():
    server = Listener()
    try:
        yield server
    finally:
        server.close()


def service_block(url: str) -> str:
    return f"OPTIONAL {{ SERVICE <{url}> {{ ?remote_s ?remote_p ?remote }} }}"


def one_line_refusal(result, *, naming: str = "") -> str:
    """The single stderr line of a refused run (exit 2, no traceback)."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("kgbuild: error: ") and "calls SERVICE" in lines[0], lines[0]
    assert naming in lines[0], lines[0]
    return lines[0]


# --- the detector -------------------------------------------------------------------------------

U = "http://127.0.0.1:9/sparql"
CALLS = {
    "plain": f"SELECT * WHERE {{ SERVICE <{U}> {{ ?s ?p ?o }} }}",
    "lower case": f"select * where {{ service <{U}> {{ ?s ?p ?o }} }}",
    "silent": f"SELECT * WHERE {{ SERVICE SILENT <{U}> {{ ?s ?p ?o }} }}",
    "variable": f"SELECT * WHERE {{ VALUES ?u {{ <{U}> }} SERVICE ?u {{ ?s ?p ?o }} }}",
    "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }} }}",
    "optional": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }}",
    "union": f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }}",
    "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }}",
    "minus": f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }}",
    "filter exists": f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }}",
    "projection exists": f"SELECT (EXISTS {{ SERVICE <{U}> {{ ?s ?p ?o }} }} AS ?e) WHERE {{ }}",
    "prefixed endpoint": f"PREFIX ex: <{U}> SELECT * WHERE {{ SERVICE ex: {{ ?s ?p ?o }} }}",
    "comment between": f"SELECT * WHERE {{ SERVICE # a comment\n <{U}> {{ ?s ?p ?o }} }}",
    # Oxigraph's parser matches keywords without a word boundary: all of these call the endpoint
    "glued prefixed name": f"PREFIX ex: <{U}> SELECT * WHERE {{ SERVICEex: {{ ?s ?p ?o }} }}",
    "glued silent": f"SELECT * WHERE {{ SERVICESILENT<{U}> {{ ?s ?p ?o }} }}",
    "after a number": f"SELECT * WHERE {{ ?a ?b 1SERVICE <{U}> {{ ?s ?p ?o }} }}",
    "after a number and dot": f"SELECT * WHERE {{ ?a ?b 1.SERVICE <{U}> {{ ?s ?p ?o }} }}",
    "after true": f"SELECT * WHERE {{ ?a ?b trueSERVICE <{U}> {{ ?s ?p ?o }} }}",
    "after a variable and dot": f"SELECT * WHERE {{ ?a ?b ?c.SERVICE <{U}> {{ ?s ?p ?o }} }}",
    "after a string": f"SELECT * WHERE {{ ?a ?b 'c'SERVICE <{U}> {{ ?s ?p ?o }} }}",
    "unicode escape": f"SELECT * WHERE {{ \\u0053ERVICE <{U}> {{ ?s ?p ?o }} }}",  # rdflib expands it
    # a '<' that looks like the start of an IRI to a lexer but is a less-than to Oxigraph, its '#' a comment
    "less-than hiding it": f"PREFIX ex: <{U}> SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<2)SERVICEex:x#>\n"
                           "{ ?s ?p ?o } }",
    # name characters outside ASCII (SPARQL's PN_CHARS_BASE) keep the endpoint's name one word
    "non-ascii name": f"PREFIX ex: <{U}> SELECT * WHERE {{ SERVICEex:\u3001\u3001\u3001{{ ?s ?p ?o }} }}",
    "non-ascii name after silent": f"PREFIX ex: <{U}> SELECT * WHERE {{ SERVICESILENTex:a\u3002\u3002\u3002{{ ?s ?p ?o }} }}",
}
NOT_CALLS = {
    "comment": f"SELECT * WHERE {{ ?s ?p ?o # SERVICE <{U}> {{ }}\n }}",
    "string": f"SELECT * WHERE {{ ?s ?p \"SERVICE <{U}> {{ ?x ?y ?z }}\" }}",
    "single-quoted string": f"SELECT * WHERE {{ ?s ?p 'SERVICE <{U}> {{ }}' }}",
    "long string": f"SELECT * WHERE {{ ?s ?p \"\"\"a\nSERVICE <{U}> {{ ?x ?y ?z }}\"\"\" }}",
    "long single-quoted string": f"SELECT * WHERE {{ ?s ?p '''it's\nSERVICE <{U}> {{ }}''' }}",
    "escaped quote in string": f"SELECT * WHERE {{ ?s ?p \"say \\\"SERVICE <{U}> {{ }}\\\"\" }}",
    "iri": "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "prefixed name": "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o . ?s ex:service ?x }",
    "variable": "SELECT ?service WHERE { ?service ?p ?o }",
    "prefix declaration": "PREFIX service: <http://example.org/s#> SELECT * WHERE { ?s service:p ?o }",
    "language tag": "SELECT * WHERE { ?s ?p 'x'@service }",
    "blank node": "SELECT * WHERE { _:service ?p ?o }",
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_form_of_service_is_found(name):
    assert token_calls(CALLS[name]), name
    with pytest.raises(ServiceRefusedError):
        refuse_service(CALLS[name], file="q.rq")
    refuse_service(CALLS[name], file="q.rq", allowed=True)


@pytest.mark.parametrize("name", sorted(NOT_CALLS))
def test_the_word_service_elsewhere_is_not_a_call(name):
    assert token_calls(NOT_CALLS[name]) == [], name
    refuse_service(NOT_CALLS[name], file="q.rq")


@pytest.mark.parametrize("name", ["plain", "silent", "variable", "subquery", "optional", "union", "graph", "minus",
                                  "filter exists", "projection exists", "unicode escape"])
def test_rdflib_algebra_shows_every_nested_service(name):
    from rdflib.plugins.sparql import prepareQuery

    assert algebra_calls(prepareQuery(CALLS[name]).algebra)


@pytest.mark.parametrize("name", sorted(NOT_CALLS))
def test_rdflib_algebra_without_service(name):
    from rdflib.plugins.sparql import prepareQuery

    assert algebra_calls(prepareQuery(NOT_CALLS[name]).algebra) == []


@pytest.mark.parametrize("name", ["glued prefixed name", "glued silent", "after a number", "after a number and dot",
                                  "after true", "after a variable and dot", "after a string", "less-than hiding it",
                                  "non-ascii name", "non-ascii name after silent"])
def test_the_glued_forms_really_call_the_endpoint_in_oxigraph(listener, name):
    """The detector's odd cases are real: evaluated unguarded, Oxigraph sends the request."""
    store = ox.Store()
    a, b = ox.NamedNode("urn:a"), ox.NamedNode("urn:b")
    for value in (ox.Literal("c"), ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                  ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))):
        store.add(ox.Quad(a, b, value))
    list(store.query(CALLS[name].replace(U, listener.url)))
    assert listener.connections == 1


def test_refusal_is_one_line_naming_file_line_and_endpoint():
    query = f"SELECT * WHERE {{\n  ?s ?p ?o .\n  SERVICE <{U}> {{ ?s ?p ?x }}\n}}"
    with pytest.raises(ServiceRefusedError) as caught:
        refuse_service(query, file="queries/q.rq")
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"queries/q.rq:3: the query calls SERVICE <{U}>")
    assert "--allow-service" in text


# --- kgbuild query: both engines ----------------------------------------------------------------


@pytest.fixture
def built_mini(mini: Path) -> Path:
    result = run_cli("build", "--project", str(mini))
    assert result.exit_code == 0, result.stderr
    return mini


def write_query(project: Path, url: str, name: str = "federated.rq") -> Path:
    path = project / "queries" / name
    path.write_text(
        "# title: Meetings, and what a remote endpoint says\n"
        "PREFIX mo: <https://example.org/mini/ontology#>\n"
        "SELECT ?m ?remote WHERE {\n"
        "  ?m a mo:Meeting .\n"
        f"  # SERVICE <http://example.org/in-a-comment> {{ }}\n"
        f"  service <{url}> {{ ?remote_s ?remote_p ?remote }}\n"
        "}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_refuses_service_and_sends_nothing(built_mini, listener, engine):
    path = write_query(built_mini, listener.url)
    result = run_cli("query", str(path), "--engine", engine, "--project", str(built_mini))
    line = one_line_refusal(result, naming=f"SERVICE <{listener.url}>")
    assert ":6:" in line and "--allow-service" in line
    assert listener.connections == 0


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_stored_query_by_name_refused_too(built_mini, listener, engine):
    write_query(built_mini, listener.url)
    result = run_cli("query", "federated", "--engine", engine, "--project", str(built_mini))
    one_line_refusal(result, naming="queries/federated.rq:6")
    assert listener.connections == 0


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_allow_service_sends_the_request(built_mini, listener, engine):
    path = write_query(built_mini, listener.url)
    result = run_cli("query", str(path), "--engine", engine, "--allow-service", "--format", "csv",
                     "--project", str(built_mini))
    assert result.exit_code == 0, result.stderr
    assert listener.connections >= 1
    assert "from-the-listener" in result.stdout


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_allowed_but_unreachable_service_is_one_line_exit_2(built_mini, engine):
    path = write_query(built_mini, f"http://127.0.0.1:{free_port()}/sparql")
    result = run_cli("query", str(path), "--engine", engine, "--allow-service", "--project", str(built_mini))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kgbuild: error: "), result.stderr
    assert "federated.rq: query failed: " in lines[0] and "refused" in lines[0].lower(), lines[0]
    assert "Traceback" not in result.stderr


def test_rdflib_engine_does_not_fetch_from_graphs(built_mini, listener):
    """FROM / FROM NAMED name graphs of the dataset; rdflib's engine on kgbuild's graph loads nothing."""
    path = built_mini / "queries" / "from.rq"
    path.write_text(f"# title: from\nSELECT ?s FROM <{listener.url}> FROM NAMED <{listener.url}/named> "
                    "WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    result = run_cli("query", str(path), "--engine", "rdflib", "--project", str(built_mini))
    assert listener.connections == 0, result.stderr


def test_an_endpoint_evaluates_service_itself(built_mini, http_stub, listener):
    """With --endpoint the query is the endpoint's to evaluate: sent as it is, not refused."""
    path = write_query(built_mini, listener.url)
    # one row: the endpoint's default graph holds something (kgbuild asks first, kgbuild.selection)
    http_stub.respond(body='{"head":{"vars":["m","remote"]},'
                           '"results":{"bindings":[{"m":{"type":"uri","value":"urn:m"}}]}}')
    result = run_cli("query", str(path), "--endpoint", http_stub.query_url, "--project", str(built_mini))
    assert result.exit_code == 0, result.stderr
    from urllib.parse import unquote_plus

    assert len(http_stub.requests) == 2  # whether the default graph holds a triple, then the query
    assert "service" not in unquote_plus(http_stub.requests[0].body.decode("utf-8")).lower()
    sent = unquote_plus(http_stub.requests[1].path + " " + http_stub.requests[1].body.decode("utf-8"))
    assert f"service <{listener.url}>" in sent
    assert listener.connections == 0  # kgbuild itself did not call the SERVICE endpoint


def test_query_help_names_the_flag():
    result = run_cli("query", "--help")
    assert "--allow-service" in result.stdout
    assert "send requests to the endpoints it names" in " ".join(result.stdout.split())


# --- project checks: shapes, [checks] queries, the sample query, the catalogue --------------------


def add_service(path: Path, url: str) -> None:
    text = path.read_text(encoding="utf-8")
    at = text.index("WHERE {") + len("WHERE {")
    path.write_text(text[:at] + "\n  " + service_block(url) + text[at:], encoding="utf-8")


@pytest.mark.parametrize("command", ["validate", "build"])
def test_shape_sparql_constraint_with_service_is_refused(mini, listener, command):
    shapes = mini / "shapes" / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    text = text.replace("FILTER NOT EXISTS { ?p a ?kind }", "FILTER NOT EXISTS { ?p a ?kind }\n" + service_block(listener.url))
    shapes.write_text(text, encoding="utf-8")
    result = run_cli(command, "--project", str(mini))
    one_line_refusal(result, naming="ms:UndefinedTerm")
    assert listener.connections == 0


def test_shape_sparql_target_with_service_is_refused(mini, listener):
    shapes = mini / "shapes" / "shapes.ttl"
    with shapes.open("a", encoding="utf-8") as out:
        out.write(f'''
ms:RemoteTarget a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select """SELECT ?this WHERE {{ SERVICE <{listener.url}> {{ ?this ?p ?o }} }}""" ] ;
    sh:nodeKind sh:IRI .
''')
    result = run_cli("validate", "--project", str(mini))
    one_line_refusal(result, naming="ms:RemoteTarget")
    assert listener.connections == 0


def test_pyshacl_path_refuses_a_service_in_shapes(mini, listener):
    from kgbuild.checks.build import validate_data
    from kgbuild.project import load_project

    shapes = mini / "shapes" / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    shapes.write_text(text.replace("FILTER NOT EXISTS { ?p a ?kind }",
                                   "FILTER NOT EXISTS { ?p a ?kind }\n" + service_block(listener.url)), encoding="utf-8")
    turtle = "@prefix mo: <https://example.org/mini/ontology#> .\n<urn:x> mo:participant <urn:y> .\n"
    with pytest.raises(ServiceRefusedError):
        validate_data(load_project(mini), turtle=turtle)
    assert listener.connections == 0


@pytest.mark.parametrize("command", ["validate", "build"])
def test_quotes_check_query_with_service_is_refused(mini, listener, command):
    add_service(mini / "shapes" / "quotes.rq", listener.url)
    result = run_cli(command, "--project", str(mini))
    one_line_refusal(result, naming="shapes/quotes.rq:")
    assert listener.connections == 0


@pytest.mark.parametrize("command", ["stats", "build"])
def test_facts_per_source_query_with_service_is_refused(mini, listener, command):
    add_service(mini / "shapes" / "facts-per-source.rq", listener.url)
    result = run_cli(command, "--project", str(mini))
    one_line_refusal(result, naming="shapes/facts-per-source.rq:")
    assert listener.connections == 0


def test_sample_query_with_service_is_refused(mini, listener):
    add_service(mini / "queries" / "sample.rq", listener.url)
    result = run_cli("build", "--project", str(mini))
    one_line_refusal(result, naming="queries/sample.rq:")
    assert listener.connections == 0


def test_names_query_of_a_contribution_check_is_refused(built_mini, listener, tmp_path):
    """The configured names query, run by the contribution gate on the embedded store."""
    names = built_mini / "shapes" / "names.rq"
    names.write_text(
        "PREFIX mo: <https://example.org/mini/ontology#>\n"
        f"SELECT ?entity ?name WHERE {{ ?entity mo:name ?name {service_block(listener.url)} }}\n",
        encoding="utf-8",
    )
    config = built_mini / "kgbuild.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'quotes = "shapes/quotes.rq"', 'quotes = "shapes/quotes.rq"\nnames = "shapes/names.rq"'), encoding="utf-8")
    contribution = tmp_path / "new.ttl"
    contribution.write_text("@prefix mo: <https://example.org/mini/ontology#> .\n"
                            "<https://example.org/mini/p9> a mo:Person ; mo:name \"Nine\" .\n", encoding="utf-8")
    result = run_cli("validate", str(contribution), "--project", str(built_mini))
    one_line_refusal(result, naming="shapes/names.rq:")
    assert listener.connections == 0


def test_contribution_check_quotes_query_is_refused(built_mini, listener, tmp_path):
    add_service(built_mini / "shapes" / "quotes.rq", listener.url)
    contribution = tmp_path / "new.ttl"
    contribution.write_text("@prefix mo: <https://example.org/mini/ontology#> .\n"
                            "<https://example.org/mini/p9> a mo:Person ; mo:name \"Nine\" .\n", encoding="utf-8")
    result = run_cli("validate", str(contribution), "--project", str(built_mini))
    one_line_refusal(result, naming="shapes/quotes.rq:")
    assert listener.connections == 0


def test_catalogue_check_sends_nothing_and_warns(mini, listener):
    write_query(mini, listener.url)
    result = run_cli("queries", "--check", "--project", str(mini))
    assert listener.connections == 0
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "query-calls-service" in result.stdout and "queries/federated.rq:6" in result.stdout


# --- kgbuild serve: the served endpoint runs no federated query -----------------------------------


def _http(url: str, *, data: bytes | None = None, content_type: str | None = None) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type} if content_type else {})
    request.add_header("Accept", "application/sparql-results+json")
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture
def served(built_project):
    """`kgbuild serve` on the built real project, as its own process; yields its base URL."""
    import signal

    from test_serve import start

    port = free_port()
    process, _ = start(built_project, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_served_endpoint_refuses_service_every_way_a_query_arrives(served, listener):
    from urllib.parse import quote, urlencode

    query = f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{listener.url}> {{ ?s ?p ?remote }} }} }} LIMIT 1"
    attempts = [
        _http(f"{served}/query?query={quote(query)}"),
        _http(f"{served}/query", data=query.encode(), content_type="application/sparql-query"),
        _http(f"{served}/query", data=urlencode({"query": query}).encode(), content_type="application/x-www-form-urlencoded"),
        _http(f"{served}/query?query={quote(query.replace('SERVICE', 'service'))}"),
        _http(f"{served}/query?query={quote(query.replace('SERVICE <', 'SERVICE SILENT <'))}"),
        _http(f"{served}/update", data=f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}".encode(),
              content_type="application/sparql-update"),
    ]
    for status, body in attempts:
        assert status == 400, (status, body)
        assert body.count("\n") == 1 and f"calls SERVICE <{listener.url}>" in body, body
    assert listener.connections == 0


def test_served_endpoint_still_answers_other_queries(served):
    from urllib.parse import quote

    status, body = _http(f"{served}/query?query={quote('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # SERVICE <x>')}")
    assert status == 200 and '"n"' in body and '"value"' in body, (status, body)
    page_status, page = _http(f"{served}/")
    assert page_status == 200 and "<html" in page.lower()


def test_served_endpoint_refuses_a_form_sent_as_plain_text_too(served, listener):
    """The check reads the body both ways: a form whose SERVICE is percent-encoded, sent with two Content-Type
    headers (the first says plain text, the server may read the second), or with one that says plain text."""
    import http.client
    from urllib.parse import urlsplit

    body = ("query=SELECT+*+WHERE+%7B+%53ERVICE+%3C" + listener.url.replace(":", "%3A").replace("/", "%2F")
            + "%3E+%7B+%3Fs+%3Fp+%3Fo+%7D+%7D").encode()
    where = urlsplit(served)
    answers = []
    for types in (["text/plain", "application/x-www-form-urlencoded"], ["text/plain"]):
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        connection.putrequest("POST", "/query")
        for value in types:
            connection.putheader("Content-Type", value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        answers.append((response.status, response.read().decode("utf-8")))
        connection.close()
    assert answers[0][0] == 400 and "more than one Content-Type header" in answers[0][1], answers[0]
    assert answers[1][0] == 400 and "calls SERVICE" in answers[1][1], answers[1]
    assert listener.connections == 0
