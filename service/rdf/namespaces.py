"""The namespaces the project writes, bound once for every serialisation."""

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VANN, XSD

KZS = Namespace("https://w3id.org/kzs/def#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CV = Namespace("http://data.europa.eu/m8g/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
# Catalogue vocabularies (DCAT-AP, DCAT-AP.de, Hydra paging, SPDX checksums, vCard contacts).
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

PREFIXES: dict[str, str] = {
    "kzs": str(KZS),
    "eli": str(ELI),
    "cv": str(CV),
    "oa": str(OA),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "vcard": str(VCARD),
    "vann": str(VANN),
    # the SDG alignment: the UN's SDG scheme and ontology, SSSOM mapping records and their justifications
    "sdg": "http://metadata.un.org/sdg/",
    "sdgo": "http://metadata.un.org/sdg/ontology#",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
}

SPARQL_PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def iri_of(curie: str) -> str:
    """The IRI a CURIE in one of the project's prefixes names: `skos:notation` → `http://…/core#notation`."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


# What names a thing, in order of preference.
LABEL_PROPERTIES = tuple(
    iri_of(c) for c in ("skos:prefLabel", "dct:title", "eli:title", "foaf:name", "schema:name", "rdfs:label")
)

# BCP 47 language tags ⇄ the EU language authority's codes (ISO 639-3), for the languages programmes use so far.
ISO639_3 = {"de": "DEU", "en": "ENG", "fr": "FRA", "nl": "NLD", "pl": "POL", "tr": "TUR", "da": "DAN"}
LANGUAGE_TAGS = {code: tag for tag, code in ISO639_3.items()}
