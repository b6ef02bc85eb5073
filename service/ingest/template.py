"""`kzs template FILE.xlsx`: the workbook a town fills in, one sheet per purpose.

"Ziele" holds the header row (German and English, "Ebene / level") and the rows to fill; "Hilfe" the rules,
in German and English; "Listen" the values of the drop-down lists: the levels the importer knows, and the
target groups and fields of action of the shared schemes (ontology/konzepte.ttl, read with the loader).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from rdflib import SKOS, Graph, Literal, URIRef

from service.config import Config, shared_file
from service.ingest.csv_import import LEVEL_NAMES
from service.ingest.loader import Source, parse
from service.ingest.sheets import COLUMNS, HEADERS, header_title, letter
from service.ingest.text_import import DRAFT_BASE

GOAL_SHEET, HELP_SHEET, LIST_SHEET = "Ziele", "Hilfe", "Listen"
ROWS = 2000  # rows with drop-down lists and text cells, below the header

# What each column takes, in German and English (the help sheet's table).
RULES: dict[str, tuple[str, str]] = {
    "level": (
        "Die Ebene aus der Liste: Leitbild, Handlungsfeld, Strategisches Ziel, Handlungsziel, Maßnahme, "
        "Übergreifendes Ziel, Kennzahl (oder englisch). Jede Ebene darf fehlen: eine Maßnahme direkt unter "
        "einem strategischen Ziel, ein Handlungsziel direkt unter einem Handlungsfeld.",
        "The level from the list: vision, field of action, strategic goal, action goal, measure, overarching "
        "goal, indicator (or in German). Any level may be skipped: a measure directly under a strategic goal, "
        "an action goal directly under a field of action.",
    ),
    "notation": (
        "Die Nummer: 1, 2 für strategische Ziele; 1.1 unter Ziel 1; 1.1.1 für Maßnahmen; Ü1 für übergreifende "
        "Ziele; ein kurzes Kürzel für Leitbild, Handlungsfeld oder Kennzahl.",
        "The number: 1, 2 for strategic goals; 1.1 under goal 1; 1.1.1 for measures; Ü1 for overarching goals; "
        "a short key for a vision, field of action or indicator.",
    ),
    "parent": (
        "Die Nummer der übergeordneten Zeile; leer ganz oben.",
        "The number of the row above this one in the hierarchy; empty at the top.",
    ),
    "text": ("Der Wortlaut des Ziels, genau wie im Programm.", "The goal's wording, exactly as in the programme."),
    "description": (
        "Die Erläuterung, die das Programm zum Ziel druckt (für strategische Ziele nötig).",
        "The explanation the programme prints with the goal (required for strategic goals).",
    ),
    "target_groups": (
        "Gemeinsame Zielgruppen aus der Liste, mehrere durch ';' getrennt.",
        "Shared target groups from the list, several separated by ';'.",
    ),
    "responsible_body": ("Die zuständige Stelle der Verwaltung.", "The unit of the administration responsible."),
    "field_of_action": (
        "Das gemeinsame Handlungsfeld aus der Liste (für Handlungsfelder nötig).",
        "The shared field of action from the list (required for fields of action).",
    ),
    "level_name": (
        "Wie Ihre Kommune die Ebene nennt, wenn anders (etwa Leistungsziel, Schlüsselprojekt, Operatives Ziel); "
        "sie wird mit dem Ziel veröffentlicht.",
        "What your town calls the level, where it differs (such as Leistungsziel, Schlüsselprojekt, Operatives "
        "Ziel); it is published with the goal.",
    ),
}
# What a cell with a drop-down list says when it is selected.
PROMPTS = {
    "level": ("Die Ebene aus der Liste; jede Ebene darf fehlen.", "The level from the list; any level may be skipped."),
    "target_groups": (
        "Zielgruppen aus der Liste, mehrere durch ';' getrennt.",
        "Target groups from the list, several separated by ';'.",
    ),
    "field_of_action": ("Das gemeinsame Handlungsfeld aus der Liste.", "The shared field of action from the list."),
}
NOTES: tuple[tuple[str, str], ...] = (
    (
        "Eine Zeile je Ziel; die erste Zeile (die Überschriften) bleibt stehen.",
        "One row per goal; keep the first row (the headers).",
    ),
    (
        "Speichern als Excel-Arbeitsmappe (source.xlsx) oder OpenDocument-Tabelle (source.ods) im Ordner "
        "data/<kommune-jahr>/ neben import.toml, dann: kzs import --csv data/<kommune-jahr>",
        "Save as Excel workbook (source.xlsx) or OpenDocument spreadsheet (source.ods) in the folder "
        "data/<town-year>/ beside import.toml, then: kzs import --csv data/<town-year>",
    ),
    (
        "Jeder Fehler nennt Blatt, Zeile und Spalte. Jedes Ziel verweist auf seine Zelle; die Datei wird "
        "so veröffentlicht, wie sie ist.",
        "Every problem names sheet, row and column. Every goal points to its cell; the file is published as it is.",
    ),
    (
        "Fehlt eine Zielgruppe oder ein Handlungsfeld in der Liste, ergänzen Sie ontology/konzepte.ttl "
        "(docs/concepts.md).",
        "If a target group or field of action is missing from the list, add it to ontology/konzepte.ttl "
        "(docs/concepts.md).",
    ),
)


class TemplateError(Exception):
    """The template cannot be written; the message is one sentence."""


def scheme_labels(concepts: Graph, scheme: str, language: str) -> list[str]:
    """The preferred labels of a shared scheme's concepts in `language`, sorted."""
    iri = URIRef(f"{DRAFT_BASE}id/konzept/{scheme}")
    return sorted(
        str(label)
        for concept in concepts.subjects(SKOS.inScheme, iri)
        for label in concepts.objects(concept, SKOS.prefLabel)
        if isinstance(label, Literal) and label.language == language
    )


def lists(config: Config, language: str) -> dict[str, list[str]]:
    """The values of the drop-down lists, by column."""
    path = shared_file(config, "ontology", "konzepte.ttl")  # the project's, or the package's
    concepts = parse(Source(path, "urn:kzs:konzepte"), DRAFT_BASE, config)
    levels = [name for names in LEVEL_NAMES.values() for name in (names[1], names[0], *names[2:])]
    return {
        "level": levels,
        "target_groups": scheme_labels(concepts, "zielgruppe", language),
        "field_of_action": scheme_labels(concepts, "handlungsfeld", language),
    }


def write_template(path: Path, config: Config, language: str = "de") -> dict[str, list[str]]:
    """Write the workbook to `path` (an .xlsx that does not exist yet); the lists it offers."""
    if path.suffix.lower() != ".xlsx":
        raise TemplateError(f"{path}: the template is an Excel workbook; give a file name ending in .xlsx")
    if path.exists():
        raise TemplateError(f"{path}: exists already; give a new file name")
    if not path.parent.is_dir():
        raise TemplateError(f"{path.parent}: no such folder")
    values = lists(config, language)
    workbook = xlsxwriter.Workbook(str(path))
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    text = workbook.add_format({"num_format": "@"})  # "1.1" stays text, not the number 1.1
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    goals = workbook.add_worksheet(GOAL_SHEET)
    help_sheet = workbook.add_worksheet(HELP_SHEET)
    list_sheet = workbook.add_worksheet(LIST_SHEET)

    for index, column in enumerate(COLUMNS):
        goals.write_string(0, index, header_title(column), bold)
        goals.set_column(index, index, 40 if column in ("text", "description") else 22, text)
    goals.freeze_panes(1, 0)
    goals.set_row(0, 30)

    for index, (column, options) in enumerate(values.items()):
        list_sheet.write_string(0, index, header_title(column), bold)
        list_sheet.write_column(1, index, options)
        list_sheet.set_column(index, index, 40)
        first = COLUMNS.index(column)
        source = f"={LIST_SHEET}!${letter(index)}$2:${letter(index)}${len(options) + 1}"
        goals.data_validation(
            1,
            first,
            ROWS,
            first,
            {
                "validate": "list",
                "source": source,
                "input_title": HEADERS[column][0][:32],
                "input_message": "\n".join(PROMPTS[column]),  # at most 255 characters (Excel)
                # Several target groups go into one cell, and a field may be named by another label.
                "error_type": "stop" if column == "level" else "information",
                "show_error": column == "level",
            },
        )

    help_sheet.set_column(0, 0, 30)
    help_sheet.set_column(1, 2, 70, wrap)
    help_sheet.write_row(0, 0, ("Spalte / column", "Deutsch", "English"), bold)
    for row, column in enumerate(COLUMNS, start=1):
        help_sheet.write_string(row, 0, header_title(column), wrap)
        help_sheet.write_row(row, 1, RULES[column])
    start = len(COLUMNS) + 2
    help_sheet.write_row(start, 0, ("Hinweise / notes", "", ""), bold)
    for row, note in enumerate(NOTES, start=start + 1):
        help_sheet.write_row(row, 1, note)
    workbook.close()
    return values
