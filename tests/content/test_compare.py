"""/vergleich: the matrices count right, every count leads to a list as long, and the page, the canned
queries and an independent count over the files agree."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.query import Result

from service.config import Config
from service.content.comparison import query_text
from service.ingest.loader import discover, parse
from service.rdf.namespaces import KZS

BASE = "http://127.0.0.1:8000/"
SOEST = BASE + "id/kommune/05974040/programm/zukunftsprogramm"
SHEET = BASE + "id/kommune/99200002/programm/leitbild-2030"
PROBSTADT = BASE + "id/kommune/99300003/programm/nachhaltigkeitsstrategie"
SDGO = "http://metadata.un.org/sdg/ontology#"
HTML = {"Accept": "text/html"}


class Page(HTMLParser):
    """The data-* attributes of a comparison page's cells, rows and links."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], tuple[int, str | None]] = {}  # (row, programme) → (count, link)
        self.fields: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"a": [], "b": []})
        self.only: set[tuple[str, str]] = set()
        self.goals: list[str] = []
        self._cell: tuple[str, str] | None = None
        self._field: str | None = None
        self._side: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "td" and "data-row" in a:
            self._cell = (a["data-row"], a["data-programme"])
            self.cells[self._cell] = (int(a["data-count"]), None)
        elif tag == "a" and self._cell is not None:
            self.cells[self._cell] = (self.cells[self._cell][0], a["href"])
        elif tag == "tr" and "data-field" in a:
            self._field = a["data-field"]
        elif tag == "td" and "data-side" in a and self._field:
            self._side = a["data-side"]
        elif tag == "span" and "data-only" in a and self._field:
            self.only.add((self._field, a["data-only"]))
        elif tag == "a" and self._side and self._field:
            self.fields[self._field][self._side].append(a["href"].replace(BASE + "doc/", BASE + "id/", 1))
        elif tag == "tr" and "data-goal" in a:
            self.goals.append(a["data-goal"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell, self._side = None, None
        elif tag == "tr":
            self._field = None


def page(client: FlaskClient, url: str) -> Page:
    response = client.get(url, headers=HTML)
    assert response.status_code == 200, response.get_data(as_text=True)
    parsed = Page()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def run(client: FlaskClient, name: str, **parameters: str) -> list[dict[str, object]]:
    """A canned query over the public SPARQL endpoint, parameters bound by a trailing VALUES block."""
    text = query_text(name)
    if parameters:
        variables, values = " ".join(f"?{k}" for k in parameters), " ".join(f"<{v}>" for v in parameters.values())
        text += f"VALUES ({variables}) {{ ({values}) }}"
    response = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    result = Result.parse(io.BytesIO(response.data), format="json")
    return [{str(k): v for k, v in row.asdict().items()} for row in result]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def files(many_programmes: Path) -> Graph:
    """Every data file of the project, parsed on its own: the independent side of the comparison."""
    config = Config.from_mapping({"base_uri": BASE, "project_dir": many_programmes})
    union = Graph()
    for source in discover(config):
        union += parse(source, BASE)
    return union


def expected_counts(files: Graph, links: list[tuple[URIRef, URIRef]]) -> dict[tuple[str, str], int]:
    """(row, programme) → number of distinct action goals, from (action goal, row) links."""
    found: dict[tuple[str, str], set[URIRef]] = defaultdict(set)
    for goal, row in links:
        scheme = files.value(goal, SKOS.inScheme)
        work = files.value(files.value(scheme, DCTERMS.source), URIRef("http://data.europa.eu/eli/ontology#realizes"))
        found[(str(row), str(work))].add(goal)
    return {key: len(goals) for key, goals in found.items()}


def test_the_target_group_matrix_counts_right(many_client: FlaskClient, files: Graph) -> None:
    links = []
    for goal in files.subjects(RDF.type, KZS.ActionGoal):
        for group in files.objects(goal, DCTERMS.audience):
            if (group, SKOS.inScheme, URIRef(BASE + "id/konzept/zielgruppe")) not in files:
                continue  # a kind of actor as audience is not a target group (#16)
            links += [(goal, broader) for broader in files.transitive_objects(group, SKOS.broader)]
    expected = expected_counts(files, links)  # type: ignore[arg-type]
    shown = page(many_client, "/vergleich")
    audience = {key: count for key, (count, _) in shown.cells.items() if "/zielgruppe/" in key[0] and count}
    assert audience == expected
    # Beispielstadt's and Fiktivdorf's action goals name no group
    assert {programme for _, programme in audience} == {SOEST, SHEET, PROBSTADT}


def test_the_sdg_matrix_counts_right(many_client: FlaskClient, files: Graph) -> None:
    links = [
        (goal, files.value(target, URIRef(SDGO + "isTargetOf")))
        for goal in files.subjects(RDF.type, KZS.ActionGoal)
        for target in files.objects(goal, KZS.contributesTo)
    ]
    expected = expected_counts(files, links)  # type: ignore[arg-type]
    shown = page(many_client, "/vergleich")
    sdg = {key: count for key, (count, _) in shown.cells.items() if "metadata.un.org" in key[0]}
    assert len(sdg) == 17 * 5, "all 17 goals × 5 programmes, zeros included"
    assert {key: count for key, count in sdg.items() if count} == expected


def test_the_page_and_the_canned_queries_agree(many_client: FlaskClient) -> None:
    shown = page(many_client, "/vergleich").cells
    for name, row in (("zielgruppen-nach-programm", "group"), ("sdg-ziele-nach-programm", "sdg")):
        queried = {(str(r[row]), str(r["programme"])): int(r["actionGoals"]) for r in run(many_client, name)}  # type: ignore[call-overload]
        assert queried == {key: count for key, (count, _) in shown.items() if count and key in queried}
        assert queried.keys() == {
            key for key, (count, _) in shown.items() if count and key[0] in {k[0] for k in queried}
        }


def test_every_count_leads_to_a_list_as_long(many_client: FlaskClient) -> None:
    shown = page(many_client, "/vergleich")
    linked = [(key, count, link) for key, (count, link) in shown.cells.items() if count]
    assert len(linked) > 20
    for key, count, link in linked:
        assert link is not None and link.startswith(BASE + "vergleich/liste?")
        listed = page(many_client, link.removeprefix(BASE[:-1]))
        assert len(listed.goals) == count, key


def test_two_programmes_by_field_of_action(many_client: FlaskClient) -> None:
    a, b = SOEST, SHEET
    keys = {iri: iri.removeprefix(BASE + "id/") for iri in (a, b)}
    shown = page(many_client, f"/vergleich?a={keys[a]}&b={keys[b]}")
    queried: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"a": [], "b": []})
    for row in run(many_client, "handlungsziele-nach-handlungsfeld", a=a, b=b):
        goals = queried[str(row["field"])][str(row["side"])]
        if str(row["goal"]) not in goals:
            goals.append(str(row["goal"]))
    assert {f: {s: sorted(g) for s, g in sides.items()} for f, sides in shown.fields.items()} == {
        f: {s: sorted(g) for s, g in sides.items()} for f, sides in queried.items()
    }
    only_a = {str(r["field"]) for r in run(many_client, "handlungsfelder-nur-in-a", a=a, b=b)}
    only_b = {str(r["field"]) for r in run(many_client, "handlungsfelder-nur-in-a", a=b, b=a)}
    assert shown.only == {(f, "a") for f in only_a} | {(f, "b") for f in only_b}
    assert BASE + "id/konzept/handlungsfeld/kultur" in only_a, "Soest has culture goals, Musterhausen none"
    assert BASE + "id/konzept/handlungsfeld/soziales" in shown.fields
    # Soest's goals reach the shared fields through the editors' assignment, the sheet's through its own column.
    html = many_client.get(f"/vergleich?a={keys[a]}&b={keys[b]}").get_data(as_text=True)
    soest = re.findall(r'<td data-side="a".*?</td>', html, re.S)
    sheet = re.findall(r'<td data-side="b".*?</td>', html, re.S)
    assert all(cell.count("<li") == cell.count('<li data-curated="1"') for cell in soest)
    assert any("<li" in cell for cell in sheet) and not any("data-curated" in cell for cell in sheet)
    table = run(many_client, "handlungsziele-nach-handlungsfeld", a=a, b=b)
    curated = {str(r["goal"]) for r in table if r.get("basis")}
    assert curated and all(goal.startswith(SOEST) for goal in curated)


def test_target_groups_only_in_one_programme(many_client: FlaskClient) -> None:
    only = {str(r["group"]) for r in run(many_client, "zielgruppen-nur-in-a", a=SHEET, b=SOEST)}
    counts = {key: c for key, (c, _) in page(many_client, "/vergleich").cells.items()}
    for group in only:
        assert counts[(group, SHEET)] > 0 and counts[(group, SOEST)] == 0


def test_the_english_twin(many_client: FlaskClient) -> None:
    response = many_client.get("/en/comparison", headers=HTML)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="en">' in html
    assert "Older people" in html and "Target groups × programmes" in html
    switch = re.search(r'class="language" href="([^"]+)"', html)
    assert switch is not None, "a link to the German twin"
    target = urlsplit(unescape(switch.group(1)))  # through the language switch (views/home.py), which goes back
    assert target.path == "/sprache/de" and parse_qs(target.query)["next"] == [f"{BASE}vergleich"]
    german = many_client.get("/vergleich", headers=HTML).get_data(as_text=True)
    back = re.search(r'class="language" href="([^"]+)"', german)
    assert "Ältere Menschen" in german and back is not None
    assert parse_qs(urlsplit(unescape(back.group(1))).query)["next"] == [f"{BASE}en/comparison"]
    english = page(many_client, "/en/comparison")
    assert {k: c for k, (c, _) in english.cells.items()} == {
        k: c for k, (c, _) in page(many_client, "/vergleich").cells.items()
    }
    link = next(link for (_, _), (count, link) in english.cells.items() if count and link)
    assert urlsplit(link).path == "/en/comparison/list"


KEY = SOEST.removeprefix(BASE + "id/")
BAD_REQUESTS = [
    # (what, URL, status)
    ("an unknown programme", "/vergleich?a=kommune/00000000/programm/nichts", 404),
    ("the same programme twice", f"/vergleich?a={KEY}&b={KEY}", 400),
    ("a list without its parameters", "/vergleich/liste", 400),
    ("a list with both group and SDG", f"/vergleich/liste?programm={KEY}&zielgruppe=eltern&sdg=4", 400),
    ("SDG 18", f"/vergleich/liste?programm={KEY}&sdg=18", 404),
    ("SDG as text", f"/en/comparison/list?programme={KEY}&sdg=vier", 404),
    ("an unknown target group", f"/vergleich/liste?programm={KEY}&zielgruppe=nobody", 404),
    ("a programme with one version", "/vergleich/kommune/05974040/programm/zukunftsprogramm/aenderungen?von=2009", 200),
    ("an unknown version", "/vergleich/kommune/99100001/programm/stadtstrategie/aenderungen?von=1999", 404),
]  # fmt: skip


@pytest.mark.parametrize(("what", "url", "status"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_input_gets_a_clear_error(many_client: FlaskClient, what: str, url: str, status: int) -> None:
    for accept in ("text/html", "*/*"):
        response = many_client.get(url, headers={"Accept": accept})
        assert response.status_code == status, f"{what}: {response.get_data(as_text=True)[:300]}"
