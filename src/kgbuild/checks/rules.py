"""The rule catalogue: every rule id kgbuild's own checks report, with its severity, title and description.

A finding's ``rule`` is one of these ids, except for SHACL findings, whose rule id is the name of the project's
shape that found them. The catalogue is data: the checks take their rules' severities from it, ``kgbuild validate
--list-rules`` prints it, and the table of docs/contributing-data.md is tested against ``markdown_table``.
``applies`` says which pipelines report the rule: ``build`` (``kgbuild build`` and ``kgbuild validate`` on the
project) and ``contribution`` (``kgbuild validate FILES``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kgbuild.findings import severity_rank

BUILD = "build"
CONTRIBUTION = "contribution"
BOTH = (BUILD, CONTRIBUTION)


@dataclass(frozen=True)
class Rule:
    """One rule: ``id`` as in findings, ``title`` (what it finds, in a line), ``description`` (the docs' text)."""

    id: str
    severity: str
    title: str
    description: str
    applies: tuple[str, ...]

    def __post_init__(self) -> None:
        severity_rank(self.severity)  # a ValueError for an unknown severity
        if not self.applies or set(self.applies) - set(BOTH):
            raise ValueError(f"rule {self.id}: applies must name {BUILD!r} and/or {CONTRIBUTION!r}")

    def to_dict(self) -> dict[str, str | list[str]]:
        """The JSON form of ``kgbuild validate --list-rules --format json``."""
        return {"id": self.id, "severity": self.severity, "title": self.title, "description": self.description,
                "applies": list(self.applies)}


_CATALOGUE = (
    # --- reading a contribution's files
    Rule("not-utf8", "violation", "the file is not valid UTF-8",
         "the file is not valid UTF-8 (line and column of the first bad byte)", (CONTRIBUTION,)),
    Rule("not-rdf", "violation", "the file is not RDF in the format its name says (nothing in it parses)",
         "the file is not RDF at all in the format its name says (e.g. notes, a binary file)", (CONTRIBUTION,)),
    Rule("syntax-error", "violation", "a syntax error, with line and column",
         "a syntax error, with line and column; every error of the file is listed", (CONTRIBUTION,)),
    Rule("token-too-long", "violation", "a literal, IRI or comment longer than the parser reads (16 MiB)",
         "a single literal, IRI or comment longer than 16 MiB (16,777,216 bytes), the most the RDF parser reads; "
         "the file is left out of the other checks", (CONTRIBUTION,)),
    Rule("remote-context", "violation", "a JSON-LD @context given by URL (never fetched; write it inline)",
         "a JSON-LD `@context` given by URL: contexts are never fetched, write it inline", (CONTRIBUTION,)),
    Rule("empty-file", "violation", "the file holds no triples", "the file holds no triples", (CONTRIBUTION,)),
    Rule("named-graph", "warning", "triples in named graphs (TriG, N-Quads, JSON-LD @graph with @id): checked and "
         "merged as plain triples, the graph names are not kept",
         "the file puts triples in named graphs (TriG, N-Quads, JSON-LD `@graph` under a top-level `@id`); names "
         "the graphs. Every quad's triple is checked like any other, but the graph names are not kept: the "
         "project's graph is one default graph", (CONTRIBUTION,)),
    # --- vocabulary and the existing graph
    Rule("unknown-property", "violation", "a property the ontology does not define (with the nearest defined one)",
         "a property the ontology does not define, with the nearest defined one (\"did you mean "
         "ppd:performedBy?\")", (CONTRIBUTION,)),
    Rule("unknown-class", "violation", "a class the ontology does not define (with the nearest defined one)",
         "a class the ontology does not define, with the nearest defined one", (CONTRIBUTION,)),
    Rule("literal-for-resource", "violation", "a literal where the property needs a resource (an object property)",
         "a literal as the value of an object property (or of `rdf:type`)", (CONTRIBUTION,)),
    Rule("resource-for-literal", "violation", "a resource where the property needs a literal (a datatype property)",
         "a resource as the value of a datatype property", (CONTRIBUTION,)),
    Rule("dangling-reference", "violation", "an IRI in the project's namespace that nothing describes",
         "an IRI under `https://w3id.org/ppdkg/` that neither the graph nor the contribution describes, with the "
         "nearest existing IRI", (CONTRIBUTION,)),
    Rule("redefines-ontology-term", "violation", "a statement about a class, property or concept of the ontology",
         "a statement about a class, property or concept of the ontology (`ontology/*.ttl`)", (CONTRIBUTION,)),
    Rule("defines-ontology-term", "violation", "a new class or property, or a schema axiom, in data",
         "a new class or property, a schema axiom (`rdfs:subClassOf`, `rdfs:domain`, ...) or `owl:imports` in "
         "data", (CONTRIBUTION,)),
    Rule("conflicting-value", "violation", "another value for a single-valued property the graph already gives",
         "another value for a single-valued property (declared `owl:FunctionalProperty`, or `sh:maxCount 1` in a "
         "shape) of an existing resource; the message lists both values and the source texts of each",
         (CONTRIBUTION,)),
    Rule("possible-duplicate", "warning", "a new agent whose name matches an existing one (also transliterated, in "
         "another script or word order)",
         "a new agent whose name matches an existing one's, also across transliterations (Kolesnikova ↔ "
         "Kalesnikava, Byalyatski ↔ Bialiatski), scripts (\"Александр Лукашенко\" ↔ Alexander Lukashenko), word "
         "order (\"Lukashenko, Alexander\") and small spelling differences (Cole ↔ Coale); names the existing IRI "
         "and label", (CONTRIBUTION,)),
    # --- quotes and the facts they state
    Rule("quote-not-in-source", "violation", "a quote not found in its source's archived text",
         "a quote not found in its source's archived text (says how much of it matches)", BOTH),
    Rule("quote-shares-no-word-with-value", "warning", "a stated fact whose quote shares no word with the value's "
         "names or the literal (probably stated by another passage)",
         "a fact a passage of the contribution is said to state (`ppd:states`) whose value the quote does not "
         "name: no word shared with the value's names or the literal (see \"Say which facts the passage "
         "states\"); `kgbuild build` and `kgbuild validate` warn of the same in the project itself", BOTH),
    Rule("source-text-missing", "violation", "a quoted source without an archived text file",
         "a quoted source whose archived text file does not exist", BOTH),
    # --- language tags
    Rule("malformed-language-tag", "violation", "a JSON-LD language tag that is not well-formed BCP 47 (JSON-LD "
         "drops the literals it tags)",
         "a JSON-LD `\"@language\"` that is not a well-formed BCP 47 tag (`\"en_GB\"`): JSON-LD would drop every "
         "literal it tags without a word (in Turtle it is a `syntax-error`)", (CONTRIBUTION,)),
    Rule("unregistered-language", "warning", "a language tag whose language is not in the IANA registry (with the "
         "likely intended tag)",
         "a language tag whose primary language is not in the IANA language subtag registry (BCP 47), with the "
         "likely intended tag: `@by` is Belarus's region code, so probably `@be` (Belarusian); `@eng` is `@en`. "
         "`kgbuild build` and `kgbuild validate` warn of the same in the project itself", BOTH),
    Rule("source-text-outside-sources", "violation", "a source text path outside the sources folder (never read)",
         "a quoted source whose text file is an absolute path or resolves (symbolic links followed) outside the "
         "sources folder; nothing is read (see below)", BOTH),
    Rule("source-text-unusable", "violation", "a source text that is not a regular UTF-8 file within the size limit",
         "a quoted source whose text file is not a regular file (a directory, a FIFO, a device), is larger than "
         "8 MiB (8,388,608 bytes), or is not UTF-8", BOTH),
    # --- the stored-query catalogue (kgbuild.queries.catalogue.check_catalogue)
    Rule("query-header", "violation", "a stored query's header is unusable",
         "unreadable file, unknown key, malformed param line or type, a default not of its type, no title",
         (BUILD,)),
    Rule("query-syntax", "violation", "a stored query does not parse, or is not a SELECT",
         "rdflib's or Oxigraph's parser rejects it, or not a SELECT", (BUILD,)),
    Rule("query-duplicate-name", "violation", "two stored queries have the same name",
         "two files with the same name in different folders", (BUILD,)),
    Rule("query-parameter-unused", "violation", "a declared parameter's variable is not in the query",
         "a declared parameter's variable is not in the query", (BUILD,)),
    Rule("query-parameter-not-projected", "violation", "a parameter not selected by the outermost SELECT",
         "a declared parameter's variable is not selected by the outermost SELECT", (BUILD,)),
    Rule("query-parameter-not-in-outer-group", "violation", "a parameter not used in the outermost group pattern",
         "a declared parameter's variable is used only inside a sub-SELECT, or only after the WHERE clause",
         (BUILD,)),
    Rule("question-without-query", "violation", "a competency question that no stored query answers",
         "a question id of `[catalogue] questions` that no query's `answers` names", (BUILD,)),
    Rule("query-answers-unknown-question", "violation", "a query answers a question id that is not a question",
         "`answers` names an id that is not in the questions file", (BUILD,)),
    Rule("question-list-unreadable", "violation", "the questions file cannot be read",
         "the file of `[catalogue] questions` cannot be read", (BUILD,)),
    Rule("query-calls-service", "warning", "a stored query calls SPARQL SERVICE",
         "the query calls SPARQL SERVICE: it sends requests when run, and `kgbuild query` refuses it without "
         "`--allow-service`", (BUILD,)),
)

RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _CATALOGUE})
assert len(RULES) == len(_CATALOGUE), "a rule id is catalogued twice"


def rule(rule_id: str) -> Rule:
    """The catalogued rule ``rule_id``; a KeyError names an uncatalogued one (a programming error)."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"rule {rule_id!r} is not in the rule catalogue (kgbuild.checks.rules)") from None


def rules_for(pipeline: str) -> tuple[Rule, ...]:
    """The rules ``pipeline`` (``BUILD`` or ``CONTRIBUTION``) reports, in catalogue order."""
    return tuple(r for r in _CATALOGUE if pipeline in r.applies)


def markdown_table(rules: tuple[Rule, ...]) -> str:
    """The rules as the Markdown table of the docs (rule, severity, description)."""
    lines = ["| rule | severity | finds |", "|---|---|---|"]
    lines.extend(f"| `{r.id}` | {r.severity} | {r.description} |" for r in rules)
    return "\n".join(lines) + "\n"


def text_listing(rules: tuple[Rule, ...]) -> str:
    """One line per rule: id, severity, where it applies, title (``kgbuild validate --list-rules``)."""
    width = max(len(r.id) for r in rules)
    return "".join(f"{r.id:<{width}}  {r.severity:<9}  {'+'.join(r.applies):<18}  {r.title}\n" for r in rules)
