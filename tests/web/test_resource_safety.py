"""HTML safety: a project whose data carries `<script>`, `</script>`, event handlers, `javascript:` and `data:`
IRIs and markup literals (tests/fixtures/hostile) renders every one of them as inert text."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree.ElementTree import Element

import html5rdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from service.config import Config
from service.web.app import create_app
from tests.support.project import BASE, PROGRAMME, ROOT

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "metadata.ttl"
TOWN = BASE + "id/kommune/05974040"
MEMBER = PROGRAMME + "/ziel/1/handlungsziel/1"
PAGES = [TOWN, PROGRAMME, MEMBER, BASE + "id/kommune/05974040/programm/zukunftsprogramm/sammlung/feindlich"]
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("hostile")
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, root / folder)
    metadata = root / "data" / "soest-2009" / "metadata.ttl"
    metadata.write_text(metadata.read_text(encoding="utf-8") + "\n" + HOSTILE.read_text(encoding="utf-8"), "utf-8")
    return create_app(Config.from_mapping({"base_uri": BASE, "project_dir": root}))


@pytest.fixture
def client(hostile: Flask) -> FlaskClient:
    return hostile.test_client()


def parse(html: str) -> Element:
    parser = html5rdf.HTMLParser(strict=True, tree=html5rdf.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(html)  # type: ignore[no-any-return]


def html_of(client: FlaskClient, iri: str, language: str = "de") -> str:
    response = client.get(iri.replace("/id/", "/doc/").removeprefix(BASE[:-1]),
                          headers={"Accept": "text/html", "Accept-Language": language})  # fmt: skip
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("iri", PAGES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_hostile_data_renders_no_executable_markup(client: FlaskClient, iri: str, language: str) -> None:
    html = html_of(client, iri, language)
    tree = parse(html)  # escaped markup cannot break the document's structure
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        assert local not in ("iframe", "object", "embed", "img", "b"), f"an element from the data: {tag}"
        if local == "script":
            assert element.get("type") == "application/ld+json"
        for name, value in element.attrib.items():
            assert not name.rsplit("}", 1)[-1].lower().startswith("on"), f"event handler {name} on {tag}"
            if name.rsplit("}", 1)[-1] in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith(DANGEROUS_SCHEMES), f"{tag} {name}={value}"


def test_hostile_strings_are_shown_as_text(client: FlaskClient) -> None:
    tree = parse(html_of(client, TOWN))
    shown = " ".join("".join(tree.itertext()).split())
    assert "<script>alert('comment')</script>" in shown  # the literal, as text
    assert "<img src=x onerror=alert('img')>" in shown
    assert "<b onmouseover=\"alert('html-literal')\">fett</b>" in shown  # rdf:HTML stays text too
    assert "javascript:alert('seeAlso')" in shown and "javascript:alert('url')" in shown  # text, not links


def test_embedded_json_ld_cannot_close_its_script_block(client: FlaskClient) -> None:
    html = html_of(client, TOWN, "en")
    blocks = re.findall(r"<script type=\"application/ld\+json\">(.*?)</script>", html, flags=re.S | re.I)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0]
    data = json.loads(blocks[0])
    names = data["name"] if isinstance(data["name"], list) else [data["name"]]
    assert {"@value": "</script><script>alert('json-ld')</script><!--", "@language": "en"} in names


def test_the_overview_draws_a_hostile_name_as_text(client: FlaskClient) -> None:
    html = html_of(client, PROGRAMME)
    tree = parse(html)
    svg = tree.find(".//{http://www.w3.org/2000/svg}svg")
    assert svg is not None
    legend = " ".join("".join(svg.itertext()).split())
    assert '"><script>alert(\'svg\')</script><a href="javascript:alert(2)">x</a>' in legend
    assert not [e for e in svg.iter() if e.tag.endswith("script")]


def test_rdf_keeps_the_data_as_it_is(client: FlaskClient) -> None:
    response = client.get(TOWN.replace("/id/", "/doc/").removeprefix(BASE[:-1]), headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    assert (URIRef(TOWN), RDFS.seeAlso, URIRef("javascript:alert('seeAlso')")) in graph
