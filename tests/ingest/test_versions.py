"""Versions: a later revision of the Soest text keeps the IRIs of unchanged goals, mints new ones for reworded
and new goals with links to their predecessors, and the change page and `kzs diff` report the same."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Graph, Namespace
from rdflib.namespace import PROV, SKOS

from service.cli import main
from service.config import Config
from service.ingest.revisions import goals, match, revise
from service.ingest.text_import import DRAFT_BASE, ProgrammeImportError, import_programme, to_relative_turtle
from service.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SOEST = ROOT / "data" / "soest-2009"
BASE = "http://127.0.0.1:8000/"
P = Namespace(DRAFT_BASE + "id/kommune/05974040/programm/zukunftsprogramm/")
PAGE = "/vergleich/kommune/05974040/programm/zukunftsprogramm/aenderungen"

# The test revision: (what, replace this, with that). Two goals reworded, one added at the end of Ziel 4,
# the last goal of Ziel 3 removed, so no goal changes its number.
EARLY_TALENTS = "- Früherkennung von besonderen Begabungen verstärken"
LAND = "- Angebotsorientierte Gewerbeflächenpolitik betreiben"
LAST_OF_4 = "- Abwanderungen vermeiden\n"
LAST_OF_3 = (
    "- Die Leerstände durch ein weiter aufzubauendes Immobilienmanagement mit Eigentümern und "
    "Geschäftsleuten vermeiden\n"
)
REVISION = [
    ("reworded 1.2", EARLY_TALENTS, EARLY_TALENTS.replace("Früherkennung", "Früherkennung und Förderung")),
    ("reworded 4.4", LAND, LAND.replace("Angebotsorientierte", "Nachfrageorientierte")),
    ("added 4.8", LAST_OF_4, LAST_OF_4 + "- Breitbandversorgung der Gewerbegebiete ausbauen\n"),
    ("removed 3.5", LAST_OF_3, ""),
]
TOML = 'ags = "05974040"\nslug = "zukunftsprogramm"\nversion = "2012"\nlanguage = "de"\nrevises = "soest-2009"\n'


def revised_text(changes: list[tuple[str, str, str]]) -> str:
    text = (SOEST / "source.txt").read_text(encoding="utf-8")
    for what, old, new in changes:
        assert old in text, what
        text = text.replace(old, new, 1)
    return text


def revision_folder(data: Path, changes: list[tuple[str, str, str]]) -> Path:
    folder = data / "soest-2012"
    folder.mkdir()
    (folder / "source.txt").write_text(revised_text(changes), encoding="utf-8")
    (folder / "import.toml").write_text(TOML, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, concepts: Graph) -> Path:
    """Soest 2009 and its test revision of 2012, imported the way `kzs import` does."""
    project = tmp_path_factory.mktemp("versions")
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / name, project / name)
    folder = revision_folder(project / "data", REVISION)
    (folder / "programme.ttl").write_text(to_relative_turtle(import_programme(folder, concepts)), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def revision(project: Path) -> Graph:
    return Graph().parse(project / "data" / "soest-2012" / "programme.ttl", format="turtle", publicID=DRAFT_BASE)


@pytest.fixture(scope="module")
def client(project: Path) -> FlaskClient:
    return create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project})).test_client()


def test_unchanged_goals_keep_their_iris(revision: Graph) -> None:
    original = Graph().parse(SOEST / "programme.ttl", format="turtle", publicID=DRAFT_BASE)
    kept = set(goals(revision)) & set(goals(original))
    assert P["ziel/1/handlungsziel/1"] in kept and P["ziel/4/handlungsziel/7"] in kept and P["vision"] in kept
    assert len(kept) == len(goals(original)) - 3, "all but the two reworded goals and the removed one"
    for goal in kept:  # a kept goal is in the goal system of each version that states it
        assert set(revision.objects(goal, SKOS.inScheme)) == {P["zielsystem/2009"], P["zielsystem/2012"]}


def test_reworded_and_new_goals_get_new_iris_linked_to_their_predecessors(revision: Graph) -> None:
    reworded = P["fassung/2012/ziel/1/handlungsziel/2"]
    assert str(revision.value(reworded, SKOS.prefLabel)).startswith("Früherkennung und Förderung")
    assert revision.value(reworded, PROV.wasRevisionOf) == P["ziel/1/handlungsziel/2"]
    assert revision.value(P["fassung/2012/ziel/4/handlungsziel/4"], PROV.wasRevisionOf) == P["ziel/4/handlungsziel/4"]
    added = P["fassung/2012/ziel/4/handlungsziel/8"]
    assert str(revision.value(added, SKOS.notation)) == "4.8"
    assert revision.value(added, PROV.wasRevisionOf) is None
    assert (P["fassung/2012/de"], PROV.wasRevisionOf, P["fassung/2009/de"]) in revision
    assert (P["zielsystem/2012"], PROV.wasRevisionOf, P["zielsystem/2009"]) in revision
    assert (None, None, P["ziel/3/handlungsziel/5"]) not in revision and (
        P["ziel/3/handlungsziel/5"],
        None,
        None,
    ) not in revision


def counts(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'data-count="(\w+)">(\d+)<', html)}


class Entries(HTMLParser):
    """(section, data-* attributes) of the entries of a change page."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.section = values.get("id", "")
        elif {"data-goal", "data-before"} & set(values):
            self.found.append((self.section, values))


def test_the_change_page_shows_the_diff(client: FlaskClient) -> None:
    response = client.get(PAGE, headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert counts(html) == {"reworded": 2, "moved": 0, "added": 1, "removed": 1, "unchanged": 51}
    parser = Entries()
    parser.feed(html)
    by_section = {s: [v for t, v in parser.found if t == s] for s in ("reworded", "added", "removed")}
    programme = BASE + "id/kommune/05974040/programm/zukunftsprogramm/"
    assert {v["data-before"].removeprefix(programme) for v in by_section["reworded"]} == {
        "ziel/1/handlungsziel/2",
        "ziel/4/handlungsziel/4",
    }
    assert [v["data-goal"] for v in by_section["added"]] == [programme + "fassung/2012/ziel/4/handlungsziel/8"]
    assert [v["data-goal"] for v in by_section["removed"]] == [programme + "ziel/3/handlungsziel/5"]


def test_kzs_diff_prints_the_same(client: FlaskClient, project: Path) -> None:
    html = client.get(PAGE, headers={"Accept": "text/html"}).get_data(as_text=True)
    result = CliRunner().invoke(
        main,
        ["diff", str(project / "data" / "soest-2009"), str(project / "data" / "soest-2012")],
        env={"KZS_PROJECT_DIR": str(project), "KZS_BASE_URI": BASE},
    )
    assert result.exit_code == 0, result.output
    summary = result.output.splitlines()[0]
    assert summary.startswith("2009 → 2012:")
    printed = {name: int(n) for n, name in re.findall(r"(\d+) (\w+)", summary)}
    assert printed == counts(html)
    assert re.search(r"^~ 1\.2 .*\n\s+→ Früherkennung und Förderung", result.output, re.M)
    assert re.search(r"^\+ 4\.8  Breitbandversorgung der Gewerbegebiete ausbauen$", result.output, re.M)
    assert re.search(r"^- 3\.5  Die Leerstände", result.output, re.M)


def test_the_english_twin_and_bad_versions(client: FlaskClient) -> None:
    english = client.get(
        "/en/comparison/kommune/05974040/programm/zukunftsprogramm/changes?from=2009&to=2012",
        headers={"Accept": "text/html"},
    )
    assert english.status_code == 200 and 'lang="en"' in english.get_data(as_text=True)
    assert counts(english.get_data(as_text=True))["reworded"] == 2
    assert client.get(PAGE + "?von=2010", headers={"Accept": "text/html"}).status_code == 404
    assert client.get(PAGE + "?von=2012&zu=2012", headers={"Accept": "text/html"}).status_code == 400
    missing = "/vergleich/kommune/05974040/programm/gibt-es-nicht/aenderungen"
    assert client.get(missing, headers={"Accept": "text/html"}).status_code == 404


def test_a_renumbered_goal_is_moved_not_reworded(concepts: Graph, tmp_path: Path) -> None:
    """Removing 1.1 renumbers 1.2 … 1.8: same wording, new place, so new IRIs linked to their predecessors."""
    data = tmp_path / "data"
    shutil.copytree(SOEST, data / "soest-2009")
    first = "- Früherkennung von körperlichen und geistigen Defiziten verstärken\n"
    folder = revision_folder(data, [("removed 1.1", first, "")])
    graph = import_programme(folder, concepts)
    moved = P["fassung/2012/ziel/1/handlungsziel/1"]
    assert str(graph.value(moved, SKOS.notation)) == "1.1"
    assert graph.value(moved, PROV.wasRevisionOf) == P["ziel/1/handlungsziel/2"]
    assert (P["ziel/2/handlungsziel/1"], SKOS.inScheme, P["zielsystem/2009"]) in graph, "other goals are untouched"


def test_an_unchanged_text_keeps_every_iri() -> None:
    original = Graph().parse(SOEST / "programme.ttl", format="turtle", publicID=DRAFT_BASE)
    old = goals(original)
    programme = P[""].rstrip("/")
    decided = match(old, old, programme, "2012")
    assert decided.renamed == {} and decided.predecessors == {}, "a text that did not change keeps every IRI"


def test_a_revision_of_a_missing_version_is_an_error(concepts: Graph, tmp_path: Path) -> None:
    folder = revision_folder(tmp_path, [])
    with pytest.raises(ProgrammeImportError, match="revises 'soest-2009'"):
        import_programme(folder, concepts)


def test_revise_refuses_another_programme(concepts: Graph) -> None:
    original = Graph().parse(SOEST / "programme.ttl", format="turtle", publicID=DRAFT_BASE)
    with pytest.raises(ValueError, match="does not describe"):
        revise(Graph(), original, P["nicht-da"], "2012")


def test_a_revised_sheet_keeps_what_did_not_change(concepts: Graph, tmp_path: Path) -> None:
    """The spreadsheet route revises the same way: one action goal reworded, one measure added."""
    from service.ingest.csv_import import import_csv

    sheet = ROOT / "tests" / "programmes" / "musterhausen-2020"
    first = shutil.copytree(sheet, tmp_path / "musterhausen-2020")
    (first / "programme.ttl").write_text(to_relative_turtle(import_csv(first, concepts).graph), encoding="utf-8")
    later = shutil.copytree(sheet, tmp_path / "musterhausen-2024")
    text = (sheet / "source.csv").read_text(encoding="utf-8")
    text = text.replace("Gründerzentrum einrichten", "Gründerzentrum mit Coworking einrichten")
    text += "Maßnahme,1.2.2,1.2,Vorlesepaten gewinnen,,,Volkshochschule,\n"
    (later / "source.csv").write_text(text, encoding="utf-8")
    toml = (sheet / "import.toml").read_text(encoding="utf-8").replace('version = "2020"', 'version = "2024"')
    (later / "import.toml").write_text(toml + 'revises = "musterhausen-2020"\n', encoding="utf-8")
    graph = import_csv(later, concepts).graph
    m = Namespace(DRAFT_BASE + "id/kommune/99200002/programm/leitbild-2030/")
    assert (m["ziel/2/handlungsziel/2"], SKOS.inScheme, m["zielsystem/2020"]) in graph, "unchanged, kept"
    assert (m["ziel/1/handlungsziel/2/massnahme/1"], SKOS.inScheme, m["zielsystem/2020"]) in graph
    assert graph.value(m["fassung/2024/ziel/2/handlungsziel/1"], PROV.wasRevisionOf) == m["ziel/2/handlungsziel/1"]
    added = m["fassung/2024/ziel/1/handlungsziel/2/massnahme/2"]
    assert (added, SKOS.inScheme, m["zielsystem/2024"]) in graph and graph.value(added, PROV.wasRevisionOf) is None


def test_changes_across_a_version_between(concepts: Graph, tmp_path: Path) -> None:
    """2009 → 2012 rewords 1.2, 2015 rewords it again: from 2009 to 2015 it is one reworded goal."""
    data = tmp_path / "data"
    shutil.copytree(SOEST, data / "soest-2009")
    second = revision_folder(data, [REVISION[0]])
    (second / "programme.ttl").write_text(to_relative_turtle(import_programme(second, concepts)), encoding="utf-8")
    third = data / "soest-2015"
    third.mkdir()
    again = (
        EARLY_TALENTS.replace("Früherkennung", "Früherkennung und Förderung"),
        "- Früherkennung und Förderung von besonderen Begabungen ausbauen",
    )
    (third / "source.txt").write_text(revised_text([REVISION[0], ("reworded again", *again)]), encoding="utf-8")
    (third / "import.toml").write_text(
        TOML.replace("2012", "2015").replace("soest-2009", "soest-2012"), encoding="utf-8"
    )
    (third / "programme.ttl").write_text(to_relative_turtle(import_programme(third, concepts)), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(data / "soest-2009"), str(third)], env={"KZS_BASE_URI": BASE})
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2009 → 2015: 1 reworded, 0 moved, 0 added, 0 removed")
    assert "→ Früherkennung und Förderung von besonderen Begabungen ausbauen" in result.output
    backwards = CliRunner().invoke(main, ["diff", str(third), str(data / "soest-2009")], env={"KZS_BASE_URI": BASE})
    assert backwards.exit_code == 1 and "not earlier" in backwards.output


def test_the_comparison_page_links_to_the_changes(client: FlaskClient) -> None:
    html = client.get("/vergleich", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="{BASE}{PAGE.lstrip("/")}"' in html
    assert "2009, 2012" in html
