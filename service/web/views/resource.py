"""/id/… (things) answer 303 See Other to /doc/… (documents about them), which are negotiated.

`/doc/{path}` is the document; `/doc/{path}.ttl` (and .jsonld .rdf .nt .html) one representation of it;
`?in={property}&page={n}` pages through the resources linking here by one property, for hubs with many links.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from markupsafe import escape

from service.content.describe import Description, describe, exists, incoming_page
from service.content.hubs import Links, may_be_shared
from service.content.overview import outline, structure
from service.content.schemaorg import SCHEMA, schema_object, schema_triples, to_json
from service.content.terms import Vocabulary, build_vocabulary
from service.errors import BadRequest, NotFound
from service.rdf.formats import GRAPH_FORMATS, HTML, Format
from service.rdf.namespaces import PREFIXES
from service.rdf.uris import DOCUMENT, ONTOLOGY, curie, expand, is_valid_path, split_extension, thing_iri
from service.texts import collation_key
from service.web.conneg import ALTERNATES, Profile, Variant
from service.web.indicator_chart import render as render_indicators
from service.web.pages import Labels, build, other_language, property_href, title_of
from service.web.reading import explained_by, for_reading
from service.web.responses import Document, memo, rdf_body, respond
from service.web.state import get_config, get_store, state
from service.web.svg import render as render_overview
from service.web.trail import breadcrumbs, naming, siblings

bp = Blueprint("resource", __name__)

TURTLE, JSON_LD, RDF_XML, N_TRIPLES = GRAPH_FORMATS
# RDF first: a client that accepts anything (curl, harvesters) gets Turtle; browsers ask for HTML by name.
KZS_PROFILE = Profile("kzs", ONTOLOGY, (*GRAPH_FORMATS, HTML))
SCHEMA_PROFILE = Profile("schema", SCHEMA, (JSON_LD, TURTLE, RDF_XML, N_TRIPLES))
PROFILES = (KZS_PROFILE, SCHEMA_PROFILE)
WORK = PREFIXES["eli"] + "Work"
PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
QUERY_THIS = "SELECT ?property ?value WHERE {{\n  <{iri}> ?property ?value\n}}"


def vocabulary() -> Vocabulary:
    """The kzs vocabulary index of the current data version (property labels, inverses, terms)."""
    graph = f"{get_config().base_uri}graph/ontology"
    return cast(Vocabulary, memo("vocabulary", lambda: build_vocabulary(get_store(), graph)))


def description_of(iri: str) -> Description:
    page_size = get_config().page_size
    return cast(Description, memo(("describe", iri), lambda: describe(get_store(), iri, page_size, links_to(iri))))


def links_to(iri: str) -> Links | None:
    """The indexed incoming links of a shared resource; None for a programme's things, which never need the index."""
    return state().current_hubs().get(iri) if may_be_shared(get_config().base_uri, iri) else None


def known(iri: str) -> bool:
    """Whether `iri` exists; only the answer yes is remembered, so unknown IRIs cannot crowd the memo."""
    return cast(bool, memo(("exists", iri), lambda: exists(get_store(), iri), remember=bool))


@bp.get("/id/<path:path>")
def thing(path: str) -> Response:
    """303 to the document, keeping the query string; the client's Accept applies there (docs/architecture.md)."""
    base = get_config().base_uri
    if not is_valid_path(path) or not known(thing_iri(base, path)):
        raise NotFound(f"no resource {thing_iri(base, path)!r}")
    query = request.query_string.decode("latin-1")
    location = f"{base}{DOCUMENT}{path}" + (f"?{query}" if query else "")
    # RFC 9110 §15.4.4: a short hypertext note with a link to the same URI as Location.
    note = f'<!doctype html><title>303 See Other</title><p><a href="{escape(location)}">{escape(location)}</a></p>'
    response = Response(note, status=303, content_type="text/html; charset=utf-8")
    response.headers["Location"] = location
    response.headers["Link"] = f'<{base}{DOCUMENT}{path}>; rel="describedby"'
    response.headers["Cache-Control"] = f"public, max-age={get_config().cache_max_age}"
    response.vary.add("Accept")
    return response


@bp.get("/doc/<path:path>")
def document(path: str) -> Response:
    config = get_config()
    base = config.base_uri
    path, extension = split_extension(path)
    if not is_valid_path(path):
        raise NotFound(f"no resource {thing_iri(base, path)!r}")
    iri = thing_iri(base, path)
    url = f"{base}{DOCUMENT}{path}"
    if request.query_string and ("in" in request.args or "page" in request.args):
        return incoming(iri, url, extension)
    doc = Document(url, PROFILES)
    return respond(doc, lambda variant: render_document(iri, doc, variant), extension=extension,
                   exists=lambda: known(iri))  # fmt: skip


def render_document(iri: str, doc: Document, variant: Variant) -> bytes:
    description = description_of(iri)
    if not description:
        raise NotFound(f"no resource {iri}")
    if variant.profile is SCHEMA_PROFILE:
        return rdf_body(schema_triples(schema_object(description, doc.url)), variant.format, iri)
    if variant.format is not HTML:
        topic = ox.Triple(ox.NamedNode(doc.url), ox.NamedNode(PRIMARY_TOPIC), ox.NamedNode(iri))
        return rdf_body([*description.triples, topic], variant.format, iri)
    config, store = get_config(), get_store()
    language = variant.language
    labels = Labels(description.triples, vocabulary(), config.base_uri)
    named = naming(store, description.triples, iri, labels, language)
    if named:
        description = Description(description.iri, [*description.triples, *named], description.incoming)
    page = for_reading(build(store, description, vocabulary(), config.base_uri, doc.url, language, config.page_size))
    page.crumbs = breadcrumbs(store, iri, config.base_uri, vocabulary(), language)
    page.previous, page.next = siblings(store, iri, config.base_uri, vocabulary(), language)
    overview = None
    if _is_work(description):
        overview = structure(store, iri)
    return render_template(
        "resource/page.html",
        page=page,
        lang=language,
        other=other_language(language),
        switch=doc.href(Variant(KZS_PROFILE, HTML, other_language(language))),
        data_links=[(f, doc.href(Variant(KZS_PROFILE, f))) for f in KZS_PROFILE.formats if f is not HTML],
        alternates=doc.href(Variant(ALTERNATES, HTML)),
        schema_json=to_json(schema_object(description, doc.url)),
        outline=outline(overview, config.base_uri, language) if overview else [],
        overview_svg=render_overview(overview, config.base_uri, language) if overview else "",
        indicator_svg=render_indicators(store, iri, language),  # a goal's indicators (service/indicator_chart.py)
        sparql=f"{config.base_uri}sparql?" + urlencode({"query": QUERY_THIS.format(iri=iri)}),
        explained=explained_by(_kinds(description), config.base_uri),
    ).encode()


def _kinds(description: Description) -> set[str]:
    node, kind = ox.NamedNode(description.iri), PREFIXES["rdf"] + "type"
    return {t.object.value for t in description.triples if t.subject == node and t.predicate.value == kind}  # type: ignore[union-attr]


def _is_work(description: Description) -> bool:
    node, kind = ox.NamedNode(description.iri), ox.NamedNode(WORK)
    return any(t.subject == node and t.object == kind for t in description.triples)


def incoming(iri: str, url: str, extension: Format | None) -> Response:
    """One page of the resources that link to `iri` by one property."""
    config = get_config()
    name = request.args.get("in", "")
    predicate = expand(name)
    if predicate is None:
        raise BadRequest(f"'in' names a property as a CURIE (dct:audience) or an http(s) IRI, not {name!r}")
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise BadRequest("'page' is a whole number from 1") from None
    if page < 1:
        raise BadRequest("'page' is a whole number from 1")
    description = description_of(iri)
    if not description:
        raise NotFound(f"no resource {iri}")
    count = description.incoming.get(predicate, 0)
    pages = max(1, -(-count // config.page_size))
    if count == 0 or page > pages:
        raise NotFound(f"no page {page} of links to {iri} by {curie(predicate)}")

    def at(n: int) -> str:
        return f"{url}?" + urlencode({"in": curie(predicate), "page": n})

    links = [f'<{at(1)}>; rel="first"', f'<{at(pages)}>; rel="last"', f'<{url}>; rel="up"']
    if page > 1:
        links.append(f'<{at(page - 1)}>; rel="prev"')
    if page < pages:
        links.append(f'<{at(page + 1)}>; rel="next"')
    doc = Document(url, (KZS_PROFILE,), query=(("in", curie(predicate)), ("page", str(page))), links=tuple(links))

    def render(variant: Variant) -> bytes:
        triples = incoming_page(get_store(), iri, predicate, page, config.page_size, count, links_to(iri))
        if variant.format is not HTML:
            return rdf_body(triples, variant.format, iri)
        language = variant.language
        labels = Labels([*triples, *description.triples], vocabulary(), config.base_uri)
        named = naming(get_store(), triples, iri, labels, language)
        labels = Labels([*triples, *description.triples, *named], vocabulary(), config.base_uri) if named else labels
        resource = ox.NamedNode(iri)
        own = [t for t in description.triples if t.subject == resource]
        values = sorted(
            (labels.value(t.subject, language) for t in triples if t.object == resource),
            key=lambda v: v.sort or collation_key(v.text),
        )
        heading = labels.inverse(predicate, language)
        return render_template(
            "resource/incoming.html",
            lang=language,
            title=title_of(
                labels, own, [labels.value(t.object, language) for t in own if t.predicate == TYPE], resource, language
            ),  # fmt: skip
            trail=breadcrumbs(get_store(), iri, config.base_uri, vocabulary(), language),
            heading=heading,
            curie=curie(predicate),
            property_href=property_href(config.base_uri, predicate),
            values=values,
            count=count,
            page=page,
            pages=pages,
            previous=at(page - 1) if page > 1 else None,
            next=at(page + 1) if page < pages else None,
            up=url,
            first=(page - 1) * config.page_size + 1,
            switch=doc.href(Variant(KZS_PROFILE, HTML, other_language(language))),
            other=other_language(language),
            data_links=[(v.format, doc.href(v)) for v in doc.variants() if v.format is not HTML],
        ).encode()

    return respond(doc, render, extension=extension)
