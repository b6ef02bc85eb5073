"""Workbooks for the tests of the spreadsheet route: the template filled in by openpyxl, and the same sheet
saved as OpenDocument by a small writer of our own (an ODS file is a zip of a few XML files; ODF 1.2 §3)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def csv_rows(path: Path) -> list[list[str]]:
    """The data rows of a template CSV (its header left out)."""
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))[1:]


def fill(template: Path, rows: list[list[str]], target: Path, sheet: str = "Ziele") -> Path:
    """The template with `rows` written below its header row, each cell as text, saved as `target`."""
    workbook = openpyxl.load_workbook(template)
    goals = workbook[sheet]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if value:
                goals.cell(row=number, column=column, value=value)
    workbook.save(target)
    return target


def sheets_of(path: Path) -> dict[str, list[list[str]]]:
    """Every sheet of an xlsx workbook as rows of text (empty cells as '')."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    return {
        sheet.title: [
            ["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook.worksheets
    }


def cell_xml(value: str) -> str:
    if not value:
        return "<table:table-cell/>"
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def write_ods(path: Path, sheets: dict[str, list[list[str]]], more_rows: str = "") -> Path:
    """An ODS file with these sheets, every cell a string, as a spreadsheet program saves it; `more_rows` is
    XML of rows written at the end of each sheet."""
    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join("<table:table-row>" + "".join(cell_xml(v) for v in row) + "</table:table-row>" for row in rows)
        + more_rows
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content xmlns:office="{OFFICE}" xmlns:table="{TABLE}" xmlns:text="{TEXT}" '
        f'office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest:manifest xmlns:manifest="{MANIFEST}" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_TYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_TYPE)  # first and stored, as ODF requires
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path
