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


def notations(hits: list[dict[str, object]]) -> list[object]:
    return [h["notation"] for h in hits if h["kind"] == "goals"]


def test_a_word_finds_its_inflections_and_the_compounds_it_starts(client: FlaskClient) -> None:
    found_goals = notations(found(client, "schule"))
    # „Schulsozialarbeit“, „schulpsychologischen Dienste“, „Schulraum“ and „Schulen“: one stem, schul-
    assert {"1.6", "1.7", "2.3", "2.2"} <= set(found_goals)
    assert set(notations(found(client, "Schulen"))) >= {"1.6", "1.7", "2.3"}


def test_goals_rank_above_concepts_that_match_as_well(client: FlaskClient) -> None:
    hits = found(client, "Kinder")
    kinds = [h["kind"] for h in hits]
    assert kinds[0] == "goals"
    assert kinds.index("concepts") > kinds.index("goals")
    first_concept = kinds.index("concepts")
    assert f"{PROGRAMME}/ziel/1" in [h["iri"] for h in hits[:first_concept]]  # strategic goal 1, before any concept


def test_hits_carry_their_notation_and_the_page_shows_it(client: FlaskClient) -> None:
    hit = next(h for h in found(client, "Schulsozialarbeit") if h["iri"] == f"{PROGRAMME}/ziel/1/handlungsziel/6")
    assert hit["notation"] == "1.6" and hit["kinds"] == ["Handlungsziel"]
    html = client.get("/search", query_string={"q": "Schulsozialarbeit"}, headers=BROWSER).get_data(as_text=True)
    assert 'Handlungsziel <span class="notation">1.6</span>' in html


def test_a_misspelling_gets_the_datas_spelling_and_its_hits(client: FlaskClient) -> None:
    for typed, meant in (("Schulsozialarbiet", "Schulsozialarbeit"), ("Allerheiligenkirmess", "Allerheiligenkirmes")):
        answer = client.get("/search", query_string={"q": typed, "format": "json"}).get_json()
        assert answer["total"] == 0 and answer["suggestion"] == meant, typed
        html = client.get("/search", query_string={"q": typed}, headers=BROWSER).get_data(as_text=True)
        assert f'Meinten Sie <a href="{BASE}search?q={meant}" rel="nofollow"><strong>{meant}</strong></a>?' in html
    english = client.get("/search", query_string={"q": "Allerheiligenkirmess", "lang": "en"}, headers=BROWSER)
    assert "Did you mean" in english.get_data(as_text=True)
    assert f"{PROGRAMME.replace('/id/', '/doc/')}/ziel/5/handlungsziel/6" in english.get_data(as_text=True)
    assert (
        client.get("/search", query_string={"q": "Quantenchromodynamik", "format": "json"}).get_json()["suggestion"]
        is None
    )  # nothing close: no suggestion


def test_the_page_without_hits_says_where_else_to_look(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "Quantenchromodynamik"}, headers=BROWSER).get_data(as_text=True)
    assert "Keine Treffer für „Quantenchromodynamik“." in html
    assert f'href="{BASE}queries/volltextsuche?word=Quantenchromodynamik"' in html  # the SPARQL full-text query
    assert f'href="{BASE}def/"' in html and "Meinten Sie" not in html


def test_filters_by_kind_and_programme(client: FlaskClient) -> None:
    everything = client.get("/search", query_string={"q": "Kinder", "format": "json"}).get_json()
    goals = found(client, "Kinder", kind="goals")
    concepts = found(client, "Kinder", kind="concepts")
    assert goals and {h["kind"] for h in goals} == {"goals"}
    assert concepts and {h["kind"] for h in concepts} == {"concepts"}
    assert everything["kinds"]["goals"] == len(goals) and everything["kinds"]["concepts"] == len(concepts)
    in_soest = found(client, "Kinder", programme=PROGRAMME)
    assert in_soest and {h["programme"] for h in in_soest} == {PROGRAMME}
    assert everything["programmes"] == {PROGRAMME: len(in_soest)}
    html = client.get("/search", query_string={"q": "Kinder"}, headers=BROWSER).get_data(as_text=True)
    assert f'href="{BASE}search?q=Kinder&amp;kind=goals">Ziele <span class="count">({len(goals)})</span>' in html
    assert client.get("/search", query_string={"q": "Kinder", "kind": "owl:Axiom"}).status_code == 400
    assert client.get("/search", query_string={"q": "Kinder", "programme": BASE + "nirgends"}).status_code == 400
    assert client.get("/search", query_string={"q": "Kinder", "programme": OLDER}).status_code == 400  # no programme


def test_snippets_in_the_pages_language_where_one_matched(client: FlaskClient) -> None:
    german = [h["snippet"] for h in found(client, "Kinder") if h["snippet"]]
    assert german and all(s["lang"] in ("de", "") for s in german)  # type: ignore[index]
    english = [h for h in found(client, "children", lang="en") if h["snippet"]]
    assert english and all(h["snippet"]["lang"] == "en" for h in english)  # type: ignore[index]
    # Where only the other language matched, its text is shown and marked as such.
    html = client.get("/search", query_string={"q": "children"}, headers=BROWSER).get_data(as_text=True)
    assert '<span class="snippet" lang="en">' in html and "(nur auf Englisch)" in html


def test_sdg_mappings_are_named_not_shown_as_axioms(client: FlaskClient) -> None:
    hits = found(client, "Zugang älterer Menschen")
    mapping = next(h for h in hits if h["kind"] == "sdg")
    assert mapping["label"] == "SDG-Zuordnung: Übergreifendes Ziel Ü2 → SDG 11.7"
    assert mapping["kinds"] == ["SDG-Zuordnung (redaktionell)"]  # an editorial reading, marked as such
    for query in ("Kinder", "Bildung", "SDG", "Ziel"):
        for h in found(client, query):
            assert "owl:Axiom" not in h["kinds"] and not str(h["label"]).startswith("http"), (query, h["label"])


def test_goals_and_sdgs_are_found_by_what_people_call_them(client: FlaskClient) -> None:
    assert found(client, "Ziel 2")[0]["iri"] == f"{PROGRAMME}/ziel/2"
    assert found(client, "Handlungsziel 1.6")[0]["iri"] == f"{PROGRAMME}/ziel/1/handlungsziel/6"
    assert found(client, "action goal 1.6", lang="en")[0]["iri"] == f"{PROGRAMME}/ziel/1/handlungsziel/6"
    first = found(client, "SDG 4")[0]
    assert (first["iri"], first["kinds"], first["notation"]) == ("http://metadata.un.org/sdg/4", ["SDG-Ziel"], "4")
    shown = ["".join(h["snippet"].values()) for h in found(client, "Ziel 2") if h["snippet"]]  # type: ignore[attr-defined]
    assert not {"Ziel 2de", "Strategisches Ziel 2de", "Goal 2en"} & set(shown)  # designations are never shown


def test_with_several_programmes_the_page_offers_each_with_its_count(many_client: FlaskClient) -> None:
    answer = many_client.get("/search", query_string={"q": "Ziel 1", "format": "json"}).get_json()
    assert len(answer["programmes"]) >= 2
    chosen = sorted(answer["programmes"])[-1]
    within = found(many_client, "Ziel 1", programme=chosen)
    assert len(within) == min(answer["programmes"][chosen], 50) and {h["programme"] for h in within} == {chosen}
    html = many_client.get("/search", query_string={"q": "Ziel 1"}, headers=BROWSER).get_data(as_text=True)
    assert (
        '<nav aria-label="Programm">' in html and f"programme={chosen.replace(':', '%3A').replace('/', '%2F')}" in html
    )
