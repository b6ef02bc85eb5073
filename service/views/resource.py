"""/id/… (things) answer 303 to /doc/… (documents), which are negotiated."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from service import get_config, get_store
from service.conneg import choose
from service.describe import describe, page_model
from service.errors import NotFound
from service.formats import GRAPH_FORMATS, HTML, serialize_graph
from service.uris import DOCUMENT, split_extension, thing_iri
from service.vocab import PREFIXES

bp = Blueprint("resource", __name__)
DOCUMENT_FORMATS = (HTML, *GRAPH_FORMATS)


@bp.get("/id/<path:path>")
def thing(path: str) -> Response:
    base = get_config().base_uri
    if not describe(get_store(), thing_iri(base, path)):
        raise NotFound(f"no resource {thing_iri(base, path)}")
    query = request.query_string.decode()
    response = Response(status=303)
    response.headers["Location"] = f"{base}{DOCUMENT}{path}" + (f"?{query}" if query else "")
    response.vary.add("Accept")
    return response


@bp.get("/doc/<path:path>")
def document(path: str) -> Response | str:
    base = get_config().base_uri
    path, by_extension = split_extension(path)
    requested = by_extension.extension if by_extension else request.args.get("_format")
    fmt = choose(request.accept_mimetypes, DOCUMENT_FORMATS, requested)
    description = describe(get_store(), thing_iri(base, path))
    if not description:
        raise NotFound(f"no resource {thing_iri(base, path)}")
    if fmt is HTML:
        body: str | bytes = render_template("resource/page.html", page=page_model(description, base))
    else:
        body = serialize_graph(description.triples, fmt, PREFIXES)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
