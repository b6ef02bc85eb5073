"""Pages a citizen reads without knowing RDF (#18): labels instead of IRIs, each text once, a goal's parts
first, previous/next, the source in context, the chosen language kept, the catalogue and the docs as pages."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

import pytest
from flask.testing import FlaskClient

from service.web.views.docs import render
from tests.support.project import BASE, PROGRAMME, ROOT
from tests.web.test_resource_pages import doc, page, parse, text

GOAL = PROGRAMME + "/ziel/1"
ACTION_GOAL = PROGRAMME + "/ziel/3/handlungsziel/2"
MAPPING = PROGRAMME + "/sdg-zuordnung/1-10.2"
SOURCE = (ROOT / "data" / "soest-2009" / "source.txt").read_text(encoding="utf-8")
# What a heading or a property label must not read like: an address, a path of ours, or a CURIE.
MACHINERY = re.compile(r"https?://|\b[a-z]+/[a-z0-9.-]+/|^[a-z]+:[A-Za-z_]")


def html(client: FlaskClient, path: str, language: str = "de", **headers: str) -> Element:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": language, **headers})
    assert response.status_code == 200, (path, response.status_code)
    return parse(response.get_data(as_text=True))


def machinery(tree: Element) -> list[str]:
    """Headings, property labels and summaries that read as IRIs or CURIEs."""
    found = []
    for tag in ("h1", "h2", "h3", "dt", "summary"):
        for element in tree.iter(tag):
            label = text(element)
            if MACHINERY.search(label):
                found.append(f"<{tag}> {label[:90]}")
    return found


def test_no_page_of_the_sitemap_shows_an_iri_as_a_heading_or_a_property_label(client: FlaskClient) -> None:
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    paths = [p for p in re.findall(r"<loc>" + re.escape(BASE) + r"([^<]*)</loc>", sitemap)]
    assert len(paths) > 300  # every document of the Soest programme, the shared concepts, the pages
    problems = {path: found for path in paths if (found := machinery(html(client, "/" + path)))}
    for path in ("def/", "data/", "catalog", "docs/", "data/soest-2009/source.html"):
        if found := machinery(html(client, "/" + path)):
            problems[path] = found
    assert not problems


def test_a_strategic_goal_lists_its_action_goals_first_and_says_each_text_once(client: FlaskClient) -> None:
    tree = page(client, GOAL)
    sections = [s.get("aria-labelledby") for s in tree.iter("section")]
    assert sections[:2] == ["parts", "source"]  # the action goals before the passage
    parts = [text(li) for li in tree.iterfind(".//ul[@class='parts']/li")]
    assert [p.split(" ")[0] for p in parts] == [f"1.{n}" for n in range(1, 9)]
    body = text(tree.find(".//main"))  # type: ignore[arg-type]
    assert body.count("Mit dem demographischen Wandel wird zwar die Zahl") == 1  # the passage, not its copy
    assert "With demographic change" not in body  # the English text is one click away, not on the German page
    english = text(page(client, GOAL, "en").find(".//main"))  # type: ignore[arg-type]
    assert "With demographic change" in english


def test_action_goals_link_to_their_previous_and_next_sibling(client: FlaskClient) -> None:
    tree = page(client, ACTION_GOAL)
    links = {a.get("rel"): a.get("href") for a in tree.iterfind(".//nav[@class='siblings']/a")}
    assert links == {"prev": BASE + doc(PROGRAMME + "/ziel/3/handlungsziel/1")[1:],
                     "next": BASE + doc(PROGRAMME + "/ziel/3/handlungsziel/3")[1:]}  # fmt: skip
    first = page(client, PROGRAMME + "/ziel/1/handlungsziel/1")
    assert [a.get("rel") for a in first.iterfind(".//nav[@class='siblings']/a")] == ["next"]
    tenth = page(client, PROGRAMME + "/uebergreifendes-ziel/6")  # overarching goals: siblings in their scheme
    assert [a.get("rel") for a in tenth.iterfind(".//nav[@class='siblings']/a")] == ["prev"]


def test_an_sdg_mapping_reads_as_what_it_links(client: FlaskClient) -> None:
    tree = page(client, MAPPING)
    assert text(tree.find(".//h1")) == "SDG-Zuordnung: 1 → 10.2"  # type: ignore[arg-type]
    assert text(tree.find(".//p[@class='kinds']")) == "SDG-Zuordnung"  # type: ignore[arg-type]
    labels = [text(dt) for dt in tree.iterfind(".//dl[@class='statements']/dt")]
    assert {"Sicherheit (0 bis 1)", "Ziel des Programms", "zugeordnete Zielvorgabe", "Methode"} <= set(labels)
    target = next(dd for dt, dd in zip(tree.iterfind(".//dl[@class='statements']/dt"),
                                       tree.iterfind(".//dl[@class='statements']/dd"), strict=True)
                  if text(dt) == "zugeordnete Zielvorgabe")  # fmt: skip
    assert text(target).startswith("10.2 By 2030") and text(target).endswith("(englisch)")  # no German title
    technical = tree.find(".//details[@class='technical']")
    assert technical is not None and "owl:annotatedTarget" in text(technical)  # the names, behind one toggle
    assert tree.find(".//p[@class='explained']/a").get("href") == BASE + "docs/sdg-alignment"  # type: ignore[union-attr]


def test_curation_notes_without_a_german_text_are_marked(client: FlaskClient) -> None:
    tree = page(client, GOAL)
    notes = list(tree.iterfind(".//details[@class='curation']"))
    assert notes and all(text(n).endswith("Wie die Redaktion deutet") for n in notes)
    for note in notes:  # a reason the data gives in English only says so
        assert (note.find(".//span[@lang='en']") is not None) == ("(englisch)" in text(note)), text(note)
    mapping = page(client, MAPPING)  # a comment in English only, as a statement
    comment = next(dd for dt, dd in zip(mapping.iterfind(".//dl[@class='statements']/dt"),
                                        mapping.iterfind(".//dl[@class='statements']/dd"), strict=True)
                   if text(dt) == "Anmerkung")  # fmt: skip
    assert all(("(englisch)" in text(v)) == (v.find("*[@lang='en']") is not None) for v in comment)


def test_every_passage_links_to_its_place_in_the_source_view(client: FlaskClient) -> None:
    for iri in (GOAL, ACTION_GOAL, PROGRAMME + "/vision"):
        for quote in page(client, iri).iterfind(".//figure[@class='quote']"):
            link = quote.find(".//figcaption/a")
            assert link is not None
            url = urlsplit(link.get("href") or "")
            start, end = (int(parse_qs(url.query)[k][0]) for k in ("start", "end"))
            assert text(link) == f"Zeichen {start}–{end} im Quelltext" and url.fragment == "stelle"
            view = html(client, f"{url.path}?{url.query}")
            mark = view.find(".//mark[@id='stelle']")
            assert mark is not None and "".join(mark.itertext()) == SOURCE[start:end].replace("**", "")


def test_the_source_view_renders_bold_and_refuses_bad_spans(client: FlaskClient) -> None:
    view = html(client, "/data/soest-2009/source.html?start=13810&end=13963")
    strong = view.find(".//mark[@id='stelle']/strong")
    assert strong is not None and strong.text == "Aufbau des neuen Kulturmanagements"
    assert "**" not in text(view.find(".//div[@class='source-text']"))  # type: ignore[arg-type]
    for query, status in (("start=1&end=999999", 400), ("start=x&end=3", 400), ("start=4", 400)):
        response = client.get(f"/data/soest-2009/source.html?{query}", headers={"Accept": "text/html"})
        assert response.status_code == status and "Traceback" not in response.get_data(as_text=True)
    assert client.get("/data/nirgendwo/source.html").status_code == 404
    assert client.get("/data/..%2Fdocs/source.html").status_code == 404


def test_a_sheet_source_highlights_the_row(many_client: FlaskClient) -> None:
    sheet = (ROOT / "tests" / "programmes" / "musterhausen-2020" / "source.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(sheet)))
    start = sheet.index(rows[2][1]) if rows[2][1] else sheet.index(rows[2][0])
    view = html(many_client, f"/data/musterhausen-2020/source.html?start={start}&end={start + 1}")
    row = view.find(".//tr[@id='stelle']")
    assert row is not None and row.get("class") == "marked"
    assert text(row.find("th")) == "3"  # type: ignore[arg-type]  # as a spreadsheet counts: header is row 1


def test_the_language_switch_keeps_the_language_in_a_cookie(client: FlaskClient) -> None:
    target = BASE + doc(GOAL)[1:]
    switched = client.get("/sprache/en", query_string={"next": target + "?lang=en"})
    assert switched.status_code == 303 and switched.headers["Location"] == target + "?lang=en"
    assert "kzs_lang=en" in switched.headers["Set-Cookie"] and "no-store" in switched.headers["Cache-Control"]
    for path in (doc(GOAL), "/", "/data/", "/catalog", "/docs/", "/nowhere"):  # no lang argument, a German browser
        response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "de"})
        assert parse(response.get_data(as_text=True)).get("lang") == "en", path
        if response.status_code == 200:
            assert "Cookie" in response.headers["Vary"], path
    assert html(client, doc(GOAL) + "?lang=de").get("lang") == "de"  # an explicit lang still wins
    client.get("/sprache/de", query_string={"next": BASE})
    assert html(client, doc(GOAL), "en").get("lang") == "de"


@pytest.mark.parametrize(("query", "status"), [({"next": "https://example.org/"}, 400), ({}, 303)])
def test_the_switch_goes_back_only_to_this_site(client: FlaskClient, query: dict[str, str], status: int) -> None:
    assert client.get("/sprache/en", query_string=query).status_code == status
    assert client.get("/sprache/fr").status_code == 404


def test_error_pages_speak_the_pages_language(client: FlaskClient) -> None:
    german = client.get("/doc/nirgendwo", headers={"Accept": "text/html", "Accept-Language": "de"})
    tree = parse(german.get_data(as_text=True))
    assert german.status_code == 404 and text(tree.find(".//h1")) == "404 Nicht gefunden"  # type: ignore[arg-type]
    assert tree.find(".//main//span[@lang='en']") is not None  # the exact message, marked as English
    english = client.get("/doc/nirgendwo?lang=en", headers={"Accept": "text/html"})
    assert text(parse(english.get_data(as_text=True)).find(".//h1")) == "404 Not found"  # type: ignore[arg-type]


def test_the_catalogue_in_a_browser_is_a_catalogue_page(client: FlaskClient) -> None:
    tree = html(client, "/catalog")
    assert text(tree.find(".//h1")) == "DCAT-AP-Katalog"  # type: ignore[arg-type]
    dataset = tree.find(".//section[@class='dataset']")
    assert dataset is not None
    body = text(dataset)
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in body and "dl-by-de" not in body
    assert "Projektleitung KOMPASS" in body  # the contact the programme names
    downloads = [a.get("href") for a in dataset.iterfind(".//table[@class='downloads reflow']//a")]
    assert BASE + "data/soest-2009/soest-2009.ttl" in downloads
    for accept in ("text/turtle", "*/*"):  # machine formats as before
        response = client.get("/catalog", headers={"Accept": accept})
        assert response.mimetype == "text/turtle" and b"dcat:Catalog" in response.data


def test_data_pages_come_in_both_languages_with_a_preview_of_the_csv(client: FlaskClient) -> None:
    assert text(html(client, "/data/", "en").find(".//h1")) == "Data"  # type: ignore[arg-type]
    assert text(html(client, "/data/?lang=en").find(".//h2")) == "Programmes"  # type: ignore[arg-type]
    landing = html(client, "/data/soest-2009", "en")
    assert landing.get("lang") == "en" and "Licence" in text(landing.find(".//main"))  # type: ignore[arg-type]
    table = client.get("/data/soest-2009/soest-2009.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(table)))
    preview = landing.find(".//table[@class='preview']")
    assert preview is not None
    assert [text(th) for th in preview.iterfind("thead/tr/th")] == rows[0]
    shown = [[text(td) for td in tr.iterfind("td")] for tr in preview.iterfind("tbody/tr")]
    assert shown == [[" ".join(c.split()) for c in row] for row in rows[1:6]]


def test_docs_are_served_and_linked_from_the_pages_they_explain(client: FlaskClient) -> None:
    index = html(client, "/docs/")
    names = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    assert sorted(a.get("href", "").rsplit("/", 1)[-1] for a in index.iterfind(".//ul[@class='docs']//a")) == names
    model = html(client, "/docs/model")
    assert model.find(".//h2[@id='named-graphs']") is not None and model.find(".//table") is not None
    assert BASE + "docs/sdg-alignment" in [a.get("href") for a in model.iter("a")]  # links between documents
    assert client.get("/docs/model.md").headers["Location"] == BASE + "docs/model"
    assert client.get("/docs/nothing").status_code == 404
    for path, target in (("/def/", "docs/model"), ("/data/", "docs/model#named-graphs"), (doc(GOAL), "docs/model"),
                         ("/", "docs/")):  # fmt: skip
        assert BASE + target in [a.get("href") for a in html(client, path).iter("a")], path


def test_def_explains_the_conventions(client: FlaskClient) -> None:
    section = html(client, "/def/").find(".//section[@class='conventions']")
    assert section is not None
    words = text(section)
    for convention in ("P/jahresschwerpunkte/bis-{Jahr}", "graph/{Programm}/quelle", "kzs:basis", "owl:Axiom"):
        assert convention in words


def test_markdown_is_rendered_without_raw_html(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "a.md").write_text("# Title\n\n<script>alert(1)</script>\n\n[b](b.md) [c](../x.py) [d](javascript:x)\n")
    rendered = render(folder / "a.md", 0.0, BASE, frozenset({"a", "b"}))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert f'href="{BASE}docs/b"' in rendered.html and "x.py" not in rendered.html  # a repository file: no link
    assert 'href="javascript' not in rendered.html
    assert rendered.title == "Title" and '<h1 id="title">' in rendered.html


def test_unlabelled_things_that_link_here_are_named_by_what_they_are(client: FlaskClient) -> None:
    passage = page(client, PROGRAMME + "/fassung/2009/de/stelle/ziel-1")
    derived = passage.find(".//details[@data-property='prov:wasDerivedFrom']")
    assert derived is not None
    assert {text(li) for li in derived.iterfind("ul/li")} >= {"SDG-Zuordnung: 1 → 10.2", "SDG-Zuordnung: 1 → 4.5"}
    listed = html(client, doc(PROGRAMME + "/fassung/2009/de/text") + "?in=oa:hasSource")
    names = [text(li) for li in listed.iterfind(".//ol[@class='incoming']/li")]
    assert len(names) == 50 and all(n.startswith("„") for n in names)  # each passage by its quote, not its path
