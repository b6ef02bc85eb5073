"""A programme as a spreadsheet (`source.xlsx`, `source.ods` or `source.csv`, one row per goal) → its source graph.

The template (docs/adding-a-programme.md, `kzs template`): a header row naming the columns (in English, in
German, or both as "Ebene / level"), then one row per goal.

    level             vision, field of action, strategic goal, action goal, measure, overarching goal,
                      indicator (or the German Leitbild, Handlungsfeld, Strategisches Ziel, Handlungsziel,
                      Maßnahme, Übergreifendes Ziel, Kennzahl; a few towns' own words are known too)
    level_name        the town's own word for the level (optional: "Leistungsziel", "Schlüsselprojekt")
    notation          1, 2 for strategic goals; 1.1, 1.2 below goal 1; 1.1.1 for measures; Ü1 for
                      overarching goals; any short key for a vision or field of action
    parent            the notation of the row above this one in the hierarchy; empty at the top
    text              the goal's wording, verbatim
    description       the explanation printed with the goal (required for strategic goals)
    target_groups     shared target groups, separated by ';'
    responsible_body  the unit responsible for the goal
    field_of_action   the shared field of action (ontology/konzepte.ttl) the row belongs to

Each cell is a passage of the file: a quote of the cell and a kzs:CellSelector naming its row and column
(and, in a workbook, its sheet); in a CSV file also its offsets in Unicode code points, as for text
sources. So every goal points to the cell it was read from. Problems name the row (the header is row 1,
as in a spreadsheet) and the column. An unknown level, target group or field of action gets the nearest
known names as a suggestion.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

from service.config import Config
from service.ingest import research_sheet
from service.ingest.loader import Source, discover, parse, shape_files, validate
from service.ingest.sheet_files import Place, SheetFile, cell_passage, read_rows, source_of
from service.ingest.sheets import CsvImportError, Problem, Row, suggestion
from service.ingest.text_import import (
    DRAFT_BASE,
    LANGUAGE_AUTHORITY,
    ConceptIndex,
    ImportSettings,
    ProgrammeImportError,
    label_key,
    revision_of,
    slug,
)
from service.ingest.text_layout import Span
from service.rdf.namespaces import ELI, ISO639_3, KZS, OA, bind_prefixes

LIST_SEPARATOR = ";"

# What a spreadsheet may write in the `level` column (compared case-insensitively): English, German, and a
# few towns' own words. The first two are the names the template's drop-down list offers.
LEVEL_NAMES = {
    KZS.Vision: ("vision", "Leitbild"),
    KZS.OverarchingGoal: ("overarching goal", "Übergreifendes Ziel"),
    KZS.FieldOfAction: ("field of action", "Handlungsfeld"),
    KZS.StrategicGoal: ("strategic goal", "Strategisches Ziel"),
    KZS.ActionGoal: ("action goal", "Handlungsziel", "Operatives Ziel", "Leistungsziel"),
    KZS.Measure: ("measure", "Maßnahme", "Massnahme", "Schlüsselprojekt", "key project"),
    KZS.Indicator: ("indicator", "Kennzahl", "Indikator"),
}
LEVELS = {name.casefold(): level for level, names in LEVEL_NAMES.items() for name in names}
GOALS = (KZS.Vision, KZS.OverarchingGoal, KZS.StrategicGoal, KZS.ActionGoal)
# Which level a row's parent may have, and the pair of properties that links them.
PARENTS = {
    KZS.FieldOfAction: {KZS.Vision: (KZS.hasFieldOfAction, KZS.isFieldOfActionOf)},
    KZS.StrategicGoal: {
        KZS.Vision: (KZS.hasStrategicGoal, KZS.isStrategicGoalOf),
        KZS.FieldOfAction: (KZS.hasStrategicGoal, KZS.isStrategicGoalOf),
    },
    KZS.ActionGoal: {  # a skipped level: an action goal directly under a field of action
        KZS.StrategicGoal: (KZS.hasActionGoal, KZS.isActionGoalOf),
        KZS.FieldOfAction: (KZS.hasActionGoal, KZS.isActionGoalOf),
    },
    KZS.Measure: {  # a skipped level: a measure directly under a strategic goal (Sondershausen's Schlüsselprojekte)
        KZS.ActionGoal: (KZS.hasMeasure, KZS.isMeasureOf),
        KZS.StrategicGoal: (KZS.hasMeasure, KZS.isMeasureOf),
    },
    KZS.Indicator: {level: (KZS.hasIndicator, KZS.isIndicatorOf) for level in (*GOALS, KZS.Measure)},
}
# Where in the sheet a shape's complaint about a property points.
PATH_COLUMNS = {
    SKOS.prefLabel: "text",
    SKOS.definition: "description",
    SKOS.notation: "notation",
    DCTERMS.audience: "target_groups",
    KZS.responsibleBody: "responsible_body",
    DCTERMS.subject: "field_of_action",
    KZS.isActionGoalOf: "parent",
    KZS.isStrategicGoalOf: "parent",
    KZS.isMeasureOf: "parent",
    KZS.isFieldOfActionOf: "parent",
    KZS.isIndicatorOf: "parent",
    KZS.levelName: "level_name",
}


@dataclass(frozen=True)
class CsvSettings:
    base: ImportSettings
    title: str
    town: str | None

    @classmethod
    def read(cls, path: Path) -> CsvSettings:
        base = ImportSettings.read(path)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if not str(data.get("title", "")).strip():
            raise ProgrammeImportError(f"{path}: title is required for a spreadsheet (the programme's title)")
        return cls(base, str(data["title"]).strip(), data.get("town"))


@dataclass
class Goal:
    row: Row
    level: URIRef
    notation: str
    iri: URIRef = field(default=URIRef(""))


class SheetGraph:
    """Writes the triples for the rows of one sheet, collecting every problem on the way."""

    def __init__(self, source: SheetFile, rows: list[Row], settings: CsvSettings, concepts: Graph, folder: str):
        self.source, self.text, self.rows, self.settings = source, source.text, rows, settings
        self.concepts = ConceptIndex(concepts)

        def labels(scheme: str) -> list[str]:
            return sorted(
                str(label)
                for concept in concepts.subjects(SKOS.inScheme, URIRef(f"{DRAFT_BASE}id/konzept/{scheme}"))
                for label in concepts.objects(concept, SKOS.prefLabel)
                if isinstance(label, Literal) and label.language == settings.base.language
            )

        self.field_names, self.group_names = labels("handlungsfeld"), labels("zielgruppe")
        base = settings.base
        self.lang = base.language
        self.graph = bind_prefixes(Graph())
        self.town = URIRef(f"{DRAFT_BASE}id/kommune/{base.ags}")
        self.programme = URIRef(f"{self.town}/programm/{base.slug}")
        self.expression = URIRef(f"{self.programme}/fassung/{base.version}/{base.language}")
        self.manifestation = URIRef(f"{self.expression}/text")
        self.scheme = URIRef(f"{self.programme}/zielsystem/{base.version}")
        self.source_file = URIRef(f"{DRAFT_BASE}data/{folder}/{source.name}")
        self.problems: list[Problem] = []
        self.goals: dict[str, Goal] = {}  # by notation (or text, for a row without one)
        self.row_of: dict[URIRef, int] = {}

    def literal(self, text: str) -> Literal:
        return Literal(text, lang=self.lang)

    def problem(self, row: Row | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(row.number if row else None, column, message, self.source.sheet))

    def build(self, progress: Callable[[int, int], None] | None = None) -> Graph:
        self.document()
        goals = [goal for row in self.rows if (goal := self.classify(row)) is not None]
        for goal in sorted(goals, key=lambda g: list(LEVEL_NAMES).index(g.level)):  # a parent's IRI first
            goal.iri = self.mint(goal)
        for done, goal in enumerate(goals, start=1):
            self.goal(goal)
            if progress:
                progress(done, len(goals))
        if not goals and not self.problems:
            self.problem(None, None, "the sheet has no goals")
        if self.problems:
            raise CsvImportError(self.problems)
        return self.graph

    def document(self) -> None:
        settings, g = self.settings, self.graph
        title = self.literal(settings.title)
        for triple in (
            (self.programme, RDF.type, ELI.Work),
            (self.programme, DCTERMS.title, title),
            (self.programme, ELI.work_type, URIRef(f"{DRAFT_BASE}id/konzept/dokumenttyp/strategieprogramm")),
            (self.programme, ELI.is_realized_by, self.expression),
            (self.programme, DCTERMS.publisher, self.town),
            (
                self.programme,
                DCTERMS.spatial,
                URIRef(f"http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{settings.base.ags}"),
            ),
            (self.expression, RDF.type, ELI.Expression),
            (self.expression, ELI.realizes, self.programme),
            (self.expression, ELI.title, title),
            (self.expression, ELI.version, Literal(settings.base.version)),
            (self.expression, ELI.language, URIRef(LANGUAGE_AUTHORITY + ISO639_3.get(self.lang, self.lang.upper()))),
            (self.expression, ELI.is_embodied_by, self.manifestation),
            (self.manifestation, RDF.type, ELI.Manifestation),
            (self.manifestation, ELI.embodies, self.expression),
            (self.manifestation, DCTERMS.format, Literal(self.source.media_type)),
            (self.manifestation, ELI.is_exemplified_by, self.source_file),
            (self.scheme, RDF.type, SKOS.ConceptScheme),
            (
                self.scheme,
                SKOS.prefLabel,
                self.literal(f"Zielsystem: {settings.title}, Fassung {settings.base.version}"),
            ),
            (self.scheme, DCTERMS.source, self.expression),
        ):
            g.add(triple)
        if self.text is not None:  # a text file: passages have offsets into it (kzss:PassageOffsetsShape)
            g.add((self.manifestation, KZS.characterCount, Literal(len(self.text), datatype=XSD.nonNegativeInteger)))

    def classify(self, row: Row) -> Goal | None:
        level = LEVELS.get(label_key(row.get("level")))
        if level is None:
            known = [name for names in LEVEL_NAMES.values() for name in names]
            names = ", ".join(f"{names[1]} ({names[0]})" for names in LEVEL_NAMES.values())
            hint = suggestion(row.get("level"), known)
            self.problem(row, "level", f"{row.get('level')!r} is not a level.{hint} The levels: {names}")
            return None
        if not row.get("text"):
            self.problem(row, "text", "the goal's wording is missing")
        key = row.get("notation") or row.get("text")
        if key in self.goals:
            self.problem(row, "notation", f"{key!r} is used in row {self.goals[key].row.number} already")
            return None
        goal = Goal(row, level, row.get("notation"))
        self.goals[key] = goal
        return goal

    def parent(self, goal: Goal) -> Goal | None:
        key = goal.row.get("parent")
        if not key:
            return None
        parent = self.goals.get(key)
        if parent is None:
            self.problem(goal.row, "parent", f"no row has the notation {key!r}")
        return parent

    def mint(self, goal: Goal) -> URIRef:
        """The goal's IRI (docs/model.md), after checking that its notation fits its level and parent."""
        row, notation, p = goal.row, goal.notation, self.programme
        parent = self.parent(goal)
        expected = {
            KZS.StrategicGoal: (r"[1-9][0-9]*", "a number such as 3"),
            KZS.OverarchingGoal: (r"Ü[1-9][0-9]*", "Ü and a number, such as Ü2"),
        }
        if goal.level in expected and not re.fullmatch(expected[goal.level][0], notation):
            self.problem(row, "notation", f"{notation!r} is not {expected[goal.level][1]}")
        if goal.level in (KZS.ActionGoal, KZS.Measure):
            prefix = parent.notation if parent and parent.notation else "n"
            if not re.fullmatch(rf"{re.escape(prefix)}\.[1-9][0-9]*", notation):
                self.problem(
                    row, "notation", f"{notation!r} must be the parent's notation, a dot and a number ({prefix}.1)"
                )
        allowed = PARENTS.get(goal.level, {})
        if parent is not None and parent.level not in allowed:
            names = " or ".join(LEVEL_NAMES[level][0] for level in allowed) or "nothing (leave it empty)"
            self.problem(row, "parent", f"the parent of a {LEVEL_NAMES[goal.level][0]} must be a {names}")
        if goal.level in (KZS.ActionGoal, KZS.Measure, KZS.Indicator) and parent is None and not row.get("parent"):
            self.problem(row, "parent", f"a {LEVEL_NAMES[goal.level][0]} needs its parent's notation")
        tail = notation.rsplit(".", 1)[-1]
        if goal.level == KZS.Vision:
            return URIRef(f"{p}/vision")
        if goal.level == KZS.FieldOfAction:
            return URIRef(f"{p}/handlungsfeld/{slug(row.get('text')) or slug(notation)}")
        if goal.level == KZS.OverarchingGoal:
            return URIRef(f"{p}/uebergreifendes-ziel/{notation.removeprefix('Ü')}")
        if goal.level == KZS.StrategicGoal:
            return URIRef(f"{p}/ziel/{notation}")
        if goal.level == KZS.Indicator:
            return URIRef(f"{p}/indikator/{slug(notation) or slug(row.get('text'))}")
        if goal.level == KZS.ActionGoal and parent is not None and parent.level == KZS.FieldOfAction:
            return URIRef(f"{parent.iri}/handlungsziel/{tail}")
        if goal.level == KZS.ActionGoal:
            return URIRef(f"{p}/ziel/{notation.rsplit('.', 1)[0]}/handlungsziel/{tail}")
        return URIRef(f"{parent.iri if parent else p}/massnahme/{tail}")

    def goal(self, goal: Goal) -> None:
        row, iri, g = goal.row, goal.iri, self.graph
        self.row_of[iri] = row.number
        g.add((iri, RDF.type, goal.level))
        g.add((iri, SKOS.prefLabel, self.literal(row.get("text"))))
        if goal.level != KZS.Indicator:  # an indicator measures a goal; it is no part of the goal system
            g.add((iri, SKOS.inScheme, self.scheme))
        g.add((iri, PROV.wasQuotedFrom, self.passage(row, "text")))
        if goal.notation:
            g.add((iri, SKOS.notation, Literal(goal.notation)))
        if row.get("description"):
            g.add((iri, SKOS.definition, self.literal(row.get("description"))))
            g.add((iri, PROV.wasQuotedFrom, self.passage(row, "description")))
        elif goal.level == KZS.StrategicGoal:
            self.problem(row, "description", "a strategic goal needs its description")
        parent = self.goals.get(row.get("parent")) if row.get("parent") else None
        if parent is None:
            if goal.level != KZS.Indicator:
                g.add((iri, SKOS.topConceptOf, self.scheme))
                g.add((self.scheme, SKOS.hasTopConcept, iri))
        elif links := PARENTS.get(goal.level, {}).get(parent.level):
            g.add((parent.iri, links[0], iri))
            g.add((iri, links[1], parent.iri))
        self.field_of_action(goal)
        self.audience(goal)
        self.responsible_body(goal)

    def field_of_action(self, goal: Goal) -> None:
        row = goal.row
        name = row.get("field_of_action")
        if not name:
            if goal.level == KZS.FieldOfAction:
                self.problem(row, "field_of_action", "a field of action needs the shared field it stands for")
            return
        concept = self.concepts.by_label.get(("handlungsfeld", label_key(name)))
        if concept is None:
            known = "; ".join(self.field_names)
            hint = suggestion(name, self.field_names)
            message = f"no shared field of action {name!r}.{hint} The shared fields are: {known}"
            self.problem(row, "field_of_action", message)
            return
        self.graph.add((goal.iri, DCTERMS.subject, concept))

    def audience(self, goal: Goal) -> None:
        cell = goal.row.cells.get("target_groups")
        if cell is None or not cell.value:
            return
        raw = (self.text if self.text is not None else cell.value)[cell.span.start : cell.span.end]
        offset = 0
        for part in raw.split(LIST_SEPARATOR):
            start = cell.span.start + offset + len(part) - len(part.lstrip())
            offset += len(part) + len(LIST_SEPARATOR)
            name = part.strip().replace('""', '"') if self.text is not None else part.strip()
            if not name:
                continue
            concept = self.concepts.by_label.get(("zielgruppe", label_key(name)))
            if concept is None:
                hint = suggestion(name, self.group_names)
                self.problem(
                    goal.row,
                    "target_groups",
                    f"no shared target group {name!r}.{hint} If it is new, add it (or an skos:altLabel) to "
                    "ontology/konzepte.ttl",
                )
                continue
            key = f"zeile-{goal.row.number}-zielgruppe-{concept.rsplit('/', 1)[-1]}"
            span = Span(start, start + len(part.strip()))
            annotation = URIRef(f"{self.expression}/beleg/{key}")
            self.graph.add((goal.iri, DCTERMS.audience, concept))
            self.graph.add((annotation, RDF.type, OA.Annotation))
            self.graph.add((annotation, OA.motivatedBy, OA.identifying))
            self.graph.add((annotation, OA.hasBody, concept))
            self.graph.add((annotation, OA.hasTarget, self.span_passage(key, span, goal.row, "target_groups")))

    def responsible_body(self, goal: Goal) -> None:
        name = goal.row.get("responsible_body")
        if not name:
            return
        unit = URIRef(f"{self.town}/einheit/{slug(name)}")
        labels = set(self.graph.objects(unit, SKOS.prefLabel))
        if labels and self.literal(name) not in labels:
            self.problem(goal.row, "responsible_body", f"{name!r} is spelled differently in another row")
            return
        g = self.graph
        g.add((unit, RDF.type, ORG.OrganizationalUnit))
        g.add((unit, RDF.type, ORG.Organization))
        g.add((unit, SKOS.prefLabel, self.literal(name)))
        g.add((unit, ORG.unitOf, self.town))
        g.add((unit, PROV.wasQuotedFrom, self.passage(goal.row, "responsible_body")))
        g.add((goal.iri, KZS.responsibleBody, unit))

    def passage(self, row: Row, column: str) -> URIRef:
        key = f"zeile-{row.number}-{column.replace('_', '-')}"
        return self.span_passage(key, row.cells[column].span, row, column)

    def span_passage(self, key: str, span: Span, row: Row, column: str) -> URIRef:
        passage = URIRef(f"{self.expression}/stelle/{key}")
        if (passage, RDF.type, OA.SpecificResource) not in self.graph:
            cell_passage(self.graph, passage, self.manifestation, self.source, Place(row, column, span))
        return passage


@dataclass
class SheetImport:
    """The graph of a sheet, and where in the sheet each goal came from (for naming rows in shape problems)."""

    graph: Graph
    row_of: dict[URIRef, int]
    settings: CsvSettings
    sheet: str | None = None


def import_csv(folder: Path, concepts: Graph, progress: Callable[[int, int], None] | None = None) -> SheetImport:
    """Build the source graph of the folder's spreadsheet (`source_of`), or raise naming rows and columns."""
    settings = CsvSettings.read(folder / "import.toml")
    source, rows = read_rows(source_of(folder))
    sheet = SheetGraph(source, rows, settings, concepts, folder.name)
    graph = sheet.build(progress)
    graph = research_sheet.extend(folder, sheet)  # hook: level names and facts.csv (service/ingest/research_sheet.py)
    return SheetImport(revision_of(folder, settings.base, graph), sheet.row_of, settings, source.sheet)


def check(result: SheetImport, folder: Path, config: Config) -> list[Problem]:
    """Run the shapes over the whole project with this sheet's graph in place of the folder's programme.ttl."""
    target = folder.resolve() / "programme.ttl"
    graphs: dict[Source, Graph] = {}
    for source in discover(config):
        if source.path.resolve() == target:
            continue
        graphs[source] = parse(source, DRAFT_BASE)
    graphs[Source(target, "urn:kzs:import")] = result.graph
    problems = []
    for violation in validate(graphs, shape_files(config)):
        if violation.severity != "Violation" or (URIRef(violation.focus), None, None) not in result.graph:
            continue
        row = result.row_of.get(URIRef(violation.focus))
        column = PATH_COLUMNS.get(URIRef(violation.path)) if row else None
        message = f"{violation.message} ({violation.focus}, {violation.shape})"
        problems.append(Problem(row, column, message, result.sheet))
    return problems


def metadata_stub(settings: CsvSettings, folder: str) -> str:
    """A metadata.ttl naming the municipality (the publisher every work needs), to be checked by hand."""
    base = settings.base
    town = Literal(settings.town or "", lang="de").n3()
    return f"""# Registry facts (graph: graph/{folder}/metadaten), written by `kzs import` from import.toml because the
# folder had no metadata.ttl. Check the name and add what is known: the Wikidata item (schema:sameAs),
# the district. Data IRIs are relative to the configured base (no @base).

@prefix cv:   <http://data.europa.eu/m8g/> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<id/kommune/{base.ags}>
    a cv:PublicOrganisation , org:Organization ;
    skos:prefLabel {town} ;
    dct:identifier "{base.ags}" ;
    dct:spatial <http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{base.ags}> .
"""
