"""/queries/…: canned questions with their own URLs, forms and downloads.

`/queries/` lists them; `/queries/{name}` runs one with the parameters of its form (a browser gets the page
with the table, any other client the results in the negotiated format: `?format=csv|json|tsv|xml`);
`/queries/{name}.rq` is the query file itself.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request

from service.content.spreadsheets import SPREADSHEET_FORMATS, neutralised_csv
from service.errors import ServiceError
from service.query.canned import CannedQuery, bindings, catalogue, choices, editor_text, find, permalink_args
from service.query.public import Answer, Offer, run
from service.rdf.formats import HTML, RESULT_FORMATS, Format
from service.texts import LANGUAGES, text
from service.web.conneg import choose, choose_language
from service.web.http_errors import wants_html
from service.web.responses import PAGE_SECURITY
from service.web.result_chart import bar_chart
from service.web.results import seconds, shown_table, sort_links
from service.web.state import get_config, get_store
from service.web.views.sparql import JSON_RESULTS, NTRIPLES, answer_response, client_socket, offers, query_service

bp = Blueprint("queries", __name__)
LIST_JSON = Format("application/json", "json", "JSON")
CSV_RESULTS = next(f for f in RESULT_FORMATS if f.extension == "csv")
DOWNLOADS = ("csv", "spreadsheet-csv", "xlsx", "json", "tsv")  # the results page's links, in this order


@bp.after_request
def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def language() -> str:
    return choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)


def html_response(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status, content_type=HTML.content_type)
    response.headers.update(headers or {})
    response.headers["Content-Security-Policy"] = PAGE_SECURITY
    response.vary.update(["Accept", "Accept-Language"])
    return response


@bp.get("/queries/")
def index() -> Response:
    """The list: a page, or (`?format=json`, or a JSON Accept) every query with its parameters, for tools."""
    lang = language()
    base = get_config().base_uri
    if choose(request.accept_mimetypes, (HTML, LIST_JSON), request.args.get("format")) is LIST_JSON:
        listing = [
            {
                "name": q.name,
                "url": f"{base}queries/{q.name}",
                "query": f"{base}queries/{q.name}.rq",
                "title": q.title,
                "description": q.description,
                "parameters": [asdict(p) for p in q.parameters],
                "columns": q.columns,
            }
            for q in catalogue().values()
        ]
        response = jsonify(listing)
        response.vary.add("Accept")
        return response
    return html_response(
        render_template(
            "queries/index.html",
            lang=lang,
            text=lambda key, **values: text(key, lang, **values),
            queries=list(catalogue().values()),
            switch=f"{base}queries/?lang={other(lang)}",
            other=other(lang),
        )
    )


@bp.get("/queries/<name>.rq")
def source(name: str) -> Response:
    query = find(name)
    return Response(query.text, content_type="application/sparql-query; charset=utf-8")


@bp.get("/queries/<name>")
def canned(name: str) -> Response:
    query = find(name)
    base = get_config().base_uri
    arguments = {p.name: request.args[p.name] for p in query.parameters if p.name in request.args}
    shown, bound = bindings(query, arguments, base)
    requested = request.args.get("format") or request.args.get("_format")
    if requested not in (None, "html") or not (requested == "html" or wants_html()):
        results, graphs = offers(requested)
        answer = run(
            query_service(),
            query.text,
            results,
            graphs,
            base_iri=f"{base}sparql",
            substitutions=bound,
            client=client_socket(),
        )
        if answer.format is CSV_RESULTS:  # a canned query's CSV is meant for spreadsheets: no cell runs as a formula
            answer = replace(answer, body=neutralised_csv(answer.body))
        response = answer_response(answer, requested, name)
        extension = next((f.extension for f in RESULT_FORMATS if f is answer.format), "")
        if requested and extension and requested not in SPREADSHEET_FORMATS:
            response.headers["Content-Disposition"] = f'inline; filename="{name}.{extension}"'
        return response
    return page(query, shown, bound)


def page(query: CannedQuery, shown: dict[str, str], bound: dict[str, ox.NamedNode | ox.Literal]) -> Response:
    lang = language()
    base = get_config().base_uri
    answer: Answer | None = None
    error: ServiceError | None = None
    started = time.perf_counter()
    try:
        answer = run(
            query_service(),
            query.text,
            Offer(JSON_RESULTS),
            Offer(NTRIPLES),
            base_iri=f"{base}sparql",
            substitutions=bound,
            labels=lang,
            client=client_socket(),
        )
    except ServiceError as failure:
        error = failure
    elapsed = time.perf_counter() - started
    url = f"{base}queries/{query.name}"
    args = permalink_args(query, shown, base)
    language_arg = [("lang", lang)] if lang != "de" else []
    sort = request.args.get("sort")
    sort_arg = [("sort", sort)] if sort else []
    links = {"permalink": url + query_string([*args, *language_arg, *sort_arg])}
    for extension in DOWNLOADS:
        links[extension] = f"{url}?" + urlencode([*args, ("format", extension)])
    editor = f"{base}sparql?" + urlencode([("query", editor_text(query, bound)), *language_arg])
    store = get_store()
    form = [(p, shown.get(p.name, ""), choices(store, p, base, lang)) for p in query.parameters]
    shown_rows = shown_table(answer, base, query.columns, lang, sort) if answer else None
    body = render_template(
        "queries/query.html",
        lang=lang,
        text=lambda key, **values: text(key, lang, **values),
        query=query,
        form=form,
        answer=answer,
        table=shown_rows,
        elapsed=seconds(elapsed, lang) if answer else None,
        sort_links=sort_links(shown_rows, url + query_string([*args, *language_arg], "&")) if shown_rows else [],
        chart=bar_chart(shown_rows, lang, query.chart) if shown_rows else "",
        error=error,
        links=links,
        editor=editor,
        download_name=query.name,
        switch=f"{url}?" + urlencode([*args, *sort_arg, ("lang", other(lang))]),
        other=other(lang),
    )
    return html_response(body, error.status if error else 200, error.headers if error else None)


def query_string(args: list[tuple[str, str]], more: str = "") -> str:
    """`?a=1&b=2` (and `more` after it, e.g. `&` for one more argument), or `more` alone after `?`."""
    return "?" + urlencode(args) + more if args else "?" if more else ""


def other(lang: str) -> str:
    return "en" if lang == "de" else "de"
