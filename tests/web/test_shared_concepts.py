"""Shared resources' incoming links, from the per-version index (service/content/hubs.py): the same documents
as the store's own queries give, counted, paged in IRI order to the last link, on Soest's data and on fictitious
towns (keys 99…) with a small page size, so that a target group's links fill several pages."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import Graph, URIRef

from service.config import Config
from service.content.describe import describe
from service.content.hubs import build, kept
from service.rdf.namespaces import PREFIXES
from service.store.embedded import select
from service.web.app import create_app
from service.web.state import state
from tests.support.project import BASE
from tests.support.towns import make_project
from tests.web.test_resource_pages import parse, text

AUDIENCE = "http://purl.org/dc/terms/audience"
CURATION_RULE = "https://w3id.org/sssom/curation_rule"
CHILDREN = BASE + "id/konzept/zielgruppe/kinder-und-jugendliche"
MAPPING_METHOD = BASE + "id/methode/sdg-zuordnung"  # every SDG mapping record's curation rule
LINKING = "SELECT DISTINCT ?r ?p ?s WHERE { ?s ?p ?r FILTER(isIRI(?s)) }"
SMALL_PAGE = 4


@pytest.fixture(scope="module")
def towns_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """Three fictitious towns, four links a page."""
    project = make_project(tmp_path_factory.mktemp("shared-concepts"), 3)
    return create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project, "page_size": SMALL_PAGE}))


@pytest.fixture(params=["soest", "towns"])
def any_app(request: pytest.FixtureRequest, app: Flask) -> Flask:
    return app if request.param == "soest" else request.getfixturevalue("towns_app")


def linking(app: Flask, iri: str, predicate: str) -> list[str]:
    """What links to `iri` by `predicate`, asked of the store, in IRI order."""
    nodes = {"r": ox.NamedNode(iri), "p": ox.NamedNode(predicate)}
    return sorted(row["s"].value for row in select(state(app).store, LINKING, substitutions=nodes))


def turtle_subjects(data: bytes, iri: str, predicate: str) -> list[str]:
    return sorted(str(s) for s in Graph().parse(data=data, format="turtle").subjects(URIRef(predicate), URIRef(iri)))


def next_link(response: object) -> str | None:
    found = re.search(r'<([^>]+)>; rel="next"', ", ".join(response.headers.getlist("Link")))  # type: ignore[attr-defined]
    if found is None:
        return None
    url = urlsplit(found[1])
    return f"{url.path}?{url.query}"


def test_every_shared_resource_is_indexed_and_documented_as_the_queries_document_it(any_app: Flask) -> None:
    held = state(any_app)
    hubs = held.current_hubs()
    assert CHILDREN in hubs.links and MAPPING_METHOD in hubs.links
    assert not any(iri.startswith(BASE + "id/kommune/") for iri in hubs.links)  # a programme's own things
    for iri, links in hubs.links.items():
        indexed = describe(held.store, iri, held.config.page_size, links)
        queried = describe(held.store, iri, held.config.page_size)
        assert indexed.triples == queried.triples and indexed.incoming == queried.incoming, iri


@pytest.mark.parametrize("iri", [CHILDREN, MAPPING_METHOD])
def test_the_page_counts_every_link_and_lists_the_first_page(any_app: Flask, iri: str) -> None:
    predicate = AUDIENCE if iri == CHILDREN else CURATION_RULE
    expected, size = linking(any_app, iri, predicate), state(any_app).config.page_size
    assert expected
    client = any_app.test_client()
    path = iri.replace("/id/", "/doc/").removeprefix(BASE[:-1])
    html = client.get(path, headers={"Accept": "text/html"})
    tree = parse(html.get_data(as_text=True))
    curie = "dct:audience" if iri == CHILDREN else "sssom:curation_rule"
    group = next(d for d in tree.iterfind(".//details[@class='incoming']") if d.get("data-property") == curie)
    assert int(text(group.find("summary/span[@class='count']"))) == len(expected)  # type: ignore[arg-type]
    assert len(group.findall("ul/li")) == min(size, len(expected))
    assert (group.find("p[@class='more']/a") is not None) == (len(expected) > size)
    document = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle_subjects(document.data, iri, predicate) == expected[:size]  # the first page by IRI


@pytest.mark.parametrize("iri", [CHILDREN, MAPPING_METHOD])
def test_the_pages_hold_every_link_once_in_iri_order(any_app: Flask, iri: str) -> None:
    predicate = AUDIENCE if iri == CHILDREN else CURATION_RULE
    expected, size = linking(any_app, iri, predicate), state(any_app).config.page_size
    client = any_app.test_client()
    curie = "dct:audience" if iri == CHILDREN else "sssom:curation_rule"
    url: str | None = iri.replace("/id/", "/doc/").removeprefix(BASE[:-1]) + f"?in={curie}&page=1"
    pages: list[list[str]] = []
    while url is not None:
        response = client.get(url, headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        pages.append(turtle_subjects(response.data, iri, predicate))
        url = next_link(response)
    assert [s for page in pages for s in page] == expected  # sorted within and across pages, none twice
    assert all(len(page) == size for page in pages[:-1]) and 0 < len(pages[-1]) <= size
    assert len(pages) == -(-len(expected) // size)


def test_a_target_group_of_several_towns_pages_in_html(towns_app: Flask) -> None:
    expected = linking(towns_app, CHILDREN, AUDIENCE)
    assert len({re.search(r"/kommune/(\d+)/", s)[1] for s in expected}) == 3  # type: ignore[index]
    assert len(expected) > 2 * SMALL_PAGE
    path = CHILDREN.replace("/id/", "/doc/").removeprefix(BASE[:-1])
    html = towns_app.test_client().get(path, query_string={"in": "dct:audience", "page": 2},
                                       headers={"Accept": "text/html"})  # fmt: skip
    body = html.get_data(as_text=True)
    assert html.status_code == 200 and 'rel="prev"' in body and 'rel="next"' in body
    listed = [text(li) for li in parse(body).findall(".//ol[@class='incoming']/li")]
    labels = [german_label(towns_app, s) for s in expected[SMALL_PAGE : 2 * SMALL_PAGE]]
    assert len(listed) == SMALL_PAGE
    assert all(sum(item.endswith(label) for item in listed) == 1 for label in labels)  # "1.2 Früherkennung …"


def german_label(app: Flask, iri: str) -> str:
    query = f"SELECT ?s ?l WHERE {{ ?s <{PREFIXES['skos']}prefLabel> ?l FILTER(lang(?l) = 'de') }}"
    return str(next(iter(select(state(app).store, query, substitutions={"s": ox.NamedNode(iri)})))["l"].value)


def test_a_town_s_things_never_need_the_index() -> None:
    from service.content.hubs import may_be_shared

    assert may_be_shared(BASE, CHILDREN) and may_be_shared(BASE, MAPPING_METHOD)
    assert not may_be_shared(BASE, BASE + "id/kommune/99000040/programm/zukunftsprogramm/ziel/1")
    assert not may_be_shared(BASE, BASE + "def/kzs#ActionGoal")


def test_the_index_kept_on_disk_is_the_index_built(towns_app: Flask, tmp_path: Path) -> None:
    """A restart with the same data reads the index an earlier start wrote (named by the data version, a digest
    of every input byte) instead of querying every shared resource's links again; it is the same index."""
    store = state(towns_app).store
    built = kept(store, BASE, tmp_path)
    assert [p.name for p in tmp_path.glob("hubs-*.json")] == [f"hubs-{store.version}.json"]
    assert kept(store, BASE, tmp_path) == built == build(store, BASE)
    assert any(links.via_blank for links in built.links.values())  # blank nodes come back as the store's
