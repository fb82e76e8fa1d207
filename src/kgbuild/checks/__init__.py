"""The checks of a graph, each a ``Check`` (``base``) reporting the rules of one catalogue (``rules``).

- ``base``: the Check protocol, ``GraphContext`` (what the checks of a whole graph read) and ``run_all``;
- ``rules``: the rule catalogue (``kgbuild validate --list-rules``; docs/contributing-data.md's table);
- ``build``: the checks of ``kgbuild build`` and ``kgbuild validate`` on the project (``run_checks``), also run on
  a SPARQL endpoint's graph by ``kgbuild.remotecheck``;
- ``contribution``: ``kgbuild validate FILES``, the contribution check (``check_contribution``: reading the files,
  the context of the existing graph, SHACL on the nodes the contribution can change, then its checks);
- one module per check: ``quotes``, ``shapes`` (SHACL), ``stored_queries``, ``language``, ``stated_facts`` (each
  for the whole graph and, where it applies, for a contribution), ``vocabulary``, ``conflicts``, ``dangling``,
  ``duplicates``; and what the contribution's checks share: ``reading`` (its files), ``graphreads`` (store reads).
"""
