"""The change feed: a Linked Data Event Stream (LDES, on TREE) of the goals each data version changes.

Each data version served is compared with the last one the feed recorded, programme by programme, with the same
`compare` as the change page and `kzs diff` (service/content/changes.py): one member per goal reworded, moved,
added or removed, a version object with `dct:isVersionOf` the goal and `prov:generatedAtTime` the moment the
service first served that data. The log is append-only, one JSON file per data version under `history_dir`/feed,
so the pages survive restarts; a page is closed once a later page exists, and a closed page never changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from service.content.changes import Changes, Entry, Version, compare, version_goals, versions
from service.files import write_whole
from service.rdf.namespaces import KZS, PREFIXES, SPARQL_PROLOGUE
from service.store.embedded import EmbeddedStore, Store, select

PAGE_SIZE = 50  # members a page holds; the last page grows up to it, then a new page begins
KINDS = ("reworded", "moved", "added", "removed")

# Every version of every work, with the graph that states it: the folder (programme) it comes from.
EXPRESSIONS = (
    SPARQL_PROLOGUE + "SELECT DISTINCT ?work ?expression ?g WHERE { GRAPH ?g { ?work eli:is_realized_by ?expression . "
    "?expression eli:version ?version } }"
)


@dataclass(frozen=True)
class Member:
    """One change of one goal in one data version."""

    number: int  # its place in the whole feed, from 0
    at: str  # prov:generatedAtTime, ISO 8601 UTC
    kind: str  # one of KINDS
    programme: str  # the folder whose version states the change
    goal: str  # dct:isVersionOf: the goal as it is now (as it was, when removed)
    level: str  # the goal's class in the kzs vocabulary, e.g. ActionGoal
    notation: str
    label: str
    definition: str
    language: str
    revises: str = ""  # the earlier goal it rewords or renumbers, when it has an IRI of its own


@dataclass(frozen=True)
class Goals:
    """The goals of the newest version of one work, as one data version states them."""

    programme: str
    expression: str
    version: str
    language: str
    goals: dict[str, list[str]]  # IRI → [level, notation, label, definition]
    predecessors: dict[str, list[str]] = field(default_factory=dict)

    def entries(self) -> dict[str, Entry]:
        return {iri: Entry(iri, *values) for iri, values in self.goals.items()}

    def as_version(self) -> Version:
        return Version(self.expression, self.version, None, self.language)


@dataclass(frozen=True)
class Record:
    """What one data version changed: the log's unit, written once."""

    version: str
    at: str
    members: list[Member]
    state: dict[str, Goals]  # by work IRI: the baseline for the next data version
    inputs: dict[str, str] = field(default_factory=dict)  # by work IRI: the digest its goals were read from


def snapshot(
    store: Store, base: str, known: Mapping[str, tuple[str, Goals]] | None = None
) -> tuple[dict[str, Goals], dict[str, str]]:
    """The goals of the newest version of every work in `store`, each read in the graphs of its programmes, and
    the digest of those graphs' inputs (where the store keeps them): a work whose digest is one in `known` (work
    → digest and goals read then) keeps those goals, so a change of one town reads that town's goals alone."""
    graphs: dict[str, str] = {}
    works: dict[str, set[str]] = {}  # work → the programmes that state a version of it
    for row in select(store, EXPRESSIONS):
        works.setdefault(row["work"].value, set()).add(programme_of(base, row["g"].value))
        graphs.setdefault(row["expression"].value, row["g"].value)
    by_programme: dict[str, list[str]] = {}
    for graph in store.graph_sizes():
        by_programme.setdefault(programme_of(base, graph), []).append(graph)
    digests = store.digests(store.version) if isinstance(store, EmbeddedStore) else None
    found, inputs = {}, {}
    for work in sorted(works):
        scope = [graph for programme in sorted(works[work]) for graph in by_programme.get(programme, [])]
        if digests is not None and all(graph in digests for graph in scope):
            inputs[work] = hashlib.sha256("".join(f"{g}\0{digests[g]}\0" for g in scope).encode()).hexdigest()
            if known is not None and work in known and known[work][0] == inputs[work]:
                found[work] = known[work][1]
                continue
        stated = versions(store, work)
        if not stated:
            continue
        newest = stated[-1]
        entries, predecessors = version_goals(store, newest, scope)
        found[work] = Goals(
            programme_of(base, graphs.get(newest.expression, "")),
            newest.expression,
            newest.version,
            newest.language,
            {iri: [e.level, e.notation, e.label, e.definition] for iri, e in entries.items()},
            {iri: sorted(p) for iri, p in predecessors.items()},
        )
    return found, inputs


def programme_of(base: str, graph: str) -> str:
    """The programme folder a named graph `{base}graph/{programme}/…` belongs to."""
    return graph.removeprefix(f"{base}graph/").split("/")[0]


def changes_between(before: dict[str, Goals], after: dict[str, Goals]) -> list[tuple[str, Goals, Changes]]:
    """(work, the goals it has now or had last, changes) for every work whose goals differ."""
    found = []
    for work in sorted(before.keys() | after.keys()):
        old, new = before.get(work), after.get(work)
        if old is not None and new is not None and old.goals == new.goals:
            continue  # every goal found again as it was (most works, after one town changed)
        now = new or old
        assert now is not None  # noqa: S101 - a key of one of the two
        empty = Goals(now.programme, now.expression, now.version, now.language, {})
        old, new = old or empty, new or empty
        result = compare(
            old.as_version(),
            new.as_version(),
            old.entries(),
            new.entries(),
            {iri: set(p) for iri, p in new.predecessors.items()},
        )
        if result.reworded or result.moved or result.added or result.removed:
            found.append((work, now, result))
    return found


def members_of(changes: Sequence[tuple[str, Goals, Changes]], at: str, start: int) -> list[Member]:
    members: list[Member] = []

    def add(kind: str, goals: Goals, entry: Entry, revises: str = "") -> None:
        members.append(
            Member(
                start + len(members),
                at,
                kind,
                goals.programme,
                entry.iri,
                entry.level,
                entry.notation,
                entry.label,
                entry.definition,
                goals.language,
                revises if revises != entry.iri else "",
            )
        )

    for _, goals, result in changes:
        for before, after in result.reworded:
            add("reworded", goals, after, before.iri)
        for before, after in result.moved:
            add("moved", goals, after, before.iri)
        for entry in result.added:
            add("added", goals, entry)
        for entry in result.removed:
            add("removed", goals, entry)
    return members


class FeedLog:
    """The records of the feed, oldest first: on disk under `folder` (append-only), or in memory without one."""

    def __init__(self, folder: Path | None, goals: Path | None = None) -> None:
        self.folder = folder
        self.goals = goals  # where the goals last read are kept by their inputs' digest, across restarts
        self._memory: list[Record] = []

    def known(self, last: Record | None) -> dict[str, tuple[str, Goals]]:
        """Work → the digest of its inputs and the goals read from them: as recorded last, and as kept."""
        found: dict[str, tuple[str, Goals]] = {}
        if self.goals is not None and self.goals.is_file():
            try:
                kept = json.loads(self.goals.read_text(encoding="utf-8"))
                found = {work: (digest, Goals(**goals)) for work, (digest, goals) in kept.items()}
            except (OSError, ValueError, TypeError):
                found = {}  # a cache: read again what it cannot give
        if last is not None:
            found.update({w: (d, last.state[w]) for w, d in last.inputs.items() if w in last.state})
        return found

    def remember(self, current: Mapping[str, Goals], inputs: Mapping[str, str]) -> None:
        if self.goals is None:
            return
        kept = {work: [digest, asdict(current[work])] for work, digest in inputs.items() if work in current}
        write_whole(self.goals, json.dumps(kept, ensure_ascii=False))

    def records(self) -> list[Record]:
        if self.folder is None or not self.folder.is_dir():
            return list(self._memory)
        return [read_record(path) for path in sorted(self.folder.glob("[0-9]*.json"))]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time, across the processes that share the folder."""
        if self.folder is None:
            yield
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, record: Record, number: int) -> None:
        if self.folder is None:
            self._memory.append(record)
            return
        write_whole(
            self.folder / f"{number:06d}.json", json.dumps(asdict(record), ensure_ascii=False, sort_keys=True) + "\n"
        )


class FeedLogError(Exception):
    """A file of the feed's log that cannot be read: the feed cannot go on from it."""


def read_record(path: Path) -> Record:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Record(
            data["version"],
            data["at"],
            [Member(**m) for m in data["members"]],
            {work: Goals(**goals) for work, goals in data["state"].items()},
            data.get("inputs", {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise FeedLogError(f"the change feed's log {path} is unreadable ({error}); restore it from a backup") from error


@dataclass(frozen=True)
class Feed:
    """Every member the feed has published, oldest first, and when it began."""

    members: tuple[Member, ...]
    started: str  # when the first data version was recorded

    def scoped(self, programme: str | None) -> list[Member]:
        return [m for m in self.members if programme is None or m.programme == programme]


def now_after(previous: str | None) -> str:
    """Now, in whole seconds, and later than `previous`: the timestamps of the feed never go backwards."""
    moment = datetime.now(UTC).replace(microsecond=0)
    if previous is not None:
        moment = max(moment, datetime.fromisoformat(previous) + timedelta(seconds=1))
    return moment.isoformat().replace("+00:00", "Z")


def record(store: Store, base: str, log: FeedLog) -> Feed:
    """The feed with the data version of `store` recorded: compared with the last version recorded, and its
    changes appended when there are any (a data version that changes no goal adds nothing)."""
    with log.locked():
        records = log.records()
        last = records[-1] if records else None
        if last is None or last.version != store.version:  # a restart with the same data reads no goal
            known = log.known(last)
            current, inputs = snapshot(store, base, known)
            if any(work not in known or known[work][0] != digest for work, digest in inputs.items()):
                log.remember(current, inputs)  # some work's goals were read now
            found = changes_between(last.state if last else {}, current)
            if found or last is None:
                at = now_after(last.at if last else None)
                start = sum(len(r.members) for r in records)
                log.append(Record(store.version, at, members_of(found, at, start), current, inputs), len(records))
                records = log.records()
    members = tuple(m for r in records for m in r.members)
    return Feed(members, records[0].at if records else now_after(None))


LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
AS = "https://www.w3.org/ns/activitystreams#"
FEED_PREFIXES = {**PREFIXES, "ldes": LDES, "tree": TREE, "as": AS}
ACTIVITIES = {"reworded": "Update", "moved": "Update", "added": "Create", "removed": "Delete"}
TITLES = {
    "de": ("Änderungen der Ziele: {scope}", "Jede Datenversion, die Ziele umformuliert, umnummeriert, hinzufügt oder "
           "entfernt, mit einem Mitglied je geändertem Ziel."),
    "en": ("Changes to the goals: {scope}", "Every data version that rewords, renumbers, adds or removes goals, with "
           "one member per goal changed."),
}  # fmt: skip


@dataclass(frozen=True)
class View:
    """The feed of everything (`{base}feed`) or of one programme (`{base}feed/{programme}`) as TREE pages."""

    base: str
    programme: str | None
    members: Sequence[Member]
    started: str

    @property
    def url(self) -> str:
        return f"{self.base}feed" + (f"/{self.programme}" if self.programme else "")

    @property
    def stream(self) -> str:
        return f"{self.url}#stream"

    def page_url(self, number: int) -> str:
        return f"{self.url}/{number}"

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.members) // PAGE_SIZE))

    def closed(self, number: int) -> bool:
        """A page that a later page follows: it holds all it ever will, and never changes again."""
        return number < self.pages

    def on(self, number: int) -> Sequence[Member]:
        return self.members[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def timestamp(at: str) -> ox.Literal:
    return ox.Literal(at, datatype=node(str(XSD.dateTime)))


def member_iri(base: str, member: Member) -> str:
    """A fragment of the page of the whole feed that first published it."""
    return f"{base}feed/{member.number // PAGE_SIZE + 1}#m{member.number}"


def description(view: View) -> list[ox.Triple]:
    """The event stream: what its members are, how they are ordered and versioned, how long they are kept."""
    stream, root = node(view.stream), node(view.page_url(1))
    scope = view.programme or "Kommunale Zielsysteme"
    triples = [ox.Triple(stream, node(str(RDF.type)), node(LDES + "EventStream"))]
    for lang, (title, text) in TITLES.items():
        triples.append(
            ox.Triple(stream, node(str(DCTERMS.title)), ox.Literal(title.format(scope=scope), language=lang))
        )
        triples.append(ox.Triple(stream, node(str(DCTERMS.description)), ox.Literal(text, language=lang)))
    triples += [
        ox.Triple(stream, node(LDES + "timestampPath"), node(str(PROV.generatedAtTime))),
        ox.Triple(stream, node(LDES + "versionOfPath"), node(str(DCTERMS.isVersionOf))),
        ox.Triple(stream, node(LDES + "versionDeletePath"), node(str(RDF.type))),
        ox.Triple(stream, node(LDES + "versionDeleteObject"), node(AS + "Delete")),
        ox.Triple(stream, node(TREE + "view"), root),
        *view_description(view),
    ]
    return triples


def view_description(view: View) -> list[ox.Triple]:
    """The root page and its retention policy: every member since the feed began is kept."""
    root, about, policy = node(view.page_url(1)), node(f"{view.url}#view"), node(f"{view.url}#retention")
    return [
        ox.Triple(root, node(str(RDF.type)), node(TREE + "Node")),
        ox.Triple(root, node(TREE + "viewDescription"), about),
        ox.Triple(about, node(str(RDF.type)), node(TREE + "ViewDescription")),
        ox.Triple(about, node(LDES + "retentionPolicy"), policy),
        ox.Triple(policy, node(str(RDF.type)), node(LDES + "PointInTimePolicy")),
        ox.Triple(policy, node(LDES + "pointInTime"), timestamp(view.started)),
    ]


def page(view: View, number: int) -> list[ox.Triple]:
    """Page `number` (from 1): its members, and once closed the relation to the next page (without
    tree:remainingItems, which would change a closed page whenever the feed grows)."""
    here, stream = node(view.page_url(number)), node(view.stream)
    triples = [
        ox.Triple(here, node(str(RDF.type)), node(TREE + "Node")),
        ox.Triple(here, node(str(DCTERMS.isPartOf)), stream),
    ]
    if number == 1:
        triples += [ox.Triple(stream, node(TREE + "view"), here), *view_description(view)]
    if view.closed(number):
        relation, following = node(f"{view.page_url(number)}#next"), view.on(number + 1)
        triples += [
            ox.Triple(here, node(TREE + "relation"), relation),
            ox.Triple(relation, node(str(RDF.type)), node(TREE + "GreaterThanOrEqualToRelation")),
            ox.Triple(relation, node(TREE + "node"), node(view.page_url(number + 1))),
            ox.Triple(relation, node(TREE + "path"), node(str(PROV.generatedAtTime))),
            ox.Triple(relation, node(TREE + "value"), timestamp(following[0].at)),
        ]
    for member in view.on(number):
        triples += member_triples(view.base, stream, member)
    return triples


def member_triples(base: str, stream: ox.NamedNode, member: Member) -> list[ox.Triple]:
    """A version object of the goal: what it says after the change (before it, for a removed goal)."""
    m = node(member_iri(base, member))
    triples = [
        ox.Triple(stream, node(TREE + "member"), m),
        ox.Triple(m, node(str(RDF.type)), node(AS + ACTIVITIES[member.kind])),
        ox.Triple(m, node(str(RDF.type)), node(str(KZS[member.level]))),
        ox.Triple(m, node(str(DCTERMS.isVersionOf)), node(member.goal)),
        ox.Triple(m, node(str(PROV.generatedAtTime)), timestamp(member.at)),
        ox.Triple(m, node(str(SKOS.prefLabel)), text(member.label, member.language)),
    ]
    if member.notation:
        triples.append(ox.Triple(m, node(str(SKOS.notation)), ox.Literal(member.notation)))
    if member.definition:
        triples.append(ox.Triple(m, node(str(SKOS.definition)), text(member.definition, member.language)))
    if member.revises:
        triples.append(ox.Triple(m, node(str(PROV.wasRevisionOf)), node(member.revises)))
    return triples


def text(value: str, language: str) -> ox.Literal:
    return ox.Literal(value, language=language) if language and language != "*" else ox.Literal(value)
