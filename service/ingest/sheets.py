"""A spreadsheet exported as CSV: its rows as cells with their offsets in the file.

Offsets are Unicode code points into the file's text (a byte-order mark counts), so each cell can be
quoted as a passage exactly as text sources are. Problems name the row as a spreadsheet counts it (the
header is row 1) and the column by its name in the header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from service.ingest.text_import import ProgrammeImportError
from service.ingest.text_layout import Span

COLUMNS = (
    "level",
    "notation",
    "parent",
    "text",
    "description",
    "target_groups",
    "responsible_body",
    "field_of_action",
)
REQUIRED = ("level", "notation", "parent", "text")


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row else []
        where += [f"column {self.column}"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


class CsvImportError(ProgrammeImportError):
    """The sheet cannot be imported; `problems` name row and column, as many as were found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = [str(p) for p in problems[:20]]
        more = [f"… and {len(problems) - 20} more"] if len(problems) > 20 else []
        super().__init__("\n".join([*shown, *more]))


@dataclass(frozen=True)
class Cell:
    value: str
    span: Span  # the cell's content in the file, without quotes and surrounding blanks


@dataclass
class Row:
    number: int  # as a spreadsheet counts: the header is row 1
    cells: dict[str, Cell]

    def get(self, column: str) -> str:
        cell = self.cells.get(column)
        return cell.value if cell else ""


def delimiter_of(header: str) -> str:
    """Spreadsheets export with ',' or, in German settings, ';'; tabs also occur."""
    return max((",", ";", "\t"), key=header.count)


def records(text: str, delimiter: str) -> Iterator[list[Cell]]:
    """RFC 4180 records; a quoted cell may hold delimiters, line breaks and doubled quotes."""
    stop = re.compile(f"[{re.escape(delimiter)}\r\n]")
    pos = 1 if text.startswith("\ufeff") else 0  # offsets stay those of the file, byte-order mark included
    record: list[Cell] = []
    number = 1
    while pos < len(text):
        if text[pos] == '"':
            start = end = pos + 1
            while True:
                end = text.find('"', end)
                if end < 0:
                    raise CsvImportError([Problem(number, None, "a quoted cell is never closed")])
                if not text.startswith('""', end):
                    break
                end += 2
            raw, pos = text[start:end], end + 1
            if pos < len(text) and text[pos] not in f"{delimiter}\r\n":
                raise CsvImportError([Problem(number, None, f"unexpected {text[pos]!r} after a closing quote")])
            value = raw.strip().replace('""', '"')
        else:
            start = pos
            found = stop.search(text, pos)
            end = pos = found.start() if found else len(text)
            raw = text[start:end]
            value = raw.strip()
        lead, trail = len(raw) - len(raw.lstrip()), len(raw) - len(raw.rstrip())
        record.append(Cell(value, Span(start + lead, end - trail)))
        if pos >= len(text):
            break
        if text[pos] == delimiter:
            pos += 1
            if pos == len(text):
                record.append(Cell("", Span(pos, pos)))
            continue
        pos += 2 if text.startswith("\r\n", pos) else 1
        yield record
        record, number = [], number + 1
    if record:
        yield record


def read_sheet(text: str) -> list[Row]:
    """The data rows, keyed by column name; an unknown or missing column is an error."""
    first_line = text.split("\n", 1)[0]
    table = iter(records(text, delimiter_of(first_line)))
    header = [cell.value.casefold().replace(" ", "_") for cell in next(table, [])]
    problems = [Problem(1, name, "not a column of the template") for name in header if name not in COLUMNS]
    problems += [Problem(1, name, "this column is required") for name in REQUIRED if name not in header]
    if problems:
        raise CsvImportError(problems)
    rows = []
    for number, record in enumerate(table, start=2):
        if not any(cell.value for cell in record):
            continue
        if len(record) > len(header):
            raise CsvImportError([Problem(number, None, f"{len(record)} cells, but the header has {len(header)}")])
        rows.append(Row(number, dict(zip(header, record, strict=False))))
    return rows
