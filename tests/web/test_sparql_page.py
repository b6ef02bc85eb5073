"""The query page for people: an editor that works without JavaScript, results as a table with labels and links,
downloads, a permalink, errors shown beside the query; and the same in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service.web.views.sparql import EDITOR_BUNDLE
from tests.support.browser import CHROMEDRIVER, CHROMIUM, chromium
from tests.support.project import BASE, PROGRAMME, ROOT

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
QUERY = "SELECT ?goal ?label WHERE { ?goal a kzs:StrategicGoal ; skos:prefLabel ?label FILTER(LANG(?label) = 'de') }"


class Page(HTMLParser):
    """The parts of a page the tests look at: links, forms' fields, table cells, scripts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.fields: list[dict[str, str]] = []
        self.cells: list[str] = []
        self.scripts: list[dict[str, str]] = []
        self.textarea = ""
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.links.append(attributes)
        elif tag in ("input", "textarea", "select"):
            self.fields.append({"tag": tag, **attributes})
        elif tag == "script":
            self.scripts.append(attributes)
        if tag in ("td", "textarea"):
            self._in = tag
            if tag == "td":
                self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "td":
            self.cells[-1] += data
        elif self._in == "textarea":
            self.textarea += data


def test_without_a_query_browsers_get_the_editor_with_an_example(client: FlaskClient) -> None:
    response = client.get("/sparql", headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = Page(response.get_data(as_text=True))
    assert "SELECT" in page.textarea and "kzs:StrategicGoal" in page.textarea
    assert any(f["tag"] == "textarea" and f.get("name") == "query" for f in page.fields)
    assert "PREFIX kzs: &lt;https://w3id.org/kzs/def#&gt;" in response.get_data(as_text=True)  # predeclared
    # One script of our own, the CodeMirror bundle where `make editor` built it: no inline or foreign script.
    assert [s["src"] for s in page.scripts] in ([BASE + "static/sparql-editor.js"], [BASE + "static/" + EDITOR_BUNDLE])
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_editor_carries_the_vocabulary_to_complete(client: FlaskClient) -> None:
    html = client.get("/sparql", headers=BROWSER).get_data(as_text=True)
    found = re.search(r'data-vocabulary="([^"]*)"', html)
    assert found
    carried = json.loads(unescape(found[1]))
    assert carried["prefixes"]["kzs"] == "https://w3id.org/kzs/def#"
    assert {"name": "kzs:StrategicGoal", "kind": "class", "label": "Strategisches Ziel"} in carried["terms"]
    assert any(term["name"] == "skos:prefLabel" for term in carried["terms"])  # reused terms too
    assert carried["messages"]["prefix"] == "Präfix {prefix}: ist nicht deklariert"


def test_results_as_a_table_with_labels_links_downloads_and_a_permalink(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": QUERY}, headers=BROWSER)
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.textarea == QUERY
    # The strategic goal's IRI shows its label and links to its page.
    goal_page = f"{BASE}doc/kommune/05974040/programm/zukunftsprogramm/ziel/3"
    link = next(a for a in page.links if a.get("href") == goal_page)
    assert link
    assert any("Einzelhandel stärken und Standorte weiterentwickeln" in cell for cell in page.cells)
    downloads = {a["data-format"]: a["href"] for a in page.links if "data-format" in a}
    assert set(downloads) == {"csv", "spreadsheet-csv", "xlsx", "json", "tsv"}
    with client.get(downloads["csv"].removeprefix(BASE[:-1])) as csv_response:
        rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True))))
    assert rows[0] == ["goal", "label"] and len(rows) == 7
    permalink = next(a["href"] for a in page.links if a.get("rel") == "bookmark")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(permalink).query)["query"] == [QUERY]


def test_the_page_follows_the_readers_language(client: FlaskClient) -> None:
    german = client.get("/sparql", query_string={"query": QUERY}, headers=BROWSER).get_data(as_text=True)
    english = client.get("/sparql", query_string={"query": QUERY, "lang": "en"}, headers=BROWSER)
    assert "Ergebnis" in german and "6 Zeilen" in german
    assert "Result" in english.get_data(as_text=True) and "6 rows" in english.get_data(as_text=True)
    assert client.get("/sparql", query_string={"lang": "fr"}, headers=BROWSER).status_code == 400


def test_a_syntax_error_is_shown_beside_the_query(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n ?s ?p \n}"}, headers=BROWSER)
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "Syntaxfehler in Zeile 3" in html and 'data-line="3"' in html
    assert Page(html).textarea == "SELECT * WHERE {\n ?s ?p \n}"  # kept, to be corrected


def test_a_form_post_from_a_browser_gets_the_page_too(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": QUERY}, headers=BROWSER)
    assert response.status_code == 200 and "6 Zeilen" in response.get_data(as_text=True)


def test_literals_keep_their_language_and_datatype_as_attributes_not_as_text(client: FlaskClient) -> None:
    query = 'SELECT ?text ?number WHERE { VALUES (?text ?number) { ("<b>School</b>"@en 42) } }'
    response = client.get("/sparql", query_string={"query": query}, headers=BROWSER)
    html = response.get_data(as_text=True)
    assert "&lt;b&gt;School&lt;/b&gt;" in html and "<b>School" not in html  # text, never markup
    assert '<span lang="en">&lt;b&gt;School&lt;/b&gt;</span>' in html  # a German page marks the English text
    assert '<span title="xsd:integer">42</span>' in html
    assert "@en" not in Page(html).cells and "xsd:integer" not in " ".join(Page(html).cells)


def test_graphs_show_as_a_table_of_triples(client: FlaskClient) -> None:
    query = f"DESCRIBE <{PROGRAMME}/ziel/1/handlungsziel/7>"
    response = client.get("/sparql", query_string={"query": query}, headers=BROWSER)
    page = Page(response.get_data(as_text=True))
    assert "Sicherung der schulpsychologischen Dienste" in page.cells  # the label, as an object, without "@de"
    assert {a["data-format"] for a in page.links if "data-format" in a} == {"ttl", "jsonld", "nt"}


# -- the same in a real browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed (`make test-deps` installs them)")
    downloads = tmp_path_factory.mktemp("downloads")
    with chromium(downloads) as chrome:
        chrome.downloads = downloads
        yield chrome


def test_a_person_types_a_query_runs_it_sees_the_table_and_downloads_the_csv(server: str, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    chrome = browser
    chrome.get(server + "sparql")  # type: ignore[attr-defined]
    wait = WebDriverWait(chrome, 20)
    query = (
        "SELECT ?goal ?label WHERE {\n?goal a kzs:ActionGoal ; skos:notation ?n ; skos:prefLabel ?label",
        ' FILTER(LANG(?label) = "de" && STRSTARTS(?n, "3."))\n} ORDER BY ?n',
    )
    if (ROOT / "service" / "static" / EDITOR_BUNDLE).is_file():  # CodeMirror, in its shadow root
        host = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".sparql-editor-host")))
        wait.until(lambda _: host.shadow_root.find_elements(By.CSS_SELECTOR, ".cm-content"))
        box = host.shadow_root.find_element(By.CSS_SELECTOR, ".cm-content")
        box.click()
        chrome.execute_script("const v = window.kzsEditor; v.dispatch({changes: {from: 0, to: v.state.doc.length}})")  # type: ignore[attr-defined]
        for part in query:  # typed without the brackets and quotes CodeMirror closes by itself
            chrome.execute_script(
                "window.kzsEditor.dispatch(window.kzsEditor.state.replaceSelection(arguments[0]))", part
            )  # type: ignore[attr-defined]
        assert host.shadow_root.find_elements(By.CSS_SELECTOR, ".cm-line span")  # highlighted
    else:  # the plain editor
        editor = wait.until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".sparql-editor.highlighted"))
        )
        box = editor.find_element(By.ID, "query")
        box.clear()
        for part in query:
            box.send_keys(part)
        highlighted = editor.find_elements(By.CSS_SELECTOR, "pre .tok-keyword")
        assert {element.text for element in highlighted} >= {"SELECT", "WHERE", "FILTER"}
    box.send_keys(Keys.CONTROL, Keys.ENTER)  # runs the query
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table.sparql-results")))
    rows = chrome.find_elements(By.CSS_SELECTOR, "table.sparql-results tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 5
    assert "Den Einzelhandel in der Innenstadt stärken" in rows[0].text
    chrome.find_element(By.CSS_SELECTOR, 'a[data-format="csv"]').click()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    files: list[Path] = []
    while time.monotonic() < deadline and not files:
        files = [f for f in chrome.downloads.iterdir() if f.suffix == ".csv"]  # type: ignore[attr-defined]
        time.sleep(0.2)
    assert files, "no CSV was downloaded"
    table = list(csv.reader(io.StringIO(files[0].read_text(encoding="utf-8"))))
    assert table[0] == ["goal", "label"] and len(table) == 6


def test_the_page_works_without_javascript(server: str) -> None:
    url = server + "sparql?" + urllib.parse.urlencode({"query": QUERY})
    request = urllib.request.Request(url, headers=BROWSER)
    with urllib.request.urlopen(request, timeout=30) as response:
        page = Page(response.read().decode())
    assert len(page.cells) == 12  # a plain GET form submission: 6 rows of 2 cells
