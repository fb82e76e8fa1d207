"""Language tags: what is wrong with one (``language_tag_problem``, shared by the contribution check), and the
``unregistered-language`` check of a whole graph (``LanguageTagCheck``) and of a contribution
(``ContributionLanguageCheck``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kgbuild.checks.base import GraphContext, worst_severity
from kgbuild.checks.rules import rule
from kgbuild.findings import Finding
from kgbuild.locate import Locator

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution

RULE_UNREGISTERED = "unregistered-language"


class LanguageTagCheck:
    """``unregistered-language`` warnings for the language tags of the graph (two queries)."""

    id = "language-tags"
    title = "language tags whose language is not in the IANA registry"
    rules = (RULE_UNREGISTERED,)
    reads = "the graph's language tags (a query), and the literals of a wrong tag"
    severity = worst_severity(rules)

    def run(self, context: GraphContext) -> list[Finding]:
        return language_tag_findings_of(lambda text: context.select(text, "<language-tag check>"),
                                        context=context.neighbourhood, names=context.names, locator=context.locator)


def language_tag_findings_of(select: Callable[[str], Iterable[Any]], *, context: Callable[[list], Any],
                             names, locator: Locator) -> list[Finding]:
    """``unregistered-language`` warnings from the rows ``select`` gives for two queries (the embedded store's,
    or an endpoint's): one for the distinct language tags of the graph; the literals of a tag are asked for
    only when the tag is wrong. ``context(nodes)``: a graph naming the literals' subjects."""
    from kgbuild.backends.convert import from_ox
    from kgbuild.sparqltext import values_column
    from kgbuild.terms import describe

    tags = [row["lang"].value for row in select(
        'SELECT DISTINCT (LANG(?o) AS ?lang) WHERE { ?s ?p ?o FILTER (LANG(?o) != "") }')]
    problems = {tag: problem for tag in sorted(tags) if (problem := language_tag_problem(tag)) is not None}
    if not problems:
        return []
    values = values_column("lang", map(ox.Literal, problems))  # terms, escaped: a tag may be anything
    rows = [(row["s"], row["p"], row["o"]) for row in select(
        f"SELECT ?s ?p ?o WHERE {{ {values} ?s ?p ?o FILTER (LANG(?o) = ?lang) }}")]
    graph = context([from_ox(s) for s, _, _ in rows])
    findings = []
    for s, p, o in rows:
        message, suggestion = problems[o.language]
        where = locator.text(o.value) or (locator.subject(s.value) if isinstance(s, ox.NamedNode) else None)
        findings.append(Finding(
            severity=rule(RULE_UNREGISTERED).severity, rule=RULE_UNREGISTERED, message=message,
            focus=s.value if isinstance(s, ox.NamedNode) else None,
            focus_label=describe(graph, from_ox(s), names),
            path=names.iri(p.value), value=names.short(from_ox(o)),
            file=where.file if where else None, line=where.line if where else None,
            hint=f"Write the literal as \"...\"@{suggestion}." if suggestion else
            "Use a language tag from the IANA language subtag registry (BCP 47), e.g. @en, @be, @ru, @uk.",
        ))
    return findings



@functools.lru_cache(maxsize=256)
def language_tag_problem(tag: str) -> tuple[str, str | None] | None:
    """What is wrong with a language tag, and the tag likely meant (or None); None when it is fine.

    A tag must be well-formed BCP 47 (RFC 5646) and its primary language
    subtag registered (IANA language subtag registry, as shipped by
    ``langcodes``; private-use tags, ``x-...``, are fine). The likely intended
    tag is, in this order: the registry's own replacement (an ISO 639-2 code
    such as ``eng`` for ``en``, a grandfathered tag such as ``i-klingon``); or,
    when the subtag is a region code instead (``by`` is Belarus, ``ua``
    Ukraine, ``jp`` Japan), the region's most likely language from CLDR's
    likely-subtags data (``und-BY`` is ``be``). A subtag that is both a
    language and a region (``se``: Northern Sami, and Sweden) is a language.
    """
    import langcodes

    try:
        written = langcodes.Language.get(tag, normalize=False)
        normal = langcodes.Language.get(tag)
    except (langcodes.LanguageTagError, ValueError):
        return f"@{tag} is not a well-formed language tag (BCP 47)", None
    primary = written.language
    if primary is None or primary.startswith("x-") or langcodes.Language.make(language=primary).is_valid():
        return None
    if "-" in primary:  # a grandfathered whole tag (i-klingon, zh-min-nan): registered, deprecated
        message = f"@{tag}: \"{primary}\" is a deprecated tag of the IANA language subtag registry"
    else:
        message = f"@{tag}: \"{primary}\" is not a language of the IANA language subtag registry"
    suggestion = None
    if normal.language and normal.language != primary and normal.is_valid():
        suggestion = normal.to_tag().lower()
    elif len(primary) == 2 and primary.isalpha():
        language = _region_language(primary.upper())
        if language is not None:
            message += f" ({primary.upper()} is the region code of {_registry_name('region', primary)})"
            rest = tag[len(primary):]
            suggestion = language + rest
    if suggestion is not None:
        name = _registry_name("language", langcodes.Language.get(suggestion).language or "")
        message += f"; the likely intended tag is @{suggestion}" + (f" ({name})" if name else "")
    return message, suggestion


def _region_language(region: str) -> str | None:
    """The most likely language of a region (CLDR likely subtags via ``langcodes``), or None."""
    try:
        from langcodes.data_dicts import LIKELY_SUBTAGS
    except ImportError:
        return None
    likely = LIKELY_SUBTAGS.get(f"und-{region}")
    return likely.split("-")[0].lower() if likely else None


@functools.lru_cache(maxsize=1)
def _registry_descriptions() -> dict[tuple[str, str], str]:
    try:
        from langcodes.registry_parser import parse_registry

        return {(entry["Type"], entry["Subtag"].lower()): entry["Description"][0]
                for entry in parse_registry() if "Subtag" in entry and entry.get("Description")}
    except (ImportError, OSError, KeyError, TypeError):
        return {}


def _registry_name(kind: str, subtag: str) -> str | None:
    """The IANA registry's (first) description of a subtag: "Belarusian", "Belarus"."""
    return _registry_descriptions().get((kind, subtag.lower()))


class ContributionLanguageCheck:
    """``unregistered-language`` on each distinct literal of a contribution (a malformed JSON-LD tag is found while
    reading the file: ``malformed-language-tag``)."""

    id = "contribution-language-tags"
    title = LanguageTagCheck.title
    rules = (RULE_UNREGISTERED,)
    reads = "the contribution's literals"
    severity = worst_severity(rules)

    def run(self, c: Contribution) -> list[Finding]:
        out = []
        for source, s, p, o in c.distinct_triples():
            if isinstance(o, ox.Literal) and o.language:
                problem = language_tag_problem(o.language)
                if problem is not None:
                    message, suggestion = problem
                    out.append(c.finding(
                        RULE_UNREGISTERED, source, s, p, o, message,
                        f"Write the literal as \"...\"@{suggestion}." if suggestion else
                        "Use a language tag from the IANA language subtag registry (BCP 47), e.g. @en, @be, @ru, "
                        "@uk.",
                    ))
        return out
