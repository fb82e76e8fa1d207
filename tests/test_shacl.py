"""kgbuild's SHACL engine (kgbuild.shacl) gives pyshacl's results.

Compared on the shape fixtures (every rule fires there, tests/fixtures/shapes/)
and on the real data: the same results (source shape, focus node, path, value,
severity), whole-graph and restricted to the focus nodes of one data file at a
time. Messages may differ only in the order of GROUP_CONCAT items.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kgbuild.backends.convert import from_ox
from kgbuild.errors import InputError
from kgbuild.federation import refuse_service_in_shapes
from kgbuild.locate import Locator
from kgbuild.project import load_project
from kgbuild.shacl import COMPONENTS, SKOLEM, ShapesProgram
from kgbuild.sources import load_sources
from kgbuild.validation import engine_outcome, render_path, run_shacl

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"


@pytest.fixture(scope="module")
def sources():
    return load_sources(load_project(ROOT))


@pytest.fixture(scope="module")
def program(sources):
    return ShapesProgram(sources.shapes, refuse_service=refuse_service_in_shapes)


def _parse(path: Path, *, skolem: bool):
    """(rdflib triples, pyoxigraph triples) of one file, blank nodes labelled alike (or skolemised)."""
    rd, oxt = [], []
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True):
        terms = (quad.subject, quad.predicate, quad.object)
        rd.append(tuple(_rd(t) for t in terms))
        oxt.append(ox.Triple(*(ox.NamedNode(SKOLEM + t.value) if skolem and isinstance(t, ox.BlankNode) else t
                               for t in terms)))
    return rd, oxt


def _rd(term):
    return from_ox(term)


def _graph_and_store(files: list[Path], *, skolem: bool = False):
    graph, store, subjects = Graph(), ox.Store(), {}
    for path in files:
        rd, oxt = _parse(path, skolem=skolem)
        for triple in rd:
            graph.add(triple)
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in oxt)
        subjects[path] = {t.subject.value for t in oxt if isinstance(t.subject, ox.NamedNode)}
    return graph, store, subjects


def _pyshacl_results(graph: Graph, shapes: Graph, *, details: bool = True) -> set[tuple]:
    """pyshacl's results; without ``details``, not those nested under another by sh:detail (of sh:node)."""
    import pyshacl

    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                     allow_warnings=True, allow_infos=True, inplace=False)
    out = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if not details and (None, SH.detail, result) in results:
            continue
        path = results.value(result, SH.resultPath)
        out.add((
            results.value(result, SH.sourceShape),
            results.value(result, SH.focusNode),
            None if path is None else render_path(path, results if (path, None, None) in results else shapes, _N),
            results.value(result, SH.value),
            results.value(result, SH.resultSeverity),
        ))
    return out


class _Names:
    def iri(self, iri: str) -> str:
        return f"<{iri}>"


_N = _Names()


def _engine_results(program: ShapesProgram, store, shapes: Graph, focus=None) -> set[tuple]:
    return {
        (r.shape, r.focus, None if r.path is None else render_path(r.path, shapes, _N), r.value, r.severity)
        for r in program.validate(store, focus=focus)
    }


def _ontology_files() -> list[Path]:
    return sorted((ROOT / "ontology").glob("*.ttl"))


def test_same_results_as_pyshacl_on_every_shape_fixture(sources, program):
    files = _ontology_files() + [FIXTURES / "valid.ttl"] + sorted(
        p for p in FIXTURES.glob("*.ttl") if p.name != "valid.ttl")
    graph, store, _ = _graph_and_store(files)
    expected = _pyshacl_results(graph, sources.shapes)
    assert len(expected) > 150  # every rule fires at least once
    assert _engine_results(program, store, sources.shapes) == expected


def test_same_results_as_pyshacl_on_the_real_data(sources, program):
    files = _ontology_files() + sorted((ROOT / "data").glob("*.ttl"))
    graph, store, _ = _graph_and_store(files)
    expected = _pyshacl_results(graph, sources.shapes)
    assert expected  # the real data has its warnings and info
    assert _engine_results(program, store, sources.shapes) == expected


def test_restricted_to_a_files_nodes_equals_full_pyshacl_restricted(sources, program):
    """Per data file: focus = the file's subjects (blank nodes skolemised), whole graph visible."""
    data_files = sorted((ROOT / "data").glob("*.ttl"))
    graph, store, subjects = _graph_and_store(_ontology_files() + data_files, skolem=True)
    full = _pyshacl_results(graph, sources.shapes)

    def key(term):
        return SKOLEM + str(term) if isinstance(term, BNode) else str(term)

    compared = 0
    for path in data_files:
        focus = subjects[path]
        expected = {r for r in full if key(r[1]) in focus}
        got = {
            (r.shape, r.focus, None if r.path is None else render_path(r.path, sources.shapes, _N), r.value,
             r.severity)
            for r in program.validate(store, focus=focus)
        }
        assert got == expected, path.name
        compared += len(expected)
    assert compared == len(full)  # every finding belongs to some file's nodes


def test_findings_read_like_pyshacl_findings(sources, program):
    """The Finding form (rule ids, labels, paths, values) is the same as the build's."""
    graph = sources.graph
    store = ox.Store()
    for path in _ontology_files() + sorted((ROOT / "data").glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    pyshacl_findings = run_shacl(data_graph=graph, shapes_graph=sources.shapes, names=sources.names(),
                                 locator=Locator(()))
    engine = engine_outcome(program.validate(store), data_graph=graph, shapes_graph=sources.shapes,
                            names=sources.names(), locator=Locator(()))

    def keys(findings):
        return sorted((f.severity, f.rule, f.focus, f.path, f.value, f.shape) for f in findings)

    assert keys(engine.findings) == keys(pyshacl_findings.findings)


def test_unsupported_constraint_is_an_error_naming_the_shape():
    shapes = Graph()
    shapes.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:js ex:check .
    """, format="turtle")
    with pytest.raises(InputError, match=r"^shape ex:S uses sh:js \(sh:JSConstraintComponent\), which "
                                         r"kgbuild's SHACL engine does not support$"):
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)


def test_focus_restriction_limits_results_to_those_nodes(program, sources):
    files = _ontology_files() + [FIXTURES / "valid.ttl", FIXTURES / "PersonCountNotNegative.ttl",
                                 FIXTURES / "AgentHasPrefLabel.ttl"]
    _, store, subjects = _graph_and_store(files)
    everything = program.validate(store)
    assert len({r.focus for r in everything}) >= 2
    only = program.validate(store, focus=subjects[FIXTURES / "PersonCountNotNegative.ttl"])
    assert only and {str(r.focus) for r in only} <= subjects[FIXTURES / "PersonCountNotNegative.ttl"]


def test_same_results_as_pyshacl_on_generic_shapes_whole_and_per_node():
    """Core constraints the project's shapes do not use in every form (minCount above one, maxCount,
    sh:class through a subclass, a target the engine leaves out of the query), whole graph and
    restricted to each focus node in turn."""
    shapes = Graph().parse(ROOT / "tests" / "fixtures" / "engine" / "shapes.ttl", format="turtle")
    graph, store, subjects = _graph_and_store([ROOT / "tests" / "fixtures" / "engine" / "data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    expected = _pyshacl_results(graph, shapes)
    got = _engine_results(program, store, shapes)
    # by hand from data.ttl, as (shape, focus, path, value) keys: bob knows dan (no Person), "Dan" (no Person,
    # not an IRI: one key) and 3 values (KnowsIsPerson 3 keys, KnowsFromPerson 2); bob has no name, one email,
    # a string age; eve no name, no nick, one email; cat's age -1 (twice: PersonShape, AgeAndName) and 2 values;
    # cat and eve know no one (FriendsOfFriendsNamed), ann and bob know someone who knows Ann or Cat;
    # PersonShape's sh:or fails for eve (no name, no nick), its sh:and for bob and eve (no name)
    ex = "https://example.org/engine#"
    fired = {(str(shape).removeprefix(ex), str(focus).removeprefix(ex)) for shape, focus, *_ in got
             if not isinstance(shape, BNode)}
    assert {("KnowsIsPerson", "bob"), ("KnowsFromPerson", "bob"), ("PersonShape", "eve"),
            ("AgeAndName", "cat"), ("FriendsOfFriendsNamed", "cat"), ("FriendsOfFriendsNamed", "eve")} <= fired
    assert {(r[1].removeprefix(ex) if isinstance(r[1], str) else r[1]) for r in got
            if str(r[0]) == ex + "PersonShape" and r[2] is None} == {"bob", "eve"}
    assert ("FriendsOfFriendsNamed", "ann") not in fired and ("FriendsOfFriendsNamed", "bob") not in fired
    assert ("KnowsIsPerson", "dan") not in fired and ("KnowsFromPerson", "dan") not in fired
    assert len(got) == len(expected) == 17
    assert got == expected
    for node in sorted(subjects[ROOT / "tests" / "fixtures" / "engine" / "data.ttl"]):
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in expected if str(r[1]) == node}


def test_string_length_language_and_property_comparisons_are_pyshacls_whole_and_per_node():
    """sh:minLength / sh:maxLength (a literal's lexical form, an IRI's IRI, a blank node always fails),
    sh:languageIn (langMatches: "en" takes "en-NZ"), sh:equals (differences both ways) and sh:disjoint, on node
    and property shapes, inside sh:not too: pyshacl's results, whole graph and restricted to each focus node."""
    fixture = ROOT / "tests" / "fixtures" / "engine" / "strings"
    shapes = Graph().parse(fixture / "shapes.ttl", format="turtle")
    graph, store, subjects = _graph_and_store([fixture / "data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    expected = _pyshacl_results(graph, shapes)
    got = _engine_results(program, store, shapes)
    ex = "https://example.org/strings#"
    values = {(str(focus).removeprefix(ex), str(value).removeprefix(ex)) for _shape, focus, _path, value, _ in got
              if isinstance(focus, URIRef) and not isinstance(value, BNode)}
    # by hand from data.ttl: lengths (12345, "ab", an IRI of 25 characters, ex:bartholomew's own IRI), languageIn
    # ("Bart", ex:bart, "Barthel"@de), equals both ways ("Bartholomew" not a label, ex:bart not a name), disjoint
    # ("Bart" also a nick, ex:bartholomew knows itself), and sh:not [ sh:languageIn ( "de" ) ] on "Barthel"@de
    assert {("ann", "12345"), ("bartholomew", "ab"), ("bartholomew", "https://example.org/s#b"),
            ("bartholomew", "bartholomew"), ("bartholomew", "Bart"), ("bartholomew", "bart"),
            ("bartholomew", "Barthel"), ("bartholomew", "Bartholomew")} <= values
    assert ("ann", "Ana") not in values and ("ann", "abcd") not in values
    assert any(isinstance(value, BNode) for *_, value, _severity in got)
    assert got == expected
    for node in sorted(subjects[fixture / "data.ttl"]):
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in expected if str(r[1]) == node}


def test_string_length_is_the_lexical_form_as_written(tmp_path):
    """"0001"^^xsd:integer has four characters though the store keeps "1": as a value on a path, as a focus
    node, and inside sh:not, judged as written (as pyshacl on the parsed text)."""
    path = tmp_path / "data.ttl"
    path.write_text(f"""@prefix ex: <{_EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:code "0001"^^xsd:integer, "12"^^xsd:integer, "1.50"^^xsd:decimal, "abc" .
""", encoding="utf-8")
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <{_EX}> .
        ex:Long a sh:NodeShape ; sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; sh:minLength 3 ] .
        ex:Short a sh:NodeShape ; sh:targetObjectsOf ex:code ; sh:maxLength 3 .
        ex:NotShort a sh:NodeShape ; sh:targetSubjectsOf ex:code ;
            sh:property [ sh:path ex:code ; sh:not [ sh:maxLength 2 ] ] .
    """, format="turtle")
    graph, store, written = _written_store(path)
    assert written  # the store changed some literal: what this test is about
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    got = {(r.shape, r.focus, None if r.path is None else render_path(r.path, shapes, _N), r.value, r.severity)
           for r in program.validate(store, written=written)}
    assert {str(value) for *_, value, _ in got} == {"12", "0001", "1.50"}
    assert got == _pyshacl_results(graph, shapes)


@pytest.mark.parametrize(("written", "results"), [("true", 1), ("1", 0), ("false", 0), ("0", 0)])
def test_unique_lang_is_switched_on_by_the_literal_true_only(written, results):
    """SHACL names the value true; "1"^^xsd:boolean (the same value, which pyshacl takes as true) leaves the
    constraint off, as the W3C suite's uniqueLang-002 expects. The shapes as written: parsed by pyoxigraph, whose
    terms keep their lexical form (rdflib's own parser would make "1" "true")."""
    text = f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetNode ex:i ; sh:property [ sh:path ex:m ; sh:uniqueLang "{written}"^^xsd:boolean ] .
    """
    shapes = Graph()
    for quad in ox.parse(text, format=ox.RdfFormat.TURTLE):
        shapes.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))  # type: ignore[arg-type]
    store = ox.Store()
    store.load('<https://example.org/i> <https://example.org/m> "HI"@en, "Hi"@en .', format=ox.RdfFormat.TURTLE)
    found = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes).validate(store, workers=1)
    assert [(str(r.focus), r.component) for r in found] == [("https://example.org/i", "UniqueLang")] * results


def test_threads_give_the_results_of_one_thread_in_the_same_order(sources, program):
    """Shapes run on several threads: the results (every field) and their order are those of one thread,
    and a shape that fails still fails the whole run."""
    files = _ontology_files() + sorted(FIXTURES.glob("*.ttl"))
    _, store, _ = _graph_and_store(files)
    one = program.validate(store, workers=1)
    assert len({r.shape for r in one}) > 5  # enough shapes fire that an interleaving would show
    assert program.validate(store, workers=3) == one
    assert program.validate(store) == one

    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:B a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { BROKEN" ] .
    """, format="turtle")
    with pytest.raises(InputError, match="SHACL engine query failed"):
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes).validate(ox.Store(), workers=2)


def test_garbage_made_before_the_threads_is_freed_on_the_calling_thread(program):
    """A pyoxigraph result may only be freed on its own thread: a garbage cycle holding one (made here,
    before validation) must not be left for a worker's garbage collection."""
    import threading

    freed_on = []

    class Holder:
        def __del__(self):
            freed_on.append(threading.current_thread().name)

    import gc

    store = ox.Store()
    gc.disable()  # no collection but the ones validate makes: it must make one before the threads start
    try:
        holder = Holder()
        holder.cycle = holder
        holder.result = store.query("SELECT * WHERE { ?s ?p ?o }")
        del holder
        program.validate(store, workers=2)
    finally:
        gc.enable()
    assert freed_on == [threading.current_thread().name]


# --- sh:datatype on literals the store keeps in another form ------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_EX = "https://example.org/dt#"
# (lexical form, datatype) as written: every XSD numeric, date and duration type, derived integer types the store
# keeps as xsd:integer (in range or not), forms it writes otherwise ("01", "1.50", "+1", "1.5E0", "1"^^boolean),
# and ill-typed ones it keeps as written
_WRITTEN = [
    ("1257", "nonNegativeInteger"), ("1257", "positiveInteger"), ("-3", "negativeInteger"),
    ("-3", "nonPositiveInteger"), ("1257", "long"), ("1257", "int"), ("12", "short"), ("12", "byte"),
    ("12", "unsignedLong"), ("12", "unsignedInt"), ("12", "unsignedShort"), ("12", "unsignedByte"),
    ("-1", "nonNegativeInteger"), ("0", "positiveInteger"), ("300", "byte"), ("-1", "unsignedInt"),
    ("99999999999999999999", "long"), ("abc", "nonNegativeInteger"),
    ("1257", "integer"), ("01", "integer"), ("+1", "integer"), ("-0", "integer"), ("abc", "integer"),
    ("1e5", "integer"), ("1.0", "integer"), (" 12 ", "integer"),
    ("1.50", "decimal"), ("1", "decimal"), (".5", "decimal"), ("abc", "decimal"),
    ("1.5", "float"), ("1.5e0", "float"), ("NaN", "float"), ("abc", "float"),
    ("1.5E0", "double"), ("1.5", "double"), ("INF", "double"), ("abc", "double"),
    ("true", "boolean"), ("1", "boolean"), ("abc", "boolean"),
    ("2025-01-02", "date"), ("2025-01-02+00:00", "date"), ("2025-13-01", "date"), ("2025-02-30", "date"),
    ("abc", "date"),
    ("2025-01-02T03:04:05", "dateTime"), ("2025-01-02T03:04:05.000Z", "dateTime"), ("2025-01-02T24:00:00", "dateTime"),
    ("abc", "dateTime"),
    ("2025-01-02T03:04:05Z", "dateTimeStamp"), ("2025-01-02T03:04:05", "dateTimeStamp"), ("abc", "dateTimeStamp"),
    ("03:04:05", "time"), ("24:00:00", "time"), ("abc", "time"),
    ("2025", "gYear"), ("02025", "gYear"), ("abc", "gYear"), ("2025-01", "gYearMonth"), ("2025-13", "gYearMonth"),
    ("--01", "gMonth"), ("---01", "gDay"), ("--01-02", "gMonthDay"),
    ("P1D", "duration"), ("PT24H", "duration"), ("P0D", "duration"), ("abc", "duration"),
    ("P1Y", "yearMonthDuration"), ("P12M", "yearMonthDuration"), ("P1D", "yearMonthDuration"),
    ("P1D", "dayTimeDuration"), ("PT36H", "dayTimeDuration"), ("P1Y", "dayTimeDuration"),
]
# sh:datatype of the shapes: each type above, and xsd:string
_ASKED = sorted({datatype for _, datatype in _WRITTEN} | {"string"})


def _datatype_data() -> str:
    lines = [f"@prefix ex: <{_EX}> ."]
    for i, (lexical, datatype) in enumerate(_WRITTEN):
        lines.append(f'ex:s{i} ex:v "{lexical}"^^<{_XSD}{datatype}> ; ex:link ex:t{i} .')
        lines.append(f'ex:t{i} ex:w "{lexical}"^^<{_XSD}{datatype}> .')
    # one subject, one property, several forms of one stored value (and the stored form itself)
    lines.append(f'ex:many ex:v "1"^^<{_XSD}integer>, "01"^^<{_XSD}integer>, "1"^^<{_XSD}nonNegativeInteger>, '
                 f'"1"^^<{_XSD}byte>, "1"^^<{_XSD}string> .')
    # blank nodes (the build canonicalises their labels apart from the other triples)
    lines.append(f'ex:owner ex:link [ ex:v "1257"^^<{_XSD}nonNegativeInteger>, "7"^^<{_XSD}integer> ; '
                 f'ex:w "1257"^^<{_XSD}nonNegativeInteger> ] .')
    return "\n".join(lines) + "\n"


def _datatype_shapes() -> str:
    lines = [f"@prefix sh: <{SH}> .", f"@prefix ex: <{_EX}> ."]
    for datatype in _ASKED:
        dt = f"<{_XSD}{datatype}>"
        lines.append(f"ex:Asks-{datatype} a sh:NodeShape ; sh:targetSubjectsOf ex:v ; "
                     f"sh:property [ sh:path ex:v ; sh:datatype {dt} ] .")
    for datatype in ("integer", "nonNegativeInteger", "dateTime", "date", "decimal"):
        dt = f"<{_XSD}{datatype}>"
        # the forms behind a value reached otherwise: a path of two steps, alternatives, the focus itself,
        # a logical member
        lines.append(f"ex:Linked-{datatype} a sh:NodeShape ; sh:targetSubjectsOf ex:link ; "
                     f"sh:property [ sh:path ( ex:link ex:w ) ; sh:datatype {dt} ] .")
        lines.append(f"ex:Itself-{datatype} a sh:NodeShape ; sh:targetObjectsOf ex:w ; sh:datatype {dt} .")
        lines.append(f"ex:Alt-{datatype} a sh:NodeShape ; sh:targetSubjectsOf ex:w ; "
                     f"sh:property [ sh:path [ sh:alternativePath ( ex:v ex:w ) ] ; sh:datatype {dt} ] .")
        lines.append(f"ex:Either-{datatype} a sh:PropertyShape ; sh:targetSubjectsOf ex:v ; sh:path ex:v ; "
                     f"sh:or ( [ sh:datatype {dt} ] [ sh:datatype <{_XSD}string> ] ) .")
        lines.append(f"ex:NotIt-{datatype} a sh:PropertyShape ; sh:targetSubjectsOf ex:v ; sh:path ex:v ; "
                     f"sh:not [ sh:datatype {dt} ] .")
        lines.append(f"ex:Through-{datatype} a sh:NodeShape ; sh:targetSubjectsOf ex:link ; "
                     f"sh:node [ sh:property [ sh:path ex:v ; sh:datatype {dt} ] ] .")
    return "\n".join(lines) + "\n"


def _written_store(path: Path):
    """(rdflib graph as parsed, store loaded with the literals as written noted), as the build loads."""
    from kgbuild.shacl import WrittenLiterals

    rd, oxt = _parse(path, skolem=False)  # one parse: blank nodes labelled alike in both
    graph = Graph()
    for triple in rd:
        graph.add(triple)
    store, written = ox.Store(), WrittenLiterals()
    store.extend(written.watch(ox.Quad(t.subject, t.predicate, t.object) for t in oxt))
    return graph, store, written.settle()


def test_pyoxigraph_keeps_these_literals_in_another_form(tmp_path):
    """What the datatype checks are about: the store gives another datatype or lexical form back."""
    path = tmp_path / "data.ttl"
    path.write_text(_datatype_data(), encoding="utf-8")
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)

    def stored(i):
        [quad] = store.quads_for_pattern(ox.NamedNode(f"{_EX}s{i}"), ox.NamedNode(_EX + "v"), None)
        return f'"{quad.object.value}"^^{quad.object.datatype.value.removeprefix(_XSD)}'

    at = {written: i for i, written in enumerate(_WRITTEN)}
    assert stored(at["1257", "nonNegativeInteger"]) == '"1257"^^integer'  # the issue's example
    assert stored(at["-1", "nonNegativeInteger"]) == '"-1"^^integer'  # out of range: integer all the same
    assert stored(at["2025-01-02T03:04:05Z", "dateTimeStamp"]) == '"2025-01-02T03:04:05Z"^^dateTime'
    assert stored(at["01", "integer"]) == '"1"^^integer'
    assert stored(at["1.50", "decimal"]) == '"1.5"^^decimal'
    assert stored(at["abc", "nonNegativeInteger"]) == '"abc"^^nonNegativeInteger'  # ill-typed: as written
    assert stored(at["2025-13-01", "date"]) == '"2025-13-01"^^date'


def test_datatype_findings_are_pyshacls_for_every_xsd_type_as_written(tmp_path):
    """Every XSD numeric, date and duration literal × every sh:datatype asked: kgbuild's engine gives pyshacl's
    results (which judges the parsed text), though the store keeps many of these literals in another form."""
    data, shapes_file = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data.write_text(_datatype_data(), encoding="utf-8")
    shapes_file.write_text(_datatype_shapes(), encoding="utf-8")
    shapes = Graph().parse(shapes_file, format="turtle")
    graph, store, written = _written_store(data)
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    expected = _pyshacl_results(graph, shapes, details=False)  # kgbuild reports sh:node's result, not its details
    got = {(r.shape, r.focus, None if r.path is None else render_path(r.path, shapes, _N), r.value, r.severity)
           for r in program.validate(store, written=written)}

    def named(shape):  # the node shape holding a blank property shape
        return shapes.value(None, SH.property, shape) or shapes.value(None, SH.node, shape) or shape

    issue = Literal("1257", datatype=XSD.nonNegativeInteger)
    assert (URIRef(_EX + "Asks-integer"), issue) in {(named(r[0]), r[3]) for r in expected}  # pyshacl flags it
    assert len(expected) > 1000
    assert got == expected
    # and restricted to one focus node, as the contribution check runs it
    many = {r for r in expected if r[1] == URIRef(_EX + "many")}
    assert {r[3] for r in many if named(r[0]) == URIRef(_EX + "Asks-integer")} == {
        Literal("1", datatype=XSD.nonNegativeInteger), Literal("1", datatype=XSD.byte), Literal("1")}
    restricted = {(r.shape, r.focus, None if r.path is None else render_path(r.path, shapes, _N), r.value, r.severity)
                  for r in program.validate(store, focus=[_EX + "many"], written=written)}
    assert restricted == many


def test_many_focus_nodes_give_the_results_of_restricting_to_them(program, sources, monkeypatch):
    """With more focus nodes than restricting the queries to them pays for, the engine checks the whole
    store and keeps their results: the same as the restricted run, blank (skolemised) focus nodes included."""
    import kgbuild.shacl.evaluator as engine

    files = _ontology_files() + sorted(FIXTURES.glob("*.ttl"))
    _, store, subjects = _graph_and_store(files, skolem=True)
    focus = sorted(set().union(*(subjects[f] for f in files if f.parent == FIXTURES)))
    # every blank (skolemised) node and every other IRI: the blank nodes' labels differ from parse to parse,
    # so taking every other node of the sorted list would take a different set each run
    half = sorted({node for node in focus if node.startswith(SKOLEM)}
                  | set([node for node in focus if not node.startswith(SKOLEM)][::2]))
    assert len(half) >= engine._FOCUS_CHECKED
    key = lambda r: (r.shape, r.component, r.severity, r.focus, r.path, r.value, r.messages, r.constraint)  # noqa: E731
    monkeypatch.setattr(engine, "_FOCUS_COST", 10**9)  # every focus list is too long to restrict to
    whole = program.validate(store, focus=half)
    monkeypatch.setattr(engine, "_FOCUS_CHECKED", 10**9)  # none is
    restricted = program.validate(store, focus=half)
    assert restricted and sorted(map(key, whole), key=str) == sorted(map(key, restricted), key=str)
    assert any(isinstance(r.focus, BNode) for r in restricted)
    assert {str(r.focus) for r in whole if not isinstance(r.focus, BNode)} < {str(r.focus) for r in program.validate(store)
                                                                           if not isinstance(r.focus, BNode)}


# --- the shapes read and checked up front; the table of supported components ------------------------------

PARAMETERS = ROOT / "tests" / "fixtures" / "engine" / "parameters"
_NOT_NON_NEGATIVE = "is not a non-negative integer"


@pytest.mark.parametrize(("fixture", "message"), [
    ("min-count-one", f'ex:EventShape → property ex:date → sh:minCount: "one" {_NOT_NON_NEGATIVE}'),
    ("max-count-negative", f'ex:EventShape → property ex:date → sh:maxCount: "-1"^^xsd:integer {_NOT_NON_NEGATIVE}'),
    ("min-count-without-path", "ex:EventShape → sh:minCount: needs sh:path (it counts a property's values)"),
    ("pattern-not-a-regex", 'ex:PersonShape → property ex:name → sh:pattern: "(Ada" is not a valid regular expression'),
    ("pattern-bad-flags",
     'ex:PersonShape → property ex:name → sh:pattern: "^A" with sh:flags "g" is not a valid regular expression'),
    ("datatype-not-an-iri", 'ex:PersonShape → property ex:name → sh:datatype: "xsd:string" is not an IRI'),
    ("in-not-a-list", "ex:StatusShape → property ex:status → sh:in: ex:open is not an RDF list"),
    ("or-list-malformed", ("ex:AgentShape → sh:or: the list is not a well-formed RDF list (each cell needs one "
                           "rdf:first and one rdf:rest, the last rdf:rest rdf:nil)")),
    ("node-kind-in-or-member", ("ex:AgentShape → property ex:name → sh:or member 2 → sh:nodeKind: sh:Text is not one "
                                "of sh:IRI, sh:BlankNode, sh:Literal, sh:BlankNodeOrIRI, sh:BlankNodeOrLiteral, "
                                "sh:IRIOrLiteral")),
    ("path-not-a-path", ("ex:PersonShape → property [not a path] → sh:path: the value is not a SHACL property path (an "
                         "IRI, a list of paths, or a node with one of sh:inversePath, sh:alternativePath, "
                         "sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath)")),
    ("min-length-not-an-integer", f'ex:PersonShape → property ex:name → sh:minLength: "two" {_NOT_NON_NEGATIVE}'),
    ("max-length-a-decimal",
     f'ex:PersonShape → property ex:name → sh:maxLength: "2.5"^^xsd:decimal {_NOT_NON_NEGATIVE}'),
    ("language-in-not-strings", ('ex:PersonShape → property ex:name → sh:languageIn: "fr"@fr in the list is not a '
                                 'string (a language range such as "en")')),
    ("language-in-not-a-list", 'ex:PersonShape → property ex:name → sh:languageIn: "en" is not an RDF list'),
    ("equals-not-an-iri", 'ex:PersonShape → property ex:name → sh:equals: "ex:label" is not an IRI'),
    ("disjoint-not-an-iri", "ex:PersonShape → sh:disjoint: [] is not an IRI"),
    ("unsupported-js", ("shape ex:PersonShape → property ex:name uses sh:js (sh:JSConstraintComponent), which "
                        "kgbuild's SHACL engine does not support")),
    ("closed-not-boolean", 'ex:PersonShape → sh:closed: "yes" is not true or false'),
    ("ignored-properties-not-a-list", "ex:PersonShape → sh:closed: its sh:ignoredProperties: rdf:type is not an RDF list"),
    ("ignored-properties-not-iris",
     'ex:PersonShape → property ex:knows → sh:node → sh:closed: its sh:ignoredProperties: "name" is not an IRI'),
    ("qualified-min-count-negative",
     f'ex:BandShape → property ex:member → sh:qualifiedMinCount: "-1"^^xsd:integer {_NOT_NON_NEGATIVE}'),
    ("qualified-max-count-a-decimal",
     f'ex:BandShape → property ex:member → sh:qualifiedMaxCount: "2.0"^^xsd:decimal {_NOT_NON_NEGATIVE}'),
    ("qualified-value-shape-a-literal", ('ex:BandShape → property ex:member → sh:qualifiedMinCount: its '
                                         'sh:qualifiedValueShape: "singer" is not a shape (an IRI or blank node)')),
    ("qualified-disjoint-not-boolean", ('ex:BandShape → property ex:member → sh:qualifiedMinCount: its '
                                        'sh:qualifiedValueShapesDisjoint: "yes" is not true or false')),
    ("qualified-on-a-node-shape", ("ex:BandShape → sh:qualifiedMinCount: needs sh:path (it counts a property's "
                                   "values); a node shape cannot have sh:qualifiedValueShape")),
    ("qualified-value-shape-unsupported", ("shape ex:BandShape → property ex:member → sh:qualifiedValueShape uses "
                                           "sh:js (sh:JSConstraintComponent), which kgbuild's SHACL engine does not "
                                           "support")),
    ("qualified-sibling-bad", ("ex:BandShape → property ex:member → sibling property ex:leader → "
                               "sh:qualifiedValueShape → sh:nodeKind: sh:Text is not one of sh:IRI, sh:BlankNode, "
                               "sh:Literal, sh:BlankNodeOrIRI, sh:BlankNodeOrLiteral, sh:IRIOrLiteral")),
])
def test_a_bad_parameter_is_an_input_error_naming_the_shape_by_a_readable_path(fixture, message):
    """Checked when the shapes are read, before any query: the message names the shape by the path to it from a
    named shape (never a blank-node id), the parameter and what is wrong with its value."""
    shapes = Graph().parse(PARAMETERS / f"{fixture}.ttl", format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == message


def test_validate_reports_a_bad_parameter_of_the_project_shapes_in_one_line(mini):
    from conftest import append, run_cli

    append(mini / "shapes" / "shapes.ttl", "\nms:MeetingShape a sh:NodeShape ; sh:targetClass mo:Meeting ;\n"
                                           '    sh:property [ sh:path mo:date ; sh:maxCount "one" ] .\n')
    result = run_cli("validate", "--project", str(mini))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        'SHACL shapes unusable: ms:MeetingShape → property mo:date → sh:maxCount: "one" is not a non-negative integer')
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def _shacl_vocabulary() -> dict[URIRef, set[URIRef]]:
    """SHACL's constraint components and their parameters, as the SHACL vocabulary (pyshacl ships it) declares."""
    from importlib.resources import files

    graph = Graph().parse(data=files("pyshacl").joinpath("assets/shacl.ttl").read_text(encoding="utf-8"),
                          format="turtle")
    return {component: {graph.value(p, SH.path) for p in graph.objects(component, SH.parameter)}  # type: ignore[misc]
            for component in graph.subjects(RDF.type, SH.ConstraintComponent) if isinstance(component, URIRef)}


def test_the_component_table_is_the_list_of_supported_components():
    """Each entry is a SHACL constraint component by the parameter SHACL gives it; the constraint parameters the
    engine's docstring says it implements are exactly the table's; every SHACL parameter has its component named
    for a refusal."""
    import re

    import kgbuild.shacl as engine
    from kgbuild.shacl.components import CORE_PARAMETERS

    vocabulary = _shacl_vocabulary()
    for parameter, component in engine.COMPONENTS.items():
        assert component.parameter == parameter and parameter in vocabulary[component.iri]
    parameters = set().union(*vocabulary.values()) - {SH.property}  # sh:property: structure, not a constraint
    claimed = {URIRef(str(SH) + name) for name in re.findall(r"``(?:sh:)?(\w+)``", engine.__doc__ or "")} & parameters
    assert claimed == set(engine.COMPONENTS)
    for component, own in vocabulary.items():
        for parameter in own - {SH.property, SH.qualifiedValueShapesDisjoint}:
            assert str(component).removeprefix(str(SH)).removesuffix("ConstraintComponent") \
                in CORE_PARAMETERS[parameter]  # type: ignore[index]


_UNSUPPORTED = sorted(
    (component, min(own, key=str)) for component, own in _shacl_vocabulary().items()
    if own.isdisjoint(COMPONENTS) and SH.property not in own)


@pytest.mark.parametrize(("component", "parameter"), _UNSUPPORTED, ids=[str(c).rsplit("#")[1] for c, _ in _UNSUPPORTED])
def test_a_component_outside_the_table_is_refused_naming_it_and_the_shape(component, parameter):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; <{parameter}> ex:x ] .
    """, format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    name = parameter.n3(shapes.namespace_manager)
    assert str(raised.value).startswith(f"shape ex:S → property ex:p uses {name} (")
    assert f"sh:{str(component).rsplit('#')[1]}" in str(raised.value)
    assert str(raised.value).endswith("which kgbuild's SHACL engine does not support")


def test_the_engine_imports_only_its_shared_base_from_kgbuild():
    """kgbuild.shacl stands nearly alone: of kgbuild it imports only errors, the SPARQL text helpers (sparqltext) and
    the stores it runs on with their term conversions (kgbuild.backends: the Dataset protocol every store answers)."""
    import ast

    package = ROOT / "src" / "kgbuild" / "shacl"
    imported = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    outside = {name for name in imported if name.split(".")[0] == "kgbuild" and not name.startswith("kgbuild.shacl")}
    assert outside == {"kgbuild.errors", "kgbuild.sparqltext", "kgbuild.backends.base", "kgbuild.backends.convert",
                       "kgbuild.backends.embedded"}


def test_a_service_call_in_the_shapes_is_refused_before_anything_else_is_read():
    """The check passed in runs first: of shapes that would send requests, a bad parameter elsewhere is not the
    news."""
    from kgbuild.errors import ServiceRefusedError

    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount "one" ] .
        ex:B a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { $this ?p ?o } }" ] .
    """, format="turtle")
    with pytest.raises(ServiceRefusedError, match="calls SERVICE <http://127.0.0.1:9/>"):
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)


# --- what SHACL forbids in the SPARQL of constraints and targets (5.2.1), and SPARQL-based components ----------

_SPARQL_HEAD = """
    @prefix sh: <http://www.w3.org/ns/shacl#> .
    @prefix ex: <https://example.org/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ex:a ex:p "Value" ; ex:q ex:b .
    ex:b ex:p "Other" .
"""
_PREFIXES = 'ex: sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .\n'



def _pyshacl_refuses(shapes: Graph) -> bool:
    import pyshacl
    from pyshacl.errors import (
        ConstraintLoadError,
        ReportableRuntimeError,
        ShapeLoadError,
        ValidationFailure,
    )

    try:
        _, report, _ = pyshacl.validate(Graph().parse(data=_SPARQL_HEAD, format="turtle"), shacl_graph=shapes,
                                        inference="none", advanced=True, inplace=False)
    except (ConstraintLoadError, ReportableRuntimeError, ShapeLoadError):
        return True
    return isinstance(report, ValidationFailure)  # some refusals are returned in place of the report


@pytest.mark.parametrize(("where", "construct"), [
    ("$this ?x ?any . MINUS { $this ?x 'Value' }", "MINUS"),
    ("$this ?x ?any . FILTER NOT EXISTS { ?any ?y ?z MINUS { ?z ?y ?any } }", "MINUS"),
    ("VALUES ?any { true } $this ?x ?any", "VALUES"),
    ("$this ?x ?any . { SELECT ?other WHERE { ?other ?b ?c } }", "a subquery that does not project $this"),
    ("{ SELECT * WHERE { FILTER ($this = ex:a) } }", "a subquery that does not project $this"),
    ("$this ?x ?any . BIND (ex:a AS $this)", "BIND (… AS $this)"),
])
def test_sparql_that_shacl_forbids_in_a_constraint_is_refused_naming_the_shape_and_the_construct(where, construct):
    """SHACL 5.2.1: with $this pre-bound, a query may not use these; pyshacl refuses them too."""
    shapes = Graph().parse(data=_SPARQL_HEAD + _PREFIXES + f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ '
                                               f'sh:prefixes ex: ; sh:select """SELECT $this WHERE {{ {where} }}""" ] .',
                           format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == (f"ex:S → sh:sparql: its sh:select uses {construct}, which SHACL forbids in a query "
                                 "with $this pre-bound (SHACL 5.2.1)")
    assert _pyshacl_refuses(shapes)


def test_a_trailing_values_clause_is_refused_too():
    shapes = Graph().parse(data=_SPARQL_HEAD + 'ex:S a sh:NodeShape ; sh:targetNode ex:a ; '
                                               'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o } VALUES ?o '
                                               '{ 1 }" ] .', format="turtle")
    with pytest.raises(InputError, match=r"^ex:S → sh:sparql: its sh:select uses VALUES, "):
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)


@pytest.mark.parametrize(("where", "plain"), [
    ("$this ex:p ?value . FILTER (?value != 'MINUS { VALUES }' && ?value != ex:VALUES)",  # in a string, a name
     "$this ex:p ?value . FILTER (?value != 'x' && ?value != ex:x)"),
    ("$this ex:p ?value . FILTER (?value != <https://example.org/MINUS>) # MINUS { } VALUES\n",  # IRI, comment
     "$this ex:p ?value . FILTER (?value != <https://example.org/x>)"),
    ("$this ex:p ?values . BIND (?values AS ?value)", "$this ex:p ?v . BIND (?v AS ?value)"),  # ?values; AS ?value
    ("$this ex:q ?b . { SELECT $this (COUNT(*) AS ?n) WHERE { $this ex:q ?o } GROUP BY $this }",  # projects $this
     "$this ex:q ?b . { SELECT $this (COUNT(*) AS ?n) WHERE { $this ex:q ?o } GROUP BY $this }"),
    ("{ SELECT * WHERE { $this ex:p ?value } }", "$this ex:p ?value"),  # SELECT * with $this in scope
])
def test_sparql_that_only_looks_forbidden_runs_with_pyshacls_results(where, plain):
    """Not refused, and the results pyshacl gives for the same query without the look-alike (pyshacl itself
    refuses some of these: it looks for the words in the text)."""
    def shapes_with(text: str) -> Graph:
        return Graph().parse(data=_SPARQL_HEAD + _PREFIXES + f'ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; '
                                                             f'sh:sparql [ sh:prefixes ex: ; sh:select """SELECT $this '
                                                             f'WHERE {{ {text} }}""" ] .', format="turtle")

    data = Graph().parse(data=_SPARQL_HEAD, format="turtle")
    store = ox.Store()
    store.extend(ox.parse(data.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES))
    shapes = shapes_with(where)
    engine = _engine_results(ShapesProgram(shapes, refuse_service=refuse_service_in_shapes), store, shapes)
    assert engine and engine == _pyshacl_results(data, shapes_with(plain))


_IMPORTED_PREFIXES = """
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ex:Prefixes owl:imports ex:Ontology ; sh:declare [ sh:prefix "xs" ; sh:namespace "{xsd}"^^xsd:anyURI ] .
    ex:Ontology owl:imports ex:Prefixes, ex:Base .
    ex:Base sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .
    ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
        sh:sparql [ sh:prefixes ex:Prefixes ; sh:select "SELECT $this ?value WHERE {{ $this ex:p ?value }}" ] ;
        sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:Prefixes ;
                    sh:select "SELECT ?this WHERE {{ ?this ex:q ?o FILTER (?o != xs:int) }}" ] .
"""


def test_sh_prefixes_follows_owl_imports_within_the_shapes_graph():
    """SHACL 5.2.1: a query's prefixes are those of sh:prefixes/owl:imports*/sh:declare (the imports a cycle here,
    read in the shapes graph, nothing fetched), for constraints and SPARQL targets alike; the results are pyshacl's
    for the same shapes with the declarations on the sh:prefixes node itself (pyshacl does not follow imports)."""
    text = _IMPORTED_PREFIXES.format(xsd=XSD)
    shapes = Graph().parse(data=_SPARQL_HEAD + text, format="turtle")
    declared = 'ex:Prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] ;'
    direct = Graph().parse(data=_SPARQL_HEAD + text.replace("owl:imports ex:Prefixes, ex:Base", "owl:imports ex:Base")
                           .replace("ex:Prefixes owl:imports ex:Ontology ;", declared), format="turtle")
    data = Graph().parse(data=_SPARQL_HEAD, format="turtle")
    store = ox.Store()
    store.extend(ox.parse(data.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES))
    got = _engine_results(ShapesProgram(shapes, refuse_service=refuse_service_in_shapes), store, shapes)
    assert {(str(focus), str(value)) for _, focus, _, value, _ in got} == {
        ("https://example.org/a", "Value"), ("https://example.org/b", "Other")}  # b: a subject of ex:p, not of ex:q
    assert got == _pyshacl_results(data, direct)


def test_a_prefix_declared_with_two_namespaces_through_imports_is_refused_naming_the_shape():
    """SHACL 5.2.1: such a shapes graph is ill-formed; refused when the shapes are read, before any query."""
    text = _IMPORTED_PREFIXES.format(xsd=XSD).replace('sh:prefix "xs"', 'sh:prefix "ex"')
    with pytest.raises(InputError) as raised:
        ShapesProgram(Graph().parse(data=_SPARQL_HEAD + text, format="turtle"), refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == ("ex:S → sh:target → sh:prefixes: the prefix 'ex' is declared with two "
                                 f"namespaces, <{XSD}> and <https://example.org/> (SHACL 5.2.1)")


def test_a_sparql_target_with_minus_is_refused_naming_the_shape():
    shapes = Graph().parse(data=_SPARQL_HEAD + """
        ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ;
            sh:select "SELECT ?this WHERE { ?this ex:p ?o MINUS { ?this ex:q ?x } }" ] ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    """, format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == ("ex:S → sh:target: its sh:select uses MINUS, which SHACL forbids in a query the focus "
                                 "nodes are joined with (SHACL 5.2.1)")


COMPONENTS_FIXTURE = ROOT / "tests" / "fixtures" / "engine" / "components"
_CX = "https://example.org/components#"


def _component_run(extra: str = ""):
    """(shapes, rdflib data graph, store, the data's subjects, program) of the components fixture, ``extra``
    Turtle (prefixes sh:, ex:, xsd: declared) added to its shapes."""
    shapes = Graph().parse(COMPONENTS_FIXTURE / "shapes.ttl", format="turtle")
    if extra:
        shapes.parse(data=f"@prefix sh: <{SH}> . @prefix ex: <{_CX}> . @prefix xsd: <{XSD}> .\n" + extra,
                     format="turtle")
    graph, store, subjects = _graph_and_store([COMPONENTS_FIXTURE / "data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    return shapes, graph, store, subjects[COMPONENTS_FIXTURE / "data.ttl"], program


def test_sparql_based_constraint_components_give_pyshacls_results_whole_and_per_node():
    """SHACL 6: an ASK validator (on a node shape, and in a member shape), a SELECT node validator, a SELECT
    property validator with $PATH (a predicate and a sequence path), an optional parameter given and not, a
    component declared through a subclass of sh:ConstraintComponent. The results are pyshacl's, reported under
    the component's IRI, their messages the validator's with {$param} and {?var} filled in."""
    shapes, graph, store, subjects, program = _component_run()
    got = _engine_results(program, store, shapes)
    assert got == _pyshacl_results(graph, shapes, details=False)
    keys = {(str(shape).removeprefix(_CX) if isinstance(shape, URIRef) else "_", str(focus).removeprefix(_CX),
             path, str(value).removeprefix(_CX)) for shape, focus, path, value, _ in got}
    name, friend_name = f"<{_CX}name>", f"<{_CX}friend>/<{_CX}name>"
    assert keys == {
        ("IriShape", "bob", None, "bob"), ("IriShape", "cid", None, "cid"),  # no suffix "n"
        ("PersonShape", "cid", None, "cid"), ("PersonShape", "dan", None, "dan"),  # no ex:friend
        ("_", "ann", name, "Anna"), ("_", "bob", name, "Bob"), ("_", "ann", friend_name, "Bob"),  # not English
        ("_", "ann", f"<{_CX}friend>", "bob"), ("_", "bob", f"<{_CX}friend>", "dan"),  # fail ex:AbShape
    }
    results = program.validate(store, workers=1)
    assert {r.component_iri for r in results} == {URIRef(_CX + "AffixComponent"), URIRef(_CX + "HasComponent"),
                                                  URIRef(_CX + "LanguageComponent"), SH.NodeConstraintComponent}
    assert sorted(str(m) for r in results if r.component.endswith("LanguageComponent") for m in r.messages) == [
        "Anna is not in language en", "Bob is not in language en", "Bob is not in language en"]
    for node in sorted(subjects):  # restricted to one focus node at a time
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in got if str(r[1]) == node}


def test_sparql_based_constraint_components_on_an_endpoint_give_the_embedded_stores_results(oxigraph_server):
    """Their queries are plain SPARQL 1.1: on a real ``oxigraph serve``, whole and restricted to a focus node."""
    from kgbuild.backends.remote import EndpointDataset

    shapes, _, store, subjects, program = _component_run()
    oxigraph_server.clear()
    oxigraph_server.load((COMPONENTS_FIXTURE / "data.ttl").read_text(encoding="utf-8"), content_type="text/turtle")
    endpoint = EndpointDataset(oxigraph_server.query_url)

    def keys(results):
        return sorted((str(r.shape) if isinstance(r.shape, URIRef) else "_", r.component, str(r.focus),
                       str(r.value), tuple(map(str, r.messages))) for r in results)

    embedded = program.validate(store, workers=1)
    assert any(":" in r.component for r in embedded)
    assert keys(program.validate(endpoint, workers=1)) == keys(embedded)
    focus = [_CX + "ann"]
    assert keys(program.validate(endpoint, focus=focus, workers=1)) == keys(program.validate(store, focus=focus))


def test_an_ask_validator_on_a_property_shape_fails_each_value_it_answers_false_for():
    """SHACL 6.3.1: the value node is the result's sh:value (pyshacl leaves sh:value out on property shapes;
    the rest is its)."""
    extra = "ex:FriendsShape a sh:NodeShape ; sh:targetClass ex:Person ; " \
            "sh:property [ sh:path ex:friend ; ex:property ex:name ] ."
    shapes, graph, store, _, program = _component_run(extra)
    friends = {r for r in _engine_results(program, store, shapes) if r[2] == f"<{_CX}friend>"
               and (None, SH.property, r[0]) in shapes and (URIRef(_CX + "FriendsShape"), SH.property, r[0]) in shapes}
    assert {(str(r[1]), str(r[3])) for r in friends} == {(_CX + "bob", _CX + "dan")}  # dan has no name
    expected = {r for r in _pyshacl_results(graph, shapes, details=False)
                if (URIRef(_CX + "FriendsShape"), SH.property, r[0]) in shapes}
    assert {(shape, focus, path, None, severity) for shape, focus, path, _, severity in friends} == expected


def test_several_values_of_a_parameter_use_the_component_once_per_value():
    """As with SHACL's own components (each value of sh:class a constraint), each value is a use: "Bob"@fr fails
    both languages, "Ann"@en and "Cid"@en the German one, "Anna"@de the English one (pyshacl takes one of the
    values)."""
    extra = 'ex:TwoShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:name ; ' \
            'ex:lang "en", "de" ] .'
    shapes, _, store, _, program = _component_run(extra)
    two = [r for r in program.validate(store, workers=1) if (URIRef(_CX + "TwoShape"), SH.property, r.shape) in shapes]
    assert sorted(str(m) for r in two for m in r.messages) == [
        "Ann is not in language de", "Anna is not in language en", "Bob is not in language de",
        "Bob is not in language en", "Cid is not in language de"]


_COMPONENT_HEAD = _SPARQL_HEAD + """
    ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; ex:lang "en" ] .
    ex:MyComponent a sh:ConstraintComponent ; sh:parameter [ sh:path ex:lang ] .
"""
_ASK = 'sh:validator [ sh:ask "ASK { FILTER (lang($value) = $lang) }" ]'


_USE = "ex:S → property ex:p → ex:MyComponent"


@pytest.mark.parametrize(("declaration", "message"), [
    ('ex:MyComponent sh:nodeValidator [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .',
     f"{_USE}: the component has no validator for a property shape (sh:propertyValidator, or sh:validator with "
     "an ASK query), so it cannot be checked (SHACL 6.3)"),
    ('ex:MyComponent sh:validator [ sh:jsFunctionName "f" ] .',
     f"{_USE}: a SHACL-JS validator (sh:jsFunctionName), which kgbuild's SHACL engine does not support"),
    ('ex:MyComponent sh:validator [ sh:ask "ASK { FILTER ($shapesGraph = $lang) }" ] .',
     f"{_USE}: its validator uses the pre-bound variable $shapesGraph, which kgbuild's SHACL engine does not "
     "support"),
    ('ex:MyComponent sh:validator [ sh:ask "ASK FROM ex:g { FILTER (lang($value) = $lang) }" ] .',
     f"{_USE}: its ASK validator: FROM ex:g after ASK, which kgbuild's SHACL engine does not support (a dataset "
     "clause: the data graph is the one validated)"),
    ('ex:MyComponent sh:validator [ sh:ask "ASK { MINUS { $value ?p ?o } }" ] .',
     f"{_USE}: its validator uses MINUS, which SHACL forbids in a query with pre-bound variables (SHACL 5.2.1)"),
    (f"ex:MyComponent {_ASK} ; sh:parameter [ sh:path ex:value ; sh:optional true ] .",
     f"{_USE}: the parameter ex:value is named $value, a variable SHACL pre-binds itself (SHACL 6.2.1)"),
    (f"ex:MyComponent {_ASK} . ex:S sh:property [ sh:path ex:q ; ex:lang [ ex:a 1 ] ] .",
     "ex:S → property ex:q → ex:MyComponent → parameter ex:lang: a blank node cannot be pre-bound (a query "
     "names IRIs and literals only)"),
    (f"ex:MyComponent {_ASK} . ex:S sh:property [ sh:path ex:q ; ex:lang <https://example.org/a b> ] .",
     "ex:S → property ex:q → ex:MyComponent → parameter ex:lang: the IRI 'https://example.org/a b' holds ' ', "
     "which an IRI may not"),
])
def test_a_sparql_based_component_the_engine_cannot_run_is_refused_naming_the_shape_and_the_component(
        declaration, message):
    shapes = Graph().parse(data=_COMPONENT_HEAD + declaration, format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == message


def test_a_parameter_without_values_for_all_mandatory_parameters_is_no_use_of_the_component():
    """SHACL 6.2: only the optional parameter given, the component does not apply (no result, no refusal)."""
    shapes = Graph().parse(data=_SPARQL_HEAD + f"""
        ex:MyComponent a sh:ConstraintComponent ; sh:parameter [ sh:path ex:lang ] ;
            sh:parameter [ sh:path ex:tag ; sh:optional true ] ; {_ASK} .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; ex:tag "x" ] .
    """, format="turtle")
    data = Graph().parse(data=_SPARQL_HEAD, format="turtle")
    store = ox.Store()
    store.extend(ox.parse(data.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES))
    assert ShapesProgram(shapes, refuse_service=refuse_service_in_shapes).validate(store, workers=1) == []
    assert _pyshacl_results(data, shapes) == set()


@pytest.mark.parametrize("path", ["ex:q", "( ex:q ex:p )", "[ sh:inversePath ex:q ]", "[ sh:alternativePath ( ex:p ex:q ) ]"])
def test_path_in_the_sparql_of_a_property_shape_is_its_path_as_pyshacl_has_it(path):
    """SHACL 5.3.1: $PATH stands for the property shape's path in SPARQL property-path syntax."""
    text = _SPARQL_HEAD + _PREFIXES + f"""
        ex:c ex:q ex:a .
        ex:S a sh:PropertyShape ; sh:targetNode ex:a , ex:b , ex:c ; sh:path {path} ;
            sh:sparql [ sh:prefixes ex: ; sh:select "SELECT $this ?value WHERE {{ $this $PATH ?value . FILTER (?value != 'Value') }}" ] .
    """
    shapes = Graph().parse(data=text, format="turtle")
    data = Graph().parse(data=text, format="turtle")
    store = ox.Store()
    store.extend(ox.parse(data.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES))
    got = _engine_results(ShapesProgram(shapes, refuse_service=refuse_service_in_shapes), store, shapes)
    assert got and got == _pyshacl_results(data, shapes)


def test_path_is_replaced_where_it_is_a_variable_only():
    """Not in a string, an IRI or a comment, nor in a longer variable name; ?PATH as $PATH; after the '.' that
    ends a triple too."""
    from kgbuild.shacl.sparqlcomponents import substitute_path

    text = ('SELECT $this ?value WHERE { $this $PATH ?value . ?value ?PATH ?x . ?x ex:p $PATHS . '
            'FILTER (?x != "$PATH" && ?x != <urn:$PATH>) ?x ex:q $this.$PATH ?y # $PATH\n}')
    assert substitute_path(text, "(<urn:a>/^<urn:b>)") == (
        'SELECT $this ?value WHERE { $this  (<urn:a>/^<urn:b>)  ?value . ?value  (<urn:a>/^<urn:b>)  ?x . '
        '?x ex:p $PATHS . FILTER (?x != "$PATH" && ?x != <urn:$PATH>) ?x ex:q $this. (<urn:a>/^<urn:b>)  ?y # $PATH\n}')


def test_path_in_the_sparql_of_a_node_shape_is_refused():
    shapes = Graph().parse(data=_SPARQL_HEAD + 'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ '
                                               'sh:select "SELECT $this WHERE { $this $PATH ?v }" ] .', format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == ("ex:S → sh:sparql: its sh:select uses $PATH, which only a property shape has "
                                 "(SHACL 5.3.1)")


def test_shacls_own_components_declared_in_the_shapes_graph_are_not_refused():
    """A shapes graph may hold SHACL's vocabulary (sh:MinCountConstraintComponent a sh:ConstraintComponent, with
    its parameter sh:minCount): the table, not that declaration, says what the engine supports."""
    from importlib.resources import files

    shapes = Graph().parse(data=files("pyshacl").joinpath("assets/shacl.ttl").read_text(encoding="utf-8"),
                           format="turtle")
    shapes.parse(data=_SPARQL_HEAD + "ex:S a sh:NodeShape ; sh:targetNode ex:a ; "
                                     "sh:property [ sh:path ex:p ; sh:minCount 2 ] .", format="turtle")
    data = Graph().parse(data=_SPARQL_HEAD, format="turtle")
    store = ox.Store()
    store.extend(ox.parse(data.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES))
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert {r.component for r in program.validate(store, workers=1)} == {"MinCount"}


# --- closed shapes, nested property shapes, deactivated shapes ------------------------------------------------

STRUCTURE = ROOT / "tests" / "fixtures" / "engine" / "structure"


def _structure_results(name: str) -> tuple[set[tuple], set[tuple], set[str]]:
    """(the engine's results, pyshacl's, the local names of the engine's (focus, path, value) keys) on a fixture."""
    shapes = Graph().parse(STRUCTURE / f"{name}-shapes.ttl", format="turtle")
    graph, store, _ = _graph_and_store([STRUCTURE / f"{name}-data.ttl"])
    got = _engine_results(ShapesProgram(shapes, refuse_service=refuse_service_in_shapes), store, shapes)
    ns = f"https://example.org/{name}#"

    def local(term) -> str:
        return "_" if isinstance(term, BNode) else str(term).removeprefix("<").removesuffix(">").removeprefix(ns)

    keys = {" ".join(local(t) if t is not None else "-" for t in (focus, path, value))
            for _, focus, path, value, _ in got}
    return got, _pyshacl_results(graph, shapes, details=False), keys


def test_a_closed_shape_reports_each_triple_of_a_predicate_it_does_not_allow_as_pyshacl_does():
    """SHACL 4.8.1: allowed are the predicate paths of the shape's property shapes (not an inverse path) and
    sh:ignoredProperties; every other triple of a value node is a result, its predicate the path, its object the
    value. sh:closed false closes nothing; a closed member shape (sh:node) fails the value that has such a triple;
    on a property shape, the values of its path are closed."""
    got, expected, keys = _structure_results("closed")
    assert keys == {
        "bob age 41", "bob email bob@example.org", "bob email b@example.org", "ann member club",
        f"b1 {RDF.type} Badge", "b1 holder _",
        "ann knows bob",  # ex:FriendShape: bob, a value of ex:knows, has more than ex:name
        "ann age 41",  # ex:KnowsClosedShape: of bob, a value of ann's ex:knows, ex:age is not allowed
    }
    assert got == expected


def test_a_property_shape_of_a_property_shape_is_validated_on_the_values_of_its_path_as_pyshacl_does():
    """The nested shapes' focus nodes are the parent's value nodes (the addresses, two levels down the countries),
    never the parent's focus nodes: bob's own ex:city is not looked at, cat (no address) has nothing to check."""
    got, expected, keys = _structure_results("nested")
    assert keys == {
        "a2 city -", "a3 city 75", "a2 country -",  # no city; not a string; two countries
        "de code Germany", "xx code -",  # the country codes, two levels down
        "nameless name -", "lonely name -",  # the nested named shape: on the employers, and on its own target
        "car1 serial -",  # under a SPARQL target
    }
    assert got == expected
    # restricted to one focus node at a time (a contribution's), the results about it
    shapes = Graph().parse(STRUCTURE / "nested-shapes.ttl", format="turtle")
    _, store, subjects = _graph_and_store([STRUCTURE / "nested-data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    whole = _engine_results(program, store, shapes)
    for node in sorted(subjects[STRUCTURE / "nested-data.ttl"] | {"https://example.org/nested#xx"}):
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in whole if str(r[1]) == node}


def test_a_deactivated_shape_runs_neither_its_constraints_nor_its_property_shapes_as_pyshacl_does():
    """SHACL 2.1.5: a deactivated shape's constraints and property shapes do not run (its sh:closed, its
    minCount of a name, the nested shape under a deactivated property shape); a property shape it shares with an
    active shape runs there."""
    got, expected, keys = _structure_results("deactivated")
    assert keys == {"ann age -", "ann email -"}
    assert got == expected


def test_a_member_shapes_nested_property_shapes_run_on_the_values_of_its_paths_as_pyshacl_does():
    """Inside a member shape (sh:node) too, a property shape's sh:property shapes look at the values of its path:
    globex fails ex:LocatedShape (its address a3 has no city), acme passes (its own city does not count, its
    address has one); a deactivated member shape fails no value."""
    got, expected, keys = _structure_results("member")
    assert keys == {"bob employer globex"}
    assert got == expected


# --- pre-binding (SHACL 5.2.2): $this in nested groups, $currentShape, $shapesGraph ---------------------------

_PREBINDING = ROOT / "tests" / "fixtures" / "engine" / "prebinding"
_PB = "https://example.org/prebinding#"


def _local(results: set[tuple]) -> set[tuple[str, str, str]]:
    """(shape, focus, value) of results, IRIs without the fixture's namespace."""
    return {tuple(str(term).removeprefix(_PB) for term in (shape, focus, value))  # type: ignore[misc]
            for shape, focus, _path, value, _severity in results}


def test_this_is_pre_bound_in_nested_groups_union_branches_and_subqueries_as_pyshacl_does():
    """$this used in a UNION branch, an inner group, an OPTIONAL group (each binding another variable from it)
    and a subquery, not projected, with LIMIT (outer and subquery), and $currentShape: pyshacl's results
    (pre-bound per focus node), whole graph and restricted to each focus node. With $this free in those groups
    (one query joined with the targets at its start), none of them gives these results."""
    shapes = Graph().parse(_PREBINDING / "shapes.ttl", format="turtle")
    graph, store, subjects = _graph_and_store([_PREBINDING / "data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    expected = _pyshacl_results(graph, shapes)
    got = _engine_results(program, store, shapes)
    # by hand from data.ttl: bob's age is negative and cat has none; cat knows itself; bob knows cat, who does
    # not know him back; nobody knows dan; ann refers to the shape itself; dan is over 100; the last (first) one
    # each knows, if not themselves
    assert _local(got) == {("UnionShape", "bob", "-2"), ("UnionShape", "cat", "cat"),
                           ("InnerGroupShape", "cat", "cat"), ("OptionalShape", "bob", "cat"),
                           ("SubqueryShape", "dan", "0"), ("CurrentShape", "ann", "CurrentShape"),
                           ("UnprojectedShape", "dan", "200"), ("FirstKnownShape", "ann", "bob"),
                           ("FirstKnownShape", "bob", "cat"), ("FirstKnownShape", "cat", "cat"),
                           ("FirstKnownInSubqueryShape", "ann", "bob"), ("FirstKnownInSubqueryShape", "bob", "ann")}
    assert got == expected
    for node in sorted(subjects[_PREBINDING / "data.ttl"]):
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in expected if str(r[1]) == node}


def _one_constraint(select: str, *, target: str = "sh:targetClass ex:Person") -> Graph:
    return Graph().parse(data=f"""@prefix ex: <{_PB}> .
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex: sh:declare [ sh:prefix "ex" ; sh:namespace "{_PB}"^^xsd:anyURI ] .
        ex:S a sh:NodeShape ; {target} ; sh:sparql [ sh:prefixes ex: ; sh:select \"\"\"{select}\"\"\" ] .
        """, format="turtle")


@pytest.mark.parametrize("select", [
    "SELECT (COUNT(?k) AS ?n) WHERE { ?k ex:knows $this } HAVING (COUNT(?k) > 1)",
    "SELECT $this (COUNT(?k) AS ?n) WHERE { ?k ex:knows $this } HAVING (COUNT(?k) > 1)",
    "SELECT $this ?value WHERE { { SELECT $this (COUNT(?k) AS ?n) WHERE { ?k ex:knows $this } } "
    "FILTER (?n > 1) BIND ($this AS ?value) }",
])
def test_a_constraint_aggregating_without_grouping_by_this_aggregates_each_focus_nodes_rows(select):
    """Pre-bound, $this is one node: an aggregate counts that node's rows, with or without GROUP BY $this (pyshacl
    gives no result for the first form: results by hand). Only cat is known by two."""
    shapes = _one_constraint(select)
    _, store, _ = _graph_and_store([_PREBINDING / "data.ttl"])
    got = _engine_results(ShapesProgram(shapes, refuse_service=refuse_service_in_shapes), store, shapes)
    assert {focus for _shape, focus, *_ in _local(got)} == {"cat"}


def test_a_constraint_with_limit_on_a_blank_focus_node_is_refused_naming_the_shape():
    """LIMIT needs one query per focus node, with the node in it: a blank node cannot be named."""
    shapes = _one_constraint("SELECT $this WHERE { $this ex:knows ?x } LIMIT 1", target="sh:targetSubjectsOf ex:knows")
    store = ox.Store()
    store.add(ox.Quad(ox.BlankNode(), ox.NamedNode(_PB + "knows"), ox.NamedNode(_PB + "ann")))
    with pytest.raises(InputError, match=r"^ex:S → sh:sparql: its sh:select uses LIMIT or OFFSET, which needs one "
                                         r"query per focus node, and a focus node is a blank node"):
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes).validate(store)


def test_shapes_graph_is_pre_bound_to_a_graph_holding_the_shapes_that_no_other_query_sees():
    """$shapesGraph names a graph of the store holding the shapes graph while validation runs (pyshacl does not
    implement it: results by hand). A query listing the named graphs finds the store's own, not that one, and
    the store is left as it was."""
    shapes = Graph().parse(_PREBINDING / "shapes-graph.ttl", format="turtle")
    _, store, _ = _graph_and_store([_PREBINDING / "data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    before = set(store)
    assert _local(_engine_results(program, store, shapes)) == {("MaxAgeShape", "dan", "200")}
    assert _local(_engine_results(program, store, shapes, focus=[_PB + "dan"])) == {("MaxAgeShape", "dan", "200")}
    assert set(store) == before and list(store.named_graphs()) == []
    store.add(ox.Quad(ox.NamedNode(_PB + "ann"), ox.NamedNode(_PB + "p"), ox.Literal("x"), ox.NamedNode(_PB + "g")))
    assert _local(_engine_results(program, store, shapes, focus=[_PB + "ann"])) == {("NamedGraphShape", "ann", "g")}
    assert list(store.named_graphs()) == [ox.NamedNode(_PB + "g")]


def test_on_an_endpoint_this_is_pre_bound_alike_and_shapes_graph_is_refused(oxigraph_server):
    """Pre-binding is query text: a remote store gives the embedded store's results. It cannot be given the shapes
    graph: a constraint using $shapesGraph is refused, before any query is sent."""
    from kgbuild.backends.remote import EndpointDataset

    shapes = Graph().parse(_PREBINDING / "shapes.ttl", format="turtle")
    _, store, _ = _graph_and_store([_PREBINDING / "data.ttl"])
    oxigraph_server.clear()
    oxigraph_server.load((_PREBINDING / "data.ttl"), content_type="text/turtle")
    endpoint = EndpointDataset(oxigraph_server.query_url)
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert _engine_results(program, endpoint, shapes) == _engine_results(program, store, shapes)
    with_graph = ShapesProgram(Graph().parse(_PREBINDING / "shapes-graph.ttl", format="turtle"),
                               refuse_service=refuse_service_in_shapes)
    with pytest.raises(InputError, match=r"uses \$shapesGraph, which needs the shapes graph in the store .* "
                                         r"cannot add it to a remote store"):
        with_graph.validate(endpoint)
    oxigraph_server.clear()


@pytest.mark.parametrize(("shape", "select", "problem"), [
    ("[ sh:targetNode ex:a", "SELECT $this WHERE { $this ?p ?o FILTER (?o != $currentShape) }",
     "[] → sh:sparql: its sh:select uses $currentShape, and the shape is a blank node, which kgbuild's SHACL "
     "engine cannot pre-bind (a query can name no blank node): give the shape an IRI"),
    ("ex:S a sh:NodeShape ; sh:targetNode ex:a", "SELECT $this WHERE { $this ?p ?o BIND (ex:a AS ?currentShape) }",
     "ex:S → sh:sparql: its sh:select uses AS $currentShape, which SHACL forbids (a pre-bound variable bound "
     "again, SHACL 5.2.1)"),
    ("ex:S a sh:NodeShape ; sh:targetNode ex:a", "SELECT $this (ex:g AS $shapesGraph) WHERE { $this ?p ?o }",
     "ex:S → sh:sparql: its sh:select uses AS $shapesGraph, which SHACL forbids (a pre-bound variable bound "
     "again, SHACL 5.2.1)"),
])
def test_a_pre_bound_variable_the_engine_cannot_bind_is_refused_naming_the_shape(shape, select, problem):
    closing = " ]" if shape.startswith("[") else ""
    shapes = Graph().parse(data=_SPARQL_HEAD + _PREFIXES + f'{shape} ; sh:sparql [ sh:prefixes ex: ; '
                                                           f'sh:select """{select}""" ]{closing} .', format="turtle")
    with pytest.raises(InputError) as raised:
        ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    assert str(raised.value) == problem


def test_qualified_value_shapes_count_the_conforming_values_as_pyshacl_does():
    """SHACL 4.7.3: per focus node, the values conforming to sh:qualifiedValueShape (a shape with its own property
    shapes too) and, with sh:qualifiedValueShapesDisjoint true, to none of the sibling shapes, against
    sh:qualifiedMinCount / sh:qualifiedMaxCount; a focus node without values counts none; inside a member shape
    (sh:node) the failing band fails the festival. Whole graph and restricted to each focus node in turn."""
    got, expected, keys = _structure_results("qualified")
    assert keys == {
        "beat member -",  # Singers: cat also plays, so no singer (0 < 1); Players: 4 > 3; one named member < 2
        "chor member -",  # Singers: 3 > 2
        "void member -",  # no members: 0 < 1 singer, 0 < 2 named
        "fair band chor",  # chor has two named leads (2 > 1)
        "fest band beat",  # beat's lead dan has no name (0 < 1)
    }
    assert len(got) == 8 and got == expected
    shapes = Graph().parse(STRUCTURE / "qualified-shapes.ttl", format="turtle")
    _, store, subjects = _graph_and_store([STRUCTURE / "qualified-data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    whole = _engine_results(program, store, shapes)
    for node in sorted(subjects[STRUCTURE / "qualified-data.ttl"]):
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in whole if str(r[1]) == node}


def test_literal_focus_nodes_and_values_are_reported_as_written_as_pyshacl_does():
    """The store keeps "4.0"^^xsd:decimal as "4" and "04"^^xsd:integer as "4": a literal focus node (a target node
    of the shapes, an object of the data; of a node shape and of its property shape) and a value (on a path, inside
    sh:not, of a closed shape's triple) are reported as written, each form its own result where several forms of one
    value were written; sh:in, sh:pattern and sh:hasValue judge the value as written, a qualified count counts the
    values as written."""
    fixture = ROOT / "tests" / "fixtures" / "engine" / "literals"
    shapes = Graph()  # as written: rdflib's own parser would make "04" "4"
    for quad in ox.parse(path=str(fixture / "shapes.ttl"), format=ox.RdfFormat.TURTLE):
        shapes.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))  # type: ignore[arg-type]
    graph, store, written = _written_store(fixture / "data.ttl")
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    got = {(r.shape, r.focus, None if r.path is None else render_path(r.path, shapes, _N), r.value, r.severity)
           for r in program.validate(store, written=written)}
    shown = {f"{r[1].n3() if isinstance(r[1], Literal) else '_'} {r[3].n3() if isinstance(r[3], Literal) else '-'}"
             for r in got}
    decimal, integer = f"^^<{XSD.decimal}>", f"^^<{XSD.integer}>"
    assert shown == {
        f'"4.0"{decimal} "4.0"{decimal}', f'"4.00"{decimal} "4.00"{decimal}', f'"4"{integer} "4"{integer}',
        f'"04"{integer} "04"{integer}',  # ex:Below4, the target nodes as written
        f'"4.0"{decimal} -', f'"3.5"{decimal} -',  # ex:Counted: no ex:v
        f'"4.0"{decimal} "4.0"{decimal}', f'"4.00"{decimal} "4.00"{decimal}', f'"3"{integer} "3"{integer}',
        f'"05"{integer} "05"{integer}',  # ex:Above5 (5 is not above 5)
        f'_ "05"{integer}', f'_ "6.50"{decimal}',  # ex:AtMost4
        f'_ "8"{integer}',  # ex:NotIn: "07" is not the member 7 (RDF terms), so it passes sh:not
        f'_ "1.50"{decimal}',  # ex:Closed; ex:Written (not "^1\\.5$", though the store's "1.5" would be)
        "_ -",  # ex:Has5: ex:a's "05" is not 5 (ex:b has no 5 at all)
        f'"4.00"{decimal} -',  # ex:Is4: 4.00 is not 4.0
        # ex:OneCount: ex:d's two integers (ex:e's one passes); "_ -" above
    }
    assert (URIRef("https://example.org/literals#d"), "<https://example.org/literals#n>") in {r[1:3] for r in got}
    assert got == _pyshacl_results(graph, shapes)
    # the target nodes as the shapes wrote them, though no literal of the data changed (nothing to pass as written)
    alone = {(r.focus.n3(), r.component) for r in program.validate(ox.Store()) if isinstance(r.focus, Literal)}
    assert alone == {(f'"4.0"{decimal}', "MaxExclusive"), (f'"4.00"{decimal}', "MaxExclusive"),
                     (f'"4"{integer}', "MaxExclusive"), (f'"04"{integer}', "MaxExclusive"),
                     (f'"4.0"{decimal}', "MinCount"), (f'"3.5"{decimal}', "MinCount"), (f'"4.00"{decimal}', "HasValue")}


def test_in_and_has_value_compare_rdf_terms_not_numeric_values_as_pyshacl_does():
    """"1"^^xsd:decimal equals 1 as a number but is another RDF term: sh:in and sh:hasValue (SHACL 4.8.1, 4.8.2:
    "RDF term equality") fail it, on a path and on the focus node itself; so does the string "1"."""
    folder = ROOT / "tests" / "fixtures" / "engine" / "terms"
    shapes = Graph().parse(folder / "shapes.ttl", format="turtle")
    graph, store, subjects = _graph_and_store([folder / "data.ttl"])
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    expected = _pyshacl_results(graph, shapes)
    got = _engine_results(program, store, shapes)
    ex = "https://example.org/terms#"
    # by hand from data.ttl: a's decimal level and c's string level are not in (1 3); a's decimal rank is not 2;
    # the level objects decimal 1 and string "1" are neither the node 1 nor in (1)
    fired = {(str(shape).removeprefix(ex) if not isinstance(shape, BNode) else "property",
              focus.n3() if isinstance(focus, Literal) else str(focus).removeprefix(ex),
              None if value is None else value.n3())
             for shape, focus, _path, value, _severity in got}
    decimal, string = '"1"^^<http://www.w3.org/2001/XMLSchema#decimal>', '"1"'
    assert fired == {("property", "a", decimal), ("property", "a", None),  # sh:hasValue results have no value
                     ("property", "c", string), ("OneIsNode", decimal, None), ("OneIsNode", string, None),
                     ("OneInList", decimal, decimal), ("OneInList", string, string)}
    assert got == expected
    for node in sorted(subjects[folder / "data.ttl"]):
        assert _engine_results(program, store, shapes, focus=[node]) == {r for r in expected if str(r[1]) == node}
