"""Dumps under /data/: the whole dataset and each programme in every RDF format, and as CSV.

Built once per data version. Blank nodes are given canonical labels and statements are sorted, so the same
data always gives the same bytes (and so the same size, checksum and ETag) in every process and on every host.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.content.tables import action_goal_rows, csvw_metadata, to_csv
from service.ingest.programmes import Programme
from service.rdf.canonical import canonical
from service.rdf.formats import DATASET_FORMATS, GRAPH_FORMATS, Format
from service.rdf.namespaces import PREFIXES
from service.store.embedded import Store, select

WHOLE = "kommunale-zielsysteme"  # file name of the dumps of everything served
CSV = Format("text/csv", "csv", "CSV")
CSVW = Format("application/csvm+json", "csv-metadata.json", "CSVW")

# Serialisation → code in the EU file-type authority table (publications.europa.eu/resource/authority/file-type).
FILE_TYPES = {
    "ttl": "RDF_TURTLE",
    "nt": "RDF_N_TRIPLES",
    "nq": "RDF_N_QUADS",
    "trig": "RDF_TRIG",
    "jsonld": "JSON_LD",
    "rdf": "RDF_XML",
    "csv": "CSV",
    "csv-metadata.json": "JSON",
}
# The order the catalogue and the pages list them in.
DUMP_FORMATS: tuple[Format, ...] = (*GRAPH_FORMATS, *DATASET_FORMATS, CSV)

META = "meta.json"  # in a part's folder: size and SHA-256 of each file
ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Dump:
    path: str  # below the base URI, e.g. "data/soest-2009/soest-2009.ttl"
    format: Format
    file: Path  # where its bytes are kept (service/publish/parts.py)
    size: int
    sha256: str
    programme: str | None  # None: the whole dataset

    @property
    def body(self) -> bytes:
        return self.file.read_bytes()

    @property
    def media_type(self) -> str:
        return self.format.media_type


def all_quads(store: Store) -> list[ox.Quad]:
    read = getattr(store, "quads", None)  # a remote store reads graph by graph, in N-Triples: much faster
    if read is not None:
        return list(read())
    rows = select(store, ALL_QUADS)
    return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]


class Scoped:
    """The store with GRAPH patterns limited to some graphs (the default graph stays the union): a part's CSV
    reads the goals its own graphs state, without a pass over every programme's graphs for each part."""

    def __init__(self, store: Store, graphs: Sequence[str]) -> None:
        self.store, self.graphs = store, graphs

    @property
    def version(self) -> str:
        return self.store.version

    def query(self, text: str, **options: Any) -> Any:
        return self.store.query(text, named_graphs=self.graphs, **options)

    def replace(self, graphs: Mapping[str, bytes], version: str) -> None:
        raise TypeError("a scoped view is read-only")

    def graph_sizes(self) -> dict[str, int]:
        return {g: n for g, n in self.store.graph_sizes().items() if g in self.graphs}


def union(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The statements of every graph, each once, sorted."""
    return sorted({quad.triple for quad in quads}, key=str)


def serialize(quads: Sequence[ox.Quad], fmt: Format, triples: Sequence[ox.Triple] | None = None) -> bytes:
    """Quads in a dataset format; the union of their graphs (one statement once: `triples`, when the caller
    has it already) in a graph format."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    if fmt.rdf.supports_datasets and fmt in DATASET_FORMATS:
        return ox.serialize(quads, format=fmt.rdf, prefixes=PREFIXES) or b""
    return ox.serialize(union(quads) if triples is None else triples, format=fmt.rdf, prefixes=PREFIXES) or b""


def file_path(programme: str | None, extension: str) -> str:
    return f"data/{programme}/{programme}.{extension}" if programme else f"data/{WHOLE}.{extension}"


def build_dumps(
    store: Store, programmes: Sequence[Programme], licenses: dict[str | None, list[str]], folder: Path | None = None
) -> list[Dump]:
    """Every dump of the whole dataset and of each programme, written to `folder` (a new temporary folder by
    default); `licenses` names the CSVW's licences per part. Built whole every time: service/publish/parts.py
    keeps the parts from one data version to the next."""
    folder = folder or Path(tempfile.mkdtemp(prefix="kzs-dumps-"))
    parts = [
        write_part(part_files(store, p.key, p.graphs, licenses.get(p.key, [])), folder / f"part-{p.key}")
        for p in programmes
    ]
    shared = write_part(part_files(store, None, shared_graphs(store, programmes), []), folder / "shared")
    whole = write_whole([shared, *parts], licenses.get(None, []), folder / "whole")
    return dumps_of(whole, None) + [d for p, part in zip(programmes, parts, strict=True) for d in dumps_of(part, p.key)]


def shared_graphs(store: Store, programmes: Sequence[Programme]) -> tuple[str, ...]:
    """The graphs of no programme: the vocabulary, the concept schemes."""
    own = {graph for p in programmes for graph in p.graphs}
    return tuple(sorted(g for g in store.graph_sizes() if g not in own))


def write_part(files: Mapping[str, bytes], folder: Path) -> Path:
    """`files` (bytes by extension) as `part.{extension}` in `folder`, with their sizes and checksums in
    meta.json; written beside and renamed, so a reader finds the whole folder or none."""
    return settle(fill_part(files, partial_of(folder)), folder)


def partial_of(folder: Path) -> Path:
    partial = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    return partial


def fill_part(files: Mapping[str, bytes], partial: Path) -> Path:
    for extension, body in files.items():
        (partial / f"part.{extension}").write_bytes(body)
    finish_part(partial, list(files))
    return partial


def finish_part(folder: Path, extensions: Sequence[str]) -> None:
    sums = {}
    for extension in extensions:
        digest, size = hashlib.sha256(), 0
        with (folder / f"part.{extension}").open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        sums[extension] = [size, digest.hexdigest()]
    (folder / META).write_text(json.dumps(sums), encoding="utf-8")


def settle(partial: Path, folder: Path) -> Path:
    """`partial` renamed to `folder`; if another process got there first, its folder (the same bytes) stays."""
    try:
        partial.rename(folder)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not (folder / META).is_file():
            raise
    return folder


def write_whole(parts: Sequence[Path], licenses: list[str], folder: Path) -> Path:
    """The whole dataset's files, assembled from the parts' files as they stream (no part held whole)."""
    partial = partial_of(folder)
    extensions = [fmt.extension for fmt in DUMP_FORMATS]
    for extension in extensions:
        assemble(parts, extension, partial / f"part.{extension}")
    csv_name = file_path(None, CSV.extension).rsplit("/", 1)[-1]
    (partial / f"part.{CSVW.extension}").write_bytes(csvw_metadata(csv_name, csv_title(None), licenses))
    finish_part(partial, [*extensions, CSVW.extension])
    return settle(partial, folder)


def dumps_of(folder: Path, key: str | None) -> list[Dump]:
    """The dumps kept in a part's folder, in the catalogue's order, served as `key`'s (None: the whole)."""
    sums = json.loads((folder / META).read_text(encoding="utf-8"))
    found = [(fmt, *sums[fmt.extension]) for fmt in (*DUMP_FORMATS, CSVW)]
    return [
        Dump(file_path(key, fmt.extension), fmt, folder / f"part.{fmt.extension}", size, sha256, key)
        for fmt, size, sha256 in found
    ]


def part_files(store: Store, key: str | None, graphs: Sequence[str], licenses: list[str]) -> dict[str, bytes]:
    """The bytes of one part's dumps (a programme's graphs, or the shared ones) by file extension."""
    rows = list(select(store, ALL_QUADS, named_graphs=list(graphs))) if graphs else []
    quads = [
        own_labels(quad, part_prefix(key)) for quad in canonical(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
    ]
    triples = union(quads)
    files = {fmt.extension: serialize(quads, fmt, triples) for fmt in DUMP_FORMATS if fmt is not CSV}
    files[CSV.extension] = to_csv(action_goal_rows(Scoped(store, graphs), dict.fromkeys(graphs, key or "")))
    csv_name = file_path(key, CSV.extension).rsplit("/", 1)[-1]
    files[CSVW.extension] = csvw_metadata(csv_name, csv_title(key), licenses)
    return files


def csv_title(key: str | None) -> dict[str, str]:
    return {"de": f"Handlungsziele: {key or 'alle Programme'}", "en": f"Action goals: {key or 'all programmes'}"}


def part_prefix(key: str | None) -> str:
    """The start of every blank node label of a part: canonical labels repeat from part to part, and the whole
    dataset is the parts' files one after another, where two parts must never share a blank node."""
    return "p" + hashlib.sha256((key or "").encode()).hexdigest()[:12] + "x"


def own_labels(quad: ox.Quad, prefix: str) -> ox.Quad:
    def node(value: Any) -> Any:
        return ox.BlankNode(prefix + value.value) if isinstance(value, ox.BlankNode) else value

    return ox.Quad(node(quad.subject), quad.predicate, node(quad.object), quad.graph_name)


# Formats whose documents stay one document when put one after another (prefix directives may come anywhere
# in Turtle and TriG): the whole dataset's file is the parts' files, byte for byte.
CONCATENATED = ("nt", "nq", "ttl", "trig")


def assemble(parts: Sequence[Path], extension: str, target: Path) -> None:
    """The whole dataset's file of `extension` from the parts' files (each a folder), streamed to `target`.

    Quads and triples go part after part (a statement several programmes make comes once per programme); the
    CSV is the parts' rows under one header, in programme order (as one CSV of everything sorts them), each
    goal once."""
    if extension == CSV.extension:
        with target.open("w", encoding="utf-8", newline="") as out:
            writer, seen = csv.writer(out, lineterminator="\r\n"), set()
            for index, folder in enumerate(parts):
                with (folder / f"part.{extension}").open(encoding="utf-8", newline="") as part:
                    for number, row in enumerate(csv.reader(part)):
                        goal = row[1] if len(row) > 1 and number > 0 else None
                        if (number == 0 and index == 0) or (goal is not None and goal not in seen):
                            writer.writerow(row)  # a goal several versions state: once, from the first
                            seen.add(goal)
        return
    if extension in CONCATENATED:
        with target.open("wb") as out:
            for folder in parts:
                with (folder / f"part.{extension}").open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
                out.write(b"\n")
        return
    fmt = next(f for f in DUMP_FORMATS if f.extension == extension)
    if fmt.rdf is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    dataset = fmt.rdf.supports_datasets and fmt in DATASET_FORMATS
    source, read_as = ("nq", ox.RdfFormat.N_QUADS) if dataset else ("nt", ox.RdfFormat.N_TRIPLES)
    statements = (
        statement for folder in parts for statement in ox.parse(path=str(folder / f"part.{source}"), format=read_as)
    )
    ox.serialize(statements, output=str(target), format=fmt.rdf, prefixes=PREFIXES)
