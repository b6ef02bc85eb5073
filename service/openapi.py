"""The OpenAPI 3.1 description of the HTTP surface, served at /openapi.json.

The paths, their parameters and the statuses they answer with are data, written once here in words a
journalist can follow; the media types come from the format tables (service/formats.py, service/dumps.py),
so a new format shows up here without an edit. tests/test_openapi.py checks that every route of the app
is described and nothing else, and fuzzes the app against this description with schemathesis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from service.dumps import CSV, CSVW, DUMP_FORMATS
from service.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, Format

JSON = Format("application/json", "json", "JSON")
PLAIN = Format("text/plain", "txt", "plain text")
XML = Format("application/xml", "xml", "XML")
QUERY_TEXT = Format("application/sparql-query", "rq", "SPARQL query")
FORM = Format("application/x-www-form-urlencoded", "", "HTML form")
UPDATE_TEXT = Format("application/sparql-update", "ru", "SPARQL Update")

# The description itself: the media type of the IETF HTTPAPI draft (draft-ietf-httpapi-rest-api-mediatypes),
# the one the OpenAPI Initiative registered with IANA, and plain JSON for clients that know neither.
DESCRIPTION_FORMATS = (
    Format("application/openapi+json", "json", "OpenAPI"),
    Format("application/vnd.oai.openapi+json", "json", "OpenAPI"),
    JSON,
)

STATIC_FORMATS = (Format("text/css", "css", "CSS"), Format("text/javascript", "js", "JavaScript"))

STRING: dict[str, Any] = {"type": "string"}

# What each status means, in one sentence a reader without HTTP knowledge can follow.
STATUSES = {
    200: "The answer.",
    204: "Nothing to send: the answer to a browser asking whether it may send a query from another site.",
    206: "Part of the file, as the Range header asked.",
    301: "Moved for good: the Location header says where.",
    303: "A thing, not a document: the Location header names the document that describes it.",
    304: "Unchanged since the copy the client already has (If-None-Match or If-Modified-Since).",
    400: "The request is malformed; the message says what to change.",
    403: "Not allowed here: this endpoint only reads, it never changes data.",
    404: "Nothing is described at this address.",
    406: "None of the formats the client accepts is available; the message lists those that are.",
    413: "The request body is larger than one megabyte.",
    414: "The address is too long; send a long query with POST.",
    415: "The body is of a type this endpoint does not read.",
    416: "The Range header asks for bytes the file does not have.",
    429: "This client has sent too many queries at once or in the last minute; Retry-After says how many seconds"
    " to wait. Other clients are not affected.",
    503: "The query hit a limit (time, memory, result size) or every query worker is busy; the message names"
    " which. When busy, Retry-After says how many seconds to wait.",
}

RESPONSE_HEADERS: dict[int, dict[str, Any]] = {
    301: {"Location": {"description": "Where the resource is now.", "required": True, "schema": STRING}},
    303: {"Location": {"description": "The document about the thing.", "required": True, "schema": STRING}},
    429: {"Retry-After": {"description": "Seconds to wait.", "required": True, "schema": {"type": "integer"}}},
    503: {"Retry-After": {"description": "Seconds to wait before asking again.", "schema": {"type": "integer"}}},
}
OK_HEADERS = {
    "ETag": {"description": "A fingerprint of this representation, for If-None-Match.", "schema": STRING},
    "Vary": {"description": "The request headers that chose this representation.", "schema": STRING},
    "Link": {"description": "The other formats of the same document, and related pages.", "schema": STRING},
}
QUERY_HEADERS = {
    "Result-Rows": {"description": "How many rows (or triples) the answer holds.", "schema": {"type": "integer"}},
    "Result-Row-Limit": {"description": "The most rows a query may return.", "schema": {"type": "integer"}},
    "Result-Truncated": {"description": "`true` when the row limit cut the answer short.", "schema": STRING},
}


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # query, path or header
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: STRING)
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": self.name,
            "in": self.where,
            "description": self.description,
            "schema": self.schema,
        }
        if self.required or self.where == "path":
            found["required"] = True
        return found


def path(name: str, description: str, schema: dict[str, Any] | None = None) -> Param:
    return Param(name, "path", description, schema or STRING)


ACCEPT = Param("Accept", "header", "The formats the client reads, with preferences (`text/turtle, text/html;q=0.5`).")
ACCEPT_LANGUAGE = Param("Accept-Language", "header", "The languages the reader prefers: German (de) or English (en).")
ACCEPT_PROFILE = Param(
    "Accept-Profile", "header", "A data profile by IRI in angle brackets, e.g. `<https://schema.org/>`."
)
IF_NONE_MATCH = Param("If-None-Match", "header", "The ETag of a copy the client has; unchanged, the answer is 304.")
RANGE = Param("Range", "header", "Part of the file only, e.g. `bytes=0-999`.")
FORMAT = Param(
    "_format",
    "query",
    "A format by name, beating the Accept header: a file extension (`ttl`, `jsonld`, `rdf`, `nt`, `html`) or a"
    " media type.",
)
MEDIATYPE = Param("_mediatype", "query", "The same as `_format` (the name the W3C profile negotiation draft uses).")
PROFILE = Param(
    "_profile", "query", "A data profile: `kzs` (the default), `schema` (schema.org) or `all` (every format listed)."
)
LANG = Param("lang", "query", "The page's language: `de` or `en`; anything else is refused with 400.")
RESULT_FORMAT = Param(
    "format", "query", "A result format by name (`json`, `xml`, `csv`, `tsv`, `ttl`, `jsonld`, `rdf`, `nt`, `html`)."
)
NEGOTIATED = (ACCEPT, ACCEPT_LANGUAGE, FORMAT, LANG, IF_NONE_MATCH)
DOCUMENT = (*NEGOTIATED, MEDIATYPE, PROFILE, ACCEPT_PROFILE)
DOWNLOAD = (IF_NONE_MATCH, RANGE)
PAGE = (ACCEPT, ACCEPT_LANGUAGE, IF_NONE_MATCH)

QUERY = Param("query", "query", "The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE).")
DATASET = (
    Param(
        "default-graph-uri",
        "query",
        "A named graph to query as the default graph; may repeat.",
        {"type": "array", "items": STRING},
    ),
    Param(
        "named-graph-uri",
        "query",
        "A named graph the query may address with GRAPH; may repeat.",
        {"type": "array", "items": STRING},
    ),
)
FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "query": {**STRING, "description": QUERY.description},
        "default-graph-uri": {"type": "array", "items": STRING},
        "named-graph-uri": {"type": "array", "items": STRING},
    },
    "required": ["query"],
}


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str
    formats: tuple[Format, ...]  # what a 200 can be
    statuses: tuple[int, ...]  # every other status it can answer with
    parameters: tuple[Param, ...] = ()
    errors_as: tuple[Format, ...] = (PLAIN, HTML)  # the formats of its error messages
    body: tuple[tuple[Format, dict[str, Any]], ...] = ()  # request bodies, for POST
    headers: tuple[dict[str, Any], ...] = (OK_HEADERS,)  # of a 200

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"summary": self.summary, "description": self.description}
        if self.parameters:
            found["parameters"] = [p.as_dict() for p in self.parameters]
        if self.body:
            found["requestBody"] = {"required": True, "content": {f.media_type: {"schema": s} for f, s in self.body}}
        found["responses"] = {str(status): self.response(status) for status in (200, *self.statuses)}
        return found

    def response(self, status: int) -> dict[str, Any]:
        found: dict[str, Any] = {"description": STATUSES[status]}
        formats = self.formats if status in (200, 206) else () if status in (204, 304) else self.errors_as
        if status == 303:
            formats = (HTML,)  # a short note with the link, as RFC 9110 §15.4.4 suggests
        if formats:
            found["content"] = content(formats)
        headers = {k: v for h in self.headers for k, v in h.items()} if status == 200 else RESPONSE_HEADERS.get(status)
        if headers:
            found["headers"] = headers
        return found


def content(formats: Iterable[Format]) -> dict[str, Any]:
    """A content map from format-table entries; a format's schema is open (any body of that type)."""
    return {f.media_type: {} for f in formats}


DOCUMENT_FORMATS = (*GRAPH_FORMATS, HTML)
SPARQL_ERRORS = (PLAIN, HTML)
SPARQL_DESCRIPTION = (
    "Ask the data anything in SPARQL 1.1. SELECT and ASK answer in JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in"
    " Turtle, JSON-LD, RDF/XML or N-Triples. Without a query, browsers get the query editor and other clients the"
    " Service Description. Read-only: updates are refused (403), federated queries (SERVICE) too (400)."
)


def operations() -> dict[str, dict[str, Operation]]:
    """Every path of the app (OpenAPI templates) with its operations."""
    return {
        "/": {
            "get": Operation(
                "Home page", "The programmes served, and where to go next.", (HTML,), (304, 400, 406), (*PAGE, LANG)
            )
        },
        "/id/{path}": {
            "get": Operation(
                "A thing",
                "A goal, an organisation, a concept: things, not documents. The answer is 303 See Other to the document"
                " about the thing, with the query string kept.",
                (),
                (303, 404),
                (path("path", "The thing's path after /id/, e.g. `kommune/05974040`."),),
                errors_as=(PLAIN, HTML),
                headers=(),
            )
        },
        "/doc/{path}": {
            "get": Operation(
                "The document about a thing",
                "Everything the data says about one thing: a web page (German or English) or RDF in Turtle, JSON-LD,"
                " RDF/XML or N-Triples. An extension (`.ttl`) names one format. `in` and `page` page through the"
                " things that link here by one property.",
                DOCUMENT_FORMATS,
                (304, 400, 404, 406),
                (
                    path("path", "The thing's path after /doc/, optionally with an extension."),
                    *DOCUMENT,
                    Param(
                        "in",
                        "query",
                        "A property (`dct:audience` or an http(s) IRI): list the things that link here by it.",
                    ),
                    Param("page", "query", "Which page of that list, from 1."),
                ),
                errors_as=(PLAIN, *DOCUMENT_FORMATS),
            )
        },
        "/def": {"get": Operation("The vocabulary", "Moved to /def/.", (), (301,), headers=())},
        "/def/": {
            "get": Operation(
                "The vocabulary",
                "The kzs vocabulary: every class and property, in HTML or RDF.",
                DOCUMENT_FORMATS,
                (304, 400, 406),
                (*NEGOTIATED, MEDIATYPE),
                errors_as=(PLAIN, *DOCUMENT_FORMATS),
            )
        },
        "/def.{extension}": {
            "get": Operation(
                "The vocabulary in one format",
                "The vocabulary as `/def.ttl`, `/def.jsonld`, `/def.rdf`, `/def.nt` or `/def.html`.",
                DOCUMENT_FORMATS,
                (304, 400, 404, 406),
                (path("extension", "`ttl`, `jsonld`, `rdf`, `nt` or `html`."), *PAGE, LANG),
                errors_as=(PLAIN, *DOCUMENT_FORMATS),
            )
        },
        "/def/{name}": {
            "get": Operation(
                "One vocabulary term",
                "A class or property of the vocabulary, with examples from the data.",
                DOCUMENT_FORMATS,
                (304, 400, 404, 406),
                (path("name", "The term, e.g. `ActionGoal`, optionally with an extension."), *NEGOTIATED, MEDIATYPE),
                errors_as=(PLAIN, *DOCUMENT_FORMATS),
            )
        },
        "/sparql": {
            "get": Operation(
                "Query the data (SPARQL 1.1 Protocol)",
                SPARQL_DESCRIPTION,
                (*RESULT_FORMATS, *GRAPH_FORMATS, HTML),
                (400, 403, 406, 414, 429, 503),
                (QUERY, *DATASET, RESULT_FORMAT, ACCEPT, ACCEPT_LANGUAGE),
                SPARQL_ERRORS,
                headers=(QUERY_HEADERS,),
            ),
            "post": Operation(
                "Query the data by POST",
                SPARQL_DESCRIPTION + " A form carries the query as `query=`; a direct POST"
                " is the query itself. A SPARQL Update is refused with 403.",
                (*RESULT_FORMATS, *GRAPH_FORMATS, HTML),
                (400, 403, 406, 413, 414, 415, 429, 503),
                (*DATASET, RESULT_FORMAT, ACCEPT, ACCEPT_LANGUAGE),
                SPARQL_ERRORS,
                body=((FORM, FORM_SCHEMA), (QUERY_TEXT, STRING), (UPDATE_TEXT, STRING)),
                headers=(QUERY_HEADERS,),
            ),
            "options": Operation(
                "May another site query?",
                "The CORS preflight: any site may send queries, without credentials.",
                (),
                (204,),
                headers=(),
            ),
        },
        "/queries/": {
            "get": Operation(
                "Ready-made questions",
                "Questions for journalists and researchers, each a SPARQL query with a form;"
                " `format=json` lists them with their parameters for tools.",
                (HTML, JSON),
                (400, 406),
                (ACCEPT, ACCEPT_LANGUAGE, LANG, RESULT_FORMAT),
            )
        },
        "/queries/{name}.rq": {
            "get": Operation(
                "A question's SPARQL",
                "The query file itself.",
                (QUERY_TEXT,),
                (404,),
                (path("name", "The question's name."),),
                headers=(),
            )
        },
        "/queries/{name}": {
            "get": Operation(
                "One question, answered",
                "The question's form and table in a browser; other clients get the results"
                " (`format=csv|json|tsv|xml`). Its own parameters are listed at /queries/?format=json.",
                (*RESULT_FORMATS, *GRAPH_FORMATS, HTML),
                (400, 404, 406, 429, 503),
                (
                    path("name", "The question's name, e.g. `handlungsziele`."),
                    RESULT_FORMAT,
                    FORMAT,
                    ACCEPT,
                    ACCEPT_LANGUAGE,
                    LANG,
                ),
                headers=(QUERY_HEADERS,),
            )
        },
        "/search": {
            "get": Operation(
                "Search",
                "German and English labels and descriptions, best matches first.",
                (HTML, JSON),
                (400, 406),
                (Param("q", "query", "The words to look for."), RESULT_FORMAT, FORMAT, ACCEPT, ACCEPT_LANGUAGE, LANG),
                headers=(),
            )
        },
        "/catalog": {
            "get": Operation(
                "The data catalogue (DCAT-AP.de)",
                "Every dataset and download, for open-data portals. Turtle unless the"
                " client asks for a web page; `page` pages through many datasets.",
                (*GRAPH_FORMATS, HTML),
                (304, 400, 404, 406),
                (ACCEPT, FORMAT, IF_NONE_MATCH, Param("page", "query", "Which page, from 1.")),
            )
        },
        "/catalog.{extension}": {
            "get": Operation(
                "The data catalogue in one format",
                "The catalogue as Turtle, RDF/XML, JSON-LD or N-Triples.",
                GRAPH_FORMATS,
                (304, 400, 404),
                (
                    path("extension", "The format.", {"type": "string", "enum": ["ttl", "rdf", "jsonld", "nt"]}),
                    IF_NONE_MATCH,
                    Param("page", "query", "Which page, from 1."),
                ),
            )
        },
        "/data/": {
            "get": Operation(
                "Downloads",
                "Every programme's landing page and the downloads of everything; in RDF, the VoID description.",
                (HTML, *GRAPH_FORMATS),
                (304, 406),
                (ACCEPT, FORMAT, IF_NONE_MATCH),
            )
        },
        "/.well-known/void": {
            "get": Operation(
                "VoID description",
                "What the service holds: sizes, classes, properties, downloads.",
                GRAPH_FORMATS,
                (304, 406),
                (ACCEPT, FORMAT, IF_NONE_MATCH),
            )
        },
        "/data/{name}": {
            "get": Operation(
                "A download of everything, or a programme's landing page",
                "`kommunale-zielsysteme.ttl` (and .nt .nq .trig .jsonld .rdf) is everything; a programme's name gives"
                " its landing page (HTML or RDF).",
                (*DUMP_FORMATS, HTML),
                (206, 304, 404, 406, 416),
                (path("name", "A file name or a programme's name."), ACCEPT, FORMAT, *DOWNLOAD),
            )
        },
        "/data/{programme}/{name}": {
            "get": Operation(
                "A programme's download",
                "One programme in one format, e.g. `zukunftsprogramm.ttl`, or as a table"
                " (`.csv`) with its CSVW description (`.csv-metadata.json`).",
                (*DUMP_FORMATS, CSVW),
                (206, 304, 404, 416),
                (path("programme", "The programme's folder name."), path("name", "The file name."), *DOWNLOAD),
            )
        },
        "/data/{programme}/source.txt": {
            "get": Operation(
                "A programme's source text",
                "The document as published; every passage's character offsets point into it.",
                (PLAIN,),
                (206, 304, 404, 416),
                (path("programme", "The programme's folder name."), *DOWNLOAD),
            )
        },
        "/data/{programme}/source.csv": {
            "get": Operation(
                "A programme's source table",
                "The spreadsheet a programme was imported from, where it came as one.",
                (CSV,),
                (206, 304, 404, 416),
                (path("programme", "The programme's folder name."), *DOWNLOAD),
            )
        },
        "/sitemap.xml": {
            "get": Operation("Sitemap", "Every page, for search engines.", (XML,), (206, 304, 416), DOWNLOAD)
        },
        "/sitemap-{number}.xml": {
            "get": Operation(
                "Part of the sitemap",
                "Past 50,000 pages the sitemap comes in parts.",
                (XML,),
                (206, 304, 404, 416),
                (path("number", "The part, from 1.", {"type": "integer"}), *DOWNLOAD),
            )
        },
        "/robots.txt": {
            "get": Operation(
                "Rules for crawlers",
                "Everything may be crawled but query results.",
                (PLAIN,),
                (206, 304, 416),
                DOWNLOAD,
            )
        },
        "/vergleich": {"get": compare("de")},
        "/en/comparison": {"get": compare("en")},
        "/vergleich/liste": {"get": goal_list("de")},
        "/en/comparison/list": {"get": goal_list("en")},
        "/vergleich/kommune/{ags}/programm/{slug}/aenderungen": {"get": changes("de")},
        "/en/comparison/kommune/{ags}/programm/{slug}/changes": {"get": changes("en")},
        "/health": {
            "get": Operation(
                "Is this service up?",
                "For load balancers: 200 when the data can be queried, 503 when not.",
                (JSON,),
                (503,),
                errors_as=(JSON,),
                headers=(),
            )
        },
        "/openapi.json": {
            "get": Operation(
                "This description",
                "The HTTP interface in OpenAPI 3.1.",
                DESCRIPTION_FORMATS,
                (304, 406),
                (ACCEPT, IF_NONE_MATCH),
                headers=(),
            )
        },
        "/static/{filename}": {
            "get": Operation(
                "Style sheets and scripts",
                "Files the pages use.",
                STATIC_FORMATS,
                (304, 404),
                (path("filename", "The file name."), IF_NONE_MATCH),
                headers=(),
            )
        },
    }


def compare(language: str) -> Operation:
    return Operation(
        "Programmes compared" if language == "en" else "Programme im Vergleich",
        "The current versions of all programmes side by side: target groups and SDG goals by programme; `a` and `b`"
        " pick two programmes to compare by field of action.",
        (HTML,),
        (304, 400, 404, 406),
        (Param("a", "query", "A programme's key."), Param("b", "query", "Another programme's key."), *PAGE),
    )


def goal_list(language: str) -> Operation:
    names = ("programme", "group") if language == "en" else ("programm", "zielgruppe")
    return Operation(
        "The action goals behind a count",
        "The action goals of one programme for one target group or one SDG goal (give one of the two).",
        (HTML,),
        (304, 400, 404, 406),
        (
            Param(names[0], "query", "The programme's key."),
            Param(names[1], "query", "A target group's key."),
            Param("sdg", "query", "An SDG goal, 1 to 17."),
            *PAGE,
        ),
    )


def changes(language: str) -> Operation:
    names = ("from", "to") if language == "en" else ("von", "zu")
    return Operation(
        "Changes between two versions",
        "What a later version of a programme rewords, renumbers, adds and removes.",
        (HTML,),
        (304, 400, 404, 406),
        (
            path("ags", "The municipality's key (Amtlicher Gemeindeschlüssel), e.g. `05974040`."),
            path("slug", "The programme's name in its address."),
            Param(names[0], "query", "The earlier version."),
            Param(names[1], "query", "The later version."),
            *PAGE,
        ),
    )


def document(base_uri: str) -> dict[str, Any]:
    """The OpenAPI document for a service whose public base URI is `base_uri`."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kommunale Zielsysteme",
            "version": "1",
            "summary": "Municipal strategic programmes as Linked Open Data.",
            "description": "Every goal, target group and responsible body of a town's strategic programme has an"
            " address on the web. Things live under /id/ and redirect to documents under /doc/, which come as web"
            " pages or as data. /sparql answers questions in SPARQL; /catalog lists the downloads. Every GET also"
            " answers HEAD.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": base_uri.rstrip("/"), "description": "This service."}],
        "paths": {route: {m: op.as_dict() for m, op in ops.items()} for route, ops in operations().items()},
    }
