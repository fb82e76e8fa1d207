"""Finding SPARQL ``SERVICE`` calls, so that local evaluation never sends a request the user did not ask for.

Both local engines evaluate ``SERVICE <http://…> { … }`` by sending the
inner pattern to that endpoint (pyoxigraph and rdflib alike, and the
``oxigraph serve`` server), and neither can be told not to. So kgbuild
looks for SERVICE before it evaluates any query text — stored queries,
configured check queries, the sample query, the SHACL engine's queries —
and refuses it unless the caller allows it (``kgbuild query --allow-service``).

Two detectors, used together wherever both are at hand:

- ``algebra_calls``: the ``ServiceGraphPattern`` nodes of a query rdflib has
  already parsed (exact for what rdflib evaluates; anywhere: subqueries,
  OPTIONAL, UNION, GRAPH, MINUS, EXISTS in filters or projections).
- ``token_calls``: a lexer, for text Oxigraph evaluates. pyoxigraph exposes
  no algebra and importing rdflib's SPARQL parser would cost ``kgbuild
  query`` its startup time. The lexer skips comments, string literals,
  IRIs, variables, blank-node labels and language tags, and errs towards
  finding a call: Oxigraph's parser matches keywords without a word
  boundary (``SERVICEex:s {…}`` and ``SERVICESILENT<…>`` are calls to it),
  so every word *starting* with SERVICE, in any case, that a ``{`` follows
  within three tokens is taken for one, as is the bare word SERVICE itself.
  ``\\uXXXX`` escapes (which rdflib expands before parsing) are expanded too.

Imports nothing heavy.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kgbuild.errors import ServiceRefusedError
from kgbuild.sparqltext import IRIREF, LANGTAG, string_end

__all__ = ["ServiceCall", "ServiceRefusedError", "algebra_calls", "refuse_service", "refuse_service_in_shapes",
           "token_calls"]

_NUMBER = re.compile(r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|[0-9]+\.[0-9]+|[0-9]+(?:[eE][+-]?[0-9]+)?")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_KEYWORD = "SERVICE"
_LOOKAHEAD = 3  # tokens after a SERVICE-like word within which its group's "{" must open


@dataclass(frozen=True)
class ServiceCall:
    """One SERVICE call: the endpoint as written (an IRI, prefixed name or variable; ``?`` if unknown)
    and the 1-based line of the keyword in the query text (None when only the algebra knows it)."""

    target: str
    line: int | None = None


def refuse_service(
    text: str,
    *,
    file: str | None,
    allowed: bool = False,
    algebra: object | None = None,
    hint: str = "pass --allow-service to let it send them",
    what: str = "the query",
) -> None:
    """Raise ``ServiceRefusedError`` (one line, naming the file, line and endpoint) if ``text`` calls
    SERVICE and ``allowed`` is false. ``algebra``: rdflib's parse of the same text, if there is one."""
    if allowed:
        return
    found = token_calls(text)
    from_algebra = algebra_calls(algebra) if algebra is not None else []
    if not found and not from_algebra:
        return
    call = found[0] if found else from_algebra[0]
    if call.target == "?" and from_algebra:
        call = ServiceCall(from_algebra[0].target, call.line)
    count = max(len(found), len(from_algebra))
    more = f" (and {count - 1} more SERVICE call{'s' if count > 2 else ''})" if count > 1 else ""
    raise ServiceRefusedError(
        f"{what} calls SERVICE {call.target}{more}, which sends requests to that endpoint; "
        f"kgbuild evaluates queries locally and sends none: {hint}",
        file=file,
        line=call.line,
    )


def refuse_service_in_shapes(shapes: object, *, file: str | None = None) -> None:
    """Raise ``ServiceRefusedError`` if a SPARQL text of the shapes graph (``sh:select``, ``sh:ask``,
    ``sh:construct``, ``sh:update`` of constraints, targets, validators, rules) calls SERVICE: either
    SHACL engine (kgbuild's on Oxigraph, pyshacl on rdflib) would send its requests. Names the shape."""
    from rdflib.namespace import SH

    owners_by = (SH.sparql, SH.target, SH.validator, SH.rule)
    for predicate in (SH.select, SH.ask, SH.construct, SH.update):
        for holder, text in sorted(shapes.subject_objects(predicate), key=str):  # type: ignore[attr-defined]
            owners = sorted({owner for via in owners_by for owner in shapes.subjects(via, holder)}, key=str)  # type: ignore[attr-defined]
            node = owners[0] if owners else holder
            name = node.n3(shapes.namespace_manager) if hasattr(node, "n3") else str(node)  # type: ignore[attr-defined]
            refuse_service(str(text), file=file, what=f"shape {name}: its {predicate.n3(shapes.namespace_manager)}",  # type: ignore[attr-defined]
                           hint="a shape may not call SERVICE")


def algebra_calls(algebra: object) -> list[ServiceCall]:
    """The SERVICE calls in an rdflib query algebra (``prepareQuery(text).algebra``), in walk order."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found: list[ServiceCall] = []
    seen: set[int] = set()
    pending: list[object] = [algebra]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                found.append(ServiceCall(term.n3() if hasattr(term, "n3") else "?"))
            pending.extend(reversed(list(node.values())))
        elif isinstance(node, dict):
            pending.extend(reversed(list(node.values())))
        elif isinstance(node, (list, tuple, set, frozenset)):
            pending.extend(reversed(list(node)))
    return found


def token_calls(text: str) -> list[ServiceCall]:
    """The SERVICE calls a lexer finds in ``text`` (and in it with ``\\u`` escapes expanded)."""
    found = _scan(text)
    expanded = _CODEPOINT.sub(_codepoint, text)
    if expanded != text:
        lines = {call.line for call in found}
        found += [call for call in _scan(expanded) if call.line not in lines]
    return found


def _codepoint(match: re.Match) -> str:
    try:
        return chr(int(match.group(1) or match.group(2), 16))
    except ValueError:  # beyond U+10FFFF: no parser accepts it
        return match.group()


def _scan(text: str) -> list[ServiceCall]:
    if _KEYWORD not in text.upper():
        return []  # every call is a word whose upper case holds SERVICE: none here, nothing to lex
    words = list(_words(text))
    newlines = [at for at, char in enumerate(text) if char == "\n"]
    found: list[ServiceCall] = []
    for index, (kind, word, start) in enumerate(words):
        if kind != "word" or _KEYWORD not in word.upper():
            continue
        if index > 0 and words[index - 1][1].upper() == "PREFIX":
            continue  # a prefix declaration ("PREFIX service: <…>") calls nothing
        following = words[index + 1 : index + 1 + _LOOKAHEAD]
        opens = any(token == "{" for _, token, _ in following)
        for offset in _starts(word):
            rest = word[offset:]
            if rest.upper() == _KEYWORD or (rest.upper().startswith(_KEYWORD) and opens):
                found.append(ServiceCall(_target(rest, following), bisect.bisect_left(newlines, start) + 1))
                break
    return found


def _starts(word: str) -> list[int]:
    """Where in a word Oxigraph's parser may start a keyword: its start, after each '.' (``true.SERVICE``,
    ``1.SERVICE``: a term, a dot, then the keyword) and after a leading ``true``/``false`` (its parser
    ends those literals without a word boundary)."""
    starts = [0] + [at + 1 for at, char in enumerate(word) if char == "."]
    for literal in ("true", "false"):
        if word.startswith(literal):
            starts.append(len(literal))
    return starts


def _target(word: str, following: list[tuple[str, str, int]]) -> str:
    rest = word[len(_KEYWORD):]
    if rest.upper().startswith("SILENT"):
        rest = rest[len("SILENT"):]
    if rest:
        return rest
    for kind, token, _ in following:
        if kind == "word" and token.upper() == "SILENT":
            continue
        return token if token != "{" else "?"
    return "?"


def _words(text: str):
    """(kind, text, start) of the significant tokens: ``word`` (keywords, prefixed names), ``other``
    (IRIs, variables, punctuation); comments, strings, blank-node labels and language tags are dropped."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
        elif char in "\"'":
            i = string_end(text, i)[0]  # unclosed: the engines reject the query, read no further
        elif char == "<" and (match := IRIREF.match(text, i)) and ")" not in match.group():
            # an IRI. With a ')' inside it may be a less-than instead ("FILTER(?a<2)SERVICE…#>": Oxigraph reads
            # a comparison, a ')' and then SERVICE), so such a '<' is read as an operator and what follows
            # as query text
            yield "other", match.group(), i
            i = match.end()
        elif char in "?$":
            j = i + 1
            while j < n and _varname_char(text[j]):
                j += 1
            yield "other", text[i:j], i
            i = j
        elif char == "@" and (match := LANGTAG.match(text, i + 1)):
            i = match.end()  # by its grammar: "@en1SERVICE" is a tag, a number, then the keyword
        elif char == "_" and text.startswith("_:", i):
            i = _name_end(text, i + 2)
        elif "0" <= char <= "9":
            end = _NUMBER.match(text, i).end()  # a number ends where its grammar does: 1SERVICE is 1, SERVICE
            yield "other", text[i:end], i
            i = end
        elif char == ":" or _name_char(char):
            j = _name_end(text, i)
            yield "word", text[i:j], i
            i = j
        else:
            yield "other", char, i
            i += 1


def _name_end(text: str, i: int) -> int:
    """End of a keyword, prefixed name or blank-node label from ``i``: name characters, ':', '%',
    backslash escapes and inner dots (a name never ends with '.')."""
    n = len(text)
    j = i
    while j < n:
        char = text[j]
        if char == "\\":
            j += 2
        elif _name_char(char) or char in ":%.":
            j += 1
        else:
            break
    j = min(j, n)
    while j > i and text[j - 1] == ".":
        j -= 1
    return j


def _name_char(char: str) -> bool:
    # every non-ASCII character counts: SPARQL's names take most of them (PN_CHARS_BASE: "、", "〈", "｛" …) and
    # the others are errors anywhere outside strings, IRIs and comments, so reading too many is safe
    return not char.isascii() or char.isalnum() or char in "_-"


def _varname_char(char: str) -> bool:
    return not char.isascii() or char.isalnum() or char == "_"
