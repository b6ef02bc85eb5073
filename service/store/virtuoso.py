"""Virtuoso, holding this dataset alone: its default graph without the graphs that are not ours.

Virtuoso reads every graph IRI of a query's dataset, so naming ~4,000 graphs costs seconds a query. Without a
dataset its default graph is every graph it holds: ours, the version record, and its own system graphs
(`virtrdf:`, `ldp:`, its service description). `kzs load` lists those others in the version record, and a
public query then goes without a dataset, each of them left out by Virtuoso's
`define input:default-graph-exclude`. A graph group (`DB.DBA.RDF_GRAPH_GROUP_INS`) named as the one default
graph was tried and measured: 8 ms for one pattern, but 60 s (a timeout) for a canned query with OPTIONALs at
1,000 towns, against 2.8 s with every graph named and 0.2 s with the exclusions.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

CRUD = "sparql-graph-crud"
# Every graph the store holds: cheap on the first load into a fresh store, a scan of every statement later.
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def is_virtuoso(graph_store_url: str) -> bool:
    return CRUD in graph_store_url


def excluding(text: str, graphs: Iterable[str]) -> str:
    """The query with Virtuoso's pragmas that leave `graphs` out of its default graph (before its prologue)."""
    pragmas = "".join(f"define input:default-graph-exclude {ox.NamedNode(graph)}\n" for graph in sorted(graphs))
    return pragmas + text
