"""``kgbuild validate FILE... --endpoint URL [--graph IRI]``: a contribution checked against the graph a SPARQL 1.1
store holds, without downloading that graph.

The design: the contribution check (``kgbuild.checks.contribution``) is run unchanged, on a small local store that holds
the contribution and the part of the remote graph its rules read, fetched by focus; the few questions that look at
the whole graph are sent to the endpoint as queries. Nothing is written to the endpoint.

The part of the remote graph fetched (``EndpointContext``, a handful of SELECT queries, each restricted by a
``VALUES`` block of the contribution's terms written from pyoxigraph terms, never pasted text):

1. around the nodes the contribution names (its subjects and the IRIs it links to): their triples in both
   directions; a term of the ontology (a class, property or concept) only its own triples, not every node
   typed with it or pointing at it;
2. then, the same around the check's other focus nodes (the existing nodes one step from the contribution's
   subjects, ``Contribution._focus`` in kgbuild.checks.contribution): the nodes whose SHACL results the contribution can change;
3. then ``OUTWARD_STEPS`` rounds of the triples of every IRI reached so far (its labels, types, the sources of
   its attestations, the rank and aspect of a claim about it, ...);
4. the class and property tree (every ``rdfs:subClassOf``/``rdfs:subPropertyOf`` triple: paths such as
   ``rdf:type/rdfs:subClassOf*`` need it whole);
5. the triples that share a predicate and a literal with a triple of the contribution (rules of uniqueness
   such as "no two source documents share a text file").

Blank nodes cannot be named in a query, so with every triple whose object (or, incoming, whose subject) is a blank
node comes, in the same query, what hangs from it up to three blank nodes deep (an attestation and the facts it
states), and with an incoming blank node the triple that holds it. A blank node's label is taken as its identity
across queries, as Oxigraph gives it (one label per blank node in every answer); a store that labels blank nodes
afresh in each answer would make one node of two. The cost is that of these queries: it grows with the
neighbourhood of the contribution and with the triples sharing its literals, not with the store (a hub such as a
class or a concept is never expanded inwards).

Whole-graph questions go to the endpoint: which standard properties the graph uses (unknown-property), which
IRIs of the project's namespace it describes (suggestions for a dangling reference, asked only when there is
one), the names of every agent (possible duplicates: the names query of ``[checks] names`` is sent as it is; its
rows are as many as the graph's agents' names, fetched and folded on a thread while the rest of the check runs),
and the label of an existing node the neighbourhood does not hold.

The SHACL shapes, conflicts, quotes, stated facts and the "did this hold before the contribution" comparison then
run on the local store exactly as ``kgbuild validate FILE`` runs them on the embedded store (the local store is on
disk, as the embedded one is, so the rows a shape's GROUP_CONCAT lists come in the same order): the same findings,
with the contribution's files and lines, as long as the shapes read no farther from a focus node than the
neighbourhood holds. The project's shapes read at most three steps outward and one inward: tested against the
embedded store with every fixture of tests/fixtures/contributions/. Shapes that read farther (a path of four
steps, a SPARQL constraint joining on a value the contribution does not hold) would see less of the graph here
than on the embedded store: raise ``OUTWARD_STEPS`` for them.

Literals come back from the store in the form it keeps (Oxigraph stores ``"01"^^xsd:integer`` as ``"1"``, as the
embedded store does); the contribution's literals are judged as written, as locally.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from kgbuild.backends.remote import EndpointDataset, display_url
from kgbuild.checks.contribution import CheckContext, ContributionResult, check_contribution
from kgbuild.checks.duplicates import NameIndex
from kgbuild.checks.graphreads import described, store_label
from kgbuild.checks.vocabulary import RDF_TYPE, Vocabulary
from kgbuild.project import Project
from kgbuild.shacl import SKOLEM
from kgbuild.sparqltext import values_column, values_table

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA_PREDICATES = (RDFS + "subClassOf", RDFS + "subPropertyOf")
OUTWARD_STEPS = 2  # rounds of outgoing triples after the focus nodes' own (3 steps outward in all)
BLANK_DEPTH = 3  # blank nodes followed in the same query as the triple that reaches them
CHUNK = 400  # terms per VALUES block


def check_contribution_remote(project: Project, paths: Sequence[Path], *, endpoint: str, graph: str | None = None,
                              timeout: float = 30.0, max_triples: int | None = None) -> ContributionResult:
    """``check_contribution`` against the graph ``graph`` (else the default graph) of a SPARQL 1.1 endpoint.

    Raises what ``check_contribution`` raises for unusable files, and EndpointError (unreachable, refused, timed
    out, malformed answer; the message starts with the endpoint) before or while it fetches; EmptyGraphError
    (kgbuild.selection) when the graph holds no triples.
    """
    dataset = EndpointDataset(endpoint, graph=graph, timeout=timeout)
    where = f"graph <{graph}>" if graph is not None else "default graph"
    description = f"{where} of {display_url(endpoint)}"

    def context(project: Project, triples: Sequence[ox.Triple], vocabulary: Vocabulary) -> CheckContext:
        from kgbuild.selection import Target, require_triples

        require_triples(Target(endpoint=endpoint, graph=graph), timeout=timeout)  # after the files were read
        return EndpointContext(project, triples, vocabulary, dataset=dataset, description=description)

    return check_contribution(project, paths, max_triples=max_triples, context=context)


class EndpointContext(CheckContext):
    """The contribution's neighbourhood in the remote graph, in a local store; whole-graph answers from the endpoint."""

    def __init__(self, project: Project, triples: Sequence[ox.Triple], vocabulary: Vocabulary, *,
                 dataset: EndpointDataset, description: str) -> None:
        self.project = project
        self.triples = triples
        self.vocabulary = vocabulary
        self.dataset = dataset
        self.description = description
        self.inputs = None
        self.store = None
        self._out: set[str] = set()  # IRIs whose outgoing triples the store holds
        self._in: set[str] = set()  # IRIs whose incoming triples the store holds
        self._labels: dict[str, str | None] = {}
        self._directory: tempfile.TemporaryDirectory | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._names: Future[tuple[NameIndex, list[tuple[str, str]]]] | None = None

    # --- the neighbourhood ---------------------------------------------------------------------

    def __enter__(self) -> EndpointContext:
        if self.project.names_query is not None and self.triples:
            self._pool = ThreadPoolExecutor(max_workers=1)
            self._names = self._pool.submit(self._fetch_names)
        # on disk, as the embedded store is: its indexes give the same order of rows (GROUP_CONCAT in messages)
        self._directory = tempfile.TemporaryDirectory(prefix="kgbuild-check-")
        self.store = ox.Store(self._directory.name)
        try:
            self._fetch()
        except BaseException:
            self.__exit__()  # a failed __enter__ gets no __exit__ from the with statement
            raise
        return self

    def _fetch(self) -> None:
        """Fill the store with the contribution's neighbourhood in the remote graph (steps 1 to 5 above)."""
        assert self.store is not None
        hubs = self.vocabulary.terms | self.vocabulary.classes | self.vocabulary.properties
        subjects = _iris(t.subject for t in self.triples)
        named = subjects | _iris(t.object for t in self.triples)
        self._around(named, hubs)
        focus = set(named)  # as Contribution._focus: and the existing nodes one step from the subjects
        for subject in subjects:
            node = ox.NamedNode(subject)
            focus |= _iris(q.object for q in self.store.quads_for_pattern(node, None, None))
            focus |= _iris(q.subject for q in self.store.quads_for_pattern(None, None, node))
        self._around(focus, hubs)
        self._outgoing(sorted({t.predicate.value for t in self.triples} - self._out))  # declarations of properties
        for _ in range(OUTWARD_STEPS):
            reached = _iris(term for q in self.store for term in (q.subject, q.predicate, q.object))
            if not self._outgoing(sorted(reached - self._out)):
                break
        self._schema()
        self._same_values()

    def __exit__(self, *exc_info: object) -> None:
        self.store = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None

    def _around(self, iris: set[str], hubs: frozenset[str]) -> None:
        self._outgoing(sorted(iris - self._out))
        self._incoming(sorted(iris - self._in - hubs))

    def _outgoing(self, iris: list[str]) -> bool:
        """Fetch the triples of ``iris`` (and what hangs from their blank-node objects); False if none was asked."""
        if not iris:
            return False
        self._out.update(iris)
        variables = " ".join(f"?p{level} ?o{level}" for level in range(1, BLANK_DEPTH + 1))
        nested = "".join(f" OPTIONAL {{ ?o{level - 1} ?p{level} ?o{level} FILTER (isBlank(?o{level - 1}))"
                         for level in range(1, BLANK_DEPTH + 1)) + " }" * BLANK_DEPTH
        for chunk in _chunks(iris):
            query = (f"SELECT ?s ?p0 ?o0 {variables} WHERE {{ {values_column('s', map(ox.NamedNode, chunk))} "
                     f"?s ?p0 ?o0 .{nested} }}")
            self._add_chains(self.dataset.select(query).dicts(), start="s")
        return True

    def _incoming(self, iris: list[str]) -> None:
        """Fetch the triples pointing at ``iris``; for a blank-node subject, what hangs from it and what holds it."""
        if not iris:
            return
        self._in.update(iris)
        variables = " ".join(f"?p{level} ?o{level}" for level in range(1, BLANK_DEPTH))
        nested = "".join(f" OPTIONAL {{ ?o{level - 1} ?p{level} ?o{level} FILTER (isBlank(?o{level - 1}))"
                         for level in range(1, BLANK_DEPTH)) + " }" * (BLANK_DEPTH - 1)
        for chunk in _chunks(iris):
            query = (f"SELECT ?n ?p ?o0 ?r ?rp {variables} WHERE {{ {values_column('n', map(ox.NamedNode, chunk))} "
                     f"?o0 ?p ?n . OPTIONAL {{ ?r ?rp ?o0 FILTER (isBlank(?o0)) }}{nested} }}")
            rows = self.dataset.select(query).dicts()
            for row in rows:
                self._add(row["o0"], row["p"], row["n"])
                if row["r"] is not None:
                    self._add(row["r"], row["rp"], row["o0"])
            self._add_chains(rows, start=None)

    def _add_chains(self, rows, *, start: str | None) -> None:
        """Add each row's chain ``?s ?p0 ?o0 . ?o0 ?p1 ?o1 ...`` (from ``?o0`` on when ``start`` is None)."""
        for row in rows:
            level = 0
            if start is not None:
                self._add(row[start], row["p0"], row["o0"])
            while True:
                level += 1
                try:
                    predicate, value = row[f"p{level}"], row[f"o{level}"]
                except KeyError:
                    break
                if predicate is None:
                    break
                self._add(row[f"o{level - 1}"], predicate, value)

    def _add(self, subject, predicate, value) -> None:
        self.store.add(ox.Quad(subject, predicate, value))  # type: ignore[union-attr]

    def _schema(self) -> None:
        query = f"SELECT ?s ?p ?o WHERE {{ {values_column('p', map(ox.NamedNode, SCHEMA_PREDICATES))} ?s ?p ?o }}"
        for row in self.dataset.select(query).dicts():
            self._add(row["s"], row["p"], row["o"])

    def _same_values(self) -> None:
        pairs = sorted({(t.predicate, t.object) for t in self.triples if isinstance(t.object, ox.Literal)}, key=str)
        for chunk in _chunks(pairs):
            query = f"SELECT ?s ?p ?o WHERE {{ {values_table(('p', 'o'), chunk)} ?s ?p ?o }}"
            for row in self.dataset.select(query).dicts():
                self._add(row["s"], row["p"], row["o"])

    # --- whole-graph answers ------------------------------------------------------------------

    def used_predicates(self, candidates: Iterable[str], *, outside: str) -> set[str]:
        asked = sorted(p for p in candidates if not p.startswith(outside))
        found: set[str] = set()
        for chunk in _chunks(asked):
            query = f"SELECT ?p WHERE {{ {values_column('p', map(ox.NamedNode, chunk))} FILTER EXISTS {{ ?s ?p ?o }} }}"
            found.update(row["p"].value for row in self.dataset.select(query).dicts())  # type: ignore[attr-defined]
        return found

    def described(self, namespace: str) -> list[str]:
        query = (f"SELECT DISTINCT ?s WHERE {{ ?s <{RDF_TYPE}> ?type "
                 f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), {ox.Literal(namespace)})) }}")
        store = ox.Store()
        typed = ox.NamedNode(RDF_TYPE)
        store.extend(ox.Quad(row["s"], typed, typed) for row in self.dataset.select(query).dicts())  # type: ignore[arg-type]
        return described(store, namespace)

    def name_index(self, project: Project, *, exclude: set[str]) -> NameIndex:
        """The names of every agent of the remote graph (the names query of ``[checks] names``, sent as it is).

        Fetched and folded on a thread started with the neighbourhood's queries (the query reads the whole
        graph: the store answers it while the rest of the check runs). ``exclude`` (the contribution's new
        entities) names none of them, as a node with a name in the graph is not new; if it did, those are left out.
        """
        assert self._names is not None
        index, rows = self._names.result()
        if any(entity in exclude for entity, _ in rows):
            index = NameIndex.of([(entity, name) for entity, name in rows if entity not in exclude])
        return index

    def _fetch_names(self) -> tuple[NameIndex, list[tuple[str, str]]]:
        from kgbuild.federation import refuse_service
        from kgbuild.rdfio import read_text

        assert self.project.names_query is not None
        file = self.project.rel(self.project.names_query)
        text = read_text(self.project.names_query, file=file)
        refuse_service(text, file=file, hint="a configured query may not call SERVICE")
        rows = []
        for row in self.dataset.select(text).dicts():
            entity, name = row.get("entity"), row.get("name")  # type: ignore[attr-defined]
            if isinstance(entity, ox.NamedNode) and isinstance(name, ox.Literal):
                rows.append((entity.value, name.value))
        return NameIndex.of(rows), rows

    def label(self, iri: str) -> str | None:
        if iri in self._out:
            return store_label(self.store, iri)  # type: ignore[arg-type]
        if iri not in self._labels:
            from kgbuild.checks.graphreads import LABELS

            node = ox.NamedNode(iri)
            labels = values_column("p", map(ox.NamedNode, LABELS))
            query = f"SELECT ?p ?o WHERE {{ {values_column('s', [node])} {labels} ?s ?p ?o }}"
            store = ox.Store()
            store.extend(ox.Quad(node, row["p"], row["o"]) for row in self.dataset.select(query).dicts())  # type: ignore[arg-type]
            self._labels[iri] = store_label(store, iri)
        return self._labels[iri]


def _iris(terms: Iterable[object]) -> set[str]:
    """The IRIs among ``terms`` (not the contribution's skolemised blank nodes)."""
    return {term.value for term in terms if isinstance(term, ox.NamedNode) and not term.value.startswith(SKOLEM)}


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]

