"""Resource pages a citizen can read: language, labels, order, quotes, breadcrumbs, incoming links, the
programme overview, embedded schema.org, and HTML that parses without a single error."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

import html5rdf
import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.compare import isomorphic

from service.rdf.namespaces import SPARQL_PROLOGUE
from service.store.embedded import select
from service.web.state import state
from tests.support.project import BASE, PROGRAMME

ACTION_GOAL = PROGRAMME + "/ziel/3/handlungsziel/2"
STRATEGIC_GOAL = PROGRAMME + "/ziel/3"
SVG = "{http://www.w3.org/2000/svg}"


def doc(iri: str) -> str:
    return iri.replace("/id/", "/doc/").removeprefix(BASE[:-1])


def parse(html: str) -> Element:
    """The page as a tree; strict, so any HTML5 parse error fails the test."""
    parser = html5rdf.HTMLParser(strict=True, tree=html5rdf.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(html)  # type: ignore[no-any-return]


def page(client: FlaskClient, iri: str, language: str = "de", **args: str) -> Element:
    response = client.get(doc(iri), query_string=args, headers={"Accept": "text/html", "Accept-Language": language})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return parse(response.get_data(as_text=True))


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def labels(app: Flask, iri: str) -> dict[str, str]:
    rows = select(state(app).store, SPARQL_PROLOGUE + "SELECT ?r ?l WHERE { ?r skos:prefLabel ?l }",
                  substitutions={"r": ox.NamedNode(iri)})  # fmt: skip
    return {row["l"].language or "": row["l"].value for row in rows}  # type: ignore[union-attr]


LANGUAGE_CASES = [
    ("de-DE,de;q=0.9", None, "de"),
    ("en-GB,en;q=0.8", None, "en"),
    ("fr", None, "de"),  # a language we lack: the source's
    ("en", "de", "de"),  # ?lang= beats the header
    ("de", "en", "en"),
]


@pytest.mark.parametrize(("header", "argument", "expected"), LANGUAGE_CASES)
def test_language_by_header_and_argument(client: FlaskClient, header: str, argument: str | None, expected: str) -> None:
    query = {"lang": argument} if argument else {}
    response = client.get(
        doc(ACTION_GOAL), query_string=query, headers={"Accept": "text/html", "Accept-Language": header}
    )
    assert response.headers["Content-Language"] == expected
    tree = parse(response.get_data(as_text=True))
    assert tree.get("lang") == expected
    kind = tree.find(".//p[@class='kinds']/a[@class='kind']")
    assert kind is not None and text(kind) == {"de": "Handlungsziel", "en": "Action goal"}[expected]  # ontology
    terms = [text(dt) for dt in tree.iterfind(".//dl[@class='statements']/dt")]
    assert any(t.startswith({"de": "ist Handlungsziel von", "en": "is action goal of"}[expected]) for t in terms)
    switch = tree.find(".//header[@class='site']/a[@class='language']")
    assert switch is not None and switch.get("hreflang") == {"de": "en", "en": "de"}[expected]


def test_a_label_missing_in_english_falls_back_to_german_and_says_so(client: FlaskClient, app: Flask) -> None:
    names = labels(app, ACTION_GOAL)
    tree = page(client, ACTION_GOAL, "en")
    heading = tree.find(".//h1")
    assert heading is not None
    if "en" in names:
        assert names["en"] in text(heading) and heading.get("lang") is None
    else:
        assert names["de"] in text(heading) and heading.get("lang") == "de"
        note = tree.find(".//article/header/p[@class='note']")
        assert note is not None and "German" in text(note)
    # A sector has English labels in the shared schemes: shown as such, no language marker needed.
    sector = next(a for a in tree.iterfind(".//dl[@class='statements']//a") if "/branche/" in (a.get("href") or ""))
    assert sector.get("lang") is None


def test_breadcrumbs_lead_from_programme_to_strategic_goal(client: FlaskClient) -> None:
    crumbs = page(client, ACTION_GOAL).find(".//nav[@class='crumbs']")
    assert crumbs is not None
    hrefs = [a.get("href") for a in crumbs.iter("a")]
    assert hrefs == [BASE, BASE + doc(PROGRAMME)[1:], BASE + doc(STRATEGIC_GOAL)[1:]]
    current = crumbs.find(".//li[@aria-current='page']")
    assert current is not None and text(current).startswith("3.2")


def test_the_source_passage_is_quoted_and_located(client: FlaskClient, app: Flask) -> None:
    tree = page(client, ACTION_GOAL)
    quote = tree.find(".//figure[@class='quote']")
    assert quote is not None
    link = quote.find(".//figcaption/a")
    assert link is not None
    url = urlsplit(link.get("href") or "")
    assert f"{url.scheme}://{url.netloc}{url.path}" == BASE + "data/soest-2009/source.html"
    assert url.fragment == "stelle"  # the marked passage on the source view (tests/web/test_source_view.py)
    start, end = (int(parse_qs(url.query)[name][0]) for name in ("start", "end"))
    text_file = state(app).config.project_dir / "data" / "soest-2009" / "source.txt"
    blockquote = quote.find("blockquote")
    source = text_file.read_text(encoding="utf-8")[start:end]
    assert blockquote is not None and "".join(blockquote.itertext()) == source.replace("**", "")


def test_properties_come_in_reading_order_with_labels_and_labelled_links(client: FlaskClient) -> None:
    tree = page(client, PROGRAMME + "/ziel/4/handlungsziel/3")  # with target groups, a kind of actor and sectors
    curies = [dt.get("data-property") for dt in tree.iterfind(".//dl[@class='statements']/dt")]
    # the label is the heading's and the passage is quoted above, so neither is repeated among the statements
    wanted = ["skos:notation", "dct:audience", "kzs:sector", "kzs:isActionGoalOf", "skos:inScheme"]
    assert [c for c in curies if c in wanted] == wanted
    for anchor in tree.iterfind(".//dl[@class='statements']/dd/div/a"):
        assert not text(anchor).startswith(("http://", "https://")), "a link must read as a name, not an IRI"
        assert (anchor.get("href") or "").startswith(("http://", "https://"))


def test_curated_statements_say_so(client: FlaskClient) -> None:
    tree = page(client, ACTION_GOAL)
    curated = tree.findall(".//dd//details[@class='curation']")
    assert curated, "the target groups of 3.2 are the editors' addition"
    assert all(text(d.find("summary")).startswith("kuratiert · ") for d in curated)  # type: ignore[arg-type]


def test_the_curation_note_says_whether_the_text_states_it_or_the_editors_read_it(
    client: FlaskClient, app: Flask
) -> None:
    """An explicit link (the text names it) is not called a reading; an interpreted one is."""
    query = (
        SPARQL_PROLOGUE
        + """SELECT ?s (SAMPLE(?o) AS ?value) WHERE {
      ?statement rdf:subject ?s ; rdf:predicate dct:audience ; rdf:object ?o ; kzs:basis ?basis .
      ?o skos:prefLabel ?label } GROUP BY ?s"""
    )
    notes = {"kzs:explicit": "sagt es ausdrücklich", "kzs:interpreted": "eine Lesart des Textes"}
    for basis, words in notes.items():
        rows = list(select(state(app).store, query.replace("?basis", basis)))
        assert rows, basis
        tree = page(client, rows[0]["s"].value)
        found = [text(d) for d in tree.iterfind(".//dd//details[@class='curation']")]
        assert any(words in note for note in found), (basis, found)


def test_incoming_links_are_grouped_counted_and_paged(client: FlaskClient, app: Flask) -> None:
    size = state(app).config.page_size
    tree = page(client, PROGRAMME + "/fassung/2009/de/text")
    groups = {d.get("data-property"): d for d in tree.iterfind(".//details[@class='incoming']")}
    passages = groups["oa:hasSource"]
    count = passages.find("summary/span[@class='count']")
    assert count is not None and int(text(count)) == 82  # with the 3 claim passages of #17
    assert len(passages.findall("ul/li")) == size
    more = passages.find("p[@class='more']/a")
    assert more is not None and parse_qs(urlsplit(more.get("href") or "").query)["in"] == ["oa:hasSource"]


def test_a_shared_target_group_lists_the_goals_that_address_it(client: FlaskClient) -> None:
    group = "http://127.0.0.1:8000/id/konzept/zielgruppe/familien-und-lebensgemeinschaften"
    tree = page(client, group)
    audience = next(
        d for d in tree.iterfind(".//details[@class='incoming']") if d.get("data-property") == "dct:audience"
    )
    assert text(audience.find("summary")).startswith("ist Zielgruppe oder Adressat von")  # type: ignore[arg-type]
    assert all(a.get("href", "").startswith(BASE + "doc/") for a in audience.iterfind(".//li/a"))


def test_query_this_resource_opens_the_sparql_page_prefilled(client: FlaskClient) -> None:
    tree = page(client, ACTION_GOAL)
    link = next(a for a in tree.iterfind(".//aside[@class='data']//a") if "sparql" in (a.get("href") or ""))
    url = urlsplit(link.get("href") or "")
    assert f"{url.scheme}://{url.netloc}{url.path}" == BASE + "sparql"
    assert f"<{ACTION_GOAL}>" in parse_qs(url.query)["query"][0]


def test_embedded_schema_org_is_the_schema_profile(client: FlaskClient) -> None:
    html = client.get(doc(ACTION_GOAL), headers={"Accept": "text/html"}).get_data(as_text=True)
    scripts = parse(html).findall(".//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    data = json.loads(scripts[0].text or "")
    assert data["@type"] == "DefinedTerm" and data["@id"] == ACTION_GOAL
    embedded = Graph().parse(data=json.dumps(data), format="json-ld")
    served = client.get(doc(ACTION_GOAL), query_string={"_profile": "schema"}, headers={"Accept": "text/turtle"})
    assert isomorphic(embedded, Graph().parse(data=served.data, format="turtle"))


@pytest.mark.parametrize("iri", [ACTION_GOAL, STRATEGIC_GOAL, PROGRAMME, PROGRAMME + "/fassung/2009/de/text",
                                 "http://127.0.0.1:8000/id/konzept/zielgruppe/kinder-und-jugendliche",
                                 "http://127.0.0.1:8000/id/kommune/05974040"])  # fmt: skip
@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_are_valid_accessible_html_without_script(client: FlaskClient, iri: str, language: str) -> None:
    response = client.get(doc(iri), headers={"Accept": "text/html", "Accept-Language": language})
    tree = parse(response.get_data(as_text=True))  # strict: raises on any parse error
    assert tree.get("lang") == language
    assert len(tree.findall(".//h1")) == 1
    levels = [int(e.tag[1]) for e in tree.iter() if isinstance(e.tag, str) and re.fullmatch("h[1-6]", e.tag)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), f"skipped heading level: {levels}"
    assert tree.find(".//main") is not None and tree.find(".//nav[@aria-label]") is not None
    for element in tree.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib), element.tag
        if element.tag == "script":
            assert element.get("type") == "application/ld+json"
        for attribute in ("href", "src", "action"):
            value = (element.get(attribute) or element.get("{http://www.w3.org/1999/xlink}" + attribute) or "").strip()
            assert not value.lower().startswith(("javascript:", "data:", "vbscript:")), value
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_programme_page_draws_the_programme(client: FlaskClient, app: Flask) -> None:
    tree = page(client, PROGRAMME)
    svg = tree.find(f".//{SVG}svg")
    assert svg is not None and svg.get("aria-labelledby") == "overview-title"

    def boxes(kind: str) -> list[Element]:
        return [r for r in svg.iter(f"{SVG}rect") if kind in (r.get("class") or "").split()]  # type: ignore[union-attr]

    store = state(app).store
    count = {
        kind: len(list(select(store, SPARQL_PROLOGUE + f"SELECT ?g WHERE {{ ?g a kzs:{kind} }}")))
        for kind in ("OverarchingGoal", "StrategicGoal", "ActionGoal", "Vision")
    }
    assert len(boxes("overarching")) == count["OverarchingGoal"] == 6
    assert len(boxes("strategic")) == count["StrategicGoal"] == 6
    assert len(boxes("action")) >= count["ActionGoal"]  # (plus the legend's samples)
    assert len(boxes("vision")) == count["Vision"]
    priorities = select(
        store, SPARQL_PROLOGUE + f"SELECT ?m WHERE {{ <{PROGRAMME}/jahresschwerpunkte/bis-2009> skos:member ?m }}"
    )
    highlighted = [r for r in boxes("priority") if "action" in (r.get("class") or "")]
    assert len(highlighted) == len(list(priorities)) + 1  # each annual priority, and its legend sample
    # Every goal box is a link to that goal's page.
    targets = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert BASE + doc(ACTION_GOAL)[1:] in targets and BASE + doc(STRATEGIC_GOAL)[1:] in targets
    # The matrix: a row per target group the goals address, a column per strategic goal and field of action.
    groups = select(
        store,
        SPARQL_PROLOGUE
        + f"""SELECT DISTINCT ?group WHERE {{
        <{PROGRAMME}> eli:is_realized_by ?e . ?scheme dct:source ?e .
        ?goal skos:inScheme ?scheme ; dct:audience ?group .
        ?group skos:inScheme <{BASE}id/konzept/zielgruppe> }}""",
    )
    group_links = {a.get("href") for a in svg.iter(f"{SVG}a") if "/zielgruppe/" in (a.get("href") or "")}
    assert group_links == {BASE + doc(row["group"].value)[1:] for row in groups}  # type: ignore[union-attr]
    columns = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "column"]
    assert len(columns) == 6 + 1  # six strategic goals and the cross-cutting field "Soziales"
    # The outline below lists the same goals as links, for readers who cannot see the picture.
    outline = tree.find(".//ul[@class='goals']")
    assert outline is not None and len(outline.findall("./li")) == 6 and len(outline.findall("./li/ul/li")) == 40


def test_home_lists_the_programmes_in_both_languages(client: FlaskClient) -> None:
    for language, heading in (("de", "Programme"), ("en", "Programmes")):
        response = client.get("/", headers={"Accept": "text/html", "Accept-Language": language})
        tree = parse(response.get_data(as_text=True))
        assert text(tree.find(".//h2[@id='programmes']")) == heading  # type: ignore[arg-type]
        assert any(a.get("href") == BASE + doc(PROGRAMME)[1:] for a in tree.iterfind(".//ul[@class='programmes']//a"))


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_text_colours_meet_wcag_aa(app: Flask) -> None:
    css = (app.root_path + "/static/site.css").replace("\\", "/")
    with open(css, encoding="utf-8") as stylesheet:
        source = stylesheet.read()
    colours = {
        name: value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])
        for name, value in re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\b", source)
    }
    colours["white"] = "#ffffff"
    pairs = [("ink", "paper"), ("muted", "paper"), ("link", "paper"), ("link", "wash"), ("muted", "wash"),
             ("white", "brand"), ("priority-ink", "priority"), ("ink", "priority"), ("focus", "paper")]  # fmt: skip
    for foreground, background in pairs:
        ratio = contrast(colours[foreground], colours[background])
        assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"
    for literal in re.findall(r"summary \{[^}]*color: (#[0-9a-f]{6})", source):  # the curation note
        assert contrast(literal, colours["paper"]) >= 4.5
