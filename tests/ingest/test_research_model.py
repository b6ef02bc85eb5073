"""What researchers compare (issue 16): the canned queries over the running app with the fictitious programmes
loaded answer as the test programmes' sheets (tests/programmes/*/facts.csv) say, and Soest gains nothing."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from flask.testing import FlaskClient

from tests.support.project import BASE, PROGRAMME, ROOT

PROGRAMMES = ROOT / "tests" / "programmes"
PROBSTADT = f"{BASE}id/kommune/99300003/programm/nachhaltigkeitsstrategie"
FIKTIVDORF = f"{BASE}id/kommune/99400004/programm/entwicklungskonzept"
FOLDERS = {PROBSTADT: "probstadt-2021", FIKTIVDORF: "fiktivdorf-2022"}
STATUS_LABELS = {
    "planned": "geplant",
    "under way": "in Umsetzung",
    "reached": "erreicht",
    "partly reached": "teilweise erreicht",
    "postponed": "zurückgestellt",
    "dropped": "aufgegeben",
}


def facts(folder: str, kind: str) -> list[dict[str, str]]:
    path = PROGRAMMES / folder / "facts.csv"
    return [row for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))) if row["kind"] == kind]


def goal_iri(programme: str, notation: str) -> str:
    """The IRI the spreadsheet route gives a goal (docs/model.md); levels as the sheet's `level` column says."""
    sheet = PROGRAMMES / FOLDERS[programme] / "source.csv"
    rows = {row["notation"]: row for row in csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8")))}
    level = rows[notation]["level"]
    parts = notation.split(".")
    if level == "Strategisches Ziel":
        return f"{programme}/ziel/{notation}"
    if level in ("Handlungsziel", "Leistungsziel"):
        return f"{programme}/ziel/{parts[0]}/handlungsziel/{parts[1]}"
    return f"{goal_iri(programme, rows[notation]['parent'])}/massnahme/{parts[-1]}"


def rows(client: FlaskClient, name: str, **arguments: str) -> list[dict[str, str]]:
    response = client.get(f"/queries/{name}", query_string={**arguments, "format": "csv"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_indicators_and_targets_by_sdg_across_towns(many_client: FlaskClient) -> None:
    table = rows(many_client, "indikatoren-nach-sdg")
    got = {(r["town"], r["label"]): (r["sdg"], r["targetValue"], r["targetDate"], r["direction"]) for r in table}
    mapped = {  # the SDG of each goal the alignments map (tests/programmes/*/alignment.ttl)
        (PROBSTADT, "1.1"): "11",
        (PROBSTADT, "2.1"): "4",
        (FIKTIVDORF, "1"): "11",
    }
    expected = {}
    for programme, folder in FOLDERS.items():
        targets = {t["key"]: t for t in facts(folder, "target")}
        for indicator in facts(folder, "indicator"):
            sdg = mapped.get((programme, indicator["goal"]))
            if sdg is None:
                continue
            target = targets[indicator["key"]]
            town = programme.split("/programm/")[0]
            expected[(town, indicator["text"])] = (
                f"http://metadata.un.org/sdg/{sdg}",
                target["value"],
                target["date"],
                f"https://w3id.org/kzs/def#{target['text']}",
            )
    assert got == expected
    assert len({r["town"] for r in table}) == 2  # across towns
    assert {r["unit"] for r in table if r["label"].startswith("Anteil des Radverkehrs")} == {"%"}


def test_goals_by_status_at_each_towns_latest_review(many_client: FlaskClient) -> None:
    table = rows(many_client, "ziele-nach-stand")
    got = {(r["programme"], r["notation"]): (r["date"], r["statusLabel"]) for r in table}
    expected = {}
    for programme, folder in FOLDERS.items():
        latest = max(facts(folder, "review"), key=lambda r: r["date"])
        for status in facts(folder, "status"):
            if status["key"] == latest["key"]:
                expected[(programme, status["goal"])] = (latest["date"], STATUS_LABELS[status["text"]])
    assert got == expected
    reached = rows(many_client, "ziele-nach-stand", status="https://w3id.org/kzs/def#reached")
    assert {(r["programme"], r["notation"]) for r in reached} == {(PROBSTADT, "2.1"), (FIKTIVDORF, "1.1")}
    assert not [r for r in table if r["programme"] == PROGRAMME]  # Soest: its text records no review outcome


def test_the_history_of_a_goals_status(many_client: FlaskClient) -> None:
    goal = goal_iri(PROBSTADT, "1.2")
    table = rows(many_client, "stand-eines-ziels", goal=goal)
    reviews = {r["key"]: r for r in facts("probstadt-2021", "review")}
    expected = sorted(
        (reviews[s["key"]]["date"], STATUS_LABELS[s["text"]], reviews[s["key"]]["link"])
        for s in facts("probstadt-2021", "status")
        if s["goal"] == "1.2"
    )
    assert [(r["date"], r["statusLabel"], r["report"]) for r in table] == expected
    assert [r["statusLabel"] for r in table] == ["geplant", "zurückgestellt"]


def test_annual_priorities_per_year(many_client: FlaskClient) -> None:
    for year in ("2022", "2023"):
        table = rows(many_client, "jahresschwerpunkte-je-jahr", year=year)
        expected = {(programme, p["goal"]) for programme, folder in FOLDERS.items() for p in facts(folder, "priority")}
        expected = {
            (programme, goal)
            for programme, goal in expected
            if any(p["date"] == year and p["goal"] == goal for p in facts(FOLDERS[programme], "priority"))
        }
        assert {(r["programme"], r["notation"]) for r in table} == expected, year
    assert rows(many_client, "jahresschwerpunkte-je-jahr", year="2009") == []  # Soest's priorities are undated
    every_year = rows(many_client, "jahresschwerpunkte-je-jahr", year="")
    assert {r["date"] for r in every_year} == {"2022", "2023"}


def test_budget_by_product_area_behind_a_towns_goals(many_client: FlaskClient) -> None:
    table = rows(many_client, "haushalt-nach-produktbereich", programme=PROBSTADT)
    got = {(r["year"], r["areaNotation"]): Decimal(r["amount"]) for r in table}
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for budget in facts("probstadt-2021", "budget"):
        expected[(budget["date"], budget["text"][:2])] += Decimal(budget["value"])
    assert got == dict(expected)
    assert {r["areaLabel"] for r in table if r["areaNotation"] == "06"} == {"Kinder-, Jugend- und Familienhilfe"}
    assert rows(many_client, "haushalt-nach-produktbereich", programme=PROGRAMME) == []


def test_a_programmes_timeline(many_client: FlaskClient) -> None:
    table = rows(many_client, "zeitleiste", programme=PROBSTADT)
    events = [(r["date"], r["event"]) for r in table]
    decision = facts("probstadt-2021", "decision")[0]
    assert (decision["date"], "Beschluss") in events
    assert (decision["date"], "Fassung") in events  # adopted on the day of the decision
    assert ("2021-01-01", "Inkrafttreten") in events
    assert [d for d, e in events if e == "Überprüfung"] == sorted(r["date"] for r in facts("probstadt-2021", "review"))
    assert [d for d, e in events if e == "Jahresschwerpunkte"] == ["2022", "2023"]
    assert [d for d, _ in events] == sorted(d for d, _ in events)
    label = next(r["label"] for r in table if r["event"] == "Beschluss")
    assert label == f"{decision['text']}, {decision['value']}"


def test_soests_timeline_stays_undated(client: FlaskClient) -> None:
    table = rows(client, "zeitleiste", programme=PROGRAMME)
    assert {r["event"] for r in table} == {"Fassung", "Beschluss", "Jahresschwerpunkte"}
    assert {r["date"] for r in table} == {""}  # the text dates neither the decision nor the priorities


def test_the_same_answers_over_the_sparql_protocol(many_client: FlaskClient) -> None:
    text = (ROOT / "service" / "queries" / "ziele-nach-stand.rq").read_text(encoding="utf-8")
    response = many_client.post(
        "/sparql",
        data={"query": text},
        headers={"Accept": "text/csv"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    over_protocol = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["notation"] for r in over_protocol} == {r["notation"] for r in rows(many_client, "ziele-nach-stand")}


def test_a_measure_directly_under_a_strategic_goal_keeps_the_towns_level_name(many_client: FlaskClient) -> None:
    measure = goal_iri(FIKTIVDORF, "1.1")
    assert measure == f"{FIKTIVDORF}/ziel/1/massnahme/1"
    page = many_client.get(
        measure.removeprefix(BASE.rstrip("/")), headers={"Accept": "text/html"}, follow_redirects=True
    )
    assert page.status_code == 200
    assert "Schlüsselprojekt" in page.get_data(as_text=True)
    query = f"""PREFIX kzs: <https://w3id.org/kzs/def#>
        SELECT ?name WHERE {{ <{FIKTIVDORF}/ziel/1> kzs:hasMeasure <{measure}> . <{measure}> kzs:levelName ?name }}"""
    response = many_client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert response.get_data(as_text=True).splitlines()[1:] == ["Schlüsselprojekt"]


def test_the_test_programmes_are_fictitious(many_programmes: Path) -> None:
    for folder in FOLDERS.values():
        settings = (PROGRAMMES / folder / "import.toml").read_text(encoding="utf-8")
        assert 'ags = "99' in settings and "fiktiv" in settings.lower()


def test_a_goals_page_charts_its_indicators_with_a_computed_reading(many_client: FlaskClient) -> None:
    def page(notation: str) -> str:
        iri = goal_iri(PROBSTADT, notation).removeprefix(BASE.rstrip("/"))
        response = many_client.get(iri, headers={"Accept": "text/html"}, follow_redirects=True)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    # Cycling: baseline 12 % (2019), target 25 % (2030); the line gives 16.7 % for 2023, observed 17 %: on track.
    cycling = page("1.1")
    assert '<section class="indicators"' in cycling and "<svg" in cycling
    assert "berechnete Einschätzung: auf Kurs" in cycling and "Regel: Die Gerade" in cycling
    assert cycling.count('class="observed"') >= 3 and 'class="target"' in cycling
    # CO2: 8.4 t (2019) to 4 t (2030); the line gives 7.2 t for 2022, observed 7.9 t: not on track.
    assert "berechnete Einschätzung: nicht auf Kurs" in page("1")
    soest = many_client.get(PROGRAMME.removeprefix(BASE.rstrip("/")) + "/ziel/1", follow_redirects=True)
    assert '<section class="indicators"' not in soest.get_data(as_text=True)  # Soest's text names no indicator


def test_the_towns_level_name_is_in_the_csv_dump(many_client: FlaskClient) -> None:
    response = many_client.get("/data/fiktivdorf-2022/fiktivdorf-2022.csv")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    # The key projects directly under strategic goals stand in the action goals' place (a skipped level).
    assert {(r["notation"], r["ebene"], r["strategisches_ziel_notation"]) for r in table} == {
        ("1.1", "Schlüsselprojekt", "1"),
        ("1.2", "Schlüsselprojekt", "1"),
        ("2.1", "Leistungsziel", "2"),
    }
    soest = many_client.get("/data/soest-2009/soest-2009.csv")
    assert {r["ebene"] for r in csv.DictReader(io.StringIO(soest.get_data(as_text=True)))} == {""}  # text route
