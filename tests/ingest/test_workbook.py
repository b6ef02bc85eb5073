"""The spreadsheet route with workbooks: `kzs template` writes the workbook a town fills in; a filled one,
as xlsx or as ods, imports to the same graph as the CSV route, with every passage naming its cell."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from service.cli import main
from service.config import Config
from service.ingest.csv_import import check, import_csv, metadata_stub
from service.ingest.sheets import CsvImportError, header_title
from service.ingest.text_import import DRAFT_BASE, ProgrammeImportError, to_relative_turtle
from service.rdf.namespaces import ELI, KZS, OA
from service.web.app import create_app
from tests.support.project import BASE
from tests.support.workbooks import csv_rows, fill, sheets_of, write_ods

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "tests" / "programmes" / "musterhausen-2020"
P = Namespace(DRAFT_BASE + "id/kommune/99200002/programm/leitbild-2030/")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workbook `kzs template` writes, over the repository's shared schemes."""
    path = tmp_path_factory.mktemp("template") / "vorlage.xlsx"
    result = CliRunner().invoke(main, ["template", str(path)], env={"KZS_PROJECT_DIR": str(ROOT)})
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "lists:" in result.output
    return path


def folder_with(tmp_path: Path, name: str, source: Path | None = None) -> Path:
    """A copy of the Musterhausen folder whose sheet is `source`, saved as `name`."""
    folder = shutil.copytree(SHEET, tmp_path / name.replace(".", "-") / SHEET.name)
    if source is not None:
        (folder / "source.csv").unlink()
        shutil.copyfile(source, folder / name)
    return folder


@pytest.fixture(scope="module")
def filled(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template filled by openpyxl with the rows of the Musterhausen CSV."""
    return fill(template, csv_rows(SHEET / "source.csv"), tmp_path_factory.mktemp("filled") / "source.xlsx")


def comparable(graph: Graph) -> Graph:
    """The graph without what locates a passage in one kind of file and not in another.

    Kept, and so compared: every goal, link and passage IRI, every quote, and every cell (kzs:row,
    kzs:column). Left out: a CSV file's offsets (oa:TextPositionSelector), the text around a quote
    (oa:prefix/oa:suffix: the neighbouring cells in a CSV file, nothing in a workbook cell), the sheet's name
    (a CSV file has none), and the file's own facts (dct:format, kzs:characterCount, eli:is_exemplified_by).
    A CSV quote is the file's characters, so a quote mark in a cell is written twice there (RFC 4180): the
    quotes are compared with CSV's doubled quote marks read as one.
    """
    positions = set(graph.subjects(RDF.type, OA.TextPositionSelector))
    dropped = {OA.prefix, OA.suffix, KZS.sheetName, DCTERMS.format, KZS.characterCount, ELI.is_exemplified_by}
    result = Graph()
    for s, p, o in graph:
        if s not in positions and o not in positions and p not in dropped:
            result.add((s, p, Literal(str(o).replace('""', '"')) if p == OA.exact else o))
    return result


def test_the_template_has_a_goal_sheet_with_drop_downs_and_a_help_sheet(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["Ziele", "Hilfe", "Listen"]
    goals = workbook["Ziele"]
    headers = [cell.value for cell in goals[1]]
    assert headers[:4] == ["Ebene / level", "Nummer / notation", "Übergeordnet / parent", "Wortlaut / text"]
    assert "Bezeichnung der Ebene / level name" in headers
    validations = {str(v.sqref).split(":")[0]: v for v in goals.data_validations.dataValidation}
    assert {"A2", "F2", "H2"} <= set(validations), "drop-downs for level, target groups and field of action"
    lists = {column[0].value: [c.value for c in column[1:] if c.value] for column in workbook["Listen"].iter_cols()}
    levels = lists[header_title("level")]
    for name in ("Handlungsziel", "Strategisches Ziel", "Leitbild", "Handlungsfeld", "Maßnahme", "Kennzahl", "measure"):
        assert name in levels
    assert validations["A2"].type == "list" and validations["A2"].formula1 == f"Listen!$A$2:$A${len(levels) + 1}"
    assert "Eltern" in lists[header_title("target_groups")], "the shared target groups"
    assert "Bildung" in lists[header_title("field_of_action")], "the shared fields of action"
    rules = " ".join(str(c.value) for row in workbook["Hilfe"].iter_rows() for c in row if c.value)
    assert "Jede Ebene darf fehlen" in rules and "Any level may be skipped" in rules
    assert "kzs import --csv" in rules


def test_a_filled_template_imports_to_the_graph_of_the_csv_route(filled: Path, tmp_path: Path, concepts: Graph) -> None:
    by_csv = import_csv(SHEET, concepts).graph
    by_xlsx = import_csv(folder_with(tmp_path, "source.xlsx", filled), concepts).graph
    assert isomorphic(comparable(by_xlsx), comparable(by_csv))
    # The same passages, each naming the same cell; only the workbook's name its sheet.
    passages = set(by_csv.subjects(RDF.type, OA.SpecificResource))
    assert passages == set(by_xlsx.subjects(RDF.type, OA.SpecificResource)) and len(passages) > 30
    manifestation = P["fassung/2020/de/text"]
    assert str(by_xlsx.value(manifestation, DCTERMS.format)) == XLSX
    assert by_xlsx.value(manifestation, KZS.characterCount) is None
    assert str(by_xlsx.value(manifestation, ELI.is_exemplified_by)).endswith("/data/musterhausen-2020/source.xlsx")


def test_every_workbook_passage_is_its_cell(filled: Path, tmp_path: Path, concepts: Graph) -> None:
    """Provenance exact: each passage's sheet, row and column hold its quote (the cell, or one of its groups)."""
    graph = import_csv(folder_with(tmp_path, "source.xlsx", filled), concepts).graph
    sheets = sheets_of(filled)
    checked = 0
    for passage in graph.subjects(RDF.type, OA.SpecificResource):
        selectors = list(graph.objects(passage, OA.hasSelector))
        cell = next(s for s in selectors if (s, RDF.type, KZS.CellSelector) in graph)
        exact = str(next(graph.objects(next(s for s in selectors if s != cell), OA.exact)))
        sheet, row = str(graph.value(cell, KZS.sheetName)), int(graph.value(cell, KZS.row))  # type: ignore[arg-type]
        column = ord(str(graph.value(cell, KZS.column))) - ord("A")
        value = sheets[sheet][row - 1][column]
        assert exact == value.strip() or exact in [part.strip() for part in value.split(";")], passage
        checked += 1
    assert checked > 30
    goal = P["ziel/1/handlungsziel/1"]
    assert str(graph.value(goal, PROV.wasQuotedFrom)).endswith("/stelle/zeile-7-text")


def test_the_same_sheet_saved_as_ods_imports_the_same(filled: Path, tmp_path: Path, concepts: Graph) -> None:
    ods = write_ods(tmp_path / "source.ods", sheets_of(filled))
    by_ods = import_csv(folder_with(tmp_path, "source.ods", ods), concepts).graph
    by_xlsx = import_csv(folder_with(tmp_path, "source.xlsx", filled), concepts).graph
    manifestation = P["fassung/2020/de/text"]
    assert str(by_ods.value(manifestation, DCTERMS.format)) == ODS
    assert isomorphic(comparable(by_ods), comparable(by_xlsx))
    assert {o for o in by_ods.objects(None, KZS.sheetName)} == {o for o in by_xlsx.objects(None, KZS.sheetName)}


def broken_workbook(template: Path, tmp_path: Path, rows: list[list[str]]) -> Path:
    return folder_with(tmp_path, "source.xlsx", fill(template, rows, tmp_path / "broken.xlsx"))


def test_a_misspelt_level_and_target_group_get_a_suggestion(template: Path, tmp_path: Path, concepts: Graph) -> None:
    rows = [
        ["Strategisches Ziel", "1", "", "Ein Ziel", "Eine Beschreibung.", "Eltren", "", ""],
        ["Handlungziel", "1.1", "1", "Ein Handlungsziel", "", "", "", ""],
        ["Handlungsziel", "1.2", "1", "Noch eines", "", "", "", "Bildnug"],
    ]
    with pytest.raises(CsvImportError) as error:
        import_csv(broken_workbook(template, tmp_path, rows), concepts)
    problems = {(p.sheet, p.row, p.column): p.message for p in error.value.problems}
    assert "Did you mean 'Handlungsziel'" in problems[("Ziele", 3, "level")]
    assert "Did you mean 'Eltern'" in problems[("Ziele", 2, "target_groups")]
    assert "Did you mean 'Bildung'" in problems[("Ziele", 4, "field_of_action")]
    assert "sheet 'Ziele', row 3, column level: 'Handlungziel' is not a level" in str(error.value)


def test_a_sheet_with_german_headers_only_is_read(template: Path, tmp_path: Path, concepts: Graph) -> None:
    path = fill(template, csv_rows(SHEET / "source.csv"), tmp_path / "deutsch.xlsx")
    workbook = openpyxl.load_workbook(path)
    for cell in workbook["Ziele"][1]:
        cell.value = str(cell.value).split(" / ")[0]  # "Ebene", "Nummer", …
    workbook.save(path)
    german = import_csv(folder_with(tmp_path, "source.xlsx", path), concepts).graph
    assert isomorphic(comparable(german), comparable(import_csv(SHEET, concepts).graph))


def test_two_sheets_in_one_folder_are_refused(filled: Path, tmp_path: Path, concepts: Graph) -> None:
    folder = folder_with(tmp_path, "source.csv")
    shutil.copyfile(filled, folder / "source.xlsx")
    with pytest.raises(ProgrammeImportError, match="has source.xlsx and source.csv; keep only the one"):
        import_csv(folder, concepts)


def test_levels_may_be_skipped_and_named_the_towns_way(template: Path, tmp_path: Path, concepts: Graph) -> None:
    """An action goal directly under a field of action, a measure directly under a strategic goal, an indicator;
    the town's own names kept. The sheet imports and passes the shapes."""
    rows = [
        ["Handlungsfeld", "E", "", "Energie", "", "", "", "Umwelt und Klimaschutz", "Themenfeld"],
        ["Handlungsziel", "E.1", "E", "Dächer mit Solaranlagen belegen", "", "", "Bauamt", "", "Operatives Ziel"],
        ["Strategisches Ziel", "1", "", "Das Dorf bleibt lebendig", "Treffpunkte halten.", "", "", "", ""],
        ["Maßnahme", "1.1", "1", "Dorfladen gründen", "", "", "", "", "Schlüsselprojekt"],
        ["Kennzahl", "K1", "1.1", "Umsatz des Dorfladens", "", "", "", "", ""],
    ]
    folder = broken_workbook(template, tmp_path, rows)
    result = import_csv(folder, concepts)
    g = result.graph
    field, action, measure = (
        P["handlungsfeld/energie"],
        P["handlungsfeld/energie/handlungsziel/1"],
        P["ziel/1/massnahme/1"],
    )
    assert (field, KZS.hasActionGoal, action) in g and g.value(action, KZS.isActionGoalOf) == field
    assert (P["ziel/1"], KZS.hasMeasure, measure) in g
    assert (measure, KZS.hasIndicator, P["indikator/k1"]) in g and (P["indikator/k1"], RDF.type, KZS.Indicator) in g
    assert {str(g.value(n, KZS.levelName)) for n in (field, action, measure)} == {
        "Themenfeld",
        "Operatives Ziel",
        "Schlüsselprojekt",
    }
    assert str(g.value(P["ziel/1"], KZS.levelName)) == "Strategisches Ziel", "without a level name, the level cell"
    project = tmp_path / "project"
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, project / name)
    (project / "data").mkdir()
    folder = Path(shutil.move(folder, project / "data" / SHEET.name))
    result = import_csv(folder, concepts)
    (folder / "metadata.ttl").write_text(metadata_stub(result.settings, folder.name), encoding="utf-8")
    problems = check(result, folder, Config.from_mapping({"project_dir": project}))
    assert problems == [], "\n".join(map(str, problems))


@pytest.fixture(scope="module")
def workbook_client(filled: Path, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """The service over a project whose one programme came as source.xlsx, imported with `kzs import`."""
    project = tmp_path_factory.mktemp("workbook-project")
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, project / name)
    (project / "data").mkdir()
    folder = folder_with(project / "data", "source.xlsx", filled)
    folder = Path(shutil.move(folder, project / "data" / SHEET.name))
    result = CliRunner().invoke(main, ["import", str(folder)], env={"KZS_PROJECT_DIR": str(project)})
    assert result.exit_code == 0, result.output
    assert Graph().parse(folder / "programme.ttl", publicID=DRAFT_BASE)
    return create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project})).test_client()


def test_the_served_workbook_is_the_file_itself(workbook_client: FlaskClient, filled: Path) -> None:
    response = workbook_client.get("/data/musterhausen-2020/source.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.get_data() == filled.read_bytes()
    assert workbook_client.get("/data/musterhausen-2020/source.ods").status_code == 404


def test_a_goals_page_names_its_cell(workbook_client: FlaskClient) -> None:
    page = workbook_client.get(
        "/doc/kommune/99200002/programm/leitbild-2030/ziel/1/handlungsziel/1", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Zelle Ziele!D7 der Tabelle" in html and f'href="{BASE}data/musterhausen-2020/source.xlsx"' in html
    assert '<span class="kind">Handlungsziel</span>' in html, "the town's level name beside its level"


def test_kzs_template_refuses_what_it_cannot_write(tmp_path: Path, template: Path) -> None:
    env = {"KZS_PROJECT_DIR": str(ROOT)}
    for target, message in (
        (tmp_path / "vorlage.ods", "ending in .xlsx"),
        (template, "exists already"),
        (tmp_path / "nirgends" / "vorlage.xlsx", "no such folder"),
    ):
        result = CliRunner().invoke(main, ["template", str(target)], env=env)
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_a_relative_turtle_of_a_workbook_programme_round_trips(filled: Path, tmp_path: Path, concepts: Graph) -> None:
    graph = import_csv(folder_with(tmp_path, "source.xlsx", filled), concepts).graph
    again = Graph().parse(data=to_relative_turtle(graph), format="turtle", publicID=DRAFT_BASE)
    assert isomorphic(graph, again)
    assert len(list(again.subjects(RDF.type, KZS.CellSelector))) == len(
        set(again.subjects(RDF.type, OA.SpecificResource))
    )
    assert (URIRef(P["vision"]), SKOS.topConceptOf, P["zielsystem/2020"]) in again


def test_an_ods_whose_repeated_cells_span_too_large_a_grid_is_refused(tmp_path: Path, concepts: Graph) -> None:
    """ODS repeats a cell or row with a count; a filled cell repeated far is a huge grid in a small file."""
    header = {"Ziele": [["level", "notation", "parent", "text"]]}
    filled_far = (
        '<table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="string" '
        'table:number-columns-repeated="2000"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    ods = write_ods(tmp_path / "source.ods", header, filled_far)
    with pytest.raises(ProgrammeImportError, match="spans 1,001 rows and 2,000 columns"):
        import_csv(folder_with(tmp_path, "source.ods", ods), concepts)
    # Trailing empty rows and cells, as LibreOffice writes them, are no part of the grid.
    empty_far = (
        '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    ods = write_ods(tmp_path / "empty.ods", header, empty_far)
    with pytest.raises(CsvImportError, match="the sheet has no goals"):
        import_csv(folder_with(tmp_path / "2", "source.ods", ods), concepts)


def test_german_excels_csv_is_served_as_it_is_with_its_charset(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, project / name)
    folder = shutil.copytree(SHEET, project / "data" / SHEET.name)
    with (SHEET / "source.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    lines = io.StringIO()
    csv.writer(lines, delimiter=";").writerows(rows)  # as German Excel saves: ';', Windows-1252
    raw = lines.getvalue().encode("cp1252")
    (folder / "source.csv").write_bytes(raw)
    result = CliRunner().invoke(main, ["import", str(folder)], env={"KZS_PROJECT_DIR": str(project)})
    assert result.exit_code == 0, result.output
    client = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": project})).test_client()
    response = client.get("/data/musterhausen-2020/source.csv")
    assert response.status_code == 200 and response.get_data() == raw
    assert response.headers["Content-Type"] == "text/csv; charset=windows-1252; header=present"


def test_kzs_import_of_a_broken_workbook_names_sheet_row_and_column(template: Path, tmp_path: Path) -> None:
    rows = [["Strategisches Ziel", "1", "", "Ein Ziel", "Eine Beschreibung.", "", "", ""], ["Handlungziel", "1.1", "1"]]
    folder = broken_workbook(template, tmp_path, rows)
    result = CliRunner().invoke(main, ["import", "--csv", str(folder)], env={"KZS_PROJECT_DIR": str(ROOT)})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{folder / 'source.xlsx'}:" in result.output
    assert "sheet 'Ziele', row 3, column level: 'Handlungziel' is not a level. Did you mean 'Handlungsziel'" in (
        result.output
    )
    assert not (folder / "programme.ttl").exists(), "nothing is written when the sheet is broken"
