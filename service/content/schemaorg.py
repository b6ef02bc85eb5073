"""The schema.org view of a resource: embedded in its HTML page as JSON-LD, and served as the `schema`
profile in every RDF format. Goals and target groups are DefinedTerms in their DefinedTermSet (schema.org's
counterpart of a SKOS concept in its scheme), programmes CreativeWorks, public bodies GovernmentOrganizations.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from service.content.describe import Description
from service.rdf.namespaces import PREFIXES

SCHEMA = "https://schema.org/"
# An inline context: no client, crawler or parser of ours ever has to fetch one.
CONTEXT = {"@vocab": SCHEMA}


def _p(c: str) -> str:
    prefix, local = c.split(":", 1)
    return PREFIXES[prefix] + local


TYPES = [  # first match wins
    ({_p("eli:Work")}, "CreativeWork"),
    ({_p("skos:ConceptScheme")}, "DefinedTermSet"),
    (
        {_p(f"kzs:{k}") for k in ("Vision", "OverarchingGoal", "StrategicGoal", "ActionGoal", "FieldOfAction")}
        | {_p("skos:Concept")},
        "DefinedTerm",
    ),  # fmt: skip
    ({_p("cv:PublicOrganisation"), _p("org:Organization"), _p("org:OrganizationalUnit")}, "GovernmentOrganization"),
    ({_p("foaf:Person")}, "Person"),
    ({_p("oa:SpecificResource")}, "Quotation"),
    ({_p("skos:Collection")}, "ItemList"),
]
NAMES = [_p(c) for c in ("skos:prefLabel", "dct:title", "eli:title", "foaf:name", "schema:name", "rdfs:label")]
DESCRIPTIONS = [_p(c) for c in ("skos:definition", "dct:description")]
LINKS = {  # kzs/reused property → schema.org property, for links to other resources
    _p("skos:inScheme"): "inDefinedTermSet",
    _p("dct:publisher"): "publisher",
    _p("org:unitOf"): "parentOrganization",
    _p("schema:sameAs"): "sameAs",
    _p("owl:sameAs"): "sameAs",
    _p("dct:audience"): "audience",
    _p("eli:has_part"): "hasPart",
    _p("eli:is_part_of"): "isPartOf",
    _p("kzs:isActionGoalOf"): "isPartOf",
    _p("kzs:hasActionGoal"): "hasPart",
    _p("skos:broader"): "isPartOf",
    _p("skos:member"): "itemListElement",
}


def _value(term: object) -> Any:
    if isinstance(term, ox.Literal):
        return {"@value": term.value, "@language": term.language} if term.language else term.value
    if isinstance(term, ox.NamedNode) and term.value.startswith(("http://", "https://")):
        return {"@id": term.value}
    return None


def schema_object(description: Description, url: str) -> dict[str, Any]:
    """The resource as a schema.org JSON-LD object (a dict ready for json.dumps)."""
    resource = ox.NamedNode(description.iri)
    props: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]] = defaultdict(list)
    for t in description.triples:
        if t.subject == resource:
            props[t.predicate.value].append(t.object)
    types = {o.value for o in props.get(_p("rdf:type"), []) if isinstance(o, ox.NamedNode)}
    kind = next((name for classes, name in TYPES if types & classes), "Thing")
    obj: dict[str, Any] = {"@context": CONTEXT, "@id": description.iri, "@type": kind, "url": url}

    def add(key: str, values: list[Any]) -> None:
        found = [v for v in values if v is not None]
        if found:
            obj[key] = found[0] if len(found) == 1 else found

    add("name", [_value(o) for p in NAMES for o in props.get(p, [])][:4])
    add("description", [_value(o) for p in DESCRIPTIONS for o in props.get(p, [])])
    add("termCode", [_value(o) for o in props.get(_p("skos:notation"), [])])
    linked: dict[str, list[Any]] = defaultdict(list)
    for source, target in LINKS.items():
        for link in (_value(o) for o in props.get(source, []) if isinstance(o, ox.NamedNode)):
            if link:
                linked[target].append({"@type": "Audience", **link} if target == "audience" else link)
    for target, links in linked.items():
        add(target, links)
    if kind == "Quotation":
        selectors = {o for o in props.get(_p("oa:hasSelector"), [])}
        exact = [
            t.object for t in description.triples if t.subject in selectors and t.predicate.value == _p("oa:exact")
        ]
        add("text", [_value(o) for o in exact[:1]])
    return obj


def to_json(obj: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` escaped, so `</script>` in a
    literal cannot end the block."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def schema_triples(obj: dict[str, Any]) -> list[ox.Triple]:
    """The same object as RDF, by parsing the JSON-LD (inline context, nothing fetched)."""
    quads = ox.parse(json.dumps(obj).encode(), format=ox.RdfFormat.JSON_LD)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
