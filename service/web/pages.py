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

from service.content.describe import Description
from service.content.terms import Literals, Vocabulary, pick
from service.rdf.namespaces import LABEL_PROPERTIES, PREFIXES, iri_of
from service.rdf.term_labels import inverse_label, term_label
from service.rdf.uris import THING, curie, document_url, is_annual_priorities, is_web_iri, local_link
from service.store.embedded import Store
from service.texts import LANGUAGES, collation_key, text
from service.web.quotes import EXACT, FILE, SELECTOR, Quote, quotes_of

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


TYPE, NOTATION, LEVEL_NAME = iri_of("rdf:type"), iri_of("skos:notation"), iri_of("kzs:levelName")
SUBJECT, PREDICATE, OBJECT, BASIS = (iri_of(c) for c in ("rdf:subject", "rdf:predicate", "rdf:object", "kzs:basis"))
EXPLICIT = iri_of("kzs:explicit")
# An SSSOM mapping record (owl:Axiom) describes its triple as an rdf:Statement does (kuratierte-aussagen.rq).
AS_STATEMENT = {
    iri_of("owl:annotatedSource"): SUBJECT,
    iri_of("owl:annotatedProperty"): PREDICATE,
    iri_of("owl:annotatedTarget"): OBJECT,
}
COMMENT, MEMBER = iri_of("rdfs:comment"), iri_of("skos:member")
SOURCE_OF, TARGET_OF = iri_of("owl:annotatedSource"), iri_of("owl:annotatedTarget")
NO_TERM = "https://w3id.org/sssom/NoTermFound"

XSD = PREFIXES["xsd"]
MARKUP_DATATYPES = (PREFIXES["rdf"] + "HTML", PREFIXES["rdf"] + "XMLLiteral")


# Properties in the order a reader wants them; the rest follow by label.
def _iris(names: str) -> list[str]:
    return [iri_of(c) for c in names.split()]


ORDER = _iris(
    """skos:notation skos:prefLabel dct:title eli:title foaf:name schema:name rdfs:label skos:altLabel
    skos:definition dct:description kzs:emphasis skos:scopeNote skos:editorialNote rdfs:comment
    dct:audience kzs:sector kzs:responsibleBody kzs:partner cv:hasParticipation cv:role cv:hasParticipant
    cv:contactPoint
    kzs:isActionGoalOf kzs:hasActionGoal kzs:isStrategicGoalOf kzs:hasStrategicGoal kzs:hasFieldOfAction
    kzs:isFieldOfActionOf kzs:isMeasureOf kzs:hasMeasure kzs:hasIndicator kzs:contributesTo kzs:crossCutting
    dct:subject skos:broader skos:narrower skos:member skos:inScheme skos:topConceptOf skos:hasTopConcept
    eli:work_type dct:publisher dct:spatial eli:is_realized_by eli:realizes eli:version eli:language
    eli:is_embodied_by eli:embodies eli:has_part eli:is_part_of org:unitOf org:postIn org:holds
    schema:sameAs skos:closeMatch skos:exactMatch rdfs:seeAlso
    prov:wasQuotedFrom prov:wasAttributedTo prov:qualifiedAttribution prov:wasDerivedFrom prov:wasGeneratedBy
    kzs:basis"""
)
# An SDG mapping record: what it links first, then how sure (SSSOM's namespace is not predeclared).
ORDER[:0] = [iri_of("owl:annotatedSource"), iri_of("owl:annotatedTarget"), "https://w3id.org/sssom/confidence"]
RANK = {iri: n for n, iri in enumerate(ORDER)}
HIDDEN = {TYPE}  # shown as the page's kind, not as a row


@dataclass(frozen=True)
class Curation:
    """Why the editors added a statement the source does not make."""

    basis: str
    comment: str = ""
    comment_lang: str = ""
    explicit: bool = False  # kzs:explicit: the text says it; otherwise a reading (kzs:interpreted)


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
class Technical:
    """A statement's label beside the name the data gives it, for the one "technical details" toggle."""

    label: str
    lang: str
    curie: str
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
    children: Row | None = None  # a goal's action goals (or strategic goals, measures), shown first
    technical: list[Technical] = field(default_factory=list)
    previous: Value | None = None  # the sibling before this one (web/trail.py)
    next: Value | None = None


class Labels:
    """Names of every node a description mentions, by language, with the ontology for terms."""

    def __init__(self, triples: Iterable[ox.Triple], vocabulary: Vocabulary, base: str) -> None:
        self.vocabulary, self.base = vocabulary, base
        self.names: dict[Node, dict[str, Literals]] = defaultdict(lambda: defaultdict(dict))
        self.quotes: dict[Node, str] = {}
        self.notations: dict[Node, str] = {}
        self.mappings: dict[Node, dict[str, Node]] = defaultdict(dict)  # SSSOM records: source and target
        selectors: dict[Node, list[Node]] = defaultdict(list)
        exact: dict[Node, str] = {}
        for t in triples:
            p, o = t.predicate.value, t.object
            if p in (SOURCE_OF, TARGET_OF):
                self.mappings[t.subject][p] = o
            elif p in LABEL_PROPERTIES and isinstance(o, ox.Literal):
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
            quote = " ".join(self.quotes[node].replace("**", "").split())
            return f"„{quote[:80]}…“" if len(quote) > 80 else f"„{quote}“", "de"
        if len(self.mappings.get(node, {})) == 2:
            return self.mapping_name(node, language), language
        return None

    def mapping_name(self, node: Node, language: str) -> str:
        """An SDG mapping record by what it links: "SDG-Zuordnung: 1.3 → 4.2"."""
        ends = []
        for end in (self.mappings[node][SOURCE_OF], self.mappings[node][TARGET_OF]):
            if isinstance(end, ox.NamedNode) and end.value == NO_TERM:
                ends.append(text("no_target", language))
            else:
                found = self.name(end, language)
                ends.append(self.notations.get(end) or (found[0] if found else text("blank_node", language)))
        return f"{text('mapping', language)}: {ends[0]} → {ends[1]}"

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
            return Value(shown, lang, href, sort=notation or collation_key(shown))
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
    # The kinds: its classes, and the town's own name for its level ("Schlüsselprojekt") beside them.
    kinds = [labels.value(t.object, language) for t in by_subject[resource] if t.predicate.value in (TYPE, LEVEL_NAME)]
    title = title_of(labels, by_subject[resource], kinds, resource, language)
    quotes, derived = quotes_of(by_subject, resource, base)
    incoming, via_blank = _incoming(description, labels, by_subject, base, url, language, page_size)
    members_of = [
        (labels.value(t.subject, language), is_annual_priorities(t.subject.value))
        for t in description.triples
        if t.predicate.value == MEMBER and t.object == resource and isinstance(t.subject, ox.NamedNode)
    ]
    page = ResourcePage(
        iri=description.iri,
        url=url,
        language=language,
        title=title,
        kinds=sorted(kinds, key=lambda v: v.text),
        crumbs=[],
        quotes=quotes,
        quotes_derived=derived,
        rows=rows(resource, 0),
        incoming=incoming,
        via_blank=via_blank,
        members_of=members_of,
    )
    return page


# What names a resource that has no label of its own: the thing it is about, or the file it is.
NAMED_BY = _iris("oa:hasBody eli:embodies eli:realizes prov:generated schema:translationOfWork")


def title_of(labels: Labels, triples: list[ox.Triple], kinds: list[Value], node: ox.NamedNode, language: str
             ) -> Value:  # fmt: skip
    """What a page about `node` is headed with: its name; else its kind and what it is about ("Beleg: Ältere
    Menschen"), its kind and its file, or else its path."""
    if labels.name(node, language):
        return labels.value(node, language)
    about = {t.predicate.value: t.object for t in triples}
    kind = min((k.text for k in kinds), default="")
    for predicate in NAMED_BY:
        found = labels.name(about[predicate], language) if predicate in about else None
        if found and kind:
            return Value(f"{kind}: {found[0]}", found[1] if found[1] == language else "")
    file = about.get(FILE)
    if isinstance(file, ox.NamedNode) and kind:
        return Value(f"{kind}: {file.value.rsplit('/', 1)[-1]}")
    return Value(kind or labels.fallback(node.value))


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
        explicit = bool(basis) and basis[0] == ox.NamedNode(EXPLICIT)
        curation = Curation(basis_label[0] if basis_label else text("curated", language), *comment, explicit)
        found[(props[PREDICATE][0].value, props[OBJECT][0])] = curation  # type: ignore[union-attr]
    return found


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


def other_language(language: str) -> str:
    return next(lang for lang in LANGUAGES if lang != language)
