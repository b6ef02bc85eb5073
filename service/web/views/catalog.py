"""/catalog, /data/…, /.well-known/void, /sitemap.xml, /robots.txt: what portals, crawlers and people download.

Every body is built once per data version (service/publish/publication.py); the views only pick one and send it.
The pages for people (the catalogue, the downloads, a programme's landing page) come in German and English.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from datetime import datetime

from flask import Blueprint, Response, render_template, request
from rdflib import Graph
from werkzeug.wsgi import wrap_file

from service.errors import BadRequest, NotFound
from service.ingest.sheets import CP1252
from service.ingest.workbook import MEDIA_TYPES
from service.publish.catalogue import CATALOG_PREFIXES
from service.publish.discovery import robots, whole_dataset
from service.publish.dumps import CSV, CSVW, Dump
from service.publish.publication import Publication
from service.publish.series import cite
from service.rdf.canonical import canonical_triples
from service.rdf.formats import BY_EXTENSION, GRAPH_FORMATS, HTML, Format, serialize_graph
from service.texts import LANGUAGES
from service.web.conneg import choose, choose_language
from service.web.state import get_config, state

bp = Blueprint("catalog", __name__)

CATALOG_FORMATS = (*GRAPH_FORMATS, HTML)  # RDF first: harvesters send no Accept header
PAGE_FORMATS = (HTML, *GRAPH_FORMATS)  # landing pages are for people first
ALIASES = ("ttl", "rdf", "jsonld", "nt")  # /catalog.ttl etc.: a fixed format, whatever the Accept header
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
PREVIEW_ROWS = 5


def current() -> Publication:
    return state().current_publication()


def send(
    body: bytes | Dump,
    content_type: str,
    *,
    modified: datetime | None,
    etag: str | None = None,
    negotiated: bool = False,
    links: Sequence[str] = (),
    in_language: str = "",
) -> Response:
    """The one place that sets the caching and validation headers of everything this blueprint sends.

    Strong ETags from the bytes (for a dump, the SHA-256 the catalogue advertises, or a digest of the parts a
    whole-dataset file is read from), Last-Modified from the data's dct:modified; If-None-Match,
    If-Modified-Since and Range are answered by Werkzeug. A dump is streamed from its files, never read whole.
    """
    if isinstance(body, Dump):
        stream = wrap_file(request.environ, body.open())
        response = Response(stream, content_type=content_type, direct_passthrough=True)
        response.content_length, length = body.size, body.size
        response.set_etag(body.etag)
    else:
        response, length = Response(body, content_type=content_type), len(body)
        response.set_etag(etag or hashlib.sha256(body).hexdigest())
    if modified is not None:
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = get_config().cache_max_age
    response.headers["Access-Control-Allow-Origin"] = "*"
    if negotiated:
        response.vary.add("Accept")
    if in_language:
        response.content_language.add(in_language)
        if "lang" not in request.args:
            response.vary.add("Accept-Language")
    if links:
        response.headers["Link"] = ", ".join(links)
    response.make_conditional(request, accept_ranges=True, complete_length=length)
    return response


def varies() -> bool:
    """Whether the Accept header chose the format (a `_format` argument or an alias overrides it)."""
    return "_format" not in request.args


def rdf(pub: Publication, key: object, graph: Graph, fmt: Format) -> bytes:
    return pub.rendered((key, fmt.extension), lambda: serialize_graph(canonical_triples(graph), fmt, CATALOG_PREFIXES))


def page_language() -> str:
    return choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)


def switch(url: str, language: str) -> dict[str, str]:
    """The template values of the language switch of a page at `url`."""
    other = next(lang for lang in LANGUAGES if lang != language)
    return {"lang": language, "other": other, "switch": f"{url}?lang={other}"}


def index_page(pub: Publication, template: str, language: str) -> bytes:
    """The downloads page (`catalog/index.html`) or the catalogue page (`catalog/catalogue.html`)."""
    config = get_config()
    base = config.base_uri
    url = f"{base}catalog" if template == "catalog/catalogue.html" else f"{base}data/"

    def render() -> bytes:
        landings = [(p, pub.landing(p)) for p in pub.programmes]
        whole = pub.dumps_of(None)
        return render_template(
            template,
            landings=landings,
            whole=whole,
            base=base,
            publisher=config.publisher_name,
            contact_email=config.contact_email,
            **switch(url, language),
        ).encode()

    return pub.rendered((template, language), render)


def alternates(url: str, offers: Sequence[Format]) -> list[str]:
    return [f'<{url}?_format={f.extension}>; rel="alternate"; type="{f.media_type}"' for f in offers]


@bp.get("/catalog")
@bp.get("/catalog.<any(ttl, rdf, jsonld, nt):extension>")
def catalog(extension: str | None = None) -> Response:
    """The DCAT-AP catalogue; more datasets than a page holds are paged with Hydra (`?page=2`, …)."""
    pub, config = current(), get_config()
    fixed = BY_EXTENSION[extension] if extension else None
    fmt = fixed or choose(request.accept_mimetypes, CATALOG_FORMATS, request.args.get("_format"))
    size = config.catalog_page_size
    number = page_number(request.args.get("page"), pub.catalogue.pages(size))
    view_base = f"{config.base_uri}catalog" + (f".{extension}" if extension else "")
    modified = pub.last_modified(None)
    if fmt is HTML:
        language = page_language()
        body = index_page(pub, "catalog/catalogue.html", language)
        return send(body, HTML.content_type, modified=modified, negotiated=varies(), in_language=language)
    graph = pub.catalogue.page(number, size, view_base)
    links = [f'<{config.base_uri}catalog.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in GRAPH_FORMATS]
    for relation, target in (("prev", number - 1), ("next", number + 1)):
        if 1 <= target <= pub.catalogue.pages(size):
            links.append(f'<{view_base}?page={target}>; rel="{relation}"')
    body = rdf(pub, ("catalog", view_base, number), graph, fmt)
    return send(body, fmt.content_type, modified=modified, negotiated=fixed is None and varies(), links=links)


def page_number(value: str | None, pages: int) -> int:
    """`?page=` as a page that exists; one spelling per page, so page URLs are stable and never repeat."""
    if value is None:
        return 1
    if not PAGE_NUMBER.fullmatch(value):
        raise BadRequest(f"page must be a whole number from 1 without leading zeros, not {value!r}")
    if int(value) > pages:
        raise NotFound(f"there are {pages} page(s) of the catalogue, not {value}")
    return int(value)


@bp.get("/data/")
def data_index() -> Response:
    """The downloads: every programme's landing page and the dumps of everything; RDF: the VoID description."""
    pub = current()
    fmt = choose(request.accept_mimetypes, PAGE_FORMATS, request.args.get("_format"))
    modified = pub.last_modified(None)
    if fmt is HTML:
        language = page_language()
        body = index_page(pub, "catalog/index.html", language)
        return send(body, HTML.content_type, modified=modified, negotiated=varies(), in_language=language)
    return send(rdf(pub, "void", pub.void, fmt), fmt.content_type, modified=modified, negotiated=varies())


@bp.get("/.well-known/void")
def void() -> Response:
    """VoID of everything served (W3C VoID §7), one subset per programme."""
    pub = current()
    fmt = choose(request.accept_mimetypes, GRAPH_FORMATS, request.args.get("_format"))
    links = [f'<{whole_dataset(get_config().base_uri)}>; rel="describes"']
    body = rdf(pub, "void", pub.void, fmt)
    return send(body, fmt.content_type, modified=pub.last_modified(None), negotiated=varies(), links=links)


@bp.get("/data/<name>")
def data_file(name: str) -> Response:
    """A dump of everything (`/data/kommunale-zielsysteme.ttl`, …) or a programme's landing page."""
    pub = current()
    dump = pub.dumps.get(f"data/{name}")
    if dump is not None:
        return send_dump(pub, dump)
    programme = pub.programme(name)
    if programme is None:
        raise NotFound(f"no programme or file {name!r} under /data/")
    base = get_config().base_uri
    fmt = choose(request.accept_mimetypes, PAGE_FORMATS, request.args.get("_format"))
    modified = pub.last_modified(programme.key)
    links = alternates(programme.landing_page(base), PAGE_FORMATS)
    if fmt is HTML:
        language = page_language()
        landing, landing_page = pub.landing(programme), programme.landing_page(base)
        table = next((d for d in landing.dumps if d.format is CSV), None)
        body = pub.rendered(
            ("landing", programme.key, language),
            lambda: render_template(
                "catalog/dataset.html",
                programme=programme,
                page=landing,
                markup=pub.schema_org(programme),
                base=base,
                preview=preview(table.body) if table else None,
                preview_file=table,
                cite=cite(get_config(), programme.key, landing.title, landing.modified, landing_page),
                **switch(landing_page, language),
            ).encode(),
        )
        return send(body, HTML.content_type, modified=modified, negotiated=varies(), links=links, in_language=language)
    body = rdf(pub, ("dataset", programme.key), pub.part(programme), fmt)
    return send(body, fmt.content_type, modified=modified, negotiated=varies(), links=links)


@bp.get("/data/<programme>/<name>")
def programme_file(programme: str, name: str) -> Response:
    """A dump of one programme: `/data/{programme}/{programme}.ttl`, `.csv`, …"""
    pub = current()
    dump = pub.dumps.get(f"data/{programme}/{name}")
    if dump is None:
        raise NotFound(f"no file {name!r} for {programme!r} under /data/")
    return send_dump(pub, dump)


def preview(body: bytes, rows: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The header and the first `rows` rows of a CSV dump, for its landing page."""
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    header = next(reader, [])
    return header, [row for _, row in zip(range(rows), reader, strict=False)]


def send_dump(pub: Publication, dump: Dump) -> Response:
    base = get_config().base_uri
    content_type = f"{CSV.content_type}; header=present" if dump.format is CSV else dump.format.content_type
    links = []
    if dump.format is CSV:  # CSVW §5.2: the metadata that describes this table
        metadata = next(d for d in pub.dumps_of(dump.programme) if d.format is CSVW)
        links.append(f'<{base}{metadata.path}>; rel="describedby"; type="{CSVW.media_type}"')
    landing = pub.programme(dump.programme).landing_page(base) if dump.programme else f"{base}data/"  # type: ignore[union-attr]
    links.append(f'<{landing}>; rel="describedby"; type="text/html"')
    return send(dump, content_type, modified=pub.last_modified(dump.programme), links=links)


SOURCES = {
    "source.txt": "text/plain; charset=utf-8",
    "source.csv": "text/csv; charset=utf-8; header=present",
    **MEDIA_TYPES,  # source.xlsx, source.ods
}


# Fixed rules rather than one with a converter: fixed rules win over the dumps' /data/<programme>/<file>.
@bp.get("/data/<programme>/source.txt", defaults={"name": "source.txt"})
@bp.get("/data/<programme>/source.csv", defaults={"name": "source.csv"})
@bp.get("/data/<programme>/source.xlsx", defaults={"name": "source.xlsx"})
@bp.get("/data/<programme>/source.ods", defaults={"name": "source.ods"})
def source_file(programme: str, name: str) -> Response:
    """The programme's source (text or spreadsheet) as it is, the file every passage points into."""
    folder = get_config().project_dir / "data"
    if programme not in {p.name for p in folder.iterdir() if (p / name).is_file()}:
        raise NotFound(f"no {name} for a programme {programme!r}")
    body = (folder / programme / name).read_bytes()
    media_type = SOURCES[name]
    if name == "source.csv" and not is_utf8(body):  # German Excel's CSV, read as Windows-1252 (ingest/sheets.py)
        media_type = media_type.replace("utf-8", CP1252)
    return send(body, media_type, modified=current().last_modified(programme))


def is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The sitemap (sitemaps.org); past 50,000 pages an index of /sitemap-1.xml, /sitemap-2.xml, …"""
    pub = current()
    return send(pub.sitemaps[0], "application/xml; charset=utf-8", modified=pub.last_modified(None))


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    pub = current()
    if not 1 <= number < len(pub.sitemaps):
        raise NotFound(f"no sitemap {number}")
    return send(pub.sitemaps[number], "application/xml; charset=utf-8", modified=pub.last_modified(None))


@bp.get("/robots.txt")
def robots_txt() -> Response:
    body = robots(get_config().base_uri).encode()
    return send(body, "text/plain; charset=utf-8", modified=current().last_modified(None))
