"""/sparql speaks the SPARQL 1.1 Protocol: where the query comes from, formats, datasets, errors, safety."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from service.query.description import service_description_graph
from tests.support.project import BASE, PROGRAMME

KZS = "https://w3id.org/kzs/def#"
STRATEGIC = f"SELECT ?goal WHERE {{ ?goal a <{KZS}StrategicGoal> }} ORDER BY ?goal"
GOALS = [URIRef(f"{PROGRAMME}/ziel/{n}") for n in range(1, 7)]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
QUERY = "application/sparql-query"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def bindings(response: bytes) -> list[dict[str, dict[str, str]]]:
    return json.loads(response)["results"]["bindings"]  # type: ignore[no-any-return]


def quad_count(client: FlaskClient) -> int:
    response = client.get("/sparql", query_string={"query": COUNT, "format": "json"})
    return int(bindings(response.data)[0]["n"]["value"])


def test_get_form_post_and_direct_post_give_the_same_rows(client: FlaskClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        client.get("/sparql", query_string={"query": STRATEGIC}, headers=accept),
        client.post("/sparql", data={"query": STRATEGIC}, headers=accept),
        client.post("/sparql", data=STRATEGIC.encode(), content_type="application/sparql-query", headers=accept),
    ]
    for response in answers:
        assert response.status_code == 200 and response.mimetype == "application/sparql-results+json"
        assert [URIRef(b["goal"]["value"]) for b in bindings(response.data)] == GOALS


# Accept header (or ?format=) → the media type of a SELECT's results; the body parses as that format.
RESULT_CASES = [
    ({"Accept": "application/sparql-results+json"}, {}, "application/sparql-results+json"),
    ({"Accept": "application/sparql-results+xml"}, {}, "application/sparql-results+xml"),
    ({"Accept": "text/csv"}, {}, "text/csv"),
    ({"Accept": "text/tab-separated-values"}, {}, "text/tab-separated-values"),
    ({"Accept": "application/json"}, {}, "application/sparql-results+json"),  # a common alias
    ({"Accept": "*/*"}, {}, "application/sparql-results+json"),  # anything: the first offer
    ({}, {}, "application/sparql-results+json"),  # no Accept means */*
    ({"Accept": "text/csv"}, {"format": "tsv"}, "text/tab-separated-values"),  # the argument beats the header
    ({"Accept": "application/xml;q=0.5, text/csv"}, {}, "text/csv"),
]


@pytest.mark.parametrize(("headers", "args", "media_type"), RESULT_CASES)
def test_select_results_in_every_format(
    client: FlaskClient, headers: dict[str, str], args: dict[str, str], media_type: str
) -> None:
    response = client.get("/sparql", query_string={"query": STRATEGIC, **args}, headers=headers)
    assert response.status_code == 200 and response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    text = response.get_data(as_text=True)
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["goal"] and [URIRef(r[0]) for r in rows[1:]] == GOALS
    elif media_type == "text/tab-separated-values":
        lines = text.splitlines()
        assert lines[0] == "?goal" and lines[1:] == [f"<{g}>" for g in GOALS]
    elif media_type.endswith("xml"):
        assert text.count("<uri>") == 6
    else:
        assert len(bindings(response.data)) == 6


GRAPH_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
               "application/n-triples": "nt"}  # fmt: skip


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graphs_in_every_rdf_format(client: FlaskClient, media_type: str, form: str) -> None:
    goal = GOALS[0]
    query = (
        f"CONSTRUCT {{ <{goal}> ?p ?o }} WHERE {{ <{goal}> ?p ?o }}" if form == "CONSTRUCT" else f"DESCRIBE <{goal}>"
    )
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=GRAPH_TYPES[media_type])
    assert (goal, URIRef("http://www.w3.org/2004/02/skos/core#notation"), Literal("1")) in graph


def test_ask_in_json_and_xml(client: FlaskClient) -> None:
    json_answer = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(json_answer.data) == {"head": {}, "boolean": True}
    xml = client.get("/sparql", query_string={"query": "ASK { <urn:x:nothing> ?p ?o }", "format": "xml"})
    assert b"<boolean>false</boolean>" in xml.data


@pytest.mark.parametrize(
    ("query", "headers", "args"),
    [
        (STRATEGIC, {"Accept": "text/turtle"}, {}),  # a table cannot be Turtle
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", {"Accept": "text/csv"}, {}),  # a graph cannot be CSV
        (STRATEGIC, {"Accept": "image/png"}, {}),
        (STRATEGIC, {}, {"format": "pdf"}),
    ],
)
def test_types_it_cannot_produce_get_406_listing_what_it_can(
    client: FlaskClient, query: str, headers: dict[str, str], args: dict[str, str]
) -> None:
    response = client.get("/sparql", query_string={"query": query, **args}, headers=headers)
    assert response.status_code == 406
    assert b"available:" in response.data


def test_syntax_errors_are_400_with_line_and_column(client: FlaskClient) -> None:
    query = "SELECT ?s WHERE {\n  ?s ?p ?o\n  FILTER( }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 400
    assert re.search(r"syntax error at line 3, column \d+: expected", response.get_data(as_text=True))


def test_predeclared_prefixes_and_redeclared_ones(client: FlaskClient) -> None:
    predeclared = client.get("/sparql", query_string={"query": "SELECT ?g WHERE { ?g a kzs:StrategicGoal }"})
    assert len(bindings(predeclared.data)) == 6
    redeclared = "PREFIX kzs: <urn:elsewhere:> SELECT ?g WHERE { ?g a kzs:StrategicGoal }"
    assert bindings(client.get("/sparql", query_string={"query": redeclared}).data) == []


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    query = "SELECT ?n WHERE { <id/kommune/05974040/programm/zukunftsprogramm/ziel/3> skos:notation ?n }"
    assert bindings(client.get("/sparql", query_string={"query": query}).data) == [
        {"n": {"type": "literal", "value": "3"}}
    ]


SOURCE = f"{BASE}graph/soest-2009/quelle"
CURATION = f"{BASE}graph/soest-2009/kuratierung"
AUDIENCE = "SELECT ?goal WHERE { ?goal dct:audience ?group }"


def test_default_graph_is_the_union_and_the_protocol_dataset_replaces_it(client: FlaskClient) -> None:
    everything = bindings(client.get("/sparql", query_string={"query": AUDIENCE}).data)
    only_source = client.get("/sparql", query_string={"query": AUDIENCE, "default-graph-uri": SOURCE})
    only_curation = client.post(
        "/sparql", data={"query": AUDIENCE}, query_string={"default-graph-uri": CURATION}
    )  # the protocol allows the dataset in the URL of a form POST
    assert 0 < len(bindings(only_source.data)) < len(everything)
    assert len(bindings(only_source.data)) + len(bindings(only_curation.data)) == len(everything)


def test_named_graph_uri_limits_graph_and_leaves_the_default_graph_empty(client: FlaskClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.get("/sparql", query_string={"query": query, "named-graph-uri": [SOURCE, CURATION]})
    assert {b["g"]["value"] for b in bindings(named.data)} == {SOURCE, CURATION}
    default = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", "named-graph-uri": SOURCE})
    assert json.loads(default.data)["boolean"] is False


def test_from_selects_a_stored_graph_and_the_protocol_overrides_it(client: FlaskClient) -> None:
    query = f"SELECT ?goal FROM <{SOURCE}> WHERE {{ ?goal dct:audience ?group }}"  # noqa: S608 - not SQL
    from_source = bindings(client.get("/sparql", query_string={"query": query}).data)
    source_only = client.get("/sparql", query_string={"query": AUDIENCE, "default-graph-uri": SOURCE})
    overridden = client.get("/sparql", query_string={"query": query, "default-graph-uri": CURATION})
    assert len(from_source) == len(bindings(source_only.data))
    assert len(bindings(overridden.data)) != len(from_source)
    nowhere = "SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }"  # names a graph; fetches nothing
    unknown = client.get("/sparql", query_string={"query": nowhere})
    assert unknown.status_code == 200 and bindings(unknown.data) == []


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": {"query": "ASK {}", "update": "DROP ALL"}},
        {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
        {"method": "POST", "data": b"DROP ALL", "content_type": "application/sparql-update"},
        {"method": "GET", "query_string": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"method": "GET", "query_string": {"query": "PREFIX x: <urn:x:> LOAD <http://127.0.0.1:9/data.ttl>"}},
        {"method": "GET", "query_string": {"query": "# a comment first\nclear all"}},
        {"method": "GET", "query_string": {"query": "BASE <urn:b> DELETE WHERE { ?s ?p ?o }"}},
    ],
    ids=["form", "form with query", "GET", "direct", "INSERT", "LOAD", "CLEAR", "DELETE"],
)
def test_updates_in_any_form_get_403_and_change_nothing(client: FlaskClient, request_kwargs: dict[str, object]) -> None:
    before = quad_count(client)
    response = client.open("/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 403
    assert b"read-only" in response.data
    assert quad_count(client) == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { { SeRvIcE ?endpoint { ?s ?q ?r } } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
        "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    ],
    ids=["plain", "silent, lower case", "variable, nested", "subquery", "inside EXISTS"],
)
def test_service_in_any_case_or_nesting_is_400(client: FlaskClient, query: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400 and b"SERVICE" in response.data


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { BIND("SERVICE" AS ?x) }',  # a string
        "SELECT ?x WHERE { BIND(<urn:x:SERVICE> AS ?x) }",  # an IRI
        "SELECT ?service WHERE { BIND(1 AS ?service) }",  # a variable
        'SELECT ?x WHERE { BIND("x"@load AS ?x) }',  # a language tag that spells an update keyword
        "PREFIX : <urn:x:> SELECT ?x WHERE { ?x :insert :service } # SERVICE in a comment",
    ],
)
def test_keywords_inside_strings_iris_and_names_are_not_refused(client: FlaskClient, query: str) -> None:
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"method": "POST", "data": b"ASK {}", "content_type": "text/plain"}, 415),
        ({"method": "POST", "data": b"query=ASK%20%7B%7D"}, 415),  # a form without its type
        ({"method": "POST", "data": "ASK {}".encode("utf-16"), "content_type": f"{QUERY}; charset=UTF-16"}, 415),
        ({"method": "POST", "data": b"ASK { \xff }", "content_type": QUERY}, 400),
        ({"method": "GET", "query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"method": "POST", "data": b"ASK {}", "content_type": QUERY, "query_string": {"query": "ASK {}"}}, 400),
        ({"method": "PUT", "query_string": {"query": "ASK {}"}}, 405),
        ({"method": "DELETE"}, 405),
        ({"method": "POST", "data": {"query": "ASK {" + " " * (2 * 1024 * 1024) + "}"}}, 413),
        ({"method": "POST", "data": b"ASK {" + b" " * (2 * 1024 * 1024) + b"}", "content_type": QUERY}, 413),
        ({"method": "GET", "query_string": {"query": "ASK {" + " " * 9000 + "}"}}, 414),
        ({"method": "POST", "data": {"query": "ASK {" + " " * 100_000 + "}"}}, 400),
    ],
    ids=["text/plain", "no type", "UTF-16", "bad UTF-8", "two queries", "query twice", "PUT", "DELETE",
         "2 MB form", "2 MB body", "long URL", "long query"],
)  # fmt: skip
def test_bad_requests_get_the_right_4xx(client: FlaskClient, request_kwargs: dict[str, object], status: int) -> None:
    response = client.open("/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    if status != 405:  # answered by /sparql itself, errors can be read cross-origin too
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_for_anonymous_get_and_post(client: FlaskClient) -> None:
    origin = {"Origin": "https://newsroom.example"}
    answer = client.get("/sparql", query_string={"query": "ASK {}"}, headers=origin)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Result-Truncated" in answer.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in answer.headers
    preflight = client.options(
        "/sparql",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_head_has_the_headers_of_get(client: FlaskClient) -> None:
    head = client.head("/sparql", query_string={"query": STRATEGIC, "format": "csv"})
    assert head.status_code == 200 and head.mimetype == "text/csv" and head.data == b""
    assert head.headers["Result-Rows"] == "6"


def test_service_description_for_non_browsers(client: FlaskClient) -> None:
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("*/*", "turtle")):
        response = client.get("/sparql", headers={"Accept": accept})
        assert response.status_code == 200
        graph = Graph().parse(data=response.data, format=fmt)
        service = graph.value(None, RDF.type, SD.Service)
        assert graph.value(service, SD.endpoint) == URIRef(BASE + "sparql")
        assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
        assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # read-only
        assert (service, SD.feature, SD.UnionDefaultGraph) in graph
        names = {graph.value(g, SD.name) for g in graph.objects(None, SD.namedGraph)}
        assert {URIRef(SOURCE), URIRef(CURATION)} <= names


def test_service_description_revalidates(client: FlaskClient) -> None:
    first = client.get("/sparql", headers={"Accept": "text/turtle"})
    again = client.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_endpoint_url_follows_the_base() -> None:
    graph = service_description_graph("https://daten.example.org/lod/", {f"{BASE}graph/x": 3})
    assert set(graph.objects(None, SD.endpoint)) == {URIRef("https://daten.example.org/lod/sparql")}
