"""Tables for spreadsheets: cells that cannot run as formulas, a CSV that German Excel and LibreOffice open as
they should, and xlsx.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return) as a
formula, however the CSV quotes it, and a formula can fetch URLs or run commands. Every CSV or xlsx meant for a
spreadsheet goes through `neutralised`: in a CSV such a cell gets a leading apostrophe (`'=1+1`), which Excel
and LibreOffice import as part of a text; in xlsx the cell is a text with Excel's quote prefix, its value
untouched. Numbers are left alone (`-3` is a number, not a formula). The SPARQL CSV and TSV
results of `/sparql` stay as the W3C specification says; docs/queries.md explains the difference.

The spreadsheet CSV (`spreadsheet_csv`) is what a German spreadsheet expects: UTF-8 with a byte-order mark (so
umlauts survive), `;` between cells, CRLF, decimal numbers with a comma. A text that a spreadsheet would turn
into a number or a date ("1.3" → 1 March, "05974040" → 5974040) is written as the formula `="1.3"`, whose
value is that text: it is ours, never data, and holds only digits and separators, so nothing can break out
of it. xlsx (`xlsx`) needs no such tricks: cells are typed, texts are texts.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox
import xlsxwriter
from xlsxwriter.format import Format as CellFormat
from xlsxwriter.worksheet import Worksheet

from service.errors import Unavailable
from service.rdf.formats import Format

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# A text a spreadsheet would read as a number, a date, a time or a fraction: it is kept as text.
NUMBER_LIKE = re.compile(r"\d[\d.,:/ ]*%?")
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {
    XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
        "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
NUMBERS = INTEGERS | {XSD + "decimal", XSD + "double", XSD + "float"}
BOOLEAN = XSD + "boolean"
BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXACT = 2**53  # integers beyond this lose digits as a spreadsheet's floating-point number: they stay text
MAX_CELL = 32_767  # characters in one cell, in Excel and in xlsx


def neutralised(cell: str) -> str:
    """The cell as a spreadsheet should see it: a leading apostrophe where it would start a formula."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralised_csv(body: bytes) -> bytes:
    """A CSV (RFC 4180, UTF-8) with every cell neutralised; quoting and line ends as the csv module writes them."""
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralised(cell) for cell in row] for row in reader)
    return buffer.getvalue().encode("utf-8")


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None


def solutions(body: bytes) -> tuple[list[str], Iterator[Sequence[Term]]]:
    """The variables and the rows of SPARQL TSV results, read one row at a time."""
    results = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    if not isinstance(results, ox.QuerySolutions):
        raise ValueError("a spreadsheet holds the rows of a SELECT, not a yes or no")
    variables = [v.value for v in results.variables]
    return variables, (tuple(solution[v] for v in variables) for solution in results)


def plain(value: Term) -> str:
    """A term as a person reads it: an IRI or a literal's value, without tags."""
    if value is None:
        return ""
    if isinstance(value, ox.BlankNode):
        return f"_:{value.value}"
    if isinstance(value, ox.Triple):
        return f"<< {plain(value.subject)} {plain(value.predicate)} {plain(value.object)} >>"
    return value.value


def number(value: Term) -> float | int | None:
    """The value of a numeric literal, where a spreadsheet can hold it exactly enough."""
    if not isinstance(value, ox.Literal) or value.datatype.value not in NUMBERS:
        return None
    try:
        if value.datatype.value in INTEGERS:
            whole = int(value.value)
            return whole if abs(whole) < EXACT else None
        found = float(value.value)
    except ValueError:
        return None  # an ill-typed literal ("abc"^^xsd:integer) stays text
    return found if math.isfinite(found) else None


def spreadsheet_cell(value: Term) -> str:
    """A cell of the spreadsheet CSV (module docstring)."""
    if number(value) is not None:
        assert isinstance(value, ox.Literal)  # noqa: S101 - number() reads only literals
        return value.value.strip().replace(".", ",")  # its own digits, with a German decimal comma
    text = plain(value)
    if isinstance(value, ox.Literal) and NUMBER_LIKE.fullmatch(text):
        return f'="{text}"'
    return neutralised(text)


def spreadsheet_csv(variables: Sequence[str], rows: Iterable[Sequence[Term]]) -> bytes:
    """The rows as a CSV for German spreadsheets: BOM, `;`, CRLF, decimal commas, texts kept as texts."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def xlsx(variables: Sequence[str], rows: Iterable[Sequence[Term]], sheet: str = "Ergebnis") -> bytes:
    """The rows as an xlsx workbook, written row by row (xlsxwriter's constant-memory mode): numbers as
    numbers, booleans as booleans, everything else as text (never as a formula)."""
    with tempfile.TemporaryDirectory() as folder:
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"constant_memory": True, "tmpdir": folder, "strings_to_urls": False})
        page = book.add_worksheet(sheet[:31])
        bold, as_text = book.add_format({"bold": True}), book.add_format({"quote_prefix": True})
        for column, name in enumerate(variables):
            page.write_string(0, column, name, bold)
        page.freeze_panes(1, 0)
        page.set_column(0, max(len(variables) - 1, 0), 24)  # wide enough to read; before any row is written
        try:
            for line, row in enumerate(rows, start=1):
                for column, value in enumerate(row):
                    write(page, line, column, value, as_text)
        finally:
            book.close()  # also when the rows stop early: it closes the temporary files
    return output.getvalue()


def write(page: Worksheet, line: int, column: int, value: Term, as_text: CellFormat) -> None:
    if value is None:
        return
    found = number(value)
    if found is not None:
        page.write_number(line, column, found)
    elif isinstance(value, ox.Literal) and value.datatype.value == BOOLEAN and value.value in ("true", "false"):
        page.write_boolean(line, column, value.value == "true")
    else:
        text = plain(value)[:MAX_CELL]
        # A text cell is never evaluated; the quote prefix (Excel's own leading apostrophe, not part of the
        # value) keeps one that looks like a formula a text when someone edits it.
        page.write_string(line, column, text, as_text if neutralised(text) != text else None)


SPREADSHEET_CSV = Format("text/csv", "spreadsheet-csv", "CSV (Excel, LibreOffice)")
XLSX_FORMAT = Format(XLSX, "xlsx", "XLSX")
SPREADSHEET_FORMATS = {f.extension: f for f in (XLSX_FORMAT, SPREADSHEET_CSV)}


def spreadsheet(fmt: Format, tsv: bytes, seconds: float, sheet: str = "Ergebnis") -> bytes:
    """SPARQL TSV results (complete: the worker's row and size limits hold already) as `fmt`, made within
    `seconds` (the query time limit: writing a wide result as xlsx costs more than many a query)."""
    variables, rows = solutions(tsv)
    timed = within(rows, time.monotonic() + seconds, seconds)
    return xlsx(variables, timed, sheet) if fmt is XLSX_FORMAT else spreadsheet_csv(variables, timed)


def within(rows: Iterator[Sequence[Term]], deadline: float, seconds: float) -> Iterator[Sequence[Term]]:
    for count, row in enumerate(rows):
        if count % 256 == 0 and time.monotonic() > deadline:
            raise Unavailable(
                f"Writing the spreadsheet was stopped at the time limit of {seconds:g} seconds. Download the CSV,"
                " or narrow the query down (fewer variables, a LIMIT)."
            )
        yield row


def file_name(name: str, fmt: Format) -> str:
    return f"{name}.xlsx" if fmt is XLSX_FORMAT else f"{name}-tabelle.csv"
