"""RDF basics every layer shares: namespaces, formats, URIs, canonical serialisation, SPARQL text."""
