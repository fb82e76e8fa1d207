"""The evaluator's shortcut for a SPARQL constraint whose target selects exactly its focus nodes.

SHACL-AF wants a target's select to project only ``$this``, so the project's shapes write each rule as a target
(``SELECT DISTINCT $this WHERE …``) and a constraint with the same WHERE clause. Joining the constraint with
such a target cannot change its rows, so the engine runs the constraint alone — as fast as when target and
constraint were one node.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kgbuild.federation import refuse_service_in_shapes
from kgbuild.shacl import ShapesProgram
from kgbuild.shacl.evaluator import _selects_the_focus_of

ROOT = Path(__file__).resolve().parent.parent
WHERE = "WHERE { $this a ?c . FILTER NOT EXISTS { $this ?p ?o } } GROUP BY $this HAVING (COUNT(*) > 1)"


@pytest.mark.parametrize(
    ("target", "constraint", "expected"),
    [
        (f"SELECT DISTINCT $this {WHERE}", f"SELECT $this ?c (COUNT(*) AS ?n) {WHERE}", True),
        (f"SELECT ?this\n  {' '.join(WHERE.split())}", f"SELECT $this ?value\n{WHERE}", True),  # whitespace only
        (f"SELECT $this ?c {WHERE}", f"SELECT $this ?c {WHERE}", True),  # one query for both
        (f"SELECT DISTINCT $this ?c {WHERE}", f"SELECT $this ?c {WHERE}", False),  # the target projects more
        (f"SELECT DISTINCT $this {WHERE}", f"SELECT $this ?c {WHERE.replace('?c .', '?d .')}", False),
        (f"SELECT DISTINCT $this {WHERE} LIMIT 5", f"SELECT $this {WHERE} LIMIT 5", False),  # cut apart
        (f"SELECT DISTINCT $this {WHERE}", f"SELECT $this {WHERE} OFFSET 1", False),
    ],
)
def test_a_target_selects_the_focus_of_its_constraint(target: str, constraint: str, expected: bool) -> None:
    assert _selects_the_focus_of(target, constraint) is expected


def test_every_split_target_of_the_project_takes_the_shortcut(monkeypatch) -> None:
    """Each of the project's SPARQL targets is recognised as its constraint's focus (no join is added)."""
    from kgbuild.shacl import evaluator

    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    # shapes with a SPARQL target and a SPARQL constraint (one other SPARQL target feeds core constraints)
    split = [shape for shape, target in shapes.subject_objects(SH.target)
             if (target, SH.select, None) in shapes and (shape, SH.sparql, None) in shapes]
    assert len(split) >= 20
    program = ShapesProgram(shapes, refuse_service=refuse_service_in_shapes)
    seen: list[bool] = []
    real = evaluator._selects_the_focus_of

    def spy(target: str, constraint: str) -> bool:
        answer = real(target, constraint)
        seen.append(answer)
        return answer

    monkeypatch.setattr(evaluator, "_selects_the_focus_of", spy)
    import pyoxigraph as ox

    program.validate(ox.Store(), workers=1)
    assert len(seen) == len(split) and all(seen)


def test_restricting_pays_while_the_store_holds_enough_quads_per_focus_node():
    """Restricting to a few nodes always pays; to many, only while the store is 20 times larger (counted no
    further than that)."""
    import pyoxigraph as ox

    from kgbuild.shacl.evaluator import restricting_pays

    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"https://example.org/n{i}"), ox.NamedNode("https://example.org/p"),
                         ox.Literal(str(i))) for i in range(2000))
    assert restricting_pays(store, 10)
    assert restricting_pays(store, 100)  # 2,000 quads: enough for 100 nodes
    assert not restricting_pays(store, 101)
    assert not restricting_pays(ox.Store(), 64)
