"""The DCAT-AP 3 / DCAT-AP.de catalogue: one dcat:Dataset per programme, its distributions, the SPARQL service.

Built once per data version from the store: what a programme's metadata.ttl says about its dataset comes first;
what it leaves out is derived from the programme itself (title, municipality, place, contact, period, languages).
Nothing here is about one town.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from service.config import Config
from service.ingest.programmes import Programme
from service.publish.catalogue_texts import DESCRIPTIONS, TITLES
from service.publish.dumps import CSV, CSVW, FILE_TYPES, Dump
from service.publish.entries import Entries, summary_of
from service.publish.facts import Facts, ontologies
from service.rdf.namespaces import (
    CV,
    DCATAP,
    DCATDE,
    ELI,
    HYDRA,
    ISO639_3,
    PREFIXES,
    SCHEMA,
    SPDX,
    VCARD,
)
from service.store.embedded import Store

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
# Kind of dcat-ap.de geocoding key → its level (dcat-ap.de/def/politicalGeocoding/Level).
GEOCODING_LEVELS = {
    "municipalityKey": "municipality",
    "regionalKey": "municipality",
    "municipalAssociationKey": "municipality",
    "districtKey": "administrativeDistrict",
    "stateKey": "state",
}
# Kind of geocoding key of an agent's own area → its ADMS publisher type (a town or district is a local authority).
PUBLISHER_TYPES = {
    "municipalityKey": "LocalAuthority",
    "regionalKey": "LocalAuthority",
    "municipalAssociationKey": "LocalAuthority",
    "districtKey": "LocalAuthority",
    "stateKey": "RegionalAuthority",
}
# BCP 47 language tags of the data → the EU language authority table.
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
PUBLIC = URIRef(EU + "access-right/PUBLIC")
GOVERNMENT = URIRef(EU + "data-theme/GOVE")
SHA256 = SPDX.checksumAlgorithm_sha256

CATALOG_PREFIXES = {
    **PREFIXES,
    "dcatap": str(DCATAP),
    "dcatde": str(DCATDE),
    "hydra": str(HYDRA),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "void": "http://rdfs.org/ns/void#",
}

# The objects of these properties are typed with the class DCAT-AP expects, so range checks pass without
# fetching the vocabularies.
RANGES = {
    DCTERMS.license: DCTERMS.LicenseDocument,
    DCTERMS.language: DCTERMS.LinguisticSystem,
    DCTERMS.spatial: DCTERMS.Location,
    DCTERMS.accessRights: DCTERMS.RightsStatement,
    DCTERMS.accrualPeriodicity: DCTERMS.Frequency,
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCTERMS.format: DCTERMS.MediaTypeOrExtent,
    DCTERMS.temporal: DCTERMS.PeriodOfTime,
    DCAT.mediaType: DCTERMS.MediaType,
    DCAT.landingPage: FOAF.Document,
    FOAF.homepage: FOAF.Document,
    SPDX.algorithm: SPDX.ChecksumAlgorithm,
    SPDX.checksum: SPDX.Checksum,
    DCAT.contactPoint: VCARD.Kind,
    DCTERMS.publisher: FOAF.Agent,
    DCTERMS.creator: FOAF.Agent,
}


def label(graph: Graph, node: Node, lang: str = "de") -> str:
    """A label of `node` in `lang`, else in any language ('' when there is none)."""
    found = [o for p in (SKOS.prefLabel, FOAF.name, DCTERMS.title, RDFS.label) for o in graph.objects(node, p)]
    literals = sorted((o for o in found if isinstance(o, Literal)), key=lambda o: (o.language != lang, str(o)))
    return str(literals[0]) if literals else ""


def chunk_id(*parts: str) -> BNode:
    """A blank node whose label follows from what it describes (before canonical relabelling)."""
    return BNode("b" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20])


def describe_file(graph: Graph, node: URIRef, base: str, dump: Dump) -> None:
    """Where a dump is, what it is, how large, and its SHA-256 checksum where it has one (a whole-dataset file
    is assembled from the parts' files and not hashed; each part's file is, and a release's)."""
    url = URIRef(base + dump.path)
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.mediaType, URIRef(IANA + dump.media_type)))
    graph.add((node, DCTERMS.format, URIRef(f"{EU}file-type/{FILE_TYPES[dump.format.extension]}")))
    graph.add((node, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    if not dump.sha256:
        return
    checksum = chunk_id("checksum", dump.path)
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, SPDX.algorithm, SHA256))
    graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))


@dataclass
class Catalogue:
    """The catalogue as parts: the head (catalogue, publisher, service) and one graph per dataset, in order."""

    iri: URIRef
    head: Graph
    datasets: list[URIRef] = field(default_factory=list)
    parts: Entries = field(default_factory=Entries)
    frozen: set[URIRef] = field(
        default_factory=set
    )  # releases and their series: the SPARQL service has the current data

    def pages(self, size: int) -> int:
        return max(1, -(-len(self.datasets) // size))

    def page(self, number: int, size: int, view_base: str) -> Graph:
        """Page `number` (from 1): the head and that page's datasets; Hydra links once there is more than one."""
        start = (number - 1) * size
        graph = Graph()
        graph += self.head
        for dataset, part in zip(self.datasets[start : start + size], self.parts[start : start + size], strict=True):
            graph += part
            graph.add((self.iri, DCAT.dataset, dataset))
            for service in self.head.objects(self.iri, DCAT.service) if dataset not in self.frozen else ():
                graph.add((service, DCAT.servesDataset, dataset))
        last = self.pages(size)
        if last > 1:
            view = URIRef(f"{view_base}?page={number}")
            graph.add((self.iri, RDF.type, HYDRA.Collection))
            graph.add((self.iri, HYDRA.totalItems, Literal(len(self.datasets), datatype=XSD.nonNegativeInteger)))
            graph.add((self.iri, HYDRA.view, view))
            graph.add((view, RDF.type, HYDRA.PartialCollectionView))
            graph.add((view, HYDRA.first, URIRef(f"{view_base}?page=1")))
            graph.add((view, HYDRA.last, URIRef(f"{view_base}?page={last}")))
            if number > 1:
                graph.add((view, HYDRA.previous, URIRef(f"{view_base}?page={number - 1}")))
            if number < last:
                graph.add((view, HYDRA.next, URIRef(f"{view_base}?page={number + 1}")))
        return graph

    def whole(self) -> Graph:
        return self.page(1, max(1, len(self.datasets)), "")


class CatalogueBuilder:
    """Builds the catalogue for one configuration; each method adds one kind of resource."""

    def __init__(self, config: Config) -> None:
        self.config = config
        base = config.base_uri
        self.base = base
        self.catalog = URIRef(f"{base}catalog")
        self.publisher = URIRef(f"{base}catalog#herausgeber")
        self.contact = URIRef(f"{base}catalog#kontakt")
        self.service = URIRef(f"{base}sparql#service")
        self.endpoint = URIRef(f"{base}sparql")

    def operator(self, graph: Graph) -> None:
        """Who runs the service: publisher of the catalogue, the datasets and the service, and their contact."""
        graph.add((self.publisher, RDF.type, FOAF.Agent))
        graph.add((self.publisher, FOAF.name, Literal(self.config.publisher_name)))
        graph.add((self.publisher, FOAF.homepage, URIRef(self.base)))
        graph.add((self.contact, RDF.type, VCARD.Organization))
        graph.add((self.contact, VCARD.fn, Literal(self.config.publisher_name)))
        graph.add((self.contact, VCARD.hasURL, URIRef(self.base)))
        if self.config.contact_email:
            graph.add((self.contact, VCARD.hasEmail, URIRef(f"mailto:{self.config.contact_email}")))

    def head(self, datasets: Sequence[Graph], themes: Iterable[Node], licenses: set[Node]) -> Graph:
        graph, catalog = Graph(), self.catalog
        self.operator(graph)
        graph.add((catalog, RDF.type, DCAT.Catalog))
        graph.add((catalog, DCTERMS.title, Literal("Kommunale Zielsysteme", lang="de")))
        graph.add((catalog, DCTERMS.title, Literal("Municipal goal systems", lang="en")))
        for text, lang in DESCRIPTIONS["catalog"]:
            graph.add((catalog, DCTERMS.description, Literal(text, lang=lang)))
        graph.add((catalog, DCTERMS.publisher, self.publisher))
        graph.add((catalog, FOAF.homepage, URIRef(self.base)))
        graph.add((catalog, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
        graph.add((catalog, DCAT.service, self.service))
        # The catalogue's own metadata is free of conditions (the data's licences are on the distributions).
        graph.add((catalog, DCTERMS.license, URIRef("http://dcat-ap.de/def/licenses/dl-zero-de/2.0")))
        for code in ("DEU", "ENG"):
            graph.add((catalog, DCTERMS.language, URIRef(f"{EU}language/{code}")))
        for place in {o for part in datasets for o in part.objects(None, DCTERMS.spatial)}:
            graph.add((catalog, DCTERMS.spatial, place))
        dates = [(p, o) for part in datasets for p in (DCTERMS.issued, DCTERMS.modified) for o in part.objects(None, p)]
        for predicate, pick in ((DCTERMS.issued, min), (DCTERMS.modified, max)):
            values = [o for p, o in dates if p == predicate and isinstance(o, Literal)]
            if values:
                graph.add((catalog, predicate, pick(values, key=str)))
        self.data_service(graph, themes, licenses)
        return graph

    def data_service(self, graph: Graph, themes: Iterable[Node], licenses: set[Node]) -> None:
        service = self.service
        graph.add((service, RDF.type, DCAT.DataService))
        graph.add((service, DCTERMS.title, Literal("SPARQL-Endpunkt", lang="de")))
        graph.add((service, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
        for text, lang in DESCRIPTIONS["service"]:
            graph.add((service, DCTERMS.description, Literal(text, lang=lang)))
        graph.add((service, DCAT.endpointURL, self.endpoint))
        # GET on the endpoint without a query answers with its SPARQL 1.1 Service Description.
        graph.add((service, DCAT.endpointDescription, self.endpoint))
        graph.add((service, DCAT.landingPage, self.endpoint))
        graph.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
        graph.add((service, DCTERMS.publisher, self.publisher))
        graph.add((service, DCAT.contactPoint, self.contact))
        graph.add((service, DCTERMS.accessRights, PUBLIC))
        for keyword, lang in (
            ("SPARQL", "de"),
            ("Linked Open Data", "de"),
            ("SPARQL", "en"),
            ("Linked Open Data", "en"),
        ):
            graph.add((service, DCAT.keyword, Literal(keyword, lang=lang)))
        for theme in themes:
            graph.add((service, DCAT.theme, theme))
        if len(licenses) == 1:  # one licence for everything it serves; otherwise each distribution says its own
            graph.add((service, DCTERMS.license, next(iter(licenses))))

    def dataset(self, programme: Programme, facts: Facts, dumps: Sequence[Dump], ontology: Sequence[URIRef]) -> Graph:
        """The dataset of one programme, with its distributions and every agent and contact it names."""
        base, d = self.base, URIRef(programme.dataset(self.base))
        graph = Graph()
        graph += facts.metadata
        self.operator(graph)
        graph.add((d, RDF.type, DCAT.Dataset))

        def default(predicate: URIRef, values: Iterable[Node]) -> None:
            if (d, predicate, None) not in graph:
                for value in values:
                    graph.add((d, predicate, value))

        work = facts.work
        works = facts.works()
        default(DCTERMS.title, [o for w in works for o in work.objects(w, DCTERMS.title)])
        title = label(graph, d)
        default(DCTERMS.description, [Literal(t.format(title=title), lang=lang) for t, lang in DESCRIPTIONS["dataset"]])
        default(DCTERMS.identifier, [Literal(str(d))])
        default(DCTERMS.publisher, [self.publisher])
        default(DCTERMS.creator, [o for w in works for o in work.objects(w, DCTERMS.publisher)])
        contacts = [c for w in works for c in work.objects(w, CV.contactPoint) if self.vcard(graph, work, c)]
        default(DCAT.contactPoint, [self.contact, *contacts])
        keywords = [o for w in works for t in work.objects(w, ELI.work_type) for o in work.objects(t, SKOS.prefLabel)]
        default(
            DCAT.keyword, keywords + [Literal(label(work, c), lang="de") for c in graph.objects(d, DCTERMS.creator)]
        )
        default(DCAT.theme, [GOVERNMENT])
        default(DCTERMS.spatial, [o for w in works for o in work.objects(w, DCTERMS.spatial)])
        if (d, DCTERMS.temporal, None) not in graph:
            default(DCTERMS.temporal, self.period(graph, work, works))
        default(DCTERMS.language, [URIRef(f"{EU}language/{ISO639_3[t]}") for t in facts.languages if t in ISO639_3])
        default(DCTERMS.conformsTo, ontology)
        # The programme document it is made from (dct:source would have to be a dcat:Dataset).
        default(PROV.wasDerivedFrom, works)
        default(DCAT.landingPage, [URIRef(programme.landing_page(base))])
        default(DCTERMS.accessRights, [PUBLIC])
        if self.config.contributor_id:
            default(DCATDE.contributorID, [URIRef(self.config.contributor_id)])
        for spatial in list(graph.objects(d, DCTERMS.spatial)):
            kind = str(spatial).removeprefix(GEOCODING).split("/")[0]
            if str(spatial).startswith(GEOCODING) and kind in GEOCODING_LEVELS:
                # DCAT-AP.de 3.0 deprecates politicalGeocodingURI, the 2.0 conventions that GovData still
                # harvests by require it: both, with the same key.
                graph.add((d, DCATDE.politicalGeocodingURI, spatial))
                level = URIRef(f"{GEOCODING}Level/{GEOCODING_LEVELS[kind]}")
                graph.add((d, DCATDE.politicalGeocodingLevelURI, level))
        for agent in {*graph.objects(d, DCTERMS.creator)} - {self.publisher}:
            graph.add((agent, RDF.type, FOAF.Agent))
            for name in (o for p in (SKOS.prefLabel, FOAF.name) for o in work.objects(agent, p)):
                graph.add((agent, FOAF.name, name))
            for area in work.objects(agent, DCTERMS.spatial):
                kind = str(area).removeprefix(GEOCODING).split("/")[0]
                if str(area).startswith(GEOCODING) and kind in PUBLISHER_TYPES:
                    graph.add(
                        (agent, DCTERMS.type, URIRef(f"http://purl.org/adms/publishertype/{PUBLISHER_TYPES[kind]}"))
                    )
        for dump in dumps:
            if dump.format is not CSVW:
                graph.add((d, DCAT.distribution, self.distribution(graph, programme, dump, dumps)))
        graph.add((d, DCAT.distribution, self.sparql_distribution(graph, programme)))
        for predicate, cls in RANGES.items():
            for o in list(graph.objects(None, predicate)):
                graph.add((o, RDF.type, cls))
        return graph

    def period(self, graph: Graph, work: Graph, works: Sequence[URIRef]) -> list[Node]:
        """The years of the programme's versions, as a period (the programme says no more precise dates)."""
        versions = (
            str(v) for w in works for e in work.objects(w, ELI.is_realized_by) for v in work.objects(e, ELI.version)
        )
        years = sorted(y for y in versions if len(y) == 4 and y.isdigit())
        if not years:
            return []
        node = chunk_id("period", years[0], years[-1])
        graph.add((node, DCAT.startDate, Literal(years[0], datatype=XSD.gYear)))
        graph.add((node, DCAT.endDate, Literal(years[-1], datatype=XSD.gYear)))
        return [node]

    def vcard(self, graph: Graph, work: Graph, contact: Node) -> bool:
        """Describe a CPOV contact point in vCard terms, as DCAT expects; False when it offers no way to reach."""
        ways: list[tuple[URIRef, URIRef]] = []
        for phone in work.objects(contact, CV.telephone):
            ways.append((VCARD.hasTelephone, URIRef("tel:" + "-".join(str(phone).split()))))
        for email in work.objects(contact, CV.email):
            ways.append((VCARD.hasEmail, URIRef(str(email) if str(email).startswith("mailto:") else f"mailto:{email}")))
        for page in (o for p in (CV.contactPage, SCHEMA.url, FOAF.homepage) for o in work.objects(contact, p)):
            ways.append((VCARD.hasURL, URIRef(str(page))))
        if not ways:
            return False
        graph.add((contact, RDF.type, VCARD.Organization))
        graph.add((contact, VCARD.fn, Literal(label(work, contact) or str(contact))))
        for predicate, value in ways:
            graph.add((contact, predicate, value))
        return True

    def distribution(self, graph: Graph, programme: Programme, dump: Dump, dumps: Sequence[Dump]) -> URIRef:
        d = URIRef(programme.dataset(self.base))
        node = URIRef(f"{programme.landing_page(self.base)}#distribution-{dump.format.extension}")
        graph.add((node, RDF.type, DCAT.Distribution))
        kind = (
            "csv" if dump.format is CSV else "quads" if dump.format.rdf and dump.format.rdf.supports_datasets else "rdf"
        )
        if dump.format.extension == "jsonld":
            kind = "rdf"
        for (text, lang), (description, _) in zip(TITLES[kind], DESCRIPTIONS[kind], strict=True):
            graph.add((node, DCTERMS.title, Literal(text.format(label=dump.format.label), lang=lang)))
            graph.add((node, DCTERMS.description, Literal(description, lang=lang)))
        describe_file(graph, node, self.base, dump)
        if dump.format is CSV:
            schema = next(x for x in dumps if x.format is CSVW and x.programme == dump.programme)
            graph.add((node, DCTERMS.conformsTo, URIRef(self.base + schema.path)))
            graph.add((URIRef(self.base + schema.path), RDFS.label, Literal("CSVW-Metadaten", lang="de")))
        self.rights(graph, d, node)
        return node

    def sparql_distribution(self, graph: Graph, programme: Programme) -> URIRef:
        d = URIRef(programme.dataset(self.base))
        node = URIRef(f"{programme.landing_page(self.base)}#distribution-sparql")
        graph.add((node, RDF.type, DCAT.Distribution))
        for (text, lang), (description, _) in zip(TITLES["sparql"], DESCRIPTIONS["sparql"], strict=True):
            graph.add((node, DCTERMS.title, Literal(text, lang=lang)))
            graph.add((node, DCTERMS.description, Literal(description, lang=lang)))
        graph.add((node, DCAT.accessURL, self.endpoint))
        graph.add((node, DCAT.accessService, self.service))
        graph.add((node, DCTERMS.format, URIRef(f"{EU}file-type/SPARQLQ")))
        self.rights(graph, d, node)
        return node

    def rights(self, graph: Graph, dataset: URIRef, distribution: URIRef) -> None:
        """Licence, attribution, dates and availability: as stated for the dataset, on each distribution."""
        for predicate in (DCTERMS.license, DCATDE.licenseAttributionByText, DCTERMS.modified, DCATAP.availability):
            for value in graph.objects(dataset, predicate):
                graph.add((distribution, predicate, value))


def build_catalogue(
    store: Store, config: Config, programmes: Sequence[Programme], facts: dict[str, Facts], dumps: Sequence[Dump]
) -> Catalogue:
    builder = CatalogueBuilder(config)
    ontology = ontologies(store)
    parts = [builder.dataset(p, facts[p.key], [x for x in dumps if x.programme == p.key], ontology) for p in programmes]
    datasets = [URIRef(p.dataset(config.base_uri)) for p in programmes]
    entries = Entries([(entry, summary_of(entry, d)) for entry, d in zip(parts, datasets, strict=True)])
    return assemble_catalogue(config, programmes, entries)


def assemble_catalogue(config: Config, programmes: Sequence[Programme], entries: Entries) -> Catalogue:
    """The catalogue from each programme's entry (built now, or kept from an earlier version: publish/parts.py),
    made of their summaries: each entry is read when a page asks for it."""
    builder = CatalogueBuilder(config)
    datasets = [URIRef(p.dataset(config.base_uri)) for p in programmes]
    summaries = entries.summaries()
    themes = sorted({o for s, d in zip(summaries, datasets, strict=True) for o in s.objects(d, DCAT.theme)}, key=str)
    licenses = {o for s, d in zip(summaries, datasets, strict=True) for o in s.objects(d, DCTERMS.license)}
    head = builder.head(summaries, themes, licenses)
    return Catalogue(builder.catalog, head, datasets, entries)
