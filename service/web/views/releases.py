"""/data/releases/: the frozen releases (`kzs release`), their files, and the changes between neighbours.

A release's files are read from its folder and sent as immutable, with the SHA-256 of the manifest as the ETag;
a file that no longer matches its checksum is not sent. The pages and their RDF (the series and the releases,
as the catalogue describes them) follow the releases on disk at once; the catalogue lists a new release from
the next start or reload.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request
from rdflib import Graph

from service.content.changes import report
from service.errors import NotFound, ServiceError
from service.publish.catalogue import CATALOG_PREFIXES
from service.publish.dumps import CSV, CSVW, DUMP_FORMATS
from service.publish.feed import changes_between
from service.publish.releases import Release, ReleaseError, body, releases
from service.publish.series import citation, release_dataset
from service.rdf.canonical import canonical_triples
from service.rdf.formats import GRAPH_FORMATS, HTML, serialize_graph
from service.web.conneg import choose
from service.web.state import get_config, state

bp = Blueprint("releases", __name__)

PAGE_FORMATS = (HTML, *GRAPH_FORMATS)
IMMUTABLE = "public, max-age=31536000, immutable"


class ReleaseUnreadable(ServiceError):
    status, title = 500, "Release unreadable"


@dataclass(frozen=True)
class Shown:
    """One release as its page shows it: the release, its citations, and what it changed since the one before."""

    release: Release
    citations: dict[str, dict[str, str]]  # programme (or "" for everything) → language → text
    changes: list[str]  # `kzs diff`'s report, one per programme that changed
    previous: str


def all_releases() -> list[Release]:
    try:
        return releases(get_config().history("releases"))
    except ReleaseError as error:
        raise ReleaseUnreadable(str(error)) from error


def shown(found: list[Release]) -> list[Shown]:
    config = get_config()
    base, publisher = config.base_uri, config.publisher_name
    result = []
    for number, release in enumerate(found):
        before = found[number - 1] if number else None
        changes = [report(c) for _, _, c in changes_between(before.state, release.state)] if before else []
        titles = {"": {"de": "Kommunale Zielsysteme", "en": "Municipal goal systems"}, **release.titles}
        citations = {
            key: citation(publisher, names, release.version, release.date, release.url(base))
            for key, names in titles.items()
        }
        result.append(Shown(release, citations, changes, before.version if before else ""))
    return list(reversed(result))


@bp.get("/data/releases/")
@bp.get("/data/releases/<version>/")
def release_pages(version: str | None = None) -> Response:
    """Every release, newest first (or one), with its files, citations and changes; RDF: their DCAT description."""
    found = all_releases()
    chosen = [r for r in found if version is None or r.version == version]
    if version is not None and not chosen:
        raise NotFound(f"no release {version!r}")
    fmt = choose(request.accept_mimetypes, PAGE_FORMATS, request.args.get("_format"))
    if fmt is HTML:
        items = [s for s in shown(found) if version is None or s.release.version == version]
        page = render_template("catalog/releases.html", items=items, single=version is not None)
        response = Response(page, content_type=HTML.content_type)
    else:
        graph = graph_of(chosen, version is None)
        response = Response(
            serialize_graph(canonical_triples(graph), fmt, CATALOG_PREFIXES), content_type=fmt.content_type
        )
    if "_format" not in request.args:
        response.vary.add("Accept")
    response.headers["Cache-Control"] = f"public, max-age={get_config().cache_max_age}"
    response.add_etag()
    response.make_conditional(request)
    return response


def graph_of(chosen: list[Release], with_series: bool) -> Graph:
    """What the catalogue says about these releases (and their series)."""
    catalogue, base = state().current_publication().catalogue, get_config().base_uri
    wanted = {release_dataset(base, r.version, key) for r in chosen for key in (None, *r.programmes())}
    graph = Graph()
    for dataset, part in zip(catalogue.datasets, catalogue.parts, strict=True):
        if dataset in wanted or (with_series and dataset in catalogue.frozen and "#reihe" in str(dataset)):
            graph += part
    return graph


@bp.get("/data/releases/<version>/<name>")
@bp.get("/data/releases/<version>/<programme>/<name>")
def release_file(version: str, name: str, programme: str | None = None) -> Response:
    """A frozen file, byte for byte as it was released."""
    release = next((r for r in all_releases() if r.version == version), None)
    path = f"{programme}/{name}" if programme else name
    file = release.file(path) if release else None
    if release is None or file is None:
        raise NotFound(f"no file {path!r} in a release {version!r}")
    try:
        data = body(release, file)
    except (OSError, ReleaseError) as error:
        raise ReleaseUnreadable(str(error)) from error
    fmt = next(f for f in (*DUMP_FORMATS, CSVW) if f.extension == file.extension)
    content_type = f"{CSV.content_type}; header=present" if fmt is CSV else fmt.content_type
    response = Response(data, content_type=content_type)
    response.set_etag(file.sha256)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = f'<{release.url(get_config().base_uri)}>; rel="describedby"; type="text/html"'
    response.make_conditional(request, accept_ranges=True, complete_length=len(data))
    return response
