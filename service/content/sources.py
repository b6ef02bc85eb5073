"""A programme's source as a reader sees it: the text with its `**bold**` spans, one passage highlighted.

Passages point into the source file by character offsets (Unicode code points, markup included), so the
offsets here are those of the file as it is; the `**` markers are read as bold and not shown. A sheet source
(`source.csv`) is shown as its rows, and the row that holds the passage is the one highlighted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from service.ingest.sheets import delimiter_of, records

BOLD = "**"
ANCHOR = "stelle"  # the id of the marked passage on the source page
FILES = ("source.txt", "source.csv")  # a folder with both is read as text, as `kzs import` does


@dataclass(frozen=True)
class Piece:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class MarkedText:
    """The text in three parts: before the passage, the passage, after it; each a run of pieces."""

    before: tuple[Piece, ...]
    passage: tuple[Piece, ...]
    after: tuple[Piece, ...]


@dataclass(frozen=True)
class Cell:
    text: str
    marked: bool = False


@dataclass(frozen=True)
class SheetRow:
    number: int  # as a spreadsheet counts: the header is row 1
    cells: tuple[Cell, ...]
    marked: bool = False


def check_span(text: str, start: int | None, end: int | None) -> None:
    """Raise ValueError unless `start`–`end` is a span of `text` (both given, or neither)."""
    if (start is None) != (end is None):
        raise ValueError("give both 'start' and 'end', or neither")
    if start is not None and end is not None and not 0 <= start <= end <= len(text):
        raise ValueError(f"the span {start}–{end} is not within the source's {len(text)} characters")


def pieces(text: str, offset: int = 0) -> Iterator[tuple[int, int, bool]]:
    """(start, end, bold) of the runs between `**` markers, as offsets into `text` plus `offset`."""
    bold, at = False, 0
    while at <= len(text):
        found = text.find(BOLD, at)
        stop = len(text) if found < 0 else found
        if stop > at:
            yield offset + at, offset + stop, bold
        if found < 0:
            return
        bold, at = not bold, found + len(BOLD)


def marked_text(text: str, start: int | None = None, end: int | None = None) -> MarkedText:
    """`text` split at its `**` markers and at the passage `start`–`end` (nothing marked without one)."""
    check_span(text, start, end)
    parts: tuple[list[Piece], list[Piece], list[Piece]] = ([], [], [])
    low, high = (start, end) if start is not None and end is not None else (len(text), len(text))
    for run_start, run_end, bold in pieces(text):
        for index, (lo, hi) in enumerate(
            ((run_start, low), (max(run_start, low), high), (max(run_start, high), run_end))
        ):
            lo, hi = max(lo, run_start), min(hi, run_end)
            if hi > lo:
                parts[index].append(Piece(text[lo:hi], bold))
    return MarkedText(*(tuple(p) for p in parts))


def sheet_rows(text: str, start: int | None = None, end: int | None = None) -> list[SheetRow]:
    """The rows of a CSV source, read as the importer reads them; the cell that holds `start` and its row are
    marked."""
    check_span(text, start, end)
    rows = []
    table = records(text, delimiter_of(text.split("\n", 1)[0]))
    for number, record in enumerate(table, start=1):
        cells = tuple(
            Cell(c.value, start is not None and c.span.start <= start < max(c.span.end, c.span.start + 1))
            for c in record
        )
        rows.append(SheetRow(number, cells, any(c.marked for c in cells)))
    return rows


def source_link(base: str, file_iri: str, start: int, end: int) -> str | None:
    """The source view of the passage `start`–`end` of the file `file_iri`, if it is one of ours."""
    prefix = f"{base}data/"
    if not file_iri.startswith(prefix):
        return None
    programme, _, name = file_iri[len(prefix) :].partition("/")
    if name not in FILES or not programme:
        return None
    return f"{prefix}{programme}/source.html?" + urlencode({"start": start, "end": end}) + f"#{ANCHOR}"
