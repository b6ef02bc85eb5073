"""The spreadsheet route: a CSV with one row per goal becomes a programme that passes the shapes; every
problem names its row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS

from service.cli import main
from service.config import Config
from service.ingest.csv_import import check, import_csv
from service.ingest.sheets import CsvImportError, read_sheet
from service.ingest.text_import import DRAFT_BASE, ProgrammeImportError
from service.rdf.namespaces import KZS, OA
from tests.support.project import quotes

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "tests" / "programmes" / "musterhausen-2020"
P = Namespace(DRAFT_BASE + "id/kommune/99200002/programm/leitbild-2030/")
GROUP = Namespace(DRAFT_BASE + "id/konzept/zielgruppe/")
FIELD = Namespace(DRAFT_BASE + "id/konzept/handlungsfeld/")


@pytest.fixture(scope="module")
def graph(concepts: Graph) -> Graph:
    return import_csv(SHEET, concepts).graph


def sheet_folder(tmp_path: Path, csv: str | bytes, toml: str | None = None) -> Path:
    """A copy of the test sheet's folder with `csv` as its source.csv."""
    folder = tmp_path / "musterhausen-2020"
    shutil.copytree(SHEET, folder)
    if isinstance(csv, bytes):
        (folder / "source.csv").write_bytes(csv)
    else:
        (folder / "source.csv").write_text(csv, encoding="utf-8")
    if toml is not None:
        (folder / "import.toml").write_text(toml, encoding="utf-8")
    return folder


def test_levels_hierarchy_and_notations(graph: Graph) -> None:
    rows = [row for row in read_sheet((SHEET / "source.csv").read_text(encoding="utf-8"))]
    levels = {row.get("level") for row in rows}
    assert levels == {"Leitbild", "Handlungsfeld", "Strategisches Ziel", "Handlungsziel", "Maßnahme"}
    assert set(graph.subjects(RDF.type, KZS.ActionGoal)) == {
        P[f"ziel/{n}/handlungsziel/{m}"] for n, m in ((1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2))
    }
    education = P["handlungsfeld/bildung-und-betreuung"]
    assert (P["vision"], KZS.hasFieldOfAction, education) in graph
    assert (education, KZS.hasStrategicGoal, P["ziel/1"]) in graph
    assert graph.value(P["ziel/1"], KZS.isStrategicGoalOf) == education
    assert graph.value(education, DCTERMS.subject) == FIELD["bildung"]
    measure = P["ziel/1/handlungsziel/2/massnahme/1"]
    assert (measure, RDF.type, KZS.Measure) in graph and graph.value(measure, KZS.isMeasureOf) == P[
        "ziel/1/handlungsziel/2"
    ]
    assert str(graph.value(P["ziel/2/handlungsziel/2"], SKOS.notation)) == "2.2"
    tops = set(graph.objects(P["zielsystem/2020"], SKOS.hasTopConcept))
    assert tops == {P["vision"]}, "only rows without a parent are top concepts"


def test_quoted_cells_keep_their_wording(graph: Graph) -> None:
    assert str(graph.value(P["ziel/3/handlungsziel/2"], SKOS.prefLabel)) == (
        "Barrierefreie Wohnungen fördern; Beratung ausbauen"
    )
    assert '"Seniorenbeirat"' in str(graph.value(P["ziel/3"], SKOS.definition))


def test_target_groups_are_the_shared_concepts(graph: Graph) -> None:
    assert set(graph.objects(P["ziel/2/handlungsziel/2"], DCTERMS.audience)) == {
        GROUP["auszubildende"],
        URIRef(DRAFT_BASE + "id/konzept/akteurstyp/unternehmen"),  # "Unternehmen": moved, now a kind of actor
    }
    assert set(graph.objects(P["ziel/3/handlungsziel/2"], DCTERMS.audience)) == {
        GROUP["aeltere-menschen"],
        GROUP["menschen-mit-behinderung"],
    }
    named = {graph.value(a, OA.hasBody) for a in graph.subjects(RDF.type, OA.Annotation)}
    assert GROUP["kinder-und-jugendliche-mit-migrationshintergrund"] in named


def test_responsible_bodies_are_units_of_the_town(graph: Graph) -> None:
    unit = graph.value(P["ziel/2/handlungsziel/1"], KZS.responsibleBody)
    assert unit == URIRef(DRAFT_BASE + "id/kommune/99200002/einheit/wirtschaftsfoerderung")
    assert (unit, RDF.type, ORG.OrganizationalUnit) in graph
    assert graph.value(unit, ORG.unitOf) == URIRef(DRAFT_BASE + "id/kommune/99200002")
    assert graph.value(P["ziel/2/handlungsziel/2"], KZS.responsibleBody) == unit, "one unit for the same name"


def test_every_passage_is_the_cell_at_its_offsets(graph: Graph) -> None:
    text = (SHEET / "source.csv").read_text(encoding="utf-8")
    found = quotes(graph)
    assert len(found) > 30
    for quote in found:
        assert text[quote.start : quote.end] == quote.exact, quote.passage
    goal_passage = graph.value(P["ziel/1/handlungsziel/1"], PROV.wasQuotedFrom)
    assert str(goal_passage).endswith("/stelle/zeile-7-text")


def test_a_semicolon_sheet_gives_the_same_goals(tmp_path: Path, concepts: Graph, graph: Graph) -> None:
    """German spreadsheet programs export with ';' between cells."""
    rows = read_sheet((SHEET / "source.csv").read_text(encoding="utf-8"))
    header = "level;notation;parent;text;description;target_groups;responsible_body;field_of_action\n"

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ';"\n') else value

    lines = [";".join(cell(row.get(c)) for c in header.strip().split(";")) for row in rows]
    folder = sheet_folder(tmp_path, header + "\r\n".join(lines) + "\r\n")
    german = import_csv(folder, concepts).graph
    labels = {(s, str(o)) for s, o in graph.subject_objects(SKOS.prefLabel)}
    assert {(s, str(o)) for s, o in german.subject_objects(SKOS.prefLabel)} == labels


HEADER = "level,notation,parent,text,description,target_groups,responsible_body,field_of_action\n"
GOAL = "Strategisches Ziel,1,,Ein Ziel,Eine Beschreibung.,,,\n"
STRATEGIC = "Strategisches Ziel,{},,{},{},,,\n"

BROKEN_SHEETS = [
    # (what is wrong, the sheet, the row and column the problem must name, a word of the message)
    ("an unknown level", HEADER + "Oberziel,1,,Text,,,,\n", 2, "level", "not a level"),
    ("a parent no row has", HEADER + GOAL + "Handlungsziel,2.1,2,Text,,,,\n", 3, "parent", "'2'"),
    (
        "an action goal numbered apart from its parent",
        HEADER + GOAL + "Handlungsziel,2.1,1,Text,,,,\n",
        3,
        "notation",
        "1.1",
    ),
    (
        "a strategic goal without a number",
        HEADER + "Strategisches Ziel,A,,Text,Beschreibung.,,,\n",
        2,
        "notation",
        "number",
    ),
    (
        "a strategic goal without description",
        HEADER + "Strategisches Ziel,1,,Text,,,,\n",
        2,
        "description",
        "description",
    ),
    ("an unknown target group", HEADER + GOAL.replace(",,,\n", ",Senioren,,\n"), 2, "target_groups", "Senioren"),
    ("an unknown field of action", HEADER + GOAL.replace(",,,\n", ",,,Gedöns\n"), 2, "field_of_action", "Gedöns"),
    ("a notation used twice", HEADER + GOAL + GOAL, 3, "notation", "row 2"),
    (  # a measure directly under a strategic goal is a skipped level and imports (tests/test_research_model.py)
        "an action goal under an action goal",
        HEADER + GOAL + "Handlungsziel,1.1,1,Text,,,,\nHandlungsziel,1.1.1,1.1,Text,,,,\n",
        4,
        "parent",
        "strategic goal",
    ),
    (
        "a column not in the template",
        HEADER.replace("level,", "ebene,level,") + "x," + GOAL,
        1,
        "ebene",
        "not a column",
    ),
    ("a missing wording", HEADER + STRATEGIC.format("1", "", "D."), 2, "text", "wording"),
    ("a quote never closed", HEADER + 'Strategisches Ziel,1,,"Text,Beschreibung.,,,\n', 2, None, "never closed"),
]


@pytest.mark.parametrize(("what", "csv", "row", "column", "word"), BROKEN_SHEETS, ids=[b[0] for b in BROKEN_SHEETS])
def test_a_broken_sheet_names_row_and_column(
    tmp_path: Path, concepts: Graph, what: str, csv: str, row: int, column: str | None, word: str
) -> None:
    with pytest.raises(CsvImportError) as error:
        import_csv(sheet_folder(tmp_path, csv), concepts)
    matching = [p for p in error.value.problems if p.row == row and p.column == column]
    assert matching, f"{what}: {error.value}"
    assert any(word in p.message for p in matching), str(error.value)
    prefix = f"row {row}, column {column}: " if column else f"row {row}: "
    assert prefix in str(error.value)


def test_a_sheet_that_is_not_utf8_says_how_to_save_it(tmp_path: Path, concepts: Graph) -> None:
    folder = sheet_folder(tmp_path, (HEADER + GOAL.replace("Ein Ziel", "Größere Ziele")).encode("cp1252"))
    with pytest.raises(ProgrammeImportError, match="CSV UTF-8"):
        import_csv(folder, concepts)


def test_shape_problems_name_the_row(tmp_path: Path, concepts: Graph) -> None:
    """Beyond what the importer checks itself: a sheet declared English fails the German-label shapes."""
    toml = (SHEET / "import.toml").read_text(encoding="utf-8").replace('language = "de"', 'language = "en"')
    folder = sheet_folder(tmp_path, (SHEET / "source.csv").read_text(encoding="utf-8"), toml)
    project = tmp_path / "project"
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, project / name)
    (project / "data").mkdir()
    shutil.move(folder, project / "data" / folder.name)
    folder = project / "data" / folder.name
    problems = check(import_csv(folder, concepts), folder, Config.from_mapping({"project_dir": project}))
    assert any(p.row == 6 and p.column == "text" and "German" in p.message for p in problems), problems


def test_kzs_import_csv_writes_a_programme_that_validates(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, project / name)
    (project / "data").mkdir()
    folder = shutil.copytree(SHEET, project / "data" / SHEET.name)
    runner = CliRunner()
    env = {"KZS_PROJECT_DIR": str(project)}
    result = runner.invoke(main, ["import", "--csv", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert "reading rows" in result.output and "checking the shapes" in result.output
    assert (folder / "programme.ttl").is_file() and (folder / "metadata.ttl").is_file()
    assert "Gemeinde Musterhausen" in (folder / "metadata.ttl").read_text(encoding="utf-8")
    checked = runner.invoke(main, ["import", "--csv", "--check", str(folder)], env=env)
    assert checked.exit_code == 0 and "up to date" in checked.output, checked.output
    validated = runner.invoke(main, ["validate"], env=env)
    assert validated.exit_code == 0, validated.output


def test_kzs_import_csv_fails_with_row_and_column(tmp_path: Path) -> None:
    folder = sheet_folder(tmp_path, HEADER + GOAL + "Handlungsziel,1.1,1,Text,,Senioren,,\n")
    result = CliRunner().invoke(main, ["import", "--csv", str(folder)], env={"KZS_PROJECT_DIR": str(ROOT)})
    assert result.exit_code == 1
    assert "row 3, column target_groups: no shared target group 'Senioren'" in result.output
    assert not (folder / "programme.ttl").exists(), "nothing is written when the sheet is broken"
