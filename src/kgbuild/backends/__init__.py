"""The stores kgbuild reads: one ``Dataset`` protocol, its implementations, and the term conversions.

- ``base``: the ``Dataset`` protocol (``select``, ``ask``, ``is_empty``) every store answers, and ``Rows``;
- ``embedded``: the embedded pyoxigraph store written by ``kgbuild build`` (``EmbeddedDataset``);
- ``graph``: an rdflib ``Graph`` (``GraphDataset``), for cross-checking and for graphs made on the fly;
- ``client``: the one SPARQL-protocol client (queries, updates, the Graph Store Protocol; auth, retries, timeouts);
- ``remote``: a SPARQL 1.1 endpoint as a dataset (``EndpointDataset``), and ``select_remote``/``update_remote``;
- ``convert``: the only place terms change model (pyoxigraph terms inside kgbuild; rdflib at the edges).

Nothing is imported here: ``kgbuild query`` on the embedded store loads neither rdflib nor an HTTP client.
"""
