"""A synthetic prisoner graph of about N triples, shaped like the real data, for benchmarks.

    python3 benchmarks/synth.py --triples 1000000 --seed 1 -o /tmp/synth

writes a kgbuild project in the output directory: the real project's
kgbuild.toml, ontology/, shapes/ and queries/, plus data/synthetic.ttl
(people, their detentions and releases, source documents; every fact
attested with a quote) and data/sources/*.txt (each source's text holds the
quotes that cite it). Same seed and size, same bytes. A first version for
the contribution benchmark; issue 6 grows it (convictions, deals, sanctions,
claims, injected violations).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIPLES_PER_UNIT = 31  # one person with a detention and a release, attestations included
UNITS_PER_SOURCE = 200
FIRST = ["Alena", "Ihar", "Maryia", "Pavel", "Volha", "Siarhei", "Tatsiana", "Andrei", "Iryna", "Dzmitry",
         "Natallia", "Aliaksandr", "Hanna", "Mikalai", "Yulia", "Raman", "Sviatlana", "Uladzimir"]
LAST = ["Kavalenka", "Navumchyk", "Ramanchuk", "Tsikhanouski", "Hrynevich", "Lukashevich", "Zhukouskaya",
        "Bialou", "Sakalou", "Marozau", "Pashkevich", "Shvedau", "Karpovich", "Lapitskaya", "Dubovik"]
HEAD = """@prefix ppd:  <https://w3id.org/ppdkg/ontology#> .
@prefix ppdv: <https://w3id.org/ppdkg/vocab/> .
@prefix ppdr: <https://w3id.org/ppdkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

ppdr:synth-state a ppd:State ; skos:prefLabel "Synthland"@en ;
    ppd:attestedBy [ ppd:source ppdr:synth-source-0 ; ppd:quote "Synthland" ] .
"""


def generate(out: Path, *, triples: int, seed: int) -> Path:
    """Write the project; return its directory."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy(ROOT / "kgbuild.toml", out / "kgbuild.toml")
    for part in ("ontology", "shapes", "queries", "docs"):
        shutil.copytree(ROOT / part, out / part)
    (out / "data" / "sources").mkdir(parents=True)
    units = max(1, triples // TRIPLES_PER_UNIT)
    texts: dict[int, list[str]] = {}
    with open(out / "data" / "synthetic.ttl", "w", encoding="utf-8") as ttl:
        ttl.write(HEAD)
        for unit in range(units):
            source = unit // UNITS_PER_SOURCE
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            year = rng.randint(2019, 2024)
            month = rng.randint(1, 12)
            quotes = [f"{name} (case {unit}) was detained in {year}-{month:02d}",
                      f"case {unit}: {name} was released"]
            texts.setdefault(source, ["Synthetic source text for benchmarks.", "Synthland"]).extend(quotes)
            src = f"ppdr:synth-source-{source}"
            ttl.write(
                f"ppdr:synth-person-{unit} a ppd:Person ; skos:prefLabel \"{name} {unit}\"@en ;\n"
                f"    ppd:nationality ppdr:synth-state ;\n"
                f"    ppd:attestedBy [ ppd:source {src} ; ppd:quote \"{quotes[0][:len(name)]}\" ] .\n"
                f"ppdr:synth-detention-{unit} a ppd:Detention ; rdfs:label \"Detention of {name} {unit}\" ;\n"
                f"    ppd:eventType ppdv:event-type-detention ; ppd:detainee ppdr:synth-person-{unit} ;\n"
                f"    ppd:personCount 1 ; ppd:place ppdr:synth-state ;\n"
                f"    ppd:date \"{year}-{month:02d}\"^^xsd:gYearMonth ;\n"
                f"    ppd:earliest \"{year}-{month:02d}-01\"^^xsd:date ; ppd:latest \"{year}-{month:02d}-28\"^^xsd:date ;\n"
                f"    ppd:attestedBy [ ppd:source {src} ; ppd:quote \"{quotes[0]}\" ] .\n"
                f"ppdr:synth-release-{unit} a ppd:Release ; rdfs:label \"Release of {name} {unit}\" ;\n"
                f"    ppd:eventType ppdv:event-type-release ; ppd:performedBy ppdr:synth-state ;\n"
                f"    ppd:detainee ppdr:synth-person-{unit} ; ppd:personCount 1 ;\n"
                f"    ppd:endsDetention ppdr:synth-detention-{unit} ; ppd:after ppdr:synth-detention-{unit} ;\n"
                f"    ppd:earliest \"{year + 1}-01-01\"^^xsd:date ; ppd:latest \"2025-12-31\"^^xsd:date ;\n"
                f"    ppd:attestedBy [ ppd:source {src} ; ppd:quote \"{quotes[1]}\" ] .\n"
            )
        for source in sorted(texts):
            ttl.write(
                f"ppdr:synth-source-{source} a ppd:SourceDocument ; rdfs:label \"Synthetic source {source}\" ;\n"
                f"    ppd:textFile \"data/sources/synth_{source:05d}.txt\" .\n"
            )
    for source, lines in texts.items():
        (out / "data" / "sources" / f"synth_{source:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    path = generate(args.out, triples=args.triples, seed=args.seed)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
