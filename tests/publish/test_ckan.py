"""ckanext-dcat, as CKAN harvesters run it, reads /catalog from a live server into one CKAN dataset per programme.

ckanext-dcat lives in its own venv (.cache/ckan, made by `make test-deps`): CKAN pins its own Flask and
SQLAlchemy. The harvester fetches each page without an Accept header, hands the Content-Type to the parser
and follows hydra:next; the script below does the same with ckanext-dcat's RDFParser and prints JSON.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from service.config import Config
from service.web.app import create_app

CKAN_PYTHON = Path(__file__).resolve().parents[2] / ".cache" / "ckan" / "bin" / "python"

HARVEST = """
import json, sys, urllib.request
from ckanext.dcat.processors import RDFParser

url, pages, datasets = sys.argv[1], [], []
while url and url not in pages and len(pages) < 100:
    pages.append(url)
    with urllib.request.urlopen(urllib.request.Request(url), timeout=30) as response:
        body, media_type = response.read().decode("utf-8"), response.headers.get_content_type()
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(body, _format=media_type)
    datasets += list(parser.datasets())
    url = parser.next_page()
print(json.dumps({"pages": pages, "datasets": datasets}))
"""


@pytest.fixture(scope="module")
def harvested(server: str) -> dict[str, Any]:
    if not CKAN_PYTHON.is_file():
        pytest.skip("ckanext-dcat is not installed: run `make test-deps` (it needs PyPI)")
    done = subprocess.run(
        [str(CKAN_PYTHON), "-c", HARVEST, server + "catalog"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def catalogue(server: str) -> Graph:
    return Graph().parse(server + "catalog", format="turtle")


def extra(dataset: dict[str, Any], key: str) -> str:
    return next((e["value"] for e in dataset["extras"] if e["key"] == key), "")


def test_one_ckan_dataset_per_programme(harvested: dict[str, Any], catalogue: Graph) -> None:
    expected = {str(d) for d in catalogue.subjects(RDF.type, DCAT.Dataset)}
    assert {extra(d, "uri") for d in harvested["datasets"]} == expected
    assert len(harvested["datasets"]) == len(expected) and len(harvested["pages"]) == 1


PAGES = """
import json, sys
from ckanext.dcat.processors import RDFParser

found = []
for body in json.load(sys.stdin):
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(body, _format="text/turtle")
    found.append({"datasets": [d["title"] for d in parser.datasets()], "next": parser.next_page()})
print(json.dumps(found))
"""


def test_ckan_follows_the_hydra_pages(two_programmes: Path) -> None:
    """With one dataset a page, ckanext-dcat finds the next page on the first and none on the last."""
    if not CKAN_PYTHON.is_file():
        pytest.skip("ckanext-dcat is not installed: run `make test-deps` (it needs PyPI)")
    base = "http://127.0.0.1:8000/"
    config = Config.from_mapping({"base_uri": base, "project_dir": two_programmes, "catalog_page_size": "1"})
    client = create_app(config).test_client()
    bodies = [client.get(path).get_data(as_text=True) for path in ("/catalog", "/catalog?page=2")]
    done = subprocess.run(
        [str(CKAN_PYTHON), "-c", PAGES],
        input=json.dumps(bodies),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, last = json.loads(done.stdout)
    assert first["next"] == base + "catalog?page=2" and last["next"] is None
    assert len(first["datasets"]) == len(last["datasets"]) == 1 and first["datasets"] != last["datasets"]


def test_title_description_and_licence_arrive(harvested: dict[str, Any], catalogue: Graph) -> None:
    for dataset in harvested["datasets"]:
        node = next(catalogue.subjects(DCTERMS.identifier, None))
        assert dataset["title"] in {str(t) for t in catalogue.objects(node, DCTERMS.title)}
        assert dataset["notes"] in {str(t) for t in catalogue.objects(node, DCTERMS.description)}
        assert extra(dataset, "identifier") == extra(dataset, "uri")
        assert extra(dataset, "modified") and extra(dataset, "publisher_name")
        assert {r["license"] for r in dataset["resources"]} == {"http://dcat-ap.de/def/licenses/dl-by-de/2.0"}
        assert dataset["tags"]


def test_every_distribution_is_a_resource(harvested: dict[str, Any], catalogue: Graph) -> None:
    for dataset in harvested["datasets"]:
        distributions = {str(d) for d in catalogue.objects(None, DCAT.distribution)}
        resources = {r["uri"]: r for r in dataset["resources"]}
        assert set(resources) == distributions
        files = [r for r in resources.values() if r.get("download_url")]
        assert len(files) == 7
        for resource in files:
            node = next(d for d in catalogue.subjects(DCAT.downloadURL, None) if str(d) == resource["uri"])
            assert resource["size"] == int(catalogue.value(node, DCAT.byteSize))  # type: ignore[arg-type]
            assert resource["format"].startswith("http://publications.europa.eu/resource/authority/file-type/")
        sparql = [r for r in resources.values() if not r.get("download_url")]
        assert len(sparql) == 1 and sparql[0]["access_services"]
