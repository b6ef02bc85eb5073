"""The graph of one resource: what it says, its blank nodes, its passages, its neighbours' labels, and its
incoming links per property, counted and paged so that a hub (a target group every town links to) stays cheap.

Every query is fixed and prepared: the resource is substituted for ?r (and a property for ?p), never pasted
into the text. Oxigraph only substitutes variables the query projects, so ?r and ?p appear in every projection
or template. Page offsets are integers computed here, not request text; the resources whose labels a page of a
shared resource's links shows are IRIs from the index (content/hubs.py), written into a VALUES block as the
store's own terms.

A shared resource's links come from that index, built once per data version: counted and sorted per page,
they grew with the towns (50 ms at 1M triples for a target group with 2,000 links).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from service.content.hubs import Links
from service.rdf.canonical import canonical
from service.rdf.namespaces import LABEL_PROPERTIES, PREFIXES, SPARQL_PROLOGUE
from service.store.embedded import Store, construct, select

# Properties that name a resource, in order of preference.
# As a FILTER, not VALUES: with VALUES first, Oxigraph would join every label in the store before ?n is bound.
LABELS = ", ".join(f"<{iri}>" for iri in (*LABEL_PROPERTIES, PREFIXES["skos"] + "notation"))

# The constant predicates next to ?r come through VALUES: with an alternative path (`prov:wasQuotedFrom|…`)
# or `?st rdf:subject ?r ; a rdf:Statement`, Oxigraph starts from the predicate and scans every passage or
# statement before the substituted ?r is joined (at 1M triples 100 ms against 2 ms per document, growing).
# The neighbours come DISTINCT before their labels are joined: a statement every programme repeats (a shared
# concept's broader link in each town's groupings) comes once per graph, and past a few hundred rows Oxigraph
# joined them with every label in the store (120 ms against 4 ms at 1M triples).
OUTGOING = (
    SPARQL_PROLOGUE
    + f"""
CONSTRUCT {{
  ?r ?p ?o . ?b ?bp ?bo . ?c ?cp ?co . ?q ?qp ?qo . ?sel ?sp ?so . ?n ?lp ?l . ?st ?stp ?sto .
  ?m eli:is_exemplified_by ?file . ?ax ?axp ?axo .
}} WHERE {{
  {{ ?r ?p ?o }}
  UNION {{ ?r ?p1 ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
  UNION {{ ?r ?p1 ?b1 FILTER(isBlank(?b1)) ?b1 ?p2 ?c FILTER(isBlank(?c)) ?c ?cp ?co }}
  UNION {{ VALUES ?via {{ prov:wasQuotedFrom prov:wasDerivedFrom }} ?r ?via ?q . ?q ?qp ?qo }}
  UNION {{ VALUES ?via1 {{ prov:wasQuotedFrom prov:wasDerivedFrom }}
           ?r ?via1 ?q1 . ?q1 oa:hasSelector ?sel . ?sel ?sp ?so }}
  UNION {{ {{ SELECT DISTINCT ?r ?n WHERE {{ ?r ?p1 ?n FILTER(isIRI(?n)) }} }} ?n ?lp ?l FILTER(?lp IN ({LABELS})) }}
  UNION {{ ?r ?p1 ?b2 FILTER(isBlank(?b2)) ?b2 ?p3 ?n FILTER(isIRI(?n)) ?n ?lp ?l FILTER(?lp IN ({LABELS})) }}
  UNION {{ VALUES ?about {{ rdf:subject }} ?st ?about ?r ; a rdf:Statement ; ?stp ?sto }}
  UNION {{ VALUES ?about2 {{ owl:annotatedSource }} ?ax ?about2 ?r ; a owl:Axiom ; ?axp ?axo }}
  UNION {{ VALUES ?via2 {{ prov:wasQuotedFrom prov:wasDerivedFrom oa:hasSource }} ?r ?via2 ?q2 .
           ?q2 oa:hasSource? ?m . ?m eli:is_exemplified_by ?file }}
}}
"""
)

INCOMING_COUNTS = SPARQL_PROLOGUE + (
    "SELECT ?r ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?r FILTER(isIRI(?s)) } GROUP BY ?r ?p"
)

# Ordered by IRI, so pages are stable and a hub's links come grouped by town and programme. Sorting costs
# O(n log n) (about a second for 100,000 links); past SORTED_UP_TO links a page keeps the store's index order,
# which is as stable for one data version but reads in no particular order.
SORTED_UP_TO = 20_000
INCOMING_PAGE = (
    SPARQL_PROLOGUE
    + f"""
CONSTRUCT {{ ?s ?p ?r . ?s ?lp ?l }} WHERE {{
  {{ SELECT DISTINCT ?r ?p ?s WHERE {{ ?s ?p ?r FILTER(isIRI(?s)) }} {{order}} LIMIT {{limit}} OFFSET {{offset}} }}
  OPTIONAL {{ ?s ?lp ?l FILTER(?lp IN ({LABELS})) }}
}}
"""
)

# Links held by blank nodes (a qualified attribution naming a person), shown with the node's owner.
INCOMING_VIA_BLANK = (
    SPARQL_PROLOGUE
    + f"""
CONSTRUCT {{ ?owner ?op ?b . ?b ?p ?r . ?owner ?lp ?l }} WHERE {{
  {{ SELECT ?r ?p ?b ?owner ?op WHERE {{
       ?b ?p ?r FILTER(isBlank(?b) && ?p NOT IN (rdf:subject, rdf:object)) ?owner ?op ?b FILTER(isIRI(?owner))
     }} ORDER BY ?owner LIMIT 100 }}
  OPTIONAL {{ ?owner ?lp ?l FILTER(?lp IN ({LABELS})) }}
}}
"""
)

LABELS_OF_ALL = (
    SPARQL_PROLOGUE
    + f"CONSTRUCT {{ ?s ?lp ?l }} WHERE {{ VALUES ?s {{ {{subjects}} }} ?s ?lp ?l FILTER(?lp IN ({LABELS})) }}"
)

EXISTS = "ASK { { ?r ?p ?o } UNION { ?s ?p ?r } }"

LABELS_OF = SPARQL_PROLOGUE + f"SELECT ?r ?lp ?l WHERE {{ ?r ?lp ?l FILTER(?lp IN ({LABELS})) }}"


@dataclass
class Description:
    """Everything a document about `iri` shows; `incoming` counts IRI subjects per property."""

    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    incoming: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        node = ox.NamedNode(self.iri)
        return bool(self.incoming) or any(t.subject == node or t.object == node for t in self.triples)


def exists(store: Store, iri: str) -> bool:
    """Whether the store says anything about or pointing to `iri`."""
    return bool(store.query(EXISTS, substitutions={"r": ox.NamedNode(iri)}))


def incoming_counts(store: Store, iri: str) -> dict[str, int]:
    rows = select(store, INCOMING_COUNTS, substitutions={"r": ox.NamedNode(iri)})
    return {row["p"].value: int(row["n"].value) for row in rows}


def incoming_page(
    store: Store, iri: str, predicate: str, page: int, page_size: int, total: int, links: Links | None = None
) -> list[ox.Triple]:
    """Page `page` (from 1) of the `total` links `?s <predicate> <iri>`, with the linking resources' labels;
    from `links` when `iri` is a shared resource."""
    if links is not None:
        shown = _links_to(iri, predicate, links.page(predicate, page, page_size))
        return shown + labels_of_all(store, [t.subject for t in shown])
    order = "ORDER BY ?s" if total <= SORTED_UP_TO else ""
    limit, offset = str(int(page_size)), str((int(page) - 1) * int(page_size))
    text = INCOMING_PAGE.replace("{order}", order).replace("{limit}", limit).replace("{offset}", offset)
    found = construct(store, text, substitutions={"r": ox.NamedNode(iri), "p": ox.NamedNode(predicate)})
    return list(found)


def describe(store: Store, iri: str, page_size: int, links: Links | None = None) -> Description:
    """The document about `iri`: all it says, and the first page of every kind of incoming link (from `links`
    when `iri` is a shared resource)."""
    node = ox.NamedNode(iri)
    triples = list(construct(store, OUTGOING, substitutions={"r": node}))
    if links is not None:
        return Description(iri, _unique(triples + _first_pages(store, iri, page_size, links)), links.counts())
    counts = incoming_counts(store, iri)
    for predicate, total in sorted(counts.items()):
        triples += incoming_page(store, iri, predicate, 1, page_size, total)
    triples += construct(store, INCOMING_VIA_BLANK, substitutions={"r": node})
    return Description(iri, _unique(triples), counts)


def _first_pages(store: Store, iri: str, page_size: int, links: Links) -> list[ox.Triple]:
    """What INCOMING_PAGE gives for page 1 of every property and INCOMING_VIA_BLANK, from the index, with one
    look-up of the labels of every linking IRI shown."""
    node = ox.NamedNode(iri)
    shown = [
        t for predicate in links.by_property for t in _links_to(iri, predicate, links.page(predicate, 1, page_size))
    ]
    for owner, held_by, blank, predicate in links.via_blank:
        shown += [
            ox.Triple(ox.NamedNode(owner), ox.NamedNode(held_by), blank),
            ox.Triple(blank, ox.NamedNode(predicate), node),
        ]
    return shown + labels_of_all(store, [t.subject for t in shown])


def _links_to(iri: str, predicate: str, subjects: list[str]) -> list[ox.Triple]:
    node, by = ox.NamedNode(iri), ox.NamedNode(predicate)
    return [ox.Triple(ox.NamedNode(subject), by, node) for subject in subjects]


def labels_of_all(store: Store, resources: list[ox.NamedNode | ox.BlankNode | ox.Triple]) -> list[ox.Triple]:
    """The label statements of the IRIs among `resources`, in one query."""
    named = sorted({str(r) for r in resources if isinstance(r, ox.NamedNode)})
    if not named:
        return []
    return list(construct(store, LABELS_OF_ALL.replace("{subjects}", " ".join(named))))


def labels_of(store: Store, iri: str) -> list[tuple[str, ox.Literal]]:
    """(label property, label) pairs of one resource, for breadcrumbs and the overview."""
    rows = select(store, LABELS_OF, substitutions={"r": ox.NamedNode(iri)})
    return [(row["lp"].value, row["l"]) for row in rows if isinstance(row["l"], ox.Literal)]


def _unique(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Each statement once (the union default graph repeats one stated in two graphs), with canonical blank
    node labels, sorted: every load labels blank nodes anew, and the same data must give the same bytes (one
    ETag) on every replica and after every restart."""
    return [quad.triple for quad in canonical(ox.Quad(t.subject, t.predicate, t.object) for t in triples)]
