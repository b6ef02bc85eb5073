"""The SPARQL 1.1 Service Description of /sparql, with the public endpoint URL from the base."""

from __future__ import annotations

from flask import Response
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF
from werkzeug.datastructures import MIMEAccept

from service.conneg import choose
from service.formats import GRAPH_FORMATS, RESULT_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/n-triples": "N-Triples",
}


def service_description_graph(base: str) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    service, dataset, default = URIRef(base + "sparql#service"), BNode(), BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(base + "sparql")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, FORMATS[RESULT_FORMAT_IRIS[fmt.media_type]]))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    return graph


def service_description(base: str, accept: MIMEAccept, requested: str | None) -> Response:
    fmt = choose(accept, GRAPH_FORMATS, requested)
    rdflib_format = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}[fmt.extension]
    body = service_description_graph(base).serialize(format=rdflib_format, encoding="utf-8")
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
