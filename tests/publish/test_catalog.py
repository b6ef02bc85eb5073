"""/catalog: a DCAT-AP catalogue harvesters can read, with one dataset per programme folder, built from the data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from service.config import Config
from service.rdf.namespaces import DCATDE, HYDRA, VCARD
from service.web.app import create_app
from tests.support.project import BASE, PROGRAMME

CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "data/soest-2009#datensatz")
SERVICE = URIRef(BASE + "sparql#service")
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
             "application/n-triples": "nt"}  # fmt: skip
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def parse(response: object, media_type: str | None = None) -> Graph:
    data, mimetype = response.data, media_type or response.mimetype  # type: ignore[attr-defined]
    return Graph().parse(data=data, format=RDF_TYPES[mimetype])


@pytest.fixture(scope="module")
def catalog(app: Flask) -> Graph:
    return parse(app.test_client().get("/catalog"))


# (request path, Accept header, expected media type): harvesters send no Accept header (ckanext-dcat) or an RDF
# type; the aliases fix the format whatever the header says; only a browser gets HTML.
NEGOTIATION = [
    ("/catalog", None, "text/turtle"),
    ("/catalog", "*/*", "text/turtle"),
    ("/catalog", "application/rdf+xml", "application/rdf+xml"),
    ("/catalog", "application/ld+json", "application/ld+json"),
    ("/catalog", "application/n-triples", "application/n-triples"),
    ("/catalog", "application/xml", "application/rdf+xml"),
    ("/catalog", BROWSER, "text/html"),
    ("/catalog.ttl", "application/rdf+xml", "text/turtle"),
    ("/catalog.rdf", None, "application/rdf+xml"),
    ("/catalog.jsonld", "text/turtle", "application/ld+json"),
    ("/catalog.nt", None, "application/n-triples"),
    ("/catalog?_format=rdf", "text/turtle", "application/rdf+xml"),
]


@pytest.mark.parametrize(("path", "accept", "media_type"), NEGOTIATION)
def test_catalog_negotiates_rdf_first(client: FlaskClient, path: str, accept: str | None, media_type: str) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media_type
    if media_type != "text/html":
        assert (CATALOG, RDF.type, DCAT.Catalog) in parse(response)
    negotiated = "." not in path.rsplit("/", 1)[-1] and "_format" not in path
    assert ("Accept" in {v.strip() for v in response.headers.get("Vary", "").split(",")}) == negotiated


def test_catalog_head_matches_get(client: FlaskClient) -> None:
    get, head = client.get("/catalog.rdf"), client.head("/catalog.rdf")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"] == "application/rdf+xml; charset=utf-8"
    assert head.headers["Content-Length"] == str(len(get.data)) and head.headers["ETag"] == get.headers["ETag"]


def test_catalog_validates_with_etag_and_last_modified(client: FlaskClient) -> None:
    first = client.get("/catalog")
    assert first.headers["Last-Modified"] and first.headers["Cache-Control"].startswith("public")
    assert client.get("/catalog", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/catalog", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get("/catalog", headers={"If-None-Match": '"other"'}).status_code == 200


def test_unacceptable_type_is_406(client: FlaskClient) -> None:
    response = client.get("/catalog", headers={"Accept": "image/png"})
    assert response.status_code == 406 and b"text/turtle" in response.data


def test_one_dataset_per_programme_folder(catalog: Graph, config: Config) -> None:
    folders = sorted(p.name for p in (config.project_dir / "data").iterdir() if p.is_dir())
    datasets = sorted(catalog.objects(CATALOG, DCAT.dataset))
    assert datasets == [URIRef(f"{BASE}data/{folder}#datensatz") for folder in folders]
    assert set(catalog.subjects(RDF.type, DCAT.Dataset)) == set(datasets)


def test_dataset_says_what_portals_need(catalog: Graph) -> None:
    def values(predicate: URIRef) -> set[object]:
        return set(catalog.objects(DATASET, predicate))

    assert {t.language for t in values(DCTERMS.title)} == {"de", "en"}  # type: ignore[attr-defined]
    assert {t.language for t in values(DCTERMS.description)} == {"de", "en"}  # type: ignore[attr-defined]
    assert values(DCTERMS.identifier) == {Literal(str(DATASET))}
    assert values(DCTERMS.license) == {URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")}
    assert any(str(text).startswith("Stadt Soest") for text in values(DCATDE.licenseAttributionByText))
    assert values(DCTERMS.conformsTo) == {URIRef("https://w3id.org/kzs/def")}
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE") in values(DCAT.theme)
    key = URIRef("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05974040")
    assert values(DCTERMS.spatial) == {key} == values(DCATDE.politicalGeocodingURI)
    assert values(DCATDE.politicalGeocodingLevelURI) == {
        URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
    }
    assert len(values(DCAT.keyword)) >= 3
    (modified,) = values(DCTERMS.modified)
    assert modified.datatype == XSD.date  # type: ignore[attr-defined]
    (period,) = values(DCTERMS.temporal)
    assert catalog.value(period, DCAT.startDate) == Literal("2009", datatype=XSD.gYear)
    assert (URIRef(BASE + "id/kommune/05974040"), None, None) in catalog  # the municipality, as creator
    assert values(DCATDE.contributorID) == set()  # empty setting: harvesting portals add their own


def test_every_node_is_named_and_typed(catalog: Graph) -> None:
    """Harvesters key datasets, distributions and services by IRI; agents need a name, contacts a way to reach."""
    for cls in (DCAT.Dataset, DCAT.Distribution, DCAT.DataService, DCAT.Catalog, FOAF.Agent, VCARD.Kind):
        assert all(isinstance(node, URIRef) for node in catalog.subjects(RDF.type, cls)), cls
    for agent in catalog.subjects(RDF.type, FOAF.Agent):
        assert catalog.value(agent, FOAF.name) is not None
    for contact in catalog.objects(None, DCAT.contactPoint):
        assert len(list(catalog.objects(contact, VCARD.fn))) == 1
        assert any(catalog.objects(contact, p) for p in (VCARD.hasEmail, VCARD.hasURL, VCARD.hasTelephone))


def test_every_text_has_a_language(catalog: Graph) -> None:
    """No shape checks language tags (DCAT-AP.de#78); titles, descriptions and keywords all carry one."""
    for predicate in (DCTERMS.title, DCTERMS.description, DCAT.keyword):
        for text in catalog.objects(None, predicate):
            assert isinstance(text, Literal) and text.language in ("de", "en"), (predicate, text)


def test_distributions_describe_each_dump(catalog: Graph) -> None:
    distributions = set(catalog.objects(DATASET, DCAT.distribution))
    formats = {str(catalog.value(d, DCTERMS.format)).rsplit("/", 1)[-1] for d in distributions}
    assert formats == {"RDF_TURTLE", "RDF_N_TRIPLES", "RDF_N_QUADS", "RDF_TRIG", "JSON_LD", "RDF_XML", "CSV", "SPARQLQ"}
    for distribution in distributions:
        assert catalog.value(distribution, DCTERMS.license) is not None
        if catalog.value(distribution, DCAT.downloadURL) is None:
            assert catalog.value(distribution, DCAT.accessService) == SERVICE
            continue
        assert str(catalog.value(distribution, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/"
        )
        assert catalog.value(distribution, DCAT.byteSize).datatype == XSD.nonNegativeInteger  # type: ignore[union-attr]


def test_data_service_points_at_the_endpoint_and_its_description(client: FlaskClient, catalog: Graph) -> None:
    endpoint = catalog.value(SERVICE, DCAT.endpointURL)
    assert endpoint == URIRef(BASE + "sparql")
    assert set(catalog.objects(SERVICE, DCAT.servesDataset)) == set(catalog.objects(CATALOG, DCAT.dataset))
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    sd = Graph().parse(data=description.data, format="turtle")
    assert catalog.value(SERVICE, DCAT.endpointDescription) == endpoint
    assert (None, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), endpoint) in sd


def test_no_paging_while_one_page_holds_everything(catalog: Graph) -> None:
    assert not list(catalog.subjects(RDF.type, HYDRA.PartialCollectionView))


@pytest.fixture(scope="module")
def paged(two_programmes: Path) -> Iterator[Flask]:
    config = Config.from_mapping({"base_uri": BASE, "project_dir": two_programmes, "catalog_page_size": "1"})
    yield create_app(config)


def test_hydra_pages_follow_on_and_end(paged: Flask) -> None:
    """Pages as ckanext-dcat follows them: hydra:next until there is none; never back to a page seen before."""
    client, url, seen, datasets = paged.test_client(), BASE + "catalog", [], set()
    while url:
        assert url not in seen, "the pages loop"
        seen.append(url)
        response = client.get(url.removeprefix(BASE[:-1]))
        assert response.status_code == 200
        graph = parse(response)
        datasets |= set(graph.objects(CATALOG, DCAT.dataset))
        assert graph.value(CATALOG, HYDRA.totalItems) == Literal(2, datatype=XSD.nonNegativeInteger)
        (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
        url = str(graph.value(view, HYDRA.next) or "")
    assert seen == [BASE + "catalog", BASE + "catalog?page=2"]
    assert len(datasets) == 2


def test_pages_keep_their_alias_format(paged: Flask) -> None:
    graph = parse(paged.test_client().get("/catalog.rdf"), "application/rdf+xml")
    (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert graph.value(view, HYDRA.next) == URIRef(BASE + "catalog.rdf?page=2")


@pytest.mark.parametrize(("page", "status"), [("2", 200), ("3", 404), ("0", 400), ("02", 400), ("x", 400), ("", 400)])
def test_page_numbers_have_one_spelling(paged: Flask, page: str, status: int) -> None:
    assert paged.test_client().get(f"/catalog?page={page}").status_code == status


def test_contributor_id_is_a_setting(two_programmes: Path) -> None:
    contributor = "http://dcat-ap.de/def/contributors/openNRW"
    config = Config.from_mapping(
        {"base_uri": BASE, "project_dir": two_programmes, "contributor_id": contributor, "contact_email": "a@b.example"}
    )
    graph = parse(create_app(config).test_client().get("/catalog"))
    assert set(graph.objects(DATASET, DCATDE.contributorID)) == {URIRef(contributor)}
    assert (None, VCARD.hasEmail, URIRef("mailto:a@b.example")) in graph


def test_programme_landing_page_has_schema_org_dataset(client: FlaskClient) -> None:
    import json
    import re

    response = client.get("/data/soest-2009", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    markup = json.loads(script)
    assert markup["@type"] == "Dataset" and markup["name"]
    assert 50 <= len(markup["description"]) <= 5000
    assert markup["license"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert markup["creator"][0]["name"] == "Stadt Soest"
    assert markup["temporalCoverage"] == "2009/.." and markup["spatialCoverage"]["name"] == "Stadt Soest"
    downloads = {d["encodingFormat"] for d in markup["distribution"]}
    assert {"text/turtle", "application/n-quads", "text/csv"} <= downloads
    assert PROGRAMME.replace("/id/", "/doc/") in markup["isBasedOn"]


def test_landing_page_in_rdf_describes_the_dataset(client: FlaskClient) -> None:
    graph = parse(client.get("/data/soest-2009", headers={"Accept": "text/turtle"}))
    assert (DATASET, RDF.type, DCAT.Dataset) in graph and (DATASET, DCAT.distribution, None) in graph
    assert client.get("/data/no-such-programme").status_code == 404


def test_void_describes_everything_with_a_subset_per_programme(client: FlaskClient) -> None:
    from rdflib.namespace import VOID

    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    void = parse(response)
    whole = URIRef(BASE + "data/#datensatz")
    assert (whole, RDF.type, VOID.Dataset) in void
    assert void.value(whole, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert void.value(whole, VOID.uriSpace) == Literal(BASE + "id/")
    sizes = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "application/sparql-results+json"}).json  # fmt: skip
    assert int(void.value(whole, VOID.triples)) == int(sizes["results"]["bindings"][0]["n"]["value"])  # type: ignore[index,arg-type]
    for predicate in (VOID.entities, VOID.classes, VOID.properties, VOID.exampleResource, DCTERMS.license):
        assert void.value(whole, predicate) is not None, predicate
    assert URIRef("http://www.w3.org/2004/02/skos/core#") in set(void.objects(whole, VOID.vocabulary))
    assert set(void.objects(whole, VOID.subset)) == {DATASET}
    dumps = {str(d).rsplit(".", 1)[-1] for d in void.objects(whole, VOID.dataDump)}
    assert dumps == {"ttl", "nt", "nq", "trig", "jsonld", "rdf"}


def test_sitemap_lists_every_resource_page_with_its_date(client: FlaskClient, catalog: Graph) -> None:
    import xml.etree.ElementTree as ET

    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = ET.fromstring(response.data).findall("s:url", ns)  # noqa: S314 (our own output)
    pages = {e.findtext("s:loc", namespaces=ns): e.findtext("s:lastmod", namespaces=ns) for e in entries}
    assert pages[BASE + "data/soest-2009"] == str(catalog.value(DATASET, DCTERMS.modified))
    assert PROGRAMME.replace("/id/", "/doc/") + "/ziel/3/handlungsziel/2" in pages
    assert not any("/id/" in url for url in pages)  # the documents, not the 303s
    assert client.get("/data/soest-2009", headers={"Accept": BROWSER}).status_code == 200


def test_sitemap_index_past_the_limit() -> None:
    from datetime import date

    from service.publish.discovery import sitemaps

    urls = [(f"{BASE}doc/{n}", date(2026, 1, n % 28 + 1)) for n in range(5)]
    index, *parts = sitemaps(BASE, urls, limit=2)
    assert index.count(b"<sitemap>") == 3 and len(parts) == 3
    assert f"<loc>{BASE}sitemap-3.xml</loc>".encode() in index


def test_robots_txt_points_to_the_sitemap_and_blocks_nothing_needed(client: FlaskClient) -> None:
    from urllib.robotparser import RobotFileParser

    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    robots = RobotFileParser()
    robots.parse(response.get_data(as_text=True).splitlines())
    assert robots.site_maps() == [BASE + "sitemap.xml"]
    for path in ("catalog", "catalog.ttl", "data/soest-2009", "data/soest-2009/soest-2009.ttl", "sparql",
                 ".well-known/void", "doc/kommune/05974040", "id/kommune/05974040", "sitemap.xml"):  # fmt: skip
        assert robots.can_fetch("Googlebot", BASE + path), path
