"""Dumps under /data/, fetched over HTTP from a real server: every advertised URL answers, every byte counts."""

from __future__ import annotations

import csv
import hashlib
import io
import urllib.request
from email.message import Message
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, VOID

from service.config import Config
from service.content.tables import COLUMNS
from service.ingest.gate import load
from service.ingest.programmes import find_programmes
from service.publish.dumps import build_dumps
from service.rdf.namespaces import SPDX
from tests.support.project import BASE

PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}  # fmt: skip


def fetch(url: str, method: str = "GET") -> tuple[int, Message, bytes]:
    """Status, headers (names case-insensitive, as HTTP has them) and body."""
    request = urllib.request.Request(url, method=method)  # no Accept header, as a harvester sends
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


@pytest.fixture(scope="module")
def described(server: str) -> Graph:
    """The catalogue and the VoID description, as the live server gives them."""
    graph = Graph()
    for path in ("catalog", ".well-known/void"):
        status, headers, body = fetch(server + path)
        assert status == 200
        graph.parse(data=body, format=PARSERS[headers["Content-Type"].split(";")[0]])
    return graph


def test_every_advertised_url_answers_200(described: Graph) -> None:
    urls = {o for p in (DCAT.accessURL, DCAT.downloadURL, DCAT.endpointURL) for o in described.objects(None, p)}
    urls |= set(described.objects(None, VOID.dataDump)) | set(described.objects(None, VOID.sparqlEndpoint))
    assert len(urls) >= 15  # 7 files of everything, 7 per programme, the endpoint
    files = set(described.objects(None, DCAT.downloadURL))
    for url in sorted(urls):
        # Files also on HEAD (link checkers use it); the endpoint's HEAD belongs to the SPARQL protocol view.
        for method in ("HEAD", "GET") if url in files else ("GET",):
            status, headers, _ = fetch(str(url), method)
            assert status == 200, (method, url)
            assert headers["Content-Type"].split(";")[0] not in ("text/html", "application/octet-stream"), url


def test_each_dump_matches_its_size_and_checksum(described: Graph) -> None:
    """Every file matches its size; a programme's files their SHA-256 (also their strong ETag). The whole
    dataset's files are assembled from the programmes' when sent, so they carry no checksum (spdx:checksum is
    optional in DCAT-AP) and their ETag names the parts they are read from."""
    distributions = list(described.subjects(RDF.type, DCAT.Distribution))
    checked = 0
    for distribution in distributions:
        url = described.value(distribution, DCAT.downloadURL)
        if url is None:
            continue  # the SPARQL endpoint: a service, not a file
        status, headers, body = fetch(str(url))
        checksum = described.value(distribution, SPDX.checksum)
        assert int(described.value(distribution, DCAT.byteSize)) == len(body) == int(headers["Content-Length"])  # type: ignore[arg-type]
        assert headers["Last-Modified"] and not headers["ETag"].startswith("W/")
        if "/data/kommunale-zielsysteme." in str(url):
            assert checksum is None
        else:
            assert str(described.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
            assert described.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
            assert headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
        media_type = str(described.value(distribution, DCAT.mediaType)).removeprefix(
            "https://www.iana.org/assignments/media-types/"
        )
        assert headers["Content-Type"].split(";")[0] == media_type
        checked += 1
    assert checked == 14  # 7 formats, for the whole and for Soest


@pytest.mark.parametrize("extension", ["ttl", "nt", "jsonld", "rdf", "nq", "trig"])
def test_rdf_dumps_parse_and_agree(client: FlaskClient, extension: str) -> None:
    """Every format says the same; N-Quads and TriG keep the programme's named graphs."""
    turtle = Graph().parse(data=client.get("/data/soest-2009/soest-2009.ttl").data, format="turtle")
    response = client.get(f"/data/soest-2009/soest-2009.{extension}")
    parser = PARSERS[response.mimetype]
    if extension in ("nq", "trig"):
        quads = list(ox.parse(response.data, format=ox.RdfFormat.from_media_type(response.mimetype)))
        graphs = {q.graph_name.value for q in quads}  # type: ignore[union-attr]
        assert {f"{BASE}graph/soest-2009/{part}" for part in ("quelle", "kuratierung", "metadaten")} <= graphs
        assert all(graph.startswith(f"{BASE}graph/soest-2009/") for graph in graphs)
        assert len({q.triple for q in quads}) == len(turtle)
    else:
        assert len(Graph().parse(data=response.data, format=parser)) == len(turtle)


def test_whole_dump_holds_everything(client: FlaskClient) -> None:
    whole = ox.parse(client.get("/data/kommunale-zielsysteme.nq").data, format=ox.RdfFormat.N_QUADS)
    graphs = {q.graph_name.value for q in whole}  # type: ignore[union-attr]
    assert {f"{BASE}graph/ontology", f"{BASE}graph/konzepte", f"{BASE}graph/soest-2009/quelle"} <= graphs


def test_dumps_are_the_same_bytes_every_time(config: Config, tmp_path: Path) -> None:
    """Canonical blank node labels and sorted statements: another load, the same bytes (the whole dataset's
    files too, which carry no checksum of their own: hashed here)."""
    first, second = load(config), load(config)
    programmes = find_programmes(first, config.base_uri)
    one = {d.path: d.checksum() for d in build_dumps(first, programmes, {}, tmp_path / "first")}
    assert one == {d.path: d.checksum() for d in build_dumps(second, programmes, {}, tmp_path / "second")}


def test_range_requests_resume_a_download(client: FlaskClient) -> None:
    full = client.get("/data/soest-2009/soest-2009.nt").data
    part = client.get("/data/soest-2009/soest-2009.nt", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == full[100:200]


def test_csv_has_one_row_per_action_goal(client: FlaskClient) -> None:
    response = client.get("/data/soest-2009/soest-2009.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert 'rel="describedby"' in response.headers["Link"] and "csv-metadata.json" in response.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert len(rows) == 40 and [c.name for c in COLUMNS] == list(rows[0])
    goal = next(r for r in rows if r["notation"] == "3.2")
    assert goal["strategisches_ziel_notation"] == "3" and goal["handlungsziel_de"].startswith("Die qualitative")
    assert sum(r["jahresschwerpunkt"] == "true" for r in rows) == 18
    # #17: the only stated responsibility is 2.6's "durch die Kommune"; 1.7 is only originally the district's.
    assert [r["notation"] for r in rows if r["zustaendig_de"]] == ["2.6"]
    with_groups = next(r for r in rows if r["zielgruppen"])
    assert len(with_groups["zielgruppen"].split(" | ")) == len(with_groups["zielgruppen_de"].split(" | "))


def test_csvw_metadata_describes_the_csv(client: FlaskClient, tmp_path: Path) -> None:
    """A CSVW processor (the csvw package) reads the table through its metadata, strictly."""
    csvw = pytest.importorskip("csvw", reason="the csvw package is a dev dependency (pip install -e .[dev])")
    for name in ("soest-2009.csv", "soest-2009.csv-metadata.json"):
        (tmp_path / name).write_bytes(client.get(f"/data/soest-2009/{name}").data)
    table = csvw.Table.from_file(tmp_path / "soest-2009.csv-metadata.json")
    rows = list(table.iterdicts(strict=True))
    assert len(rows) == 40
    assert all(isinstance(row["jahresschwerpunkt"], bool) for row in rows)
    assert all(row["handlungsziel"].unsplit().startswith(BASE + "id/") for row in rows)
    groups = next(row["zielgruppen"] for row in rows if row["zielgruppen"])
    assert all(iri.unsplit().startswith(BASE + "id/konzept/zielgruppe/") for iri in groups)


def test_unknown_files_are_404(client: FlaskClient) -> None:
    for path in ("/data/soest-2009/other.ttl", "/data/other.ttl", "/data/soest-2009/soest-2009.exe"):
        assert client.get(path).status_code == 404, path
    assert client.get("/data/soest-2009/source.txt").status_code == 200


def test_dataset_iris_dereference_to_their_landing_pages(described: Graph) -> None:
    """A dataset's hash IRI dereferences: its document is the landing page, which describes it."""
    datasets = list(described.subjects(RDF.type, DCAT.Dataset))
    assert datasets
    for dataset in datasets:
        page = str(dataset).split("#")[0]
        status, headers, _ = fetch(page)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        _, _, body = fetch(page + "?_format=ttl")
        assert (URIRef(str(dataset)), RDF.type, DCAT.Dataset) in Graph().parse(data=body, format="turtle")


def test_a_whole_dump_streams_in_ranges_and_revalidates(client: FlaskClient) -> None:
    """The whole dataset's file is read from the parts' files: a Range across a part's end gives exactly those
    bytes, If-None-Match with its ETag gives 304, and a gzip-accepting client gets it as it is (never read whole
    to compress it)."""
    whole = client.get("/data/kommunale-zielsysteme.nt")
    body, etag = whole.data, whole.headers["ETag"]
    assert whole.status_code == 200 and len(body) == int(whole.headers["Content-Length"])
    boundary = body.index(b"\n\n")  # the shared graphs' part ends here (each part is followed by a line end)
    start, end = max(0, boundary - 100), boundary + 100
    part = client.get("/data/kommunale-zielsysteme.nt", headers={"Range": f"bytes={start}-{end}"})
    assert part.status_code == 206 and part.data == body[start : end + 1]
    assert part.headers["Content-Range"] == f"bytes {start}-{end}/{len(body)}"
    assert client.get("/data/kommunale-zielsysteme.nt", headers={"If-None-Match": etag}).status_code == 304
    packed = client.get("/data/kommunale-zielsysteme.nt", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in packed.headers and packed.data == body
