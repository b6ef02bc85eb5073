"""What the store says about one programme, as its catalogue entry reads it: its dataset's metadata, its work
(the programme document) and the languages of its statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from service.ingest.programmes import Programme
from service.rdf.namespaces import ELI, SPARQL_PROLOGUE
from service.store.embedded import Store, construct, select, term

# Fixed and prepared: the graph and the dataset are substituted, never pasted into the text.
METADATA = """
CONSTRUCT { ?d ?p ?o . ?o ?p2 ?o2 } WHERE {
  GRAPH ?m { { ?d ?p ?o } UNION { ?d ?p ?o FILTER(isBlank(?o)) ?o ?p2 ?o2 } }
}
"""
WORK = (
    SPARQL_PROLOGUE
    + """
CONSTRUCT { ?work ?p ?o . ?o ?p2 ?o2 } WHERE {
  GRAPH ?g { ?work a eli:Work }
  { ?work ?p ?o } UNION { ?work ?p ?o . ?o ?p2 ?o2 }
}
"""
)
LANGUAGES_USED = 'SELECT DISTINCT ?g (LANG(?o) AS ?lang) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(LANG(?o) != "") }'
ONTOLOGIES = SPARQL_PROLOGUE + "SELECT ?ontology WHERE { ?ontology a owl:Ontology } ORDER BY ?ontology"


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")


@dataclass
class Facts:
    """What the store says about one programme: its dataset's metadata and its work (the programme document)."""

    metadata: Graph
    work: Graph
    languages: list[str]

    def works(self) -> list[URIRef]:
        return sorted(s for s in self.work.subjects(RDF.type, ELI.Work) if isinstance(s, URIRef))


def read_facts(store: Store, base: str, programme: Programme, stated: Iterable[ox.Quad] | None = None) -> Facts:
    """What the catalogue entry of `programme` says of it; `stated`: its graphs' statements, when read already."""
    dataset = ox.NamedNode(programme.dataset(base))
    metadata = construct(
        store, METADATA, substitutions={"d": dataset, "m": ox.NamedNode(programme.graph(base, "metadaten"))}
    )
    work = ox.Dataset()
    for graph in programme.graphs:
        for triple in construct(store, WORK, substitutions={"g": ox.NamedNode(graph)}):
            work.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    # Only the programme's graphs: one pass over every graph per programme grows with the square of the data.
    if stated is None:
        tags = {term(row, "lang").lower() for row in select(store, LANGUAGES_USED, named_graphs=programme.graphs)}
    else:
        tags = {q.object.language.lower() for q in stated if isinstance(q.object, ox.Literal) and q.object.language}
    return Facts(rdflib_graph(metadata), rdflib_graph(q.triple for q in work), sorted(tags))


def ontologies(store: Store) -> list[URIRef]:
    return [URIRef(term(row, "ontology")) for row in select(store, ONTOLOGIES)]
