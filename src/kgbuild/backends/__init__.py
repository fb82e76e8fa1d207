"""The stores kgbuild talks to: the SPARQL-protocol client, endpoint, embedded and rdflib datasets, term conversions."""
