"""/def/: the kzs vocabulary documented in German and English, in HTML and by content negotiation in RDF."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import html5rdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from service.web.state import state
from tests.support.project import BASE

KZS = "https://w3id.org/kzs/def#"


def parse(html: str) -> Element:
    parser = html5rdf.HTMLParser(strict=True, tree=html5rdf.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(html)  # type: ignore[no-any-return]


def text(element: Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


@pytest.fixture(scope="module")
def ontology(app: Flask) -> Graph:
    return Graph().parse(state(app).config.project_dir / "ontology" / "kzs.ttl", format="turtle")


def terms(ontology: Graph) -> list[URIRef]:
    return sorted({s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(KZS)})


@pytest.mark.parametrize(("url", "accept"), [("/def/", "text/turtle"), ("/def.ttl", "text/html"),
                                             ("/def/", "application/ld+json"), ("/def.nt", None)])  # fmt: skip
def test_the_vocabulary_document_is_the_ontology(
    client: FlaskClient, ontology: Graph, url: str, accept: str | None
) -> None:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    formats = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}
    assert isomorphic(Graph().parse(data=response.data, format=formats[response.mimetype]), ontology)
    assert 'rel="canonical"' in response.headers["Link"] and BASE + "def/" in response.headers["Link"]


def test_every_term_has_its_anchor_with_both_languages(client: FlaskClient, ontology: Graph) -> None:
    for language in ("de", "en"):
        response = client.get("/def/", headers={"Accept": "text/html", "Accept-Language": language})
        assert response.headers["Content-Language"] == language
        tree = parse(response.get_data(as_text=True))
        anchors = {e.get("id"): e for e in tree.iter() if e.get("id")}
        for term in terms(ontology):
            name = str(term)[len(KZS) :]
            assert name in anchors, f"/def/#{name} is missing"
            section = text(
                next(s for s in tree.iterfind(".//section[@class='term']") if s.find(f".//*[@id='{name}']") is not None)
            )
            for label in ontology.objects(term, RDFS.label):
                assert isinstance(label, Literal) and str(label) in section, (name, label.language)
            for definition in ontology.objects(term, SKOS.definition):
                assert " ".join(str(definition).split()) in section


def test_domain_and_range_link_to_their_terms(client: FlaskClient) -> None:
    tree = parse(client.get("/def/", headers={"Accept": "text/html", "Accept-Language": "de"}).get_data(as_text=True))
    section = next(
        s for s in tree.iterfind(".//section[@class='term']") if s.find(".//*[@id='hasStrategicGoal']") is not None
    )
    facts = {text(dt): dt for dt in section.iterfind(".//dt")}
    assert "Definitionsbereich" in facts and "Wertebereich" in facts
    hrefs = [a.get("href") for a in section.iterfind(".//dd/a")]
    assert "#Vision" in hrefs and "#FieldOfAction" in hrefs and "#StrategicGoal" in hrefs
    assert "Leitbild oder Handlungsfeld" in text(section)  # a union reads as "A or B"


def test_a_term_page_shows_examples_from_the_data(client: FlaskClient) -> None:
    tree = parse(
        client.get("/def/ActionGoal", headers={"Accept": "text/html", "Accept-Language": "en"}).get_data(as_text=True)
    )
    assert text(tree.find(".//h1")).startswith("Action goal")
    examples = tree.findall(".//ul[@class='examples']/li/a")
    assert examples and all((a.get("href") or "").startswith(BASE + "doc/kommune/05974040/") for a in examples)
    assert "used 40 times" in text(tree.find(".//article"))


def test_a_term_in_rdf(client: FlaskClient, ontology: Graph) -> None:
    response = client.get("/def/hasStrategicGoal.ttl")
    graph = Graph().parse(data=response.data, format="turtle")
    term = URIRef(KZS + "hasStrategicGoal")
    assert isomorphic(graph, ontology.cbd(term))  # the term, with the blank nodes of its domain's union
    assert (graph.value(term, RDFS.domain), OWL.unionOf, None) in graph
    assert (term, RDF.type, OWL.ObjectProperty) in graph


def test_resource_pages_link_their_kinds_to_the_vocabulary(client: FlaskClient) -> None:
    goal = "/doc/kommune/05974040/programm/zukunftsprogramm/ziel/3"
    tree = parse(client.get(goal, headers={"Accept": "text/html"}).get_data(as_text=True))
    kinds = [a.get("href") for a in tree.iterfind(".//p[@class='kinds']/a")]
    assert BASE + "def/StrategicGoal" in kinds
    assert (
        client.get((BASE + "def/StrategicGoal").removeprefix(BASE[:-1]), headers={"Accept": "text/html"}).status_code
        == 200
    )


@pytest.mark.parametrize(("path", "status"), [("/def/Nope", 404), ("/def/Nope.ttl", 404), ("/def.pdf", 404),
                                              ("/def/%3Cscript%3E", 404)])  # fmt: skip
def test_unknown_terms_are_not_found(client: FlaskClient, path: str, status: int) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == status


def test_def_without_slash_redirects_to_the_configured_base(client: FlaskClient) -> None:
    response = client.get("/def")
    assert response.status_code == 301 and response.headers["Location"] == BASE + "def/"
