"""Soest's interpretation layer after its review (#17): one test per corrected class of statement, and the
canned query that lists everything the editors added in all three ways it is recorded."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from service.ingest.text_import import ProgrammeImportError, import_programme
from tests.support.project import BASE, PROGRAMME, ROOT, rows, sparql_rows

GROUP = BASE + "id/konzept/zielgruppe/"
PREFIXES = """
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX cv:   <http://data.europa.eu/m8g/>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX kzs:  <https://w3id.org/kzs/def#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


def goal(notation: str) -> str:
    strategic, _, action = notation.partition(".")
    return f"{PROGRAMME}/ziel/{strategic}" + (f"/handlungsziel/{action}" if action else "")


def audiences(client: FlaskClient, subject: str) -> set[str]:
    table = sparql_rows(client, PREFIXES + f"SELECT ?group WHERE {{ <{subject}> dct:audience ?group }}")
    return {str(row["group"]).removeprefix(GROUP) for row in table}


def test_every_overarching_goal_has_an_audience_or_an_explicit_none_applies(client: FlaskClient) -> None:
    for number in range(1, 7):
        subject = f"{PROGRAMME}/uebergreifendes-ziel/{number}"
        notes = sparql_rows(
            client,
            PREFIXES
            + f"""SELECT ?note WHERE {{ <{subject}> skos:editorialNote ?note
                           FILTER (STRSTARTS(STR(?note), "No target group applies:")) }}""",
        )
        assert bool(audiences(client, subject)) != bool(notes), number
    assert audiences(client, f"{PROGRAMME}/uebergreifendes-ziel/2") == {"aeltere-menschen"}
    assert audiences(client, f"{PROGRAMME}/uebergreifendes-ziel/1") == {"kinder-und-jugendliche"}
    assert {"kinder-und-jugendliche", "aeltere-menschen"} <= audiences(client, f"{PROGRAMME}/uebergreifendes-ziel/5")


def test_no_link_rests_on_filler(client: FlaskClient) -> None:
    filler = sparql_rows(
        client,
        PREFIXES
        + """SELECT ?statement WHERE { ?statement a rdf:Statement ; rdfs:comment ?comment
                      FILTER (CONTAINS(LCASE(STR(?comment)), "so that the goal has an audience")) }""",
    )
    assert filler == []
    assert "schuelerinnen-und-schueler" not in audiences(client, goal("2.7"))


def test_overreaching_and_weak_target_groups_are_withdrawn_with_a_reason(client: FlaskClient) -> None:
    withdrawn = {
        "2.7": "schuelerinnen-und-schueler",
        "6.7": "aeltere-menschen",
        "1.3": "auslaendische-mitbuerger",
        "1.8": "kinder-und-jugendliche-aus-arbeitslosen-familien",
        "3.4": "besucher-und-touristen",
        "5.2": "neubuergerinnen-und-neubuerger",
        "1.5": "kinder-und-jugendliche-mit-einem-elternteil",
    }
    for notation, group in withdrawn.items():
        assert group not in audiences(client, goal(notation)), notation
        notes = sparql_rows(
            client,
            PREFIXES
            + f"""SELECT ?de ?en WHERE {{ <{goal(notation)}> skos:editorialNote ?de , ?en
                FILTER (LANG(?de) = "de" && LANG(?en) = "en"
                        && STRSTARTS(?de, "Entfernt:") && STRSTARTS(?en, "Withdrawn:")) }}""",
        )
        assert notes, notation


def test_missing_target_groups_are_added(client: FlaskClient) -> None:
    assert "kinder-und-jugendliche" in audiences(client, goal("1.3"))
    assert "familien-und-lebensgemeinschaften" in audiences(client, goal("2"))


def test_older_people_are_reached_by_the_overarching_goals_not_by_the_weak_reading(client: FlaskClient) -> None:
    table = sparql_rows(
        client, PREFIXES + f"SELECT ?goal WHERE {{ ?goal dct:audience <{GROUP}aeltere-menschen> }} ORDER BY ?goal"
    )
    goals = {str(row["goal"]).removeprefix(PROGRAMME + "/") for row in table}
    assert goals == {"handlungsfeld/soziales", "uebergreifendes-ziel/2", "uebergreifendes-ziel/5"}


def test_actor_types_are_not_replaced_by_guessed_institutions(client: FlaskClient) -> None:
    review = f"{PROGRAMME}/beteiligung/programm-ueberprueft-politik"
    (row,) = sparql_rows(client, PREFIXES + f"SELECT ?who WHERE {{ <{review}> cv:hasParticipant ?who }}")
    assert str(row["who"]) == BASE + "id/konzept/akteurstyp/politik"
    partners = sparql_rows(client, PREFIXES + f"SELECT ?who WHERE {{ <{goal('4.2')}> kzs:partner ?who }}")
    assert BASE + "id/kommune/05974040" in {str(r["who"]) for r in partners}
    assert BASE + "id/konzept/akteurstyp/kommune" not in {str(r["who"]) for r in partners}


def test_responsibility_only_where_the_text_states_it(client: FlaskClient) -> None:
    table = sparql_rows(client, PREFIXES + "SELECT ?goal ?body WHERE { ?goal kzs:responsibleBody ?body }")
    assert {(str(r["goal"]), str(r["body"])) for r in table} == {(goal("2.6"), BASE + "id/kommune/05974040")}
    # 1.7 keeps the footnote's role, "originally responsible", and nothing more.
    (row,) = rows(client, "aufgaben-des-kreises")
    assert row["notation"] == "1.7" and row["responsible_label"] == "Kreis Soest"


def test_missing_participants_are_added(client: FlaskClient) -> None:
    def partners(notation: str) -> set[str]:
        table = sparql_rows(client, PREFIXES + f"SELECT ?who WHERE {{ <{goal(notation)}> kzs:partner ?who }}")
        return {str(r["who"]).removeprefix(BASE) for r in table}

    assert {"id/konzept/akteurstyp/schulen", "id/konzept/akteurstyp/ausserschulische-partner"} <= partners("2.5")
    assert "id/kommune/05974040" in partners("6.7")
    assert "id/konzept/akteurstyp/eltern" in partners("1.3")


def test_the_contact_posts_unit_is_an_interpretation(client: FlaskClient) -> None:
    post = BASE + "id/kommune/05974040/stelle/projektleitung-kompass"
    (row,) = sparql_rows(
        client,
        PREFIXES
        + f"""SELECT ?basis WHERE {{ ?s a rdf:Statement ; rdf:subject <{post}> ;
                       rdf:predicate <http://www.w3.org/ns/org#postIn> ; kzs:basis ?basis }}""",
    )
    assert str(row["basis"]).endswith("#interpreted")


def test_curation_is_attributed_to_the_editors_with_the_method_and_a_review_state(client: FlaskClient) -> None:
    agents = sparql_rows(client, PREFIXES + "SELECT DISTINCT ?agent WHERE { ?activity prov:wasAssociatedWith ?agent }")
    names = {str(r["agent"]).removeprefix(BASE) for r in agents}
    assert "id/agent/kzs-redaktion" in names
    assert not any("claude" in name for name in names)
    table = sparql_rows(
        client,
        PREFIXES
        + f"""SELECT ?status ?method WHERE {{ <{PROGRAMME}/kuratierung/1> adms:status ?status ;
                         prov:qualifiedAssociation/prov:hadPlan ?plan .
                       ?plan rdfs:label ?method FILTER (LANG(?method) = "en") }}""",
    )
    assert [(str(r["status"]), str(r["method"])) for r in table] == [
        ("http://purl.org/adms/status/UnderDevelopment", "Machine-assisted draft, not yet reviewed")
    ]


def test_sdg_confidences_follow_the_methods_calibration(client: FlaskClient) -> None:
    table = sparql_rows(
        client,
        PREFIXES + """SELECT ?record ?confidence WHERE { ?record a owl:Axiom ; sssom:confidence ?confidence }""",
    )
    confidence = {str(r["record"]).rsplit("/", 1)[-1]: float(str(r["confidence"])) for r in table}
    for record in ("6.3-17.17", "6.7-17.17", "6.2-16.6", "6.2-16.7", "5.6-11.4"):
        assert confidence[record] == 0.3, record


def test_overarching_goals_are_mapped_so_climate_and_crime_show(client: FlaskClient) -> None:
    table = sparql_rows(client, PREFIXES + "SELECT ?goal ?target WHERE { ?goal kzs:contributesTo ?target }")
    pairs = {(str(r["goal"]).removeprefix(PROGRAMME + "/"), str(r["target"]).rsplit("/", 1)[-1]) for r in table}
    assert ("uebergreifendes-ziel/6", "13.2") in pairs
    assert ("uebergreifendes-ziel/3", "16.1") in pairs


def test_the_translation_no_longer_adds_what_the_german_does_not_say(client: FlaskClient) -> None:
    for notation in ("4.5", "4.7"):
        (row,) = sparql_rows(
            client, PREFIXES + f'SELECT ?l WHERE {{ <{goal(notation)}> skos:prefLabel ?l FILTER (LANG(?l) = "en") }}'
        )
        assert "business" not in str(row["l"]).lower(), notation
    labels = sparql_rows(
        client,
        PREFIXES
        + f'SELECT ?l WHERE {{ <{GROUP}auslaendische-mitbuerger> skos:prefLabel ?l FILTER (LANG(?l) = "en") }}',
    )
    assert [str(r["l"]) for r in labels] == ["Foreign residents"]


def test_the_editors_additions_in_all_three_ways(client: FlaskClient) -> None:
    table = rows(client, "kuratierte-aussagen")
    kinds = {row["kind"] for row in table}
    assert kinds == {"statement", "resource", "mapping"}
    mappings = [row for row in table if row["kind"] == "mapping"]
    assert len(mappings) == 76
    assert all(row["basis"].endswith("#interpreted") for row in mappings)
    assert any(row["notation"] == "2.6" and row["property"].endswith("#responsibleBody") for row in table)
    resources = {row["subject"] for row in table if row["kind"] == "resource"}
    assert BASE + "id/kommune/05974040/stelle/projektleitung-kompass" in resources
    assert all(row["status"] == "http://purl.org/adms/status/UnderDevelopment" for row in table)


def test_target_group_counts_say_what_is_stated_and_what_is_curated(client: FlaskClient) -> None:
    table = rows(client, "zielgruppen-haeufigkeit")
    children = next(row for row in table if row["group"] == GROUP + "kinder-und-jugendliche")
    assert int(children["action_goals"]) == 8
    assert (int(children["stated"]), int(children["curated"])) == (0, 8)  # every action goal's audience is curated
    assert all(int(row["stated"]) + int(row["curated"]) >= int(row["action_goals"]) for row in table)


def test_text_only_counts_what_the_text_states_alone(client: FlaskClient) -> None:
    table = rows(client, "zielgruppen-haeufigkeit", text_only="ja")
    assert table and all(row["action_goals"] == "0" for row in table)  # the text links no action goal to a group
    assert rows(client, "sdg-ziele-nach-programm", text_only="ja") == []  # the 2009 text names no SDG
    everything = rows(client, "sdg-ziele-nach-programm")
    assert everything and all(row["stated"] == "0" and row["curated"] == row["actionGoals"] for row in everything)


def test_the_comparison_marks_curated_counts_and_text_only_drops_them(client: FlaskClient) -> None:
    page = client.get("/vergleich").get_data(as_text=True)
    counted = [int(n) for n in re.findall(r'data-count="(\d+)"', page)]
    assert sum(counted) > 0 and page.count('class="curated"') == sum(1 for n in counted if n)
    text_only = client.get("/vergleich", query_string={"nur-text": "1"}).get_data(as_text=True)
    assert 'class="curated"' not in text_only
    assert set(re.findall(r'data-count="(\d+)"', text_only)) == {"0"}  # neither groups nor SDGs are in the text
    english = client.get("/en/comparison", query_string={"text-only": "1"})
    assert english.status_code == 200 and "Only what the text itself says" in english.get_data(as_text=True)


def test_sdg_links_on_goal_pages_carry_the_curated_badge(client: FlaskClient) -> None:
    page = client.get(
        "/doc/kommune/05974040/programm/zukunftsprogramm/ziel/6/handlungsziel/3", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    link = page.index('href="http://metadata.un.org/sdg/17.17"')
    badge = page.index('<details class="curation">', link)
    assert badge < page.index("</dd>", link)  # the badge belongs to the SDG link, not to a later row
    assert "nicht wörtlich im Quelltext" not in page  # the badge no longer says that of explicit links


def test_the_review_and_the_workshop_cite_their_sentence_not_the_foreword(client: FlaskClient) -> None:
    table = sparql_rows(
        client,
        PREFIXES
        + f"""PREFIX oa: <http://www.w3.org/ns/oa#>
            SELECT ?passage ?exact WHERE {{
              {{ <{PROGRAMME}/beteiligung/programm-ueberprueft-politik> prov:wasDerivedFrom ?passage }}
              UNION {{ <{PROGRAMME}/strategie-workshop> prov:wasDerivedFrom ?passage }}
              ?passage oa:hasSelector/oa:exact ?exact }}""",
    )
    assert {str(row["exact"]) for row in table} == {
        "Das Zukunftsprogramm wird jährlich im Strategie-Workshop von Politik und Verwaltung überprüft.",
        "Dabei erfolgt auch die Diskussion der Handlungsschwerpunkte für das Folgejahr.",
    }


def test_a_claim_sentence_that_is_not_in_the_text_is_a_clear_import_error(tmp_path: Path) -> None:
    folder = tmp_path / "soest-2009"
    shutil.copytree(ROOT / "data" / "soest-2009", folder)
    settings = folder / "import.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + 'nirgends = "Dieser Satz steht nicht im Text."\n')
    with pytest.raises(ProgrammeImportError, match="'nirgends': the sentence is not found in the text"):
        import_programme(folder, Graph().parse(ROOT / "ontology" / "konzepte.ttl"))


def test_the_lists_behind_the_comparison_mark_what_is_curated(client: FlaskClient) -> None:
    def listed(args: dict[str, str]) -> str:
        response = client.get("/vergleich/liste", query_string=args)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    programme = "kommune/05974040/programm/zukunftsprogramm"
    families = listed({"programm": programme, "zielgruppe": "familien-und-lebensgemeinschaften"})
    goals = re.findall(r'<tr data-goal="([^"]+)"( data-curated="1")?>', families)
    assert goals and all(curated for _, curated in goals)  # no action goal's audience is stated by the text
    assert families.count('<abbr class="curated"') == len(goals)
    text_only = listed({"programm": programme, "zielgruppe": "familien-und-lebensgemeinschaften", "nur-text": "1"})
    assert "<tr data-goal=" not in text_only and "Nur was der Text selbst sagt" in text_only
    sdg = listed({"programm": programme, "sdg": "4"})
    assert sdg.count('data-curated="1"') == sdg.count("<tr data-goal=") > 0  # every SDG mapping is curated
    rows_of_query = rows(client, "handlungsziele-nach-zielgruppe", group=GROUP + "familien-und-lebensgemeinschaften")
    assert rows_of_query and all(r["basis"].endswith(("#explicit", "#interpreted")) for r in rows_of_query)
    assert rows(client, "handlungsziele-nach-zielgruppe", group=GROUP + "familien-und-lebensgemeinschaften",
                text_only="ja") == []  # fmt: skip


def test_the_overview_matrix_marks_curated_counts(client: FlaskClient) -> None:
    page = client.get(PROGRAMME.removeprefix(BASE.rstrip("/")), headers={"Accept": "text/html"}, follow_redirects=True)
    svg = page.get_data(as_text=True)
    counts = re.findall(r'class="count">(\d+)</text>', svg)
    curated = re.findall(r'class="curated" data-curated="(\d+)"', svg)
    assert counts and len(curated) == len(counts)  # every action goal's audience is an editors' addition
    assert "die Zahl enthält Verknüpfungen, die die Redaktion ergänzt hat" in svg


def test_the_csv_dump_names_the_links_the_editors_added(client: FlaskClient) -> None:
    response = client.get("/data/soest-2009/soest-2009.csv")
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    with_groups = [r for r in table if r["zielgruppen"]]
    assert with_groups and all(r["zielgruppen_kuratiert"] == r["zielgruppen"] for r in with_groups)
    (responsible,) = [r for r in table if r["zustaendig"]]
    assert responsible["notation"] == "2.6" and responsible["zustaendig_kuratiert"] == responsible["zustaendig"]


def test_every_reason_the_editors_give_is_in_german_and_english(client: FlaskClient) -> None:
    table = sparql_rows(
        client,
        PREFIXES
        + """SELECT ?node (SUM(IF(LANG(?c) = "de", 1, 0)) AS ?de) (SUM(IF(LANG(?c) = "en", 1, 0)) AS ?en) WHERE {
               GRAPH <http://127.0.0.1:8000/graph/soest-2009/kuratierung> { ?node rdfs:comment ?c } }
             GROUP BY ?node""",
    )
    assert len(table) > 150
    missing = [r["node"] for r in table if int(str(r["de"])) != 1 or int(str(r["en"])) < 1]
    assert missing == []
    translated = sparql_rows(
        client,
        PREFIXES
        + """SELECT (COUNT(*) AS ?n) WHERE { ?node rdfs:comment ?c
                        FILTER (LANG(?c) = "de" && CONTAINS(?c, "(Übersetzung der Redaktion)")) }""",
    )
    assert int(str(translated[0]["n"])) > 100  # the editors' translations say so
