"""A synthetic prisoner-diplomacy graph of about N triples, shaped like the real data, for benchmarks.

    python3 benchmarks/synth.py --triples 1000000 --seed 1 -o /tmp/synth [--violations 0.01]

writes a kgbuild project in the output directory: the real project's
kgbuild.toml, ontology/, shapes/, queries/ and docs/, plus data/synthetic.ttl,
data/sources/*.txt and benchmark-params.json (for each stored query that
takes a parameter, a value that finds something in this graph).

The graph is built from *cases* of ten prisoners: each prisoner has a detention, a conviction and a release; each case has a
pardon, an agreement brokered by an envoy (a person holding an envoy post)
with two terms — the prisoners' release and the lifting of a sanction on a
company, each carried out by its event — and claims on the envoy's name
where two sources spell it differently (ranked, so no warning), and on
every third case an unranked disagreement on whether the pardon happened
(a warning, as in the real data). The pardon answers a request of the
sanctioning state, which also led to talks with the envoy; the pardoning
state announces it in a statement; every fifth case has the envoy's
assessment of the deal, and every report one relation between the two
states — so every stored query has rows to return. Every fact is attested by a source
document with a quote that its text contains.

The same seed and size give the same bytes. ``--violations RATE`` breaks
that share of cases on purpose, in rotation: a person without a label, a
quote that is not in its source text, a person count that is not a number,
a release performed by a resource the graph does not define — so validation has something to find. The
generator is a benchmark tool, not part of kgbuild: the knowledge of this
domain stays in the project's files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from kgbuild.checks.stated_facts import shares_a_word  # noqa: E402  (the word-overlap check the quotes must pass)
CASE = 10  # prisoners per case
TRIPLES_PER_CASE = 1270  # measured: one case of ten prisoners, everything attested (claims included), every fact stated
CASES_PER_SOURCE = 20
FIRST = ["Alena", "Ihar", "Maryia", "Pavel", "Volha", "Siarhei", "Tatsiana", "Andrei", "Iryna", "Dzmitry",
         "Natallia", "Aliaksandr", "Hanna", "Mikalai", "Yulia", "Raman", "Sviatlana", "Uladzimir"]
LAST = ["Kavalenka", "Navumchyk", "Ramanchuk", "Tsikhanouski", "Hrynevich", "Lukashevich", "Zhukouskaya",
        "Bialou", "Sakalou", "Marozau", "Pashkevich", "Shvedau", "Karpovich", "Lapitskaya", "Dubovik"]
COMPANIES = ["Potash Works", "Airline", "Refinery", "Steel Mill", "Tractor Plant", "Bank"]
VIOLATIONS = ("no-label", "quote-not-in-source", "count-not-a-number", "dangling-reference")
# Fact-level provenance: every node of a covered class (not these) has its facts listed on its attestation
# (ppd:states), except the editorial and structural properties the coverage rule exempts.
_NOT_COVERED = {"ppd:Person", "ppd:Company", "ppd:State", "ppd:Post", "ppd:SourceDocument"}
_EXEMPT = {"rdfs:label", "ppd:eventType", "ppd:rank", "ppd:rankReason", "ppd:claimSubject", "ppd:aspect",
           "ppd:description", "ppd:dateNote"}
_BLOCK = re.compile(r'(?ms)^(ppdr:[\w-]+) a (ppd:\w+) ;.*?(?:\] \.|" \.|\w \.)\n')
_FACT = re.compile(r'(ppd:\w+|rdfs:label|skos:prefLabel) ((?:"[^"]*"(?:\^\^xsd:\w+|@\w+)?|[\w:-]+)'
                   r'(?:\s*,\s*(?:"[^"]*"(?:\^\^xsd:\w+)?|[\w:-]+))*)')
_VALUES = re.compile(r'"[^"]*"(?:\^\^xsd:\w+|@\w+)?|[\w:-]+')
_LABEL = re.compile(r'(?:skos:prefLabel|rdfs:label) "([^"]*)"')
_QUOTE = re.compile(r'ppd:quote "([^"]*)"')
_SOURCE = re.compile(r"ppd:source ppdr:synth-source-(\d+)")
_CONCEPT_LABELS = {  # the vocabulary concepts synth uses, by their English labels in ontology/vocab.ttl
    f"ppdv:{m.group(1)}": m.group(2)
    for m in re.finditer(r'(?ms)^ppdv:([\w-]+) a [^.]*?skos:prefLabel "([^"]*)"@en',
                         (ROOT / "ontology" / "vocab.ttl").read_text(encoding="utf-8"))
}
PARAMS = "benchmark-params.json"  # query name -> parameter values that find something in this graph
HEAD = """@prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
@prefix ppdv: <https://w3id.org/ppdkg/vocab/> .
@prefix ppdr: <https://w3id.org/ppdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

ppdr:synth-state a ppd:State ; skos:prefLabel "Synthland"@en ;
    ppd:attestedBy [ ppd:source ppdr:synth-source-0 ; ppd:quote "Synthland" ] .
ppdr:synth-imposer a ppd:State ; skos:prefLabel "Imposia"@en ;
    ppd:attestedBy [ ppd:source ppdr:synth-source-0 ; ppd:quote "Imposia" ] .
"""


class _Writer:
    """Turtle for one case, and the sentences its source text must hold."""

    def __init__(self, out, texts: dict[int, list[str]]) -> None:
        self.out = out
        self.texts = texts
        self.labels = {"ppdr:synth-state": "Synthland", "ppdr:synth-imposer": "Imposia"}  # for quotes naming them
        self.pending: list[str] = []

    def attest(self, source: int, sentence: str, *, quote: str | None = None, archived: bool = True) -> str:
        if archived:
            self.texts.setdefault(source, ["Synthetic source text for benchmarks.", "Synthland", "Imposia"]).append(
                sentence)
        return f'[ ppd:source ppdr:synth-source-{source} ; ppd:quote "{quote or sentence}" ]'

    def write(self, text: str) -> None:
        self.pending.append(text)

    def flush(self) -> None:
        """Write what ``write`` kept (a case: its nodes name each other), each attestation stating its facts."""
        text, self.pending = "".join(self.pending), []
        for match in _BLOCK.finditer(text):
            for label in _LABEL.finditer(match.group(0)):
                self.labels[match.group(1)] = label.group(1)
        self.out.write(_BLOCK.sub(self._state_facts, text))

    def _state_facts(self, match: re.Match) -> str:
        """A node's block with its attestation listing the facts it states (ppd:states), for nodes of the classes
        whose facts need a source (not agents, posts or documents); the quote (and the source text) gains the
        names of values it does not name, so the word-overlap check has nothing to report."""
        block, kind = match.group(0), match.group(2)
        if kind in _NOT_COVERED or "ppd:attestedBy [" not in block:
            return block
        head, _, attestation = block.partition("ppd:attestedBy [")
        facts = []
        for prop, values in _FACT.findall(head):
            if prop in _EXEMPT:
                continue
            facts.extend((prop, value.strip()) for value in _VALUES.findall(values))
        if not facts:
            return block
        quote = _QUOTE.search(attestation)
        missing = []
        for _prop, value in facts:
            text = self._text(value)
            if text is not None and shares_a_word(quote.group(1), [text]) is False and text not in missing:
                missing.append(text)
        if missing:
            new = f"{quote.group(1)} ({'; '.join(missing)})"
            source = int(_SOURCE.search(attestation).group(1))
            lines = self.texts.get(source, [])
            for i in range(len(lines) - 1, -1, -1):
                if lines[i] == quote.group(1):
                    lines[i] = new
                    break
            attestation = attestation.replace(f'ppd:quote "{quote.group(1)}"', f'ppd:quote "{new}"', 1)
        stated = " , ".join(f"[ ppd:statedProperty {prop} ; ppd:statedValue {value} ]" for prop, value in facts)
        end = attestation.rindex("]")
        return f"{head}ppd:attestedBy [{attestation[:end].rstrip()} ;\n        ppd:states {stated} ]{attestation[end + 1:]}"

    def _text(self, value: str) -> str | None:
        """What names a value: a literal's text (None for dates), a resource's label."""
        if value.startswith('"'):
            text, _, datatype = value[1:].partition('"')
            return None if datatype.startswith("^^xsd:date") or datatype.startswith("^^xsd:gYearMonth") else text
        if value[0].isdigit() or value[0] == "-":
            return value
        return self.labels.get(value) or _CONCEPT_LABELS.get(value)


def _case(w: _Writer, case: int, rng: random.Random, broken: str | None) -> str:
    """Write one case; return its envoy's name."""
    source = case // CASES_PER_SOURCE
    other = source + 1  # a second report on the same case
    year = rng.randint(2019, 2024)
    people = []
    for i in range(CASE):
        unit = case * CASE + i
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        month = rng.randint(1, 12)
        person = f"ppdr:synth-person-{unit}"
        people.append(person)
        label = "" if (broken == "no-label" and i == 0) else f' skos:prefLabel "{name} {unit}"@en ;'
        w.write(
            f"{person} a ppd:Person ;{label}\n"
            f"    ppd:nationality ppdr:synth-state ;\n"
            f"    ppd:attestedBy {w.attest(source, f'{name} (prisoner {unit})')} .\n"
            f"ppdr:synth-detention-{unit} a ppd:Detention ; rdfs:label \"Detention of {name} {unit}\" ;\n"
            f"    ppd:eventType ppdv:event-type-detention ; ppd:detainee {person} ;\n"
            f"    ppd:personCount 1 ; ppd:place ppdr:synth-state ;\n"
            f"    ppd:date \"{year}-{month:02d}\"^^xsd:gYearMonth ;\n"
            f"    ppd:earliest \"{year}-{month:02d}-01\"^^xsd:date ; ppd:latest \"{year}-{month:02d}-28\"^^xsd:date ;\n"
            f"    ppd:attestedBy {w.attest(source, f'prisoner {unit} was detained in {year}-{month:02d}')} .\n"
            f"ppdr:synth-conviction-{unit} a ppd:Conviction ; rdfs:label \"Conviction of {name} {unit}\" ;\n"
            f"    ppd:eventType ppdv:event-type-conviction ; ppd:detainee {person} ; ppd:personCount 1 ;\n"
            f"    ppd:place ppdr:synth-state ; ppd:offence \"organising protests\" ;\n"
            f"    ppd:after ppdr:synth-detention-{unit} ;\n"
            f"    ppd:attestedBy {w.attest(source, f'prisoner {unit} was convicted of organising protests')} .\n"
        )
        performer = "ppdr:synth-nobody" if (broken == "dangling-reference" and i == 0) else "ppdr:synth-state"
        w.write(
            f"ppdr:synth-release-{unit} a ppd:Release ; rdfs:label \"Release of {name} {unit}\" ;\n"
            f"    ppd:eventType ppdv:event-type-release ; ppd:performedBy {performer} ;\n"
            f"    ppd:detainee {person} ; ppd:personCount 1 ;\n"
            f"    ppd:endsDetention ppdr:synth-detention-{unit} ; ppd:after ppdr:synth-pardon-{case} ;\n"
            f"    ppd:earliest \"{year + 1}-01-01\"^^xsd:date ; ppd:latest \"2025-12-31\"^^xsd:date ;\n"
            f"    ppd:attestedBy {w.attest(source, f'prisoner {unit} was released')} .\n"
        )
    envoy_first, envoy_last = rng.choice(FIRST), rng.choice(LAST)
    envoy, variant = f"{envoy_first} {envoy_last}", f"{envoy_first} {envoy_last[:-1]}y"
    company = f"{rng.choice(COMPANIES)} {case}"
    count = '"ten"' if broken == "count-not-a-number" else str(CASE)
    quote_kind = "archived" if broken != "quote-not-in-source" else "missing"
    pardon_quote = w.attest(source, f"case {case}: {CASE} prisoners were pardoned", archived=quote_kind == "archived")
    w.write(
        f"ppdr:synth-pardon-{case} a ppd:Pardon ; rdfs:label \"Pardon of case {case}\" ;\n"
        f"    ppd:eventType ppdv:event-type-pardon ; ppd:performedBy ppdr:synth-state ;\n"
        f"    ppd:detainee {', '.join(people)} ; ppd:personCount {count} ;\n"
        f"    ppd:earliest \"{year + 1}-01-01\"^^xsd:date ; ppd:latest \"2025-12-31\"^^xsd:date ;\n"
        f"    ppd:inResponseTo ppdr:synth-request-{case} ;\n"
        f"    ppd:attestedBy {pardon_quote} .\n"
        f"ppdr:synth-request-{case} a ppd:Request ; rdfs:label \"Imposia's request for the prisoners of case {case}\" ;\n"
        f"    ppd:eventType ppdv:event-type-request-release ; ppd:performedBy ppdr:synth-imposer ;\n"
        f"    ppd:requestedRelease \"the release of the prisoners of case {case}\" ; ppd:latest \"2025-12-31\"^^xsd:date ;\n"
        f"    ppd:attestedBy {w.attest(source, f'Imposia asked for the release of the prisoners of case {case}')} .\n"
        f"ppdr:synth-talks-{case} a ppd:Talks ; rdfs:label \"Talks on case {case}\" ;\n"
        f"    ppd:eventType ppdv:event-type-negotiation ; ppd:talksStatus ppdv:talks-status-held ;\n"
        f"    ppd:participant ppdr:synth-state, ppdr:synth-envoy-{case} ; ppd:inResponseTo ppdr:synth-request-{case} ;\n"
        f"    ppd:latest \"2025-12-31\"^^xsd:date ;\n"
        f"    ppd:attestedBy {w.attest(source, f'talks on case {case} were held with envoy {envoy}')} .\n"
        f"ppdr:synth-statement-{case} a ppd:Statement ; rdfs:label \"Synthland announces the pardon of case {case}\" ;\n"
        f"    ppd:eventType ppdv:event-type-statement ; ppd:performedBy ppdr:synth-state ;\n"
        f"    ppd:about ppdr:synth-pardon-{case} ; ppd:statementText \"The prisoners of case {case} are pardoned.\" ;\n"
        f"    ppd:latest \"2025-12-31\"^^xsd:date ;\n"
        f"    ppd:attestedBy {w.attest(source, f'Synthland said the prisoners of case {case} are pardoned')} .\n"
        f"ppdr:synth-envoy-{case} a ppd:Person ; skos:prefLabel \"{envoy}\"@en ;\n"
        f"    ppd:attestedBy {w.attest(source, f'envoy {envoy} of case {case}')} .\n"
        f"ppdr:synth-post-envoy-{case} a ppd:Post ; rdfs:label \"Envoy of Imposia for case {case}\" ;\n"
        f"    ppd:postIn ppdr:synth-imposer ; ppd:postType ppdv:role-special-envoy .\n"
        f"ppdr:synth-tenure-envoy-{case} a ppd:RoleHolding ; rdfs:label \"{envoy} as envoy for case {case}\" ;\n"
        f"    ppd:holder ppdr:synth-envoy-{case} ; ppd:post ppdr:synth-post-envoy-{case} ;\n"
        f"    ppd:role ppdv:role-special-envoy ;\n"
        f"    ppd:attestedBy {w.attest(source, f'{envoy} was appointed envoy for case {case}')} .\n"
        f"ppdr:synth-claim-name-{case}-a a ppd:Claim ; rdfs:label \"Name spelled '{envoy}'\" ;\n"
        f"    ppd:claimSubject ppdr:synth-envoy-{case} ; ppd:aspect ppdv:aspect-name ;\n"
        f"    ppd:claimedValue \"{envoy}\" ; ppd:rank ppdv:rank-preferred ;\n"
        f"    ppd:rankReason \"The spelling of the earlier report.\" ;\n"
        f"    ppd:attestedBy {w.attest(source, f'envoy {envoy} of case {case}')} .\n"
        f"ppdr:synth-claim-name-{case}-b a ppd:Claim ; rdfs:label \"Name spelled '{variant}'\" ;\n"
        f"    ppd:claimSubject ppdr:synth-envoy-{case} ; ppd:aspect ppdv:aspect-name ;\n"
        f"    ppd:claimedValue \"{variant}\" ; ppd:rank ppdv:rank-normal ;\n"
        f"    ppd:attestedBy {w.attest(other, f'envoy {variant} in case {case}')} .\n"
        f"ppdr:synth-company-{case} a ppd:Company ; skos:prefLabel \"{company}\"@en ;\n"
        f"    ppd:basedIn ppdr:synth-state ;\n"
        f"    ppd:attestedBy {w.attest(source, f'the company {company}')} .\n"
        f"ppdr:synth-sanction-{case} a ppd:Sanction ; rdfs:label \"Sanctions on {company}\" ;\n"
        f"    ppd:imposedBy ppdr:synth-imposer ; ppd:sanctionTarget ppdr:synth-company-{case} ;\n"
        f"    ppd:targetState ppdr:synth-state ; ppd:sanctionStatus ppdv:sanction-status-lifted ;\n"
        f"    ppd:attestedBy {w.attest(source, f'Imposia had sanctioned {company}')} .\n"
        f"ppdr:synth-easing-{case} a ppd:SanctionsEasing ; rdfs:label \"Lifting of sanctions on {company}\" ;\n"
        f"    ppd:eventType ppdv:event-type-ease-economic-sanctions ; ppd:performedBy ppdr:synth-imposer ;\n"
        f"    ppd:affectsSanction ppdr:synth-sanction-{case} ; ppd:extent ppdv:extent-full ;\n"
        f"    ppd:latest \"2025-12-31\"^^xsd:date ;\n"
        f"    ppd:attestedBy {w.attest(source, f'Imposia lifted its sanctions on {company}')} .\n"
        f"ppdr:synth-agreement-{case} a ppd:Agreement ; rdfs:label \"Deal of case {case}\" ;\n"
        f"    ppd:eventType ppdv:event-type-agreement ; ppd:party ppdr:synth-state, ppdr:synth-imposer ;\n"
        f"    ppd:brokeredBy ppdr:synth-envoy-{case} ;\n"
        f"    ppd:hasTerm ppdr:synth-term-release-{case}, ppdr:synth-term-relief-{case} ;\n"
        f"    ppd:latest \"2025-12-31\"^^xsd:date ;\n"
        f"    ppd:attestedBy {w.attest(source, f'a deal on case {case} was brokered by {envoy}')} .\n"
        f"ppdr:synth-term-release-{case} a ppd:DealTerm ; rdfs:label \"Synthland frees the prisoners of case {case}\" ;\n"
        f"    ppd:givenBy ppdr:synth-state ; ppd:considerationType ppdv:consideration-release ;\n"
        f"    ppd:fulfilledBy ppdr:synth-pardon-{case} ;\n"
        f"    ppd:attestedBy {w.attest(source, f'Synthland freed the prisoners of case {case}')} .\n"
        f"ppdr:synth-term-relief-{case} a ppd:DealTerm ; rdfs:label \"Imposia lifts sanctions on {company}\" ;\n"
        f"    ppd:givenBy ppdr:synth-imposer ; ppd:considerationType ppdv:consideration-sanctions-relief ;\n"
        f"    ppd:fulfilledBy ppdr:synth-easing-{case} ;\n"
        f"    ppd:attestedBy {w.attest(source, f'in return Imposia lifted sanctions on {company}')} .\n"
    )
    if case % 5 == 0:  # an analyst's view of the deal
        w.write(
            f"ppdr:synth-assessment-{case} a ppd:Assessment ; rdfs:label \"{envoy}: case {case} was a trade\" ;\n"
            f"    ppd:eventType ppdv:event-type-statement ; ppd:performedBy ppdr:synth-envoy-{case} ;\n"
            f"    ppd:about ppdr:synth-agreement-{case} ; ppd:statementText \"Prisoners were traded for relief.\" ;\n"
            f"    ppd:latest \"2025-12-31\"^^xsd:date ;\n"
            f"    ppd:attestedBy {w.attest(other, f'{envoy} said case {case} traded prisoners for relief')} .\n"
        )
    if case % CASES_PER_SOURCE == 0:  # how the two states stand, as each report's background
        w.write(
            f"ppdr:synth-relation-{case} a ppd:StateRelation ; rdfs:label \"Synthland is an ally of Imposia ({case})\" ;\n"
            f"    ppd:relationType ppdv:relation-alliance ; ppd:relationSubject ppdr:synth-state ;\n"
            f"    ppd:relationObject ppdr:synth-imposer ;\n"
            f"    ppd:attestedBy {w.attest(source, f'Synthland is an ally of Imposia, report {source} says')} .\n"
        )
    if case % 3 == 0:  # an open disagreement, as the real sources have: a warning
        w.write(
            f"ppdr:synth-claim-completion-{case}-a a ppd:Claim ; rdfs:label \"Case {case}: pardon completed\" ;\n"
            f"    ppd:claimSubject ppdr:synth-pardon-{case} ; ppd:aspect ppdv:aspect-completion ;\n"
            f"    ppd:claimedValue \"pardoned\" ; ppd:rank ppdv:rank-normal ;\n"
            f"    ppd:attestedBy {w.attest(source, f'the prisoners of case {case} were pardoned')} .\n"
            f"ppdr:synth-claim-completion-{case}-b a ppd:Claim ; rdfs:label \"Case {case}: pardon pending\" ;\n"
            f"    ppd:claimSubject ppdr:synth-pardon-{case} ; ppd:aspect ppdv:aspect-completion ;\n"
            f"    ppd:claimedValue \"pardon pending\" ; ppd:rank ppdv:rank-normal ;\n"
            f"    ppd:attestedBy {w.attest(other, f'the pardon of case {case} is pending')} .\n"
        )
    return envoy


def generate(out: Path, *, triples: int, seed: int, violations: float = 0.0) -> Path:
    """Write the project; return its directory. ``violations``: the share of cases broken on purpose."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(ROOT / "kgbuild.toml", out / "kgbuild.toml")
    for part in ("ontology", "shapes", "queries", "docs"):
        shutil.copytree(ROOT / part, out / part)
    (out / "data" / "sources").mkdir(parents=True)
    cases = max(1, round(triples / TRIPLES_PER_CASE))
    every = round(1 / violations) if violations > 0 else 0
    texts: dict[int, list[str]] = {}
    broken = 0
    with open(out / "data" / "synthetic.ttl", "w", encoding="utf-8") as ttl:
        ttl.write(HEAD)
        writer = _Writer(ttl, texts)
        for case in range(cases):
            kind = None
            if every and case % every == every - 1:
                kind = VIOLATIONS[broken % len(VIOLATIONS)]
                broken += 1
            envoy = _case(writer, case, rng, kind)
            writer.flush()
            if case == 0:
                first_envoy = envoy
        for source in sorted(set(texts) | {case // CASES_PER_SOURCE + 1 for case in range(cases)}):
            texts.setdefault(source, ["Synthetic source text for benchmarks."])
            ttl.write(
                f"ppdr:synth-source-{source} a ppd:SourceDocument ; rdfs:label \"Synthetic source {source}\" ;\n"
                f"    ppd:textFile \"data/sources/synth_{source:05d}.txt\" .\n"
            )
    for source, lines in texts.items():
        (out / "data" / "sources" / f"synth_{source:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # what the stored queries that take a parameter are asked in benchmarks (their header examples name
    # resources of the real data, which are not here): things of case 0, and its envoy's name
    params = {
        "cq06-provenance": {"thing": "ppdr:synth-pardon-0"},
        "cq11-name-lookup": {"name": first_envoy},
        "fact-sources": {"subject": "ppdr:synth-pardon-0", "predicate": "ppd:performedBy"},
        "quotes-of-source": {"source": "ppdr:synth-source-0"},
        "what-happened-to": {"person": "ppdr:synth-person-0"},
    }
    (out / PARAMS).write_text(json.dumps(params, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--violations", type=float, default=0.0,
                        help="share of cases broken on purpose (e.g. 0.01), so validation finds something")
    args = parser.parse_args()
    path = generate(args.out, triples=args.triples, seed=args.seed, violations=args.violations)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
