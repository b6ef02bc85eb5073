"""/search: German and English labels and descriptions, ranked, with links."""

from __future__ import annotations

from flask.testing import FlaskClient

from service.content.search import fold
from tests.support.project import BASE, PROGRAMME

BROWSER = {"Accept": "text/html"}
OLDER = BASE + "id/konzept/zielgruppe/aeltere-menschen"


def found(client: FlaskClient, q: str, **args: str) -> list[dict[str, object]]:
    response = client.get("/search", query_string={"q": q, "format": "json", **args})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()["results"]  # type: ignore[no-any-return,index]


def test_a_label_comes_first_in_either_language_and_spelling(client: FlaskClient) -> None:
    for query in ("Ältere Menschen", "ältere", "altere menschen", "older people"):
        assert found(client, query)[0]["iri"] == OLDER, query


def test_labels_rank_above_descriptions_and_whole_words_above_parts(client: FlaskClient) -> None:
    hits = found(client, "Einzelhandel")
    assert hits[0]["label"] == "Einzelhandel"  # the target group's label is the word itself
    first_goal = next(h for h in hits if "Strategisches Ziel" in h["kinds"])  # type: ignore[operator]
    assert first_goal["iri"] == f"{PROGRAMME}/ziel/3"
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_every_word_must_match_and_a_notation_finds_its_goal(client: FlaskClient) -> None:
    assert found(client, "Einzelhandel Kinder") == []
    assert found(client, "1.7")[0]["iri"] == f"{PROGRAMME}/ziel/1/handlungsziel/7"


def test_parts_of_compounds_match(client: FlaskClient) -> None:
    iris = {h["iri"] for h in found(client, "sozialarbeit")}
    assert f"{PROGRAMME}/ziel/1/handlungsziel/6" in iris  # „Schulsozialarbeit“


def test_the_page_links_each_hit_and_marks_the_match(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "Schulsozialarbeit"}, headers=BROWSER)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="{BASE}doc/kommune/05974040/programm/zukunftsprogramm/ziel/1/handlungsziel/6"' in html
    english = client.get("/search", query_string={"q": "school social work", "lang": "en"}, headers=BROWSER)
    assert '<a href="' in english.get_data(as_text=True)
    assert "Secure and expand school social work" in english.get_data(as_text=True)  # the label in English


def test_markup_in_the_query_is_text(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "<script>alert(1)</script>"}, headers=BROWSER).get_data(
        as_text=True
    )
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_empty_long_and_unknown(client: FlaskClient) -> None:
    assert client.get("/search", headers=BROWSER).status_code == 200  # the form alone
    assert found(client, "   ") == []
    assert found(client, "Quantenchromodynamik") == []
    assert client.get("/search", query_string={"q": "x" * 201}).status_code == 400


def test_folding() -> None:
    assert fold("Ältere Straße") == "altere strasse"
    assert fold("Schülerinnen") == "schulerinnen"


def test_the_match_is_marked_where_folding_changes_the_length(client: FlaskClient) -> None:
    hit = next(h for h in found(client, "Partnern", lang="en") if h["snippet"])
    snippet = hit["snippet"]
    assert snippet["match"] == "Partnern" and snippet["before"].endswith("außerschulischen ")  # type: ignore[index]
