"""Running a SELECT query with typed bindings on a local engine, answering ``Rows``.

- ``oxigraph``: the embedded store written by ``kgbuild build`` (pyoxigraph
  ``substitutions``); imports neither rdflib nor pyshacl.
- ``rdflib``: parses ontology and data afresh and runs rdflib's engine
  (``initBindings``) — slow, for cross-checking.

Both engines would send a query's SERVICE calls to their endpoints, so a
query that calls SERVICE is refused (``ServiceRefusedError``) unless
``allow_service`` (kgbuild.federation).
"""

from __future__ import annotations

from collections.abc import Mapping

from kgbuild.errors import QueryError
from kgbuild.project import Project
from kgbuild.queries.results import XSD_STRING, Rows, Term

ENGINES = ("oxigraph", "rdflib")


def select_embedded(project: Project, query: str, *, bindings: Mapping[str, Term], file: str,
                    allow_service: bool = False) -> Rows:
    from kgbuild.federation import refuse_service
    from kgbuild.store import open_store

    refuse_service(query, file=file, allowed=allow_service)  # before opening the store: refused either way
    return select_oxigraph(open_store(project), query, bindings=bindings, file=file, allow_service=allow_service)


def select_oxigraph(store, query: str, *, bindings: Mapping[str, Term], file: str, allow_service: bool = False) -> Rows:
    """Run on any ``pyoxigraph.Store``."""
    import pyoxigraph as ox

    from kgbuild.federation import refuse_service

    refuse_service(query, file=file, allowed=allow_service)
    substitutions = {ox.Variable(name): _to_ox(term) for name, term in bindings.items()}
    try:
        solutions = store.query(query, substitutions=substitutions)
    except SyntaxError as exc:
        raise _located_syntax_error(query, str(exc), file=file) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError("only SELECT queries can be run", file=file)
    variables = tuple(variable.value for variable in solutions.variables)
    try:
        rows = tuple(tuple(_from_ox(solution[name]) for name in variables) for solution in solutions)
    except (RuntimeError, ValueError, OSError) as exc:  # e.g. a SERVICE endpoint failing mid-answer
        raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
    return Rows(variables=variables, rows=rows)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def syntax_position(message: str) -> tuple[int | None, int | None, str]:
    """(line, column, rest) from an Oxigraph parser message such as 'error at 2:1: expected OPTIONAL'."""
    import re

    match = re.match(r"^error at (\d+):(\d+):\s*(.*)$", message, re.S)
    if match is None:
        return None, None, message
    return int(match.group(1)), int(match.group(2)), match.group(3)


def _located_syntax_error(query: str, oxigraph_message: str, *, file: str) -> QueryError:
    """A QueryError at the line and column of the offending token.

    Oxigraph's parser often reports the end of the query as the error
    position, so on this error path (only) rdflib's parser is asked where
    the error is; Oxigraph's own message is used if rdflib accepts the text.
    """
    located = rdflib_syntax_error(query)
    if located is None:
        line, column, message = syntax_position(oxigraph_message)
    else:
        line, column, message = located
    return QueryError(f"SPARQL syntax error: {message}", file=file, line=line, column=column)


def rdflib_syntax_error(query: str) -> tuple[int | None, int | None, str] | None:
    """(line, column, message) of rdflib's SPARQL parser's complaint about ``query``, or None if it parses."""
    import re

    try:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql.parser import parseQuery
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return None
    try:
        parseQuery(query)
    except ParseBaseException as exc:
        message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", str(exc)).strip().splitlines()[0]
        return exc.lineno, exc.col, message
    except Exception:  # rdflib's own errors carry no position
        return None
    return None


def select_rdflib(project: Project, query: str, *, bindings: Mapping[str, Term], file: str,
                  allow_service: bool = False) -> Rows:
    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    from kgbuild.federation import refuse_service
    from kgbuild.sources import load_sources

    located = rdflib_syntax_error(query)
    if located is not None:
        line, column, message = located
        raise QueryError(f"SPARQL syntax error: {message}", file=file, line=line, column=column)
    try:
        prepared = prepareQuery(query)
    except Exception as exc:  # rdflib raises bare exceptions for ill-formed queries
        raise QueryError(f"SPARQL error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=file) from exc
    refuse_service(query, file=file, allowed=allow_service, algebra=prepared.algebra)
    graph = load_sources(project).graph
    init = {name: _to_rdflib(term) for name, term in bindings.items()}
    try:
        result = graph.query(prepared, initBindings=init)
    except Exception as exc:  # rdflib raises pyparsing and bare exceptions
        raise QueryError(f"query failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=file) from exc
    if result.type != "SELECT":
        raise QueryError("only SELECT queries can be run", file=file)
    variables = tuple(str(variable) for variable in result.vars or ())
    try:
        rows = tuple(tuple(_from_rdflib(row[name], rdflib) for name in variables) for row in result)  # type: ignore[index]
    except Exception as exc:  # rdflib evaluates lazily; a SERVICE endpoint's failure surfaces here
        raise QueryError(f"query failed: {_first_line(exc)}", file=file) from exc
    return Rows(variables=variables, rows=rows)


def _to_ox(term: Term):
    import pyoxigraph as ox

    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))


def _from_ox(node) -> Term | None:
    import pyoxigraph as ox

    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term.iri(node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    return Term.literal(node.value, datatype=None if node.language else node.datatype.value, lang=node.language)


def _to_rdflib(term: Term):
    import rdflib

    if term.kind == "uri":
        return rdflib.URIRef(term.value)
    if term.kind == "bnode":
        return rdflib.BNode(term.value)
    if term.lang:
        return rdflib.Literal(term.value, lang=term.lang)
    if term.datatype == XSD_STRING:
        # rdflib parses "text" as a literal without datatype and does not match it with "text"^^xsd:string
        # (the same term in RDF 1.1), so a string parameter must be bound as the plain form to find anything.
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype))


def _from_rdflib(node, rdflib) -> Term | None:
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return Term.iri(str(node))
    if isinstance(node, rdflib.BNode):
        return Term("bnode", str(node))
    datatype = None if node.language else str(node.datatype) if node.datatype else None
    return Term.literal(str(node), datatype=datatype, lang=node.language)
