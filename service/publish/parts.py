"""The publication's parts kept on disk from one data version to the next (#14 point 7).

Each programme's dumps, its catalogue entry and its licences are built once per digest of what they follow
from (the inputs of its graphs as the on-disk store keeps them, those of the shared graphs, the settings and
this module's format) and kept in a folder of that digest; the whole dataset's dumps are the parts' files
one after another, read from them when they are sent (publish/dumps.py). After one town changed, a publication
builds that town's part and reads every other part from disk. Without digests (a store in memory, a remote
store) every part is built, as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from service.config import Config
from service.files import write_whole
from service.ingest.programmes import Programme
from service.ingest.validation import run_all
from service.publish.catalogue import CatalogueBuilder
from service.publish.discovery import PartStatistics, Statistics
from service.publish.dumps import (
    META,
    Dump,
    dumps_of,
    fill_part,
    graph_quads,
    part_files,
    partial_of,
    settle,
    whole_dumps,
)
from service.publish.entries import Lazy, summary_of
from service.publish.facts import ontologies, read_facts
from service.store.embedded import EmbeddedStore, Store

FORMAT = "5"  # bumped when what a part holds or how it is built changes
DATASET = "dataset.nt"  # in a programme's part folder: its catalogue entry
SUMMARY = "summary.nt"  # and what the whole catalogue reads of it
IN_USE = "in-use.json"  # in the publication folder: the parts of the newest publication
LICENSES = "licenses.json"
STATISTICS = "statistics.json"


@dataclass(frozen=True)
class Part:
    folder: Path
    dumps: list[Dump]
    entry: Lazy | None  # the catalogue entry, read when first needed (None for the shared graphs' part)
    summary: Graph | None  # what the whole catalogue reads of the entry (publish/entries.py)
    licenses: list[str]

    def statistics(self) -> PartStatistics:
        """For VoID and the sitemap: read when they are first asked for."""
        return PartStatistics(**json.loads((self.folder / STATISTICS).read_text(encoding="utf-8")))


def kept(folder: Path) -> tuple[Lazy | None, Graph | None, list[str]]:
    """A part's catalogue entry (to be read), its summary and licences as `keep` wrote them."""
    entry = summary = None
    if (folder / DATASET).is_file():
        entry, summary = Lazy(folder / DATASET), Graph().parse(folder / SUMMARY, format="nt")
    licenses = json.loads((folder / LICENSES).read_text(encoding="utf-8"))
    return entry, summary, licenses


def keep(folder: Path, dataset: tuple[Graph, URIRef] | None, licenses: list[str], statistics: PartStatistics) -> None:
    """What a part says besides its dumps, into its folder (before it is settled under its name)."""
    if dataset is not None:
        entry, iri = dataset
        (folder / DATASET).write_bytes(entry.serialize(format="nt", encoding="utf-8"))
        (folder / SUMMARY).write_bytes(summary_of(entry, iri).serialize(format="nt", encoding="utf-8"))
    (folder / LICENSES).write_text(json.dumps(licenses), encoding="utf-8")
    (folder / STATISTICS).write_text(json.dumps(asdict(statistics)), encoding="utf-8")


def publication_folder(config: Config) -> Path:
    """Where the parts are kept: beside the on-disk store, else in the project's .cache folder."""
    if config.store_path:
        return Path(config.store_path).with_name(Path(config.store_path).name + "-publication")
    return config.project_dir / ".cache" / "publication"


class PartCache:
    """Parts by digest in the publication folder; the store's digests (graph IRI → digest of its inputs) name
    them where it keeps them, else their content does (built every time, found again when equal)."""

    def __init__(self, config: Config, store: Store, shared: Sequence[str]) -> None:
        self.folder, self.shared_graphs = publication_folder(config), tuple(shared)
        self.digests = store.digests(store.version) if isinstance(store, EmbeddedStore) else None
        context = hashlib.sha256(f"{FORMAT}\0{config!r}".encode())
        for graph in shared:
            context.update(f"\0{graph}\0{(self.digests or {}).get(graph, '')}".encode())
        self.context = context.hexdigest()
        self.built = 0  # parts built now (the others were read from disk)

    def key(self, name: str, graphs: Sequence[str]) -> str | None:
        """The digest of a part's inputs, or None when some graph's inputs are unknown."""
        if self.digests is None or any(graph not in self.digests for graph in graphs):
            return None
        digest = hashlib.sha256(f"{self.context}\0{name}".encode())
        for graph in graphs:
            digest.update(f"\0{graph}\0{self.digests[graph]}".encode())
        return digest.hexdigest()[:32]

    def settled(self, partial: Path, kind: str, key: str | None) -> Path:
        """The part built in `partial`, under its inputs' digest, else under its content's."""
        if key is None:
            key = "c" + hashlib.sha256(self.context.encode() + (partial / META).read_bytes()).hexdigest()[:31]
            if (self.folder / f"{kind}-{key}" / META).is_file():
                shutil.rmtree(partial, ignore_errors=True)
                return self.folder / f"{kind}-{key}"
        return settle(partial, self.folder / f"{kind}-{key}")

    def found(self, programme: Programme) -> Part | None:
        """The programme's part as kept on disk, if its digest is there."""
        key = self.key(programme.key, programme.graphs)
        folder = self.folder / f"programme-{programme.key}-{key}"
        if key is None or not (folder / STATISTICS).is_file():
            return None
        return Part(folder, dumps_of(folder, programme.key), *kept(folder))

    def build(self, store: Store, programme: Programme, builder: CatalogueBuilder, ontology: Sequence[URIRef]) -> Path:
        """The programme's part built now, settled in its folder."""
        kind, key = f"programme-{programme.key}", self.key(programme.key, programme.graphs)
        base = builder.base
        stated = graph_quads(store, programme.graphs)  # read once for the files, the facts and the statistics
        facts = read_facts(store, base, programme, stated)
        licenses = [str(o) for o in facts.metadata.objects(URIRef(programme.dataset(base)), DCTERMS.license)]
        files = part_files(store, programme.key, programme.graphs, licenses, self.shared_graphs, stated)
        partial = fill_part(files, partial_of(self.folder / f"{kind}-{key}"))
        entry = builder.dataset(programme, facts, dumps_of(partial, programme.key), ontology)
        keep(partial, (entry, URIRef(programme.dataset(base))), licenses, PartStatistics.from_quads(stated))
        return self.settled(partial, kind, key)

    def build_all(self, store: Store, config: Config, programmes: Sequence[Programme]) -> list[Path]:
        """The parts of `programmes` built now: in KZS_JOBS processes over an on-disk store (each opens the
        store's version read-only), else here."""
        self.built += len(programmes)
        if isinstance(store, EmbeddedStore) and store.path is not None and len(programmes) > 1:
            tasks = [(config, str(store.path), store.version, p, self.shared_graphs) for p in programmes]
            return [Path(folder) for folder in run_all(config, tasks, part_in_worker)]
        builder, ontology = CatalogueBuilder(config), ontologies(store)
        return [self.build(store, p, builder, ontology) for p in programmes]

    def shared(self, store: Store, graphs: Sequence[str]) -> Part:
        key = self.key("shared", graphs)
        folder = self.folder / f"shared-{key}"
        if key is not None and (folder / STATISTICS).is_file():
            return Part(folder, [], None, None, [])
        self.built += 1
        stated = graph_quads(store, graphs)
        partial = fill_part(part_files(store, None, graphs, [], stated=stated), partial_of(folder))
        keep(partial, None, [], PartStatistics.from_quads(stated))
        return Part(self.settled(partial, "shared", key), [], None, None, [])

    def whole(self, parts: Sequence[Part], licenses: list[str]) -> list[Dump]:
        """The whole dataset's dumps, assembled from `parts` (the shared one first) when they are sent."""
        for old in self.folder.glob("whole-*"):  # the whole dumps as files, as format 3 kept them
            shutil.rmtree(old, ignore_errors=True)
        if self.digests is not None:  # a store's own folder; parts named by content may be any process's
            self.prune({part.folder.name for part in parts})
        return whole_dumps([part.folder for part in parts], licenses)

    def prune(self, used: set[str]) -> None:
        """Remove the parts that neither this publication nor the one before it uses (web workers still on the
        previous data version may be sending its files): each change of a town would leave one behind."""
        record = self.folder / IN_USE
        try:
            before = set(json.loads(record.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            before = set()
        write_whole(record, json.dumps(sorted(used)))
        for folder in self.folder.iterdir():
            if folder.name.startswith(("programme-", "shared-")) and folder.name not in used | before:
                shutil.rmtree(folder, ignore_errors=True)


def build_parts(store: Store, config: Config, programmes: Sequence[Programme], shared: Sequence[str]) -> Parts:
    """Every programme's part and the whole dataset's dumps, each read from disk where its digest is there."""
    cache = PartCache(config, store, shared)
    found = [cache.found(p) for p in programmes]
    missing = [index for index, part in enumerate(found) if part is None]
    built = cache.build_all(store, config, [programmes[index] for index in missing])
    for index, folder in zip(missing, built, strict=True):
        found[index] = Part(folder, dumps_of(folder, programmes[index].key), *kept(folder))
    parts = [part for part in found if part is not None]
    common = cache.shared(store, shared)
    whole = cache.whole([common, *parts], sorted({iri for part in parts for iri in part.licenses}))
    return Parts(parts, common, whole, cache.built)


_opened: dict[tuple[str, str], EmbeddedStore] = {}  # in a worker process: the store version it reads


def part_in_worker(config: Config, path: str, version: str, programme: Programme, shared: Sequence[str]) -> str:
    """One programme's part, built in a worker process over the on-disk store's `version`."""
    if (path, version) not in _opened:
        _opened.clear()
        store = EmbeddedStore(path)
        store.reopen(version)
        _opened[(path, version)] = store
    store = _opened[(path, version)]
    cache = PartCache(config, store, shared)
    return str(cache.build(store, programme, CatalogueBuilder(config), ontologies(store)))


@dataclass(frozen=True)
class Parts:
    programmes: list[Part]  # in the order of the programmes
    shared: Part
    whole: list[Dump]
    built: int  # parts built now; the others were read from disk

    def statistics(self) -> Statistics:
        """Those of the whole, from the parts' (each read from its folder now)."""
        return Statistics.merged([part.statistics() for part in [self.shared, *self.programmes]])
