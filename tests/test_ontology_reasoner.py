"""The ontology is OWL 2 DL: a real reasoner (HermiT, as in Protégé) accepts it and finds it sound.

HermiT (shipped with owlready2, run on Java) refuses outright any ontology that
names a datatype outside the OWL 2 datatype map (xsd:date, xsd:gYear,
xsd:gYearMonth, xsd:gMonth, xsd:duration, ...), so the ontology gives such
properties the range rdfs:Literal and leaves the precise datatype to SHACL.
Checked here: the ontology, and the whole graph (ontology and data, as
``kgbuild build`` loads them), are consistent and have no unsatisfiable class.

The data does use those datatypes in its literals (dates, years, a duration),
and HermiT refuses such a literal too. For the whole graph it therefore runs
with ``--ignoreUnsupportedDatatypes``: every assertion stays in (so a domain
still types its subject), but a value of such a datatype is opaque to the
reasoner (HermiT cannot tell it is not, say, an integer). Checking those
values is SHACL's job (shapes/dates.ttl, shapes/provenance.ttl). The ontology
alone is reasoned over without the option, so a datatype outside the map
there fails the test.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import owlready2
import pytest
import rdflib

from kgbuild.project import load_project
from kgbuild.sources import load_sources

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java (apt-get install default-jre-headless)")

ROOT = Path(__file__).resolve().parent.parent
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
# https://www.w3.org/TR/owl2-syntax/#Datatype_Maps (owl:real, owl:rational, rdf:PlainLiteral and rdf:XMLLiteral too)
OWL2_DATATYPE_MAP = frozenset(
    [OWL + "real", OWL + "rational", RDF + "PlainLiteral", RDF + "XMLLiteral", RDFS + "Literal"]
    + [XSD + name for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
        "byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token "
        "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()]
)
# RDF 1.1 makes every simple literal an xsd:string and every tagged one an rdf:langString
RDF11_LITERALS = frozenset([XSD + "string", RDF + "langString"])


@pytest.fixture(scope="module")
def sources():
    return load_sources(load_project(ROOT))


def reason(ntriples: bytes, directory: Path, *, ignore_unsupported_datatypes: bool = False) -> tuple[str | None, list[str], float]:
    """Run HermiT on the N-Triples: (why it is inconsistent or None, the unsatisfiable classes, seconds taken)."""
    path = directory / "graph.nt"
    path.write_bytes(ntriples)
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    start = time.monotonic()
    try:
        owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=ignore_unsupported_datatypes)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        return f"inconsistent: {exc}", [], time.monotonic() - start
    # classes HermiT found equivalent to owl:Nothing (listed with owl:Nothing itself)
    unsatisfiable = sorted({c.iri for c in world.inconsistent_classes()} - {OWL + "Nothing"})
    world.close()
    return None, unsatisfiable, time.monotonic() - start


def _message(exc: Exception) -> str:
    """Java's message without its stack trace."""
    return "\n".join(line for line in str(exc).splitlines() if not line.lstrip().startswith("at "))


def test_ontology_names_only_datatypes_of_the_owl2_map(sources):
    """Quick check, no reasoner: every datatype the ontology names (a range, a literal's type) is in the map."""
    ontology = sources.ontology
    named = {str(o) for o in ontology.objects(None, rdflib.RDFS.range) if str(o).startswith(XSD)}
    named |= {str(o.datatype) for o in ontology.objects() if isinstance(o, rdflib.Literal) and o.datatype}
    outside = sorted(named - OWL2_DATATYPE_MAP - RDF11_LITERALS)
    assert not outside, (
        f"datatypes outside the OWL 2 datatype map in ontology/: {outside}; give the property the range "
        "rdfs:Literal and check the datatype with a SHACL shape")


@needs_java
def test_hermit_accepts_the_ontology(sources, tmp_path):
    """ontology/*.ttl alone, without leniency: consistent, no class equivalent to owl:Nothing."""
    refused = None
    try:
        inconsistent, unsatisfiable, _ = reason(sources.ntriples(sources.ontology_iri), tmp_path)
    except owlready2.OwlReadyJavaError as exc:  # e.g. UnsupportedDatatypeException: the ontology is not OWL 2 DL
        refused = _message(exc)
    if refused:  # failed outside the except block: no Java stack trace in the report
        pytest.fail(f"HermiT refuses the ontology:\n{refused}")
    assert inconsistent is None
    assert unsatisfiable == []


@needs_java
def test_hermit_accepts_the_whole_graph(sources, tmp_path):
    """Ontology and data together (values of datatypes outside the map opaque, see the module docstring)."""
    refused = None
    try:
        inconsistent, unsatisfiable, seconds = reason(sources.ntriples(), tmp_path, ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyJavaError as exc:
        refused = _message(exc)
    if refused:  # failed outside the except block: no Java stack trace in the report
        pytest.fail(f"HermiT refuses the graph:\n{refused}")
    assert inconsistent is None
    assert unsatisfiable == []
    assert seconds < 120, f"HermiT took {seconds:.0f} s on the whole graph"


# --- the check itself finds what it is for -----------------------------------------------------------

_TINY = """@prefix : <http://example.org/t#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/t> a owl:Ontology .
:A a owl:Class . :B a owl:Class ; owl:disjointWith :A . :p a owl:DatatypeProperty ; rdfs:domain :A .
"""


def _nt(turtle: str) -> bytes:
    return rdflib.Graph().parse(data=_TINY + turtle, format="turtle").serialize(format="nt", encoding="utf-8")


@needs_java
def test_reason_reports_an_unsatisfiable_class(tmp_path):
    _, unsatisfiable, _ = reason(_nt(":C a owl:Class ; rdfs:subClassOf :A, :B ."), tmp_path)
    assert unsatisfiable == ["http://example.org/t#C"]


@needs_java
def test_reason_reports_an_inconsistent_graph_with_dates_kept(tmp_path):
    # the date-valued assertion still types :x an :A (domain), which :B excludes
    inconsistent, _, _ = reason(_nt(':x a :B ; :p "2021-07-01"^^xsd:date .'), tmp_path, ignore_unsupported_datatypes=True)
    assert inconsistent is not None


@needs_java
def test_hermit_refuses_a_range_outside_the_datatype_map(tmp_path):
    with pytest.raises(owlready2.OwlReadyJavaError, match="not part of the OWL 2 datatype map"):
        reason(_nt(":p rdfs:range xsd:gYear ."), tmp_path)
