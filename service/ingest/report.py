"""`kzs validate --html`: what the shapes found, as a page a data officer reads, in German and English.

Every result is placed where it can be changed: a goal of a sheet at its row and column of the sheet (its
passages are cells, `…/stelle/zeile-{row}-{column}`), a goal of a text at the line of the text its passage starts
on, anything else at the line of the Turtle file that describes it. Each says what to change for the kind of
constraint it breaks, beside the shape's own message.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from service.config import Config
from service.ingest.csv_import import PATH_COLUMNS
from service.ingest.loader import LoadError, Source, Violation, parse
from service.rdf.namespaces import OA, PREFIXES
from service.texts import LANGUAGES

SHEETS = ("source.csv", "source.xlsx", "source.ods")  # what the spreadsheet route imports programme.ttl from
CELL = re.compile(r"/stelle/(?:.*-)?zeile-(\d+)-([a-z-]+?)(?:-zielgruppe-.*)?$")  # a passage that is a cell

# What the page says, in German and English, kept as service/texts.py keeps the pages' texts; {target} is a column
# or a property.
REPORT: dict[str, tuple[str, str]] = {
    "title": ("Prüfbericht", "Validation report"),
    "summary": ("{errors} Verstöße, {others} weitere Hinweise.", "{errors} violation(s), {others} other result(s)."),
    "none": ("Alle Dateien erfüllen die Regeln (SHACL).", "Every file meets the rules (SHACL)."),
    "at_cell": ("Zeile {row}, Spalte{column}", "row {row}, column{column}"),
    "at_line": ("Zeile {line}", "line {line}"),
    "in_file": ("in der Datei", "in the file"),
    "in_column": ("in Spalte {column}", "in column {column}"),
    "in_property": ("bei {path}", "at {path}"),
    "shape_says": ("Die Regel sagt", "The rule says"),
    "severity_Violation": ("Verstoß", "violation"),
    "severity_Warning": ("Warnung", "warning"),
    "severity_Info": ("Hinweis", "note"),
    "fix_MinCount": ("Es fehlt eine Angabe: ergänzen Sie sie {target}.", "Something is missing: add it {target}."),
    "fix_MaxCount": (
        "Hier steht mehr als erlaubt: lassen Sie {target} nur so viele Angaben wie die Regel erlaubt.",
        "There is more than allowed: keep only as many values {target} as the rule allows.",
    ),
    "fix_QualifiedMinCount": (
        "Es fehlt eine Angabe der geforderten Art {target}.",
        "A value of the kind required is missing {target}.",
    ),
    "fix_Class": (
        "Der Eintrag {target} verweist auf etwas der falschen Art: nennen Sie einen bekannten Begriff oder ein Ziel "
        "der geforderten Ebene.",
        "The entry {target} points at the wrong kind of thing: name a known concept or a goal of the level required.",
    ),
    "fix_Datatype": (
        "Der Wert {target} hat das falsche Format (Zahl, Datum, Text).",
        "The value {target} has the wrong format (number, date, text).",
    ),
    "fix_Pattern": (
        "Der Wert {target} hat nicht die Form, die die Regel verlangt.",
        "The value {target} does not have the form the rule asks for.",
    ),
    "fix_In": (
        "Der Wert {target} ist keiner der erlaubten Werte.",
        "The value {target} is not one of the values allowed.",
    ),
    "fix_NodeKind": (
        "Der Eintrag {target} muss eine Adresse (IRI) sein, kein Text.",
        "The entry {target} must be an address (IRI), not text.",
    ),
    "fix_LanguageIn": (
        "Der Text {target} braucht die geforderte Sprache (@de, @en).",
        "The text {target} needs the language required (@de, @en).",
    ),
    "fix_UniqueLang": (
        "Je Sprache ist nur ein Text erlaubt {target}: streichen Sie die übrigen.",
        "Only one text per language is allowed {target}: remove the others.",
    ),
    "fix_MinLength": ("Der Text {target} ist zu kurz oder leer.", "The text {target} is too short or empty."),
    "fix_MaxLength": ("Der Text {target} ist zu lang.", "The text {target} is too long."),
    "fix_other": (
        "Ändern Sie den Eintrag {target}, wie die Regel es verlangt.",
        "Change the entry {target} as the rule asks.",
    ),
}

# What each column of the sheet holds (docs/adding-a-programme.md), added to the hint of a result placed there.
COLUMN_HINTS: dict[str, tuple[str, str]] = {
    "text": (
        "Spalte text: der Wortlaut des Ziels, wörtlich aus dem Programm.",
        "Column text: the goal's wording, verbatim from the programme.",
    ),
    "description": (
        "Spalte description: die Erläuterung des Ziels (für strategische Ziele nötig).",
        "Column description: the goal's explanation (required for strategic goals).",
    ),
    "notation": (
        "Spalte notation: die Nummer des Ziels, etwa 2 für ein strategisches Ziel, 2.1 für ein Handlungsziel darunter.",
        "Column notation: the goal's number, such as 2 for a strategic goal and 2.1 for an action goal below it.",
    ),
    "parent": (
        "Spalte parent: die Nummer (notation) des übergeordneten Ziels aus einer anderen Zeile.",
        "Column parent: the number (notation) of the goal above, from another row.",
    ),
    "target_groups": (
        "Spalte target_groups: Zielgruppen aus der gemeinsamen Liste (ontology/konzepte.ttl), durch ; getrennt.",
        "Column target_groups: target groups from the shared list (ontology/konzepte.ttl), separated by ;.",
    ),
    "responsible_body": (
        "Spalte responsible_body: die zuständige Stelle, in jeder Zeile gleich geschrieben.",
        "Column responsible_body: the unit responsible, spelled alike in every row.",
    ),
    "field_of_action": (
        "Spalte field_of_action: ein gemeinsames Handlungsfeld (ontology/konzepte.ttl).",
        "Column field_of_action: a shared field of action (ontology/konzepte.ttl).",
    ),
}


@dataclass(frozen=True)
class Place:
    """Where a result can be changed: a file, and its row and column (sheets) or its line."""

    file: str  # relative to the project folder
    row: int | None = None
    column: str | None = None  # the column's header
    letter: str = ""  # the column as a spreadsheet names it: A, B, …
    line: int | None = None
    quote: str = ""  # the wording there (the goal's text), so the data officer recognises the place

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.row or self.line or 0, self.column or "")


class Locator:
    """Places results, parsing each file it needs once."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.graphs: dict[Path, Graph | None] = {}

    def place(self, violation: Violation) -> Place:
        first = violation.file.split(", ")[0]
        if first == "(no file)":
            return Place(first)
        path = Path(first)
        focus, folder = URIRef(violation.focus), path.parent
        sheet = next((folder / name for name in SHEETS if (folder / name).is_file()), None)
        if path.name == "programme.ttl" and sheet is not None:
            cell = self.cell(path, focus, violation.path)
            if cell is not None:
                row, column = cell
                letter = column_letter(sheet, column)
                return Place(self.relative(sheet), row, column, letter, quote=self.quote(path, focus))
        if path.name == "programme.ttl" and (folder / "source.txt").is_file():
            start = self.passage_start(path, focus)
            if start is not None:
                text = (folder / "source.txt").read_text(encoding="utf-8")
                line = text.count("\n", 0, start) + 1
                return Place(self.relative(folder / "source.txt"), line=line, quote=self.quote(path, focus))
        return Place(self.relative(path), line=turtle_line(path, violation.focus, self.config.base_uri))

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.config.project_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def graph(self, path: Path) -> Graph | None:
        if path not in self.graphs:
            try:
                self.graphs[path] = parse(Source(path, ""), self.config.base_uri, self.config)
            except LoadError:
                self.graphs[path] = None
        return self.graphs[path]

    def passages(self, path: Path, focus: URIRef) -> list[str]:
        graph = self.graph(path)
        found = [] if graph is None else [str(p) for p in graph.objects(focus, PROV.wasQuotedFrom)]
        return sorted(found) + [str(focus)]  # a passage may be the focus itself

    def cell(self, path: Path, focus: URIRef, result_path: str) -> tuple[int, str] | None:
        """The sheet's row and column the result points at: the column of the property, else the passage's."""
        cells = [(int(m[1]), m[2].replace("-", "_")) for p in self.passages(path, focus) if (m := CELL.search(p))]
        if not cells:
            return None
        column = column_of(result_path)
        row = cells[0][0]
        return row, column or next((c for r, c in cells if c == "text"), cells[0][1])

    def quote(self, path: Path, focus: URIRef, longest: int = 80) -> str:
        """The wording of the focus node's first passage in the source, shortened to `longest` characters."""
        graph = self.graph(path)
        if graph is None:
            return ""
        found: dict[str, int] = {}  # exact text → where it starts
        for passage in graph.objects(focus, PROV.wasQuotedFrom):
            selectors = list(graph.objects(passage, OA.hasSelector))
            exact = next((t for s in selectors if (t := graph.value(s, OA.exact)) is not None), None)
            start = next((t for s in selectors if (t := graph.value(s, OA.start)) is not None), None)
            if exact is not None:
                found[str(exact)] = int(str(start)) if start is not None else 0
        words = " ".join(min(found, key=found.__getitem__).split()) if found else ""
        return words if len(words) <= longest else words[: longest - 1].rstrip() + "…"

    def passage_start(self, path: Path, focus: URIRef) -> int | None:
        graph = self.graph(path)
        if graph is None:
            return None
        starts = [
            int(str(start))
            for passage in graph.objects(focus, PROV.wasQuotedFrom)
            for selector in graph.objects(passage, OA.hasSelector)
            if (start := graph.value(selector, OA.start)) is not None
        ]
        return min(starts, default=None)


def column_of(result_path: str) -> str | None:
    """The sheet column a property path starts with (`p`, `p/q`; an inverse `^p` points at other rows)."""
    return next((column for p, column in PATH_COLUMNS.items() if result_path.startswith(str(p))), None)


def compact(iri: str) -> str:
    """An IRI or a path of IRIs with the usual prefixes: skos:prefLabel, ^kzs:isActionGoalOf."""
    for prefix, namespace in PREFIXES.items():
        iri = iri.replace(namespace, f"{prefix}:")
    return iri


def column_letter(sheet: Path, column: str) -> str:
    """The spreadsheet letter (A, B, …) of the column headed `column`; empty if the header lacks it."""
    try:
        header = next(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8").split("\n", 1)[0])))
    except (OSError, UnicodeDecodeError, StopIteration):
        return ""
    names = [name.strip() for name in header]
    if column not in names:
        return ""
    index, letters = names.index(column) + 1, ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def turtle_line(path: Path, focus: str, base: str) -> int | None:
    """The first line of a Turtle file that starts with the focus node (as written, relative to the base), else
    the first that mentions it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    written = [f"<{focus}>", f"<{focus.removeprefix(base)}>"] if focus.startswith(base) else [f"<{focus}>"]
    for test in (str.startswith, str.__contains__):
        for number, line in enumerate(lines, start=1):
            if any(test(line.strip(), term) for term in written):
                return number
    return None


def hint(violation: Violation, place: Place, language: str) -> str:
    """What to change, for the kind of constraint the result breaks."""
    kind = violation.component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    de, en = REPORT.get(f"fix_{kind}", REPORT["fix_other"])
    where = REPORT["in_column"] if place.column else REPORT["in_property"]
    index = LANGUAGES.index(language)
    target = where[index].format(column=place.column, path=compact(violation.path))
    column = COLUMN_HINTS.get(place.column or "")
    return (de, en)[index].format(target=target) + (f" {column[index]}" if column else "")


def render(config: Config, violations: list[Violation]) -> str:
    """The page: a summary, then every result grouped by file, in the order of rows or lines."""
    locator = Locator(config)
    placed = sorted(((locator.place(v), v) for v in violations), key=lambda pv: (pv[0].sort_key(), pv[1].focus))
    groups: dict[str, list[tuple[Place, Violation]]] = defaultdict(list)
    for place, violation in placed:
        groups[place.file].append((place, violation))
    errors = sum(v.severity == "Violation" for v in violations)
    t = {key: (html.escape(de), html.escape(en)) for key, (de, en) in REPORT.items()}
    out = [
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">',
        f"<title>{t['title'][0]} / {t['title'][1]}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "li{margin-bottom:1rem}.en{color:#555}.where{font-weight:bold}code{background:#f3f3f3}</style>",
        "</head>\n<body>",
        f'<h1>{t["title"][0]} <span class="en" lang="en">/ {t["title"][1]}</span></h1>',
        f"<p>{t['summary'][0].format(errors=errors, others=len(violations) - errors)}<br>"
        f'<span class="en" lang="en">{t["summary"][1].format(errors=errors, others=len(violations) - errors)}</span>'
        "</p>",
    ]
    if not violations:
        out.append(f'<p>{t["none"][0]}<br><span class="en" lang="en">{t["none"][1]}</span></p>')
    for file, entries in groups.items():
        out.append(f"<h2><code>{html.escape(file)}</code></h2>\n<ol>")
        out.extend(entry(place, violation, t) for place, violation in entries)
        out.append("</ol>")
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def entry(place: Place, violation: Violation, t: dict[str, tuple[str, str]]) -> str:
    if place.row is not None:
        letter = f" {place.letter}" if place.letter else ""
        column = f" ({html.escape(place.column or '')})" if place.column else ""
        where = [text.format(row=place.row, column=f"{letter}{column}") for text in t["at_cell"]]
    elif place.line is not None:
        where = [text.format(line=place.line) for text in t["at_line"]]
    else:
        where = list(t["in_file"])
    if place.quote:
        where = [f"{text} „{html.escape(place.quote)}“" for text in where]
    severity = t.get(f"severity_{violation.severity}", (violation.severity, violation.severity))
    de, en = (html.escape(hint(violation, place, language)) for language in LANGUAGES)
    return (
        f'<li><span class="where">{where[0]}</span> <span class="en" lang="en">/ {where[1]}</span> — '
        f'{severity[0]} <span class="en" lang="en">/ {severity[1]}</span><br>'
        f'{de}<br><span class="en" lang="en">{en}</span><br>'
        f'{t["shape_says"][0]} <span class="en" lang="en">/ {t["shape_says"][1]}</span>: '
        f'<q lang="en">{html.escape(violation.message)}</q><br>'
        f"<small><code>{html.escape(violation.focus)}</code> · <code>{html.escape(compact(violation.path))}</code> · "
        f"<code>{html.escape(violation.shape)}</code></small></li>"
    )


def write_report(target: Path, config: Config, violations: list[Violation]) -> None:
    target.write_text(render(config, violations), encoding="utf-8")
