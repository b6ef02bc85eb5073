"""A resource page made for reading: each text once, in the page's language where the data has it; a goal's
parts (its action goals) first; the technical names of the statements gathered for one toggle."""

from __future__ import annotations

from service.texts import text
from service.web.pages import ResourcePage, Row, Technical

# The parts of a goal listed first, before the source passage: what a reader of a goal looks for.
CHILDREN = {
    "kzs:hasActionGoal": "action_goals",
    "kzs:hasStrategicGoal": "strategic_goals",
    "kzs:hasMeasure": "measures",
    "kzs:hasFieldOfAction": "fields_of_action",
}
# Rows that repeat another (a top concept of a scheme is in it): (kept, dropped when its values repeat it).
REPEATS = (("skos:inScheme", "skos:topConceptOf"),)
QUOTED = {"oa:hasSelector", "prov:wasQuotedFrom", "prov:wasDerivedFrom"}


def for_reading(page: ResourcePage) -> ResourcePage:
    """Each text once, in the page's language where the data has it; a goal's parts first; technical names
    gathered in one list."""
    notation = next((r.values[0].text for r in page.rows if r.curie == "skos:notation" and r.values), "")
    title = _plain(page.title.text)
    shown = {title, title.removeprefix(notation).strip()} | {_plain(q.text) for q in page.quotes}
    rows = []
    for row in page.rows:
        values = list(row.values)
        if any(not v.href and v.lang == page.language for v in values):  # the other language: one click away
            values = [v for v in values if v.href or v.lang in ("", page.language)]
        values = [v for v in values if v.nested or v.href or _plain(v.text) not in shown]
        if values:
            rows.append(Row(row.label, row.lang, row.curie, row.href, tuple(values)))
    if page.quotes:  # the passages are shown as quotes, with their position and a link to their page
        rows = [r for r in rows if r.curie not in QUOTED]
    by_curie = {row.curie: row for row in rows}
    for kept, repeated in REPEATS:
        first, second = by_curie.get(kept), by_curie.get(repeated)
        if first and second and {v.href for v in second.values} <= {v.href for v in first.values}:
            rows.remove(second)
    page.technical = [Technical(r.label, r.lang, r.curie, r.href) for r in rows] + [
        Technical(g.label, g.lang, g.curie, g.href) for g in page.incoming
    ]
    children = next((r for r in rows if r.curie in CHILDREN), None)
    if children is not None:
        rows.remove(children)
        heading = text(CHILDREN[children.curie], page.language)
        page.children = Row(heading, page.language, children.curie, children.href, children.values)
    page.rows = rows
    return page


def _plain(value: str) -> str:
    """A text as compared for repeats: without bold markers, line breaks and the notation before a title."""
    return " ".join(value.replace("**", "").split())


# Which document explains a resource of a kind (docs/*.md, served under /docs/): the first that applies.
EXPLAINED_BY = (
    (
        "http://www.w3.org/2002/07/owl#Axiom",
        "sdg-alignment",
        "Aligning programmes with the Sustainable Development Goals",
    ),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement", "interpretation", "What is interpreted: one pattern"),
    ("http://www.w3.org/ns/prov#Activity", "interpretation", "What is interpreted: one pattern"),
    ("http://www.w3.org/2004/02/skos/core#Concept", "concepts", "Shared concepts: how one is added, and who decides"),
    ("https://w3id.org/kzs/def#", "model", "The data model"),
    ("http://data.europa.eu/eli/ontology#", "model", "The data model"),
)


def explained_by(kinds: set[str], base: str) -> tuple[str, str] | None:
    """(title, link) of the document that explains a resource of these kinds."""
    for kind, name, title in EXPLAINED_BY:
        if any(k.startswith(kind) for k in kinds):
            return title, f"{base}docs/{name}"
    return None
