"""How the data is found: VoID (/.well-known/void), the sitemap, robots.txt and schema.org Dataset markup."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, VOID, XSD

from service.config import Config
from service.ingest.programmes import Programme
from service.publish.catalogue import Catalogue, chunk_id, describe_file, label
from service.publish.dumps import CSVW, DUMP_FORMATS, Dump
from service.rdf.namespaces import LANGUAGE_TAGS
from service.rdf.uris import THING, document_url
from service.store.embedded import Store, select, term

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
FORMAT_IRIS = {
    "ttl": "Turtle",
    "nt": "N-Triples",
    "nq": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "rdf": "RDF_XML",
}

SUBJECTS = "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"
CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"
DISTINCT = "SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"
LICENSES = "SELECT DISTINCT ?license WHERE { ?x <http://purl.org/dc/terms/license> ?license } ORDER BY ?license"


def whole_dataset(base: str) -> URIRef:
    """Everything served (every programme, the vocabulary, the shared concepts), described at /data/."""
    return URIRef(f"{base}data/#datensatz")


def namespace(iri: str) -> str:
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def subjects_by_graph(store: Store) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in select(store, SUBJECTS):
        found.setdefault(term(row, "s"), set()).add(term(row, "g"))
    return found


@dataclass(frozen=True)
class Statistics:
    triples: int
    subjects: dict[str, set[str]]  # IRI → the named graphs it is a subject in
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    distinct_subjects: int
    distinct_objects: int

    @classmethod
    def of(cls, store: Store) -> Statistics:
        counts = next(iter(select(store, DISTINCT)))
        return cls(
            triples=sum(store.graph_sizes().values()),
            subjects=subjects_by_graph(store),
            classes=[(term(r, "class"), int(term(r, "n"))) for r in select(store, CLASSES)],
            properties=[(term(r, "p"), int(term(r, "n"))) for r in select(store, PROPERTIES)],
            distinct_subjects=int(term(counts, "subjects")),
            distinct_objects=int(term(counts, "objects")),
        )

    @classmethod
    def merged(cls, parts: Sequence[PartStatistics]) -> Statistics:
        """The statistics of everything from those of parts with disjoint graphs (as `of` counts them: the
        default graph is the union, so a subject, object or class member in several parts counts once)."""
        subjects: dict[str, set[str]] = {}
        members: dict[str, set[str]] = {}
        blank_members: dict[str, int] = {}
        properties: dict[str, int] = {}
        objects: set[int] = set()
        for part in parts:
            for iri, graphs in part.subjects.items():
                subjects.setdefault(iri, set()).update(graphs)
            for cls_iri, found in part.members.items():
                members.setdefault(cls_iri, set()).update(found)
            for cls_iri, count in part.blank_members.items():
                blank_members[cls_iri] = blank_members.get(cls_iri, 0) + count
            for prop, count in part.properties.items():
                properties[prop] = properties.get(prop, 0) + count
            objects.update(part.objects)
        classes = sorted(set(members) | set(blank_members))
        return cls(
            triples=sum(part.triples for part in parts),
            subjects=subjects,
            classes=[(c, len(members.get(c, ())) + blank_members.get(c, 0)) for c in classes],
            properties=sorted(properties.items()),
            distinct_subjects=len(subjects) + sum(part.blank_subjects for part in parts),
            distinct_objects=len(objects) + sum(part.blank_objects for part in parts),
        )


@dataclass(frozen=True)
class PartStatistics:
    """What Statistics counts, for some graphs, in a form that adds up: IRIs as sets, blank nodes as counts
    (a blank node is in one file, so in one part), objects as 64-bit digests of their terms."""

    triples: int
    subjects: dict[str, list[str]]  # IRI → the named graphs it is a subject in
    blank_subjects: int
    members: dict[str, list[str]]  # class → its IRI members
    blank_members: dict[str, int]
    properties: dict[str, int]
    objects: list[int]
    blank_objects: int

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> PartStatistics:
        """As `Statistics.of` counts them, from the statements of the part's graphs."""
        subjects: dict[str, set[str]] = {}
        members: dict[str, set[str]] = {}
        blank_members: dict[str, set[str]] = {}
        properties: dict[str, int] = {}
        blank_subjects: set[str] = set()
        objects: set[str] = set()
        blank_objects: set[str] = set()
        triples = 0
        for quad in quads:
            subject, predicate, value, graph = quad.subject, quad.predicate.value, quad.object, quad.graph_name
            triples += 1
            if isinstance(subject, ox.NamedNode):
                subjects.setdefault(subject.value, set()).add(getattr(graph, "value", ""))
            else:
                blank_subjects.add(str(subject))
            properties[predicate] = properties.get(predicate, 0) + 1
            if predicate == RDF_TYPE and not isinstance(value, ox.Triple):
                if isinstance(subject, ox.NamedNode):
                    members.setdefault(value.value, set()).add(subject.value)
                else:
                    blank_members.setdefault(value.value, set()).add(str(subject))
            (blank_objects if isinstance(value, ox.BlankNode) else objects).add(str(value))
        return cls(
            triples=triples,
            subjects={iri: sorted(found) for iri, found in subjects.items()},
            blank_subjects=len(blank_subjects),
            members={c: sorted(found) for c, found in members.items()},
            blank_members={c: len(found) for c, found in blank_members.items()},
            properties=dict(sorted(properties.items())),
            objects=[int.from_bytes(hashlib.blake2b(o.encode(), digest_size=8).digest()) for o in sorted(objects)],
            blank_objects=len(blank_objects),
        )


def void_graph(
    store: Store,
    config: Config,
    programmes: Sequence[Programme],
    catalogue: Catalogue,
    dumps: Sequence[Dump],
    stats: Statistics,
) -> Graph:
    """VoID of everything served, with one subset per programme (the catalogue's datasets)."""
    base = config.base_uri
    graph, whole = Graph(), whole_dataset(base)
    sparql = URIRef(f"{base}sparql")
    graph.add((whole, RDF.type, VOID.Dataset))
    graph.add((whole, RDF.type, DCAT.Dataset))
    graph.add((whole, DCTERMS.title, Literal("Kommunale Zielsysteme: alle Daten", lang="de")))
    graph.add((whole, DCTERMS.title, Literal("Municipal goal systems: all data", lang="en")))
    for text, lang in WHOLE_DESCRIPTION:
        graph.add((whole, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((whole, DCTERMS.publisher, URIRef(f"{base}catalog#herausgeber")))
    graph.add((whole, FOAF.homepage, URIRef(base)))
    graph.add((whole, DCAT.landingPage, URIRef(f"{base}data/")))
    graph.add((whole, VOID.sparqlEndpoint, sparql))
    graph.add((whole, VOID.uriSpace, Literal(base + THING)))
    graph.add((whole, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    entities = [s for s in stats.subjects if s.startswith(base + THING)]
    graph.add((whole, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    graph.add((whole, VOID.distinctSubjects, Literal(stats.distinct_subjects, datatype=XSD.integer)))
    graph.add((whole, VOID.distinctObjects, Literal(stats.distinct_objects, datatype=XSD.integer)))
    graph.add((whole, VOID.classes, Literal(len(stats.classes), datatype=XSD.integer)))
    graph.add((whole, VOID.properties, Literal(len(stats.properties), datatype=XSD.integer)))
    for cls, count in stats.classes:
        partition = chunk_id("class", cls)
        graph.add((whole, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in stats.properties:
        partition = chunk_id("property", prop)
        graph.add((whole, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))
    for vocabulary in sorted({namespace(iri) for iri, _ in stats.classes + stats.properties}):
        graph.add((whole, VOID.vocabulary, URIRef(vocabulary)))
    for row in select(store, LICENSES):
        graph.add((whole, DCTERMS.license, URIRef(term(row, "license"))))
    graph.add((whole, DCTERMS.modified, Literal(newest(catalogue).isoformat(), datatype=XSD.date)))
    for name in FORMAT_IRIS.values():
        graph.add((whole, VOID.feature, URIRef(f"http://www.w3.org/ns/formats/{name}")))
    for dump in dumps:
        if dump.programme is None and dump.format.rdf is not None:
            graph.add((whole, VOID.dataDump, URIRef(base + dump.path)))
        if dump.programme is None and dump.format is not CSVW:
            graph.add((whole, DCAT.distribution, whole_distribution(graph, base, dump)))
    by_programme: dict[str | None, list[Dump]] = {}
    for dump in dumps:
        by_programme.setdefault(dump.programme, []).append(dump)
    for programme, part in zip(programmes, catalogue.parts.summaries(), strict=True):
        subset = URIRef(programme.dataset(base))
        graph.add((whole, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        for predicate in (DCTERMS.title, DCTERMS.license, DCTERMS.modified, DCAT.landingPage, PROV.wasDerivedFrom):
            for value in part.objects(subset, predicate):
                graph.add((subset, predicate, value))
        for work in part.objects(subset, PROV.wasDerivedFrom):
            graph.add((subset, VOID.exampleResource, work))
            graph.add((whole, VOID.exampleResource, work))
        graph.add((subset, VOID.triples, Literal(programme.triples, datatype=XSD.integer)))
        graph.add((subset, VOID.sparqlEndpoint, sparql))
        for dump in by_programme.get(programme.key, ()):
            if dump.format.rdf is not None:
                graph.add((subset, VOID.dataDump, URIRef(base + dump.path)))
    return graph


def whole_distribution(graph: Graph, base: str, dump: Dump) -> URIRef:
    """A dump of everything, with size and checksum like the programmes' (licences: see each subset)."""
    node = URIRef(f"{base}data/#distribution-{dump.format.extension}")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(f"Alle Daten als {dump.format.label}", lang="de")))
    graph.add((node, DCTERMS.title, Literal(f"All data as {dump.format.label}", lang="en")))
    describe_file(graph, node, base, dump)
    for text, lang in WHOLE_RIGHTS:
        graph.add((node, DCTERMS.rights, Literal(text, lang=lang)))
    return node


WHOLE_DESCRIPTION = (
    ("Alle Programme, das Vokabular kzs und die gemeinsamen Begriffe in einem Datensatz.", "de"),
    ("Every programme, the kzs vocabulary and the shared concepts in one dataset.", "en"),
)
WHOLE_RIGHTS = (
    ("Die Teile stehen unter verschiedenen Lizenzen; jeder Teildatensatz (void:subset) nennt seine.", "de"),
    ("The parts are under different licences; each subset (void:subset) names its own.", "en"),
)


def modified(part: Graph, dataset: URIRef) -> date | None:
    values = sorted(str(o)[:10] for o in part.objects(dataset, DCTERMS.modified))
    return date.fromisoformat(values[-1]) if values else None


def newest(catalogue: Catalogue) -> date:
    summaries = catalogue.parts.summaries()
    dates = [m for d, p in zip(catalogue.datasets, summaries, strict=True) if (m := modified(p, d))]
    return max(dates) if dates else date(1970, 1, 1)


def sitemap_urls(
    config: Config, programmes: Sequence[Programme], catalogue: Catalogue, stats: Statistics
) -> list[tuple[str, date]]:
    """Every page a search engine should know, with the date its data last changed."""
    base, overall = config.base_uri, newest(catalogue)
    changed = {}
    for programme, dataset, part in zip(programmes, catalogue.datasets, catalogue.parts.summaries(), strict=True):
        changed.update(dict.fromkeys(programme.graphs, modified(part, dataset) or overall))
    urls = [(base, overall), (f"{base}data/", overall)]
    urls += [(p.landing_page(base), changed.get(p.graphs[0], overall)) for p in programmes]
    for iri, graphs in sorted(stats.subjects.items()):
        page = document_url(base, iri) if iri.startswith(base + THING) else None
        if page:
            urls.append((page, max((changed[g] for g in graphs if g in changed), default=overall)))
    return urls


def sitemaps(base: str, urls: Sequence[tuple[str, date]], limit: int = SITEMAP_LIMIT) -> list[bytes]:
    """One sitemap; or, past `limit` URLs, an index (first) and the sitemaps it lists as /sitemap-{n}.xml."""
    chunks = [urls[i : i + limit] for i in range(0, len(urls), limit)] or [[]]
    files = [urlset(chunk) for chunk in chunks]
    if len(files) == 1:
        return files
    lastmods = [max(d for _, d in chunk) for chunk in chunks]
    entries = "".join(
        f"<sitemap><loc>{escape(f'{base}sitemap-{n}.xml')}</loc><lastmod>{lastmod.isoformat()}</lastmod></sitemap>\n"
        for n, lastmod in enumerate(lastmods, start=1)
    )
    index = f'{XML}<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'
    return [index.encode(), *files]


XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(urls: Iterable[tuple[str, date]]) -> bytes:
    entries = "".join(f"<url><loc>{escape(u)}</loc><lastmod>{d.isoformat()}</lastmod></url>\n" for u, d in urls)
    return f'{XML}<urlset xmlns="{SITEMAP_NS}">\n{entries}</urlset>\n'.encode()


def robots(base: str) -> str:
    return (
        "# Everything here is open data: catalogue, dumps, pages and the SPARQL endpoint's description.\n"
        "# Only ad-hoc query URLs are kept from crawlers (each one runs a query); harvesters never need them.\n"
        "User-agent: *\n"
        "Disallow: /sparql?query=\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {base}sitemap.xml\n"
    )


def schema_org(config: Config, part: Graph, dataset: URIRef, dumps: Sequence[Dump]) -> dict[str, Any]:
    """schema.org Dataset markup for the landing page, as Google Dataset Search reads it."""
    base = config.base_uri

    def texts(predicate: URIRef, lang: str = "de") -> list[str]:
        values = [o for o in part.objects(dataset, predicate) if isinstance(o, Literal)]
        return [str(o) for o in sorted(values, key=lambda o: (o.language != lang, str(o)))]

    def agent(node: Any, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = {"@type": kind, "@id": str(node), "name": label(part, node)}
        homepage = part.value(node, FOAF.homepage)
        return {**found, "url": str(homepage)} if homepage else found

    markup: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(dataset),
        "name": texts(DCTERMS.title)[0],
        "description": texts(DCTERMS.description)[0],
        "url": str(part.value(dataset, DCAT.landingPage) or dataset),
        "identifier": str(dataset),
        "keywords": list(dict.fromkeys(texts(DCAT.keyword))),
        "isAccessibleForFree": True,
        "inLanguage": [
            LANGUAGE_TAGS[str(o).rsplit("/", 1)[-1]] for o in sorted(part.objects(dataset, DCTERMS.language), key=str)
        ],
        "publisher": agent(part.value(dataset, DCTERMS.publisher), "Organization"),
        "creator": [
            agent(c, "GovernmentOrganization") for c in sorted(part.objects(dataset, DCTERMS.creator), key=str)
        ],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": "Kommunale Zielsysteme", "url": f"{base}catalog"},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": dump.format.label,
                "contentUrl": base + dump.path,
                "encodingFormat": dump.media_type,
                "contentSize": f"{dump.size} B",
                "sha256": dump.sha256,
            }
            for dump in dumps
            if dump.format in DUMP_FORMATS
        ],
    }
    licenses = sorted(str(o) for o in part.objects(dataset, DCTERMS.license))
    if licenses:
        markup["license"] = licenses[0]
    changed = modified(part, dataset)
    if changed:
        markup["dateModified"] = changed.isoformat()
    issued = sorted(str(o)[:10] for o in part.objects(dataset, DCTERMS.issued))
    if issued:
        markup["datePublished"] = issued[0]
    period = part.value(dataset, DCTERMS.temporal)
    if period is not None:
        start, end = part.value(period, DCAT.startDate), part.value(period, DCAT.endDate)
        markup["temporalCoverage"] = "/".join(str(x) if x is not None else ".." for x in (start, end))
    places = sorted(str(o) for o in part.objects(dataset, DCTERMS.spatial))
    creators = sorted(part.objects(dataset, DCTERMS.creator), key=str)
    if places:
        name = label(part, creators[0]) if creators else ""
        markup["spatialCoverage"] = {"@type": "Place", "name": name, "identifier": places, "sameAs": places}
    sources = sorted(str(o) for o in part.objects(dataset, PROV.wasDerivedFrom))
    if sources:
        markup["isBasedOn"] = [document_url(base, s) or s for s in sources]
    return markup
