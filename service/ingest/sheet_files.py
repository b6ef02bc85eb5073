"""Which file a programme folder's sheet is (`source.xlsx`, `source.ods` or `source.csv`), its rows, and a
cell of it as a passage (docs/model.md, "Passages")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from service.ingest.sheets import CP1252, Row, decode_sheet, read_sheet
from service.ingest.text_import import QUOTE_CONTEXT, ProgrammeImportError
from service.ingest.text_layout import Span
from service.ingest.workbook import MEDIA_TYPES, read_workbook
from service.rdf.namespaces import KZS, OA

SOURCE = "source.csv"
SOURCES = ("source.xlsx", "source.ods", SOURCE)  # a folder has one of them


@dataclass(frozen=True)
class SheetFile:
    """Where the rows came from: the file's name and media type, its text (CSV only) and its sheet (workbooks)."""

    name: str
    media_type: str
    text: str | None = None
    sheet: str | None = None


def source_of(folder: Path) -> Path:
    """The folder's one spreadsheet (source.xlsx, source.ods or source.csv); ProgrammeImportError otherwise."""
    found = [folder / name for name in SOURCES if (folder / name).is_file()]
    if len(found) > 1:
        names = " and ".join(path.name for path in found)
        raise ProgrammeImportError(f"{folder}: has {names}; keep only the one the programme is read from")
    return found[0] if found else folder / SOURCE


def read_rows(path: Path) -> tuple[SheetFile, list[Row]]:
    """The rows of a CSV file or a workbook's goal sheet, and where they came from (the caller names the file)."""
    if path.name in MEDIA_TYPES:
        sheet, rows = read_workbook(path)
        return SheetFile(path.name, MEDIA_TYPES[path.name], sheet=sheet), rows
    try:
        text, charset = decode_sheet(path.read_bytes())
    except ValueError as error:
        raise ProgrammeImportError(f"{error}; save the sheet as 'CSV UTF-8' and import again") from error
    except OSError as error:
        raise ProgrammeImportError(f"cannot be read: {error}") from error
    media_type = f"text/csv; charset={CP1252 if charset == CP1252 else 'utf-8'}"
    return SheetFile(path.name, media_type, text), read_sheet(text)


@dataclass(frozen=True)
class Place:
    """A span of one cell: in the CSV file's text, or in the workbook cell's value."""

    row: Row
    column: str
    span: Span


def cell_passage(graph: Graph, passage: URIRef, manifestation: URIRef, source: SheetFile, place: Place) -> None:
    """The passage: a quote, the cell (kzs:CellSelector: sheet, row, column) and, in a CSV file, the offsets."""
    row, span = place.row, place.span
    text = source.text if source.text is not None else row.cells[place.column].value
    quote, cell = BNode(), BNode()
    graph.add((passage, RDF.type, OA.SpecificResource))
    graph.add((passage, OA.hasSource, manifestation))
    graph.add((passage, OA.hasSelector, quote))
    graph.add((passage, OA.hasSelector, cell))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(text[span.start : span.end])))
    for prop, context in (
        (OA.prefix, text[max(0, span.start - QUOTE_CONTEXT) : span.start]),
        (OA.suffix, text[span.end : span.end + QUOTE_CONTEXT]),
    ):
        if context or source.text is not None:
            graph.add((quote, prop, Literal(context)))
    graph.add((cell, RDF.type, KZS.CellSelector))
    graph.add((cell, KZS.row, Literal(row.number, datatype=XSD.positiveInteger)))
    graph.add((cell, KZS.column, Literal(row.letters[place.column])))
    if source.sheet is not None:
        graph.add((cell, KZS.sheetName, Literal(source.sheet)))
    if source.text is not None:
        position = BNode()
        graph.add((passage, OA.hasSelector, position))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
