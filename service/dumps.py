"""Dumps under /data/: the whole dataset and each programme in every RDF format, and as CSV.

Built once per data version. Blank nodes are given canonical labels and statements are sorted, so the same
data always gives the same bytes (and so the same size, checksum and ETag) in every process and on every host.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from service.formats import DATASET_FORMATS, GRAPH_FORMATS, Format
from service.programmes import Programme
from service.store import Store, select
from service.tables import action_goal_rows, csvw_metadata, to_csv
from service.vocab import PREFIXES

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
    rows = select(store, ALL_QUADS)
    return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank node labels, sorted: equal data, equal order and labels."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(dataset, key=str)


def serialize(quads: Sequence[ox.Quad], fmt: Format) -> bytes:
    """Quads in a dataset format; the union of their graphs (one statement once) in a graph format."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    if fmt.rdf.supports_datasets and fmt in DATASET_FORMATS:
        return ox.serialize(quads, format=fmt.rdf, prefixes=PREFIXES) or b""
    triples = sorted({quad.triple for quad in quads}, key=str)
    return ox.serialize(triples, format=fmt.rdf, prefixes=PREFIXES) or b""


def file_path(programme: str | None, extension: str) -> str:
    return f"data/{programme}/{programme}.{extension}" if programme else f"data/{WHOLE}.{extension}"


def build_dumps(store: Store, programmes: Sequence[Programme], licenses: dict[str | None, list[str]]) -> list[Dump]:
    """Every dump of the whole dataset and of each programme; `licenses` names the CSVW's licences per part."""
    quads = all_quads(store)
    parts: list[tuple[str | None, list[ox.Quad], dict[str, str]]] = [
        (None, canonical(quads), {graph: p.key for p in programmes for graph in p.graphs})
    ]
    for programme in programmes:
        graphs = set(programme.graphs)
        own = canonical(q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in graphs)
        parts.append((programme.key, own, dict.fromkeys(programme.graphs, programme.key)))
    dumps = []
    for key, part_quads, graph_keys in parts:
        for fmt in DUMP_FORMATS:
            body = to_csv(action_goal_rows(store, graph_keys)) if fmt is CSV else serialize(part_quads, fmt)
            dumps.append(Dump(file_path(key, fmt.extension), fmt, body, key))
        csv_name = file_path(key, CSV.extension).rsplit("/", 1)[-1]
        title = {"de": f"Handlungsziele: {key or 'alle Programme'}", "en": f"Action goals: {key or 'all programmes'}"}
        metadata = csvw_metadata(csv_name, title, licenses.get(key, []))
        dumps.append(Dump(file_path(key, CSVW.extension), CSVW, metadata, key))
    return dumps
