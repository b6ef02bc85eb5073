"""A spreadsheet's goal sheet (CSV text, or one sheet of a workbook): its rows as cells with their places.

In a CSV file a cell's place is its offsets in Unicode code points into the file's text (a byte-order mark
counts), so each cell can be quoted as a passage exactly as text sources are. In a workbook it is the sheet,
row and column. Problems name the row as a spreadsheet counts it (the header is row 1) and the column by its
name in the template.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from service.ingest.loader import decode_utf8
from service.ingest.text_import import ProgrammeImportError, label_key
from service.ingest.text_layout import Span

# Each column, with its German and English header as the template writes them ("Ebene / level"); a header
# may give either, both, or the column's key.
HEADERS = {
    "level": ("Ebene", "level"),
    "notation": ("Nummer", "notation"),
    "parent": ("Übergeordnet", "parent"),
    "text": ("Wortlaut", "text"),
    "description": ("Erläuterung", "description"),
    "target_groups": ("Zielgruppen", "target groups"),
    "responsible_body": ("Zuständig", "responsible body"),
    "field_of_action": ("Handlungsfeld", "field of action"),
    "level_name": ("Bezeichnung der Ebene", "level name"),  # last: the other columns keep the letters of old sheets
}
COLUMNS = tuple(HEADERS)
REQUIRED = ("level", "notation", "parent", "text")
CP1252 = "windows-1252"


def normal(title: str) -> str:
    return " ".join(title.replace("_", " ").casefold().split())


NAMES = {normal(name): column for column, pair in HEADERS.items() for name in (column, *pair)}
NAMES[normal("ebene_name")] = "level_name"


def column_of(title: str) -> str | None:
    """The column a header cell names: 'Zielgruppen / target groups', 'Zielgruppen', 'target_groups'."""
    if (column := NAMES.get(normal(title))) is not None:
        return column
    found = {NAMES.get(normal(part)) for part in re.split(r"[/()]", title) if part.strip()}
    return found.pop() if len(found) == 1 and None not in found else None


def header_title(column: str) -> str:
    de, en = HEADERS[column]
    return f"{de} / {en}"


def suggestion(name: str, known: list[str]) -> str:
    """' Did you mean …?' with the nearest known names, or nothing."""
    by_key = {label_key(k): k for k in known}
    near = difflib.get_close_matches(label_key(name), list(by_key), n=3, cutoff=0.7)
    return f" Did you mean {' or '.join(repr(by_key[n]) for n in near)}?" if near else ""


def letter(index: int) -> str:
    """The spreadsheet's name of the column at 0-based `index`: A, …, Z, AA, …"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None  # in a workbook

    def __str__(self) -> str:
        where = [f"sheet {self.sheet!r}"] if self.sheet else []
        where += [f"row {self.row}"] if self.row else []
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
    span: Span  # the cell's content without quotes and surrounding blanks: in the file (CSV), in `value` (workbook)


@dataclass
class Row:
    number: int  # as a spreadsheet counts: the header is row 1
    cells: dict[str, Cell]
    letters: dict[str, str] = field(default_factory=dict)  # column → its letter (A, B, …)

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
    """The data rows of CSV text, keyed by column name; an unknown or missing column is an error."""
    first_line = text.split("\n", 1)[0]
    return table(records(text, delimiter_of(first_line)))


def header_problems(titles: list[str], sheet: str | None = None) -> list[Problem]:
    columns = [column_of(title) for title in titles]
    problems = [
        Problem(1, title, "not a column of the template", sheet)
        for title, column in zip(titles, columns, strict=True)
        if column is None and title
    ]
    problems += [
        Problem(1, title, f"names the column {column} again", sheet)
        for index, (title, column) in enumerate(zip(titles, columns, strict=True))
        if column is not None and column in columns[:index]
    ]
    return problems + [Problem(1, name, "this column is required", sheet) for name in REQUIRED if name not in columns]


def table(lines: Iterable[list[Cell]], sheet: str | None = None) -> list[Row]:
    """A header row naming the template's columns, then one row per goal (empty rows are skipped)."""
    lines = iter(lines)
    titles = [cell.value for cell in next(lines, [])]
    if problems := header_problems(titles, sheet):
        raise CsvImportError(problems)
    header = [column_of(title) or "" for title in titles]
    letters = {column: letter(index) for index, column in enumerate(header) if column}
    rows = []
    for number, record in enumerate(lines, start=2):
        if not any(cell.value for cell in record):
            continue
        if any(cell.value for cell in record[len(header) :]):
            message = f"{len(record)} cells, but the header has {len(header)}"
            raise CsvImportError([Problem(number, None, message, sheet)])
        cells = {column: cell for column, cell in zip(header, record, strict=False) if column}
        rows.append(Row(number, cells, letters))
    return rows


def decode_sheet(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and its charset: UTF-8, or Windows-1252 where that is certain.

    German Excel's "CSV (Trennzeichen-getrennt)" writes Windows-1252 with ';' between cells. Such a file is
    read when its bytes are not UTF-8, are all defined in Windows-1252, and its first line, split at ';',
    names the template's columns; anything else that is not UTF-8 is refused (ValueError)."""
    try:
        return decode_utf8(raw), "utf-8"
    except ValueError as error:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise error from None
        titles = [cell.value for cell in next(records(text.split("\n", 1)[0], ";"), [])]
        if len(titles) > 1 and not header_problems(titles):
            return text, CP1252
        raise ValueError(
            f"{error}, and not the Windows-1252 with ';' that German Excel's 'CSV (Trennzeichen-getrennt)' writes"
            " (its header row would name the template's columns)"
        ) from None
