"""Versions of a programme: which goals a revision keeps, rewords, adds and removes.

`revise(graph, predecessor, programme, version)` turns the source graph of a later version, built
as if it were the first, into one that keeps the IRIs of unchanged goals and links new goals to the
goals they replace. service/content/changes.py reads the same back from the store.

A goal keeps its IRI when it has the same level, wording, notation and parent as in the version
before: its IRI, notation, parent and skos:inScheme were written by the version that first
stated it. Which versions contain a goal is recorded by quotation: every version that states the
goal quotes it from its own text (prov:wasQuotedFrom a passage of that version's manifestation).
A goal that is new, reworded, renumbered or moved gets a new IRI under `…/fassung/{version}/`, and
`prov:wasRevisionOf` links it to its predecessor where there is one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from service.rdf.namespaces import ELI, KZS

# GoalRecord levels, parents before children, and the property that names each level's parent.
LEVELS = (KZS.Vision, KZS.OverarchingGoal, KZS.FieldOfAction, KZS.StrategicGoal, KZS.ActionGoal, KZS.Measure)
PARENT = {
    KZS.FieldOfAction: KZS.isFieldOfActionOf,
    KZS.StrategicGoal: KZS.isStrategicGoalOf,
    KZS.ActionGoal: KZS.isActionGoalOf,
    KZS.Measure: KZS.isMeasureOf,
}
# Texts a resource has once per language: two versions with different values cannot share an IRI.
WORDING = (SKOS.prefLabel, SKOS.definition, DCTERMS.title, DCTERMS.description)
# How alike two wordings must be to count as one goal reworded rather than one removed and one added.
SAME_PLACE_SIMILARITY = 0.5
ELSEWHERE_SIMILARITY = 0.75


class RevisionError(ValueError):
    """The earlier version cannot be what this text revises; the message says why."""


@dataclass(frozen=True)
class GoalRecord:
    iri: URIRef
    level: URIRef
    notation: str
    wording: tuple[str, ...]
    parent: URIRef | None

    @property
    def label(self) -> str:
        return self.wording[0] if self.wording else ""


def goals(graph: Graph) -> dict[URIRef, GoalRecord]:
    """Every goal of a source graph, in hierarchy order (a parent before its children)."""
    found: dict[URIRef, GoalRecord] = {}
    for level in LEVELS:
        for iri in sorted(s for s in graph.subjects(RDF.type, level) if isinstance(s, URIRef)):
            parent = graph.value(iri, PARENT[level]) if level in PARENT else None
            found[iri] = GoalRecord(
                iri=iri,
                level=level,
                notation=str(graph.value(iri, SKOS.notation) or ""),
                wording=tuple(str(graph.value(iri, p) or "") for p in (SKOS.prefLabel, SKOS.definition)),
                parent=parent if isinstance(parent, URIRef) else None,
            )
    return found


def wording(graph: Graph, iri: URIRef) -> dict[URIRef, set[Literal]]:
    return {p: {o for o in graph.objects(iri, p) if isinstance(o, Literal)} for p in WORDING}


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


@dataclass
class Revision:
    """What `revise` decided: new IRI → predecessor IRI, and which goals kept their IRIs."""

    renamed: dict[URIRef, URIRef] = field(default_factory=dict)
    kept: set[URIRef] = field(default_factory=set)
    predecessors: dict[URIRef, URIRef] = field(default_factory=dict)


def revise(graph: Graph, predecessor: Graph, programme: URIRef, version: str) -> Graph:
    """Give `graph` (a later version built as if it were the first) the IRIs and links of a revision."""
    old_expressions = list(predecessor.objects(programme, ELI.is_realized_by))
    if (programme, RDF.type, ELI.Work) not in predecessor or not old_expressions:
        raise RevisionError(f"the earlier version does not describe the programme {programme}")
    new_expression = graph.value(programme, ELI.is_realized_by)
    old_expression = max(old_expressions, key=lambda e: natural(str(predecessor.value(e, ELI.version) or "")))
    revision = match(goals(graph), goals(predecessor), programme, version)
    rename_changed_parts(graph, predecessor, programme, version, revision)
    renamed = apply(graph, revision.renamed)
    keep_earlier_schemes(renamed, predecessor, revision.kept)
    for new, old in revision.predecessors.items():
        renamed.add((new, PROV.wasRevisionOf, old))
    renamed.add((URIRef(str(new_expression)), PROV.wasRevisionOf, URIRef(str(old_expression))))
    old_scheme = predecessor.value(predicate=DCTERMS.source, object=old_expression)
    new_scheme = renamed.value(predicate=DCTERMS.source, object=new_expression)
    if isinstance(old_scheme, URIRef) and isinstance(new_scheme, URIRef):
        renamed.add((new_scheme, PROV.wasRevisionOf, old_scheme))
    old_title = set(predecessor.objects(programme, DCTERMS.title))
    if old_title and set(renamed.objects(programme, DCTERMS.title)) != old_title:
        # The work keeps its IRI and its first title; a new title is the new version's eli:title.
        renamed.remove((programme, DCTERMS.title, None))
    return renamed


def match(new: dict[URIRef, GoalRecord], old: dict[URIRef, GoalRecord], programme: URIRef, version: str) -> Revision:
    """Decide, parents first, which goals are unchanged and which new goals replace which old ones."""
    revision = Revision()
    final: dict[URIRef, URIRef] = {}  # new plain IRI → IRI in the revised graph
    by_place = {(g.level, g.notation or g.label, g.parent): g for g in old.values()}
    claimed: set[URIRef] = set()
    pending: list[GoalRecord] = []
    for goal in new.values():
        parent = final.get(goal.parent, goal.parent) if goal.parent else None
        same = by_place.get((goal.level, goal.notation or goal.label, parent))
        if same is not None and same.wording == goal.wording and same.iri not in claimed:
            final[goal.iri] = same.iri
            revision.kept.add(same.iri)
            claimed.add(same.iri)
        else:
            final[goal.iri] = versioned(goal.iri, programme, version)
            pending.append(goal)
    unclaimed = [g for g in old.values() if g.iri not in claimed]

    def take(goal: GoalRecord, candidates: Iterable[GoalRecord]) -> None:
        chosen = next(iter(candidates), None)
        if chosen is not None:
            revision.predecessors[final[goal.iri]] = chosen.iri
            unclaimed.remove(chosen)

    # The strongest evidence first: the same words elsewhere, then the same place, then similar words.
    for goal in pending:
        take(goal, (g for g in unclaimed if g.level == goal.level and g.wording == goal.wording))
    for goal in (g for g in pending if final[g.iri] not in revision.predecessors):
        parent = final.get(goal.parent, goal.parent) if goal.parent else None
        take(
            goal,
            (
                g
                for g in unclaimed
                if (g.level, g.notation or g.label, g.parent) == (goal.level, goal.notation or goal.label, parent)
                and similarity(g.label, goal.label) >= SAME_PLACE_SIMILARITY
            ),
        )
    for goal in (g for g in pending if final[g.iri] not in revision.predecessors):
        ranked = sorted(
            (g for g in unclaimed if g.level == goal.level),
            key=lambda g: similarity(g.label, goal.label),
            reverse=True,
        )
        take(goal, (g for g in ranked[:1] if similarity(g.label, goal.label) >= ELSEWHERE_SIMILARITY))
    revision.renamed = {iri: to for iri, to in final.items() if iri != to}
    return revision


def keep_earlier_schemes(graph: Graph, predecessor: Graph, kept: set[URIRef]) -> None:
    """A kept goal is in the goal system of every version that states it, the earlier ones included."""
    for iri in kept:
        for scheme in predecessor.objects(iri, SKOS.inScheme):
            graph.add((iri, SKOS.inScheme, scheme))


def rename_changed_parts(graph: Graph, predecessor: Graph, programme: URIRef, version: str, revision: Revision) -> None:
    """Parts of the programme that are not goals (foreword, preamble, collections) keep their IRIs unless reworded."""
    prefix = f"{programme}/"
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(prefix)}):
        if subject in revision.renamed or subject in revision.kept or (subject, None, None) not in predecessor:
            continue
        if (subject, RDF.type, None) not in graph or any((subject, RDF.type, level) in graph for level in LEVELS):
            continue
        before, after = wording(predecessor, subject), wording(graph, subject)
        if any(before[p] and after[p] and before[p] != after[p] for p in WORDING):
            revision.renamed[subject] = versioned(subject, programme, version)


def versioned(iri: URIRef, programme: URIRef, version: str) -> URIRef:
    """`P/ziel/1` → `P/fassung/2012/ziel/1`: the IRI a revision mints for what it states anew."""
    path = str(iri).removeprefix(f"{programme}/")
    path = re.sub(r"^fassung/[^/]+/(?!de$|en$)", "", path)  # a goal first stated by an earlier revision
    return URIRef(f"{programme}/fassung/{version}/{path}")


def apply(graph: Graph, renamed: dict[URIRef, URIRef]) -> Graph:
    def rename(term: Node) -> Node:
        return renamed.get(term, term) if isinstance(term, URIRef) else term

    out = Graph(namespace_manager=graph.namespace_manager)
    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))
    return out


def natural(text: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
