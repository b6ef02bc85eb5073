"""/sparql: the SPARQL 1.1 Protocol (GET, form POST, direct POST), read-only; a query page for browsers.

The protocol decides where a query and its dataset come from (`extract`); the query runs in a worker
(service/query/public.py); the answer goes out in the negotiated format, or, for a browser, as the query page
with the results as a table. Without a query, browsers get the page and other clients the Service
Description.
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.exceptions import RequestURITooLarge

from service.content.completion import completions
from service.content.spreadsheets import SPREADSHEET_FORMATS, file_name, spreadsheet
from service.errors import BadRequest, Forbidden, NotAcceptable, ServiceError
from service.query.canned import column_titles
from service.query.description import RDFLIB_FORMATS, service_description_graph
from service.query.public import Answer, Offer, Queries, limits_of, run
from service.query.syntax import WORDS as SPARQL_WORDS
from service.query.syntax import said
from service.rdf.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, Format
from service.rdf.namespaces import PREFIXES
from service.store.embedded import Store
from service.texts import LANGUAGES, text
from service.web.conneg import choose, choose_language
from service.web.http_errors import wants_html
from service.web.responses import PAGE_SECURITY
from service.web.result_chart import bar_chart
from service.web.results import seconds, shown_table, sort_links
from service.web.state import get_config, get_store, state
from service.web.views.resource import vocabulary

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
MAX_URL_BYTES = 8190  # as gunicorn's longest request line (`kzs serve` raises its limit to this)
JSON_RESULTS = next(f for f in RESULT_FORMATS if f.extension == "json")
NTRIPLES = next(f for f in GRAPH_FORMATS if f.extension == "nt")
EDITOR_BUNDLE = "build/sparql-editor.js"  # written by `make editor`, not kept in git
TSV_RESULTS = next(f for f in RESULT_FORMATS if f.extension == "tsv")
EXPOSED = "Result-Rows, Result-Row-Limit, Result-Truncated, Retry-After, Query-Error-Line, Query-Error-Column"

EXAMPLE = """\
# Die Handlungsziele jedes strategischen Ziels (Präfixe wie kzs: und skos: sind vordefiniert)
SELECT ?ziel ?handlungsziel ?nummer ?wortlaut WHERE {
  ?ziel a kzs:StrategicGoal ;
    kzs:hasActionGoal ?handlungsziel .
  ?handlungsziel skos:notation ?nummer ;
    skos:prefLabel ?wortlaut .
  FILTER(LANG(?wortlaut) = "de")
}
ORDER BY ?nummer
"""


class UnsupportedMediaType(ServiceError):
    status, title = 415, "Unsupported media type"


def query_service() -> Queries:
    return state().queries


@dataclass(frozen=True)
class ProtocolRequest:
    """A query operation as the SPARQL 1.1 Protocol (§2.1) places it in a request."""

    query: str | None
    default_graph: list[str] | None  # None: the request names no dataset (not: an empty one)
    named_graphs: list[str] | None


def extract() -> ProtocolRequest:
    """The query and its dataset from a GET, a form POST or a direct POST; updates are refused (403)."""
    urlargs: MultiDict[str, str] = request.args
    if request.method in ("GET", "HEAD"):
        params = urlargs
        query = single(params, "query")
    elif request.mimetype == FORM:
        params = MultiDict([*urlargs.items(multi=True), *request.form.items(multi=True)])
        if "update" in params:
            raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
        if "query" in urlargs:
            raise BadRequest("a form POST carries its query in the body, not in the URL")
        query = single(request.form, "query")
    elif request.mimetype == QUERY:
        params = urlargs
        if "query" in urlargs:
            raise BadRequest("a direct POST carries its query as the body, not in the URL")
        query = body_text()
    elif request.mimetype == UPDATE:
        raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
    else:
        raise UnsupportedMediaType(
            f"POST a form ({FORM}) or a query ({QUERY}), not {request.mimetype or 'a body without a type'}"
        )
    if "update" in params:
        raise Forbidden("this endpoint is read-only; SPARQL Update is not accepted")
    default, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    dataset = bool(default or named)
    return ProtocolRequest(query, default if dataset else None, named if dataset else None)


def single(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"give exactly one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


def body_text() -> str:
    """A direct POST's body, which the protocol requires to be UTF-8."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"a query must be sent in UTF-8, not {charset}")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the query is not valid UTF-8 (byte {error.start})") from error


def offer(formats: tuple[Format, ...], requested: str | None) -> Offer:
    try:
        return Offer(choose(request.accept_mimetypes, formats, requested))
    except NotAcceptable as refusal:
        return Offer(None, refusal)


def client_socket() -> socket.socket | None:
    """The connection to the client (gunicorn's threads; waitress, service/server_workers.py), to notice when
    it hangs up."""
    for key in ("gunicorn.socket", "kzs.client_socket"):
        sock = request.environ.get(key)
        if isinstance(sock, socket.socket):
            return sock
    return None


@bp.before_request
def limit_url() -> None:
    if len(request.path.encode()) + 1 + len(request.query_string) > MAX_URL_BYTES:
        raise RequestURITooLarge(f"URLs are limited to {MAX_URL_BYTES:,} bytes; POST long queries instead")


@bp.after_request
def cors(response: Response) -> Response:
    """Anonymous cross-origin GET and POST, without credentials, for every answer, errors included."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response | str:
    if request.method == "OPTIONS":  # CORS preflight (a direct POST is not a "simple" request)
        response = Response(status=204)
        response.headers.update(
            {
                "Allow": "GET, POST, OPTIONS",
                "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "86400",
            }
        )
        return response
    config = get_config()
    protocol = extract()
    requested = request.values.get("format") or request.values.get("_format")
    if requested in (None, "html") and (requested == "html" or wants_html()):
        return page(protocol)
    if protocol.query is None:
        return service_description(config.base_uri, get_store(), request.accept_mimetypes, requested)
    results, graphs = offers(requested)
    answer = run(
        query_service(),
        protocol.query,
        results,
        graphs,
        base_iri=config.base_uri + "sparql",
        default_graph=protocol.default_graph,
        named_graphs=protocol.named_graphs,
        client=client_socket(),
    )
    return answer_response(answer, requested)


def offers(requested: str | None) -> tuple[Offer, Offer]:
    """What the client accepts for SELECT/ASK and for CONSTRUCT/DESCRIBE; a spreadsheet is made from the TSV
    results (service/content/spreadsheets.py), under the same row and size limits as every other format."""
    if requested in SPREADSHEET_FORMATS:
        refusal = NotAcceptable(f"{requested} holds the rows of a SELECT; a graph comes as ttl, jsonld, rdf or nt")
        return Offer(TSV_RESULTS), Offer(None, refusal)
    return offer(RESULT_FORMATS, requested), offer(GRAPH_FORMATS, requested)


def answer_response(answer: Answer, requested: str | None = None, name: str = "abfrage") -> Response:
    """The answer as it came from the worker, or (`requested` a spreadsheet format) as a spreadsheet file."""
    fmt = SPREADSHEET_FORMATS.get(requested or "")
    if fmt is None:
        response = Response(answer.body, content_type=answer.format.content_type)
    elif answer.kind != "solutions":
        raise NotAcceptable(f"{requested} holds the rows of a SELECT, not the yes or no of an ASK; ask for json or xml")
    else:
        body = spreadsheet(fmt, answer.body, get_config().query_time_limit, sheet=name)
        response = Response(body, content_type=fmt.content_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name(name, fmt)}"'
    response.headers.update(answer.headers)
    response.vary.add("Accept")
    return response


def page(protocol: ProtocolRequest) -> Response:
    """The query page: the editor, and the results (or what went wrong) when there is a query."""
    config = get_config()
    lang = choose_language(request.accept_languages, request.args.get("lang"), LANGUAGES)
    query = protocol.query
    answer, error, status, headers = None, None, 200, {}
    started = time.perf_counter()
    if query is not None:
        try:
            answer = run(
                query_service(),
                query,
                Offer(JSON_RESULTS),
                Offer(NTRIPLES),
                base_iri=config.base_uri + "sparql",
                default_graph=protocol.default_graph,
                named_graphs=protocol.named_graphs,
                labels=lang,
                client=client_socket(),
            )
        except ServiceError as failure:
            error, status, headers = failure, failure.status, failure.headers
    elapsed = time.perf_counter() - started
    dataset = [("default-graph-uri", g) for g in protocol.default_graph or []]
    dataset += [("named-graph-uri", g) for g in protocol.named_graphs or []]
    sort = request.values.get("sort")
    shown = shown_table(answer, config.base_uri, column_titles(query or ""), lang, sort) if answer else None
    here = f"{config.base_uri}sparql?" + urlencode([*query_args(query, dataset), *language_arg(lang)]) + "&"
    sortable = shown is not None and len(here) + 200 < MAX_URL_BYTES  # a long query is POSTed: no GET links
    body = render_template(
        "sparql/page.html",
        lang=lang,
        text=lambda key, **values: text(key, lang, **values),
        query=EXAMPLE if query is None else query,
        dataset=dataset,
        has_query=query is not None,
        answer=answer,
        table=shown,
        elapsed=seconds(elapsed, lang) if answer else None,
        sort_links=sort_links(shown, here) if shown and sortable else [],
        chart=bar_chart(shown, lang) if shown else "",
        error=error,
        links=links(query, dataset, answer, sort) if query is not None else {},
        prefixes=sorted(PREFIXES.items()),
        editor_script=editor_script(),
        editor_data=json.dumps({**completions(vocabulary(), lang), **editor_checks(lang)}, ensure_ascii=False),
        limits=limits_of(config),
        switch=f"{config.base_uri}sparql?" + urlencode([*query_args(query, dataset), ("lang", other(lang))]),
        other=other(lang),
    )
    response = Response(body, status, content_type=HTML.content_type)
    response.headers.update(headers)
    response.headers["Content-Security-Policy"] = PAGE_SECURITY
    response.vary.update(["Accept", "Accept-Language"])
    return response


def editor_checks(lang: str) -> dict[str, object]:
    """What the editor checks as one types, with the server's words for it (service/query/syntax.py)."""
    messages = {"prefix": said("editor_prefix", lang)}
    messages.update(
        {kind: said(f"syntax_{kind}", lang, word="{word}", suggestion="{suggestion}") for kind in ("keyword", "word")}
    )
    return {"keywords": sorted(SPARQL_WORDS), "messages": messages}


def editor_script() -> str:
    """The CodeMirror editor where `make editor` has bundled it, else the plain one (service/static/)."""
    bundled = Path(current_app.static_folder or "", EDITOR_BUNDLE)
    return EDITOR_BUNDLE if bundled.is_file() else "sparql-editor.js"


def other(lang: str) -> str:
    return "en" if lang == "de" else "de"


def language_arg(lang: str) -> list[tuple[str, str]]:
    return [("lang", lang)] if lang != "de" else []


def query_args(query: str | None, dataset: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return ([("query", query)] if query is not None else []) + dataset


def links(query: str, dataset: list[tuple[str, str]], answer: Answer | None, sort: str | None = None) -> dict[str, str]:
    """The permalink of a query (with the table's sort) and its downloads, each a GET URL."""
    endpoint = get_config().base_uri + "sparql?"
    args = query_args(query, dataset)
    found = {"permalink": endpoint + urlencode([*args, *([("sort", sort)] if sort else [])])}
    kinds = {"graph": ("ttl", "jsonld", "nt"), "boolean": ("json", "xml")}
    for extension in kinds.get(answer.kind if answer else "", ("csv", "spreadsheet-csv", "xlsx", "json", "tsv")):
        found[extension] = endpoint + urlencode([*args, ("format", extension)])
    return found


def service_description(base: str, store: Store, accept: MIMEAccept, requested: str | None) -> Response:
    """The description in the negotiated RDF format; 304 when the client has this data version's."""
    fmt = choose(accept, GRAPH_FORMATS, requested)
    etag = hashlib.sha256(f"{base}\0{store.version}\0{fmt.media_type}".encode()).hexdigest()[:20]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        graph = service_description_graph(base, store.graph_sizes())
        body = graph.serialize(format=RDFLIB_FORMATS[fmt.extension], encoding="utf-8")
        response = Response(body, content_type=fmt.content_type)
    response.set_etag(etag)
    response.vary.add("Accept")
    return response
