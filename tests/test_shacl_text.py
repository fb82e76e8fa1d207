"""kgbuild.shacl.text: terms as people read them in messages."""

from rdflib import BNode, Graph, Literal, URIRef

from kgbuild.shacl.text import show


def test_show_shortens_a_bound_namespace_and_writes_other_iris_whole():
    graph = Graph(bind_namespaces="none")
    graph.bind("ex", "https://example.org/")
    assert show(URIRef("https://example.org/a"), graph) == "ex:a"
    assert show(URIRef("https://other.org/a"), graph) == "<https://other.org/a>"
    assert show(Literal("x", lang="en"), graph) == '"x"@en'
    assert show(BNode("b1"), graph) == "[]"


def test_show_writes_an_iri_rdflib_refuses_to_serialise_instead_of_raising():
    """A space in an IRI (rdflib's Turtle parser lets it through; its n3() raises a bare Exception)."""
    graph = Graph(bind_namespaces="none")
    graph.bind("ex", "https://example.org/")
    assert show(URIRef("https://example.org/a b"), graph) == "<https://example.org/a b>"
