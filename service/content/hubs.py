"""The incoming links of the shared resources, indexed once per data version.

A shared resource (a target group, a field of action, a concept scheme, the SDG mapping method) is described
in a graph of its own, not a programme's, and every town links to it: its incoming links grow with the towns.
Counting and sorting them for every page cost 30–50 ms at 1M triples; the index holds, per shared resource and
property, the linking IRIs sorted (the order a page shows) and the first links held by blank nodes, so a page
is a slice of a list and one look-up of the labels of what it shows.

Shared graphs are `{base}graph/{name}`; a programme's are `{base}graph/{programme}/{part}` (docs/architecture.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from service.files import write_whole
from service.rdf.namespaces import SPARQL_PROLOGUE
from service.store.embedded import Store, select

GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"
# Read over the shared graphs alone (`default_graph`), a few thousand statements at any number of towns.
SHARED = "SELECT DISTINCT ?r ?prefix WHERE { ?r ?p ?o FILTER(isIRI(?r) && STRSTARTS(STR(?r), ?prefix)) }"
# What links to one shared resource: IRIs directly; blank nodes (a qualified attribution naming a role) through
# the IRI that holds them, as describe.INCOMING_VIA_BLANK shows them. Reified statements' blank nodes are not
# links of their own.
# Per property, the linking IRIs in one string (a row each would cost twice the time at 1M triples), "_" for a
# blank node that links otherwise than as a reified statement's subject or object.
LINKS = (
    SPARQL_PROLOGUE
    + """
SELECT ?r ?p (GROUP_CONCAT(IF(isIRI(?s), STR(?s), "_"); separator=" ") AS ?linking) WHERE {
  ?s ?p ?r FILTER(isIRI(?s) || (isBlank(?s) && ?p NOT IN (rdf:subject, rdf:object)))
} GROUP BY ?r ?p
"""
)
VIA_BLANK = (
    SPARQL_PROLOGUE
    + """
SELECT ?r ?p ?b ?owner ?op WHERE {
  ?b ?p ?r FILTER(isBlank(?b) && ?p NOT IN (rdf:subject, rdf:object)) ?owner ?op ?b FILTER(isIRI(?owner))
}
"""
)
VIA_BLANK_KEPT = 100  # links through blank nodes a document shows, the first by their holder's IRI


@dataclass
class Links:
    """The links to one shared resource: linking IRIs per property, sorted; the first links via blank nodes as
    (holder, its property, the blank node, the blank node's property), sorted by holder."""

    by_property: dict[str, list[str]] = field(default_factory=dict)
    via_blank: list[tuple[str, str, ox.BlankNode, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {predicate: len(subjects) for predicate, subjects in self.by_property.items()}

    def page(self, predicate: str, page: int, page_size: int) -> list[str]:
        """Page `page` (from 1) of the IRIs linking by `predicate`."""
        start = (page - 1) * page_size
        return self.by_property.get(predicate, [])[start : start + page_size]


@dataclass
class Hubs:
    """The shared resources' links, by the resource's IRI."""

    links: dict[str, Links] = field(default_factory=dict)

    def get(self, iri: str) -> Links | None:
        return self.links.get(iri)


def may_be_shared(base: str, iri: str) -> bool:
    """Whether `iri` may be a shared resource: a thing outside every programme (docs/architecture.md, URIs)."""
    return iri.startswith(f"{base}id/") and not iri.startswith(f"{base}id/kommune/")


def shared_graphs(store: Store, base: str) -> list[str]:
    graphs = [row["g"].value for row in select(store, GRAPHS)]
    return sorted(g for g in graphs if g.startswith(f"{base}graph/") and "/" not in g.removeprefix(f"{base}graph/"))


def build(store: Store, base: str) -> Hubs:
    """The index over the data of `store`: every IRI under `{base}id/` that a shared graph describes."""
    graphs = shared_graphs(store, base)
    if not graphs:
        return Hubs()
    prefix = {"prefix": ox.Literal(f"{base}id/")}
    hubs = sorted(row["r"].value for row in select(store, SHARED, default_graph=graphs, substitutions=prefix))
    return Hubs({iri: _links(store, iri) for iri in hubs})


def kept(store: Store, base: str, folder: Path | None) -> Hubs:
    """The index of `store`'s data version, read from `folder` where an earlier start wrote it (the version is a
    digest of every input byte), else built and written there; the two newest versions' indexes stay."""
    if folder is None or not store.version:
        return build(store, base)
    path = folder / f"hubs-{store.version}.json"
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        return Hubs(
            {iri: Links(p, [(h, op, ox.BlankNode(b), bp) for h, op, b, bp in v]) for iri, (p, v) in found.items()}
        )
    except (OSError, ValueError, TypeError):
        pass  # not written yet, or unreadable: built again
    hubs = build(store, base)
    found = {
        iri: [links.by_property, [(h, op, b.value, bp) for h, op, b, bp in links.via_blank]]
        for iri, links in hubs.links.items()
    }
    write_whole(path, json.dumps(found))
    for old in sorted(folder.glob("hubs-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[2:]:
        old.unlink(missing_ok=True)
    return hubs


def _links(store: Store, iri: str) -> Links:
    node = {"r": ox.NamedNode(iri)}
    subjects: dict[str, list[str]] = {}
    blank_nodes = False
    for row in select(store, LINKS, substitutions=node):
        linking = set(row["linking"].value.split(" "))
        if "_" in linking:
            blank_nodes = True
            linking.discard("_")
        if linking:
            subjects[row["p"].value] = sorted(linking)
    blank = {(row["owner"].value, row["op"].value, row["b"], row["p"].value)
             for row in (select(store, VIA_BLANK, substitutions=node) if blank_nodes else ())}  # fmt: skip
    kept = sorted(blank, key=lambda link: (link[0], link[1], link[3], str(link[2])))[:VIA_BLANK_KEPT]
    return Links(subjects, kept)
