"""What the query editor offers to complete: the predeclared prefixes, the kzs classes and properties with their
labels, and the reused terms the pages name, as one small JSON-ready mapping the page carries."""

from __future__ import annotations

from service.content.terms import Vocabulary
from service.rdf.namespaces import PREFIXES
from service.rdf.term_labels import TERM_LABELS
from service.rdf.uris import curie

KINDS = {"classes": "class", "properties": "property"}


def completions(vocabulary: Vocabulary, language: str) -> dict[str, object]:
    terms: list[dict[str, str]] = []
    for term in sorted(vocabulary.terms.values(), key=lambda t: t.iri):
        if term.kind in KINDS:
            label = term.labels.get(language) or term.labels.get("de") or ""
            terms.append({"name": curie(term.iri), "kind": KINDS[term.kind], "label": label})
    for iri, (german, english) in sorted(TERM_LABELS.items()):
        name = curie(iri)
        if name != iri and name not in {t["name"] for t in terms}:
            local = name.split(":", 1)[1]
            kind = "class" if local[:1].isupper() else "property"
            terms.append({"name": name, "kind": kind, "label": english if language == "en" else german})
    return {"prefixes": dict(sorted(PREFIXES.items())), "terms": terms}
