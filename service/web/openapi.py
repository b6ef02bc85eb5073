"""The OpenAPI 3.1 description of the HTTP surface, served at /openapi.json.

The paths, their parameters and the statuses they answer with are data, written once here in words a
journalist can follow; the media types come from the format tables (service/rdf/formats.py, service/publish/dumps.py),
so a new format shows up here without an edit. tests/web/test_openapi.py checks that every route of the app
is described and nothing else, and fuzzes the app against this description with schemathesis.
"""

from __future__ import annotations

from typing import Any

from service.content.search import KINDS as SEARCH_KINDS
from service.content.spreadsheets import XLSX_FORMAT
from service.publish.dumps import CSV, CSVW, DUMP_FORMATS
from service.rdf.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS
from service.web.openapi_pages import feed_and_releases, pages_for_people
from service.web.openapi_schema import (
    ACCEPT,
    ACCEPT_LANGUAGE,
    DATASET,
    DESCRIPTION_FORMATS,
    DOCUMENT,
    DOCUMENT_FORMATS,
    DOWNLOAD,
    FORM,
    FORM_SCHEMA,
    FORMAT,
    IF_NONE_MATCH,
    JSON,
    LANG,
    MEDIATYPE,
    NEGOTIATED,
    PAGE,
    PLAIN,
    QUERY,
    QUERY_HEADERS,
    QUERY_TEXT,
    RESULT_FORMAT,
    SORT,
    SPARQL_DESCRIPTION,
    SPARQL_ERRORS,
    STATIC_FORMATS,
    STRING,
    UPDATE_TEXT,
    XML,
    Operation,
    Param,
    path,
    source_download,
    workbook_downloads,
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
                (*RESULT_FORMATS, XLSX_FORMAT, *GRAPH_FORMATS, HTML),
                (400, 403, 406, 414, 429, 503),
                (QUERY, *DATASET, RESULT_FORMAT, SORT, ACCEPT, ACCEPT_LANGUAGE),
                SPARQL_ERRORS,
                headers=(QUERY_HEADERS,),
            ),
            "post": Operation(
                "Query the data by POST",
                SPARQL_DESCRIPTION + " A form carries the query as `query=`; a direct POST"
                " is the query itself. A SPARQL Update is refused with 403.",
                (*RESULT_FORMATS, XLSX_FORMAT, *GRAPH_FORMATS, HTML),
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
                " (`format=csv|json|tsv|xml`, and `xlsx` or `spreadsheet-csv` for spreadsheets)."
                " Its own parameters are listed at /queries/?format=json.",
                (*RESULT_FORMATS, XLSX_FORMAT, *GRAPH_FORMATS, HTML),
                (400, 404, 406, 429, 503),
                (
                    path("name", "The question's name, e.g. `handlungsziele`."),
                    RESULT_FORMAT,
                    FORMAT,
                    SORT,
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
                (
                    Param("q", "query", "The words to look for."),
                    Param("kind", "query", "Only hits of this kind.", {"type": "string", "enum": list(SEARCH_KINDS)}),
                    Param("programme", "query", "Only hits of the programme with this IRI."),
                    RESULT_FORMAT,
                    FORMAT,
                    ACCEPT,
                    ACCEPT_LANGUAGE,
                    LANG,
                ),
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
        **feed_and_releases(),
        **pages_for_people(),
        "/data/{programme}/source.txt": source_download(
            "A programme's source text",
            "The document as published; every passage's character offsets point into it.",
            PLAIN,
        ),
        "/data/{programme}/source.csv": source_download(
            "A programme's source table", "The spreadsheet a programme was imported from, where it came as one.", CSV
        ),
        **workbook_downloads(),
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
