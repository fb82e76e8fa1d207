"""Where kgbuild.shacl.prebinding puts the pattern binding a pre-bound variable: at the start of each nested group
that uses it and needs it, found in the query's tokens (strings, IRIs and comments are not structure)."""

from __future__ import annotations

import pytest

from kgbuild.shacl.prebinding import nested_groups, prebind, rebound, sliced, used


def _marked(text: str, variable: str = "this") -> str:
    """The query with ``N`` where ``prebind`` puts the nested pattern for ``variable``, the outer group as is."""
    return " ".join(prebind(text, outer="", nested={variable: "N"}).split())


@pytest.mark.parametrize(("query", "expected"), [
    # a FILTER in a UNION branch, an inner group, a subquery's WHERE (not before its SELECT)
    ("SELECT $this WHERE { { FILTER (false) } UNION { FILTER ($this = <a>) } }",
     "SELECT $this WHERE { { FILTER (false) } UNION { N FILTER ($this = <a>) } }"),
    ("SELECT $this WHERE { { { FILTER ($this = <a>) } FILTER bound($this) } }",
     "SELECT $this WHERE { { N { N FILTER ($this = <a>) } FILTER bound($this) } }"),
    ("SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = <a>) } } }",
     "SELECT $this WHERE { { SELECT $this WHERE { N FILTER ($this = <a>) } } }"),
    # a subquery whose WHERE does not use $this, but its projection does
    ("SELECT $this ?s WHERE { { SELECT $this (STR($this) AS ?s) WHERE { ?x ?p ?o } } }",
     "SELECT $this ?s WHERE { { SELECT $this (STR($this) AS ?s) WHERE { N ?x ?p ?o } } }"),
    # a group starting with a triple pattern binding $this needs nothing; a path of length zero may bind it to
    # any node, so that one does
    ("SELECT $this WHERE { $this <p> ?x OPTIONAL { $this <q> ?y FILTER (?y != $this) } }",
     "SELECT $this WHERE { $this <p> ?x OPTIONAL { $this <q> ?y FILTER (?y != $this) } }"),
    ("SELECT $this WHERE { OPTIONAL { ?y <q>* $this } OPTIONAL { ?y <q>? $this } OPTIONAL { ?y (<q>)? $this } }",
     "SELECT $this WHERE { OPTIONAL { N ?y <q>* $this } OPTIONAL { N ?y <q>? $this } "
     "OPTIONAL { N ?y (<q>)? $this } }"),
    # the length-zero path elsewhere in the block does not matter (the project's own form); a "." glued on
    ("SELECT $this WHERE { OPTIONAL { $this a ?type . ?type <sub>* ?domain } OPTIONAL { ?t <sub>* ?d. ?x <p> $this} }",
     "SELECT $this WHERE { OPTIONAL { $this a ?type . ?type <sub>* ?domain } OPTIONAL { ?t <sub>* ?d. ?x <p> $this} }"),
    ("SELECT $this WHERE { OPTIONAL { ?x <p> ex:y. ?x <q> ?y ; <r>* $this } }",
     "SELECT $this WHERE { OPTIONAL { N ?x <p> ex:y. ?x <q> ?y ; <r>* $this } }"),
    ("SELECT $this WHERE { OPTIONAL { BIND ($this AS ?me) ?me <q> ?y } }",
     "SELECT $this WHERE { OPTIONAL { N BIND ($this AS ?me) ?me <q> ?y } }"),
    # groups not using $this, braces in strings, IRIs and comments: nothing
    ("SELECT $this WHERE { $this <p> ?x { ?x <q> '{ $this }' } # { $this }\n }",
     "SELECT $this WHERE { $this <p> ?x { ?x <q> '{ $this }' } # { $this }\n }"),
    # EXISTS: evaluated with the row's $this, nothing added, but for a subquery's WHERE inside it
    ("SELECT $this WHERE { ?x <p> ?y FILTER NOT EXISTS { { ?x <q> $this } { SELECT $this WHERE { "
     "FILTER (?z = $this) } } } }",
     "SELECT $this WHERE { ?x <p> ?y FILTER NOT EXISTS { { ?x <q> $this } { SELECT $this WHERE { "
     "N FILTER (?z = $this) } } } }"),
    # a variable glued to a keyword by a dot
    ("SELECT $this WHERE { { ?x <p> $this.FILTER (?x != $this) } }",
     "SELECT $this WHERE { { ?x <p> $this.FILTER (?x != $this) } }"),
    ("SELECT $this WHERE { { ?x <p> ?y.FILTER (?x != $this) } }",
     "SELECT $this WHERE { { N ?x <p> ?y.FILTER (?x != $this) } }"),
])
def test_the_pattern_goes_where_a_nested_group_needs_this(query, expected):
    assert _marked(query) == " ".join(expected.split())


def test_a_constant_goes_in_every_nested_group_using_it_and_the_outer_group_gets_its_own():
    query = ("SELECT $this WHERE { $this <p> ?x . GRAPH $shapesGraph { $currentShape <q> ?y } "
             "{ ?x <r> $currentShape } }")
    assert nested_groups(query, "currentShape") == (query.index("{ $currentShape"), query.index("{ ?x <r>"))
    assert nested_groups(query, "shapesGraph") == ()  # used in the outer group only
    assert " ".join(prebind(query, outer="T", nested={"currentShape": "C"}).split()) == (
        "SELECT $this WHERE { T $this <p> ?x . GRAPH $shapesGraph { C $currentShape <q> ?y } "
        "{ C ?x <r> $currentShape } }")


def test_the_pre_bound_variables_used_and_bound_again_are_found_in_tokens():
    assert used("SELECT ?this WHERE { GRAPH $shapesGraph { ?s ?p '$currentShape' } } # ?currentShape") == {
        "this", "shapesGraph"}
    assert used("SELECT $this WHERE { ?this.?shapes ?p ?o }") == {"this"}
    assert rebound("SELECT $this WHERE { BIND (<a> AS ?currentShape) }") == "AS $currentShape"
    assert rebound("SELECT $this (<g> as $shapesGraph) WHERE { }") == "AS $shapesGraph"
    assert rebound("SELECT $this WHERE { BIND (<a> AS ?shapesGraphs) FILTER ('AS ?currentShape') }") is None


def test_a_query_whose_groups_cannot_be_read_is_left_to_the_store_to_reject():
    assert nested_groups("SELECT $this WHERE { { FILTER ($this = <a>) }", "this") == ()
    assert nested_groups("SELECT $this WHERE { { FILTER ($this = '<a>) } }", "this") == ()


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT ?value WHERE { $this <p> ?value }", "SELECT ?this ?value WHERE { T $this <p> ?value }"),
    ("SELECT DISTINCT ?v WHERE { $this <p> ?v }", "SELECT DISTINCT ?this ?v WHERE { T $this <p> ?v }"),
    ("SELECT * WHERE { $this <p> ?v }", "SELECT * WHERE { T $this <p> ?v }"),
    ("SELECT $this (COUNT(*) AS ?n) WHERE { $this <p> ?v } HAVING (COUNT(*) > 1)",
     "SELECT $this (COUNT(*) AS ?n) WHERE { T $this <p> ?v } GROUP BY ?this HAVING (COUNT(*) > 1)"),
    ("SELECT $this ?v (COUNT(*) AS ?n) WHERE { $this <p> ?v } GROUP BY ?v",
     "SELECT $this ?v (COUNT(*) AS ?n) WHERE { T $this <p> ?v } GROUP BY ?this ?v"),
    ("SELECT $this WHERE { $this <p> ?v } GROUP BY $this HAVING (COUNT(*) > 1)",
     "SELECT $this WHERE { T $this <p> ?v } GROUP BY $this HAVING (COUNT(*) > 1)"),
    ("SELECT $this WHERE { { SELECT $this (SAMPLE(?v) AS ?s) WHERE { $this <p> ?v } } } ORDER BY ?s",
     "SELECT $this WHERE { T { SELECT $this (SAMPLE(?v) AS ?s) WHERE { $this <p> ?v } GROUP BY ?this } } ORDER BY ?s"),
    # a subquery cut by LIMIT gets the focus node even where its WHERE starts by binding $this
    ("SELECT $this WHERE { { SELECT $this WHERE { $this <p> ?v } LIMIT 1 } }",
     "SELECT $this WHERE { T { SELECT $this WHERE { N $this <p> ?v } LIMIT 1 } }"),
])
def test_each_select_keeps_each_focus_nodes_rows_apart(query, expected):
    """The outer SELECT returns ?this (a row's focus node is the pre-bound $this); aggregates are per focus node."""
    assert " ".join(prebind(query, outer="T", nested={"this": "N"}).split()) == expected


def test_limit_or_offset_anywhere_is_found_outside_strings():
    assert sliced("SELECT $this WHERE { $this <p> ?v } LIMIT 1")
    assert sliced("SELECT $this WHERE { { SELECT $this WHERE { $this <p> ?v } OFFSET 1 } }")
    assert not sliced("SELECT $this WHERE { $this <p> 'LIMIT 1' } # LIMIT 1")
