"""The programme at a glance: vision, overarching goals, fields of action, strategic goals with their action
goals (members of collections such as the annual priorities marked), and which target groups each strategic
goal addresses, read from the store; as a list (`outline`) here, as a picture in service/web/svg.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.content.terms import Literals, pick
from service.rdf.namespaces import PREFIXES, SPARQL_PROLOGUE
from service.rdf.uris import is_annual_priorities, local_link
from service.store.embedded import Store, select
from service.texts import collation_key

KZS = PREFIXES["kzs"]

# The newest version's goal system (eli:version sorts "2009" < "2014"), its concepts and their labels.
CONCEPTS = (
    SPARQL_PROLOGUE
    + """
SELECT ?work ?concept ?type ?notation ?label ?definition ?parent WHERE {
  { SELECT ?work ?scheme WHERE {
      ?work eli:is_realized_by ?expression . ?scheme dct:source ?expression .
      OPTIONAL { ?expression eli:version ?version }
    } ORDER BY DESC(?version) LIMIT 1 }
  ?concept skos:inScheme ?scheme ; a ?type .
  FILTER(?type IN (kzs:Vision, kzs:OverarchingGoal, kzs:FieldOfAction, kzs:StrategicGoal, kzs:ActionGoal))
  OPTIONAL { ?concept skos:notation ?notation }
  OPTIONAL { ?concept skos:prefLabel ?label }
  OPTIONAL { ?concept skos:definition ?definition FILTER(?type = kzs:Vision) }
  OPTIONAL { ?concept kzs:isActionGoalOf ?parent }
}
"""
)
AUDIENCES = (
    SPARQL_PROLOGUE
    + """
SELECT ?work ?goal ?group ?label ?broader ?basis WHERE {
  ?work eli:is_realized_by ?expression . ?scheme dct:source ?expression .
  ?goal skos:inScheme ?scheme ; dct:audience ?group .
  # Target groups only: a kind of actor as audience is not a group of people (docs/concepts.md).
  ?group skos:inScheme ?groups FILTER (STRENDS(STR(?groups), "/id/konzept/zielgruppe"))
  # A curated link is described by an rdf:Statement with kzs:basis (docs/interpretation.md).
  OPTIONAL { ?statement rdf:subject ?goal ; rdf:predicate dct:audience ; rdf:object ?group ; kzs:basis ?basis }
  OPTIONAL { ?group skos:prefLabel ?label }
  OPTIONAL { ?group skos:broader ?broader }
}
"""
)
COLLECTIONS = (
    SPARQL_PROLOGUE
    + """
SELECT ?work ?collection ?label ?member WHERE {
  ?work eli:is_realized_by ?expression . ?scheme dct:source ?expression .
  ?member skos:inScheme ?scheme . ?collection skos:member ?member .
  OPTIONAL { ?collection skos:prefLabel ?label }
}
"""
)


@dataclass
class Goal:
    iri: str
    kind: str  # local name of the kzs class
    notation: str = ""
    labels: Literals = field(default_factory=dict)
    definitions: Literals = field(default_factory=dict)
    parent: str | None = None
    children: list[Goal] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)  # indexes into Structure.collections


@dataclass
class Collection:
    iri: str
    labels: Literals
    priority: bool


@dataclass
class TargetGroup:
    iri: str
    labels: Literals
    depth: int = 0
    # column goal IRI → (addressed by the column itself, number of its action goals addressing the group)
    cells: dict[str, tuple[bool, int]] = field(default_factory=dict)
    # column goal IRI → how many of those links (the column's own one included) the editors added
    curated: dict[str, int] = field(default_factory=dict)


@dataclass
class Structure:
    vision: list[Goal]
    overarching: list[Goal]
    fields: list[Goal]
    strategic: list[Goal]
    collections: list[Collection]
    groups: list[TargetGroup]

    def __bool__(self) -> bool:
        return bool(self.strategic or self.overarching or self.vision)

    @property
    def columns(self) -> list[Goal]:
        """The matrix's columns: the strategic goals, then the (cross-cutting) fields of action."""
        return self.strategic + self.fields


def _order(goal: Goal) -> tuple[tuple[int, ...], str]:
    digits = tuple(int(p) for p in "".join(c if c.isdigit() else " " for c in goal.notation).split())
    return digits, goal.iri


def structure(store: Store, work: str) -> Structure:
    """Everything the overview draws for the programme `work` (its newest version)."""
    node = {"work": ox.NamedNode(work)}
    goals: dict[str, Goal] = {}
    for row in select(store, CONCEPTS, substitutions=node):
        iri = row["concept"].value
        goal = goals.setdefault(iri, Goal(iri, row["type"].value.removeprefix(KZS)))
        for name, target in (("label", goal.labels), ("definition", goal.definitions)):
            if isinstance(row[name], ox.Literal):
                target[row[name].language or ""] = row[name].value
        if isinstance(row["notation"], ox.Literal):
            goal.notation = row["notation"].value
        if row["parent"] is not None:
            goal.parent = row["parent"].value
    for goal in goals.values():
        if goal.parent in goals:
            goals[goal.parent].children.append(goal)
    for goal in goals.values():
        goal.children.sort(key=_order)

    collections: dict[str, Collection] = {}
    for row in select(store, COLLECTIONS, substitutions=node):
        iri = row["collection"].value
        collection = collections.setdefault(iri, Collection(iri, {}, is_annual_priorities(iri)))
        if isinstance(row["label"], ox.Literal):
            collection.labels[row["label"].language or ""] = row["label"].value
    ordered = sorted(collections.values(), key=lambda c: (not c.priority, c.iri))
    index = {c.iri: n for n, c in enumerate(ordered)}
    for row in select(store, COLLECTIONS, substitutions=node):
        member = goals.get(row["member"].value)
        n = index[row["collection"].value]
        if member and n not in member.marks:
            member.marks.append(n)

    def of(kind: str) -> list[Goal]:
        return sorted((g for g in goals.values() if g.kind == kind), key=_order)

    return Structure(
        of("Vision"), of("OverarchingGoal"), of("FieldOfAction"), of("StrategicGoal"), ordered,
        _groups(store, node, goals, of("StrategicGoal") + of("FieldOfAction")),
    )  # fmt: skip


def _groups(store: Store, node: dict[str, ox.NamedNode], goals: dict[str, Goal], columns: list[Goal]
            ) -> list[TargetGroup]:  # fmt: skip
    """Target groups, each with the columns that address it, nested under their broader groups."""
    column_of = {c.iri: c.iri for c in columns} | {a.iri: c.iri for c in columns for a in c.children}
    groups: dict[str, TargetGroup] = {}
    broader: dict[str, str] = {}
    addressed: dict[tuple[str, str], set[str]] = defaultdict(set)
    curated: dict[tuple[str, str], set[str]] = defaultdict(set)
    direct: set[tuple[str, str]] = set()
    for row in select(store, AUDIENCES, substitutions=node):
        goal, iri = row["goal"].value, row["group"].value
        if row["basis"] is not None and (column_iri := column_of.get(goal)) is not None:
            curated[(iri, column_iri)].add(goal)
        group = groups.setdefault(iri, TargetGroup(iri, {}))
        if isinstance(row["label"], ox.Literal):
            group.labels[row["label"].language or ""] = row["label"].value
        if row["broader"] is not None:
            broader[iri] = row["broader"].value
        column = column_of.get(goal)
        if column is None:
            continue
        if column == goal:
            direct.add((iri, column))
        else:
            addressed[(iri, column)].add(goal)
    for group in groups.values():
        group.cells = {
            c.iri: ((group.iri, c.iri) in direct, len(addressed[(group.iri, c.iri)]))
            for c in columns
            if (group.iri, c.iri) in direct or addressed[(group.iri, c.iri)]
        }
        group.curated = {c: len(curated[(group.iri, c)]) for c in group.cells if curated[(group.iri, c)]}

    # Depth-first by label, children (narrower groups that also appear) under their parents.
    def label(g: TargetGroup) -> str:
        return collation_key((pick(g.labels, "de") or (g.iri, ""))[0])

    ordered: list[TargetGroup] = []

    def visit(group: TargetGroup, depth: int) -> None:
        group.depth = depth
        ordered.append(group)
        for child in sorted((g for g in groups.values() if broader.get(g.iri) == group.iri), key=label):
            visit(child, depth + 1)

    for root in sorted((g for g in groups.values() if broader.get(g.iri) not in groups), key=label):
        visit(root, 0)
    return ordered


@dataclass(frozen=True)
class Item:
    """One goal in the textual outline beside the picture (for screen readers, text browsers, printing)."""

    href: str
    text: str
    lang: str
    marks: tuple[tuple[str, str, bool], ...] = ()  # (symbol, collection label, is annual priority)
    children: tuple[Item, ...] = ()


def outline(s: Structure, base: str, language: str) -> list[Item]:
    """The strategic goals with their action goals, as linked, labelled items."""

    def item(goal: Goal) -> Item:
        label, lang = pick(goal.labels, language) or (goal.iri, "")
        marks = tuple(
            ("★" if c.priority else "*", (pick(c.labels, language) or ("", ""))[0], c.priority)
            for c in (s.collections[m] for m in goal.marks)
        )
        text_ = f"{goal.notation} {label}".strip()
        return Item(local_link(base, goal.iri), text_, lang, marks, tuple(item(child) for child in goal.children))

    return [item(goal) for goal in s.strategic]
