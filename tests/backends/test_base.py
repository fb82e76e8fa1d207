"""The ``Dataset`` protocol on every store kgbuild reads: the embedded pyoxigraph store, an rdflib graph and a real
SPARQL server (``oxigraph serve``, the ``oxigraph_server`` fixture) answer the same query with the same ``Rows``.

The data is tests/fixtures/backends/pardon.ttl (facts of the first seed text); the expected rows are written by
hand from it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kgbuild.backends.base import Dataset
from kgbuild.backends.embedded import EmbeddedDataset
from kgbuild.backends.graph import GraphDataset
from kgbuild.backends.remote import EndpointDataset
from kgbuild.errors import EndpointError, ParameterError, QueryError, ServiceRefusedError
from kgbuild.queries.results import XSD, Rows, iri, literal

DATA = Path(__file__).resolve().parent.parent / "fixtures" / "backends" / "pardon.ttl"
EX = "https://example.org/pardon/"
PREFIX = f"PREFIX ex: <{EX}>\n"
STORES = ("embedded", "rdflib", "endpoint")


def integer(value: int) -> ox.Literal:
    return literal(str(value), datatype=XSD + "integer")


@pytest.fixture(scope="module")
def loaded_server(oxigraph_server):
    oxigraph_server.clear()
    oxigraph_server.load(DATA, content_type="text/turtle")
    return oxigraph_server


@pytest.fixture(params=STORES)
def dataset(request) -> Dataset:
    if request.param == "embedded":
        store = ox.Store()
        store.load(path=str(DATA), format=ox.RdfFormat.TURTLE)
        return EmbeddedDataset(store)
    if request.param == "rdflib":
        return GraphDataset(rdflib.Graph().parse(DATA, format="turtle"))
    return EndpointDataset(request.getfixturevalue("loaded_server").query_url, timeout=30)


def test_every_store_is_a_dataset(dataset):
    assert isinstance(dataset, Dataset)


def test_same_rows_of_every_kind_of_term(dataset):
    rows = dataset.select(PREFIX + """
        SELECT ?pardon ?label ?people ?by ?nationality WHERE {
            ?pardon a ex:Pardon ; ex:label ?label ; ex:people ?people ; ex:grantedBy ?by .
            OPTIONAL { ?pardon ex:nationality ?nationality }
        } ORDER BY DESC(?people)""")
    lukashenko = iri(EX + "lukashenko")
    assert rows == Rows(
        variables=("pardon", "label", "people", "by", "nationality"),
        rows=(
            (iri(EX + "pardon-31"), literal("pardon of 31 Ukrainians", lang="en"), integer(31), lukashenko,
             literal("Ukrainian")),
            (iri(EX + "release-priests"), literal("release of two Catholic priests", lang="en"), integer(2),
             lukashenko, None),
        ),
    )


def test_a_blank_node_comes_back_as_a_blank_node(dataset):
    rows = dataset.select(PREFIX + "SELECT ?place ?city WHERE { ex:pardon-31 ex:handedOverTo ?place . "
                                   "?place ex:city ?city }")
    (place, city), = rows.rows
    assert isinstance(place, ox.BlankNode)
    assert city == literal("Kyiv")


def test_an_aggregate_has_the_same_value(dataset):
    rows = dataset.select(PREFIX + "SELECT (SUM(?n) AS ?released) WHERE { ?p ex:people ?n }")
    assert rows == Rows(variables=("released",), rows=((integer(33),),))


@pytest.mark.parametrize(
    "name, term, expected",
    [
        ("grantedBy", iri(EX + "lukashenko"), {"pardon-31", "release-priests"}),
        ("label", literal("pardon of 31 Ukrainians", lang="en"), {"pardon-31"}),
        ("label", literal("pardon of 31 Ukrainians"), set()),  # a plain string is not the tagged one
        ("people", integer(2), {"release-priests"}),
        ("nationality", literal("Ukrainian"), {"pardon-31"}),
        ("nationality", literal('"} DROP ALL #'), set()),  # a term, not text: nothing breaks out
    ],
)
@pytest.mark.parametrize("projected", [True, False], ids=["projected", "not-projected"])
def test_bindings_are_terms_with_the_same_answer(dataset, name, term, expected, projected):
    """Bound whether or not the query selects the variable (pyoxigraph substitutes projected variables only)."""
    selected = f"?pardon ?{name}" if projected else "?pardon"
    rows = dataset.select(PREFIX + f"SELECT {selected} WHERE {{ ?pardon a ex:Pardon ; ex:{name} ?{name} }}",
                          bindings={name: term})
    assert {row[0].value.removeprefix(EX) for row in rows.rows} == expected
    if projected:
        assert all(row[1] == term for row in rows.rows)


def test_a_binding_of_a_variable_the_query_does_not_select_still_binds(dataset):
    rows = dataset.select(PREFIX + "SELECT ?name WHERE { ?who ex:name ?name }",
                          bindings={"who": iri(EX + "vatican")})
    assert rows.rows == ()


def test_a_store_with_triples_is_not_empty(dataset):
    assert dataset.is_empty() is False


def test_an_empty_store_is_empty(oxigraph_server):
    assert EmbeddedDataset(ox.Store()).is_empty()
    assert GraphDataset(rdflib.Graph()).is_empty()
    assert EndpointDataset(oxigraph_server.query_url, graph="urn:kgbuild:test:no-such-graph").is_empty()


def test_not_a_select_is_a_query_error_naming_the_file(dataset):
    with pytest.raises(QueryError) as caught:
        dataset.select("ASK { ?s ?p ?o }", file="queries/ask.rq")
    assert caught.value.file == "queries/ask.rq"
    assert "SELECT" in caught.value.message


def test_a_syntax_error_is_a_query_error_naming_the_file(dataset):
    if isinstance(dataset, EndpointDataset):  # the store's parser is the judge: its word, as a refused request
        with pytest.raises(EndpointError, match=r"request refused \(HTTP 400\): error at 1:"):
            dataset.select("SELECT ?s WHERE { ?s ?p }", file="queries/broken.rq")
        return
    with pytest.raises(QueryError) as caught:
        dataset.select("SELECT ?s WHERE { ?s ?p }", file="queries/broken.rq")
    assert (caught.value.file, caught.value.line) == ("queries/broken.rq", 1)


@pytest.mark.parametrize("make", [lambda: EmbeddedDataset(ox.Store()), lambda: GraphDataset(rdflib.Graph())])
def test_local_stores_refuse_service_unless_allowed(make):
    query = "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(ServiceRefusedError):
        make().select(query, file="q.rq")


def test_an_endpoint_cannot_take_a_blank_node_binding(loaded_server):
    dataset = EndpointDataset(loaded_server.query_url, timeout=30)
    with pytest.raises(ParameterError, match="blank node"):
        dataset.select("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s": ox.BlankNode("b0")})
