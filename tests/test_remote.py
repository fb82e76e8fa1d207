"""kgbuild.backends.remote and kgbuild.sparqltext: binding parameters in query text, and querying a SPARQL endpoint.

The injection is tested on text and by running the injected queries on an
in-memory pyoxigraph store; the client on the real Oxigraph server (PyPI
``oxigraph``) and, for the failure paths, on a canned-answer HTTP stub. All
network traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
from conftest import free_port
from rowcompare import parts

from kgbuild.backends.remote import parse_json_results, select_remote
from kgbuild.errors import EndpointError, ParameterError, QueryError
from kgbuild.queries.results import RDF_LANG_STRING, XSD, XSD_STRING, Rows, Term, iri, literal
from kgbuild.sparqltext import inject_values, optional_group_starts, outer_group_start, query_form, tokens

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
PPD = "https://w3id.org/ppdkg/ontology#"
PPDR = "https://w3id.org/ppdkg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREFIXES = f"PREFIX ppd: <{PPD}>\nPREFIX ppdr: <{PPDR}>\nPREFIX skos: <{SKOS}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

HOSTILE = [
    '"} ; DROP ALL ; #',
    "x\" } INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "') . } #",
    "line one\nline two } #",
    "\r\n}\t{",
    '\\" } #',
    "\\",
    '"""',
    "'''",
    "\\u0022 } DROP ALL #",
    "\\\\u0022 } #",
    "a\x00b\x0bc\u2028d",
    "Алесь Бяляцкі 🕊",
    "<urn:x> } #",
    'a"""b',
    "line\nbreak \\ and \" quote",
    "",
]

SOLUTIONS_JSON = {
    "head": {"vars": ["s", "label", "n", "missing"]},
    "results": {
        "bindings": [
            {
                "s": {"type": "uri", "value": "urn:a"},
                "label": {"type": "literal", "value": "A", "xml:lang": "EN"},
                "n": {"type": "typed-literal", "value": "3", "datatype": XSD + "integer"},
            },
            {"s": {"type": "bnode", "value": "b0"}, "label": {"type": "literal", "value": "plain"}},
        ]
    },
}


def answer(*rows: dict, variables=("x",)) -> bytes:
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": list(rows)}}).encode()


# --- injection: where the VALUES block goes ------------------------------------------------


def injected(query: str, **bindings: Term) -> str:
    return inject_values(query, bindings)


def test_values_block_goes_right_after_the_outer_brace():
    text = injected("SELECT ?x WHERE { ?x ?p ?o }", x=iri("urn:a"))
    assert text == "SELECT ?x WHERE { VALUES (?x) { (<urn:a>) }  ?x ?p ?o }"


def test_several_bindings_are_one_row_in_name_order():
    text = injected("SELECT * { ?a ?b ?c }", c=literal("3", datatype=XSD + "integer"), a=iri("urn:a"))
    assert 'VALUES (?a ?c) { (<urn:a> "3"^^<http://www.w3.org/2001/XMLSchema#integer>) }' in text


def test_values_go_into_the_outer_group_after_comments_strings_and_iris():
    query = (
        "# a comment with { a brace\n"
        "PREFIX ex: <https://example.org/odd?q=1#x>\n"
        "SELECT ?who ?n WHERE { BIND(\"{not here}\" AS ?n) { SELECT ?z WHERE { } } }"
    )
    text = inject_values(query, {"who": iri("https://example.org/a")})
    assert 'WHERE { VALUES (?who) { (<https://example.org/a>) }  BIND("{not here}"' in text
    (row,) = list(ox.Store().query(text))
    assert row["who"].value == "https://example.org/a"


def test_no_bindings_leaves_the_query_alone():
    query = "SELECT * WHERE { ?s ?p ?o } # no {"
    assert inject_values(query, {}) == query


@pytest.mark.parametrize(
    "query, before",
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * {"),
        ("select ?s where{?s ?p ?o}", "select ?s where{"),
        ("SELECT ?s FROM <urn:g> FROM NAMED <urn:h> WHERE { ?s ?p ?o }", "WHERE {"),
        ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }", "SELECT ?s WHERE {"),
        ("# a comment with { and } and SELECT\nSELECT ?s WHERE { ?s ?p ?o }", "WHERE {"),
        ("# title: {x}\n#   more {\nPREFIX ex: <http://example.org/x#>\nSELECT ?s WHERE { ?s ex:p ?o }", "WHERE {"),
        ("PREFIX ex: <http://example.org/a#{>\nSELECT ?s WHERE { ?s ex:p ?o }", "WHERE {"),  # not an IRI: the server says so
        ("PREFIX ex: <http://example.org/x#> # ns {\nSELECT ?s WHERE { ?s ex:p ?o }", "WHERE {"),
        ('SELECT ("{" AS ?b) ?s WHERE { ?s ?p ?o }', "WHERE {"),
        ("SELECT ('}{' AS ?b) ?s WHERE { ?s ?p ?o }", "WHERE {"),
        ('SELECT ("""a " {\n""" AS ?b) ?s WHERE { ?s ?p ?o }', "WHERE {"),
        ("SELECT ('''it's { ''' AS ?b) ?s WHERE { ?s ?p ?o }", "WHERE {"),
        ('SELECT ("a\\"{" AS ?b) ?s WHERE { ?s ?p ?o }', "WHERE {"),
        ("SELECT (EXISTS { ?s ?p ?o } AS ?e) ?s WHERE { ?s ?p ?o }", "WHERE {"),
        ("SELECT (?a < 3 && ?b > 2 AS ?t) ?s WHERE { ?s ?p ?o }", "WHERE {"),
        ("PREFIX ex: <http://e/>\nSELECT (ex:a\\#b AS ?x) WHERE { ?s ?p ?o }", "WHERE {"),
        ("BASE <http://e/#>\nSELECT ?s\nWHERE\n# the pattern {\n{ ?s ?p ?o }", "# the pattern {\n{"),
        ("ASK { ?s ?p ?o }", "ASK {"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "WHERE {"),
        ("CONSTRUCT { ?s ?p ?o . ?o ?q [] } WHERE { ?s ?p ?o }", "WHERE {"),
        ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "} {"),
    ],
)
def test_the_outermost_group_is_found(query, before):
    position = outer_group_start(query)
    assert query[: position + 1].endswith(before)
    assert query[position] == "{"


@pytest.mark.parametrize(
    "query, why",
    [
        ("DESCRIBE <urn:a>", "no WHERE clause"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "short form"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "update"),
        ("DELETE WHERE { ?s ?p ?o }", "update"),
        ("PREFIX ex: <urn:x>\n{ ?s ?p ?o }", "no SELECT"),
        ('SELECT ("open AS ?x) WHERE { ?s ?p ?o }', "never closed"),
        ("SELECT ('''open AS ?x) WHERE { ?s ?p ?o }", "never closed"),
        ("SELECT ?s # WHERE { ?s ?p ?o }", "no WHERE clause"),
    ],
)
def test_queries_without_a_place_to_bind_are_query_errors(query, why):
    with pytest.raises(QueryError, match=why):
        inject_values(query, {"s": iri("urn:a")})


def test_query_form_skips_prologue_and_comments():
    assert query_form("# DELETE all of it? no.\nPREFIX add: <urn:x#>\nBASE <urn:y>\nSELECT * {}") == "SELECT"
    assert query_form("ASK {}") == "ASK"
    assert query_form("# header\nINSERT DATA {}") == "UPDATE"
    assert query_form("# only a comment") is None


def test_tokens_keep_iris_strings_and_comments_apart():
    found = [(token.kind, token.text) for token in tokens('<urn:a#b> "x # y" # z {\n{ ?s }')]
    assert found == [("iri", "<urn:a#b>"), ("string", '"x # y"'), ("punct", "{"), ("word", "?s"), ("punct", "}")]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_string_stays_one_literal(value):
    query = "SELECT ?v WHERE { ?s ?p ?o }"
    text = inject_values(query, {"v": literal(value)})
    rows = list(ox.Store().query(text))  # parses; the VALUES row is the only solution of the empty store's join
    assert rows == []
    text = inject_values("SELECT ?v WHERE { }", {"v": literal(value)})
    (row,) = list(ox.Store().query(text))
    assert row["v"] == ox.Literal(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_with_a_language_or_datatype_stays_one_literal(value):
    text = inject_values("SELECT ?v ?w WHERE { }", {"v": literal(value, lang="en-GB"), "w": literal(value, datatype="urn:dt")})
    (row,) = list(ox.Store().query(text))
    assert row["v"] == ox.Literal(value, language="en-gb")
    assert row["w"] == ox.Literal(value, datatype=ox.NamedNode("urn:dt"))


def test_values_of_every_type_round_trip():
    terms = {
        "i": literal("-12", datatype=XSD + "integer"),
        "d": literal("2025-06-21", datatype=XSD + "date"),
        "b": literal("true", datatype=XSD + "boolean"),
        "y": literal("2020", datatype=XSD + "gYear"),
        "u": iri("https://w3id.org/ppdkg/id/ales-bialiatski#it"),
        "n": None,
    }
    (row,) = list(ox.Store().query(inject_values("SELECT * WHERE { }", terms)))
    assert row["i"] == ox.Literal("-12", datatype=ox.NamedNode(XSD + "integer"))
    assert row["d"] == ox.Literal("2025-06-21", datatype=ox.NamedNode(XSD + "date"))
    assert row["u"] == ox.NamedNode("https://w3id.org/ppdkg/id/ales-bialiatski#it")
    assert row["n"] is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: iri("urn:a> } DROP ALL #"),
        lambda: iri("urn:a b"),
        lambda: iri("urn:a\\u003E"),
        lambda: iri("relative/path"),
        lambda: literal("a", datatype="urn:dt> } #"),
        lambda: literal("a", lang="en } DROP ALL #"),
        lambda: literal("\ud800"),
    ],
)
def test_a_term_that_could_break_out_of_a_values_block_cannot_be_made(make):
    """Bindings are pyoxigraph terms, which check IRIs, language tags and text when made: nothing unsafe to write."""
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    "bindings, message",
    [
        ({"x": ox.BlankNode("b0")}, "blank node"),
        ({"x } DROP ALL #": literal("a")}, "variable name"),
        ({"?x": literal("a")}, "variable name"),
        ({"": literal("a")}, "variable name"),
        ({"x": "plain string"}, "not an RDF term"),
    ],
)
def test_unsafe_bindings_are_parameter_errors(bindings, message):
    with pytest.raises(ParameterError, match=message):
        inject_values("SELECT * WHERE { ?s ?p ?o }", bindings)


# --- parsing SPARQL JSON results -------------------------------------------------------------


def test_json_results_become_rows():
    rows = parse_json_results(json.dumps(SOLUTIONS_JSON).encode(), endpoint="http://e/q")
    assert rows.variables == ("s", "label", "n", "missing")
    assert rows.rows == (
        (iri("urn:a"), literal("A", lang="en"), literal("3", datatype=XSD + "integer"), None),
        (ox.BlankNode("b0"), literal("plain"), None, None),
    )
    assert rows.rows[0][1].datatype.value == RDF_LANG_STRING
    assert rows.rows[1][1].datatype.value == XSD_STRING


def test_sparql_1_2_lang_string_with_datatype_is_accepted():
    body = answer({"x": {"type": "literal", "value": "a", "xml:lang": "en", "datatype": RDF_LANG_STRING}})
    assert parse_json_results(body, endpoint="e").rows == ((literal("a", lang="en"),),)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Welcome</body></html>",
        b'{"head": {"vars": ["x"]}, "results": {"bind',
        b"\xff\xfe",
        b"[]",
        b'{"head": {}, "boolean": true}',
        b'{"results": {"bindings": []}}',
        b'{"head": {"vars": "x"}, "results": {"bindings": []}}',
        b'{"head": {"vars": ["x", "x"]}, "results": {"bindings": []}}',
        b'{"head": {"vars": ["x"]}, "results": {}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [1]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"y": {"type": "uri", "value": "urn:a"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": "urn:a"}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "iri", "value": "urn:a"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": 3}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "typed-literal", "value": "3"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "u", "xml:lang": "en"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "a", "xml:lang": "en", "datatype": "urn:d"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple", "value": {}}}]}}',
    ],
)
def test_anything_but_select_results_is_malformed(body):
    with pytest.raises(EndpointError, match=r"^http://e/q: malformed response"):
        parse_json_results(body, endpoint="http://e/q", content_type="text/html; charset=utf-8")


# --- the real server ---------------------------------------------------------------------------


def graph_ntriples() -> bytes:
    """The project's ontology and data as N-Triples (parsed with pyoxigraph)."""
    store = ox.Store()
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


@pytest.fixture(scope="module")
def graph():
    """(N-Triples bytes, an in-memory pyoxigraph store holding the same triples)."""
    data = graph_ntriples()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return data, store


@pytest.fixture(scope="module")
def endpoint(oxigraph_server, graph):
    """The Oxigraph server's query URL, its store holding the real graph."""
    oxigraph_server.clear()
    oxigraph_server.load(graph[0], content_type="application/n-triples")
    assert oxigraph_server.count() == len(graph[1])
    return oxigraph_server.query_url


def test_bound_iri_gives_typed_literals_and_unbound_optionals(endpoint):
    query = PREFIXES + """
        SELECT ?event ?label ?count ?latest ?earliest WHERE {
          ?event rdfs:label ?label ; ppd:personCount ?count .
          OPTIONAL { ?event ppd:latest ?latest }
          OPTIONAL { ?event ppd:earliest ?earliest }
        }"""
    rows = select_remote(endpoint, query, bindings={"event": iri(PPDR + "pardon-31-ukrainians")}, timeout=10)
    assert rows.variables == ("event", "label", "count", "latest", "earliest")
    assert rows.rows == (
        (
            iri(PPDR + "pardon-31-ukrainians"),
            literal("Pardon and release of 31 Ukrainians"),
            literal("31", datatype=XSD + "integer"),
            literal("2025-12-31", datatype=XSD + "date"),
            None,
        ),
    )


def test_language_tagged_values_both_ways(endpoint):
    query = PREFIXES + "SELECT ?person ?label WHERE { ?person a ppd:Person ; skos:prefLabel ?label }"
    rows = select_remote(endpoint, query, bindings={"person": iri(PPDR + "ales-bialiatski")}, timeout=10)
    assert rows.rows == ((iri(PPDR + "ales-bialiatski"), literal("Ales Bialiatski", lang="en")),)
    rows = select_remote(endpoint, query, bindings={"label": literal("Ales Bialiatski", lang="en")}, timeout=10)
    assert rows.column("person") == [iri(PPDR + "ales-bialiatski")]
    # the same text without its language tag is a different term: no match
    rows = select_remote(endpoint, query, bindings={"label": literal("Ales Bialiatski")}, timeout=10)
    assert rows.rows == ()


def test_bound_integer_matches_by_value(endpoint, graph):
    query = PREFIXES + "SELECT ?event ?count WHERE { ?event ppd:personCount ?count } ORDER BY ?event"
    bindings = {"count": literal("31", datatype=XSD + "integer")}
    rows = select_remote(endpoint, query, bindings=bindings, timeout=10)
    assert len(rows.rows) >= 2
    assert set(rows.column("count")) == {literal("31", datatype=XSD + "integer")}
    assert rows == memory_rows(graph[1], query, bindings)


def test_no_rows_is_an_empty_result(endpoint):
    rows = select_remote(endpoint, "SELECT ?s WHERE { ?s <urn:nothing> ?o }", bindings={}, timeout=10)
    assert rows == Rows(variables=("s",), rows=())


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_binding_stays_a_literal_on_the_server(endpoint, oxigraph_server, value):
    before = oxigraph_server.count()
    query = PREFIXES + "SELECT ?name ?person WHERE { ?person skos:prefLabel ?name }"
    assert select_remote(endpoint, query, bindings={"name": literal(value)}, timeout=10).rows == ()
    echo = select_remote(endpoint, "SELECT ?v WHERE { }", bindings={"v": literal(value)}, timeout=10)
    assert echo.rows == ((literal(value),),)
    assert oxigraph_server.count() == before


def test_an_update_is_refused_before_anything_is_sent(endpoint, oxigraph_server):
    before = oxigraph_server.count()
    with pytest.raises(QueryError, match="only SELECT"):
        select_remote(endpoint, "DROP ALL", bindings={}, timeout=10)
    with pytest.raises(QueryError, match="only SELECT"):
        select_remote(endpoint, "# select\nINSERT DATA { <urn:a> <urn:b> <urn:c> }", bindings={}, timeout=10)
    assert oxigraph_server.count() == before


def test_a_syntax_error_names_the_server_message(endpoint):
    with pytest.raises(EndpointError) as caught:
        select_remote(endpoint, "SELECT ?s WHERE { ?s ?p }", bindings={}, timeout=10)
    message = str(caught.value)
    assert message.startswith(f"{endpoint}: request refused (HTTP 400): ")
    assert len(message) > len(f"{endpoint}: request refused (HTTP 400): ") + 5
    assert "\n" not in message


# --- every stored query: the server and an in-memory store agree ------------------------------


def header(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def example_bindings(text: str) -> dict[str, Term]:
    """The terms of the first ``# example:`` line's ``-p name=value``, typed by the ``# param:`` lines."""
    lines = header(text)
    types = dict(re.findall(r"^#\s*param:\s*(\S+)\s+(\S+)", "\n".join(lines), re.M))
    examples = [line.split("example:", 1)[1].split() for line in lines if re.match(r"#\s*example:", line)]
    prefixes = dict(re.findall(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", text, re.I))
    bindings = {}
    words = examples[0] if examples else []
    for flag, assignment in zip(words, words[1:]):
        if flag != "-p":
            continue
        name, raw = assignment.split("=", 1)
        kind = types.get(name, "xsd:string")
        if kind == "IRI":
            prefix, _, local = raw.partition(":")
            bindings[name] = iri(prefixes[prefix] + local if prefix in prefixes and not raw.startswith(("http:", "https:", "urn:")) else raw)
        elif kind == "xsd:string":
            bindings[name] = literal(raw)
        else:
            bindings[name] = literal(raw, datatype=XSD + kind.split(":", 1)[1])
    return bindings


def memory_rows(store: ox.Store, query: str, bindings: dict[str, Term]) -> Rows:
    """The query on pyoxigraph with its own parameter binding (substitutions), as Rows."""
    substitutions = {ox.Variable(name): term for name, term in bindings.items()}
    solutions = store.query(query, substitutions=substitutions)
    variables = tuple(variable.value for variable in solutions.variables)
    return Rows(variables, tuple(tuple(solution[name] for name in variables) for solution in solutions))


NUMERIC = {XSD + name for name in ("integer", "decimal", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


def normalised(rows: Rows) -> tuple[tuple[str, ...], Counter]:
    """Variables, and the rows as a multiset; numbers by value, blank nodes as one, joined cells (" | ", ", ") as sorted parts."""

    def cell(term: Term | None):
        if term is None:
            return None
        kind, value, datatype, lang = parts(term)
        if kind == "bnode":
            return ("bnode",)
        if kind == "literal" and datatype in NUMERIC | {XSD + "double", XSD + "float"}:
            try:
                return ("number", Decimal(value).normalize())
            except InvalidOperation:
                pass
        for separator in (" | ", ", "):  # GROUP_CONCAT element order may differ between engines
            if kind == "literal" and separator in value:
                return ("parts", tuple(sorted(value.split(separator))), datatype, lang)
        return (kind, value, datatype, lang)

    return rows.variables, Counter(tuple(cell(term) for term in row) for row in rows.rows)


@pytest.mark.parametrize("path", QUERIES, ids=[path.stem for path in QUERIES])
def test_stored_query_same_rows_on_server_and_in_memory(endpoint, graph, path):
    text = path.read_text(encoding="utf-8")
    bindings = example_bindings(text)
    expected = memory_rows(graph[1], text, bindings)
    if bindings:
        assert expected.rows, f"{path.name}: its example answers nothing, so the binding is not exercised"
    remote = select_remote(endpoint, text, bindings=bindings, timeout=30)
    assert normalised(remote) == normalised(expected)
    for name, term in bindings.items():  # the parameter was bound, not just ignored
        if name in remote.variables:
            assert set(remote.column(name)) <= {term}


# --- failures ------------------------------------------------------------------------------------


@pytest.fixture
def no_credentials(monkeypatch):
    for name in ("KGBUILD_ENDPOINT_USER", "KGBUILD_ENDPOINT_PASSWORD", "KGBUILD_ENDPOINT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def failure(url: str, query: str = "SELECT ?x WHERE { ?x ?p ?o }", *, timeout: float = 5, **bindings) -> EndpointError:
    with pytest.raises(EndpointError) as caught:
        select_remote(url, query, bindings=bindings, timeout=timeout)
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None  # nothing chained that could carry headers
    return error


def test_endpoint_down_is_unreachable(no_credentials):
    url = f"http://127.0.0.1:{free_port()}/query"
    start = time.monotonic()
    error = failure(url)
    assert str(error) == f"{url}: endpoint unreachable (connection refused)"
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://127.0.0.1/query", "not an http(s) URL"),
        ("127.0.0.1:7878/query", "not an http(s) URL"),
        ("http://127.0.0.1:port/query", "not a valid http(s) URL"),
        ("http:///query", "not an http(s) URL"),
    ],
)
def test_unusable_urls(no_credentials, url, message):
    assert message in str(failure(url))


def test_request_is_a_post_of_the_query_with_json_accept(no_credentials, http_stub):
    http_stub.respond(200, answer({"x": {"type": "uri", "value": "urn:a"}}))
    query = "# description: what was added, loaded and dropped\n# more\n# what was inserted\nSELECT ?x WHERE { ?x ?p ?o }"
    rows = select_remote(http_stub.query_url, query, bindings={"p": iri("urn:p")}, timeout=5)
    assert rows.rows == ((iri("urn:a"),),)
    (request,) = http_stub.requests
    assert request.method == "POST" and request.path == "/query"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "application/sparql-results+json" in request.headers["Accept"]
    form = parse_qs(request.body.decode("ascii"))
    assert set(form) == {"query"}  # not an update (despite the words in its comments), no format= parameters
    assert form["query"] == [inject_values(query, {"p": iri("urn:p")})]
    assert "Authorization" not in request.headers


def test_http_500_names_the_status_and_the_server_message(no_credentials, http_stub):
    http_stub.respond(500, "Internal error: the store is on fire\nTraceback ...", content_type="text/plain")
    error = failure(http_stub.query_url)
    assert str(error) == f"{http_stub.query_url}: the endpoint failed (HTTP 500): Internal error: the store is on fire"


@pytest.mark.parametrize("status", [502, 503])
def test_other_5xx(no_credentials, http_stub, status):
    http_stub.respond(status, "<html><head><title>x</title></head><body><h1>Service down</h1></body></html>", content_type="text/html")
    assert str(failure(http_stub.query_url)) == f"{http_stub.query_url}: the endpoint failed (HTTP {status}): Service down"


def test_http_400_gives_the_first_line_of_the_server_message(no_credentials, http_stub):
    http_stub.respond(400, "\n  Parse error at 1:20: expected '}'  \nmore", content_type="text/plain")
    assert str(failure(http_stub.query_url)) == f"{http_stub.query_url}: request refused (HTTP 400): Parse error at 1:20: expected '}}'"


def test_http_404(no_credentials, http_stub):
    http_stub.respond(404, "nope", content_type="text/plain")
    assert "not found (HTTP 404)" in str(failure(http_stub.query_url))


def test_redirect_is_not_followed_with_the_query(no_credentials, http_stub):
    http_stub.respond(307, "", headers={"Location": "http://127.0.0.1:1/elsewhere"})
    assert "redirected (HTTP 307) to http://127.0.0.1:1/elsewhere" in str(failure(http_stub.query_url))
    assert len(http_stub.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials(no_credentials, http_stub, status):
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "curator")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", "s3cret-pw")
    http_stub.respond(status, "Unauthorized", content_type="text/plain")
    error = failure(http_stub.query_url)
    assert str(error) == f"{http_stub.query_url}: credentials refused (HTTP {status})"
    assert_secret_free(error, "s3cret-pw", "curator")


def test_401_without_credentials_says_how_to_give_them(no_credentials, http_stub):
    http_stub.respond(401, "", headers={"WWW-Authenticate": 'Basic realm="sparql"'})
    message = str(failure(http_stub.query_url))
    assert "credentials refused (HTTP 401)" in message
    assert "KGBUILD_ENDPOINT_USER" in message and "KGBUILD_ENDPOINT_TOKEN" in message


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "text/html"),
        (b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "ur', "application/sparql-results+json"),
        (b"", "application/sparql-results+json"),
        (b'{"head": {}, "boolean": true}', "application/sparql-results+json"),
    ],
)
def test_malformed_answers(no_credentials, http_stub, body, content_type):
    http_stub.respond(200, body, content_type=content_type)
    assert str(failure(http_stub.query_url)).startswith(f"{http_stub.query_url}: malformed response")


def test_an_answer_shorter_than_announced_is_malformed(no_credentials, http_stub):
    http_stub.respond(200, answer(), content_length=len(answer()) + 100)
    assert "malformed response" in str(failure(http_stub.query_url))


def test_a_server_that_does_not_speak_http(no_credentials, http_stub):
    http_stub.respond(raw=b"SSH-2.0-OpenSSH_9.6\r\n")
    message = str(failure(http_stub.query_url))
    assert message.startswith(f"{http_stub.query_url}: ")
    assert "malformed response" in message or "unreachable" in message


def test_a_connection_closed_without_an_answer(no_credentials, http_stub):
    http_stub.respond(raw=b"")
    assert "endpoint unreachable" in str(failure(http_stub.query_url))


@pytest.mark.parametrize("where", ["delay", "body_delay"])
def test_timeout_is_honoured(no_credentials, http_stub, where):
    http_stub.respond(200, answer(), **{where: 10})
    start = time.monotonic()
    error = failure(http_stub.query_url, timeout=1)
    elapsed = time.monotonic() - start
    assert str(error) == f"{http_stub.query_url}: no answer within 1 s (timed out)"
    assert 0.9 <= elapsed < 3


def test_a_sub_second_timeout_is_not_dropped(no_credentials, http_stub):
    http_stub.respond(200, answer(), delay=10)
    start = time.monotonic()
    assert "no answer within 0.3 s (timed out)" in str(failure(http_stub.query_url, timeout=0.3))
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5", True])
def test_unusable_timeouts(timeout):
    with pytest.raises(ParameterError, match="timeout"):
        select_remote("http://127.0.0.1:1/query", "SELECT * {}", bindings={}, timeout=timeout)


# --- credentials -----------------------------------------------------------------------------------

SECRET_PASSWORD = "pw-Zq8!x:9"
SECRET_TOKEN = "tok.eyJhbGciOi-J9_s3cr3t"


def assert_secret_free(error: Exception, *secrets: str) -> None:
    texts = [str(error), repr(error), getattr(error, "message", "")]
    for secret in secrets:
        assert all(secret not in text for text in texts), texts


def test_basic_credentials_are_sent_and_never_shown(no_credentials, http_stub):
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "alice")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", SECRET_PASSWORD)
    encoded = base64.b64encode(f"alice:{SECRET_PASSWORD}".encode()).decode()
    http_stub.respond(200, answer())
    assert select_remote(http_stub.query_url, "SELECT ?x {}", bindings={}, timeout=5).rows == ()
    assert http_stub.requests[-1].headers["Authorization"] == f"Basic {encoded}"
    # a server that echoes what it got: the secrets are scrubbed from the message
    for status in (400, 500, 418):
        http_stub.respond(status, f"bad request from alice with {SECRET_PASSWORD} / Basic {encoded}", content_type="text/plain")
        error = failure(http_stub.query_url)
        assert_secret_free(error, SECRET_PASSWORD, encoded)
        assert f"HTTP {status}" in str(error)
    for status in (401, 403):
        http_stub.respond(status, SECRET_PASSWORD)
        assert_secret_free(failure(http_stub.query_url), SECRET_PASSWORD, encoded)
    http_stub.respond(200, f"<html>{SECRET_PASSWORD}</html>", content_type="text/html")
    assert_secret_free(failure(http_stub.query_url), SECRET_PASSWORD, encoded)


def test_bearer_token_is_sent_and_never_shown(no_credentials, http_stub):
    no_credentials.setenv("KGBUILD_ENDPOINT_TOKEN", SECRET_TOKEN)
    http_stub.respond(200, answer())
    select_remote(http_stub.query_url, "SELECT ?x {}", bindings={}, timeout=5)
    assert http_stub.requests[-1].headers["Authorization"] == f"Bearer {SECRET_TOKEN}"
    for status in (400, 401, 500):
        http_stub.respond(status, f"token {SECRET_TOKEN} is not valid", content_type="text/plain")
        error = failure(http_stub.query_url)
        assert_secret_free(error, SECRET_TOKEN)
    url = f"http://127.0.0.1:{free_port()}/query"
    assert_secret_free(failure(url), SECRET_TOKEN)


def test_credentials_are_not_shown_when_the_endpoint_is_down_or_slow(no_credentials, http_stub):
    no_credentials.setenv("KGBUILD_ENDPOINT_USER", "alice")
    no_credentials.setenv("KGBUILD_ENDPOINT_PASSWORD", SECRET_PASSWORD)
    assert_secret_free(failure(f"http://127.0.0.1:{free_port()}/query"), SECRET_PASSWORD)
    http_stub.respond(200, answer(), delay=5)
    assert_secret_free(failure(http_stub.query_url, timeout=0.5), SECRET_PASSWORD)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"KGBUILD_ENDPOINT_USER": "alice"}, "KGBUILD_ENDPOINT_PASSWORD is not set"),
        ({"KGBUILD_ENDPOINT_PASSWORD": SECRET_PASSWORD}, "KGBUILD_ENDPOINT_USER is not set"),
        ({"KGBUILD_ENDPOINT_USER": "al:ice", "KGBUILD_ENDPOINT_PASSWORD": SECRET_PASSWORD}, "must not contain ':'"),
        ({"KGBUILD_ENDPOINT_USER": "alice", "KGBUILD_ENDPOINT_PASSWORD": SECRET_PASSWORD, "KGBUILD_ENDPOINT_TOKEN": SECRET_TOKEN}, "not both"),
        ({"KGBUILD_ENDPOINT_TOKEN": SECRET_TOKEN + "\r\nX-Evil: 1"}, "cannot carry"),
    ],
)
def test_unusable_credential_settings(no_credentials, http_stub, env, message):
    for name, value in env.items():
        no_credentials.setenv(name, value)
    error = failure(http_stub.query_url)
    assert message in str(error)
    assert_secret_free(error, SECRET_PASSWORD, SECRET_TOKEN)
    assert http_stub.requests == []  # nothing was sent


def test_credentials_in_the_url_are_refused_and_not_shown(no_credentials, http_stub):
    url = http_stub.query_url.replace("http://", f"http://alice:{SECRET_PASSWORD.replace(':', '%3A')}@")
    error = failure(url)
    assert str(error).startswith(f"{http_stub.query_url}: credentials in the URL are not used")
    assert_secret_free(error, SECRET_PASSWORD, SECRET_PASSWORD.replace(":", "%3A"))
    assert http_stub.requests == []


# --- a clean start: the HTTP library is imported only when a request is sent -------------------


def test_importing_remote_does_not_import_the_http_library():
    import subprocess
    import sys

    code = "import sys, kgbuild.backends.remote, kgbuild.sparqltext; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- the same failures through run_query and the CLI (in-process) ----------------------------------


def test_a_stub_sleeping_3_s_with_timeout_1_times_out_in_bounded_time(no_credentials, http_stub):
    http_stub.respond(200, answer(), delay=3)
    start = time.monotonic()
    error = failure(http_stub.query_url, timeout=1)
    assert "timed out" in str(error)
    assert str(error).startswith(http_stub.query_url)
    assert time.monotonic() - start < 2.5


def test_every_failure_names_the_endpoint_url(no_credentials, http_stub):
    down = f"http://127.0.0.1:{free_port()}/sparql"
    error = failure(down)
    assert down in str(error) and "unreachable" in str(error)
    for status, words in ((500, "HTTP 500"), (401, "credentials refused"), (400, "HTTP 400")):
        http_stub.respond(status, "Parse error: unexpected token at line 3\nmore", content_type="text/plain")
        error = failure(http_stub.query_url)
        assert str(error).startswith(http_stub.query_url + ": ")
        assert words in str(error)
    assert "Parse error: unexpected token at line 3" in str(error)
    assert "more" not in str(error)  # only the first line


def test_run_query_with_an_endpoint_sends_the_example_binding(no_credentials, http_stub, built_project):
    from kgbuild.project import load_project
    from kgbuild.queries.querying import run_query

    http_stub.respond(200, answer({"name": {"type": "literal", "value": "x"}}, variables=("name",)))
    rows = run_query(load_project(built_project), "cq11-name-lookup", params={"name": 'Kol"} #'}, endpoint=http_stub.query_url, timeout=5)
    assert rows.rows == ((literal("x"),),)
    check, request = http_stub.requests  # whether the default graph holds anything, then the query
    assert "VALUES" not in parse_qs(check.body.decode())["query"][0]
    assert request.method == "POST"
    sent = parse_qs(request.body.decode())["query"][0]
    assert "VALUES" in sent
    # the hostile text arrives as one escaped literal inside the query
    (row,) = list(ox.Store().query(inject_values("SELECT ?name WHERE { }", {"name": literal('Kol"} #')})))
    assert row["name"] == ox.Literal('Kol"} #')
    ox.Store().query(sent)  # the sent text is one valid query


def cli_query(project: Path, *args: str):
    from conftest import run_cli

    return run_cli("query", "cq08-totals", "--project", str(project), *args)


def test_cli_endpoint_down_exits_2_with_unreachable(no_credentials, built_project):
    url = f"http://127.0.0.1:{free_port()}/query"
    result = cli_query(built_project, "--endpoint", url)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("kgbuild: error: ")
    assert url in result.stderr
    assert re.search(r"^kgbuild: error: .*unreachable", result.stderr, re.M)
    assert "Traceback" not in result.stderr


def test_cli_endpoint_500_exits_2(no_credentials, built_project, http_stub):
    http_stub.respond(500, "<html><h1>Internal Server Error</h1></html>", content_type="text/html")
    result = cli_query(built_project, "--endpoint", http_stub.query_url)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "kgbuild: error: " in result.stderr and "HTTP 500" in result.stderr
    assert "Internal Server Error" in result.stderr
    assert len(http_stub.requests) == 1


def test_cli_endpoint_timeout_and_credentials(no_credentials, built_project, http_stub):
    no_credentials.setenv("KGBUILD_ENDPOINT_TOKEN", SECRET_TOKEN)
    http_stub.respond(401, f"token {SECRET_TOKEN} refused", content_type="text/plain")
    result = cli_query(built_project, "--endpoint", http_stub.query_url)
    assert result.exit_code == 2
    assert "credentials refused" in result.stderr
    assert SECRET_TOKEN not in result.stderr + result.stdout
    assert http_stub.requests[-1].headers["Authorization"] == f"Bearer {SECRET_TOKEN}"
    http_stub.respond(200, answer(), delay=3)
    start = time.monotonic()
    result = cli_query(built_project, "--endpoint", http_stub.query_url, "--timeout", "1")
    assert result.exit_code == 2
    assert "timed out" in result.stderr
    assert time.monotonic() - start < 2.5


def test_cli_endpoint_answers_like_the_embedded_store(no_credentials, built_project, endpoint, oxigraph_server):
    # the server holds the project's ontology and data (the ``endpoint`` fixture): the built graph
    assert oxigraph_server.count() == sum(1 for line in (built_project / "dist" / "graph.nt").read_text("utf-8").splitlines() if line.strip())
    local = cli_query(built_project, "--format", "json")
    remote = cli_query(built_project, "--format", "json", "--endpoint", endpoint)
    assert local.exit_code == remote.exit_code == 0, remote.stderr
    assert json.loads(local.stdout) == json.loads(remote.stdout)


def test_optional_groups_using_a_variable_outside_sub_selects():
    query = """SELECT * WHERE { ?this a ?c
        OPTIONAL { ?this ex:p ?x OPTIONAL { ?x ex:q ?y } }
        { SELECT ?z WHERE { ?this ex:r ?z OPTIONAL { ?this ex:s ?w } } }
        FILTER ("OPTIONAL { ?this }" != ?z)  # OPTIONAL { ?this } in a comment
        optional { ?a ex:t ?b . $this ex:u ?b }
        OPTIONAL { ?c ex:label ?label }
        OPTIONAL { <urn:x?this> ex:v ?thisOne } }"""
    starts = optional_group_starts(query, mentioning="this")
    assert [query[i:i + 12] for i in starts] == ["{ ?this ex:p", "{ ?a ex:t ?b"]
    assert optional_group_starts("SELECT * WHERE { ?s ?p ?o }", mentioning="this") == []


def test_digest_credentials_on_virtuoso_sparql_auth(no_credentials, virtuoso_server, monkeypatch):
    """Virtuoso's /sparql-auth answers basic credentials with a bare 401: the query goes again with HTTP Digest."""
    virtuoso_server.clear()
    virtuoso_server.load("<urn:test:a> <urn:test:p> \"digest\" .\n")
    query = f"SELECT ?o WHERE {{ GRAPH <{virtuoso_server.DEFAULT_GRAPH}> {{ ?s <urn:test:p> ?o }} }}"
    monkeypatch.setenv("KGBUILD_ENDPOINT_USER", "dba")
    monkeypatch.setenv("KGBUILD_ENDPOINT_PASSWORD", "dba")
    rows = select_remote(virtuoso_server.auth_url, query, bindings={}, timeout=30)
    assert [row[0].value for row in rows.rows] == ["digest"]
    monkeypatch.setenv("KGBUILD_ENDPOINT_PASSWORD", "wrong-Pa55")
    with pytest.raises(EndpointError) as raised:
        select_remote(virtuoso_server.auth_url, query, bindings={}, timeout=30)
    assert str(raised.value) == f"{virtuoso_server.auth_url}: credentials refused (HTTP 401)"


def test_virtuoso_blank_node_labels_become_labels_rdf_takes():
    import pyoxigraph

    body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "bnode", "value": "nodeID://b10744"}}, {"x": {"type": "bnode", "value": "nodeID://b1074_4"}},
        {"x": {"type": "bnode", "value": "b0"}}]}}).encode()
    labels = [row[0].value for row in parse_json_results(body, endpoint="http://h/sparql").rows]
    assert labels[2] == "b0" and len(set(labels)) == 3
    assert [pyoxigraph.BlankNode(label).value for label in labels] == labels


def test_an_answer_virtuoso_cut_at_its_row_limit_is_refused(virtuoso_server):
    """Virtuoso stops a result at ResultSetMaxRows without an error and says so in X-SPARQL-MaxRows; the ``maxrows``
    parameter in the endpoint URL sets that limit for one request, as a lower ResultSetMaxRows in virtuoso.ini would."""
    virtuoso_server.clear()
    virtuoso_server.load("".join(f"<urn:test:s{n}> <urn:test:p> {n} .\n" for n in range(8)))
    query = f"SELECT ?s WHERE {{ GRAPH <{virtuoso_server.DEFAULT_GRAPH}> {{ ?s <urn:test:p> ?o }} }}"
    capped = virtuoso_server.query_url + "?maxrows=5"
    with pytest.raises(EndpointError) as raised:
        select_remote(capped, query, bindings={}, timeout=30)
    assert str(raised.value) == (
        f"{capped}: the store cut the answer at 5 rows (X-SPARQL-MaxRows), so it may be incomplete: raise the "
        "store's limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini) above the rows this "
        "query needs")
    # under the limit, or with the store's own (the fixture's ini: 1000000), the whole answer
    assert len(select_remote(capped, query + " LIMIT 4", bindings={}, timeout=30).rows) == 4
    assert len(select_remote(virtuoso_server.query_url, query, bindings={}, timeout=30).rows) == 8
