"""Dumps under /data/: the whole dataset and each programme in every RDF format, and as CSV.

Built once per data version. Blank nodes are given canonical labels and statements are sorted, so the same
data always gives the same bytes (and so the same size, checksum and ETag) in every process and on every host.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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

ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True)
class Dump:
    path: str  # below the base URI, e.g. "data/soest-2009/soest-2009.ttl"
    format: Format
    body: bytes
    programme: str | None  # None: the whole dataset

    @property
    def size(self) -> int:
        return len(self.body)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

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


def build_dumps(store: Store, programmes: Sequence[Programme], licenses: dict[str | None, list[str]]) -> list[Dump]:
    """Every dump of the whole dataset and of each programme; `licenses` names the CSVW's licences per part."""
    quads = all_quads(store)
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        by_graph.setdefault(str(getattr(quad.graph_name, "value", "")), []).append(quad)
    parts: list[tuple[str | None, list[ox.Quad], dict[str, str], Store]] = [
        (None, canonical(quads), {graph: p.key for p in programmes for graph in p.graphs}, store)
    ]
    for programme in programmes:
        own = canonical(quad for graph in programme.graphs for quad in by_graph.get(graph, ()))
        scoped = Scoped(store, programme.graphs)
        parts.append((programme.key, own, dict.fromkeys(programme.graphs, programme.key), scoped))
    dumps = []
    for key, part_quads, graph_keys, source in parts:
        triples = union(part_quads)
        for fmt in DUMP_FORMATS:
            body = to_csv(action_goal_rows(source, graph_keys)) if fmt is CSV else serialize(part_quads, fmt, triples)
            dumps.append(Dump(file_path(key, fmt.extension), fmt, body, key))
        csv_name = file_path(key, CSV.extension).rsplit("/", 1)[-1]
        title = {"de": f"Handlungsziele: {key or 'alle Programme'}", "en": f"Action goals: {key or 'all programmes'}"}
        metadata = csvw_metadata(csv_name, title, licenses.get(key, []))
        dumps.append(Dump(file_path(key, CSVW.extension), CSVW, metadata, key))
    return dumps
