"""The version record of a remote store: the data version, when it was loaded, our graphs and their checksums.

`kzs load` writes it last, so replicas see a new version once every graph of it is in place. It takes one of two
forms, and a reader takes whichever the store holds:

- statements in the graph `{base}graph/datenstand` (any SPARQL 1.1 store);
- the names of empty graphs `{base}graph/datenstand?…` and no statement at all, where the store keeps empty
  graphs (Oxigraph server). A store's union default graph is then exactly our graphs: Oxigraph's union holds
  every graph, its default graph too, so statements anywhere would show in every query over it.

On Virtuoso the record also lists the store's graphs that are not ours (service/store/virtuoso.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import pyoxigraph as ox

VERSION_GRAPH = "graph/datenstand"  # relative to the base
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"
DCT_MODIFIED = "http://purl.org/dc/terms/modified"
NOT_OURS = "#andere"  # after the record's IRI: a predicate of the record alone, for the store's other graphs
DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
UPDATE_BYTES = 512 * 1024  # per SPARQL Update request: Oxigraph server reads at most 1 MiB of a request body


@dataclass(frozen=True)
class Loaded:
    """What the store holds, by its version record: read once per `refresh` seconds."""

    version: str
    graphs: tuple[str, ...]
    modified: str
    read_at: float
    checksums: Mapping[str, str] = field(default_factory=dict)
    others: tuple[str, ...] = ()  # the store's graphs that are not ours, where `kzs load` could list them
    statement_free: bool = False  # the record holds no statements: a union default graph holds ours alone


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def statements(
    record_graph: str, graphs: Iterable[str], version: str, sums: Mapping[str, str], others: Iterable[str] = ()
) -> str:
    """The record as N-Triples, for the graph `record_graph`."""
    subject = str(ox.NamedNode(record_graph))
    lines = [
        f"{subject} <{OWL_VERSION}> {ox.Literal(version)} .",
        f'{subject} <{DCT_MODIFIED}> "{now()}"^^<{DATETIME}> .',
    ]
    lines += [f"{subject} <{DCT_HAS_PART}> {ox.NamedNode(graph)} ." for graph in sorted(graphs)]
    lines += [f"{ox.NamedNode(g)} <{OWL_VERSION}> {ox.Literal(s)} ." for g, s in sorted(sums.items())]
    lines += [f"{subject} <{record_graph}{NOT_OURS}> {ox.NamedNode(graph)} ." for graph in sorted(others)]
    return "\n".join(lines) + "\n"


def statements_query(record_graph: str, sums: bool) -> str:
    """One row per fact of the record in its statement form (a UNION: no product of graphs and other graphs);
    each graph's checksum only with `sums` (what `kzs load` compares, not what replicas read every few seconds)."""
    g = f"<{record_graph}>"
    checksum = f"OPTIONAL {{ ?graph <{OWL_VERSION}> ?sum }}" if sums else ""
    return (
        f"SELECT ?version ?modified ?graph ?sum ?other WHERE {{ GRAPH {g} {{ {g} <{OWL_VERSION}> ?version "
        f"{{ OPTIONAL {{ {g} <{DCT_MODIFIED}> ?modified }} }} UNION {{ {g} <{record_graph}{NOT_OURS}> ?other }} "
        f"UNION {{ {g} <{DCT_HAS_PART}> ?graph {checksum} }} }} }}"
    )


def from_statements(rows: Iterable[ox.QuerySolution], read_at: float) -> Loaded | None:
    """The record from the rows of `statements_query`; None when the store holds none in that form."""
    version = modified = ""
    sums: dict[str, str] = {}
    others: set[str] = set()
    found = False
    for row in rows:
        found = True
        version = str(row["version"].value)
        modified = modified or (str(row["modified"].value) if row["modified"] is not None else "")
        others.update([str(row["other"].value)] if row["other"] is not None else [])
        if row["graph"] is not None:
            sums[str(row["graph"].value)] = str(row["sum"].value) if row["sum"] is not None else ""
    if not found:
        return None
    checksums = {graph: value for graph, value in sums.items() if value}
    return Loaded(version, tuple(sorted(sums)), modified, read_at, checksums, tuple(sorted(others)))


def graph_names(record_graph: str, graphs: Iterable[str], version: str, sums: Mapping[str, str]) -> list[str]:
    """The record as names of empty graphs: the version and time, then each graph of ours with its checksum."""
    names = [f"{record_graph}?version={quote(version, safe='')}&modified={quote(now(), safe='')}"]
    names += [f"{record_graph}?graph={quote(g, safe='')}&sha256={quote(sums.get(g, ''), safe='')}" for g in graphs]
    return names


def names_query(record_graph: str) -> str:
    """The names of the record's empty graphs, in the store's own dataset (every graph it holds)."""
    return f'SELECT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{record_graph}?")) }}'


def from_names(names: Iterable[str], record_graph: str, read_at: float) -> Loaded | None:
    """The record from the names of its empty graphs; None when the store holds none in that form."""
    version = modified = ""
    sums: dict[str, str] = {}
    for name in names:
        fields = dict(parse_qsl(name.removeprefix(record_graph + "?")))
        if "version" in fields:
            version, modified = fields["version"], fields.get("modified", "")
        elif "graph" in fields:
            sums[fields["graph"]] = fields.get("sha256", "")
    if not version:
        return None
    checksums = {graph: value for graph, value in sums.items() if value}
    return Loaded(version, tuple(sorted(sums)), modified, read_at, checksums, statement_free=True)


def names_updates(record_graph: str, old: Iterable[str], new: Iterable[str], drop_statements: bool = True) -> list[str]:
    """The SPARQL Updates that replace the record's names `old` by `new`, in order, each of at most
    `UPDATE_BYTES`: the names of new checksums first; then, in one request (one transaction), the new version's
    name for the old one's, and with `drop_statements` the record's statement form gone (the switch); then the
    names of what is gone. Until the last request the record may list a graph twice or one that is gone."""
    old, new = list(old), list(new)
    before, after = set(old), set(new)
    versions = record_graph + "?version="
    creates = [create(name) for name in new if name not in before and not name.startswith(versions)]
    switch = [drop(name) for name in old if name.startswith(versions) and name not in after]
    switch += [create(name) for name in new if name.startswith(versions)]
    switch += [drop(record_graph)] if drop_statements else []
    drops = [drop(name) for name in old if name not in after and not name.startswith(versions)]
    return [*chunked(creates), " ;\n".join(switch), *chunked(drops)]


def create(graph: str) -> str:
    return f"CREATE SILENT GRAPH {ox.NamedNode(graph)}"


def drop(graph: str) -> str:
    return f"DROP SILENT GRAPH {ox.NamedNode(graph)}"


def chunked(operations: list[str]) -> Iterator[str]:
    """The operations as requests of at most `UPDATE_BYTES` each."""
    batch: list[str] = []
    size = 0
    for operation in operations:
        if batch and size + len(operation) > UPDATE_BYTES:
            yield " ;\n".join(batch)
            batch, size = [], 0
        batch.append(operation)
        size += len(operation) + 3
    if batch:
        yield " ;\n".join(batch)
