"""Virtuoso's graph group of our graphs: one IRI in `default-graph-uri` for all of them.

Virtuoso reads every graph IRI of a query's dataset, so naming ~4,000 graphs costs seconds a query; a graph
group (`DB.DBA.RDF_GRAPH_GROUP_CREATE`, `…_INS`, `…_DEL`) stands for its members wherever a default graph may be
named, and holds neither Virtuoso's system graphs nor the version record nor anyone else's graphs. `kzs load`
keeps it with the credentials it loads with: the procedures are called from SPARQL (`sql:` functions) at the
authenticated endpoint beside the Graph Store Protocol's (`/sparql-auth`). A group cannot be named in
`named-graph-uri`: queries with GRAPH still name our graphs there.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

GROUP_GRAPH = "graph/gesamt"  # relative to the base: the group's IRI
CRUD = "sparql-graph-crud"
PER_REQUEST = 500  # members added or removed per request


def is_virtuoso(graph_store_url: str) -> bool:
    return CRUD in graph_store_url


def endpoint(graph_store_url: str, update_url: str) -> str:
    """The authenticated SPARQL endpoint: the update URL if set, else the one beside the Graph Store's."""
    return update_url or graph_store_url.split(CRUD)[0] + "sparql-auth"


def group_queries(group: str, add: Iterable[str], remove: Iterable[str], create: bool) -> list[str]:
    """The SPARQL queries that create the group (when `create`), add `add` to it and remove `remove` from it;
    each calls a procedure once per row of its VALUES, `PER_REQUEST` graphs a query. Adding a member twice or
    removing one that is not in the group does nothing."""
    name = ox.Literal(group)
    queries = [f"SELECT (<sql:RDF_GRAPH_GROUP_CREATE>({name}, 1) AS ?done) {{}}"] if create else []
    for procedure, graphs in (("RDF_GRAPH_GROUP_INS", list(add)), ("RDF_GRAPH_GROUP_DEL", list(remove))):
        for start in range(0, len(graphs), PER_REQUEST):
            values = " ".join(str(ox.Literal(graph)) for graph in graphs[start : start + PER_REQUEST])
            queries.append(f"SELECT (<sql:{procedure}>({name}, ?g) AS ?done) WHERE {{ VALUES ?g {{ {values} }} }}")
    return queries
