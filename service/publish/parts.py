"""The publication's parts kept on disk from one data version to the next (#14 point 7).

Each programme's dumps, its catalogue entry and its licences are built once per digest of what they follow
from (the inputs of its graphs as the on-disk store keeps them, those of the shared graphs, the settings and
this module's format) and kept in a folder of that digest; the whole dataset's dumps once per set of parts,
assembled from the parts' files as they stream. After one town changed, a publication builds that town's part
and the whole dumps again and reads every other part from disk. Without digests (a store in memory, a remote
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
from service.ingest.programmes import Programme
from service.publish.catalogue import CatalogueBuilder, ontologies, read_facts
from service.publish.discovery import PartStatistics, Statistics
from service.publish.dumps import META, Dump, dumps_of, fill_part, part_files, partial_of, settle, write_whole
from service.store.embedded import EmbeddedStore, Store

FORMAT = "3"  # bumped when what a part holds or how it is built changes
DATASET = "dataset.nt"  # in a programme's part folder: its catalogue entry
LICENSES = "licenses.json"
STATISTICS = "statistics.json"


@dataclass(frozen=True)
class Part:
    folder: Path
    dumps: list[Dump]
    dataset: Graph | None  # the catalogue entry (None for the shared graphs' part)
    licenses: list[str]
    statistics: PartStatistics  # for VoID and the sitemap


# Catalogue entries read in this process, by part folder (named by digest, so never stale): a reload reads
# only the entries of the parts that changed. rdflib parses about 15k triples/s here.
_entries: dict[str, Graph] = {}


def kept(folder: Path) -> tuple[Graph | None, list[str], PartStatistics]:
    """A part's catalogue entry, licences and statistics as `keep` wrote them."""
    dataset = None
    if (folder / DATASET).is_file():
        if folder.name not in _entries:
            if len(_entries) > 100_000:
                _entries.clear()
            _entries[folder.name] = Graph().parse(folder / DATASET, format="nt")
        dataset = _entries[folder.name]
    licenses = json.loads((folder / LICENSES).read_text(encoding="utf-8"))
    statistics = PartStatistics(**json.loads((folder / STATISTICS).read_text(encoding="utf-8")))
    return dataset, licenses, statistics


def keep(folder: Path, dataset: Graph | None, licenses: list[str], statistics: PartStatistics) -> None:
    """What a part says besides its dumps, into its folder (before it is settled under its name)."""
    if dataset is not None:
        (folder / DATASET).write_bytes(dataset.serialize(format="nt", encoding="utf-8"))
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
        self.folder = publication_folder(config)
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

    def programme(
        self, store: Store, programme: Programme, builder: CatalogueBuilder, ontology: Sequence[URIRef]
    ) -> Part:
        kind, key = f"programme-{programme.key}", self.key(programme.key, programme.graphs)
        folder = self.folder / f"{kind}-{key}"
        if key is not None and (folder / STATISTICS).is_file():
            dataset, licenses, statistics = kept(folder)
            return Part(folder, dumps_of(folder, programme.key), dataset, licenses, statistics)
        self.built += 1
        base = builder.base
        facts = read_facts(store, base, programme)
        licenses = [str(o) for o in facts.metadata.objects(URIRef(programme.dataset(base)), DCTERMS.license)]
        partial = fill_part(part_files(store, programme.key, programme.graphs, licenses), partial_of(folder))
        dataset = builder.dataset(programme, facts, dumps_of(partial, programme.key), ontology)
        statistics = PartStatistics.of(store, programme.graphs)
        keep(partial, dataset, licenses, statistics)
        folder = self.settled(partial, kind, key)
        return Part(folder, dumps_of(folder, programme.key), dataset, licenses, statistics)

    def shared(self, store: Store, graphs: Sequence[str]) -> Part:
        key = self.key("shared", graphs)
        folder = self.folder / f"shared-{key}"
        if key is not None and (folder / STATISTICS).is_file():
            return Part(folder, [], None, [], kept(folder)[2])
        self.built += 1
        partial = fill_part(part_files(store, None, graphs, []), partial_of(folder))
        statistics = PartStatistics.of(store, graphs)
        keep(partial, None, [], statistics)
        return Part(self.settled(partial, "shared", key), [], None, [], statistics)

    def whole(self, parts: Sequence[Part], licenses: list[str]) -> list[Dump]:
        """The whole dataset's dumps, from `parts` (the shared one first), kept once per set of parts (whose
        folders are named by their digests)."""
        digest = hashlib.sha256(f"{FORMAT}\0{json.dumps(licenses)}".encode())
        for part in parts:
            digest.update(f"\0{part.folder.name}".encode())
        folder = self.folder / f"whole-{digest.hexdigest()[:32]}"
        if not (folder / META).is_file():
            self.built += 1
            folder = write_whole([part.folder for part in parts], licenses, folder)
            if self.digests is not None:  # a store's own folder; parts named by content may be any process's
                self.prune_wholes(keep=folder)
        return dumps_of(folder, None)

    def prune_wholes(self, keep: Path, kept: int = 2) -> None:
        """Remove the whole dumps of all but the `kept` newest versions (each is as large as all the data): the
        one just built, and the one that web workers still on the previous version may be sending."""
        wholes = sorted(self.folder.glob("whole-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [p for p in wholes if p != keep][kept - 1 :]:
            shutil.rmtree(old, ignore_errors=True)


def build_parts(store: Store, config: Config, programmes: Sequence[Programme], shared: Sequence[str]) -> Parts:
    """Every programme's part and the whole dataset's dumps, each read from disk where its digest is there."""
    cache = PartCache(config, store, shared)
    builder, ontology = CatalogueBuilder(config), ontologies(store)
    parts = [cache.programme(store, p, builder, ontology) for p in programmes]
    common = cache.shared(store, shared)
    whole = cache.whole([common, *parts], sorted({iri for part in parts for iri in part.licenses}))
    return Parts(parts, whole, Statistics.merged([common.statistics, *(p.statistics for p in parts)]), cache.built)


@dataclass(frozen=True)
class Parts:
    programmes: list[Part]  # in the order of the programmes
    whole: list[Dump]
    statistics: Statistics
    built: int  # parts built now; the others were read from disk
