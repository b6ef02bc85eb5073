"""/def/: the kzs vocabulary documented, in HTML and RDF.

The terms' IRIs are hash IRIs in a fixed namespace (`https://w3id.org/kzs/def#ActionGoal`), so a client that
dereferences one asks for the vocabulary document, `https://w3id.org/kzs/def`, which the persistent-identifier
service redirects to `{base}def/`: that document carries every term, each at its own anchor (`#ActionGoal`),
and in Turtle it is the ontology graph as loaded. `/def/ActionGoal` is the term's own page, with examples from
the data; `/def.ttl`, `/def/ActionGoal.ttl` and so on name one representation.
"""

from __future__ import annotations

from typing import Any, cast

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from service.content.describe import labels_of
from service.content.terms import Term, Vocabulary, pick, with_usage
from service.errors import NotFound
from service.rdf.formats import BY_EXTENSION, GRAPH_FORMATS, HTML, Format
from service.rdf.namespaces import PREFIXES
from service.rdf.term_labels import term_label
from service.rdf.uris import ONTOLOGY, VOCABULARY, VOCABULARY_NAMESPACE, curie, is_web_iri, split_extension, term_iri
from service.texts import LANGUAGES, collation_key, text
from service.web.conneg import Profile, Variant
from service.web.pages import Labels, Value, literal, other_language
from service.web.responses import Document, memo, rdf_body, respond
from service.web.state import get_config, get_store
from service.web.views.resource import vocabulary

bp = Blueprint("vocabulary", __name__)


def vocabulary_in_use() -> Vocabulary:
    """The vocabulary with each term's uses and examples, which only these pages show (content/terms.py)."""
    return cast(Vocabulary, memo("vocabulary in use", lambda: with_usage(get_store(), vocabulary())))


# The document conforms to OWL 2 as RDF (the ontology graph, unchanged).
OWL_PROFILE = Profile("owl", "http://www.w3.org/2002/07/owl", (*GRAPH_FORMATS, HTML))


@bp.get("/def")
def without_slash() -> Response:
    response = Response(status=301)
    response.headers["Location"] = get_config().base_uri + VOCABULARY
    return response


@bp.get("/def/")
def index() -> Response:
    return _vocabulary_document(None)


@bp.get("/def.<extension>")
def index_as(extension: str) -> Response:
    if extension not in BY_EXTENSION:
        raise NotFound(f"no representation .{extension} of the vocabulary")
    return _vocabulary_document(BY_EXTENSION[extension])


def _vocabulary_document(extension: Format | None) -> Response:
    doc = Document(get_config().base_uri + VOCABULARY, (OWL_PROFILE,))

    def render(variant: Variant) -> bytes:
        vocab = vocabulary_in_use()
        if variant.format is not HTML:
            return rdf_body(vocab.triples, variant.format, ONTOLOGY, {**PREFIXES, "kzs": VOCABULARY_NAMESPACE})
        language = variant.language

        def by_label(t: Term) -> str:
            return collation_key((pick(t.labels, language) or (t.name, ""))[0])

        sections = [
            (kind, sorted((t for t in vocab.terms.values() if t.kind == kind), key=by_label))
            for kind in ("classes", "properties", "individuals")
        ]
        return render_template(
            "vocabulary/index.html",
            lang=language,
            other=other_language(language),
            switch=doc.href(Variant(OWL_PROFILE, HTML, other_language(language))),
            vocab=vocab,
            sections=[
                (kind, [(_term_view(vocab, t, language, anchors=True), _examples(vocab, t, language)) for t in terms])
                for kind, terms in sections
            ],
            ontology=_ontology_view(vocab, language),
            data_links=[(v.format, doc.href(v)) for v in doc.variants() if v.format is not HTML],
        ).encode()

    return respond(doc, render, extension=extension)


@bp.get("/def/<name>")
def term(name: str) -> Response:
    name, extension = split_extension(name)
    iri = term_iri(name)
    doc = Document(get_config().base_uri + VOCABULARY + name, (OWL_PROFILE,))

    def exists() -> bool:
        return iri in vocabulary().terms

    def render(variant: Variant) -> bytes:
        vocab = vocabulary_in_use()
        if iri not in vocab.terms:
            raise NotFound(f"the vocabulary has no term {curie(iri)}")
        found = vocab.terms[iri]
        if variant.format is not HTML:
            return rdf_body(term_triples(vocab, iri), variant.format, iri, {**PREFIXES, "kzs": VOCABULARY_NAMESPACE})
        language = variant.language
        view = _term_view(vocab, found, language, anchors=False)
        return render_template(
            "vocabulary/term.html",
            lang=language,
            other=other_language(language),
            switch=doc.href(Variant(OWL_PROFILE, HTML, other_language(language))),
            term=view,
            examples=_examples(vocab, found, language),
            data_links=[(v.format, doc.href(v)) for v in doc.variants() if v.format is not HTML],
        ).encode()

    return respond(doc, render, extension=extension, exists=exists)


def term_triples(vocab: Vocabulary, iri: str) -> list[ox.Triple]:
    """The term's own triples and the blank nodes they reach (unions of classes and their lists)."""
    found: list[ox.Triple] = []
    frontier: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    while frontier:
        node = frontier.pop()
        seen.add(node)
        for t in vocab.triples:
            if t.subject == node:
                found.append(t)
                if isinstance(t.object, ox.BlankNode) and t.object not in seen:
                    frontier.append(t.object)
    return found


def _link(vocab: Vocabulary, iri: str, language: str, anchors: bool) -> Value:
    """A term link: kzs terms to their anchor (on /def/) or page, other IRIs as they are."""
    base = get_config().base_uri
    if iri.startswith(VOCABULARY_NAMESPACE):
        name = iri[len(VOCABULARY_NAMESPACE) :]
        label = vocab.label(iri, language) or (name, "")
        href = f"#{name}" if anchors else f"{base}{VOCABULARY}{name}"
        return Value(label[0], label[1], href, sort=name)
    shown = curie(iri)
    return Value(shown, "", iri if is_web_iri(iri) else None, iri=iri if shown != iri else "", sort=iri)


def _term_view(vocab: Vocabulary, t: Term, language: str, anchors: bool) -> dict[str, Any]:
    """What the pages show of a term, the chosen language first and the other beside it."""
    order = [language, *(lang for lang in LANGUAGES if lang != language)]

    def both(texts: dict[str, str]) -> list[tuple[str, str]]:
        return [(texts[lang], lang) for lang in order if lang in texts] + [
            (value, lang) for lang, value in texts.items() if lang not in order
        ]

    def links(iris: list[str]) -> list[Value]:
        return [_link(vocab, i, language, anchors) for i in iris]

    label = pick(t.labels, language) or (t.name, "")
    return {
        "name": t.name,
        "iri": t.iri,
        "curie": curie(t.iri),
        "label": label,
        "labels": both(t.labels),
        "definitions": both(t.definitions),
        "comments": both(t.comments),
        "kinds": [Value(_kind_label(k, language), language) for k in t.types],
        "facts": [
            (text(key, language), values)
            for key, values in (
                ("subclass_of" if t.kind == "classes" else "subproperty_of", links(t.parents)),
                ("domain", [v for union in t.domain for v in links(union)]),
                ("range", [v for union in t.range for v in links(union)]),
                ("inverse_of", links([t.inverse] if t.inverse else [])),
                ("close_match", links(t.close_matches)),
                ("see_also", links(t.see_also)),
            )
            if values
        ],
        "unions": {"domain": [len(u) > 1 for u in t.domain], "range": [len(u) > 1 for u in t.range]},
        "uses": t.uses,
        "page": f"{get_config().base_uri}{VOCABULARY}{t.name}",
        "examples_preview": t.examples,
    }


def _kind_label(iri: str, language: str) -> str:
    return term_label(iri, language) or curie(iri)


def _examples(vocab: Vocabulary, t: Term, language: str) -> list[tuple[Value, Value | None]]:
    """The term's examples with the labels of the resources they name."""
    base, store = get_config().base_uri, get_store()
    found: list[tuple[Value, Value | None]] = []
    for subject, obj in t.examples:
        names = [s for s in (subject, obj.value if isinstance(obj, ox.NamedNode) else None) if s]
        triples = [ox.Triple(ox.NamedNode(n), ox.NamedNode(p), lit) for n in names for p, lit in labels_of(store, n)]
        labels = Labels(triples, vocab, base)
        shown = labels.value(ox.NamedNode(subject), language)
        if isinstance(obj, ox.NamedNode):
            found.append((shown, labels.value(obj, language)))
        elif isinstance(obj, ox.Literal):
            found.append((shown, literal(obj, language)))
        else:
            found.append((shown, None))
    return found


def _ontology_view(vocab: Vocabulary, language: str) -> dict[str, Any]:
    meta = vocab.metadata

    def texts(prop: str) -> list[tuple[str, str]]:
        values = {v.language or "": v.value for v in meta.get(PREFIXES["dct"] + prop, []) if isinstance(v, ox.Literal)}
        order = [language, *(lang for lang in LANGUAGES if lang != language)]
        return [(values[lang], lang) for lang in order if lang in values]

    def one(prop: str) -> str:
        values = [v.value for v in meta.get(prop, []) if isinstance(v, ox.Literal | ox.NamedNode)]
        return values[0] if values else ""

    return {
        "iri": ONTOLOGY,
        "titles": texts("title"),
        "descriptions": texts("description"),
        "version": one(PREFIXES["owl"] + "versionInfo"),
        "version_iri": one(PREFIXES["owl"] + "versionIRI"),
        "license": one(PREFIXES["dct"] + "license"),
        "prefix": one(PREFIXES["vann"] + "preferredNamespacePrefix") or "kzs",
        "namespace": VOCABULARY_NAMESPACE,
    }
