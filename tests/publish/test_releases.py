"""Releases: `kzs release` freezes the dumps; their bytes and checksums stay after the data changes and a restart;
the catalogue describes them as a DCAT 3 series (DCAT-AP.de: 0 violations); ckanext-dcat harvests them."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD

from service.cli import main
from service.config import Config
from service.publish.validation import check_catalogue
from service.web.app import create_app
from tests.publish.test_ckan import CKAN_PYTHON, PAGES
from tests.support.project import BASE

DCAT3 = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SOEST_RELEASE = "data/releases/{version}/soest-2009#datensatz"


def release(project: Path, history: Path, *args: str) -> Result:
    env = {"KZS_PROJECT_DIR": str(project), "KZS_HISTORY_DIR": str(history), "KZS_BASE_URI": BASE}
    return CliRunner().invoke(main, ["release", *args], env=env)


def app_client(project: Path, history: Path) -> FlaskClient:
    config = {"base_uri": BASE, "project_dir": project, "history_dir": str(history)}
    return create_app(config).test_client()


def reword(project: Path) -> None:
    """A data change: one goal reworded in place."""
    programme = project / "data" / "soest-2009" / "programme.ttl"
    text = programme.read_text(encoding="utf-8")
    assert text.count('"Abwanderungen vermeiden"@de') == 1
    programme.write_text(text.replace('"Abwanderungen vermeiden"@de', '"Abwanderung vermeiden"@de'), encoding="utf-8")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """A project copy with release 1.0, then a data change and release 1.1; the bytes of 1.0 as it was served."""
    import shutil

    from tests.support.project import ROOT

    project = tmp_path_factory.mktemp("releases")
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, project / folder)
    history = project / "history"
    made = release(project, history, "1.0", "--note", "Das erste Release.")
    assert made.exit_code == 0, made.output
    assert "release 1.0 of data version" in made.output and f"{BASE}data/releases/1.0/" in made.output
    manifest = json.loads((history / "releases" / "1.0" / "manifest.json").read_text(encoding="utf-8"))
    client = app_client(project, history)
    served = {f["path"]: client.get(f"/data/releases/1.0/{f['path']}").data for f in manifest["files"]}
    reword(project)
    again = release(project, history, "1.1")
    assert again.exit_code == 0, again.output
    return project, history, served


@pytest.fixture(scope="module")
def restarted(released: tuple[Path, Path, dict[str, bytes]]) -> FlaskClient:
    """The app started again after the data change and release 1.1."""
    project, history, _ = released
    return app_client(project, history)


def test_a_release_keeps_its_bytes_and_checksums_after_a_data_change_and_a_restart(
    released: tuple[Path, Path, dict[str, bytes]],
    restarted: FlaskClient,
) -> None:
    project, history, before = released
    client = restarted  # a restart, over the changed data
    manifest = json.loads((history / "releases" / "1.0" / "manifest.json").read_text(encoding="utf-8"))
    catalogue = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    checksums = {
        str(catalogue.value(d, DCAT.downloadURL)): str(
            catalogue.value(catalogue.value(d, URIRef(SPDX + "checksum")), URIRef(SPDX + "checksumValue"))
        )
        for d in catalogue.subjects(RDF.type, DCAT.Distribution)
        if catalogue.value(d, DCAT.downloadURL) is not None
    }
    assert len(manifest["files"]) == 16
    for file in manifest["files"]:
        response = client.get(f"/data/releases/1.0/{file['path']}")
        assert response.status_code == 200 and response.data == before[file["path"]]
        assert hashlib.sha256(response.data).hexdigest() == file["sha256"] == response.headers["ETag"].strip('"')
        assert "immutable" in response.headers["Cache-Control"]
        url = f"{BASE}data/releases/1.0/{file['path']}"
        if not file["path"].endswith(".csv-metadata.json"):
            assert checksums[url] == file["sha256"], url
    current = client.get("/data/soest-2009/soest-2009.ttl").data
    assert b"Abwanderung vermeiden" in current and b"Abwanderung vermeiden" not in before["soest-2009/soest-2009.ttl"]
    assert client.get("/data/releases/1.1/soest-2009/soest-2009.ttl").data == current  # 1.1: the data as changed


def test_a_release_is_never_rebuilt_and_bad_input_gets_one_sentence(
    released: tuple[Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    project, history, before = released
    files = sorted(p.name for p in (history / "releases" / "1.0").rglob("*"))
    again = release(project, history, "1.0")
    assert again.exit_code == 1 and "exists" in again.output and "never rebuilt" in again.output
    assert sorted(p.name for p in (history / "releases" / "1.0").rglob("*")) == files
    for bad in ("../1.0", "1 0", ".hidden", "x" * 41):
        refused = release(project, history, bad)
        assert refused.exit_code == 1 and "is not a release version" in refused.output, refused.output
        assert "Traceback" not in refused.output
    nowhere = CliRunner().invoke(main, ["release", "2.0"], env={"KZS_PROJECT_DIR": str(project), "KZS_HISTORY_DIR": ""})
    assert nowhere.exit_code == 1 and "KZS_HISTORY_DIR" in nowhere.output


def test_an_altered_release_file_is_not_served(released: tuple[Path, Path, dict[str, bytes]], tmp_path: Path) -> None:
    import shutil

    project, history, _ = released
    copy = tmp_path / "history"
    shutil.copytree(history, copy)
    (copy / "releases" / "1.0" / "soest-2009" / "soest-2009.nt").write_bytes(b"<a> <b> <c> .\n")
    response = app_client(project, copy).get("/data/releases/1.0/soest-2009/soest-2009.nt")
    assert response.status_code == 500 and b"checksum" in response.data and b"Traceback" not in response.data


def test_the_catalogue_describes_each_release_in_its_series(
    released: tuple[Path, Path, dict[str, bytes]], restarted: FlaskClient
) -> None:
    graph = Graph().parse(data=restarted.get("/catalog.ttl").data, format="turtle")
    first, second = (URIRef(BASE + SOEST_RELEASE.format(version=v)) for v in ("1.0", "1.1"))
    series = URIRef(BASE + "data/soest-2009#reihe")
    assert (series, RDF.type, URIRef(DCAT3 + "DatasetSeries")) in graph
    assert (
        graph.value(series, URIRef(DCAT3 + "first")) == first and graph.value(series, URIRef(DCAT3 + "last")) == second
    )
    assert graph.value(first, URIRef(DCAT3 + "inSeries")) == series == graph.value(second, URIRef(DCAT3 + "inSeries"))
    assert graph.value(second, URIRef(DCAT3 + "prev")) == first and graph.value(first, URIRef(DCAT3 + "next")) == second
    assert graph.value(first, OWL.versionInfo) == Literal("1.0") and graph.value(first, URIRef(DCAT3 + "version"))
    citations = {c.language: str(c) for c in graph.objects(first, DCTERMS.bibliographicCitation)}  # type: ignore[attr-defined]
    assert set(citations) == {"de", "en"}
    for text in citations.values():
        assert "Kommunale Zielsysteme" in text and "Soest" in text and "1.0" in text
        assert f"{BASE}data/releases/1.0/" in text and str(graph.value(first, DCTERMS.issued)) in text
    assert graph.value(first, DCTERMS.issued).datatype == XSD.date  # type: ignore[union-attr]
    whole = URIRef(BASE + "data/releases/#reihe")
    assert graph.value(whole, URIRef(DCAT3 + "last")) == URIRef(BASE + "data/releases/1.1/#datensatz")
    assert (URIRef(BASE + "data/soest-2009#datensatz"), URIRef(DCAT3 + "hasVersion"), first) in graph
    service = URIRef(BASE + "sparql#service")
    assert (service, DCAT.servesDataset, first) not in graph  # the SPARQL service has the current data only
    assert graph.value(URIRef(BASE + "data/releases/1.0/soest-2009#distribution-ttl"), DCAT.downloadURL) == URIRef(
        BASE + "data/releases/1.0/soest-2009/soest-2009.ttl"
    )


def test_the_releases_page_lists_them_with_the_changes_between_neighbours(
    released: tuple[Path, Path, dict[str, bytes]],
    restarted: FlaskClient,
) -> None:
    client = restarted
    page = client.get("/data/releases/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert page.index("Release 1.1") < page.index("Release 1.0")  # newest first
    assert "2009 → 2009: 1 reworded, 0 moved, 0 added, 0 removed" in page  # `kzs diff`'s report
    assert "~ 4.7  Abwanderungen vermeiden" in page and "→ Abwanderung vermeiden" in page
    assert "Das erste Release." in page and "Version 1.0 vom" in page and "Version 1.0 of" in page
    one = client.get("/data/releases/1.0/").get_data(as_text=True)
    assert "Release 1.0" in one and "Release 1.1" not in one
    rdf = Graph().parse(data=client.get("/data/releases/?_format=ttl").data, format="turtle")
    assert len(set(rdf.subjects(URIRef(DCAT3 + "inSeries"), None))) == 4  # 2 releases × (everything, Soest)
    assert client.get("/data/releases/9.9/").status_code == 404
    assert client.get("/data/releases/1.0/nothing.ttl").status_code == 404
    landing = client.get("/data/soest-2009", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Zitieren" in landing and "Version 1.1 vom" in landing and f"{BASE}data/releases/1.1/" in landing


def test_validate_catalog_finds_no_violation_with_releases(released: tuple[Path, Path, dict[str, bytes]]) -> None:
    project, history, _ = released
    config = Config.from_mapping({"base_uri": BASE, "project_dir": project, "history_dir": str(history)})
    lines: list[str] = []
    assert check_catalogue(config, lines.append) == 0, "\n".join(lines)
    assert lines[1] == "0 violation(s)", lines[:3]  # DCAT-AP.de 3.0, which must pass


def test_ckan_harvests_the_catalogue_with_the_series(
    released: tuple[Path, Path, dict[str, bytes]], restarted: FlaskClient
) -> None:
    if not CKAN_PYTHON.is_file():
        pytest.skip("ckanext-dcat is not installed: run `make test-deps` (it needs PyPI)")
    body = restarted.get("/catalog").get_data(as_text=True)
    done = subprocess.run(
        [str(CKAN_PYTHON), "-c", PAGES],
        input=json.dumps([body]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    titles = json.loads(done.stdout)[0]["datasets"]
    assert "Strategic future programme of the City of Soest (2009) as Linked Open Data (release 1.0)" in titles
    assert "Municipal goal systems: releases" in titles and "Municipal goal systems (release 1.1)" in titles
    assert len(titles) == 1 + 2 + 4  # the programme, two series, two releases of each


def test_citation_cff_names_the_package_version_and_licence() -> None:
    import tomllib

    from tests.support.project import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    fields = dict(
        line.split(": ", 1) for line in (ROOT / "CITATION.cff").read_text(encoding="utf-8").splitlines() if ": " in line
    )
    assert fields["cff-version"] == "1.2.0" and fields["type"] == "software"
    assert fields["version"] == project["version"] and fields["license"] == project["license"]
