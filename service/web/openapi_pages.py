"""The OpenAPI description of the routes beside the documents and queries: the change feed and the releases, and
the pages for people (the source view, the language switch, the documentation)."""

from __future__ import annotations

from service.publish.dumps import CSVW, DUMP_FORMATS
from service.rdf.formats import GRAPH_FORMATS, HTML
from service.web.openapi_schema import (
    ACCEPT,
    ACCEPT_LANGUAGE,
    DOWNLOAD,
    FORMAT,
    IF_NONE_MATCH,
    LANG,
    Operation,
    Param,
    path,
)

PROGRAMME = path("programme", "The programme's folder name.")
OFFSET = {"type": "integer", "minimum": 0}


def pages_for_people() -> dict[str, dict[str, Operation]]:
    source = ("A programme's source, one passage highlighted", "The source text (or sheet) as a page, the passage"
              " `start`–`end` marked with the id `stelle`.")  # fmt: skip
    span = (
        Param("start", "query", "Where the passage begins.", OFFSET),
        Param("end", "query", "Where it ends.", OFFSET),
    )
    switch = ("Switch the language of the pages", "Keeps `de` or `en` in a cookie and goes back to `next`.")
    document = ("One document", "A document of the project from its Markdown; `{name}.md` moves to `{name}`.")
    name = path("name", "The document's name, e.g. `model`.")
    return {
        "/data/{programme}/source.html": {
            "get": Operation(*source, (HTML,), (400, 404), (PROGRAMME, *span, ACCEPT_LANGUAGE, LANG), headers=())
        },
        "/sprache/{language}": {
            "get": Operation(
                *switch,
                (),
                (303, 400, 404),
                (path("language", "`de` or `en`."), Param("next", "query", "A page.")),
                headers=(),
            )
        },
        "/docs": {"get": Operation("The documentation", "Moved to /docs/.", (), (301,), headers=())},
        "/docs/": {
            "get": Operation(
                "The documentation",
                "Every document of the project.",
                (HTML,),
                (400,),
                (ACCEPT_LANGUAGE, LANG),
                headers=(),
            )  # fmt: skip
        },
        "/docs/{name}": {
            "get": Operation(*document, (HTML,), (301, 400, 404), (name, ACCEPT_LANGUAGE, LANG), headers=())
        },
    }


def feed_and_releases() -> dict[str, dict[str, Operation]]:
    """The change feed (LDES) and the frozen releases (docs/feed-and-releases.md)."""
    number = path("number", "The page, from 1.", {"type": "integer", "minimum": 0})
    programme, version = path("programme", "The programme's folder name."), path("version", "The release, e.g. 1.0.")
    feed = ("The change feed (LDES)", "One member per goal a data version rewords, renumbers, adds or removes.")
    page = ("A page of the change feed", "Members oldest first; a closed page is immutable and names the next.")
    pages = ("Releases", "The frozen releases with their files, citations and changes; in RDF their DCAT series.")
    file = ("A file of a release", "Byte for byte as it was frozen, never rebuilt; its ETag is its SHA-256.")
    negotiated = (ACCEPT, FORMAT, IF_NONE_MATCH)
    return {
        "/feed": {"get": Operation(*feed, GRAPH_FORMATS, (304, 406), negotiated)},
        "/feed/{programme}": {"get": Operation(*feed, GRAPH_FORMATS, (304, 404, 406), (programme, *negotiated))},
        "/feed/{number}": {"get": Operation(*page, GRAPH_FORMATS, (304, 404, 406), (number, *negotiated))},
        "/feed/{programme}/{number}": {
            "get": Operation(*page, GRAPH_FORMATS, (304, 404, 406), (programme, number, *negotiated))
        },
        "/data/releases/": {"get": Operation(*pages, (HTML, *GRAPH_FORMATS), (304, 406), negotiated)},
        "/data/releases/{version}/": {
            "get": Operation(*pages, (HTML, *GRAPH_FORMATS), (304, 404, 406), (version, *negotiated))
        },
        "/data/releases/{version}/{name}": {
            "get": Operation(
                *file,
                (*DUMP_FORMATS, CSVW),
                (206, 304, 404, 416),
                (version, path("name", "The file name."), *DOWNLOAD),
            )
        },
        "/data/releases/{version}/{programme}/{name}": {
            "get": Operation(
                *file,
                (*DUMP_FORMATS, CSVW),
                (206, 304, 404, 416),
                (version, programme, path("name", "The file name."), *DOWNLOAD),
            )
        },
    }
