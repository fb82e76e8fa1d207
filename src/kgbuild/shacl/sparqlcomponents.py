"""SPARQL-based constraint components (SHACL 6), and ``$PATH`` in the SPARQL of property shapes (SHACL 5.3.1).

A shapes graph may declare its own constraint components: an instance of ``sh:ConstraintComponent`` (or of a
subclass) with parameters (``sh:parameter``, each naming its property by ``sh:path``, some ``sh:optional``)
and validators: ``sh:validator`` (an ASK query, SHACL 6.3.1), ``sh:nodeValidator`` / ``sh:propertyValidator``
(a SELECT query, 6.3.2). A shape that has a value for every non-optional parameter uses the component: the
validator runs with ``$this``, the parameters (each ``$name``, the local name of its property) and, for an
ASK validator, ``$value`` pre-bound. A shape with several values for a parameter uses it once per combination.

Here: the declarations read, a shape's uses checked up front (``uses``; a problem names the shape and the
component), and the text the evaluator runs:

- an ASK validator runs once over all focus nodes and values, as ``FILTER NOT EXISTS { its group }`` after a
  group binding ``?this``, ``?value`` and the parameters (a ``VALUES`` row of RDF terms, serialised by
  ``text.term`` — never pasted as text): SPARQL substitutes the outer bindings into an EXISTS pattern, which
  is SHACL's pre-binding, in nested groups too (``ask_query``);
- a SELECT validator runs as an ``sh:sparql`` constraint does (joined with the focus nodes), its parameters a
  ``VALUES`` row at the start of its outer group (``select_text``);
- ``$PATH`` (``?PATH``) in a SELECT is replaced by the property shape's path as SPARQL property-path syntax
  (``substitute_path``); in a node shape it is refused.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.errors import InputError, QueryError
from kgbuild.shacl.sparqlrules import forbidden
from kgbuild.shacl.text import show, term
from kgbuild.sparqltext import outer_group_start, tokens

# variables a parameter may not be named after: SHACL pre-binds them itself (6.2.1)
RESERVED = frozenset({"this", "shapesGraph", "currentShape", "value", "PATH"})
# pre-bound variables the engine has no value for
_UNBOUND = ("shapesGraph", "currentShape")

_VARNAME = re.compile(r"[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00B7\u00C0-\uFFFF]*")
_LOCAL_NAME = re.compile(r"[A-Za-z_\u00C0-\uFFFF][-.A-Za-z0-9_\u00B7\u00C0-\uFFFF]*$")
_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')


@dataclass(frozen=True)
class Parameter:
    path: Node  # the property whose values a shape gives (an IRI in a usable declaration)
    node: Node  # the sh:parameter node
    optional: bool


@dataclass(frozen=True)
class Declared:
    """A constraint component the shapes graph declares (outside SHACL's namespace)."""

    node: Node
    parameters: tuple[Parameter, ...]


@dataclass(frozen=True)
class Use:
    """A shape's use of a SPARQL-based constraint component: the validator that runs, with one value per
    parameter the shape gives (optional ones it does not give stay unbound)."""

    component: URIRef
    validator: Node
    ask: bool  # an ASK validator (sh:validator), else a SELECT one (sh:nodeValidator / sh:propertyValidator)
    text: str  # the validator's query, $PATH replaced by the shape's path
    bindings: tuple[tuple[str, Node], ...]  # (parameter name, value), sorted by name
    messages: tuple[Literal, ...]  # the validator's sh:message, else the component's

    @property
    def prebound(self) -> frozenset[str]:
        return frozenset({"this", *(("value",) if self.ask else ()), *(name for name, _ in self.bindings)})

    def values(self) -> str:
        """The parameters as one VALUES row (empty when none is bound)."""
        if not self.bindings:
            return ""
        names = " ".join(f"?{name}" for name, _ in self.bindings)
        return f"VALUES ({names}) {{ ({' '.join(term(value) for _, value in self.bindings)}) }}"


def declared_components(graph: Graph) -> dict[Node, Declared]:
    """The constraint components the shapes graph declares: its instances of sh:ConstraintComponent or a
    subclass, outside SHACL's namespace (a copy of SHACL's vocabulary declares SHACL's own components: those the
    engine supports are its table's)."""
    kinds = set(graph.transitive_subjects(RDFS.subClassOf, SH.ConstraintComponent))
    found: dict[Node, Declared] = {}
    for component in sorted({c for kind in kinds for c in graph.subjects(RDF.type, kind)}, key=str):
        if str(component).startswith(str(SH)):
            continue
        parameters: list[Parameter] = []
        for node in sorted(graph.objects(component, SH.parameter), key=str):
            optional = (node, SH.optional, Literal(True)) in graph
            paths = list(graph.objects(node, SH.path)) or [node]  # no sh:path: refused where it is used
            parameters.extend(Parameter(path=path, node=node, optional=optional) for path in paths)
        found[component] = Declared(node=component, parameters=tuple(parameters))
    return found


def uses(graph: Graph, shape_node: Node, shape_name: str, path_text: str | None,
         components: dict[Node, Declared]) -> list[Use]:
    """The SPARQL-based constraint components the shape uses, checked: ``InputError`` naming the shape (by
    ``shape_name``) and the component for a declaration or a parameter value the engine cannot run.

    ``path_text``: the shape's path as SPARQL (a property shape), or None (a node shape)."""
    has_path = path_text is not None
    found: list[Use] = []
    for declared in components.values():
        given = {p.path: sorted(graph.objects(shape_node, p.path), key=str) for p in declared.parameters}
        if not any(given.values()):
            continue
        where = f"{shape_name} → {show(declared.node, graph)}"
        mandatory = [p for p in declared.parameters if not p.optional]
        _check_declaration(graph, declared, mandatory, where)
        if not all(given[p.path] for p in mandatory):
            continue  # SHACL 6.2: a shape uses a component only with values for all its non-optional parameters
        validator, ask = _validator(graph, declared, has_path, where)
        text = _query_text(graph, validator, ask, where)
        messages = tuple(m for m in graph.objects(validator, SH.message) if isinstance(m, Literal)) or tuple(
            m for m in graph.objects(declared.node, SH.message) if isinstance(m, Literal))
        names = {p.path: _name(p.path) for p in declared.parameters}
        bound = sorted((p for p in declared.parameters if given[p.path]), key=lambda p: names[p.path])
        for parameter in bound:
            for value in given[parameter.path]:
                problem = _unusable(value, graph)
                if problem:
                    raise InputError(f"{where} → parameter {show(parameter.path, graph)}: {problem}")
        prebound = frozenset({"this", *(("value",) if ask else ()), *(names[p.path] for p in bound)})
        construct = forbidden(text, prebound)
        if construct:
            raise InputError(f"{where}: its validator uses {construct}, which SHACL forbids in a query with "
                             "pre-bound variables (SHACL 5.2.1)")
        if path_text is not None:
            text = substitute_path(text, path_text)
        elif mentions(text, "PATH"):
            raise InputError(f"{where}: its validator uses $PATH, which only a property shape has (SHACL 6.3.2)")
        for combination in itertools.product(*(given[p.path] for p in bound)):
            found.append(Use(
                component=declared.node,  # type: ignore[arg-type]  # an IRI (checked)
                validator=validator, ask=ask, text=text,
                bindings=tuple((names[p.path], value) for p, value in zip(bound, combination)),
                messages=messages,
            ))
    return found


def _check_declaration(graph: Graph, declared: Declared, mandatory: list[Parameter], where: str) -> None:
    if not isinstance(declared.node, URIRef):
        raise InputError(f"{where}: a constraint component needs an IRI (the report names it)")
    if not mandatory:
        raise InputError(f"{where}: a constraint component needs a parameter that is not sh:optional (SHACL 6.2.1)")
    seen: dict[str, Node] = {}
    for parameter in declared.parameters:
        if (parameter.node, SH.path, None) not in graph:
            raise InputError(f"{where}: a parameter has no sh:path (the property a shape gives its value with)")
        if len(list(graph.objects(parameter.node, SH.path))) > 1:
            raise InputError(f"{where}: a parameter has several values of sh:path")
        if not isinstance(parameter.path, URIRef):
            raise InputError(f"{where}: a parameter's sh:path {show(parameter.path, graph)} is not an IRI")
        name = _name(parameter.path)
        if not name or not _VARNAME.fullmatch(name):
            raise InputError(f"{where}: the parameter {show(parameter.path, graph)} has no local name that is a "
                             "SPARQL variable name (its pre-bound variable)")
        if name in RESERVED:
            raise InputError(f"{where}: the parameter {show(parameter.path, graph)} is named ${name}, a variable "
                             "SHACL pre-binds itself (SHACL 6.2.1)")
        if name in seen and seen[name] != parameter.path:
            raise InputError(f"{where}: the parameters {show(seen[name], graph)} and {show(parameter.path, graph)} "
                             f"have the same name ${name}")
        seen[name] = parameter.path


def _name(path: Node) -> str:
    """A parameter's name: the local name of its property (the longest NCName ending its IRI, SHACL 6.2.1)."""
    match = _LOCAL_NAME.search(str(path))
    if match is None:
        return ""
    return match.group().lstrip("-.0123456789")


def _validator(graph: Graph, declared: Declared, has_path: bool, where: str) -> tuple[Node, bool]:
    """The validator SHACL 6.3 picks for a property shape (``has_path``) or a node shape, and whether it is an
    ASK validator."""
    specific = SH.propertyValidator if has_path else SH.nodeValidator
    for predicate, ask in ((specific, False), (SH.validator, True)):
        validators = sorted(graph.objects(declared.node, predicate), key=str)
        if len(validators) > 1:
            raise InputError(f"{where}: several values of {show(predicate, graph)}; kgbuild's SHACL engine needs "
                             "one to know which to run")
        if validators:
            return validators[0], ask
    kind = "property shape" if has_path else "node shape"
    raise InputError(f"{where}: the component has no validator for a {kind} ({show(specific, graph)}, or "
                     "sh:validator with an ASK query), so it cannot be checked (SHACL 6.3)")


def _query_text(graph: Graph, validator: Node, ask: bool, where: str) -> str:
    if (validator, SH.jsFunctionName, None) in graph:
        raise InputError(f"{where}: a SHACL-JS validator (sh:jsFunctionName), which kgbuild's SHACL engine does not "
                         "support")
    key, kind = (SH.ask, "an ASK query (sh:ask)") if ask else (SH.select, "a SELECT query (sh:select)")
    texts = list(graph.objects(validator, key))
    if len(texts) != 1 or not isinstance(texts[0], Literal) or texts[0].datatype not in (None, XSD.string):
        raise InputError(f"{where}: its validator needs one string, {kind}")
    text = str(texts[0])
    for name in _UNBOUND:
        if mentions(text, name):
            raise InputError(f"{where}: its validator uses the pre-bound variable ${name}, which kgbuild's SHACL "
                             "engine does not support")
    if ask:
        try:
            ask_parts(text)
        except QueryError as exc:
            raise InputError(f"{where}: its ASK validator: {exc.message}") from None
    return text


def _unusable(value: Node, graph: Graph) -> str | None:
    """Why a parameter value cannot be pre-bound as an RDF term in a query, or None."""
    if isinstance(value, BNode):
        return "a blank node cannot be pre-bound (a query names IRIs and literals only)"
    iris = [str(value)] if isinstance(value, URIRef) else (
        [str(value.datatype)] if isinstance(value, Literal) and value.datatype is not None else [])
    for iri in iris:
        bad = _IRI_FORBIDDEN.search(iri)
        if bad:  # not shown as a term: rdflib refuses to write such an IRI
            return f"the IRI {iri!r} holds {bad.group()!r}, which an IRI may not"
    if isinstance(value, Literal) and value.language and not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*",
                                                                          value.language):
        return f"{show(value, graph)} has no well-formed language tag"
    return None


# --- query text ----------------------------------------------------------------------------------------------

# the variable as a word, or as a part of one between the '.'s that end triples ("?x.$PATH"): the tokens split no '.'
_PART = r"(?:(?<=^)|(?<=\.))[?$]{name}(?=$|\.)"


def mentions(text: str, name: str) -> bool:
    """Whether the query uses the variable ``$name`` / ``?name`` (strings, IRIs, comments skipped)."""
    part = re.compile(_PART.format(name=re.escape(name)))
    try:
        return any(t.kind == "word" and part.search(t.text) for t in tokens(text))
    except QueryError:  # a string never closed: the store rejects the query; look at the text as it is
        return ("$" + name) in text or ("?" + name) in text


def substitute_path(text: str, path_text: str) -> str:
    """The query with each ``$PATH`` / ``?PATH`` replaced by ``path_text`` (SPARQL property-path syntax, made by
    kgbuild from the shapes graph, SHACL 5.3.1). Strings, IRIs and comments are left as they are."""
    part = re.compile(_PART.format(name="PATH"))
    out: list[str] = []
    at = 0
    for token in tokens(text):
        if token.kind == "word" and part.search(token.text):
            out.append(text[at:token.start])
            out.append(part.sub(lambda _m: f" {path_text} ", token.text))
            at = token.end
    out.append(text[at:])
    return "".join(out)


def ask_parts(text: str) -> tuple[str, str]:
    """``(prologue, group)`` of an ASK query: its PREFIX/BASE declarations, and its WHERE group with the braces.

    ``QueryError`` for anything else around them (a dataset clause, a trailing VALUES, not an ASK)."""
    start = outer_group_start(text)
    words = list(tokens(text[:start]))
    ask_at = next((i for i, t in enumerate(words) if t.kind == "word" and t.text.upper() == "ASK"), None)
    if ask_at is None:
        raise QueryError("it is not an ASK query")
    after = [t.text.upper() for t in words[ask_at + 1:]]
    if after not in ([], ["WHERE"]):
        raise QueryError(f"{' '.join(t.text for t in words[ask_at + 1:])} after ASK, which kgbuild's SHACL engine "
                         "does not support (a dataset clause: the data graph is the one validated)")
    end = _group_end(text, start)
    rest = [t.text for t in tokens(text[end:])]
    if rest:
        raise QueryError(f"{rest[0]} after its WHERE group, which kgbuild's SHACL engine does not support")
    return text[:words[ask_at].start], text[start:end]


def _group_end(text: str, start: int) -> int:
    level = 0
    for token in tokens(text[start:]):
        if token.kind == "punct" and token.text == "{":
            level += 1
        elif token.kind == "punct" and token.text == "}":
            level -= 1
            if level == 0:
                return start + token.end
    raise QueryError("a '{' is never closed")


def ask_query(use: Use, *, head: str, f: str, v: str, focus_values: str) -> str:
    """A SELECT of the (?this, ?value) pairs for which the ASK validator answers false: ``focus_values`` (a
    group pattern binding the focus ``f`` and value ``v``) projected to ?this and ?value, the parameters as a
    VALUES row, and the ASK's group in a FILTER NOT EXISTS, where SPARQL substitutes them all."""
    prologue, group = ask_parts(use.text)
    this = f if f == "?this" else f"({f} AS ?this)"
    value = v if v == "?value" else f"({v} AS ?value)"
    return (f"{head}{prologue}SELECT DISTINCT ?this ?value WHERE {{ "
            f"{{ SELECT DISTINCT {this} {value} WHERE {{ {focus_values} }} }} {use.values()} "
            f"FILTER NOT EXISTS {group} }}")


def select_text(use: Use) -> str:
    """A SELECT validator's query as a SPARQL constraint's: the parameters a VALUES row at the start of its
    outer group (joined there, as ``$this`` is)."""
    text = use.text
    values = use.values()
    if not values:
        return text
    at = outer_group_start(text) + 1
    return text[:at] + " " + values + " " + text[at:]
