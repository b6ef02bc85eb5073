"""The action goals as a CSV table for spreadsheets, and the CSVW metadata that describes it (W3C CSV on the Web).

A measure directly under a strategic goal (where a town skips the level of action goals) stands in the
action goals' place, so it has a row too; its `ebene` says what the town calls it ("Schlüsselprojekt").
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib.namespace import DCTERMS, SKOS

from service.content.spreadsheets import neutralised
from service.rdf.namespaces import KZS, SPARQL_PROLOGUE
from service.store.embedded import Store, select, term

SEPARATOR = " | "  # between the values of a list cell (CSVW `separator`)

# One row per action goal (or measure in its place); multi-valued facts come from their own queries, so no row
# is ever multiplied.
ROWS = "{ ?goal a kzs:ActionGoal } UNION { ?goal a kzs:Measure ; kzs:isMeasureOf/a kzs:StrategicGoal }"
ACTION_GOALS = (
    SPARQL_PROLOGUE
    + """
SELECT ?g ?goal ?notation ?de ?en ?strategic ?strategicNotation ?strategicDe ?strategicEn ?priorities ?level WHERE {
  GRAPH ?g { { ?goal a kzs:ActionGoal } UNION { ?goal a kzs:Measure ; kzs:isMeasureOf/a kzs:StrategicGoal } }
  OPTIONAL { ?goal skos:notation ?notation }
  OPTIONAL { ?goal kzs:levelName ?level }
  OPTIONAL { ?goal skos:prefLabel ?de FILTER(LANG(?de) = "de") }
  OPTIONAL { ?goal skos:prefLabel ?en FILTER(LANG(?en) = "en") }
  OPTIONAL {
    ?goal kzs:isActionGoalOf|kzs:isMeasureOf ?strategic . ?strategic a kzs:StrategicGoal
    OPTIONAL { ?strategic skos:notation ?strategicNotation }
    OPTIONAL { ?strategic skos:prefLabel ?strategicDe FILTER(LANG(?strategicDe) = "de") }
    OPTIONAL { ?strategic skos:prefLabel ?strategicEn FILTER(LANG(?strategicEn) = "en") }
  }
  # Annual priorities are members of the collections P/jahresschwerpunkte/… (docs/model.md).
  OPTIONAL { ?priorities skos:member ?goal FILTER(CONTAINS(STR(?priorities), "/jahresschwerpunkte/")) }
}
"""
)

# Labels in one optional pattern, after DISTINCT: a label stated in many graphs (the district's, in every
# town's metadata) comes once per graph from the union, and two OPTIONALs would multiply those copies (261
# towns: 68,121 rows for one goal's link, a quadratic build of the dumps).
LINKED = """
SELECT DISTINCT ?goal ?value ?label WHERE {
  { SELECT DISTINCT ?goal ?value WHERE { GRAPH ?g { %s } ?goal <%s> ?value } }
  OPTIONAL { ?value skos:prefLabel ?label FILTER(LANG(?label) IN ("de", "en")) }
}
"""
AUDIENCES = SPARQL_PROLOGUE + LINKED % (ROWS, DCTERMS.audience)
RESPONSIBLE = SPARQL_PROLOGUE + LINKED % (ROWS, KZS.responsibleBody)
SECTORS = SPARQL_PROLOGUE + LINKED % (ROWS, KZS.sector)
# The links the editors added: described by an rdf:Statement with kzs:basis (docs/interpretation.md).
CURATED = """
SELECT DISTINCT ?goal ?value WHERE {
  ?statement rdf:subject ?goal ; rdf:predicate <%s> ; rdf:object ?value ; kzs:basis ?basis .
  %s
}
"""


@dataclass(frozen=True)
class Column:
    name: str
    de: str
    en: str
    rdf: dict[str, Any]  # the column's CSVW properties beyond name and titles


def about(column: str) -> str:
    return "{+" + column + "}"


def text(prop: str, lang: str, subject: str | None = None) -> dict[str, Any]:
    """A column of labels in one language, about the row's action goal or about the resource in `subject`."""
    return {"propertyUrl": prop, "lang": lang, **({"aboutUrl": about(subject)} if subject else {})}


def links(name: str, prop: str, separator: str | None = None) -> dict[str, Any]:
    """A column of IRIs the action goal links to with `prop`."""
    column = {"datatype": "anyURI", "propertyUrl": prop, "valueUrl": about(name)}
    return {**column, "separator": separator} if separator else column


HIDDEN = {"suppressOutput": True}  # for people, not for the RDF a CSVW processor makes
LIST = {"separator": SEPARATOR, "suppressOutput": True}
NOTATION, LABEL = str(SKOS.notation), str(SKOS.prefLabel)
STRATEGIC = "strategisches_ziel"

COLUMNS = (
    Column("programm", "Programm (Ordner)", "programme (folder)", HIDDEN),
    Column("handlungsziel", "Handlungsziel (IRI)", "action goal (IRI)", {"datatype": "anyURI", **HIDDEN}),
    Column("notation", "Nummer", "number", {"propertyUrl": NOTATION}),
    Column("handlungsziel_de", "Handlungsziel (deutsch)", "action goal (German)", text(LABEL, "de")),
    Column("handlungsziel_en", "Handlungsziel (englisch)", "action goal (English)", text(LABEL, "en")),
    # skos:broader: kzs:isActionGoalOf for an action goal, kzs:isMeasureOf for a measure in its place.
    Column(STRATEGIC, "Strategisches Ziel (IRI)", "strategic goal (IRI)", links(STRATEGIC, str(SKOS.broader))),
    Column(f"{STRATEGIC}_notation", "Nummer des strategischen Ziels", "number of the strategic goal",
           {"aboutUrl": about(STRATEGIC), "propertyUrl": NOTATION}),
    Column(f"{STRATEGIC}_de", "Strategisches Ziel (deutsch)", "strategic goal (German)", text(LABEL, "de", STRATEGIC)),
    Column(f"{STRATEGIC}_en", "Strategisches Ziel (englisch)", "strategic goal (English)",
           text(LABEL, "en", STRATEGIC)),
    Column("ebene", "Ebene (Bezeichnung der Kommune)", "level (the town's own name)",
           {"propertyUrl": str(KZS.levelName), "lang": "de"}),
    Column("jahresschwerpunkt", "Jahresschwerpunkt", "annual priority", {"datatype": "boolean", **HIDDEN}),
    # dct:audience: target groups, and kinds of actor a goal addresses (docs/concepts.md)
    Column("zielgruppen", "Zielgruppen und Akteurstypen (IRIs)", "target groups and kinds of actor (IRIs)",
           links("zielgruppen", str(DCTERMS.audience), SEPARATOR)),
    Column("zielgruppen_de", "Zielgruppen und Akteurstypen (deutsch)", "target groups and kinds of actor (German)",
           LIST),
    Column("zielgruppen_en", "Zielgruppen und Akteurstypen (englisch)", "target groups and kinds of actor (English)",
           LIST),
    Column("zielgruppen_kuratiert", "davon von der Redaktion ergänzt (IRIs)", "of these, added by the editors (IRIs)",
           LIST),
    Column("branchen", "Branchen (IRIs)", "sectors (IRIs)", links("branchen", str(KZS.sector), SEPARATOR)),
    Column("branchen_de", "Branchen (deutsch)", "sectors (German)", LIST),
    Column("branchen_en", "Branchen (englisch)", "sectors (English)", LIST),
    Column("zustaendig", "Zuständig (IRIs)", "responsible bodies (IRIs)",
           links("zustaendig", str(KZS.responsibleBody), SEPARATOR)),
    Column("zustaendig_de", "Zuständig (deutsch)", "responsible bodies (German)", LIST),
    Column("zustaendig_en", "Zuständig (englisch)", "responsible bodies (English)", LIST),
    Column("zustaendig_kuratiert", "davon von der Redaktion ergänzt (IRIs)", "of these, added by the editors (IRIs)",
           LIST),
)  # fmt: skip


def notation_key(notation: str) -> tuple[tuple[int, int | str], ...]:
    """'1.10' after '1.9': numeric parts compare as numbers, anything else as text."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in notation.split("."))


def linked(store: Store, query: str) -> dict[str, list[tuple[str, str, str]]]:
    """action goal → sorted, distinct (IRI, German label, English label) of what it links to."""
    labels: dict[tuple[str, str], dict[str, set[str]]] = {}
    for row in select(store, query):
        found = labels.setdefault((term(row, "goal"), term(row, "value")), {"de": set(), "en": set()})
        if (label := row["label"]) is not None:
            found[label.language or ""].add(label.value)
    values: dict[str, set[tuple[str, str, str]]] = {}
    for (goal, value), by_language in labels.items():
        for de, en in itertools.product(by_language["de"] or {""}, by_language["en"] or {""}):
            values.setdefault(goal, set()).add((value, de, en))
    return {goal: sorted(found) for goal, found in values.items()}


FIELDS = ("notation", "de", "en", "strategic", "strategicNotation", "strategicDe", "strategicEn", "level")


def action_goal_rows(store: Store, graph_keys: Mapping[str, str]) -> list[dict[str, str]]:
    """Rows of every action goal stated in one of the graphs `graph_keys` (graph IRI → programme key)."""
    audiences, responsible, sectors = linked(store, AUDIENCES), linked(store, RESPONSIBLE), linked(store, SECTORS)
    curated: dict[tuple[str, str], set[str]] = {}
    for prop in (DCTERMS.audience, KZS.responsibleBody):
        for row in select(store, SPARQL_PROLOGUE + CURATED % (prop, ROWS)):
            curated.setdefault((str(prop), term(row, "goal")), set()).add(term(row, "value"))
    found: dict[str, tuple[str, list[tuple[str, ...]], bool]] = {}
    for row in select(store, ACTION_GOALS):
        graph, goal = term(row, "g"), term(row, "goal")
        if graph in graph_keys:
            key, candidates, priority = found.get(goal, (graph_keys[graph], [], False))
            candidates.append(tuple(term(row, name) for name in FIELDS))
            found[goal] = key, candidates, priority or bool(term(row, "priorities"))
    rows = []
    for goal, (key, candidates, priority) in found.items():
        # A second label in one language would repeat the goal; the smallest values make one row, every time.
        notation, de, en, strategic, strategic_notation, strategic_de, strategic_en, level = min(candidates)
        groups, bodies, branches = audiences.get(goal, []), responsible.get(goal, []), sectors.get(goal, [])
        rows.append(
            {
                "programm": key,
                "handlungsziel": goal,
                "notation": notation,
                "handlungsziel_de": de,
                "handlungsziel_en": en,
                "strategisches_ziel": strategic,
                "strategisches_ziel_notation": strategic_notation,
                "strategisches_ziel_de": strategic_de,
                "strategisches_ziel_en": strategic_en,
                "ebene": level,  # the town's own name for the level, where its source gives one
                "jahresschwerpunkt": "true" if priority else "false",
                "zielgruppen": SEPARATOR.join(iri for iri, _, _ in groups),
                "zielgruppen_de": SEPARATOR.join(de for _, de, _ in groups if de),
                "zielgruppen_en": SEPARATOR.join(en for _, _, en in groups if en),
                "zielgruppen_kuratiert": SEPARATOR.join(
                    iri for iri, _, _ in groups if iri in curated.get((str(DCTERMS.audience), goal), ())
                ),
                "branchen": SEPARATOR.join(iri for iri, _, _ in branches),
                "branchen_de": SEPARATOR.join(de for _, de, _ in branches if de),
                "branchen_en": SEPARATOR.join(en for _, _, en in branches if en),
                "zustaendig": SEPARATOR.join(iri for iri, _, _ in bodies),
                "zustaendig_de": SEPARATOR.join(de for _, de, _ in bodies if de),
                "zustaendig_en": SEPARATOR.join(en for _, _, en in bodies if en),
                "zustaendig_kuratiert": SEPARATOR.join(
                    iri for iri, _, _ in bodies if iri in curated.get((str(KZS.responsibleBody), goal), ())
                ),
            }
        )
    return sorted(rows, key=lambda r: (r["programm"], notation_key(r["notation"]), r["handlungsziel"]))


def to_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """RFC 4180: comma-separated, CRLF line ends, a header row of the column names; UTF-8. Meant for
    spreadsheets, so no cell starts a formula (service/content/spreadsheets.py)."""
    return b"".join(csv_records(rows))


def csv_records(rows: Iterable[Mapping[str, str]]) -> list[bytes]:
    """The CSV's header and then each row, as the bytes `to_csv` joins (a record may span lines)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c.name for c in COLUMNS], lineterminator="\r\n")
    records = []
    for row in [None, *rows]:
        if row is None:
            writer.writeheader()
        else:
            writer.writerow({name: neutralised(value) for name, value in row.items()})
        records.append(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    return records


def csvw_metadata(csv_name: str, title: Mapping[str, str], license_iris: Iterable[str]) -> bytes:
    """The CSVW metadata of one CSV file, found beside it as `{csv_name}-metadata.json` (CSVW §5.2)."""
    columns = [
        # The header row holds the names, so the names are titles too (CSVW checks header against titles).
        {"name": c.name, "titles": {"und": c.name, "de": c.de, "en": c.en}, **c.rdf}
        for c in COLUMNS
    ]
    metadata: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_name,
        "dc:title": [{"@value": text, "@language": lang} for lang, text in sorted(title.items())],
        "dialect": {"encoding": "utf-8", "header": True, "delimiter": ","},
        "tableSchema": {"columns": columns, "primaryKey": "handlungsziel", "aboutUrl": about("handlungsziel")},
    }
    licenses = sorted(set(license_iris))
    if licenses:
        metadata["dc:license"] = [{"@id": iri} for iri in licenses]
    return (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
