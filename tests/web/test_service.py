"""The first service: 303s, negotiated documents, the SPARQL protocol, errors."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from service.web.state import state
from tests.support.project import BASE, PROGRAMME

ACTION_GOAL = PROGRAMME + "/ziel/3/handlungsziel/2"
DOC = ACTION_GOAL.replace("/id/", "/doc/").removeprefix(BASE[:-1])
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
             "application/n-triples": "nt"}  # fmt: skip


def test_thing_redirects_to_its_document_keeping_the_query(client: FlaskClient) -> None:
    response = client.get(ACTION_GOAL.removeprefix(BASE[:-1]) + "?_format=ttl")
    assert response.status_code == 303
    assert response.headers["Location"] == BASE + DOC[1:] + "?_format=ttl"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_document_in_every_rdf_format(client: FlaskClient, media_type: str) -> None:
    response = client.get(DOC, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=RDF_TYPES[media_type])
    assert (URIRef(ACTION_GOAL), None, None) in graph
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("url", "mimetype"), [(DOC + ".nt", "application/n-triples"),
                                               (DOC + "?_format=jsonld", "application/ld+json"),
                                               (DOC + ".html", "text/html")])  # fmt: skip
def test_extension_and_format_argument_beat_accept(client: FlaskClient, url: str, mimetype: str) -> None:
    response = client.get(url, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == mimetype


def test_html_page_shows_label_and_quote(client: FlaskClient) -> None:
    page = client.get(DOC, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Die qualitative Weiterentwicklung und Profilierung der Verkaufsflächen" in page
    assert "<blockquote" in page


def test_unknown_resource_is_404_in_the_negotiated_format(client: FlaskClient) -> None:
    assert client.get("/id/kommune/00000000").status_code == 404
    response = client.get("/doc/kommune/00000000", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_unsupported_type_is_406_listing_what_is_available(client: FlaskClient) -> None:
    response = client.get(DOC, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert b"text/turtle" in response.data


def test_foreign_host_is_refused(client: FlaskClient) -> None:
    assert client.get(DOC, headers={"Host": "evil.example"}).status_code == 400


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def triple_count(client: FlaskClient) -> int:
    response = client.get(
        "/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    return int(response.json["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]


def test_sparql_get_form_post_and_direct_post(client: FlaskClient) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/kzs/def#StrategicGoal> }"
    by_get = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    by_form = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    direct = client.post("/sparql", data=query, content_type="application/sparql-query",
                         headers={"Accept": "text/tab-separated-values"})  # fmt: skip
    assert len(json.loads(by_get.data)["results"]["bindings"]) == 6
    assert by_form.mimetype == "text/csv" and by_form.data.decode().splitlines()[0] == "s"
    assert direct.mimetype == "text/tab-separated-values" and len(direct.data.decode().splitlines()) == 7


def test_sparql_construct_and_ask(client: FlaskClient) -> None:
    construct = client.get(
        "/sparql",
        query_string={"query": f"CONSTRUCT {{ <{ACTION_GOAL}> ?p ?o }} WHERE {{ <{ACTION_GOAL}> ?p ?o }}"},
        headers={"Accept": "text/turtle"},
    )
    assert len(Graph().parse(data=construct.data, format="turtle")) > 5
    ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "format": "xml"})
    assert ask.mimetype == "application/sparql-results+xml" and b"<boolean>true</boolean>" in ask.data


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-update"},
        {"method": "GET", "query_string": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    ],
    ids=["update form", "update body", "update as query"],
)
def test_updates_are_refused_and_change_nothing(client: FlaskClient, request_kwargs: dict[str, object]) -> None:
    before = triple_count(client)
    assert client.open("/sparql", **request_kwargs).status_code == 403  # type: ignore[arg-type]
    assert triple_count(client) == before


def test_syntax_error_is_400_with_the_parsers_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC ?s WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert b"syntax error" in response.data


def test_service_is_refused_before_it_runs(client: FlaskClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert client.get("/sparql", query_string={"query": query}).status_code == 400


def test_service_description_names_the_public_endpoint(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    endpoint = URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")
    assert set(graph.objects(None, endpoint)) == {URIRef(BASE + "sparql")}


def test_source_text_is_served(client: FlaskClient, app: Flask) -> None:
    expected = (state(app).config.project_dir / "data" / "soest-2009" / "source.txt").read_bytes()
    with client.get("/data/soest-2009/source.txt") as response:
        assert response.status_code == 200
        assert response.data == expected
    assert client.get("/data/../pyproject.toml/source.txt").status_code == 404


def test_home_lists_the_programme(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Strategisches Zukunftsprogramm der Stadt Soest" in page
