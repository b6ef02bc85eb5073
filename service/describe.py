"""The graph of one resource: what it says, its blank nodes, its passages, its neighbours' labels."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from service.store import Store, construct
from service.uris import local_link
from service.vocab import PREFIXES, SPARQL_PROLOGUE

LABELS = "skos:prefLabel rdfs:label dct:title foaf:name schema:name skos:notation"

# Fixed and prepared: the resource is substituted for ?r, never pasted into the text.
# (Oxigraph substitutes in triple patterns, not inside BIND, so ?r only appears in patterns.)
DESCRIBE = (
    SPARQL_PROLOGUE
    + f"""
CONSTRUCT {{
  ?r ?p ?o . ?b ?bp ?bo . ?c ?cp ?co . ?q ?qp ?qo . ?sel ?sp ?so . ?n ?lp ?l . ?in ?ip ?r . ?in ?ilp ?il .
}} WHERE {{
  {{ ?r ?p ?o }}
  UNION {{ ?r ?p1 ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
  UNION {{ ?r ?p1 ?b1 FILTER(isBlank(?b1)) ?b1 ?p2 ?c FILTER(isBlank(?c)) ?c ?cp ?co }}
  UNION {{ ?r prov:wasQuotedFrom ?q . ?q ?qp ?qo }}
  UNION {{ ?r prov:wasQuotedFrom/oa:hasSelector ?sel . ?sel ?sp ?so }}
  UNION {{ ?r ?p1 ?n FILTER(isIRI(?n)) VALUES ?lp {{ {LABELS} }} ?n ?lp ?l }}
  UNION {{ ?r ?p1 ?b2 FILTER(isBlank(?b2)) ?b2 ?p3 ?n FILTER(isIRI(?n)) VALUES ?lp {{ {LABELS} }} ?n ?lp ?l }}
  UNION {{ ?in ?ip ?r }}
  UNION {{ ?in ?ip2 ?r FILTER(isIRI(?in)) VALUES ?ilp {{ {LABELS} }} ?in ?ilp ?il }}
}}
"""
)


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(t.subject == ox.NamedNode(self.iri) or t.object == ox.NamedNode(self.iri) for t in self.triples)


def describe(store: Store, iri: str) -> Description:
    """Every triple a document about `iri` shows; empty when the store knows nothing of it."""
    return Description(iri, list(construct(store, DESCRIBE, substitutions={"r": ox.NamedNode(iri)})))


LABEL_PROPERTIES = [PREFIXES[p.split(":")[0]] + p.split(":")[1] for p in LABELS.split()]
QUOTE = PREFIXES["prov"] + "wasQuotedFrom"
EXACT = PREFIXES["oa"] + "exact"
START = PREFIXES["oa"] + "start"
SELECTOR = PREFIXES["oa"] + "hasSelector"


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    lang: str | None = None


@dataclass
class Page:
    iri: str
    title: str
    properties: list[tuple[str, list[Value]]]
    incoming: list[tuple[str, list[Value]]]
    quotes: list[tuple[int, str]]


def curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def page_model(description: Description, base: str, language: str = "de") -> Page:
    """What the HTML page shows: labelled properties, incoming links, and the quoted passages."""
    resource = ox.NamedNode(description.iri)
    labels: dict[ox.NamedNode | ox.BlankNode, str] = {}
    for t in description.triples:
        is_label = t.predicate.value in LABEL_PROPERTIES and isinstance(t.object, ox.Literal)
        if is_label and (t.subject not in labels or t.object.language == language):  # type: ignore[union-attr]
            labels[t.subject] = t.object.value  # type: ignore[index,union-attr]

    def value(term: object) -> Value:
        if isinstance(term, ox.NamedNode):
            href = local_link(base, term.value) if term.value.startswith(("http://", "https://")) else None
            return Value(labels.get(term, curie(term.value)), href)
        if isinstance(term, ox.Literal):
            return Value(term.value, lang=term.language)
        return Value("(blank node)")

    outgoing: dict[str, list[Value]] = {}
    incoming: dict[str, list[Value]] = {}
    for t in description.triples:
        if t.subject == resource:
            outgoing.setdefault(curie(t.predicate.value), []).append(value(t.object))
        elif t.object == resource:
            incoming.setdefault(curie(t.predicate.value), []).append(value(t.subject))

    def objects(subject: object, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]:
        return [t.object for t in description.triples if t.subject == subject and t.predicate.value == predicate]

    quotes = []
    for passage in objects(resource, QUOTE):
        selectors = objects(passage, SELECTOR)
        exact = [o.value for s in selectors for o in objects(s, EXACT) if isinstance(o, ox.Literal)]
        start = [int(o.value) for s in selectors for o in objects(s, START) if isinstance(o, ox.Literal)]
        if exact:
            quotes.append((start[0] if start else 0, exact[0]))
    return Page(
        iri=description.iri,
        title=labels.get(resource, description.iri),
        properties=sorted(outgoing.items()),
        incoming=sorted(incoming.items()),
        quotes=sorted(quotes),
    )
