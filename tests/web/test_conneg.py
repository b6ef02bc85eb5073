"""Content negotiation: the pure functions, then the whole matrix over HTTP.

The matrix is (Accept lines real clients send) × (a thing under /id/, its document under /doc/, the vocabulary
under /def/, an unknown IRI): status, Content-Type, Vary, Link and Location of every answer, and every RDF body
parsed with rdflib and checked to describe the resource it was asked about.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

from service.errors import BadRequest, NotAcceptable
from service.rdf.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS
from service.web.conneg import ALTERNATES, Profile, choose, choose_language, choose_profile, negotiate
from tests.support.project import BASE, PROGRAMME

TURTLE, JSON_LD, RDF_XML, N_TRIPLES = GRAPH_FORMATS
DOCUMENT = (*GRAPH_FORMATS, HTML)
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
                  "application/n-triples": "nt"}  # fmt: skip


def accept(line: str | None) -> MIMEAccept:
    return parse_accept_header(line, MIMEAccept)


# Accept lines as the clients send them. (rdflib: Graph.parse(url) without and with a format; SPARQLWrapper:
# its lines for CONSTRUCT/DESCRIBE and for SELECT JSON; ckanext-dcat harvests with python-requests' default.)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")  # fmt: skip
RDFLIB = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
          "application/n-quads, application/trig, application/trix")  # fmt: skip
CLIENTS = [
    # (name, Accept line or None for no header, media type chosen for /doc/ and /def/, or None for 406)
    ("curl", "*/*", "text/turtle"),
    ("no Accept header", None, "text/turtle"),
    ("Firefox", FIREFOX, "text/html"),
    ("Chrome", CHROME, "text/html"),
    ("Safari", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("rdflib Graph.parse(url)", RDFLIB, "text/turtle"),
    ("rdflib format=turtle", "text/turtle, application/x-turtle, */*;q=0.1", "text/turtle"),
    ("rdflib format=json-ld", "application/ld+json, application/json;q=0.9, */*;q=0.1", "application/ld+json"),
    ("rdflib format=xml", "application/rdf+xml, */*;q=0.1", "application/rdf+xml"),
    ("rdflib format=nt", "text/plain, */*;q=0.1", "application/n-triples"),
    ("SPARQLWrapper TURTLE", "application/turtle,text/turtle", "text/turtle"),
    (
        "SPARQLWrapper N3",
        "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
        "text/turtle",
    ),  # fmt: skip
    ("SPARQLWrapper RDFXML", "application/rdf+xml", "application/rdf+xml"),
    ("SPARQLWrapper JSONLD", "application/ld+json,application/x-json+ld", "application/ld+json"),
    (
        "SPARQLWrapper JSON",
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        "application/ld+json",
    ),  # fmt: skip
    ("ckanext-dcat (requests)", "*/*", "text/turtle"),
    ("q=0 refuses Turtle", "text/turtle;q=0, application/rdf+xml;q=0.5", "application/rdf+xml"),
    ("q=0 refuses HTML", "text/html;q=0, */*;q=0.1", "text/turtle"),
    ("text/* wildcard", "text/*;q=0.5, application/ld+json;q=0.4", "text/turtle"),
    ("everything refused", "*/*;q=0", None),
    ("an image", "image/png", None),
    ("an unknown type", "application/x-unknown", None),
    ("SPARQL results only", "application/sparql-results+json", None),
]

THING = PROGRAMME + "/ziel/3/handlungsziel/2"
PATHS = {
    "id": THING.removeprefix(BASE[:-1]),
    "doc": THING.replace("/id/", "/doc/").removeprefix(BASE[:-1]),
    "def": "/def/",
    "unknown": "/doc/kommune/00000000/nichts",
}
SUBJECT = {"doc": URIRef(THING), "def": URIRef("https://w3id.org/kzs/def")}


def vary(response: object) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("client_name", "line", "expected"), CLIENTS, ids=[c[0] for c in CLIENTS])
@pytest.mark.parametrize("target", PATHS)
def test_conneg_matrix(
    client: FlaskClient, target: str, client_name: str, line: str | None, expected: str | None
) -> None:
    headers = {"Accept": line} if line is not None else {}
    response = client.get(PATHS[target], headers=headers)
    link = response.headers.get("Link", "")
    if target == "id":
        # Things are not documents: 303 to their document, whatever the client accepts.
        assert response.status_code == 303
        assert response.headers["Location"] == BASE + PATHS["doc"][1:]
        assert "Accept" in vary(response) and 'rel="describedby"' in link
        return
    if target == "unknown":
        # Not found beats not acceptable; the 404 speaks the negotiated format where there is one.
        assert response.status_code == 404
        assert response.mimetype == (expected or "text/plain")
        assert "Accept" in vary(response) and "Location" not in response.headers
        if expected in RDFLIB_FORMATS:
            assert len(Graph().parse(data=response.data, format=RDFLIB_FORMATS[expected])) == 0
        return
    if expected is None:
        assert response.status_code == 406
        assert response.mimetype == "text/plain"
        assert all(f.media_type.encode() in response.data for f in DOCUMENT)  # the list of what is available
        assert 'rel="alternate"' in link and "Accept" in vary(response)
        return
    assert response.status_code == 200
    assert response.mimetype == expected
    assert {"Accept", "Accept-Profile"} <= vary(response)
    assert ("Accept-Language" in vary(response)) == (expected == "text/html")
    canonical = f'<{BASE}{PATHS[target][1:]}>; rel="canonical"'
    assert canonical in link and f'rel="self"; type="{expected}"' in link
    assert "Location" not in response.headers
    if expected in RDFLIB_FORMATS:
        graph = Graph().parse(data=response.data, format=RDFLIB_FORMATS[expected])
        assert (SUBJECT[target], None, None) in graph


# --- The pure functions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "requested", "expected"),
    [
        ("text/html", "ttl", TURTLE),  # a name beats the header
        (None, "application/ld+json", JSON_LD),
        (None, "JSON-LD", JSON_LD),
        (None, "text/turtle; charset=utf-8", TURTLE),
        (None, "application/json", JSON_LD),  # an alias, resolved for graphs
        (None, "xml", RDF_XML),  # SPARQLWrapper's format=xml for CONSTRUCT and DESCRIBE
        (None, "json-ld", JSON_LD),
        (None, "turtle", TURTLE),
        ("application/rdf+xml;q=0.1, text/html;q=0.1", None, RDF_XML),  # a tie goes to the first offer
    ],
)
def test_choose_reads_names_aliases_and_ties(line: str | None, requested: str | None, expected: object) -> None:
    assert choose(accept(line), DOCUMENT, requested) is expected


def test_format_names_keep_their_results_meaning_where_results_are_offered() -> None:
    assert choose(accept(None), RESULT_FORMATS, "xml").media_type == "application/sparql-results+xml"
    assert choose(accept(None), RESULT_FORMATS, "json").media_type == "application/sparql-results+json"


def test_aliases_follow_the_table_on_offer() -> None:
    assert choose(accept("application/json"), RESULT_FORMATS).media_type == "application/sparql-results+json"
    assert choose(accept("application/json"), GRAPH_FORMATS) is JSON_LD
    assert choose(accept("application/xml"), GRAPH_FORMATS) is RDF_XML


@pytest.mark.parametrize(("line", "requested"), [("image/png", None), ("*/*", "pdf"), ("*/*;q=0", None)])
def test_choose_refuses_with_the_list(line: str, requested: str | None) -> None:
    with pytest.raises(NotAcceptable) as refused:
        choose(accept(line), DOCUMENT, requested)
    assert "text/turtle" in refused.value.message and "text/html" in refused.value.message


KZS = Profile("kzs", "https://w3id.org/kzs/def", DOCUMENT)
SCHEMA = Profile("schema", "https://schema.org/", (JSON_LD, TURTLE))


@pytest.mark.parametrize(
    ("header", "requested", "expected"),
    [
        (None, None, KZS),  # the default
        ("<https://schema.org/>", None, SCHEMA),
        ("<https://w3id.org/kzs/def>;q=0.5, <https://schema.org/>;q=0.9", None, SCHEMA),
        ("<urn:unknown:profile>", None, KZS),  # an unknown header preference falls back to the default
        (None, "schema", SCHEMA),
        (None, "<https://schema.org/>", SCHEMA),
        (None, "urn:x,schema", SCHEMA),  # a list in order of preference
        ("<https://schema.org/>", "kzs", KZS),  # the query argument beats the header
        (None, "all", ALTERNATES),
        (None, "alt", ALTERNATES),
        ("<http://www.w3.org/ns/dx/conneg/altr>", None, ALTERNATES),
    ],
)
def test_choose_profile(header: str | None, requested: str | None, expected: Profile) -> None:
    assert choose_profile((KZS, SCHEMA), header, requested) is expected


def test_an_explicit_unknown_profile_is_refused() -> None:
    with pytest.raises(NotAcceptable, match="kzs, schema, all"):
        choose_profile((KZS, SCHEMA), None, "dcat")


@pytest.mark.parametrize(
    ("header", "requested", "expected"),
    [
        (None, None, "de"),
        ("en-US,en;q=0.9,de;q=0.5", None, "en"),
        ("en-GB", None, "en"),
        ("fr-CH, fr;q=0.9", None, "de"),  # nothing we have: the source language
        ("fr, en;q=0.3", None, "en"),
        ("en", "de", "de"),  # ?lang= beats the header
    ],
)
def test_choose_language(header: str | None, requested: str | None, expected: str) -> None:
    assert choose_language(parse_accept_header(header, LanguageAccept), requested, ("de", "en")) == expected


def test_an_unknown_lang_argument_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="available: de, en"):
        choose_language(parse_accept_header(None, LanguageAccept), "fr", ("de", "en"))


@pytest.mark.parametrize(
    ("line", "args", "extension", "expected_vary"),
    [
        ("text/turtle", {}, None, ("Accept", "Accept-Profile")),
        ("text/html", {}, None, ("Accept", "Accept-Profile", "Accept-Language")),
        ("text/html", {"_format": "ttl"}, None, ("Accept-Profile",)),
        ("text/turtle", {"_profile": "kzs"}, None, ("Accept",)),
        ("text/turtle", {"_format": "html"}, None, ("Accept-Profile", "Accept-Language")),
        ("text/turtle", {"_format": "html", "lang": "en", "_profile": "kzs"}, None, ()),
        ("text/html", {}, TURTLE, ("Accept-Profile",)),
    ],
)
def test_vary_names_exactly_the_headers_that_chose(
    line: str, args: dict[str, str], extension: object, expected_vary: tuple[str, ...]
) -> None:
    choice = negotiate(
        (KZS, SCHEMA), ("de", "en"), accept=line, accept_profile=None, accept_language="en", args=args,
        extension=extension,  # type: ignore[arg-type]
    )  # fmt: skip
    assert choice.vary == expected_vary


# --- Over real HTTP, with the clients themselves ------------------------------------------------------------


def test_rdflib_follows_the_303_and_parses_what_it_negotiated(server: str) -> None:
    thing = server + PATHS["id"][1:]
    graph = Graph().parse(thing)  # rdflib's own Accept header and redirect handling
    assert (URIRef(thing), None, None) in graph
    as_json_ld = Graph().parse(thing, format="json-ld")
    assert (URIRef(thing), None, None) in as_json_ld
    # rdflib follows the first rel="alternate" of type JSON-LD: the default profile's, not the schema.org view
    assert isomorphic(as_json_ld, Graph().parse(thing, format="turtle"))


def test_sparqlwrapper_defaults_get_a_graph_for_construct_and_describe(server: str) -> None:
    from SPARQLWrapper import SPARQLWrapper

    thing = server + PATHS["id"][1:]
    for query in (f"DESCRIBE <{thing}>", f"CONSTRUCT {{ <{thing}> ?p ?o }} WHERE {{ <{thing}> ?p ?o }}"):
        client = SPARQLWrapper(server + "sparql")  # its default: format=xml, Accept: application/rdf+xml
        client.setQuery(query)
        graph = client.queryAndConvert()
        assert isinstance(graph, Graph) and (URIRef(thing), None, None) in graph, query


def test_a_browser_request_over_http_gets_html_with_vary(server: str) -> None:
    import urllib.request

    request = urllib.request.Request(server + PATHS["doc"][1:], headers={"Accept": FIREFOX, "Accept-Language": "en"})
    with urllib.request.urlopen(request) as response:
        assert response.headers.get_content_type() == "text/html"
        assert response.headers["Content-Language"] == "en"
        assert {"Accept", "Accept-Language"} <= {v.strip() for v in response.headers["Vary"].split(",")}
