"""kgbuild's SHACL engine: shapes evaluated as set-oriented SPARQL on an Oxigraph store.

pyshacl evaluates shapes node by node with rdflib, which takes seconds even
on a small graph (every SPARQL-based rule is parsed and run per focus node).
This engine compiles each constraint into one SPARQL query over all focus
nodes at once and runs it on pyoxigraph; restricted to a few focus nodes
(a contribution) it is a ``VALUES`` block at the start of each query.

It implements the part of SHACL the project's shapes use, with pyshacl's
semantics (tests compare the two on every shape fixture and on the real
data): targets ``sh:targetClass`` (with subclasses), ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf`` and SHACL-AF SPARQL targets;
property paths (predicate, inverse, sequence, alternative, ``*``, ``+``,
``?``); ``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype``,
``sh:nodeKind``, ``sh:pattern``, ``sh:minLength``/``maxLength``,
``sh:languageIn``, ``sh:minInclusive``/``minExclusive``/
``maxInclusive``/``maxExclusive``, ``sh:equals``/``disjoint``,
``sh:lessThan``/``lessThanOrEquals``,
``sh:uniqueLang``, ``sh:in``, ``sh:hasValue``, ``sh:node``, ``sh:or``, ``sh:and``,
``sh:xone``, ``sh:not``, ``sh:closed`` (with sh:ignoredProperties),
``sh:qualifiedMinCount``/``qualifiedMaxCount`` (with sh:qualifiedValueShape and sh:qualifiedValueShapesDisjoint,
on property shapes), ``sh:sparql`` (SELECT, with
``sh:prefixes`` following owl:imports within the shapes graph; ``$PATH`` in a property shape's; ``$this``
pre-bound in every nested group and subquery that uses it, projected or not, aggregates per focus node, LIMIT/OFFSET by one query per focus
node (an IRI or literal); ``$currentShape`` of a shape with an IRI, ``$shapesGraph`` on the embedded
store, where the shapes graph is a named graph while validation runs); SPARQL-based constraint
components (SHACL 6: an ``sh:ConstraintComponent`` the shapes declare, with ``sh:parameter``
(``sh:optional``) and an ASK ``sh:validator`` or a SELECT ``sh:nodeValidator`` /
``sh:propertyValidator``, reported under the component's IRI). Property shapes nest: a property shape's
own sh:property shapes are validated on the
values of its path. A deactivated shape, and the property shapes reached only through it, do not run.
Anything else in the shapes raises ``InputError`` naming the shape, so a
rule is never silently skipped: among it a SPARQL-based component the engine cannot run (no validator for
the kind of shape, SHACL-JS, ``$shapesGraph``/``$currentShape``, a blank node as a parameter value), and an
``sh:select`` of a constraint or target using what SHACL
5.2.1 forbids with ``$this`` pre-bound (MINUS, VALUES, ``AS $this``, a
subquery not returning ``$this``).

The modules, by what they own:

- ``shapes``: the shapes graph read into shape objects, every parameter checked up front (a problem names the
  shape by a readable path, e.g. ``ex:S → property ex:p → sh:minCount``);
- ``components``: one compiler per supported constraint component, in the table ``COMPONENTS`` (what is not
  in it is refused, naming the component and the shape);
- ``evaluator``: ``ShapesProgram``, which runs the compiled queries on a store;
- ``report``: ``Result`` values made straight from the query rows, and the SHACL report graph made of them
  (``report_graph``) for whoever writes one;
- ``literals``: literals as written where Oxigraph stores another form (``WrittenLiterals``);
- ``text``: terms and paths as SPARQL text;
- ``sparqlrules``: what SHACL 5.2.1 forbids in the SPARQL of constraints and targets, found in rdflib's parse.
- ``sparqlcomponents``: SPARQL-based constraint components (their declarations, a shape's uses of them, the
  text of their queries) and ``$PATH``.
- ``prebinding``: pre-bound variables as set-oriented SPARQL (a pattern binding them at the start of each
  nested group that uses them).

Its queries run on any ``kgbuild.backends.Dataset``: the embedded store (``EmbeddedDataset``, what ``validate``
makes of an ``ox.Store``) or a SPARQL 1.1 endpoint (``kgbuild.backends.remote.EndpointDataset``). It imports nothing else
of kgbuild but ``kgbuild.errors`` and the SPARQL text helpers of ``kgbuild.sparqltext``;
the SERVICE check of the shapes' SPARQL is passed in (``ShapesProgram(shapes, refuse_service=…)``).

Blank nodes cannot be named in a query, so focus nodes to restrict to must
be IRIs; a caller that needs blank-node focus nodes skolemises them into
``SKOLEM`` IRIs first. Node-kind checks treat those IRIs as blank nodes.
"""

from kgbuild.shacl.components import COMPONENTS, Component
from kgbuild.shacl.evaluator import ShapesProgram, restricting_pays
from kgbuild.shacl.literals import WrittenLiterals
from kgbuild.shacl.report import Result, report_graph
from kgbuild.shacl.text import SKOLEM

__all__ = ["COMPONENTS", "SKOLEM", "Component", "Result", "ShapesProgram", "WrittenLiterals", "report_graph",
           "restricting_pays"]
