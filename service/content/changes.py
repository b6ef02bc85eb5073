"""Changes between versions of a programme, read back from the store: for the change page and `kzs diff`.

`changes(store, old, new)` says which goals a later version keeps, rewords, adds and removes; between
versions further apart it follows the links through the ones between (service/ingest/revisions.py writes
them when a revision is imported).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from service.ingest.revisions import LEVELS, RevisionError, natural
from service.ingest.text_import import ImportSettings
from service.rdf.namespaces import LANGUAGE_TAGS, SPARQL_PROLOGUE
from service.store.embedded import EmbeddedStore, Store, select

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


def version_goals(
    store: Store, version: Version, graphs: Sequence[str] | None = None
) -> tuple[dict[str, Entry], dict[str, set[str]]]:
    """The goals a version states (by quotation), in its language, and each goal's predecessors (all of them);
    `graphs`: those of the programmes of its work, when the caller knows them (the store then joins a version's
    goals with their types and labels in those graphs, not in every town's)."""
    rows = select(
        store,
        GOALS,
        substitutions={"expression": ox.NamedNode(version.expression), "tag": ox.Literal(version.language)},
        **({"default_graph": list(graphs)} if graphs else {}),
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
    return compare(old, new, before, after, predecessors)


def compare(
    old: Version,
    new: Version,
    before: Mapping[str, Entry],
    after: Mapping[str, Entry],
    predecessors: Mapping[str, set[str]],
) -> Changes:
    """The changes from the goals `before` to the goals `after`, whose `predecessors` say which earlier goal each
    revises. Pure: the change page and `kzs diff` give it two versions in one store, the change feed (service/
    publish/feed.py) the goals of one version as two data versions state them, so a goal may keep its IRI and
    still be reworded."""
    result = Changes(old, new)
    replaced: set[str] = set()
    for iri, entry in sorted(after.items(), key=lambda item: order(item[1])):
        previous = before.get(iri) or next((before[p] for p in sorted(predecessors.get(iri, ())) if p in before), None)
        if previous is None:
            result.added.append(entry)
            continue
        replaced.add(previous.iri)
        if previous.wording != entry.wording:
            result.reworded.append((previous, entry))
        elif previous.notation != entry.notation:
            result.moved.append((previous, entry))
        else:
            result.unchanged.append(entry)  # same words and number (a new IRI when its parent was reworded)
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
