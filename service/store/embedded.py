"""The store: a small protocol, and the embedded pyoxigraph implementation.

The default graph of every query is the union of the named graphs (docs/architecture.md, "Named graphs").
Data is swapped in whole: `replace` builds the new store beside the old one and then
rebinds one reference (the data and its version together), so a reader sees the old or
the new data, never a mix. Under `kzs serve` nothing replaces the data of a running web
worker at all: a reload builds a new store in the master and replaces the workers
(service/serving.py). On disk, `update` makes a new version from a stored one with only some graphs
replaced, in a folder of its own (the stored one is never written).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from service.files import write_whole

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal

CURRENT = "CURRENT"
DIGESTS = ".graphs.json"  # beside each version folder: graph IRI → digest of the inputs it was loaded from
SIZES = ".sizes.json"  # and graph IRI → its statements, so a restart need not count them
COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


class Store(Protocol):
    """What the service needs of a store."""

    @property
    def version(self) -> str: ...

    def query(
        self,
        text: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult: ...

    def replace(self, graphs: Mapping[str, bytes], version: str) -> None: ...

    def graph_sizes(self) -> dict[str, int]: ...


def select(store: Store, text: str, **options: Any) -> ox.QuerySolutions:
    """Run a SELECT of our own (a fixed query) and return its solutions."""
    result = store.query(text, **options)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT query")
    return result


def construct(store: Store, text: str, **options: Any) -> ox.QueryTriples:
    """Run a CONSTRUCT or DESCRIBE of our own and return its triples."""
    result = store.query(text, **options)
    if not isinstance(result, ox.QueryTriples):
        raise TypeError("expected a CONSTRUCT or DESCRIBE query")
    return result


def term(row: ox.QuerySolution, name: str) -> str:
    """The lexical value bound to `name` in a row ('' when unbound)."""
    value = row[name]
    return "" if value is None else str(value.value)


def as_nquads(graphs: Mapping[str, bytes]) -> bytes:
    """N-Triples per graph IRI as one N-Quads document: each line's final " ." becomes " <graph> ."."""
    lines: list[bytes] = []
    for graph_iri, ntriples in graphs.items():
        tag = b" " + ox.NamedNode(graph_iri).__str__().encode() + b" ."
        lines.extend(line.rstrip()[:-1].rstrip() + tag for line in ntriples.split(b"\n") if line.strip())
    return b"\n".join(lines) + b"\n" if lines else b""


BATCH_BYTES = 64 << 20  # N-Quads per bulk load: the loader's memory grows with its input (4.4M quads at once: 4 GB)


def batches(graphs: Mapping[str, bytes], size: int = BATCH_BYTES) -> Iterator[bytes]:
    """N-Triples per graph IRI as N-Quads documents of about `size` bytes each, a graph never split (a blank
    node is one document's)."""
    batch: dict[str, bytes] = {}
    held = 0
    for graph_iri, ntriples in graphs.items():
        batch[graph_iri] = ntriples
        held += len(ntriples)
        if held >= size:
            yield as_nquads(batch)
            batch, held = {}, 0
    if batch:
        yield as_nquads(batch)


def bulk_loaded(writer: ox.Store, graphs: Mapping[str, bytes]) -> None:
    for data in batches(graphs):
        writer.bulk_load(data, format=ox.RdfFormat.N_QUADS)


def remove_version(path: Path, version: str) -> None:
    shutil.rmtree(path / version, ignore_errors=True)
    (path / f"{version}{DIGESTS}").unlink(missing_ok=True)
    (path / f"{version}{SIZES}").unlink(missing_ok=True)


def counted(data: ox.Store, graphs: Iterable[str] | None = None) -> dict[str, int]:
    """Statements per named graph (of every graph, or of `graphs`), counted by the store."""
    if graphs is None:
        rows = data.query(COUNT)
    else:
        values = " ".join(str(ox.NamedNode(graph)) for graph in graphs)
        rows = data.query(COUNT.replace("WHERE {", f"WHERE {{ VALUES ?g {{ {values} }}", 1))
    assert isinstance(rows, ox.QuerySolutions)  # noqa: S101 - a SELECT
    return {row["g"].value: int(row["n"].value) for row in rows}


def written(folder: Path, change: Callable[[ox.Store], object]) -> None:
    """`change` applied to a writer of the store in `folder`, which is closed when this returns: a read-only
    handle opened while a writer is open may miss files that the writer's compaction removes meanwhile."""
    writer = ox.Store(str(folder))
    change(writer)
    writer.flush()
    del writer  # the only reference: RocksDB closes, its background work done


class EmbeddedStore:
    """pyoxigraph in memory, or on disk under `path` with one folder per data version."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        # One immutable pair: the data and its version are read and rebound together.
        self._snapshot: tuple[ox.Store, str] = (ox.Store(), "")
        self._sizes: tuple[ox.Store, dict[str, int]] | None = None  # graph_sizes of the snapshot's store

    @property
    def version(self) -> str:
        return self._snapshot[1]

    def frozen(self) -> EmbeddedStore:
        """A store that keeps answering from the data held now, whatever `replace` does to this one later."""
        copy = EmbeddedStore(self.path)
        copy._snapshot = self._snapshot
        return copy

    def stored_version(self) -> str | None:
        """The version already on disk, if any: a restart with the same data reopens it."""
        if self.path is None or not (self.path / CURRENT).is_file():
            return None
        version = (self.path / CURRENT).read_text().strip()
        return version if version and (self.path / version).is_dir() else None

    def reopen(self, version: str) -> None:
        if self.path is None:
            raise ValueError("an in-memory store has nothing to reopen")
        self._snapshot = (ox.Store.read_only(str(self.path / version)), version)

    def replace(self, graphs: Mapping[str, bytes], version: str, digests: Mapping[str, str] | None = None) -> None:
        """Load N-Triples per graph IRI into a fresh store, then swap it in.

        On disk, the folder of the version replaced is removed; one that other processes may still read
        (a reload under gunicorn) is built by a new EmbeddedStore instead, and `prune` removes it later.
        `digests` (graph IRI → digest of its inputs) is kept beside the version, for `update`."""
        # Bulk loads of many graphs at once (each call costs a batch of files, about 0.1 s on disk: one per
        # graph would take hundreds of seconds for a thousand towns), in batches that bound the memory.
        if self.path is None:
            fresh = ox.Store()
            bulk_loaded(fresh, graphs)
            self.swap(fresh, version)
            return
        folder = self.fresh_folder(version)

        def fill(writer: ox.Store) -> None:
            bulk_loaded(writer, graphs)
            writer.optimize()

        written(folder, fill)
        self.swap(self.opened(version, digests, None), version)

    def update(
        self, base: str, graphs: Mapping[str, bytes], dropped: Iterable[str], version: str, digests: Mapping[str, str]
    ) -> None:
        """The on-disk version `base` with the graphs in `dropped` removed and `graphs` loaded, as `version`.

        The new version starts as a checkpoint of `base` (RocksDB hard-links its immutable files, so this costs
        the files' count, not their size) and is changed in a folder of its own; `base` is never written, so
        every reader of it, in this process or another, sees all of it until it turns to the new version."""
        if self.path is None:
            raise ValueError("an in-memory store has no stored version to update")
        folder = self.fresh_folder(version)
        folder.rmdir()  # the checkpoint makes it
        ox.Store.read_only(str(self.path / base)).backup(str(folder))
        names = [ox.NamedNode(graph) for graph in {*graphs, *dropped}]

        def change(writer: ox.Store) -> None:
            for name in names:
                writer.remove_graph(name)
            bulk_loaded(writer, graphs)

        written(folder, change)
        self.swap(self.opened(version, digests, (base, {*graphs, *dropped})), version)

    def fresh_folder(self, version: str) -> Path:
        if self.path is None:
            raise ValueError("an in-memory store has no folders")
        folder = self.path / version
        shutil.rmtree(folder, ignore_errors=True)  # what a load that stopped half-way left
        folder.mkdir(parents=True)
        return folder

    def opened(self, version: str, digests: Mapping[str, str] | None, changed: tuple[str, set[str]] | None) -> ox.Store:
        """The written version `version`, read-only, with its digests and sizes kept beside it; `changed`: the
        version it was made from and the graphs that differ (only those are counted)."""
        root = self.path
        if root is None:
            raise ValueError("an in-memory store has no folders")
        if digests is not None:
            write_whole(root / f"{version}{DIGESTS}", json.dumps(dict(digests), indent=0, sort_keys=True))
        fresh = ox.Store.read_only(str(root / version))
        before = self.kept_sizes(changed[0]) if changed else None
        if changed is None or before is None:
            sizes = counted(fresh)
        else:
            sizes = {g: n for g, n in before.items() if g not in changed[1]} | counted(fresh, sorted(changed[1]))
        write_whole(root / f"{version}{SIZES}", json.dumps(sizes, indent=0, sort_keys=True))
        return fresh

    def kept_sizes(self, version: str) -> dict[str, int] | None:
        """Statements per graph as kept beside a stored version (None: not kept)."""
        try:
            found = json.loads((self.path / f"{version}{SIZES}").read_text(encoding="utf-8")) if self.path else None
        except (OSError, ValueError):
            return None
        return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else None

    def swap(self, fresh: ox.Store, version: str) -> None:
        """Serve `fresh` as `version`, in one step; on disk, CURRENT points at it and the old folder goes."""
        old_version = self.version
        self._snapshot = (fresh, version)
        if self.path is not None:
            self.mark_current()
            if old_version and old_version != version:
                remove_version(self.path, old_version)

    def digests(self, version: str) -> dict[str, str] | None:
        """Graph IRI → digest of its inputs, as kept with a stored version (None: not kept, build it whole)."""
        if self.path is None:
            return None
        try:
            found = json.loads((self.path / f"{version}{DIGESTS}").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else None

    def mark_current(self) -> None:
        """Point CURRENT (what a restart reopens) at this store's version, atomically."""
        if self.path is not None and self.version:
            (self.path / f"{CURRENT}.tmp").write_text(self.version)
            (self.path / f"{CURRENT}.tmp").replace(self.path / CURRENT)

    def prune(self) -> list[str]:
        """Remove every version folder on disk but this store's own; returns the versions removed."""
        if self.path is None or not self.path.is_dir():
            return []
        removed = [p.name for p in self.path.iterdir() if p.is_dir() and p.name != self.version]
        for name in removed:
            remove_version(self.path, name)
        return removed

    def query(
        self,
        text: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = (
            [ox.NamedNode(iri) for iri in default_graph] if default_graph else None
        )
        return self._snapshot[0].query(
            text,
            base_iri=base_iri,
            use_default_graph_as_union=default is None,
            default_graph=default,
            named_graphs=[ox.NamedNode(iri) for iri in named_graphs] if named_graphs else None,
            substitutions={ox.Variable(name): term for name, term in (substitutions or {}).items()},
        )

    def quads_of(self, graphs: Iterable[str]) -> list[ox.Quad]:
        """Every statement of `graphs`, read from the store's indexes."""
        data = self._snapshot[0]
        return [quad for graph in graphs for quad in data.quads_for_pattern(None, None, None, ox.NamedNode(graph))]

    def graph_sizes(self) -> dict[str, int]:
        """Statements per named graph, counted once per data held (a snapshot's store is never written: every
        change swaps in another), or as kept beside a stored version: /health, the Service Description and
        publication all ask."""
        data, version = self._snapshot
        if self._sizes is None or self._sizes[0] is not data:
            kept = self.kept_sizes(version) if version else None
            self._sizes = (data, kept if kept is not None else counted(data))
        return dict(self._sizes[1])
