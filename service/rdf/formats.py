"""Media types ⇄ serialisations, as data: one table for graphs, one for query results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    media_type: str
    extension: str
    label: str
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "/json", "+json"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


HTML = Format("text/html", "html", "HTML")

# Order matters: the first entry wins when the client accepts anything.
GRAPH_FORMATS = (
    Format("text/turtle", "ttl", "Turtle", rdf=ox.RdfFormat.TURTLE),
    Format("application/ld+json", "jsonld", "JSON-LD", rdf=ox.RdfFormat.JSON_LD),
    Format("application/rdf+xml", "rdf", "RDF/XML", rdf=ox.RdfFormat.RDF_XML),
    Format("application/n-triples", "nt", "N-Triples", rdf=ox.RdfFormat.N_TRIPLES),
)

# Formats that keep named graphs, for dumps of a whole dataset.
DATASET_FORMATS = (
    Format("application/n-quads", "nq", "N-Quads", rdf=ox.RdfFormat.N_QUADS),
    Format("application/trig", "trig", "TriG", rdf=ox.RdfFormat.TRIG),
)

RESULT_FORMATS = (
    Format("application/sparql-results+json", "json", "JSON", results=ox.QueryResultsFormat.JSON),
    Format("application/sparql-results+xml", "xml", "XML", results=ox.QueryResultsFormat.XML),
    Format("text/csv", "csv", "CSV", results=ox.QueryResultsFormat.CSV),
    Format("text/tab-separated-values", "tsv", "TSV", results=ox.QueryResultsFormat.TSV),
)

# Media types clients send that mean one of ours.
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
}

# Where a graph is offered, these mean one of the graph formats (a JSON client gets JSON-LD, an N3 client Turtle,
# which is valid N3); they stand beside ALIASES, whose JSON and XML mean query results.
GRAPH_ALIASES = {
    "application/json": "application/ld+json",
    "application/x-json+ld": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
}

# Format names clients put in `format=` where a graph is answered: SPARQLWrapper, by default, sends `format=xml`
# for CONSTRUCT and DESCRIBE, meaning RDF/XML (its names: xml, rdf+xml, json-ld, turtle, n3). Extensions and
# media types are matched first, so for query results `xml` and `json` keep their results meaning.
GRAPH_NAMES = {
    "xml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "json": "application/ld+json",
    "json-ld": "application/ld+json",
    "turtle": "text/turtle",
    "n3": "text/turtle",
    "ntriples": "application/n-triples",
}

BY_EXTENSION = {f.extension: f for f in (HTML, *GRAPH_FORMATS)}


def serialize_graph(triples: Iterable[ox.Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """Serialise triples in `fmt`; the prefixes shorten Turtle, RDF/XML and JSON-LD."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    return ox.serialize(triples, format=fmt.rdf, prefixes=prefixes) or b""
