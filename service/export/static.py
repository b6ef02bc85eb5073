"""`kzs export DIR`: the dereferencing side as static files and an nginx configuration, for any static host or CDN.

Every body is rendered by the app itself, through its own views (Flask's test client over the loaded store),
so a file holds the very bytes the service would send. The files are named after the URLs that always answer
with exactly one representation (`doc/{path}.ttl`, the service's own `Content-Location`), so a static host
serves them without rewriting; HTML, which the service negotiates by language too, lives under `_lang/{de,en}/`.

The nginx configuration (service/export/nginx.py) does what the views do around the bytes: 303s, negotiation, headers,
errors; whatever a file cannot answer goes to the running service, `upstream`.

Layout of DIR (a symlink, switched atomically to each new export)::

    nginx.conf   standalone: nginx -p PREFIX -c DIR/nginx.conf   (PREFIX: a writable folder for temp files)
    site.conf    the http-level part alone, to `include` in an existing nginx's http block
    site/        the document root
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask import Flask

from service.export.nginx import HTML_FIRST, RDF_FIRST, STANDALONE, Fixed, Negotiated, check_upstream, site_conf
from service.rdf.formats import GRAPH_FORMATS, HTML, Format
from service.rdf.uris import DOCUMENT, THING, VOCABULARY, VOCABULARY_NAMESPACE, is_valid_path, split_extension
from service.store.embedded import select
from service.texts import LANGUAGES
from service.web.http_errors import error_body
from service.web.state import get_store, state

DEFAULT_UPSTREAM = "http://127.0.0.1:8000"
DEFAULT_LISTEN = "127.0.0.1:8080"
HEADERS_KEPT = ("Link", "Cache-Control", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers")
PAGE_HEADERS_KEPT = ("Vary", "Content-Language")  # a catalogue page's HTML varies by language, its RDF does not


@dataclass(frozen=True)
class ExportReport:
    """What one export wrote: counts, bytes, seconds, and where nginx's configuration is."""

    directory: Path  # the symlink that names the current export
    target: Path  # the folder it points to
    resources: int  # /doc/ documents (things under {base}id/)
    terms: int  # /def/ documents
    files: int
    bytes: int
    seconds: float
    unchanged: bool  # byte for byte the export it replaced
    listen: str  # where the configuration has nginx listen
    upstream: str  # the service it hands dynamic routes to

    @property
    def nginx_conf(self) -> Path:
        return self.directory / "nginx.conf"


def export_site(
    app: Flask, directory: Path, *, upstream: str = DEFAULT_UPSTREAM, listen: str = DEFAULT_LISTEN
) -> ExportReport:
    """Export what `app` serves into `directory` (a symlink, replaced atomically) and write nginx's configuration.

    `upstream` is the running service for the dynamic routes; `listen` is nginx's `listen` argument."""
    started = time.monotonic()
    directory = check_target(directory, upstream)
    versions = directory.with_name(directory.name + ".versions")
    versions.mkdir(exist_ok=True)
    target = versions / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    site = target / "site"
    writer = Writer(site)
    resources, terms, fixed, negotiated = render(app, writer)
    config = state(app).config
    conf = site_conf(config.base_uri, directory / "site", upstream, listen, fixed, negotiated, config.cache_max_age)
    (target / "site.conf").write_text(conf, encoding="utf-8")
    (target / "nginx.conf").write_text(STANDALONE, encoding="utf-8")
    previous = directory.resolve() if directory.is_symlink() else None
    unchanged = previous is not None and fingerprint(previous) == fingerprint(target)
    link = versions / f".{target.name}.link"
    link.symlink_to(target)
    link.replace(directory)  # rename(2): readers see the old export or the new one, never a mixture
    if previous is not None and previous.parent == versions:
        shutil.rmtree(previous, ignore_errors=True)
    seconds = time.monotonic() - started
    return ExportReport(
        directory, target, resources, terms, writer.files, writer.bytes, seconds, unchanged, listen, upstream
    )


class Writer:
    """Writes files below the site root; a URL path maps to the file of the same (decoded) name."""

    def __init__(self, root: Path) -> None:
        self.root, self.files, self.bytes = root, 0, 0

    def write(self, url: str, body: bytes) -> None:
        path = self.root / url
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.files += 1
        self.bytes += len(body)


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Rendering, through the app's own views


class Renderer:
    """Asks the app for each body, through its own views, and writes it where nginx will look for it."""

    def __init__(self, app: Flask, writer: Writer) -> None:
        self.app, self.client, self.writer = app, app.test_client(), writer
        self.fixed: list[Fixed] = []
        self.negotiated: list[Negotiated] = []

    def get(self, url: str, accept: str = "") -> tuple[bytes, dict[str, str]]:
        with self.client.get("/" + url, headers={"Accept": accept} if accept else {}) as response:
            if response.status_code != 200:
                raise RuntimeError(f"/{url} answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
            return response.data, dict(response.headers)

    def document(self, stem: str, html: str) -> None:
        """`{stem}.ttl` … at their own URLs; the HTML page (`html`, asked for with `?lang=`) under _lang/."""
        for fmt in GRAPH_FORMATS:
            self.writer.write(f"{stem}.{fmt.extension}", self.get(f"{stem}.{fmt.extension}")[0])
        for language in LANGUAGES:
            self.writer.write(f"_lang/{language}/{stem}.html", self.get(f"{html}?lang={language}")[0])

    def file(self, url: str) -> None:
        """A body served as it is, with the headers the service sends with it."""
        body, headers = self.get(url)
        self.writer.write(url, body)
        kept = tuple((k, v) for k, v in headers.items() if k in HEADERS_KEPT)
        self.fixed.append(Fixed(url, headers["Content-Type"], kept))

    def page(self, url: str, offers: tuple[Format, ...]) -> None:
        """A catalogue page in each format it offers, under _neg/."""
        kept = {}
        for fmt in offers:
            body, headers = self.get(url, fmt.media_type)
            self.writer.write(f"_neg/{url.rstrip('/') or 'index'}.{fmt.extension}", body)
            kept[fmt.extension] = tuple((k, v) for k, v in headers.items() if k in (*HEADERS_KEPT, *PAGE_HEADERS_KEPT))
        self.negotiated.append(Negotiated(url, offers, kept))

    def error(self, name: str, status: int, title: str, message: str, fmt: Format | None, vary: str, lang: str) -> None:
        body, content_type = error(self.app, status, title, message, fmt, lang)
        self.writer.write(f"_errors/{name}", body)
        self.fixed.append(Fixed(f"_errors/{name}", content_type, (("Vary", vary),), internal=True))


def render(app: Flask, writer: Writer) -> tuple[int, int, list[Fixed], list[Negotiated]]:
    """Every document, page and file, then the error bodies; returns the counts and what nginx must know."""
    renderer = Renderer(app, writer)
    paths = list(document_paths(app))
    for path in paths:
        renderer.document(DOCUMENT + path, f"{DOCUMENT}{path}.html")
    names = term_names(app)
    renderer.document("def", "def.html")
    for name in names:
        renderer.document(VOCABULARY + name, f"{VOCABULARY}{name}.html")
    for language in LANGUAGES:
        writer.write(f"_lang/{language}/index.html", renderer.get(f"?lang={language}")[0])

    pub = state(app).current_publication()
    pages = [("catalog", RDF_FIRST), ("data/", HTML_FIRST), (".well-known/void", GRAPH_FORMATS)]
    for url, offers in [*pages, *((f"data/{p.key}", HTML_FIRST) for p in pub.programmes)]:
        renderer.page(url, offers)
    files = [*pub.dumps, "sitemap.xml", *(f"sitemap-{n}.xml" for n in range(1, len(pub.sitemaps))), "robots.txt"]
    files += [f"catalog.{f.extension}" for f in GRAPH_FORMATS]
    folder = state(app).config.project_dir / "data"
    files += [f"data/{p.name}/{s.name}" for p in sorted(folder.iterdir()) for s in sorted(p.glob("source.*"))]
    files += [f"static/{p.name}" for p in sorted(Path(cast(str, app.static_folder)).iterdir()) if p.is_file()]
    for url in files:
        renderer.file(url)

    missing = "nothing is described at this address"
    for fmt in GRAPH_FORMATS:
        renderer.error(f"404.{fmt.extension}", 404, "Not found", missing, fmt, "Accept", "")
    renderer.error("404.txt", 404, "Not found", missing, None, "Accept", "")
    for name, offers, vary in REFUSALS:
        available = ", ".join(offer.media_type for offer in offers)
        refused = f"none of the media types in the Accept header is available; available: {available}"
        renderer.error(f"406.{name}.txt", 406, "Not acceptable", refused, None, vary, "")
        for language in LANGUAGES:
            renderer.error(f"406.{name}.{language}.html", 406, "Not acceptable", refused, HTML, vary, language)
    for language in LANGUAGES:
        renderer.error(f"404.{language}.html", 404, "Not found", missing, HTML, "Accept", language)
    return len(paths), len(names), renderer.fixed, renderer.negotiated


# The 406 of each kind of document (conneg.not_acceptable): what it offers, and what its Vary names.
REFUSALS = (
    ("documents", RDF_FIRST, "Accept, Accept-Profile"),
    ("home", (HTML,), "Accept, Accept-Profile"),
    ("rdf_first", RDF_FIRST, "Accept"),
    ("html_first", HTML_FIRST, "Accept"),
    ("graph", GRAPH_FORMATS, "Accept"),
)


def document_paths(app: Flask) -> Iterator[str]:
    """The path below /doc/ of every thing the store names under {base}id/, subject or object, as /id/ knows them."""

    prefix = state(app).config.base_uri + THING
    query = "SELECT DISTINCT ?r WHERE { { ?r ?p ?o } UNION { ?s ?p ?r } FILTER(isIRI(?r)) }"
    with app.app_context():
        found = sorted({row["r"].value for row in select(get_store(), query)})
    for iri in found:
        path = iri[len(prefix) :]
        # Only what /doc/{path} names and a file can be called: no fragment or query, no suffix read as a format,
        # no empty, `.` or `..` segment (a trailing slash would name `{path}.ttl`, another document's file).
        segments = path.split("/")
        servable = is_valid_path(path) and not set("#?") & set(path) and all(s not in ("", ".", "..") for s in segments)
        if iri.startswith(prefix) and servable and split_extension(path)[1] is None:
            yield path


def term_names(app: Flask) -> list[str]:
    from service.web.views.resource import vocabulary

    with app.test_request_context():
        terms = vocabulary().terms
    return sorted(iri[len(VOCABULARY_NAMESPACE) :] for iri in terms if iri.startswith(VOCABULARY_NAMESPACE))


def error(app: Flask, status: int, title: str, message: str, fmt: Format | None, language: str) -> tuple[bytes, str]:
    """An error as http_errors.render_error writes it: in an RDF format, as an HTML page, or as plain text (None)."""
    from flask import render_template

    in_rdf = error_body(fmt.media_type, status, title, message) if fmt else None
    if in_rdf is not None:
        return in_rdf
    if fmt is None:
        return f"{status} {title}: {message}\n".encode(), "text/plain; charset=utf-8"
    with app.test_request_context():
        page = render_template("error.html", status=status, title=title, message=message, lang=language)
    return page.encode(), HTML.content_type


def check_target(directory: Path, upstream: str) -> Path:
    """The export's absolute path, once it is clear that it can be written (ValueError says why not)."""
    directory = directory.absolute()
    if directory.exists() and not directory.is_symlink():
        raise ValueError(f"{directory} exists and is not a symlink made by kzs export; move it away first")
    check_upstream(upstream)
    return directory
