"""SHACL validation of a graph against the project's shapes: on kgbuild's engine (``kgbuild.shacl``; the graph
may be the embedded store or a SPARQL endpoint's), or on pyshacl, the reference, for cross-checking. A SHACL
finding's rule id is the name of the shape that found it, so these checks catalogue no rules of their own."""

from __future__ import annotations

from kgbuild.checks.base import GraphContext
from kgbuild.errors import InputError
from kgbuild.findings import Finding
from kgbuild.validation import ShaclOutcome, engine_outcome, run_shacl


class ShaclCheck:
    """The project's shapes on kgbuild's engine; ``outcome``: the last run's (its report graph)."""

    id = "shacl"
    title = "the project's SHACL shapes"
    rules: tuple[str, ...] = ()  # the shapes' names
    reads = "the shapes of the shapes folder, and the graph (as SPARQL queries)"
    severity = "violation"  # the worst a shape may give

    def __init__(self, shapes) -> None:
        self.shapes = shapes  # the shapes graph (rdflib)
        self.outcome: ShaclOutcome | None = None

    def run(self, context: GraphContext) -> list[Finding]:
        from kgbuild.federation import refuse_service_in_shapes
        from kgbuild.shacl import ShapesProgram

        project = context.project
        try:
            results = ShapesProgram(self.shapes, refuse_service=refuse_service_in_shapes).validate(
                context.dataset, written=context.written)
        except InputError as exc:
            raise InputError(f"SHACL shapes unusable: {exc.message}", file=project.rel(project.shapes_dir)) from None
        graph = context.neighbourhood([node for result in results for node in (result.focus, result.value)])
        self.outcome = engine_outcome(results, data_graph=graph, shapes_graph=self.shapes, names=context.names,
                                      locator=context.locator)
        return list(self.outcome.findings)


class PyshaclCheck:
    """The project's shapes on pyshacl, on an rdflib copy of the graph (``kgbuild validate --engine pyshacl``)."""

    id = "shacl-pyshacl"
    title = "the project's SHACL shapes, on pyshacl"
    rules: tuple[str, ...] = ()
    reads = "the shapes of the shapes folder, and an rdflib copy of the graph"
    severity = "violation"

    def __init__(self, data_graph, shapes) -> None:
        self.data_graph = data_graph
        self.shapes = shapes
        self.outcome: ShaclOutcome | None = None

    def run(self, context: GraphContext) -> list[Finding]:
        project = context.project
        self.outcome = run_shacl(data_graph=self.data_graph, shapes_graph=self.shapes, names=context.names,
                                 locator=context.locator, shapes_file=project.rel(project.shapes_dir))
        return list(self.outcome.findings)
