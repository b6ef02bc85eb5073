"""Negotiated documents over HTTP: the one place that sets Vary, Link, ETag, Last-Modified, Cache-Control,
Content-Location, Content-Profile and Content-Language, answers conditional requests with 304, and serves
every representation from the cache, rendered once per data version.

A view describes its document and how to render one variant; `respond` does the rest::

    doc = Document(f"{base}catalog", (Profile("dcat", DCAT_AP, (*GRAPH_FORMATS, HTML)),), languages=())
    return respond(doc, lambda variant: render_catalog(store, variant))

Flask answers HEAD through the same view and drops the body, so HEAD gets the very same headers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Response, g, render_template, request
from rdflib.namespace import DCTERMS, RDF
from werkzeug.datastructures import Headers
from werkzeug.http import http_date
from werkzeug.urls import iri_to_uri

from service.cache import Rendering, data_modified
from service.errors import NotAcceptable, NotFound
from service.rdf.formats import HTML, Format, serialize_graph
from service.rdf.namespaces import PREFIXES
from service.texts import LANGUAGES
from service.web.conneg import ALTERNATES, Choice, Profile, Variant, negotiate
from service.web.state import get_config, get_store, state

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

ALTR = "http://www.w3.org/ns/dx/conneg/altr#"
PROFILE_CLASS = "http://www.w3.org/ns/dx/prof/Profile"


@dataclass(frozen=True)
class Document:
    """A negotiable document: where it lives, what it offers, and what selects its content."""

    url: str  # the canonical URL, without extension or query
    profiles: tuple[Profile, ...]  # the first is the default
    languages: tuple[str, ...] = LANGUAGES  # languages of the HTML representation
    query: tuple[tuple[str, str], ...] = ()  # arguments that pick this document (a page), kept in every URL
    extensions: bool = True  # representations live at `{url}.{ext}`; otherwise at `{url}?_format={ext}`
    links: tuple[str, ...] = ()  # further Link header values (prev/next of a page)

    @property
    def canonical(self) -> str:
        return self.url + (f"?{urlencode(self.query)}" if self.query else "")

    def href(self, variant: Variant) -> str:
        """The URL that always answers with exactly `variant`."""
        query = list(self.query)
        if variant.profile is not self.profiles[0]:
            query.append(("_profile", variant.profile.token))
        if variant.language:
            query.append(("lang", variant.language))
        if self.extensions:
            stem = self.url[:-1] if self.url.endswith("/") else self.url
            location = f"{stem}.{variant.format.extension}"
        elif len({f for p in self.profiles for f in p.formats}) > 1 or variant.profile not in self.profiles:
            location, query = self.url, [*query, ("_format", variant.format.extension)]
        else:
            location = self.url
        return location + (f"?{urlencode(query)}" if query else "")

    def variants(self) -> list[Variant]:
        """Every representation, the default first: profile × format (× language for HTML)."""
        found = []
        for profile in self.profiles:
            for fmt in profile.formats:
                languages = self.languages if fmt is HTML and self.languages else ("",)
                found += [Variant(profile, fmt, language) for language in languages]
        return found


Render = Callable[[Variant], bytes]


def memo(key: Hashable, compute: Callable[[], object], remember: Callable[[object], bool] | None = None) -> object:
    """A value computed once per data version (descriptions, indexes), shared by all its representations."""
    return state().memo.get((get_store().version, key), compute, remember)


_CHOICES: dict[Hashable, Choice] = {}
_CHOICES_MAX = 4096


def _negotiate(document: Document, extension: Format | None) -> Choice:
    """conneg.negotiate, remembered per distinct request: clients send a handful of distinct header lines,
    and parsing Accept for every request would cost more than the rest of serving a cached document."""
    environ = request.environ
    accept, profile = environ.get("HTTP_ACCEPT"), environ.get("HTTP_ACCEPT_PROFILE")
    language, query = environ.get("HTTP_ACCEPT_LANGUAGE"), environ.get("QUERY_STRING", "")
    key = (document.profiles, document.languages, extension and extension.extension, accept, profile, language, query)
    choice = _CHOICES.get(key)
    if choice is None:
        choice = negotiate(
            document.profiles,
            document.languages,
            accept=accept,
            accept_profile=profile,
            accept_language=language,
            args=request.args,
            extension=extension,
        )
        if len(_CHOICES) >= _CHOICES_MAX:
            _CHOICES.clear()
        _CHOICES[key] = choice
    return choice


def respond(
    document: Document, render: Render, *, extension: Format | None = None, exists: Callable[[], bool] | None = None
) -> Response:
    """The negotiated response for `document`; `render` is called once per variant and data version.

    `render` raises NotFound for a document that does not exist; `exists` answers the same question for
    the cases that render nothing (the alternates view, a refused Accept): a refused Accept for a missing
    document is 404, not 406.
    """
    try:
        choice = _negotiate(document, extension)
    except NotAcceptable as refused:
        if exists is not None and not exists():
            raise NotFound(f"nothing is described at {document.url}") from refused
        refused.headers.update({"Link": link_header(document, None), "Vary": "Accept, Accept-Profile"})
        raise
    variant = choice.variant
    version = get_store().version
    cache = state().representations

    def build() -> Rendering:
        g.kzs_format = variant.format  # errors raised while rendering answer in the negotiated format
        if variant.profile is ALTERNATES:
            if exists is not None and not exists():
                raise NotFound(f"nothing is described at {document.url}")
            body = alternates(document, variant)
        else:
            body = render(variant)
        return entry(document, variant, body, version)

    key = (version, document.url, document.query, variant.profile, variant.format.media_type, variant.language)
    cached = cache.get_or_render(key, build)
    # The language cookie (views/home.py) stands in for Accept-Language, so whatever varies by one varies by both.
    vary = choice.vary_header + (", Cookie" if "Accept-Language" in choice.vary else "")
    if _not_modified(cached):
        response = Response(status=304)
        response.headers.update([h for h in cached.headers if h[0] in CONDITIONAL_HEADERS])
        if vary:
            response.headers["Vary"] = vary
        return response
    return Prepared(cached, vary)


class Prepared(Response):
    """A 200 whose headers were built, encoded and checked once, when its representation was rendered.

    Werkzeug would copy and re-validate every header and re-encode Content-Location on each request; for a
    cached document that is most of the work, so the prepared list is sent as it is (see get_wsgi_headers).
    """

    prepared: tuple[tuple[str, str], ...] = ()

    def __init__(self, entry: Rendering, vary: str) -> None:
        super().__init__(entry.body, content_type=entry.content_type)
        self.prepared = entry.headers + (("Vary", vary),) if vary else entry.headers

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        headers = super().get_wsgi_headers(environ)  # Content-Type, Content-Length, whatever hooks added
        headers._list.extend(self.prepared)  # already valid: see entry()
        return headers


EXPOSED = "Link, Content-Location, Content-Profile, Content-Language, ETag, Last-Modified"
CONDITIONAL_HEADERS = {"ETag", "Last-Modified", "Cache-Control", "Content-Location", "Access-Control-Allow-Origin"}


def entry(document: Document, variant: Variant, body: bytes, version: str) -> Rendering:
    """The bytes of one variant with every header that depends on nothing but the variant and the data."""
    config = get_config()
    key = repr((document.url, document.query, variant.profile.token, variant.format.extension, variant.language))
    etag = f'"{version}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"'
    modified = data_modified(config.project_dir, version)
    headers = [
        ("ETag", etag),
        ("Last-Modified", http_date(modified)),
        ("Cache-Control", f"public, max-age={config.cache_max_age}"),
        ("Content-Location", iri_to_uri(document.href(variant))),
        ("Content-Profile", f"<{variant.profile.uri}>"),
        ("Link", link_header(document, variant)),
    ]
    if variant.language:
        headers.append(("Content-Language", variant.language))
    # Open data: any web page may read it (no credentials), and see the links that lead on.
    headers += [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]
    headers += SECURITY_HEADERS
    checked = Headers(headers)  # validates every value once (no line breaks, latin-1 only)
    return Rendering(body, variant.format.content_type, tuple(checked.to_wsgi_list()), etag, modified)


def _not_modified(cached: Rendering) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) decides; If-Modified-Since counts only without it."""
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" in environ:
        tags = request.if_none_match
        return tags.star_tag or tags.contains_weak(cached.etag.strip('"'))
    if "HTTP_IF_MODIFIED_SINCE" not in environ:
        return False
    since = request.if_modified_since
    return since is not None and since.timestamp() >= int(cached.modified)


def link_header(document: Document, current: Variant | None) -> str:
    """Links to the canonical URL, every representation (W3C conneg-by-profile: `type`, `profile`, `hreflang`),
    the alternates view, and each profile token's URI.

    Every representation is an alternate of the canonical URL, the one sent too (then it is also rel=self):
    clients that follow the first `rel="alternate"` of their type (rdflib, for JSON-LD) find the default
    profile's document before any profile view."""
    links = [f'<{iri_to_uri(document.canonical)}>; rel="canonical"']
    for variant in document.variants():
        attributes = f'type="{variant.format.media_type}"; profile="{variant.profile.uri}"'
        if variant.language:
            attributes += f'; hreflang="{variant.language}"'
        href = iri_to_uri(document.href(variant))
        if variant == current:
            links.append(f'<{href}>; rel="self"; {attributes}')
        links.append(f'<{href}>; rel="alternate"; {attributes}')
    listing = Variant(ALTERNATES, HTML)
    rel = "self" if current is not None and current.profile is ALTERNATES else "alternate"
    links.append(f'<{iri_to_uri(document.href(listing))}>; rel="{rel}"; type="text/html"; profile="{ALTERNATES.uri}"')
    for profile in (*document.profiles, ALTERNATES):
        links.append(f'<{PROFILE_CLASS}>; rel="type"; token="{profile.token}"; anchor=<{profile.uri}>')
    links += document.links
    return ", ".join(links)


def alternates(document: Document, variant: Variant) -> bytes:
    """The list-profiles view: every representation, in HTML or as the W3C alternates data model (altr)."""
    if variant.format is HTML:
        rows = [(v, document.href(v), v == document.variants()[0]) for v in document.variants()]
        page = render_template("resource/alternates.html", document=document, rows=rows, lang=variant.language)
        return page.encode()
    resource = ox.NamedNode(document.canonical)
    triples = []
    for n, v in enumerate(document.variants()):
        node = ox.NamedNode(document.href(v))
        relation = "hasDefaultRepresentation" if n == 0 else "hasRepresentation"
        triples += [
            ox.Triple(resource, ox.NamedNode(ALTR + relation), node),
            ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(ALTR + "Representation")),
            ox.Triple(node, ox.NamedNode(str(DCTERMS.format)), ox.Literal(v.format.media_type)),
            ox.Triple(node, ox.NamedNode(str(DCTERMS.conformsTo)), ox.NamedNode(v.profile.uri)),
        ]
        if v.language:
            triples.append(ox.Triple(node, ox.NamedNode(str(DCTERMS.language)), ox.Literal(v.language)))
    for profile in document.profiles:
        triples.append(ox.Triple(ox.NamedNode(profile.uri), ox.NamedNode(str(RDF.type)), ox.NamedNode(PROFILE_CLASS)))
    return rdf_body(triples, variant.format, document.canonical, {**PREFIXES, "altr": ALTR})


def rdf_body(
    triples: Iterable[ox.Triple], fmt: Format, focus: str | None = None, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    """Serialise `triples` for people as well as parsers: what is said about `focus` first, then the rest by
    subject (blank nodes last), with only the prefixes the triples use."""
    first = ox.NamedNode(focus) if focus else None

    def order(t: ox.Triple) -> tuple[bool, bool, str, str]:
        return (t.subject != first, isinstance(t.subject, ox.BlankNode), str(t.subject), t.predicate.value)

    ordered = sorted(dict.fromkeys(triples), key=order)
    terms = {
        term.value for t in ordered for term in (t.subject, t.predicate, t.object) if isinstance(term, ox.NamedNode)
    }
    terms |= {t.object.datatype.value for t in ordered if isinstance(t.object, ox.Literal)}
    used = {p: ns for p, ns in prefixes.items() if any(term.startswith(ns) for term in terms)}
    return serialize_graph(ordered, fmt, used)


# The site's policy (SECURITY_HEADERS below), plus our own scripts: the editor's highlighting.
PAGE_SECURITY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


PAGE = Profile("page", "https://www.w3.org/TR/html/", (HTML,))  # a page for people, in HTML only

SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]


def security_headers(response: Response) -> Response:
    """Defaults for every response (a view may set its own): no script at all, styles and images from here."""
    if isinstance(response, Prepared):
        return response  # its prepared headers carry them
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response
