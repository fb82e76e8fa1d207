"""The stored queries and what answers them.

``catalogue`` reads ``queries/*.rq`` (title, parameters, checks of the catalogue), ``params`` turns
``name=value`` assignments into RDF terms of the declared types, ``querying`` runs a stored or ad hoc
query on a store, ``results`` holds the rows it answers (``Rows`` of ``Term``) and ``render`` writes
them as a table, CSV, TSV, JSON or Markdown.

Nothing is imported here, so ``import kgbuild.queries.render`` costs only what that module needs.
"""
