"""Terms and property paths as SPARQL text, terms between pyoxigraph and rdflib, and readable names of nodes."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kgbuild.backends.convert import from_ox
from kgbuild.errors import InputError

SKOLEM = "urn:kgbuild:bnode:"

RDF_TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"


def focus_iri(term: Node) -> str:
    """The IRI a focus node has in the store (a skolemised blank node's ``SKOLEM`` IRI)."""
    return SKOLEM + str(term) if isinstance(term, BNode) else str(term)


def to_rdflib(term) -> Node:
    """The rdflib term of a store's term (kgbuild.backends.convert), a ``SKOLEM`` IRI as the blank node it stands
    for; an rdflib term as it is."""
    if isinstance(term, Node):
        return term
    if isinstance(term, ox.NamedNode) and term.value.startswith(SKOLEM):
        return BNode(term.value[len(SKOLEM):])
    return from_ox(term)


def iri(node: Node) -> str:
    if not isinstance(node, URIRef):
        raise InputError(f"expected an IRI in the shapes, found {node!r}")
    return f"<{node}>"


def string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = string(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            return f"{text}^^<{node.datatype}>"
        return text
    raise InputError(f"a blank node cannot be used as a value in the shapes ({node!r})")


_PATH_FORMS = ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
               (SH.zeroOrOnePath, "({})?"))


def rdf_list(graph: Graph, head: Node) -> list[Node]:
    """The members of the well-formed RDF list at ``head``; ``ValueError`` saying what is wrong otherwise."""
    members: list[Node] = []
    seen: set[Node] = set()
    node = head
    while node != RDF.nil:
        if isinstance(node, Literal) or node in seen:
            raise ValueError(_not_a_list(graph, head, "a literal or a cycle in it"))
        seen.add(node)
        firsts = list(graph.objects(node, RDF.first))
        rests = list(graph.objects(node, RDF.rest))
        if len(firsts) != 1 or len(rests) != 1:
            raise ValueError(_not_a_list(graph, head, "each cell needs one rdf:first and one rdf:rest, the last "
                                                      "rdf:rest rdf:nil"))
        members.append(firsts[0])
        node = rests[0]
    return members


def _not_a_list(graph: Graph, head: Node, why: str) -> str:
    if isinstance(head, BNode):
        return f"the list is not a well-formed RDF list ({why})"
    return f"{show(head, graph)} is not an RDF list"


def path(graph: Graph, node: Node) -> str:
    """A SHACL property path as a SPARQL property path; ``ValueError`` if it is not one."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        steps = rdf_list(graph, node)
        if not steps:
            raise ValueError("a sequence path needs at least one step")
        return "(" + "/".join(path(graph, step) for step in steps) + ")"
    for predicate, template in _PATH_FORMS:
        inner = graph.value(node, predicate)
        if inner is not None:
            return template.format(path(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path(graph, step) for step in rdf_list(graph, alternatives)) + ")"
    raise ValueError(f"{'the value' if isinstance(node, BNode) else show(node, graph)} is not a SHACL property "
                     "path (an IRI, a list of paths, or a node with one of sh:inversePath, sh:alternativePath, "
                     "sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath)")


def readable_path(graph: Graph, node: Node) -> str:
    """A property path for people: prefixed names where the shapes graph binds them."""
    if isinstance(node, URIRef):
        return show(node, graph)
    try:
        if (node, RDF.first, None) in graph:
            return "/".join(readable_path(graph, step) for step in rdf_list(graph, node))
        for predicate, template in _PATH_FORMS:
            inner = graph.value(node, predicate)
            if inner is not None:
                return template.replace("({})", "{}").format(readable_path(graph, inner))
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(readable_path(graph, step) for step in rdf_list(graph, alternatives)) + ")"
    except ValueError:
        pass
    return "[not a path]"


def show(node: Node, graph: Graph | None = None) -> str:
    """A node as people read it: a prefixed name where ``graph`` binds the namespace, else ``<IRI>``; a literal
    in Turtle; a blank node as ``[]`` (its id means nothing to the reader)."""
    if isinstance(node, URIRef):
        if graph is not None:
            try:
                return node.n3(graph.namespace_manager)
            except Exception:  # noqa: BLE001 - an IRI rdflib cannot write (a space in it: a bare Exception)
                return f"<{node}>"
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager if graph is not None else None)
    return "[]"
