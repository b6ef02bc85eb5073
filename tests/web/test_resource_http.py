"""HTTP semantics of dereferencing: validators and 304, HEAD, caching, Link and Content-Location, profiles and
the alternates view, paging of incoming links, errors in the negotiated format, and a Host we do not serve."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from service.config import Config
from service.web.app import create_app
from service.web.state import state
from tests.support.project import BASE, PROGRAMME, ROOT

ACTION_GOAL = PROGRAMME + "/ziel/3/handlungsziel/2"
DOC = ACTION_GOAL.replace("/id/", "/doc/").removeprefix(BASE[:-1])
TEXT = PROGRAMME + "/fassung/2009/de/text"  # 82 passages point at it with oa:hasSource
TEXT_DOC = TEXT.replace("/id/", "/doc/").removeprefix(BASE[:-1])
SCHEMA = Namespace("https://schema.org/")
ALTR = Namespace("http://www.w3.org/ns/dx/conneg/altr#")
OA = Namespace("http://www.w3.org/ns/oa#")


def links(response: object) -> list[str]:
    """The Link header's entries (each `<URL>; params`)."""
    value: str = response.headers.get("Link", "")  # type: ignore[attr-defined]
    first, *rest = value.split(", <")
    return [first, *(f"<{link}" for link in rest)] if value else []


def test_etag_and_if_none_match(client: FlaskClient) -> None:
    first = client.get(DOC, headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Last-Modified"]
    again = client.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    for header in ("ETag", "Cache-Control", "Content-Location"):  # RFC 9110 §15.4.5
        assert again.headers[header] == first.headers[header]
    assert "Accept" in again.headers["Vary"]
    weak = client.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304  # If-None-Match uses the weak comparison
    assert client.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": "*"}).status_code == 304
    assert client.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_counts_only_without_if_none_match(client: FlaskClient) -> None:
    first = client.get(DOC, headers={"Accept": "text/turtle"})
    modified = parsedate_to_datetime(first.headers["Last-Modified"])
    same = {"Accept": "text/turtle", "If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get(DOC, headers=same).status_code == 304
    earlier = format_datetime(modified.replace(year=modified.year - 1), usegmt=True)
    assert client.get(DOC, headers={"Accept": "text/turtle", "If-Modified-Since": earlier}).status_code == 200
    assert client.get(DOC, headers={**same, "If-None-Match": '"other"'}).status_code == 200


def test_the_same_data_gives_the_same_bytes_after_a_new_load(client: FlaskClient, config: Config) -> None:
    """Every load labels blank nodes anew; a document names them canonically, so one ETag means one body on
    every replica and after every restart."""
    again = create_app(config).test_client()
    for accept in ("text/turtle", "application/n-triples", "text/html"):
        first, second = (c.get(DOC, headers={"Accept": accept}) for c in (client, again))
        assert b"_:" in first.data or accept == "text/html"
        assert first.headers["ETag"] == second.headers["ETag"]
        assert first.data == second.data, accept


def test_every_representation_has_its_own_etag(client: FlaskClient) -> None:
    requests = [("text/turtle", None), ("application/ld+json", None), ("text/html", "de"), ("text/html", "en")]
    etags = {
        client.get(DOC, headers={"Accept": a, **({"Accept-Language": lang} if lang else {})}).headers["ETag"]
        for a, lang in requests
    }
    assert len(etags) == len(requests)


def test_head_sends_the_headers_of_get_and_no_body(client: FlaskClient) -> None:
    for accept in ("text/turtle", "text/html"):
        got = client.get(DOC, headers={"Accept": accept})
        head = client.head(DOC, headers={"Accept": accept})
        assert head.status_code == 200 and head.data == b""
        assert int(head.headers["Content-Length"]) == len(got.data)
        for header in ("Content-Type", "ETag", "Link", "Vary", "Content-Location", "Cache-Control"):
            assert head.headers[header] == got.headers[header]
    assert client.head(ACTION_GOAL.removeprefix(BASE[:-1])).status_code == 303


def test_cache_control_and_content_location(client: FlaskClient, app: Flask) -> None:
    response = client.get(DOC, headers={"Accept": "application/ld+json"})
    assert response.headers["Cache-Control"] == f"public, max-age={state(app).config.cache_max_age}"
    location = response.headers["Content-Location"]
    assert location == BASE + DOC[1:] + ".jsonld"
    direct = client.get(location.removeprefix(BASE[:-1]), headers={"Accept": "text/html"})
    assert direct.data == response.data and direct.headers["ETag"] == response.headers["ETag"]


def test_link_header_lists_every_representation(client: FlaskClient) -> None:
    response = client.get(DOC, headers={"Accept": "text/turtle"})
    found = links(response)
    assert any('rel="canonical"' in link and DOC in link for link in found)
    assert sum('rel="self"' in link for link in found) == 1
    for media_type in ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert any(f'type="{media_type}"; profile="https://schema.org/"' in link for link in found)
    assert any('hreflang="en"' in link for link in found) and any('hreflang="de"' in link for link in found)
    assert any('token="schema"' in link and "anchor=<https://schema.org/>" in link for link in found)
    # Every alternate really answers with what its link says.
    for link in found:
        if 'rel="alternate"' in link and 'type="' in link:
            url = link.strip("<").split(">")[0]
            media_type = link.split('type="')[1].split('"')[0]
            assert client.get(url.removeprefix(BASE[:-1])).mimetype == media_type, link


def test_each_representation_is_rendered_once_per_data_version(client: FlaskClient, app: Flask) -> None:
    client.get(DOC + ".nt")
    cache = state(app).representations
    before = cache.renders
    for _ in range(20):
        assert client.get(DOC + ".nt").status_code == 200
        assert client.get(DOC, headers={"Accept": "application/n-triples"}).status_code == 200
    assert cache.renders == before


def test_schema_org_profile_by_argument_and_by_header(client: FlaskClient) -> None:
    by_argument = client.get(DOC, query_string={"_profile": "schema"}, headers={"Accept": "*/*"})
    by_header = client.get(DOC, headers={"Accept": "application/ld+json", "Accept-Profile": "<https://schema.org/>"})
    for response in (by_argument, by_header):
        assert response.status_code == 200 and response.mimetype == "application/ld+json"
        assert response.headers["Content-Profile"] == "<https://schema.org/>"
        graph = Graph().parse(data=response.data, format="json-ld")
        assert (URIRef(ACTION_GOAL), RDF.type, SCHEMA.DefinedTerm) in graph
        assert (URIRef(ACTION_GOAL), SCHEMA.termCode, Literal("3.2")) in graph
    default = client.get(DOC, headers={"Accept": "text/turtle"})
    assert default.headers["Content-Profile"] == "<https://w3id.org/kzs/def>"
    refused = client.get(DOC, query_string={"_profile": "dcat"})
    assert refused.status_code == 406 and b"kzs, schema, all" in refused.data


def test_alternates_view_lists_every_representation(client: FlaskClient) -> None:
    page = client.get(DOC, query_string={"_profile": "all"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert html.count("<tr>") == 1 + 10  # a header, then kzs: 4 RDF formats + HTML in 2 languages; schema: 4
    turtle = client.get(
        DOC, headers={"Accept": "text/turtle", "Accept-Profile": "<http://www.w3.org/ns/dx/conneg/altr>"}
    )
    assert turtle.headers["Content-Profile"] == "<http://www.w3.org/ns/dx/conneg/altr>"
    graph = Graph().parse(data=turtle.data, format="turtle")
    resource = URIRef(BASE + DOC[1:])
    representations = set(graph.objects(resource, ALTR.hasRepresentation))
    default = set(graph.objects(resource, ALTR.hasDefaultRepresentation))
    assert len(default) == 1 and len(representations) == 9
    formats = {str(graph.value(r, DCTERMS.format)) for r in representations | default}
    assert formats == {
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
        "text/html",
    }
    assert client.get("/doc/kommune/00000000/nichts", query_string={"_profile": "all"}).status_code == 404


def test_incoming_links_are_paged(client: FlaskClient, app: Flask) -> None:
    size = state(app).config.page_size
    whole = client.get(TEXT_DOC, headers={"Accept": "text/turtle"})
    subjects = set(Graph().parse(data=whole.data, format="turtle").subjects(OA.hasSource, URIRef(TEXT)))
    assert len(subjects) == size  # the document holds the first page of each property
    page_count = -(-82 // size)  # 79 passages of the text's parts (with the overarching goals' heading), 3 of claims
    seen: set[object] = set()
    for page in range(1, page_count + 1):
        response = client.get(TEXT_DOC, query_string={"in": "oa:hasSource", "page": page},
                              headers={"Accept": "text/turtle"})  # fmt: skip
        assert response.status_code == 200
        found = set(Graph().parse(data=response.data, format="turtle").subjects(OA.hasSource, URIRef(TEXT)))
        assert found and not found & seen
        seen |= found
        rels = " ".join(links(response))
        assert 'rel="first"' in rels and 'rel="last"' in rels and ('rel="next"' in rels) == (page < page_count)
    assert len(seen) == 82
    html = client.get(TEXT_DOC, query_string={"in": "oa:hasSource", "page": 2}, headers={"Accept": "text/html"})
    assert html.status_code == 200 and 'rel="prev"' in html.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"in": "oa:hasSource", "page": "99"}, 404),
        ({"in": "oa:hasSource", "page": "0"}, 400),
        ({"in": "oa:hasSource", "page": "zwei"}, 400),
        ({"in": "javascript:alert(1)"}, 400),
        ({"in": "nope:thing"}, 400),
        ({"in": "dct:audience"}, 404),  # a property that links nothing here
    ],
)
def test_bad_paging_arguments(client: FlaskClient, query: dict[str, str], status: int) -> None:
    assert client.get(TEXT_DOC, query_string=query).status_code == status


@pytest.mark.parametrize(
    ("accept", "media_type", "parses_as"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/html", "text/html", None),
        ("image/png", "text/plain", None),
    ],
)
def test_not_found_speaks_the_negotiated_format(client: FlaskClient, accept: str, media_type: str,
                                                parses_as: str | None) -> None:  # fmt: skip
    response = client.get("/doc/kommune/00000000/nichts", headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == media_type
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and str(ROOT) not in body
    if parses_as:
        assert len(Graph().parse(data=response.data, format=parses_as)) == 0
    if media_type == "application/ld+json":
        assert json.loads(body)["error"]["status"] == 404


def test_things_redirect_with_a_note_and_the_query(client: FlaskClient) -> None:
    response = client.get(ACTION_GOAL.removeprefix(BASE[:-1]) + "?lang=en&_format=html")
    assert response.status_code == 303
    location = BASE + DOC[1:] + "?lang=en&_format=html"
    assert response.headers["Location"] == location
    assert f'href="{location.replace("&", "&amp;")}"' in response.get_data(as_text=True)
    assert client.get("/id/kommune/00000000", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/doc/kommune/%C3%BCber", "/doc/" + "x/" * 400, "/doc/a%00b", "/id/a%0d%0aSet-Cookie:x=1", "/doc/.ttl"],
)
def test_odd_paths_are_not_found_not_errors(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_only_get_and_head(client: FlaskClient) -> None:
    response = client.post(DOC, data={"x": "1"})
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:8000.evil.example", "localhost:8000"])
def test_a_host_we_do_not_serve_is_refused(client: FlaskClient, host: str) -> None:
    assert client.get(DOC, headers={"Host": host}).status_code == 400
    assert client.get(ACTION_GOAL.removeprefix(BASE[:-1]), headers={"Host": host}).status_code == 400


@pytest.fixture(scope="module")
def proxied() -> Iterator[Flask]:
    """The service behind a proxy at https://example.org/lod/: every link and redirect must say so."""
    app = create_app(Config.from_mapping({"base_uri": "https://example.org/lod/", "project_dir": ROOT}))

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError(f"secret detail in {ROOT}")

    yield app


def test_links_and_redirects_come_from_the_configured_base(proxied: Flask) -> None:
    client = proxied.test_client()
    thing = "/id/kommune/05974040/programm/zukunftsprogramm/ziel/3/handlungsziel/2"
    headers = {"Host": "example.org", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    redirect = client.get(thing, headers=headers)
    assert redirect.headers["Location"] == "https://example.org/lod/doc" + thing.removeprefix("/id")
    page = client.get("/doc" + thing.removeprefix("/id"), headers={**headers, "Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert 'href="https://example.org/lod/static/site.css"' in html and "evil.example" not in html
    assert "127.0.0.1" not in html
    assert all(link.startswith("<https://example.org/lod/") or 'rel="type"' in link for link in links(page))


def test_an_internal_error_shows_no_traceback(proxied: Flask) -> None:
    client = proxied.test_client()
    for accept in ("text/html", "text/plain"):
        response = client.get("/boom", headers={"Host": "example.org", "Accept": accept})
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Traceback" not in body and "secret detail" not in body and str(ROOT) not in body
    assert not proxied.debug
    assert client.get("/console", headers={"Host": "example.org"}).status_code == 404


def test_any_web_page_may_read_the_data_and_its_links(client: FlaskClient) -> None:
    response = client.get(DOC, headers={"Accept": "application/ld+json", "Origin": "https://example.net"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Link", "Content-Location", "ETag"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response.headers
