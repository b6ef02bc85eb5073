"""/search?q=…: the resources whose labels or descriptions match, ranked, as a page or as JSON.

`kind` (goals, concepts, sdg, vocabulary, other) and `programme` (a programme's IRI) narrow the hits; a search
that finds nothing offers its closest spelling („Meinten Sie …?“) with that spelling's hits.
"""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from service.content.search import KINDS, MAX_QUERY, Filters, Found, Index, SearchTooBroad, build, label_of, search
from service.content.suggest import suggestion
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


def filters_of(found_index: Index) -> Filters:
    kind, programme = request.args.get("kind", ""), request.args.get("programme", "")
    if kind and kind not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}, not {kind[:40]!r}")
    if programme and programme not in found_index.programmes:
        raise BadRequest("programme must be the IRI of a programme of this service")
    return Filters(kind, programme)


@bp.get("/search")
def results() -> Response:
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise BadRequest(f"the search is longer than {MAX_QUERY} characters")
    fmt = choose(request.accept_mimetypes, (HTML, JSON), request.args.get("format") or request.args.get("_format"))
    lang = choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)
    base = get_config().base_uri
    searched = index()
    filters = filters_of(searched)
    hint, hinted = None, Found([], 0)
    try:
        with metered(state().queries):  # a search takes CPU as a query does: it counts towards the client's share
            found = search(searched, query, base, lang, filters) if query else Found([], 0)
            if query and not found.total:
                hint = suggestion(searched, query)
                hinted = search(searched, hint, base, lang, filters) if hint else hinted
    except SearchTooBroad as error:
        raise BadRequest(str(error)) from error
    if fmt is JSON:
        response = jsonify(
            {
                "query": query,
                "total": found.total,
                "results": [asdict(hit) for hit in found.hits],
                "kinds": dict(found.kinds),
                "programmes": dict(found.programmes),
                "suggestion": hint if hinted.total else None,
            }
        )
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        other = "en" if lang == "de" else "de"
        body = render_template(
            "search/results.html",
            lang=lang,
            text=lambda key, **values: text(key, lang, **values),
            query=query,
            found=found,
            filters=filters,
            facets=facets(searched, found, query, filters, lang),
            hint=hint if hinted.total else None,
            hint_href=address(base, hint or "", filters, lang),
            hinted=hinted,
            unfiltered_href=address(base, query, Filters(), lang),
            sparql_href=f"{base}queries/volltextsuche?"
            + urlencode({"word": query, **({"lang": lang} if lang != "de" else {})}),
            switch=address(base, query, filters, other),
            other=other,
        )
        response = Response(body, content_type=HTML.content_type)
        response.headers["Content-Security-Policy"] = PAGE_SECURITY
    response.vary.update(["Accept", "Accept-Language"])
    return response


def address(base: str, query: str, filters: Filters, lang: str) -> str:
    args = {"q": query, "kind": filters.kind, "programme": filters.programme, "lang": lang if lang != "de" else ""}
    return f"{base}search?" + urlencode({name: value for name, value in args.items() if value})


def facets(searched: Index, found: Found, query: str, filters: Filters, lang: str) -> list[dict[str, object]]:
    """The filters a reader can pick: each kind and programme with its count of hits, and "all"."""
    base = get_config().base_uri
    groups: list[dict[str, object]] = []
    kinds = [("", text("search_all", lang), sum(found.kinds.values()))]
    kinds += [(key, text(f"search_kind_{key}", lang), found.kinds[key]) for key in KINDS if found.kinds[key]]
    programmes = [("", text("search_all", lang), sum(found.kinds.values()))]
    programmes += [
        (iri, label_of(searched, searched.by_iri[iri], lang)[0], count)
        for iri, count in sorted(found.programmes.items())
    ]
    for name, options, current in (("kind", kinds, filters.kind), ("programme", programmes, filters.programme)):
        links = []
        for value, label, count in options:
            chosen = Filters(**{**asdict(filters), name: value})
            links.append(
                {
                    "label": label,
                    "count": count,
                    "href": address(base, query, chosen, lang),
                    "current": value == current,
                }
            )
        groups.append({"name": text(f"search_by_{name}", lang), "options": links})
    return groups
