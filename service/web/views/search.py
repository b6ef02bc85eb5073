"""/search?q=…: the resources whose labels or descriptions match, ranked, as a page or as JSON."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from service.content.search import MAX_QUERY, Index, SearchTooBroad, build, search
from service.errors import BadRequest
from service.query.fairness import metered
from service.rdf.formats import HTML, Format
from service.texts import LANGUAGES, text
from service.web.conneg import choose, choose_language
from service.web.responses import PAGE_SECURITY
from service.web.state import get_config, get_store, state

bp = Blueprint("search", __name__)
JSON = Format("application/json", "json", "JSON")


def index() -> Index:
    """The search index of the data served now, built on first use after each data change."""
    store = get_store()
    return state().search.get(store.version, lambda: build(store))


@bp.get("/search")
def results() -> Response:
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise BadRequest(f"the search is longer than {MAX_QUERY} characters")
    fmt = choose(request.accept_mimetypes, (HTML, JSON), request.args.get("format") or request.args.get("_format"))
    lang = choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)
    base = get_config().base_uri
    try:
        with metered(state().queries):  # a search takes CPU as a query does: it counts towards the client's share
            hits, total = search(index(), query, base, lang) if query else ([], 0)
    except SearchTooBroad as error:
        raise BadRequest(str(error)) from error
    if fmt is JSON:
        response = jsonify({"query": query, "total": total, "results": [asdict(hit) for hit in hits]})
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        other = "en" if lang == "de" else "de"
        body = render_template(
            "search/results.html",
            lang=lang,
            text=lambda key, **values: text(key, lang, **values),
            query=query,
            hits=hits,
            total=total,
            switch=f"{base}search?" + urlencode({"q": query, "lang": other}),
            other=other,
        )
        response = Response(body, content_type=HTML.content_type)
        response.headers["Content-Security-Policy"] = PAGE_SECURITY
    response.vary.update(["Accept", "Accept-Language"])
    return response
