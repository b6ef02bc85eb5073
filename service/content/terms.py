"""The kzs vocabulary as an index: every term's labels, definitions, domain, range and place in the hierarchy,
read from graph/ontology; and, for the vocabulary's own pages, how often the data uses each term and a few
examples (`with_usage`). Each built once per data version: the first is a few thousand statements at any size
and every page's labels need it; the second counts and sorts every use of every term (4 s at 1M triples).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from service.rdf.namespaces import LABEL_PROPERTIES
from service.rdf.uris import ONTOLOGY, VOCABULARY_NAMESPACE
from service.store.embedded import Store, construct, select

Literals = dict[str, str]  # language tag → text


@dataclass
class Term:
    iri: str
    types: list[str] = field(default_factory=list)
    labels: Literals = field(default_factory=dict)
    definitions: Literals = field(default_factory=dict)
    comments: Literals = field(default_factory=dict)
    domain: list[list[str]] = field(default_factory=list)  # each entry a union of classes
    range: list[list[str]] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)  # rdfs:subClassOf / rdfs:subPropertyOf
    inverse: str | None = None
    close_matches: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    uses: int = 0
    examples: list[tuple[str, ox.NamedNode | ox.Literal | None]] = field(default_factory=list)  # (subject, object)

    @property
    def name(self) -> str:
        return self.iri[len(VOCABULARY_NAMESPACE) :]

    @property
    def kind(self) -> str:
        if str(OWL.Class) in self.types:
            return "classes"
        if str(OWL.ObjectProperty) in self.types or str(OWL.DatatypeProperty) in self.types:
            return "properties"
        return "individuals"


@dataclass
class Vocabulary:
    """The vocabulary's own description (`ontology`), its terms, and its triples as the document serves them."""

    ontology: Term
    terms: dict[str, Term]
    triples: list[ox.Triple]
    metadata: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]

    def label(self, iri: str, language: str) -> tuple[str, str] | None:
        """(label, its language) of a kzs term in `language`, falling back to the other language."""
        term = self.terms.get(iri)
        return pick(term.labels, language) if term else None


def pick(texts: Literals, language: str) -> tuple[str, str] | None:
    """The text in `language`, else German, else English, else any; with the language it is in."""
    for lang in (language, "de", "en", "", *texts):
        if lang in texts:
            return texts[lang], lang
    return None


# Per term, with the term substituted for ?t: each an index lookup, however large the store.
USES = {
    "classes": "SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t",
    "properties": "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s ?t ?o } GROUP BY ?t",
    "individuals": "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s ?p ?t } GROUP BY ?t",
}
EXAMPLES = {
    "classes": "SELECT ?t ?s WHERE { ?s a ?t FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 3",
    "properties": "SELECT ?t ?s ?o WHERE { ?s ?t ?o FILTER(isIRI(?s)) } ORDER BY ?s ?o LIMIT 3",
    "individuals": "SELECT ?t ?s WHERE { ?s ?p ?t FILTER(isIRI(?s)) } ORDER BY ?s LIMIT 3",
}


def build_vocabulary(store: Store, graph: str) -> Vocabulary:
    """Read the vocabulary from the named graph `graph` (the loader's graph/ontology)."""
    triples = list(construct(store, "CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[graph]))
    by_subject: dict[object, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for t in triples:
        by_subject[t.subject][t.predicate.value].append(t.object)

    def literals(values: list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]) -> Literals:
        return {v.language or "": v.value for v in values if isinstance(v, ox.Literal)}

    def classes(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> list[str]:
        """A class, or the members of an owl:unionOf."""
        if isinstance(node, ox.NamedNode):
            return [node.value]
        members, lists = [], by_subject.get(node, {}).get(str(OWL.unionOf), [])
        cell = lists[0] if lists else None
        while cell is not None and cell != ox.NamedNode(str(RDF.nil)):
            first = by_subject.get(cell, {}).get(str(RDF.first), [])
            members += [f.value for f in first if isinstance(f, ox.NamedNode)]
            rest = by_subject.get(cell, {}).get(str(RDF.rest), [])
            cell = rest[0] if rest else None
        return members

    def term(iri: str) -> Term:
        props = by_subject.get(ox.NamedNode(iri), {})
        iris = {p: [v.value for v in vs if isinstance(v, ox.NamedNode)] for p, vs in props.items()}
        labels: Literals = {}
        for label_property in (str(RDFS.label), *LABEL_PROPERTIES):
            labels = literals(props.get(label_property, [])) | labels
        inverse = iris.get(str(OWL.inverseOf), [])
        return Term(
            iri=iri,
            types=iris.get(str(RDF.type), []),
            labels=labels,
            definitions=literals(props.get(str(SKOS.definition), [])) or literals(props.get(PURL_DESCRIPTION, [])),
            comments=literals(props.get(str(RDFS.comment), [])),
            domain=[classes(d) for d in props.get(str(RDFS.domain), [])],
            range=[classes(r) for r in props.get(str(RDFS.range), [])],
            parents=iris.get(str(RDFS.subClassOf), []) + iris.get(str(RDFS.subPropertyOf), []),
            inverse=inverse[0] if inverse else None,
            close_matches=iris.get(str(SKOS.closeMatch), []),
            see_also=iris.get(str(RDFS.seeAlso), []),
        )

    names = sorted(
        {s.value for s in by_subject if isinstance(s, ox.NamedNode) and s.value.startswith(VOCABULARY_NAMESPACE)}
    )
    terms = {iri: term(iri) for iri in names}
    # Inverses are often stated on one side only.
    for t in terms.values():
        if t.inverse in terms and terms[t.inverse].inverse is None:
            terms[t.inverse].inverse = t.iri
    metadata = {p: vs for p, vs in by_subject.get(ox.NamedNode(ONTOLOGY), {}).items()}
    return Vocabulary(term(ONTOLOGY), terms, triples, metadata)


PURL_DESCRIPTION = "http://purl.org/dc/terms/description"


def with_usage(store: Store, vocabulary: Vocabulary) -> Vocabulary:
    """`vocabulary` with how often the data uses each term, and up to three examples of it."""
    terms = {iri: replace(t) for iri, t in vocabulary.terms.items()}
    for t in terms.values():
        node = {"t": ox.NamedNode(t.iri)}
        counted = list(select(store, USES[t.kind], substitutions=node))
        t.uses = int(counted[0]["n"].value) if counted else 0
        if t.uses:
            rows = select(store, EXAMPLES[t.kind], substitutions=node)
            with_object = t.kind == "properties"
            t.examples = [(row["s"].value, _show(row["o"]) if with_object else None) for row in rows]
    return replace(vocabulary, terms=terms)


def _show(term: object) -> ox.NamedNode | ox.Literal | None:
    return term if isinstance(term, ox.NamedNode | ox.Literal) else None
