"""Where a resource page sits: the breadcrumbs above it, the previous and next of its siblings, and the names of
the unlabelled things that link to it."""

from __future__ import annotations

import re

import pyoxigraph as ox

from service.content.describe import labels_of
from service.content.terms import Vocabulary
from service.rdf.namespaces import SPARQL_PROLOGUE
from service.store.embedded import Store, construct, select
from service.web.pages import Labels, Value

PARENT = (
    SPARQL_PROLOGUE
    + """
SELECT ?r ?parent WHERE {
  ?r kzs:isActionGoalOf|kzs:isStrategicGoalOf|kzs:isFieldOfActionOf|kzs:isMeasureOf|skos:broader|eli:is_part_of
     |oa:hasSource|eli:embodies|eli:realizes|owl:annotatedSource ?parent
  FILTER(isIRI(?parent))
} ORDER BY ?parent LIMIT 1
"""
)
# The type as a filter, not a pattern: joined with `?work a eli:Work`, the store starts from every programme's
# work (one per town) and walks the path back from each, so every page's breadcrumbs grew with the towns.
PROGRAMME = (
    SPARQL_PROLOGUE
    + """
SELECT ?r ?work WHERE {
  ?r (skos:inScheme|skos:member|dct:source|eli:realizes|eli:embodies|oa:hasSource|eli:is_part_of
      |owl:annotatedSource)+ ?work .
  FILTER EXISTS { ?work a eli:Work }
} LIMIT 1
"""
)
SCHEME = SPARQL_PROLOGUE + "SELECT ?r ?scheme WHERE { ?r skos:inScheme ?scheme } ORDER BY ?scheme LIMIT 1"


def _first(store: Store, query: str, iri: str, variable: str) -> str | None:
    for row in select(store, query, substitutions={"r": ox.NamedNode(iri)}):
        return str(row[variable].value)
    return None


def breadcrumbs(store: Store, iri: str, base: str, vocabulary: Vocabulary, language: str) -> list[Value]:
    """Home › programme (or concept scheme) › the ancestors of `iri`, each a labelled link; not `iri` itself."""
    programme = _first(store, PROGRAMME, iri, "work")
    chain: list[str] = []
    node = iri
    for _ in range(8):
        parent = _first(store, PARENT, node, "parent")
        if parent is None or parent in chain or parent in (iri, programme):
            break
        chain.insert(0, parent)
        node = parent
    if programme and programme != iri:
        chain.insert(0, programme)
    elif not programme:
        scheme = _first(store, SCHEME, chain[0] if chain else iri, "scheme")
        if scheme and scheme != iri:
            chain.insert(0, scheme)
    return [_labelled(store, ancestor, base, vocabulary, language) for ancestor in chain]


KINDS = SPARQL_PROLOGUE + "SELECT ?r ?kind WHERE { ?r a ?kind }"


def _labelled(store: Store, iri: str, base: str, vocabulary: Vocabulary, language: str) -> Value:
    """An ancestor or sibling as a link, named by its label, else by its kind."""
    node = ox.NamedNode(iri)
    labels = Labels((ox.Triple(node, ox.NamedNode(p), lit) for p, lit in labels_of(store, iri)), vocabulary, base)
    value = labels.value(node, language)
    if labels.name(node, language) is None:
        kinds = sorted(
            labels.value(row["kind"], language).text for row in select(store, KINDS, substitutions={"r": node})
        )
        if kinds:
            return Value(kinds[0], href=value.href, sort=value.sort)
    return value


# Goals of one parent (action goals of a strategic goal, …), or the top concepts of one kind in one scheme
# (the overarching goals of a programme).
SIBLINGS = (
    SPARQL_PROLOGUE
    + """
SELECT ?r ?s ?n WHERE {
  { VALUES ?p { kzs:isActionGoalOf kzs:isStrategicGoalOf kzs:isFieldOfActionOf kzs:isMeasureOf }
    ?r ?p ?parent . ?s ?p ?parent }
  UNION { ?r skos:topConceptOf ?scheme ; a ?kind . FILTER(?kind != skos:Concept)
          ?s skos:topConceptOf ?scheme ; a ?kind }
  OPTIONAL { ?s skos:notation ?n }
}
"""
)


def notation_key(notation: str) -> tuple[tuple[int, int | str], ...]:
    """ "1.10" after "1.9": numbers compare as numbers, the rest as text."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", notation) if part)


def siblings(store: Store, iri: str, base: str, vocabulary: Vocabulary, language: str
             ) -> tuple[Value | None, Value | None]:  # fmt: skip
    """The sibling before `iri` and the one after it, by notation; None at either end."""
    found: dict[str, str] = {}
    for row in select(store, SIBLINGS, substitutions={"r": ox.NamedNode(iri)}):
        notation = row["n"]
        found[str(row["s"].value)] = str(notation.value) if notation is not None else ""
    if iri not in found or len(found) < 2:
        return None, None
    order = sorted(found, key=lambda s: (notation_key(found[s]), s))
    at = order.index(iri)
    before = order[at - 1] if at > 0 else None
    after = order[at + 1] if at + 1 < len(order) else None
    return tuple(  # type: ignore[return-value]
        _labelled(store, s, base, vocabulary, language) if s else None for s in (before, after)
    )


# What names a passage (its quote) or an SDG mapping record (what it links) where neither has a label. The
# resources come as a VALUES block of IRIs from the page's own triples (never request text): one query for a
# page's fifty passages instead of fifty (2.8 → 0.6 ms).
NAMING = (
    SPARQL_PROLOGUE
    + """
CONSTRUCT { ?r oa:hasSelector ?sel . ?sel oa:exact ?exact . ?r ?end_p ?end . ?end skos:notation ?n } WHERE {
  VALUES ?r { {resources} }
  { ?r oa:hasSelector ?sel . ?sel oa:exact ?exact }
  UNION { VALUES ?end_p { owl:annotatedSource owl:annotatedTarget } ?r ?end_p ?end OPTIONAL { ?end skos:notation ?n } }
}
"""
)


def naming(store: Store, triples: list[ox.Triple], iri: str, labels: Labels, language: str) -> list[ox.Triple]:
    """The triples that name the unlabelled resources linking to `iri` (passages, mapping records)."""
    target = ox.NamedNode(iri)
    unnamed = {
        t.subject
        for t in triples
        if t.object == target and isinstance(t.subject, ox.NamedNode) and labels.name(t.subject, language) is None
    }
    if not unnamed:
        return []
    return list(construct(store, NAMING.replace("{resources}", " ".join(sorted(map(str, unnamed))))))
