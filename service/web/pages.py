"""View models of resource pages: what a citizen reads, built from a Description in one language.

Plain data for the templates: every text carries the language it is really in (the page falls back to German
where a label has no English form, and says so), every link target is an http(s) URL, and nothing here is
markup, so the templates' autoescaping covers all of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.content.describe import Description, labels_of
from service.content.terms import Literals, Vocabulary, pick
from service.rdf.namespaces import LABEL_PROPERTIES, PREFIXES, SPARQL_PROLOGUE
from service.rdf.uris import THING, curie, document_url, is_annual_priorities, is_web_iri, local_link
from service.store.embedded import Store, select
from service.texts import LANGUAGES, collation_key, inverse_label, term_label, text

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _iri(c: str) -> str:
    prefix, local = c.split(":", 1)
    return PREFIXES[prefix] + local


TYPE, NOTATION = _iri("rdf:type"), _iri("skos:notation")
QUOTED, DERIVED, SELECTOR, SOURCE = (
    _iri(c) for c in ("prov:wasQuotedFrom", "prov:wasDerivedFrom", "oa:hasSelector", "oa:hasSource")
)
EXACT, START, END, FILE = (_iri(c) for c in ("oa:exact", "oa:start", "oa:end", "eli:is_exemplified_by"))
SUBJECT, PREDICATE, OBJECT, BASIS = (_iri(c) for c in ("rdf:subject", "rdf:predicate", "rdf:object", "kzs:basis"))
# An SSSOM mapping record (owl:Axiom) describes its triple as an rdf:Statement does (kuratierte-aussagen.rq).
AS_STATEMENT = {
    _iri("owl:annotatedSource"): SUBJECT,
    _iri("owl:annotatedProperty"): PREDICATE,
    _iri("owl:annotatedTarget"): OBJECT,
}
COMMENT, MEMBER = _iri("rdfs:comment"), _iri("skos:member")
XSD = PREFIXES["xsd"]
MARKUP_DATATYPES = (PREFIXES["rdf"] + "HTML", PREFIXES["rdf"] + "XMLLiteral")


# Properties in the order a reader wants them; the rest follow by label.
def _iris(names: str) -> list[str]:
    return [_iri(c) for c in names.split()]


ORDER = _iris(
    """skos:notation skos:prefLabel dct:title eli:title foaf:name schema:name rdfs:label skos:altLabel
    skos:definition dct:description kzs:emphasis skos:scopeNote skos:editorialNote rdfs:comment
    dct:audience kzs:responsibleBody kzs:partner cv:hasParticipation cv:role cv:hasParticipant cv:contactPoint
    kzs:isActionGoalOf kzs:hasActionGoal kzs:isStrategicGoalOf kzs:hasStrategicGoal kzs:hasFieldOfAction
    kzs:isFieldOfActionOf kzs:isMeasureOf kzs:hasMeasure kzs:hasIndicator kzs:contributesTo kzs:crossCutting
    dct:subject skos:broader skos:narrower skos:member skos:inScheme skos:topConceptOf skos:hasTopConcept
    eli:work_type dct:publisher dct:spatial eli:is_realized_by eli:realizes eli:version eli:language
    eli:is_embodied_by eli:embodies eli:has_part eli:is_part_of org:unitOf org:postIn org:holds
    schema:sameAs skos:closeMatch skos:exactMatch rdfs:seeAlso
    prov:wasQuotedFrom prov:wasAttributedTo prov:qualifiedAttribution prov:wasDerivedFrom prov:wasGeneratedBy
    kzs:basis"""
)
RANK = {iri: n for n, iri in enumerate(ORDER)}
HIDDEN = {TYPE}  # shown as the page's kind, not as a row


@dataclass(frozen=True)
class Curation:
    """Why the editors added a statement the source does not make."""

    basis: str
    comment: str = ""
    comment_lang: str = ""


@dataclass(frozen=True)
class Value:
    text: str
    lang: str = ""  # the language `text` is in, when it has one
    href: str | None = None
    iri: str = ""  # shown beside links that leave this site
    note: str = ""
    curated: Curation | None = None
    nested: tuple[Row, ...] = ()
    sort: str = ""


@dataclass(frozen=True)
class Row:
    label: str
    lang: str
    curie: str
    href: str | None
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Group:
    """Incoming links of one property: how many, the first page, and where the rest are."""

    label: str
    lang: str
    curie: str
    href: str | None
    count: int
    values: tuple[Value, ...]
    more: str | None = None


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    end: int
    href: str | None


@dataclass
class ResourcePage:
    iri: str
    url: str
    language: str
    title: Value
    kinds: list[Value]
    crumbs: list[Value]
    quotes: list[Quote]
    quotes_derived: bool
    rows: list[Row]
    incoming: list[Group]
    via_blank: list[Row]
    members_of: list[tuple[Value, bool]] = field(default_factory=list)  # (collection, is annual priorities)


class Labels:
    """Names of every node a description mentions, by language, with the ontology for terms."""

    def __init__(self, triples: Iterable[ox.Triple], vocabulary: Vocabulary, base: str) -> None:
        self.vocabulary, self.base = vocabulary, base
        self.names: dict[Node, dict[str, Literals]] = defaultdict(lambda: defaultdict(dict))
        self.quotes: dict[Node, str] = {}
        self.notations: dict[Node, str] = {}
        selectors: dict[Node, list[Node]] = defaultdict(list)
        exact: dict[Node, str] = {}
        for t in triples:
            p, o = t.predicate.value, t.object
            if p in LABEL_PROPERTIES and isinstance(o, ox.Literal):
                self.names[t.subject][p][o.language or ""] = o.value
            elif p == NOTATION and isinstance(o, ox.Literal):
                self.notations[t.subject] = o.value
            elif p == SELECTOR:
                selectors[t.subject].append(o)
            elif p == EXACT and isinstance(o, ox.Literal):
                exact[t.subject] = o.value
        for passage, found in selectors.items():
            texts = [exact[s] for s in found if s in exact]
            if texts:
                self.quotes[passage] = texts[0]

    def name(self, node: Node, language: str) -> tuple[str, str] | None:
        """(name, its language) in `language` if the data has it, else the best other one."""
        for prop in LABEL_PROPERTIES:
            found = pick(self.names.get(node, {}).get(prop, {}), language)
            if found:
                return found
        if isinstance(node, ox.NamedNode):
            term = self.vocabulary.label(node.value, language)
            if term:
                return term
            label = term_label(node.value, language)
            if label:
                return label, language
        if node in self.quotes:
            quote = " ".join(self.quotes[node].split())
            return f"„{quote[:80]}…“" if len(quote) > 80 else f"„{quote}“", "de"
        return None

    def value(self, node: Node, language: str) -> Value:
        """A node as a page shows it: a labelled link, a text, or a plain IRI."""
        if isinstance(node, ox.Literal):
            return literal(node, language)
        if isinstance(node, ox.NamedNode):
            found = self.name(node, language)
            notation = self.notations.get(node, "")
            shown, lang = found if found else (self.fallback(node.value), "")
            if notation and not shown.startswith(notation):
                shown = f"{notation} {shown}"
            href = local_link(self.base, node.value) if is_web_iri(node.value) else None
            leaves = href is not None and href == node.value
            return Value(
                shown, lang, href, iri=node.value if leaves and found else "", sort=notation or collation_key(shown)
            )
        return Value(text("blank_node", language))

    def fallback(self, iri: str) -> str:
        """Our IRIs read better as their path; foreign ones as a CURIE or the IRI."""
        own = self.base + THING
        return iri[len(own) :] if iri.startswith(own) else curie(iri)

    def property(self, iri: str, language: str) -> tuple[str, str]:
        found = self.vocabulary.label(iri, language)
        if found:
            return found
        return term_label(iri, language) or curie(iri), language

    def inverse(self, iri: str, language: str) -> tuple[str, str]:
        """How `?s <iri> <this>` reads from this side: the ontology's inverse, our table, or ← label."""
        term = self.vocabulary.terms.get(iri)
        if term and term.inverse:
            found = self.vocabulary.label(term.inverse, language)
            if found:
                return found
        label = inverse_label(iri, language)
        if label:
            return label, language
        name, lang = self.property(iri, language)
        return f"← {name}", lang


def literal(node: ox.Literal, language: str) -> Value:
    """A literal as text: booleans and numbers read naturally, markup stays text."""
    datatype = node.datatype.value
    if datatype == XSD + "boolean":
        return Value(text("yes" if node.value in ("true", "1") else "no", language), language)
    if datatype in MARKUP_DATATYPES:
        return Value(node.value, note=text("shown_as_text", language))
    if datatype == XSD + "dateTime" and "T" in node.value:
        date, _, clock = node.value.partition("T")
        return Value(date if clock.startswith("00:00:00") else f"{date} {clock[:5]}", sort=node.value)
    return Value(node.value, node.language or "", sort=collation_key(node.value))


def property_href(base: str, iri: str) -> str | None:
    """Where a property is explained: kzs terms on our /def/, the others at their own IRI."""
    return document_url(base, iri) or (iri if is_web_iri(iri) else None)


def build(store: Store, description: Description, vocabulary: Vocabulary, base: str, url: str, language: str,
          page_size: int) -> ResourcePage:  # fmt: skip
    """The page about `description.iri` in `language`."""
    resource = ox.NamedNode(description.iri)
    labels = Labels(description.triples, vocabulary, base)
    by_subject: dict[Node, list[ox.Triple]] = defaultdict(list)
    for t in description.triples:
        by_subject[t.subject].append(t)

    def rows(subject: Node, depth: int) -> list[Row]:
        grouped: dict[str, list[Value]] = defaultdict(list)
        for t in by_subject.get(subject, []):
            if t.predicate.value in HIDDEN and depth == 0:
                continue
            node = t.object
            if isinstance(node, ox.BlankNode) and depth < 2:
                value = Value(text("blank_node", language), nested=tuple(rows(node, depth + 1)))
            else:
                value = labels.value(node, language)
            if depth == 0:
                value = _with_curation(value, curations.get((t.predicate.value, node)))
            grouped[t.predicate.value].append(value)
        ordered = sorted(
            grouped, key=lambda p: (RANK.get(p, len(RANK)), collation_key(labels.property(p, language)[0]))
        )
        result = []
        for p in ordered:
            name, lang = labels.property(p, language)
            # The page's language first, then the others; within each, by notation or name.
            values = tuple(
                sorted(grouped[p], key=lambda v: (v.lang not in ("", language), v.sort or collation_key(v.text)))
            )
            result.append(Row(name, lang, curie(p), property_href(base, p), values))
        return result

    curations = _curations(description.triples, resource, labels, language)
    kinds = [labels.value(t.object, language) for t in by_subject[resource] if t.predicate.value == TYPE]
    title = labels.value(resource, language)
    if not labels.name(resource, language):
        title = Value(labels.fallback(description.iri))
    quotes, derived = _quotes(by_subject, resource)
    incoming, via_blank = _incoming(description, labels, by_subject, base, url, language, page_size)
    members_of = [
        (labels.value(t.subject, language), is_annual_priorities(t.subject.value))
        for t in description.triples
        if t.predicate.value == MEMBER and t.object == resource and isinstance(t.subject, ox.NamedNode)
    ]
    return ResourcePage(
        iri=description.iri,
        url=url,
        language=language,
        title=title,
        kinds=sorted(kinds, key=lambda v: v.text),
        crumbs=breadcrumbs(store, description.iri, base, vocabulary, language),
        quotes=quotes,
        quotes_derived=derived,
        rows=rows(resource, 0),
        incoming=incoming,
        via_blank=via_blank,
        members_of=members_of,
    )


def _with_curation(value: Value, curation: Curation | None) -> Value:
    if curation is None:
        return value
    return Value(value.text, value.lang, value.href, value.iri, value.note, curation, value.nested, value.sort)


def _curations(triples: list[ox.Triple], resource: ox.NamedNode, labels: Labels, language: str
               ) -> dict[tuple[str, Node], Curation]:  # fmt: skip
    """The editors' reasons, by (property, value), from the rdf:Statements that describe this resource's triples."""
    statements: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        statements[t.subject][AS_STATEMENT.get(t.predicate.value, t.predicate.value)].append(t.object)
    found = {}
    for props in statements.values():
        if props.get(SUBJECT) != [resource] or not props.get(PREDICATE) or not props.get(OBJECT):
            continue
        basis = props.get(BASIS, [])
        basis_label = labels.name(basis[0], language) if basis else None
        comments = {c.language or "": c.value for c in props.get(COMMENT, []) if isinstance(c, ox.Literal)}
        comment = pick(comments, language) or ("", "")
        curation = Curation(basis_label[0] if basis_label else text("curated", language), *comment)
        found[(props[PREDICATE][0].value, props[OBJECT][0])] = curation  # type: ignore[union-attr]
    return found


def _quotes(by_subject: dict[Node, list[ox.Triple]], resource: ox.NamedNode) -> tuple[list[Quote], bool]:
    """The passages this resource was quoted from (or, for editors' additions, derived from), in text order."""

    def objects(node: Node, predicate: str) -> list[Node]:
        return [t.object for t in by_subject.get(node, []) if t.predicate.value == predicate]

    def quote(passage: Node) -> Quote | None:
        exact = start = end = None
        for selector in objects(passage, SELECTOR):
            exact = exact or next((o.value for o in objects(selector, EXACT) if isinstance(o, ox.Literal)), None)
            start = start or next((int(o.value) for o in objects(selector, START) if isinstance(o, ox.Literal)), None)
            end = end or next((int(o.value) for o in objects(selector, END) if isinstance(o, ox.Literal)), None)
        if exact is None:
            return None
        files = [f for m in objects(passage, SOURCE) for f in objects(m, FILE) if isinstance(f, ox.NamedNode)]
        href = None
        if files and is_web_iri(files[0].value) and start is not None and end is not None:
            href = f"{files[0].value}#char={start},{end}"  # RFC 5147 fragment of a text/plain file
        return Quote(exact, start or 0, end or 0, href)

    own = quote(resource)
    if own:
        return [own], False
    for predicate, derived in ((QUOTED, False), (DERIVED, True)):
        found = [q for q in (quote(p) for p in objects(resource, predicate)) if q]
        if found:
            return sorted(found, key=lambda q: q.start), derived
    return [], False


def _incoming(description: Description, labels: Labels, by_subject: dict[Node, list[ox.Triple]], base: str,
              url: str, language: str, page_size: int) -> tuple[list[Group], list[Row]]:  # fmt: skip
    resource = ox.NamedNode(description.iri)
    found: dict[str, list[Value]] = defaultdict(list)
    blank: dict[str, list[Value]] = defaultdict(list)
    for t in description.triples:
        if t.object != resource:
            continue
        if isinstance(t.subject, ox.NamedNode):
            found[t.predicate.value].append(labels.value(t.subject, language))
        elif isinstance(t.subject, ox.BlankNode) and t.predicate.value not in (SUBJECT, OBJECT):
            for holder in (o.subject for o in description.triples if o.object == t.subject):
                blank[t.predicate.value].append(labels.value(holder, language))
    groups = []
    for predicate, count in description.incoming.items():
        name, lang = labels.inverse(predicate, language)
        values = tuple(sorted(found.get(predicate, []), key=lambda v: v.sort or collation_key(v.text)))[:page_size]
        more = f"{url}?in={curie(predicate)}" if count > len(values) else None
        groups.append(Group(name, lang, curie(predicate), property_href(base, predicate), count, values, more))
    groups.sort(key=lambda g: (-g.count, collation_key(g.label)))
    via_blank = []
    for predicate, owners in sorted(blank.items()):
        name, lang = labels.inverse(predicate, language)
        via_blank.append(Row(name, lang, curie(predicate), property_href(base, predicate), tuple(owners)))
    return groups, via_blank


PARENT = (
    SPARQL_PROLOGUE
    + """
SELECT ?r ?parent WHERE {
  ?r kzs:isActionGoalOf|kzs:isStrategicGoalOf|kzs:isFieldOfActionOf|kzs:isMeasureOf|skos:broader|eli:is_part_of
     |oa:hasSource|eli:embodies|eli:realizes ?parent
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
  ?r (skos:inScheme|skos:member|dct:source|eli:realizes|eli:embodies|oa:hasSource|eli:is_part_of)+ ?work .
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
    crumbs = []
    for ancestor in chain:
        labels = Labels(
            (ox.Triple(ox.NamedNode(ancestor), ox.NamedNode(p), lit) for p, lit in labels_of(store, ancestor)),
            vocabulary,
            base,
        )
        crumbs.append(labels.value(ox.NamedNode(ancestor), language))
    return crumbs


def other_language(language: str) -> str:
    return next(lang for lang in LANGUAGES if lang != language)
