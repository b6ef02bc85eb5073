"""Programmes side by side: the matrices and lists of /vergleich, computed by the canned queries.

The page runs the very `.rq` files of service/queries/ that researchers run at /sparql, with the same
parameters, so the two cannot disagree. Labels are picked per language here (German is the fallback:
the sources are German), since the queries return the original wording.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from service.rdf.namespaces import SPARQL_PROLOGUE
from service.store.embedded import Store, select
from service.texts import collation_key

QUERIES = Path(__file__).parent.parent / "queries"
SDG_SCHEME = "http://metadata.un.org/sdg"


@cache
def query_text(name: str) -> str:
    """The text of the canned query service/queries/{name}.rq."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def run(store: Store, name: str, base: str, text_only: bool = False, **parameters: str) -> ox.QuerySolutions:
    """A canned query with its parameters bound as the SPARQL endpoint would resolve its relative IRIs;
    `text_only` binds the query's switch that drops every link the editors added."""
    bound: dict[str, ox.NamedNode | ox.Literal] = {key: ox.NamedNode(value) for key, value in parameters.items()}
    if text_only:
        bound["text_only"] = ox.Literal("ja")
    return select(store, query_text(name), substitutions=bound, base_iri=f"{base}sparql")


# Labels of everything a comparison names, in every language; picked per page.
LABELS = (
    SPARQL_PROLOGUE
    + """
SELECT ?groups ?fields ?sdg ?thing ?label WHERE {
  { ?thing a eli:Work ; dct:title ?label }
  UNION { ?thing skos:inScheme ?scheme ; skos:prefLabel ?label FILTER (?scheme IN (?groups, ?fields, ?sdg)) }
}
"""
)


@dataclass
class Labels:
    """Every language's label of each thing; `get` picks the page's language, else German, else any."""

    by_thing: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def get(self, iri: str, language: str) -> tuple[str, str]:
        """(label, its language): the page's language where there is one, else German, else any."""
        found = self.by_thing.get(iri, {})
        for candidate in (language, "de", *found):
            if candidate in found:
                return found[candidate], candidate
        return iri, ""


def labels(store: Store, base: str) -> Labels:
    result = Labels()
    schemes = {"groups": f"{base}id/konzept/zielgruppe", "fields": f"{base}id/konzept/handlungsfeld", "sdg": SDG_SCHEME}
    rows = select(store, LABELS, substitutions={name: ox.NamedNode(iri) for name, iri in schemes.items()})
    for row in rows:
        label = row["label"]
        if isinstance(label, ox.Literal):
            result.by_thing[row["thing"].value].setdefault(label.language or "", label.value)
    return result


@dataclass(frozen=True)
class Programme:
    iri: str
    key: str  # the path after {base}id/, used in the page's URLs
    title: str
    language: str


def programmes(store: Store, base: str, names: Labels, language: str) -> list[Programme]:
    """The works that have a version with a text of their own, by title."""
    found = {row["programme"].value for row in select(store, WORKS)}
    listed = []
    for iri in found:
        title, lang = names.get(iri, language)
        listed.append(Programme(iri, iri.removeprefix(f"{base}id/"), title, lang))
    return sorted(listed, key=lambda p: collation_key(p.title))


WORKS = (
    SPARQL_PROLOGUE
    + """
SELECT DISTINCT ?programme WHERE {
  ?programme a eli:Work ; eli:is_realized_by ?version .
  ?version eli:is_embodied_by ?text .
}
"""
)


@dataclass(frozen=True)
class Cell:
    count: int
    row: str  # IRI of the target group or SDG goal
    programme: Programme
    curated: int = 0  # how many of the counted goals are linked by the editors, not by the text


@dataclass
class Matrix:
    """Rows (target groups or SDG goals) × programmes; each cell counts action goals."""

    programmes: list[Programme]
    rows: list[tuple[str, str, str]]  # (IRI, label, label's language)
    counts: dict[tuple[str, str], int]
    curated: dict[tuple[str, str], int] = field(default_factory=dict)

    def cells(self, row: str) -> list[Cell]:
        return [
            Cell(self.counts.get((row, p.iri), 0), row, p, self.curated.get((row, p.iri), 0)) for p in self.programmes
        ]


def audience_matrix(
    store: Store, base: str, names: Labels, shown: list[Programme], language: str, text_only: bool = False
) -> Matrix:
    counts, curated = {}, {}
    for row in run(store, "zielgruppen-nach-programm", base, text_only=text_only):
        key = (row["group"].value, row["programme"].value)
        counts[key], curated[key] = int(row["actionGoals"].value), int(row["curated"].value)
    groups = {group for group, _ in counts}
    rows = sorted(((g, *names.get(g, language)) for g in groups), key=lambda r: collation_key(r[1]))
    return Matrix(shown, rows, counts, curated)


SDG_GOALS = (
    SPARQL_PROLOGUE
    + """
SELECT ?scheme ?goal ?notation WHERE {
  ?goal skos:topConceptOf ?scheme ; skos:notation ?notation .
}
"""
)


def sdg_matrix(
    store: Store, base: str, names: Labels, shown: list[Programme], language: str, text_only: bool = False
) -> Matrix:
    """All 17 goals, so that a goal no programme contributes to shows as a row of zeros."""
    counts, curated = {}, {}
    for row in run(store, "sdg-ziele-nach-programm", base, text_only=text_only):
        key = (row["sdg"].value, row["programme"].value)
        counts[key], curated[key] = int(row["actionGoals"].value), int(row["curated"].value)
    goals = select(store, SDG_GOALS, substitutions={"scheme": ox.NamedNode(SDG_SCHEME)})
    ordered = sorted(((row["goal"].value, int(row["notation"].value)) for row in goals), key=lambda g: g[1])
    rows = [(iri, f"{number}. {names.get(iri, language)[0]}", names.get(iri, language)[1]) for iri, number in ordered]
    return Matrix(shown, rows, counts, curated)


@dataclass(frozen=True)
class GoalEntry:
    iri: str
    notation: str
    label: str
    language: str
    note: str = ""  # e.g. the SDG targets and confidence of a mapping
    curated: bool = False  # the editors added the link that puts the goal on the list; the text does not state it


def goal_label(row: ox.QuerySolution, language: str) -> tuple[str, str]:
    english = row["label_en"]
    if language == "en" and english is not None:
        return english.value, "en"
    return row["label"].value, "de"


REPLACED = SPARQL_PROLOGUE + "SELECT ?concept ?new WHERE { ?concept owl:deprecated true ; dct:isReplacedBy ?new }"


def replacement(store: Store, concept: str) -> str | None:
    """The concept that replaces a deprecated one (docs/concepts.md), or None if `concept` is current."""
    rows = select(store, REPLACED, substitutions={"concept": ox.NamedNode(concept)})
    return next((row["new"].value for row in rows), None)


def audience_goals(
    store: Store, base: str, programme: str, group: str, language: str, text_only: bool = False
) -> list[GoalEntry]:
    """One entry per action goal; curated unless one of its links to the group is the text's own."""
    entries: dict[str, GoalEntry] = {}
    stated: set[str] = set()
    for r in run(store, "handlungsziele-nach-zielgruppe", base, text_only, programme=programme, group=group):
        goal = r["goal"].value
        entries.setdefault(goal, GoalEntry(goal, r["notation"].value, *goal_label(r, language)))
        if r["basis"] is None:
            stated.add(goal)
    return [replace(e, curated=e.iri not in stated) for e in entries.values()]


def sdg_goals(
    store: Store, base: str, programme: str, sdg: str, language: str, text_only: bool = False
) -> list[GoalEntry]:
    """One entry per action goal, with the targets it contributes to and the confidence of each mapping;
    curated unless one of its mappings is the text's own (no record with kzs:basis)."""
    by_goal: dict[str, GoalEntry] = {}
    notes: dict[str, list[str]] = defaultdict(list)
    stated: set[str] = set()
    for r in run(store, "handlungsziele-nach-sdg", base, text_only, programme=programme, sdg=sdg):
        goal = r["goal"].value
        by_goal.setdefault(goal, GoalEntry(goal, r["notation"].value, *goal_label(r, language)))
        target = r["target"].value.rsplit("/", 1)[-1]
        notes[goal].append(f"{target} ({float(r['confidence'].value):.1f})")
        if r["basis"] is None:
            stated.add(goal)
    return [
        replace(e, note=", ".join(sorted(set(notes[e.iri]))), curated=e.iri not in stated) for e in by_goal.values()
    ]


@dataclass
class FieldRow:
    """One shared field of action and the action goals of each of two programmes in it."""

    concept: str
    label: str
    language: str
    a: list[GoalEntry] = field(default_factory=list)
    b: list[GoalEntry] = field(default_factory=list)


@dataclass
class Pair:
    a: Programme
    b: Programme
    fields: list[FieldRow]
    only_a: set[str]  # fields of action with goals of a and none of b (the MINUS query)
    only_b: set[str]


def pair(store: Store, base: str, names: Labels, a: Programme, b: Programme, language: str) -> Pair:
    rows: dict[str, FieldRow] = {}
    stated: set[tuple[str, str, str]] = set()  # (field, side, goal) the text itself assigns
    for r in run(store, "handlungsziele-nach-handlungsfeld", base, a=a.iri, b=b.iri):
        key, side_key, goal = r["field"].value, r["side"].value, r["goal"].value
        if key not in rows:
            rows[key] = FieldRow(key, *names.get(key, language))
        entry = GoalEntry(goal, r["notation"].value, *goal_label(r, language))
        side = rows[key].a if side_key == "a" else rows[key].b
        if entry not in side:
            side.append(entry)
        if r["basis"] is None:
            stated.add((key, side_key, goal))
    for row in rows.values():
        row.a = [replace(e, curated=(row.concept, "a", e.iri) not in stated) for e in row.a]
        row.b = [replace(e, curated=(row.concept, "b", e.iri) not in stated) for e in row.b]
    only_a = {r["field"].value for r in run(store, "handlungsfelder-nur-in-a", base, a=a.iri, b=b.iri)}
    only_b = {r["field"].value for r in run(store, "handlungsfelder-nur-in-a", base, a=b.iri, b=a.iri)}
    ordered = sorted(rows.values(), key=lambda r: collation_key(r.label))
    return Pair(a, b, ordered, only_a, only_b)
