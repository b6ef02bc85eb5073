"""A programme's goal sheet inside a workbook (`source.xlsx` or `source.ods`), read with python-calamine.

Both formats are zip archives. Before calamine sees one, the archive is checked within bounds that do not
trust its own headers: at most `MAX_MEMBERS` members, and every member decompressed (and discarded) while
counting, so a zip bomb is refused after `MAX_UNPACKED_MB` of output, not after it has filled the memory.
calamine then holds a sheet as a dense grid from its first to its last filled cell (a 5 KB file with one
cell at XFD1048576 asks for 512 GB and aborts the process), so the sheets' XML is first walked for the
last filled row and column, and a grid of more than `MAX_CELLS` cells is refused; the walk itself reads at
most `MAX_ELEMENTS` elements a sheet, dropping each as it is done.
The goal sheet is the one named "Ziele" or "goals" (the template's), or else the first sheet.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse  # noqa: S405 - expat: no DTD fetched, entity growth capped

from python_calamine import CalamineError, CalamineWorkbook

from service.ingest.sheets import Cell, Row, table
from service.ingest.text_import import ProgrammeImportError
from service.ingest.text_layout import Span

MEDIA_TYPES = {
    "source.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "source.ods": "application/vnd.oasis.opendocument.spreadsheet",
}
GOAL_SHEETS = ("ziele", "goals")
MAX_MEMBERS = 1_000
MAX_UNPACKED_MB = 64  # all members together, decompressed: far above a sheet of thousands of goals
MAX_ROWS = 20_000
MAX_CELLS = 1_000_000  # calamine's grid: about 32 bytes a cell
CHUNK = 2**20
ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODS_PARAGRAPH = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
CELLS = (f"{ODS_TABLE}table-cell", f"{ODS_TABLE}covered-table-cell")
MAX_ELEMENTS = 100_000  # per sheet: a programme of 2,000 goals has about 40,000
XLSX_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def check_archive(path: Path) -> None:
    """Refuse what is not a zip archive, or unpacks to more than the bounds allow (ProgrammeImportError)."""
    if not zipfile.is_zipfile(path):
        raise ProgrammeImportError(
            "not a workbook: an .xlsx or .ods file is a zip archive, this one is not (save the sheet again as "
            "Excel workbook or OpenDocument spreadsheet)"
        )
    budget = MAX_UNPACKED_MB * 2**20
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ProgrammeImportError(f"not read: {len(members):,} files in the archive, more than a workbook has")
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise ProgrammeImportError(
                                f"not read: unpacks to more than {MAX_UNPACKED_MB} MB (a zip bomb, or not a sheet)"
                            )
            check_extent(archive)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        raise ProgrammeImportError(f"not a workbook: the zip archive is damaged ({error})") from error


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def walk(stream: IO[bytes]) -> Iterator[tuple[str, Element]]:
    """iterparse's start and end events, each finished element dropped from its parent (so memory holds one
    path through the tree, not the tree), and at most `MAX_ELEMENTS` elements (so time stays bounded too)."""
    path: list[Element] = []
    for count, (event, element) in enumerate(iterparse(stream, events=("start", "end"))):  # noqa: S314
        if count > 2 * MAX_ELEMENTS:
            raise ProgrammeImportError(
                f"not read: a sheet has more than {MAX_ELEMENTS:,} XML elements, more than a programme's goals need"
            )
        if event == "start":
            path.append(element)
        yield event, element
        if event == "end":
            path.pop()
            if path:
                path[-1].remove(element)


def xlsx_extent(stream: IO[bytes]) -> tuple[int, int]:
    """Rows and columns up to the last cell of an xlsx worksheet (a cell without `r="…"` follows the one before)."""
    rows = columns = row = column = 0
    for event, element in walk(stream):
        if event == "start" and element.tag.endswith("}row"):
            row, column = int(element.get("r") or row + 1), 0
        elif event == "end" and element.tag.endswith("}c"):
            match = REFERENCE.fullmatch(element.get("r", ""))
            row, column = (int(match[2]), column_number(match[1])) if match else (row, column + 1)
            rows, columns = max(rows, row), max(columns, column)
    return rows, columns


def repeated(element: Element, what: str) -> int:
    return int(element.get(f"{ODS_TABLE}number-{what}-repeated", "1") or 1)


def ods_extent(stream: IO[bytes]) -> tuple[int, int]:
    """Rows and columns up to the last filled cell of any table in an ODS content.xml (repeats expanded)."""
    rows = columns = row = column = 0
    text = False  # whether the cell being read has a paragraph
    for event, element in walk(stream):
        tag = element.tag
        if event == "start" and tag == f"{ODS_TABLE}table":
            row = 0
        elif event == "start" and tag == f"{ODS_TABLE}table-row":
            column = 0
        elif event == "start" and tag in CELLS:
            text = False
        elif event == "start" and tag == ODS_PARAGRAPH:
            text = True
        elif event == "end" and tag in CELLS:
            count = repeated(element, "columns")
            if element.get(f"{ODS_OFFICE}value-type") or text:
                rows, columns = max(rows, row + 1), max(columns, column + count)
            column += count
        elif event == "end" and tag == f"{ODS_TABLE}table-row":
            count = repeated(element, "rows")
            if rows == row + 1:  # a filled row, repeated
                rows = row + count
            row += count
    return rows, columns


def check_extent(archive: zipfile.ZipFile) -> None:
    for member in archive.namelist():
        if XLSX_SHEET.fullmatch(member):
            measure = xlsx_extent
        elif member == "content.xml":
            measure = ods_extent
        else:
            continue
        try:
            with archive.open(member) as stream:
                rows, columns = measure(stream)
        except ProgrammeImportError:
            raise
        except (ParseError, ValueError) as error:  # ValueError: a count or row number that is no number
            raise ProgrammeImportError(f"not a workbook: {member} is not well-formed XML ({error})") from error
        if rows * columns > MAX_CELLS:
            raise ProgrammeImportError(
                f"not read: a sheet spans {rows:,} rows and {columns:,} columns, more than the "
                f"{MAX_CELLS:,} cells allowed (delete the far cells, or save only the goal sheet)"
            )


def text_of(value: object) -> str:
    """A cell's value as the sheet shows it: 3 for a whole number, dates in ISO form."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def cell(value: object) -> Cell:
    text = text_of(value).strip()
    return Cell(text, Span(0, len(text)))


def goal_sheet(names: list[str]) -> str:
    return next((name for name in names if name.strip().casefold() in GOAL_SHEETS), names[0])


def read_workbook(path: Path) -> tuple[str, list[Row]]:
    """The goal sheet's name and its rows; ProgrammeImportError (or CsvImportError naming rows) otherwise."""
    check_archive(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise ProgrammeImportError("the workbook has no sheet")
        name = goal_sheet(workbook.sheet_names)
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
    except CalamineError as error:
        raise ProgrammeImportError(f"cannot be read as a workbook: {error}") from error
    if len(values) > MAX_ROWS:
        raise ProgrammeImportError(f"sheet {name!r}: more than {MAX_ROWS:,} rows")
    return name, table(([cell(value) for value in line] for line in values), name)
