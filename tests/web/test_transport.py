"""Responses on their way out: gzip where the client accepts it, weak ETags that still validate, Vary, and
static files a browser may keep."""

from __future__ import annotations

import gzip

from flask.testing import FlaskClient

from tests.support.project import PROGRAMME

PAGE = "/doc/" + PROGRAMME.split("/id/", 1)[1]
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_is_compressed_for_a_client_that_accepts_gzip(client: FlaskClient) -> None:
    plain = client.get(PAGE, headers={"Accept": "text/html"})
    packed = client.get(PAGE, headers={"Accept": "text/html", **GZIP})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    for response in (plain, packed):
        assert "Accept-Encoding" in {v.strip() for v in response.headers["Vary"].split(",")}


def test_the_compressed_bytes_carry_a_weak_etag_that_still_validates(client: FlaskClient) -> None:
    plain = client.get(PAGE, headers={"Accept": "text/turtle"})
    packed = client.get(PAGE, headers={"Accept": "text/turtle", **GZIP})
    assert not plain.headers["ETag"].startswith("W/")
    assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]
    again = client.get(PAGE, headers={"Accept": "text/turtle", "If-None-Match": packed.headers["ETag"], **GZIP})
    assert again.status_code == 304


def test_query_results_are_compressed_ranges_and_small_bodies_not(client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 200"
    results = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv", **GZIP})
    assert results.headers["Content-Encoding"] == "gzip"
    assert sorted(gzip.decompress(results.data).split(b"\r\n", 1)[0].split(b",")) == [b"o", b"p", b"s"]
    small = client.get("/health", headers=GZIP)
    assert "Content-Encoding" not in small.headers
    with client.get("/static/site.css", headers={"Range": "bytes=0-9", **GZIP}) as part:
        assert part.status_code == 206 and "Content-Encoding" not in part.headers


def test_static_files_are_cacheable_and_compressed(client: FlaskClient) -> None:
    response = client.get("/static/site.css", headers=GZIP)
    assert response.cache_control.max_age is not None and response.cache_control.max_age >= 3600
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"/*")
    assert response.headers.get("ETag") and response.headers.get("Last-Modified")
