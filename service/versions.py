"""Versions of a programme: which goals a revision keeps, rewords, adds and removes.

`revise(graph, predecessor, programme, version)` turns the source graph of a later version, built
as if it were the first, into one that keeps the IRIs of unchanged goals and links new goals to the
goals they replace. `changes(store, old, new)` reads the same back from the store for the change
page and `kzs diff`; between versions further apart, it follows the links through the ones between.

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
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from service.store import EmbeddedStore, Store, select
from service.vocab import ELI, KZS, SPARQL_PROLOGUE

# Goal levels, parents before children, and the property that names each level's parent.
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
class Goal:
    iri: URIRef
    level: URIRef
    notation: str
    wording: tuple[str, ...]
    parent: URIRef | None

    @property
    def label(self) -> str:
        return self.wording[0] if self.wording else ""


def goals(graph: Graph) -> dict[URIRef, Goal]:
    """Every goal of a source graph, in hierarchy order (a parent before its children)."""
    found: dict[URIRef, Goal] = {}
    for level in LEVELS:
        for iri in sorted(s for s in graph.subjects(RDF.type, level) if isinstance(s, URIRef)):
            parent = graph.value(iri, PARENT[level]) if level in PARENT else None
            found[iri] = Goal(
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


def match(new: dict[URIRef, Goal], old: dict[URIRef, Goal], programme: URIRef, version: str) -> Revision:
    """Decide, parents first, which goals are unchanged and which new goals replace which old ones."""
    revision = Revision()
    final: dict[URIRef, URIRef] = {}  # new plain IRI → IRI in the revised graph
    by_place = {(g.level, g.notation or g.label, g.parent): g for g in old.values()}
    claimed: set[URIRef] = set()
    pending: list[Goal] = []
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

    def take(goal: Goal, candidates: Iterable[Goal]) -> None:
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


# --- Reading versions and their differences from the store ---------------------------------------

VERSIONS = (
    SPARQL_PROLOGUE
    + """
SELECT ?work ?expression ?version ?language ?predecessor WHERE {
  ?work eli:is_realized_by ?expression .
  ?expression eli:version ?version ; eli:language ?language ; eli:is_embodied_by ?manifestation .
  OPTIONAL { ?expression prov:wasRevisionOf ?predecessor }
}
"""
)

# Oxigraph substitutes only variables that the SELECT clause projects, hence ?work, ?expression and ?tag.
GOALS = (
    SPARQL_PROLOGUE
    + """
SELECT DISTINCT ?expression ?tag ?goal ?level ?notation ?label ?definition ?predecessor WHERE {
  ?manifestation eli:embodies ?expression .
  ?passage oa:hasSource ?manifestation .
  ?goal prov:wasQuotedFrom ?passage ; a ?level .
  FILTER (?level IN (kzs:Vision, kzs:OverarchingGoal, kzs:FieldOfAction, kzs:StrategicGoal, kzs:ActionGoal,
                     kzs:Measure))
  ?goal skos:prefLabel ?label .
  FILTER (LANGMATCHES(LANG(?label), ?tag))
  OPTIONAL { ?goal skos:notation ?notation }
  OPTIONAL { ?goal skos:definition ?definition FILTER (LANGMATCHES(LANG(?definition), ?tag)) }
  OPTIONAL { ?goal prov:wasRevisionOf+ ?predecessor }
}
"""
)

# EU language authority codes → BCP 47 tags, for the languages programmes are written in so far;
# any other language matches every tag ("*").
LANGUAGE_TAGS = {"DEU": "de", "ENG": "en", "FRA": "fr", "NLD": "nl", "DAN": "da", "POL": "pl"}


@dataclass(frozen=True)
class Version:
    expression: str
    version: str
    predecessor: str | None
    language: str = "*"


def versions(store: Store, work: str) -> list[Version]:
    """The versions of a work that have a text of their own (not translations), oldest first."""
    rows = select(store, VERSIONS, substitutions={"work": ox.NamedNode(work)})
    found = {
        row["expression"].value: Version(
            row["expression"].value,
            row["version"].value,
            row["predecessor"].value if row["predecessor"] is not None else None,
            LANGUAGE_TAGS.get(row["language"].value.rsplit("/", 1)[-1], "*"),
        )
        for row in rows
    }
    return sorted(found.values(), key=lambda v: natural(v.version))


@dataclass(frozen=True)
class Entry:
    """One goal in one version: what the change page and `kzs diff` show of it."""

    iri: str
    level: str
    notation: str
    label: str
    definition: str

    @property
    def wording(self) -> tuple[str, str]:
        return (self.label, self.definition)


@dataclass
class Changes:
    old: Version
    new: Version
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    reworded: list[tuple[Entry, Entry]] = field(default_factory=list)  # (before, after)
    moved: list[tuple[Entry, Entry]] = field(default_factory=list)  # same wording, new number or parent
    unchanged: list[Entry] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ("reworded", "moved", "added", "removed", "unchanged")}


def version_goals(store: Store, version: Version) -> tuple[dict[str, Entry], dict[str, set[str]]]:
    """The goals a version states (by quotation), in its language, and each goal's predecessors (all of them)."""
    rows = select(
        store,
        GOALS,
        substitutions={"expression": ox.NamedNode(version.expression), "tag": ox.Literal(version.language)},
    )
    entries: dict[str, Entry] = {}
    predecessors: dict[str, set[str]] = {}
    for row in rows:
        goal = row["goal"].value
        entries[goal] = Entry(
            goal,
            row["level"].value.rsplit("#", 1)[-1],
            row["notation"].value if row["notation"] is not None else "",
            row["label"].value,
            row["definition"].value if row["definition"] is not None else "",
        )
        if row["predecessor"] is not None:
            predecessors.setdefault(goal, set()).add(row["predecessor"].value)
    return entries, predecessors


def changes(store: Store, old: Version, new: Version) -> Changes:
    """What `new` adds, removes, rewords and renumbers relative to `old`, an earlier version."""
    if natural(old.version) >= natural(new.version):
        raise RevisionError(f"version {old.version} is not earlier than version {new.version}")
    before, _ = version_goals(store, old)
    after, predecessors = version_goals(store, new)
    result = Changes(old, new)
    replaced: set[str] = set()
    for iri, entry in sorted(after.items(), key=lambda item: order(item[1])):
        if iri in before:
            result.unchanged.append(entry)
            continue
        previous = next((before[p] for p in sorted(predecessors.get(iri, ())) if p in before), None)
        if previous is None:
            result.added.append(entry)
            continue
        replaced.add(previous.iri)
        if previous.wording != entry.wording:
            result.reworded.append((previous, entry))
        elif previous.notation != entry.notation:
            result.moved.append((previous, entry))
        else:
            result.unchanged.append(entry)  # same words and number; new IRI because its parent was reworded
    result.removed = sorted((e for i, e in before.items() if i not in after and i not in replaced), key=order)
    return result


LEVEL_ORDER = {level.rsplit("#", 1)[-1]: rank for rank, level in enumerate(str(x) for x in LEVELS)}


def order(entry: Entry) -> tuple[int, list[int | str], str]:
    return (LEVEL_ORDER.get(entry.level, 99), natural(entry.notation), entry.label)


def report(result: Changes) -> str:
    """The plain-text form of a change list, as `kzs diff` prints it."""
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    lines = [f"{result.old.version} → {result.new.version}: {counts}"]
    for before, after in result.reworded:
        indent = " " * len(before.notation or before.level)
        lines += [f"~ {before.notation or before.level}  {before.label}", f"  {indent}→ {after.label}"]
        if before.definition != after.definition:
            lines.append(f"  {indent}  (description changed)")
    for before, after in result.moved:
        lines.append(f"> {before.notation} → {after.notation}  {after.label}")
    lines += [f"+ {e.notation or e.level}  {e.label}" for e in result.added]
    lines += [f"- {e.notation or e.level}  {e.label}" for e in result.removed]
    return "\n".join(lines)


def folder_changes(old: Path, new: Path, base: str) -> Changes:
    """The changes between the versions in two programme folders, read from the programme.ttl files of every
    version of that programme beside them (so that links through the versions between can be followed)."""
    from service.importer import ImportSettings  # the importer uses `revise`, so import it late

    settings = {folder: ImportSettings.read(folder / "import.toml") for folder in (old, new)}
    key = (settings[new].ags, settings[new].slug)
    if (settings[old].ags, settings[old].slug) != key:
        raise RevisionError(f"{old} and {new} are not versions of the same programme (ags and slug in import.toml)")
    folders = {old, new}
    for sibling in new.parent.iterdir():
        if (sibling / "import.toml").is_file() and (sibling / "programme.ttl").is_file():
            found = ImportSettings.read(sibling / "import.toml")
            if (found.ags, found.slug) == key:
                folders.add(sibling)
    graphs = {}
    for folder in sorted(folders):
        try:
            text = (folder / "programme.ttl").read_bytes()
        except OSError as error:
            raise RevisionError(f"{folder / 'programme.ttl'}: {error}; run `kzs import {folder}` first") from error
        parsed = Graph().parse(data=text, format="turtle", publicID=base)
        graphs[f"{base}graph/{folder.name}/quelle"] = parsed.serialize(format="nt", encoding="utf-8")
    store = EmbeddedStore()
    store.replace(graphs, "diff")
    work = f"{base}id/kommune/{key[0]}/programm/{key[1]}"
    by_version = {v.version: v for v in versions(store, work)}
    try:
        return changes(store, by_version[settings[old].version], by_version[settings[new].version])
    except KeyError as error:
        raise RevisionError(f"no version {error} of {work} in {old} and {new}") from error
