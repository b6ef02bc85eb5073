"""Releases and the change feed in the catalogue. The feed is a `dcat:DataService`; the releases form a
`dcat:DatasetSeries` for the whole dataset and one per programme, a `dcat:Dataset` per release in it (DCAT 3
§6.7: `dcat:inSeries`, `dcat:prev`/`dcat:next`, `dcat:first`/`dcat:last`), with its version, its citation in
German and English and the frozen files as its distributions.

`freeze` writes a release (service/publish/releases.py keeps it); its description is frozen with it, as the
catalogue said it then. Only the series and the neighbour links, which later releases extend, are added whenever
the catalogue is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD
from rdflib.term import Node

from service.config import Config
from service.ingest.programmes import Programme
from service.publish.catalogue import GOVERNMENT, PUBLIC, RANGES, Catalogue, CatalogueBuilder, describe_file, label
from service.publish.catalogue_texts import DESCRIPTIONS, RELEASE_TEXTS, TITLES, WHOLE_TITLE
from service.publish.dumps import CSV, CSVW, Dump
from service.publish.feed import Goals
from service.publish.releases import Release, ReleaseError, ReleaseFile, frozen_catalogue, releases, write
from service.rdf.namespaces import ADMS

DCAT3 = "http://www.w3.org/ns/dcat#"
IN_SERIES, PREV, NEXT = URIRef(DCAT3 + "inSeries"), URIRef(DCAT3 + "prev"), URIRef(DCAT3 + "next")
FIRST, LAST, SERIES = URIRef(DCAT3 + "first"), URIRef(DCAT3 + "last"), URIRef(DCAT3 + "DatasetSeries")
VERSION = URIRef(DCAT3 + "version")
HAS_VERSION = URIRef(DCAT3 + "hasVersion")
# Of the current dataset's description, what a release does not share: its own files, address and dates.
OWN = {DCAT.distribution, DCTERMS.identifier, DCAT.landingPage, DCTERMS.issued, DCTERMS.modified, DCTERMS.title}


def release_dataset(base: str, version: str, programme: str | None) -> URIRef:
    return URIRef(f"{base}data/releases/{version}/" + (f"{programme}#datensatz" if programme else "#datensatz"))


def series_iri(base: str, programme: str | None) -> URIRef:
    return URIRef(f"{base}data/{programme}#reihe" if programme else f"{base}data/releases/#reihe")


def citation(publisher: str, titles: Mapping[str, str], version: str, date: str, url: str) -> dict[str, str]:
    """How to cite a release, in German and English: publisher, title, version, date, address."""
    values = {"publisher": publisher, "version": version, "date": date, "url": url}
    return {
        lang: text.format(title=titles.get(lang) or titles["de"], **values) for text, lang in RELEASE_TEXTS["citation"]
    }


def cite(config: Config, programme: str, titles: Mapping[str, str], modified: str, landing: str) -> dict[str, str]:
    """How to cite a programme's data: its newest release, or else the data as of its last change."""
    found = [r for r in releases(config.history("releases")) if programme in r.programmes()]
    if found:
        newest = found[-1]
        return citation(config.publisher_name, titles, newest.version, newest.date, newest.url(config.base_uri))
    values = {"publisher": config.publisher_name, "date": modified, "url": landing}
    return {
        lang: text.format(title=titles.get(lang) or titles["de"], **values)
        for text, lang in RELEASE_TEXTS["citation_current"]
    }


def freeze(
    config: Config,
    catalogue: Catalogue,
    programmes: Sequence[Programme],
    dumps: Sequence[Dump],
    state: dict[str, Goals],
    data_version: str,
    version: str,
    note: str,
) -> Release:
    """Freeze the publication of now as release `version`: the dumps' bytes, the manifest and its description."""
    folder = config.history("releases")
    if folder is None:
        raise ReleaseError("there is nowhere to keep releases: set KZS_HISTORY_DIR to a folder")
    dumps = [replace(d, sha256=d.checksum()) for d in dumps]  # the whole dataset's files are hashed once, here
    base, issued = config.base_uri, datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    files = [
        ReleaseFile(d.path.removeprefix("data/"), d.media_type, d.format.extension, d.size, d.sha256, d.programme)
        for d in dumps
    ]
    parts = dict(zip(catalogue.datasets, catalogue.parts, strict=True))
    titles = {
        p.key: {lang: label(parts[URIRef(p.dataset(base))], URIRef(p.dataset(base)), lang) for lang in ("de", "en")}
        for p in programmes
    }
    release = Release(version, issued, data_version, note, files, state, titles)
    builder, graph = CatalogueBuilder(config), Graph()
    licences = {o for d, part in parts.items() for o in part.objects(d, DCTERMS.license)}
    described = ReleaseDescription(builder, release, dumps, licences)
    graph += described.whole()
    for programme in programmes:
        graph += described.programme(programme, parts[URIRef(programme.dataset(base))])
    body = graph.serialize(format="nt", encoding="utf-8")
    return write(folder, release, {d.path.removeprefix("data/"): d.open for d in dumps}, body)


class ReleaseDescription:
    """The DCAT description of one release, as it is frozen with it."""

    def __init__(self, builder: CatalogueBuilder, release: Release, dumps: Sequence[Dump], licences: set[Node]) -> None:
        self.builder, self.release, self.dumps, self.base = builder, release, dumps, builder.base
        self.licences = licences  # of every programme: the whole dataset's files carry it when there is one

    def whole(self) -> Graph:
        d, graph = release_dataset(self.base, self.release.version, None), Graph()
        self.builder.operator(graph)
        for lang, title in WHOLE_TITLE.items():
            graph.add((d, DCTERMS.title, self.title(title, lang)))
        for text, lang in DESCRIPTIONS["catalog"]:
            graph.add((d, DCTERMS.description, Literal(text, lang=lang)))
        graph.add((d, DCTERMS.publisher, self.builder.publisher))
        graph.add((d, DCAT.contactPoint, self.builder.contact))
        graph.add((d, DCAT.theme, GOVERNMENT))
        graph.add((d, DCTERMS.accessRights, PUBLIC))
        if len(self.licences) == 1:
            graph.add((d, DCTERMS.license, next(iter(self.licences))))
        self.common(graph, d, WHOLE_TITLE, None)
        return graph

    def programme(self, programme: Programme, part: Graph) -> Graph:
        """The release of one programme: the dataset's description then, under the release's own IRI."""
        current = URIRef(programme.dataset(self.base))
        d, graph = release_dataset(self.base, self.release.version, programme.key), Graph()
        distributions = set(part.objects(current, DCAT.distribution))
        for s, p, o in part:
            if s in distributions or (s == current and p in OWN):
                continue
            graph.add((d if s == current else s, p, o))
        titles = {lang: label(part, current, lang) for lang in ("de", "en")}
        for lang, title in titles.items():
            graph.add((d, DCTERMS.title, self.title(title, lang)))
        self.common(graph, d, titles, programme.key)
        return graph

    def title(self, title: str, lang: str) -> Literal:
        text = next(t for t, language in RELEASE_TEXTS["release_title"] if language == lang)
        return Literal(text.format(title=title, version=self.release.version), lang=lang)

    def common(self, graph: Graph, d: URIRef, titles: Mapping[str, str], programme: str | None) -> None:
        """Identifier, dates, version, citation and the frozen files of a release."""
        release, base = self.release, self.base
        graph.add((d, RDF.type, DCAT.Dataset))
        graph.add((d, DCTERMS.identifier, Literal(str(d))))
        graph.add((d, DCAT.landingPage, URIRef(release.url(base))))
        for predicate in (DCTERMS.issued, DCTERMS.modified):
            graph.add((d, predicate, Literal(release.date, datatype=XSD.date)))
        graph.add((d, OWL.versionInfo, Literal(release.version)))
        graph.add((d, VERSION, Literal(release.version)))
        if release.note:
            graph.add((d, ADMS.versionNotes, Literal(release.note)))
        publisher = self.builder.config.publisher_name
        for lang, text in citation(publisher, titles, release.version, release.date, release.url(base)).items():
            graph.add((d, DCTERMS.bibliographicCitation, Literal(text, lang=lang)))
        for dump in (x for x in self.dumps if x.programme == programme and x.format is not CSVW):
            graph.add((d, DCAT.distribution, self.distribution(graph, d, dump)))
        for predicate, cls in RANGES.items():
            for o in list(graph.objects(None, predicate)):
                graph.add((o, RDF.type, cls))

    def distribution(self, graph: Graph, d: URIRef, dump: Dump) -> URIRef:
        node = URIRef(f"{d}".replace("#datensatz", f"#distribution-{dump.format.extension}"))
        path = f"data/releases/{self.release.version}/{dump.path.removeprefix('data/')}"
        frozen = replace(dump, path=path)  # the bytes frozen now
        kind = "csv" if dump.format is CSV else "rdf"
        graph.add((node, RDF.type, DCAT.Distribution))
        for (text, lang), (description, _) in zip(TITLES[kind], DESCRIPTIONS[kind], strict=True):
            name = text.format(label=dump.format.label)
            file_title = next(t for t, language in RELEASE_TEXTS["file_title"] if language == lang)
            graph.add(
                (node, DCTERMS.title, Literal(file_title.format(label=name, version=self.release.version), lang=lang))
            )
            graph.add((node, DCTERMS.description, Literal(description, lang=lang)))
        describe_file(graph, node, self.base, frozen)
        self.builder.rights(graph, d, node)
        return node


def add_series(catalogue: Catalogue, config: Config, programmes: Sequence[Programme]) -> Catalogue:
    """The catalogue with every release frozen so far, in its series, the series last."""
    found = releases(config.history("releases"))
    if not found:
        return catalogue
    base = config.base_uri
    builder = CatalogueBuilder(config)
    keys: list[str | None] = [None, *(p.key for p in programmes)]
    for key in keys:
        members = [r for r in found if key is None or key in r.programmes()]
        if not members:
            continue
        series = series_iri(base, key)
        names = {
            lang: WHOLE_TITLE[lang] if key is None else members[-1].titles.get(key, {}).get(lang, key)
            for lang in ("de", "en")
        }
        head = Graph()
        builder.operator(head)
        head.add((series, RDF.type, SERIES))
        head.add((series, RDF.type, DCAT.Dataset))  # DCAT 3: a series is a dataset; said, as no harvester infers it
        for text, lang in RELEASE_TEXTS["series_title"]:
            head.add((series, DCTERMS.title, Literal(text.format(title=names[lang]), lang=lang)))
        for text, lang in RELEASE_TEXTS["series_description"]:
            head.add((series, DCTERMS.description, Literal(text, lang=lang)))
        head.add((series, DCTERMS.publisher, builder.publisher))
        head.add((series, DCAT.contactPoint, builder.contact))
        head.add((series, DCAT.theme, GOVERNMENT))
        head.add((series, DCTERMS.accessRights, PUBLIC))
        head.add((series, FIRST, release_dataset(base, members[0].version, key)))
        head.add((series, LAST, release_dataset(base, members[-1].version, key)))
        head.add((series, DCTERMS.issued, Literal(members[0].date, datatype=XSD.date)))
        head.add((series, DCTERMS.modified, Literal(members[-1].date, datatype=XSD.date)))
        catalogue.datasets.append(series)
        catalogue.parts.append(head)
        catalogue.frozen.add(series)
        for number, release in enumerate(members):
            d = release_dataset(base, release.version, key)
            part = Graph().parse(data=frozen_catalogue(release), format="nt")
            own = subgraph(part, d)
            own.add((d, IN_SERIES, series))
            if number > 0:
                own.add((d, PREV, release_dataset(base, members[number - 1].version, key)))
            if number + 1 < len(members):
                own.add((d, NEXT, release_dataset(base, members[number + 1].version, key)))
            if key is not None and URIRef(f"{base}data/{key}#datensatz") in catalogue.datasets:
                index = catalogue.datasets.index(URIRef(f"{base}data/{key}#datensatz"))
                catalogue.parts[index].add((URIRef(f"{base}data/{key}#datensatz"), HAS_VERSION, d))
            catalogue.datasets.append(d)
            catalogue.parts.append(own)
            catalogue.frozen.add(d)
    return catalogue


def subgraph(graph: Graph, dataset: URIRef) -> Graph:
    """The statements about `dataset` and everything it leads to (its files, agents, contacts, checksums)."""
    found, seen = Graph(), set()
    todo: list[Node] = [dataset]
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for s, p, o in graph.triples((subject, None, None)):
            found.add((s, p, o))
            if not isinstance(o, Literal) and p != RDF.type:
                todo.append(o)
    return found


def up_to_date(catalogue: Catalogue, config: Config) -> bool:
    """Whether the catalogue lists every release on disk (`kzs release` adds one while a server runs)."""
    found = releases(config.history("releases"))
    return {release_dataset(config.base_uri, r.version, None) for r in found} <= catalogue.frozen


LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")


def add_feed_service(catalogue: Catalogue, config: Config) -> Catalogue:
    """The change feed (/feed, service/publish/feed.py) as a data service of the catalogue: it serves every
    current dataset (`Catalogue.page` says so), one stream of everything and one per programme."""
    builder, base = CatalogueBuilder(config), config.base_uri
    service, head = URIRef(f"{base}feed#service"), catalogue.head
    head.add((catalogue.iri, DCAT.service, service))
    head.add((service, RDF.type, DCAT.DataService))
    for text, lang in RELEASE_TEXTS["feed_title"]:
        head.add((service, DCTERMS.title, Literal(text, lang=lang)))
    for text, lang in RELEASE_TEXTS["feed_description"]:
        head.add((service, DCTERMS.description, Literal(text, lang=lang)))
    head.add((service, DCAT.endpointURL, URIRef(f"{base}feed")))
    head.add((service, DCAT.endpointDescription, URIRef(f"{base}feed")))
    head.add((service, DCTERMS.conformsTo, LDES_SPECIFICATION))
    head.add((LDES_SPECIFICATION, RDF.type, DCTERMS.Standard))
    head.add((service, DCTERMS.publisher, builder.publisher))
    head.add((service, DCAT.contactPoint, builder.contact))
    head.add((service, DCTERMS.accessRights, PUBLIC))
    head.add((service, DCAT.theme, GOVERNMENT))
    for keyword in ("LDES", "Linked Data Event Stream"):
        for lang in ("de", "en"):
            head.add((service, DCAT.keyword, Literal(keyword, lang=lang)))
    licences = set(head.objects(builder.service, DCTERMS.license))  # the SPARQL service's, when there is one
    for licence in licences:
        head.add((service, DCTERMS.license, licence))
    return catalogue
