"""Result tables for people (service/web/results.py, service/web/result_chart.py): documented column titles,
labels without tags, sorting by link (no JavaScript), totals, the query time, a bar chart, short permalinks."""

from __future__ import annotations

import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from service.query.canned import catalogue, column_titles
from tests.support.project import BASE, PROGRAMME, rows

BROWSER = {"Accept": "text/html"}
SDG_ORDER = ["3", "4", "5", "8", "9", "11", "16", "17"]


class Table(HTMLParser):
    """The result table of a page: header titles, their links and aria-sort, body rows, the totals row."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.sort_links: list[str] = []
        self.aria_sort: dict[int, str] = {}
        self.body: list[list[str]] = []
        self.totals: list[str] = []
        self.part = ""
        self.cell: str | None = None
        self.feed(html[html.index('<table class="sparql-results">') :])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "tr" and self.part == "tbody":
            self.body.append([])
        elif tag in ("th", "td"):
            self.cell = ""
            if self.part == "thead" and found.get("aria-sort"):
                self.aria_sort[len(self.headers)] = found["aria-sort"] or ""
        elif tag == "a" and self.part == "thead":
            self.sort_links.append(found["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            text = " ".join(self.cell.split())
            row = {"thead": self.headers, "tfoot": self.totals}.get(self.part, self.body[-1] if self.body else [])
            row.append(text)
            self.cell = None
        elif tag == "table":
            self.part = "done"

    def handle_data(self, data: str) -> None:
        if self.cell is not None and self.part != "done":
            self.cell += data


def page(client: FlaskClient, path: str, **args: str) -> str:
    response = client.get(path, query_string=args, headers=BROWSER)
    assert response.status_code == 200, response.text
    return response.text


def test_every_column_of_every_canned_query_has_a_documented_title_in_german_and_english(client: FlaskClient) -> None:
    for name, query in catalogue().items():
        variables = json.loads(client.get(f"/queries/{name}?format=json").data)["head"]["vars"]
        assert set(query.columns) == set(variables), name
        assert all(titles["de"] and titles["en"] for titles in query.columns.values()), name
    listing = {q["name"]: q for q in json.loads(client.get("/queries/?format=json").data)}
    assert listing["zielsystem"]["columns"]["notation"] == {"de": "Nummer", "en": "number"}  # for tools too


def test_the_table_shows_the_documented_titles_in_the_pages_language(client: FlaskClient) -> None:
    assert Table(page(client, "/queries/handlungsziele-je-ziel")).headers == [
        "Programm", "Strategisches Ziel", "Nummer", "Wortlaut", "Handlungsziele",
    ]  # fmt: skip
    english = Table(page(client, "/queries/handlungsziele-je-ziel", lang="en")).headers
    assert english == ["programme", "strategic goal", "number", "wording", "action goals"]
    # A query typed into the editor may document its columns the same way.
    query = "# column n: Anzahl / count\nSELECT ?x (COUNT(*) AS ?n) WHERE { ?s a kzs:StrategicGoal } GROUP BY ?x"
    assert column_titles(query) == {"n": {"de": "Anzahl", "en": "count"}}
    assert Table(page(client, "/sparql", query=query)).headers == ["x", "Anzahl"]


def test_labels_link_without_language_tags_iri_paths_or_datatypes(client: FlaskClient) -> None:
    html = page(client, "/queries/handlungsziele-je-ziel")
    table = Table(html)
    assert table.body[0][:2] == [
        "Strategisches Zukunftsprogramm der Stadt Soest",
        "Kinder und Jugendliche fördern und ungleichen Bildungschancen begegnen",
    ]
    assert not any(re.search(r"@de|@en|xsd:|id/kommune/", cell) for row in table.body for cell in row)
    goal = f'<a href="{BASE}doc/kommune/05974040/programm/zukunftsprogramm/ziel/1"'
    assert goal in html  # the link sits on the label


def test_sorting_works_without_javascript_by_links_in_the_headers(client: FlaskClient) -> None:
    default = Table(page(client, "/queries/handlungsziele-je-ziel"))
    count = default.headers.index("Handlungsziele")
    ascending = urllib.parse.urlsplit(default.sort_links[count])
    assert urllib.parse.parse_qs(ascending.query)["sort"] == ["action_goals"]
    up = Table(page(client, ascending.path, **dict(urllib.parse.parse_qsl(ascending.query))))
    assert [int(r[count]) for r in up.body] == sorted(int(r[count]) for r in default.body)
    assert up.aria_sort == {count: "ascending"}
    flip = urllib.parse.urlsplit(up.sort_links[count])  # the same header again: descending
    down = Table(page(client, flip.path, **dict(urllib.parse.parse_qsl(flip.query))))
    assert [int(r[count]) for r in down.body] == sorted((int(r[count]) for r in default.body), reverse=True)
    assert down.aria_sort == {count: "descending"}
    # Text sorts as a German index does, digits as numbers; an unknown column keeps the query's order.
    by_label = Table(page(client, "/queries/handlungsziele-je-ziel", sort="label")).body
    assert [r[3] for r in by_label] == sorted((r[3] for r in default.body), key=str.casefold)
    assert Table(page(client, "/queries/handlungsziele-je-ziel", sort="nothing")).body == default.body


def test_sdgs_come_in_numeric_order_with_a_totals_row(client: FlaskClient) -> None:
    assert [row["sdg_number"] for row in rows(client, "sdg-ziele-nach-programm")] == SDG_ORDER
    table = Table(page(client, "/queries/sdg-ziele-nach-programm"))
    number = table.headers.index("SDG-Nummer")
    assert [row[number] for row in table.body] == SDG_ORDER
    by_number = Table(page(client, "/queries/sdg-ziele-nach-programm", sort="-sdg_number")).body
    assert [row[number] for row in by_number] == SDG_ORDER[::-1]  # as numbers: 17 before 3
    counted = table.headers.index("Handlungsziele")
    assert table.totals[0] == "Summe"
    assert int(table.totals[counted]) == sum(int(row[counted]) for row in table.body) == 48


def test_the_page_says_how_long_the_query_took(client: FlaskClient) -> None:
    found = re.search(r'<span class="elapsed">in (\d+,\d\d) s</span>', page(client, "/queries/zielsystem"))
    assert found and 0 <= float(found[1].replace(",", ".")) < 15
    assert re.search(r'<span class="elapsed">in \d+\.\d\d s</span>', page(client, "/queries/zielsystem", lang="en"))


@pytest.mark.parametrize(("path", "args"), [("/queries/handlungsziele-je-ziel", {}), ("/sparql", {"query": ""})])
def test_a_count_query_gets_a_bar_chart_drawn_from_its_rows(
    client: FlaskClient, path: str, args: dict[str, str]
) -> None:
    if path == "/sparql":
        args = {"query": "SELECT ?goal (COUNT(?a) AS ?n) WHERE { ?goal kzs:hasActionGoal ?a } GROUP BY ?goal"}
    html = page(client, path, **args)
    figure = re.search(r'<figure class="result-chart" id="chart">.*?</figure>', html, re.DOTALL)
    assert figure, "no chart"
    assert 'href="#chart"' in html  # the count line points to it
    markup = figure[0][figure[0].index("<svg") : figure[0].index("</svg>") + 6]
    svg = ET.fromstring(markup)  # noqa: S314 (our own output) - well-formed SVG
    bars = [e for e in svg.iter() if e.tag.endswith("rect")]
    values = sorted(int(e.text or "") for e in svg.iter() if e.get("class") == "bar-value")
    table = Table(html)
    assert len(bars) == len(table.body) == 6
    assert values == sorted(int(row[-1]) for row in table.body)  # the chart's numbers are the table's
    assert not re.search(r"<script|style=", figure[0])  # nothing the strict CSP would block


def test_a_result_without_numbers_gets_no_chart(client: FlaskClient) -> None:
    assert 'class="result-chart"' not in page(client, "/queries/jahresschwerpunkte")


def test_a_canned_querys_permalink_is_short_and_gives_the_same_table(client: FlaskClient) -> None:
    html = page(client, "/queries/handlungsziele-je-ziel")
    assert f'<a href="{BASE}queries/handlungsziele-je-ziel" rel="bookmark">' in html  # defaults need no arguments
    chosen = page(client, "/queries/handlungsziele-eines-ziels", goal=f"{PROGRAMME}/ziel/3", sort="-notation")
    permalink = re.search(r'<a href="([^"]+)" rel="bookmark">', chosen)[1]  # type: ignore[index]
    relative = "goal=id%2Fkommune%2F05974040%2Fprogramm%2Fzukunftsprogramm%2Fziel%2F3"
    assert permalink.replace("&amp;", "&") == f"{BASE}queries/handlungsziele-eines-ziels?{relative}&sort=-notation"
    link = urllib.parse.urlsplit(permalink.replace("&amp;", "&"))
    again = page(client, link.path, **dict(urllib.parse.parse_qsl(link.query)))
    assert Table(again).body == Table(chosen).body and len(Table(again).body) > 1
