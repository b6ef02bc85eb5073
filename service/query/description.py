"""The SPARQL 1.1 Service Description of /sparql, with the public endpoint URL from the base.

What a client can rely on: the endpoint, the query language, every result format, that the default graph
is the union of the named graphs, and the named graphs themselves with their sizes (so a client can
choose one for `GRAPH` or `named-graph-uri` without a query first). No update language is declared:
the service is read-only.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from service.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/n-triples": "N-Triples",
}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


def service_description_graph(base: str, graph_sizes: dict[str, int]) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    endpoint = URIRef(base + "sparql")
    service, dataset, default = URIRef(base + "sparql#service"), BNode(), BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((service, RDFS.label, Literal("SPARQL-Endpunkt der Kommunalen Zielsysteme", lang="de")))
    graph.add((service, RDFS.label, Literal("SPARQL endpoint of the municipal goal systems", lang="en")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, FORMATS[FORMAT_IRIS[fmt.media_type]]))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(sum(graph_sizes.values()), datatype=XSD.integer)))
    for name, size in sorted(graph_sizes.items()):
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph
