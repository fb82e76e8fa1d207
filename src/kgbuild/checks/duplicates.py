"""``possible-duplicate``: a new agent whose name matches an existing one's, across transliterations, scripts, word
order and small spelling differences (``fold``, ``name_key``, ``skeleton``); the existing names are kept in a
``NameIndex`` (``kgbuild build`` writes one beside the embedded store)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgbuild.checks.base import worst_severity
from kgbuild.checks.graphreads import select_rows, store_label
from kgbuild.findings import Finding
from kgbuild.project import Project
from kgbuild.rdfio import read_text
from kgbuild.shacl import restricting_pays

if TYPE_CHECKING:
    from kgbuild.checks.contribution import Contribution


class DuplicatesCheck:
    """New agents whose names match existing agents' names."""

    id = "duplicates"
    title = "new agents that may be existing ones under another spelling"
    rules = ("possible-duplicate",)
    reads = "the rows of the [checks] names query (of the existing graph: the name index, when built)"
    severity = worst_severity(rules)

    def run(self, c: Contribution) -> list[Finding]:
        store = c.in_store()
        if c.project.names_query is None:
            return []
        contributed = set(c.subjects)
        new_entities = contributed - c.described_before  # a blank node of the contribution is new by definition
        index = c.name_index
        if index is None:
            index = (c.whole.name_index(c.project, exclude=new_entities) if c.whole is not None
                     else NameIndex.of(names_of(c.project, store, exclude=new_entities)))
        new_names: dict[str, set[str]] = {}
        for row in names_of(c.project, store, only=new_entities):
            new_names.setdefault(row[0], set()).add(row[1])
        out = []
        for entity in sorted(new_names):
            node = ox.NamedNode(entity)
            for other, (name, other_name) in sorted(index.matches(sorted(new_names[entity])).items()):
                if other in new_entities:  # an existing agent the contribution also describes is still one
                    continue
                label = c.whole.label(other) if c.whole is not None else store_label(store, other)
                label = label or other_name
                out.append(c.finding(
                    "possible-duplicate", c.file_of(node), node, "", None,
                    f"“{name}” may be the existing {c.names.iri(other)} (“{label}”"
                    + (f", also known as “{other_name}”)" if other_name != label else ")"),
                    f"If it is the same, use {c.names.iri(other)} instead of a new IRI (and add the new "
                    "spelling as a name with its source); if not, say how they differ in the label.",
                ))
        return out


class NameIndex:
    """The names of existing agents, folded and keyed by skeleton, for duplicate detection.

    ``kgbuild build`` writes it beside the embedded store (``<store>.names.json``)
    so a contribution check does not fold every name of a big graph again.
    """

    SIMILARITY = 88  # rapidfuzz ratio of folded names counted as a match

    VERSION = 3  # of the entries' form; an index file of another version is not used

    def __init__(self, entries: Sequence[tuple[str, str, str, str]]) -> None:
        self.entries = list(entries)  # (name_key of the folded name, its skeleton key, entity, name), sorted
        self.by_skeleton: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            self.by_skeleton.setdefault(entry[1], []).append(position)
        self.folded = [entry[0] for entry in self.entries]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str]]) -> NameIndex:
        """Names in any script and word order: transliterated and folded (``fold``), words sorted (``name_key``)."""
        folded = {(fold(name), entity, name) for entity, name in rows}
        return cls(sorted((name_key(f), name_key(skeleton(f)), entity, name) for f, entity, name in folded if f))

    def matches(self, names: Sequence[str]) -> dict[str, tuple[str, str]]:
        """existing entity -> (the new name, the existing name it matches)."""
        from rapidfuzz import fuzz, process

        found: dict[str, tuple[str, str]] = {}
        for name in names:
            folded = name_key(fold(name))
            if not folded:
                continue
            hits = list(self.by_skeleton.get(name_key(skeleton(folded)), []))
            if self.folded:
                hits += [index for _, _, index in process.extract(
                    folded, self.folded, scorer=fuzz.ratio, score_cutoff=self.SIMILARITY, limit=5)]
            for position in hits:
                _, _, entity, existing = self.entries[position]
                found.setdefault(entity, (name, existing))
        return found

    def to_json(self, inputs: dict[str, str]) -> str:
        import json

        return json.dumps({"version": self.VERSION, "inputs": inputs, "names": self.entries}, ensure_ascii=False)

    @classmethod
    def load(cls, project: Project, inputs: dict[str, str]) -> NameIndex | None:
        """The project's index (beside its store) if it was made from these inputs, else None."""
        from kgbuild.workspace.sidecars import NAME_INDEX, read_sidecar

        data = read_sidecar(project, NAME_INDEX)
        if not isinstance(data, dict) or data.get("version") != cls.VERSION or data.get("inputs") != inputs:
            return None
        return cls([tuple(entry) for entry in data.get("names", [])])


def names_of(project: Project, store: ox.Store, *, only: set[str] | None = None,
           exclude: set[str] = frozenset()) -> list[tuple[str, str]]:  # type: ignore[assignment]
    """(entity, name) rows of the names query; ``only`` restricts it to those entities (by VALUES)."""
    from kgbuild.sparqltext import outer_group_start

    assert project.names_query is not None
    file = project.rel(project.names_query)
    text = read_text(project.names_query, file=file)
    if only is not None:
        if not only:
            return []
        if restricting_pays(store, len(only)):  # else: every name, then only theirs (the same rows, sooner)
            at = outer_group_start(text) + 1
            text = text[:at] + " VALUES ?entity { " + " ".join(f"<{e}>" for e in sorted(only)) + " } " + text[at:]
    rows = []
    for row in select_rows(store, text, file):
        entity, name = row.get("entity"), row.get("name")
        if (isinstance(entity, ox.NamedNode) and isinstance(name, ox.Literal) and entity.value not in exclude
                and (only is None or entity.value in only)):
            rows.append((entity.value, name.value))
    return rows


def fold(name: str) -> str:
    """Latin script (any other transliterated), lower case, no diacritics, letters and single spaces only.

    Transliteration is ``anyascii``'s (one reading per character, script by
    script): "Александр Лукашенко" folds to "aleksandr lukashenko",
    "Аляксандр Лукашэнка" to "alyaksandr lukashenka".
    """
    from anyascii import anyascii

    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    latin = anyascii(plain).lower()
    return " ".join(_NOT_LETTER.sub(" ", latin).split())


# compiled once: a big graph's names are folded by the thousand (the name index)
_NOT_LETTER = re.compile(r"[^a-z\s]")
_TS = re.compile(r"t[sz]")
_VOWEL = re.compile(r"[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")


def name_key(folded: str) -> str:
    """The words in sorted order: "lukashenko alexander" and "alexander lukashenko" are one name."""
    return " ".join(sorted(folded.split()))


def skeleton(folded: str) -> str:
    """A transliteration-blind key: per word, its first letter and then its consonants (y counts as a vowel).

    Kolesnikova and Kalesnikava, Byalyatski and Bialiatski, Cole and Coale
    each share one; doubled letters collapse. Two spellings of one sound
    that Latin transliterations of Cyrillic and Greek alternate between are
    written one way first: x as ks (Alexander, Aleksandr), ts and tz as c
    (Bialiatski, Bialiacki).
    """
    words = []
    for word in folded.split():
        word = _TS.sub("c", word.replace("x", "ks"))
        rest = _VOWEL.sub("", word[1:])
        head = word[0]
        key = head + rest
        words.append(_DOUBLED.sub(r"\1", key))
    return " ".join(words)
