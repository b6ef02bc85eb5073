"""Dumps under /data/: the whole dataset and each programme in every RDF format, and as CSV.

Built once per data version. Blank nodes are given canonical labels and statements are sorted, so the same
data always gives the same bytes (and so the same size, checksum and ETag) in every process and on every host.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.content.tables import action_goal_rows, csv_records, csvw_metadata
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
class Piece:
    """Bytes `start` to `end` of a kept file."""

    file: Path
    start: int
    end: int


@dataclass(frozen=True)
class Dump:
    path: str  # below the base URI, e.g. "data/soest-2009/soest-2009.ttl"
    format: Format
    pieces: tuple[Piece | bytes, ...]  # its bytes, one after another: a part's file, or the whole from the parts'
    size: int
    sha256: str  # "" for the whole dataset's files: assembled from the parts, never read whole to hash them
    programme: str | None  # None: the whole dataset
    tag: str = ""  # the strong ETag: the SHA-256, else a digest of the pieces (named by their parts' digests)

    @property
    def etag(self) -> str:
        return self.sha256 or self.tag

    @property
    def file(self) -> Path | None:
        """The one file this dump is, if it is one file whole."""
        only = self.pieces[0] if len(self.pieces) == 1 else None
        return only.file if isinstance(only, Piece) and only.start == 0 and only.end == self.size else None

    def open(self) -> io.BufferedReader:
        return io.BufferedReader(Joined(self.pieces), 1 << 20)

    @property
    def body(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def checksum(self) -> str:
        """The SHA-256 of its bytes (read for the whole dataset's files: a release freezes them)."""
        if self.sha256:
            return self.sha256
        digest = hashlib.sha256()
        with self.open() as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    @property
    def media_type(self) -> str:
        return self.format.media_type


class Joined(io.RawIOBase):
    """Pieces read as one seekable file (a Range request of a whole dump reads only the pieces it covers)."""

    def __init__(self, pieces: Sequence[Piece | bytes]) -> None:
        self.pieces = pieces
        self.ends = list(itertools.accumulate(len(p) if isinstance(p, bytes) else p.end - p.start for p in pieces))
        self.position = 0
        self.current: tuple[int, Any] | None = None  # the piece open now and its file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        size = self.ends[-1] if self.ends else 0
        self.position = max(0, {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: size}[whence] + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, target: Any) -> int:
        index = bisect.bisect_right(self.ends, self.position)
        if index >= len(self.pieces):
            return 0
        piece, start = self.pieces[index], self.ends[index - 1] if index else 0
        offset = self.position - start
        wanted = min(len(target), self.ends[index] - self.position)
        if isinstance(piece, bytes):
            chunk = piece[offset : offset + wanted]
        else:
            if self.current is None or self.current[0] != index:
                self.close_piece()
                self.current = (index, piece.file.open("rb"))
            file = self.current[1]
            file.seek(piece.start + offset)
            chunk = file.read(wanted)
        target[: len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)

    def close_piece(self) -> None:
        if self.current is not None:
            self.current[1].close()
            self.current = None

    def close(self) -> None:
        self.close_piece()
        super().close()


class Scoped:
    """The store as one part sees it: GRAPH patterns limited to the part's graphs, the default graph their union
    with the shared graphs (the vocabulary, the schemes' labels). A part's CSV so reads its own statements alone:
    a pass over every programme's graphs for each part grows with the square of the towns, and would make the
    part depend on data its digest does not cover."""

    def __init__(self, store: Store, graphs: Sequence[str], shared: Sequence[str] = ()) -> None:
        self.store, self.graphs, self.default = store, graphs, [*graphs, *shared]

    @property
    def version(self) -> str:
        return self.store.version

    def query(self, text: str, **options: Any) -> Any:
        return self.store.query(text, default_graph=self.default, named_graphs=self.graphs, **options)

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
    common = shared_graphs(store, programmes)
    parts = [
        write_part(part_files(store, p.key, p.graphs, licenses.get(p.key, []), common), folder / f"part-{p.key}")
        for p in programmes
    ]
    shared = write_part(part_files(store, None, common, []), folder / "shared")
    whole = whole_dumps([shared, *parts], licenses.get(None, []))
    return whole + [d for p, part in zip(programmes, parts, strict=True) for d in dumps_of(part, p.key)]


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
    """The files into `partial`, and meta.json: each file's size and SHA-256, and where the CSV's records are."""
    meta: dict[str, Any] = {}
    for extension, body in files.items():
        if extension != ROWS:
            (partial / f"part.{extension}").write_bytes(body)
            meta[extension] = [len(body), hashlib.sha256(body).hexdigest()]
    meta[ROWS] = json.loads(files.get(ROWS, b"null"))
    (partial / META).write_text(json.dumps(meta), encoding="utf-8")
    return partial


def settle(partial: Path, folder: Path) -> Path:
    """`partial` renamed to `folder`; if another process got there first, its folder (the same bytes) stays."""
    try:
        partial.rename(folder)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not (folder / META).is_file():
            raise
    return folder


def dumps_of(folder: Path, key: str | None) -> list[Dump]:
    """The dumps kept in a part's folder, in the catalogue's order, served as `key`'s (None: the whole)."""
    meta = meta_of(folder)
    return [part_dump(folder, meta, fmt, key) for fmt in (*DUMP_FORMATS, CSVW)]


def meta_of(folder: Path) -> dict[str, Any]:
    """A part's meta.json; a settled part's read once (its folder is named by its digest, never written again)."""
    return read_meta(folder) if folder.name.startswith(".") else settled_meta(folder)


def read_meta(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((folder / META).read_text(encoding="utf-8"))
    return found


settled_meta = functools.lru_cache(maxsize=1 << 14)(read_meta)


def part_dump(folder: Path, meta: Mapping[str, Any], fmt: Format, key: str | None) -> Dump:
    size, sha256 = meta[fmt.extension]
    whole_file = Piece(folder / f"part.{fmt.extension}", 0, size)
    return Dump(file_path(key, fmt.extension), fmt, (whole_file,), size, sha256, key)


ROWS = "rows"  # in a part's meta.json: the CSV's header length and each record's goal, start and end


def graph_quads(store: Store, graphs: Sequence[str]) -> list[ox.Quad]:
    """Every statement of `graphs`."""
    read = getattr(store, "quads_of", None)  # the embedded store reads its indexes directly
    if read is not None:
        return list(read(graphs))
    if not graphs:
        return []
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in select(store, ALL_QUADS, named_graphs=list(graphs))]


def part_files(
    store: Store,
    key: str | None,
    graphs: Sequence[str],
    licenses: list[str],
    shared: Sequence[str] = (),
    stated: Sequence[ox.Quad] | None = None,
) -> dict[str, bytes]:
    """The bytes of one part's dumps (a programme's graphs, or the `shared` ones) by file extension; `stated`:
    the graphs' statements, when the caller has read them."""
    found = graph_quads(store, graphs) if stated is None else stated
    prefix = part_prefix(key)
    quads = [own_labels(quad, prefix) for quad in canonical(found)]
    triples = union(quads)
    files = {fmt.extension: serialize(quads, fmt, triples) for fmt in DUMP_FORMATS if fmt is not CSV}
    for extension, (head, tail, _) in FRAMES.items():
        if not (files[extension].startswith(head()) and files[extension].endswith(tail)):
            raise ValueError(f"the {extension} serialiser's frame changed: the whole dataset cannot be assembled")
    goals = action_goal_rows(Scoped(store, graphs, shared), dict.fromkeys(graphs, key or ""))
    records = csv_records(goals)
    files[CSV.extension] = b"".join(records)
    ends = list(itertools.accumulate(map(len, records)))
    index = [[row["handlungsziel"], start, end] for row, start, end in zip(goals, ends, ends[1:], strict=False)]
    files[ROWS] = json.dumps({"header": ends[0], "records": index}).encode()
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


@functools.cache
def rdf_xml_head() -> bytes:
    """What every RDF/XML file of ours starts with: the XML declaration and rdf:RDF with our prefixes."""
    empty = ox.serialize([], format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES) or b""
    return empty.removesuffix(RDF_XML_TAIL)


RDF_XML_TAIL = b"</rdf:RDF>"
# A part's file inside its frame, for formats whose documents do not simply follow one another: (the frame's
# start, its end, what goes between two parts). Turtle, TriG, N-Triples and N-Quads are put one after another
# whole (prefix directives may come anywhere in Turtle and TriG).
FRAMES: dict[str, tuple[Callable[[], bytes], bytes, bytes]] = {
    "jsonld": (lambda: b"[", b"]", b","),  # one array of node objects (or graph objects)
    "rdf": (rdf_xml_head, RDF_XML_TAIL, b""),  # rdf:Description elements in one rdf:RDF
}


def whole_dumps(parts: Sequence[Path], licenses: list[str]) -> list[Dump]:
    """The whole dataset's dumps, assembled from the parts' files (each a folder; the shared one first) as pieces:
    nothing is copied, serialised or hashed, so a change of one part costs that part alone.

    Statements go part after part (one several programmes make comes once per programme); the CSV is the parts'
    records under one header, in programme order, each goal once (from the first part that states it)."""
    metas = [meta_of(folder) for folder in parts]
    tag = hashlib.sha256("\0".join(folder.name for folder in parts).encode()).hexdigest()
    dumps = []
    for fmt in DUMP_FORMATS:
        ext = fmt.extension
        files = [(folder / f"part.{ext}", meta[ext][0]) for folder, meta in zip(parts, metas, strict=True)]
        pieces: list[Piece | bytes]
        if ext == CSV.extension:
            pieces = csv_pieces(files, [meta[ROWS] for meta in metas])
        elif ext in FRAMES:
            head, tail, between = FRAMES[ext][0](), FRAMES[ext][1], FRAMES[ext][2]
            inner = [Piece(file, len(head), size - len(tail)) for file, size in files if size > len(head) + len(tail)]
            pieces = [head]
            for number, piece in enumerate(inner):
                pieces.extend((between, piece) if number else (piece,))
            pieces.append(tail)
        else:
            pieces = [x for file, size in files for x in (Piece(file, 0, size), b"\n")]
        size = sum(len(p) if isinstance(p, bytes) else p.end - p.start for p in pieces)
        dumps.append(Dump(file_path(None, ext), fmt, tuple(pieces), size, "", None, f"{tag[:40]}-{ext}"))
    csv_name = file_path(None, CSV.extension).rsplit("/", 1)[-1]
    metadata = csvw_metadata(csv_name, csv_title(None), licenses)
    sha256 = hashlib.sha256(metadata).hexdigest()
    return [*dumps, Dump(file_path(None, CSVW.extension), CSVW, (metadata,), len(metadata), sha256, None)]


def csv_pieces(files: Sequence[tuple[Path, int]], rows: Sequence[Mapping[str, Any]]) -> list[Piece | bytes]:
    """The first part's header, then each part's records of goals no earlier part stated, as runs of bytes."""
    pieces: list[Piece | bytes] = [Piece(files[0][0], 0, rows[0]["header"])]
    seen: set[str] = set()
    for (file, _), index in zip(files, rows, strict=True):
        for goal, start, end in index["records"]:
            if goal in seen:
                continue
            seen.add(goal)
            last = pieces[-1]
            if isinstance(last, Piece) and last.file == file and last.end == start:
                pieces[-1] = Piece(file, last.start, end)
            else:
                pieces.append(Piece(file, start, end))
    return pieces
